"""Find the files a collect reads, and read each return once, or say why it cannot be read.

Finance points `collect` at folders of returns; this module lists the files in them
(passing over what is never a return: owner files, hidden files, Thumbs.db), reads
each return's bytes once (never a folder, a pipe or a file far too large), and
names the problem of a file that is not an .xlsx by its kind
(:mod:`~workbook_tools.filekind`).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .atomic import read_cause
from .danish import thousands
from .filekind import refusal
from .inuse import held_by_another_program, is_owner_file
from .problems import Problem

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv"}
MAIL_SUFFIXES = {".eml", ".msg"}
# What Windows and macOS leave in any folder they show (thumbnails, folder settings): never a return.
SYSTEM_FILES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"})
# A returned committee workbook is tens of kilobytes; anything this large is not one.
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Incoming:
    """A workbook to check and where it came from (a file, or an e-mail's attachment)."""

    path: Path
    name: str
    received: datetime | None = None
    sender: str = ""
    origin: str = ""

    def as_dict(self) -> dict:
        """Where the file came from, as data: its path, origin, sender and time received (ISO, or "")."""
        return {
            "path": str(self.path),
            "origin": self.origin,
            "sender": self.sender,
            "received": self.received.isoformat() if self.received else "",
        }


def discover(paths: list[Path | str]) -> list[Path]:
    """Files to collect, from files and folders (recursively), in a stable order.

    Hidden files, the owner and lock files of a workbook open in Excel or LibreOffice
    (~$…, .~lock.…#) and the files Windows and macOS put in folders (Thumbs.db,
    desktop.ini, .DS_Store) are passed over: they are no one's return. Named on the
    command line, any of them is checked as given. A path that does not exist is kept
    so that it is reported, not silently dropped, and so are folders named like a
    workbook and links to folders.
    """
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and p.suffix.lower() not in WORKBOOK_SUFFIXES | MAIL_SUFFIXES:
            # A folder that cannot be read is reported too, not passed over in silence.
            for root, dirs, files in os.walk(p, onerror=lambda exc: found.append(Path(exc.filename))):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                # A folder named like a workbook (one unzipped) or a link to a folder is reported, not entered.
                odd = [
                    d for d in dirs if Path(d).suffix.lower() in WORKBOOK_SUFFIXES | MAIL_SUFFIXES or os.path.islink(os.path.join(root, d))
                ]
                dirs[:] = sorted(d for d in dirs if d not in odd)
                for f in sorted(files + odd):
                    if _not_a_return(f):
                        continue
                    found.append(Path(root) / f)
        else:
            found.append(p)
    return found


def _not_a_return(name: str) -> bool:
    """A file in an inbox folder that is never a return: hidden, an open workbook's owner file, or the system's own."""
    return name.startswith(".") or is_owner_file(name) or name.casefold() in SYSTEM_FILES


def file_received(path: Path) -> datetime | None:
    """When a file arrived, as far as the file itself tells: its modification time (UTC), or None."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError:
        return None


def read_return(incoming: Incoming) -> bytes | Problem:
    """The file's bytes, read once and only read; or the problem that keeps it from being read.

    Not read at all: a folder, a link, a named pipe or device (reading one can wait
    forever) and a file too large to be a return. A file Excel holds open on Windows,
    or one without rights, is a problem too, not an error.
    """
    name, path = incoming.name, incoming.path
    try:
        st = path.lstat()
        mode = st.st_mode
        if stat.S_ISDIR(mode) and not os.access(path, os.R_OK | os.X_OK):
            return Problem("unreadable-file", name, detail="mappen kan ikke læses")
        if stat.S_ISLNK(mode):
            return Problem("not-a-file", name, detail="symbolsk link")
        if stat.S_ISDIR(mode):
            return kind_problem("folder", b"", name)
        if not stat.S_ISREG(mode):
            return kind_problem("special", b"", name)
        if st.st_size > MAX_FILE_BYTES:  # a plain file, not a link: lstat gave its own size
            return Problem("unsafe-workbook", name, detail=f"filen fylder {thousands(st.st_size)} byte")
        with open(path, "rb") as fh:  # read only, once
            return fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return kind_problem("missing", b"", name)
    except OSError as exc:
        if held_by_another_program(exc):  # Windows, while Excel has the return open
            return Problem("file-in-use", name)
        # no permission, also to the folder it lies in
        return Problem("unreadable-file", name, detail=read_cause(exc))


def brief_error(exc: Exception) -> str:
    """The first line of an exception, short enough for a problem message."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def kind_problem(kind: str, data: bytes, name: str) -> Problem | None:
    """The problem that rejects a return of this kind (`data` its bytes, `name` as shown); None for an .xlsx."""
    refused = refusal(kind, data)
    return None if refused is None else Problem(refused[0], name, detail=refused[1])
