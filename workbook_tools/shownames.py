"""How each return is shown: short, and never the same as another return's.

A return is one path as given (the same path given twice is one return). Its shown
name is what finance reads everywhere (summary, validation.xlsx, problems.json,
feedback file names, the archive index, mails) and the key its status is kept
under, so two returns must never share one: two inbox folders each holding
``runde-2.xlsx`` are shown ``udvalg-a/runde-2.xlsx`` and ``udvalg-b/runde-2.xlsx``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .inbox import discover


def return_key(path: Path | str) -> str:
    """One return's identity: its path made absolute (links not followed), in the file system's own case rules."""
    return os.path.normcase(os.path.abspath(path))


def once(paths: list[Path]) -> list[Path]:
    """The paths with each return once (by return_key), in the order first given."""
    first: dict[str, Path] = {}
    for p in paths:
        first.setdefault(return_key(p), p)
    return list(first.values())


def shown_name_of(inputs: list[Path | str]) -> Callable[[Path], str]:
    """The shown name of each file found in `inputs` (the files and folders given), as expand_inputs asks for it."""
    names = shown_names(once(discover(inputs)), inputs)
    folders = _folders(inputs)
    return lambda p: names.get(p) or _relative(p, folders)


def shown_names(paths: list[Path], inputs: list[Path | str]) -> dict[Path, str]:
    """Each path's shown name: relative to the folder given that holds it, or its file name; where two would be equal, more of the path."""
    folders = _folders(inputs)
    short = {p: _relative(p, folders) for p in paths}
    groups: dict[str, list[Path]] = defaultdict(list)
    for p in dict.fromkeys(paths):
        groups[short[p].casefold()].append(p)  # case-folded: feedback copies named after them must differ on Windows too
    names: dict[Path, str] = {}
    for group in groups.values():
        if len(group) == 1:
            names[group[0]] = short[group[0]]
            continue
        for depth in range(2, max(len(p.parts) for p in group) + 1):
            longer = {p: str(Path(*p.parts[-depth:])) for p in group}
            if len({n.casefold() for n in longer.values()}) == len(group):
                break
        else:
            longer = {p: os.path.abspath(p) for p in group}
        names.update(longer)
    return names


def _folders(inputs: list[Path | str]) -> list[Path]:
    # The folders given, asked of the file system once: not once for every file found in them.
    return [root for root in map(Path, inputs) if root.is_dir()]


def _relative(path: Path, folders: list[Path]) -> str:
    """The path from the folder above the first given folder that holds it; else its file name."""
    for root in folders:
        if path.is_relative_to(root.parent):
            return str(path.relative_to(root.parent))
    return path.name


def distinct(incoming: list) -> list:
    """The returns with every shown name unique: a name seen before (case-folded) gets " (2)", " (3)" …; the first keeps its own."""
    seen: set[str] = set()
    out = []
    for item in incoming:
        name, n = item.name, 1
        while name.casefold() in seen:
            n += 1
            stem, dot, suffix = item.name.rpartition(".")
            name = f"{stem} ({n}).{suffix}" if dot and stem else f"{item.name} ({n})"
        seen.add(name.casefold())
        out.append(item if name == item.name else replace(item, name=name))
    return out
