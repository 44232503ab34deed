"""The files the tool ships inside the package, found wherever it is installed.

Finance runs `followup` from a pip-installed package in a year folder on a shared
drive, not from our checkout: the factory layout, the mail texts and the 2018
example for `followup demo` travel as package data and are read through
:mod:`importlib.resources`, never looked up beside the source tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

_DATA = "data"
LAYOUT = "layout.xlsx"
MAIL = "mail"
EXAMPLE = "example-2018"


def data() -> Traversable:
    """The package's data folder."""
    return resources.files(__package__).joinpath(_DATA)


def factory_layout() -> Traversable:
    """The factory layout workbook (the repo's templates/follow_up_template.xlsx, shipped)."""
    return data().joinpath(LAYOUT)


def factory_mail_texts() -> Traversable:
    """The folder of the factory mail texts (skabelon.txt, rapport.txt, rykker.txt, oversigt.txt)."""
    return data().joinpath(MAIL)


@contextmanager
def as_path(item: Traversable) -> Iterator[Path]:
    """A real path for a packaged file or folder, for as long as the block runs (a zipped install gets a temp copy)."""
    with resources.as_file(item) as path:
        yield Path(path)


def copy_tree(item: Traversable, target: Path) -> list[Path]:
    """Copy a packaged file or folder to `target` (made as needed); return the files written."""
    written: list[Path] = []
    if item.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        for child in sorted(item.iterdir(), key=lambda c: c.name):
            if child.name.startswith((".", "__")):
                continue
            written.extend(copy_tree(child, target / child.name))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.read_bytes())
        written.append(target)
    return written
