"""One `collect` at a time into an output folder: a lock file that says who holds it.

Two runs into the same --out would each write their half: the master from one, the
archive index from the other, or one run retiring the other's fresh feedback copy.
A run creates ``.followup-lock`` in the folder in one step (it exists, or this run made
it; never both), holds it for its whole run and removes it at the end. A second run
is refused with the holder's pid, host and start time. A lock left by a run that was
stopped (its process is gone, on this same machine) is taken over, and said so.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from .danish import long_datetime
from .errors import FollowupError

LOCK_NAME = ".followup-lock"
_BREAKER = ".followup-lock.overtages"  # held for the moment a stale lock is taken over, so two runs cannot both take it
_BREAKER_STALE_SECONDS = 60


class OutputLocked(FollowupError):
    """Another collect holds the output folder: the message names it and the lock file to delete if that run is stopped."""

    def __init__(self, folder: Path, lock: Path, holder: dict):
        self.folder, self.lock, self.holder = folder, lock, holder
        super().__init__(f"collect kører allerede i {folder} ({_describe(holder)}); vent, eller slet {lock} hvis den kørsel er stoppet")


class OutLock:
    """A held lock on an output folder; `note` says when a stopped run's lock was taken over."""

    def __init__(self, path: Path, token: str, note: str = ""):
        self.path, self.token, self.note = path, token, note

    def release(self) -> None:
        """Remove the lock file, if it is still this run's."""
        with contextlib.suppress(OSError):
            if self.path.read_text(encoding="utf-8") == self.token:
                self.path.unlink()


@contextlib.contextmanager
def output_lock(folder: Path | str) -> Iterator[OutLock]:
    """Hold the output folder's lock for the block; raise OutputLocked when another live run holds it."""
    lock = acquire(folder)
    try:
        yield lock
    finally:
        lock.release()


def acquire(folder: Path | str) -> OutLock:
    """Create the folder's lock file atomically, or take over one a stopped run on this machine left."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    token = json.dumps(
        {"pid": os.getpid(), "host": socket.gethostname(), "started": datetime.now().astimezone().isoformat(timespec="seconds")}
    )
    if _create(path, token):
        return OutLock(path, token)
    holder = _read(path)
    if holder is None:  # the other run removed it between our two steps
        if _create(path, token):
            return OutLock(path, token)
        holder = _read(path) or {}
    if not _stale(holder, path):
        raise OutputLocked(folder, path, holder)
    return OutLock(path, token, _take_over(folder, path, token, holder))


def _create(path: Path, token: str) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(token)
    except OSError:
        path.unlink(missing_ok=True)  # an empty lock would name no one
        raise
    return True


def _read(path: Path) -> dict | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        holder = json.loads(text)
    except ValueError:
        return {}  # half written by a run killed in its first instant, or not ours: treated as held
    return holder if isinstance(holder, dict) else {}


def _take_over(folder: Path, path: Path, token: str, holder: dict) -> str:
    breaker = folder / _BREAKER
    with contextlib.suppress(OSError):
        if time.time() - breaker.stat().st_mtime > _BREAKER_STALE_SECONDS:  # a run killed while taking over
            breaker.unlink()
    if not _create(breaker, token):
        raise OutputLocked(folder, path, holder)
    try:
        if _read(path) != holder:  # another run took it over first
            raise OutputLocked(folder, path, _read(path) or holder)
        path.unlink()
        if not _create(path, token):
            raise OutputLocked(folder, path, _read(path) or holder)
    finally:
        with contextlib.suppress(OSError):
            breaker.unlink()
    return f"Låsen {path} var efterladt af en stoppet collect ({_describe(holder)}); den er overtaget."


def _stale(holder: dict, path: Path) -> bool:
    """A lock of a process that is gone, on this machine; a lock from another machine is never judged from here.

    A lock that names no one (a run killed in the instant between creating and filling it) is stale after a minute.
    """
    if not holder:
        try:
            return time.time() - path.stat().st_mtime > _BREAKER_STALE_SECONDS
        except OSError:
            return False
    pid = holder.get("pid")
    return holder.get("host") == socket.gethostname() and isinstance(pid, int) and pid != os.getpid() and not _alive(pid)


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would end the process there
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _describe(holder: dict) -> str:
    started = str(holder.get("started", ""))
    try:
        since = long_datetime(datetime.fromisoformat(started))  # the holder's clock, as it wrote it
    except ValueError:
        since = "?"
    return f"pid {holder.get('pid', '?')} på {holder.get('host', '?')} siden {since}"
