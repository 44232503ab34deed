"""Write every output so that a crash leaves the old file or the new one, never half of either.

Each output is written to a temporary file beside its place and renamed over it in
one step; a run's many small outputs skip the flush each and are made durable
together at the end.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import FollowupError

# What went wrong writing an output, in the user's words with what to do; by errno (and Windows' own codes).
_CAUSES = {
    errno.EROFS: "mappen er skrivebeskyttet; vælg en anden --out eller få skriveadgang",
    errno.ENOSPC: "disken er fuld; gør plads eller vælg en anden --out",
    getattr(errno, "EDQUOT", -1): "din diskkvote er brugt op; gør plads eller vælg en anden --out",
    errno.EACCES: "adgang nægtet; du har ikke skriveadgang her, vælg en anden --out",
    errno.EPERM: "adgang nægtet; du har ikke skriveadgang her, vælg en anden --out",
    errno.ENAMETOOLONG: "stien er for lang; vælg en --out med en kortere sti",
    errno.ENOTDIR: "en del af stien er en fil, ikke en mappe",
    errno.EISDIR: "der ligger en mappe med det navn",
    errno.EIO: "skrivefejl på disken eller netværksdrevet; prøv igen, eller vælg en anden --out",
}
_WINDOWS_CAUSES = {
    5: errno.EACCES,
    112: errno.ENOSPC,
    206: errno.ENAMETOOLONG,
    19: errno.EROFS,
}  # access denied, disk full, name too long, write-protected


class OutputError(FollowupError):
    """An output could not be written: which path, why (read-only, full, no access, too long) and what to do."""

    def __init__(self, path: Path | str, exc: OSError):
        self.path, self.cause = Path(path), exc
        super().__init__(f"kan ikke skrive {path}: {output_cause(exc)}")


def output_cause(exc: OSError) -> str:
    """The cause of a failed write in Danish, from its errno (or Windows' winerror)."""
    code = _WINDOWS_CAUSES.get(getattr(exc, "winerror", None) or 0, exc.errno)
    return _CAUSES.get(code) or (exc.strerror or type(exc).__name__)


# Why a file could not be read, in Danish: the system's own words (strerror) are English on most machines.
_READ_CAUSES = {
    errno.ENOENT: "filen findes ikke",
    errno.EACCES: "adgang nægtet",
    errno.EPERM: "adgang nægtet",
    errno.EISDIR: "det er en mappe, ikke en fil",
    errno.ENOTDIR: "en del af stien er en fil, ikke en mappe",
    errno.ENAMETOOLONG: "stien er for lang",
    errno.EIO: "læsefejl på disken eller netværksdrevet",
    errno.ELOOP: "stien peger i ring",
}
_WINDOWS_READ_CAUSES = {2: errno.ENOENT, 3: errno.ENOENT, 5: errno.EACCES, 206: errno.ENAMETOOLONG}
_WINDOWS_IN_USE = (32, 33)  # sharing and lock violation: another program has the file open


def read_cause(exc: OSError) -> str:
    """Why a file could not be read, in Danish, from its errno (or Windows' winerror); never the system's English."""
    winerror = getattr(exc, "winerror", None) or 0
    if winerror in _WINDOWS_IN_USE:
        return "filen er åben i et andet program"
    cause = _READ_CAUSES.get(_WINDOWS_READ_CAUSES.get(winerror, exc.errno))
    if cause:
        return cause
    return f"systemfejl nr. {winerror or exc.errno}" if (winerror or exc.errno) else "ukendt systemfejl"


@contextlib.contextmanager
def output_errors(folder: Path | str) -> Iterator[None]:
    """Turn an OSError while writing into `folder` into an OutputError naming the path and the cause.

    An error that names a file elsewhere (an input) is left as it is; one that names no
    file (a full disk on write) is the folder's.
    """
    try:
        yield
    except OSError as exc:
        path = Path(os.fsdecode(exc.filename)) if isinstance(exc.filename, str | bytes) else Path(folder)
        if not _inside(path, Path(folder)):
            raise
        if path.name.startswith(".~") and path.name.endswith(".tmp"):  # atomic_output's temporary file: name its folder
            path = path.parent
        raise OutputError(path, exc) from exc


@contextlib.contextmanager
def atomic_output(path: Path | str, sync: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename.

    A crash leaves either the old complete file or the new complete file, never half a file.
    With `sync` the new file is flushed to disk before the rename, so that a power cut
    cannot leave it empty either. A run's many per-committee files (reports, archive
    copies) pass sync=False and are flushed together by `flush_to_disk` at the end:
    one flush instead of a thousand, each of which waits for the disk (~2 ms here).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".~" + path.stem[:40] + ".", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if sync:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.absolute().relative_to(folder.absolute())
    except ValueError:
        return False
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path | str, data: bytes, sync: bool = True) -> Path:
    """Write `data` to `path` through :func:`atomic_output`."""
    with atomic_output(path, sync=sync) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def flush_to_disk() -> None:
    """Make every file written without `sync` durable, in one go (the whole system's pending writes)."""
    if hasattr(os, "sync"):
        os.sync()
