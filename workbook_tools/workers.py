"""Spread per-file work over processes: one place for how the pool is made.

Collect checks a thousand returns and writes a thousand reports; each file is
independent, so N cores do it nearly N times faster. The shared context (the
master, the texts) reaches each worker once, when it starts, and never per file.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

_FN: Callable | None = None
_SHARED = None


def _init(fn: Callable, shared) -> None:
    global _FN, _SHARED
    _FN, _SHARED = fn, shared
    # What the worker inherited (the master: tens of thousands of objects) never becomes
    # garbage; freezing it keeps every collection from walking it again.
    gc.freeze()


def _call(item):
    return _FN(_SHARED, item)


def default_jobs(jobs: int | None) -> int:
    return max(1, jobs or os.cpu_count() or 1)


def map_in_processes(fn: Callable, shared, items: Sequence, jobs: int | None = None, progress=None, min_per_worker: int = 4) -> list:
    """[fn(shared, item) for item in items], in order, over `jobs` processes (default: all cores).

    Small batches run in this process: starting workers would cost more than it saves.
    `fn` must be a module-level function.
    """
    jobs = default_jobs(jobs)
    out = []
    if jobs == 1 or len(items) < min_per_worker * jobs:
        for i, item in enumerate(items):
            out.append(fn(shared, item))
            if progress:
                progress(i + 1, len(items))
        return out
    methods = multiprocessing.get_all_start_methods()
    mp = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    chunk = max(1, min(16, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp, initializer=_init, initargs=(fn, shared)) as pool:
        for i, result in enumerate(pool.map(_call, items, chunksize=chunk)):
            out.append(result)
            if progress:
                progress(i + 1, len(items))
    return out
