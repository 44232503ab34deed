"""Spread per-file work over processes: one place for how the pool is made.

Collect checks a thousand returns and writes a thousand reports; each file is
independent, so N cores do it nearly N times faster. The shared context (the
master, the texts) reaches each worker once, when it starts, and never per file.
What the workers inherit is the parent's memory, so the habits that keep it small
and out of the garbage collector's way (freezing, pausing, handing back) live here too.

Workers are forked where the system can (Linux, macOS): they start at once and
share the master's memory. Windows can only spawn: each worker starts a fresh
Python and receives the function by name and the shared context pickled, so both
must be module-level and picklable. FOLLOWUP_START_METHOD chooses for a run (and
lets the tests on Linux run the way Windows does).
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

START_METHOD_ENV = "FOLLOWUP_START_METHOD"
_START_METHODS = ("fork", "spawn", "forkserver")
# glibc's malloc_trim exists on Linux only; this module's one look at the platform.
_LINUX = sys.platform.startswith("linux")

_FN: Callable | None = None
_SHARED = None


def _init(fn: Callable, shared) -> None:
    global _FN, _SHARED
    _FN, _SHARED = fn, shared
    # What the worker inherited or, spawned, unpickled (the master: tens of thousands of
    # objects) never becomes garbage; freezing it keeps every collection from walking it again.
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
    mp = multiprocessing.get_context(start_method())
    chunk = chunk or max(1, min(16, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp, initializer=_init, initargs=(fn, shared)) as pool:
        for i, result in enumerate(pool.map(_call, items, chunksize=chunk)):
            out.append(result)
            if progress:
                progress(i + 1, len(items))
    return out


def start_method() -> str:
    """How worker processes start: $FOLLOWUP_START_METHOD when this system has it, else fork where there is fork, else spawn.

    A value the system lacks (fork on Windows) or a misspelt one is passed over: the
    run goes on the default way rather than stopping over a tuning knob.
    """
    methods = multiprocessing.get_all_start_methods()
    wanted = os.environ.get(START_METHOD_ENV, "").strip().lower()
    if wanted in _START_METHODS and wanted in methods:
        return wanted
    return "fork" if "fork" in methods else "spawn"


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
    own; every worker forked afterwards starts out counting them too. Elsewhere, nothing:
    there is no glibc, and asking the system's library search for one by name would at
    best look through folders for nothing, at worst load a stray file of that name.
    """
    if not _LINUX:
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc by its fixed name: no library search (it runs ldconfig)
    except (OSError, AttributeError):  # Linux without glibc (musl)
        pass
