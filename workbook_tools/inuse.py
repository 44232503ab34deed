"""Tell when another program (Excel, LibreOffice) has a file open, and say what to close.

Windows refuses to open for writing, or to replace, a file another program holds
open; elsewhere Excel or LibreOffice would later save its old copy over a new file.
Both programs leave an owner or lock file beside a workbook they have open. The
collector passes those over as no one's return and reads a held return as a problem;
a run checks its outputs here before it replaces any of them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .danish import listed
from .errors import FollowupError

# The one place this module asks which system it runs on: Windows refuses to open for
# writing, or to replace, a file another program holds open (Excel its workbooks).
_WINDOWS = sys.platform == "win32"
# Windows' "used by another process" and "part of the file is locked" (ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION).
_SHARING_ERRORS = (32, 33)


def owner_file_names(name: str) -> list[str]:
    """The files Excel and LibreOffice put beside a workbook named `name` while they have it open.

    Excel's owner file is ``~$`` and the name or, for a longer name, ``~$`` in place of
    its first two characters; LibreOffice's lock file is ``.~lock.<name>#``. Both are
    left behind when the program crashes.
    """
    names = ["~$" + name]
    if not name[2:].startswith("."):  # a stem of one or two letters keeps them all
        names.append("~$" + name[2:])
    return [*dict.fromkeys(names), f".~lock.{name}#"]


def is_owner_file(name: str) -> bool:
    """An Excel owner file (~$…) or a LibreOffice lock file (.~lock.…#): a sign of an open workbook, never one itself."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def owner_files(path: Path | str) -> list[Path]:
    """The owner and lock files beside `path` now: someone has it open, or had it when their program crashed."""
    path = Path(path)
    return [path.with_name(n) for n in owner_file_names(path.name) if os.path.lexists(path.with_name(n))]


def held_by_another_program(exc: OSError) -> bool:
    """True when an open failed because another program holds the file (Excel, on Windows); not for missing rights.

    Elsewhere a program's open file never stops another from reading it, so a
    PermissionError there is what it says.
    """
    return _WINDOWS and getattr(exc, "winerror", None) in _SHARING_ERRORS


class OutputInUse(FollowupError):
    """Outputs another program has open (overview.xlsx in Excel): the run stops before it replaces any output.

    On Windows replacing a file Excel has open fails, and halfway through a run that
    would leave the master new and the overview old; elsewhere Excel or LibreOffice
    would later save its old copy over the new file. Carries the paths and the owner
    files found, and says in Danish what to close.
    """

    def __init__(self, paths: list[Path]):
        self.paths = [Path(p) for p in paths]
        self.owner_files = [f for p in self.paths for f in owner_files(p)]
        super().__init__(in_use_message(self.paths, self.owner_files))


def in_use_message(paths: list[Path], owners: list[Path]) -> str:
    """What to close, in the words of the CLI's other errors, naming the program that most likely holds it."""
    program = "Excel"
    if owners and all(o.name.startswith(".~lock.") for o in owners):
        program = "LibreOffice"
    elif any(p.suffix.lower() == ".pdf" for p in paths):
        program = "Excel eller PDF-læseren"
    text = f"luk {listed(p.name for p in paths)} i {program} og kør igen: en fil kan ikke erstattes, mens et andet program har den åben. Intet er skrevet."
    if owners:
        text += f" Er programmet allerede lukket, så slet {listed(o.name for o in owners)}, som det har efterladt."
    return text


def outputs_in_use(paths: list[Path]) -> list[Path]:
    """The outputs among `paths` that another program has open, to be closed before a run replaces any of them.

    In use: the file exists and an owner or lock file stands beside it (Excel,
    LibreOffice; any system), or, on Windows, it cannot be opened for writing. A path
    that does not exist yet is free, whatever a crashed program left beside it. Each
    folder is listed once: a thousand reports on a network drive are a thousand
    round trips when asked about one by one.
    """
    listings: dict[Path, frozenset[str]] = {}
    busy = []
    for p in map(Path, paths):
        if p.parent not in listings:
            listings[p.parent] = _listing(p.parent)
        names = listings[p.parent]
        if p.name in names and (any(n in names for n in owner_file_names(p.name)) or _held_open(p)):
            busy.append(p)
    return busy


def _listing(folder: Path) -> frozenset[str]:
    try:
        return frozenset(os.listdir(folder))
    except OSError:  # not there yet: nothing in it is open
        return frozenset()


def _held_open(path: Path) -> bool:
    """Windows only: the file exists and another program holds it (opening it for writing changes nothing)."""
    if not _WINDOWS:
        return False
    try:
        with open(path, "r+b"):
            return False
    except FileNotFoundError:
        return False
    except PermissionError:  # held open, or read-only: either way it cannot be replaced
        return True
    except OSError:
        return False
