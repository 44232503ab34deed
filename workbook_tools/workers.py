"""Spread per-file work over processes: one place for how the pool is made.

Collect checks a thousand returns and writes a thousand reports; each file is
independent, so N cores do it nearly N times faster. The shared context (the
master, the texts) reaches each worker once, when it starts, and never per file.
What the workers inherit is the parent's memory, so the habits that keep it small
and out of the garbage collector's way (freezing, pausing, handing back) live here too.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

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


def map_in_processes(
    fn: Callable, shared, items: Sequence, jobs: int | None = None, progress=None, min_per_worker: int = 4, chunk: int | None = None
) -> list:
    """[fn(shared, item) for item in items], in order, over `jobs` processes (default: all cores).

    Small batches run in this process: starting workers would cost more than it saves.
    `fn` must be a module-level function. Items go to workers in chunks; `chunk=1`
    when a few items are much longer than the rest and must not share a worker.
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
    chunk = chunk or max(1, min(16, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp, initializer=_init, initargs=(fn, shared)) as pool:
        for i, result in enumerate(pool.map(_call, items, chunksize=chunk)):
            out.append(result)
            if progress:
                progress(i + 1, len(items))
    return out


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the garbage collector off everything that exists now, for as long as the block runs.

    A large master is a million objects that live for the whole run; without this,
    every full collection walks all of them again while checks and reports make and
    drop their own objects. Unfrozen afterwards, so a caller's process is left as it was.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage collection while the block builds a large structure that will all live on.

    Reading a thousand-committee master makes a million objects in a second; each
    collection the allocations trigger walks the ones made so far for nothing, as they
    are all still in use. That was a tenth of read_master. Re-enabled afterwards (if it was on).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def return_freed_memory() -> None:
    """Hand the memory a large read has freed back to the system, where the C library allows it (glibc).

    Reading a master leaves tens of megabytes free but still counted as the process's
    own; every worker forked afterwards starts out counting them too. Elsewhere, nothing.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc by its fixed name: no library search (it runs ldconfig)
    except (OSError, AttributeError):  # no glibc: musl, macOS, Windows
        pass
