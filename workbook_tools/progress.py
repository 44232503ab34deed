"""How a long job says how far it has come: the one signature of every progress callback.

The library never draws anything; the command line passes a callback that does
(``cli._progress``), a script may pass its own, or None for silence.
"""

from __future__ import annotations

from functools import partial
from typing import Protocol


class Progress(Protocol):
    """Called as a job goes: `done` of `total` items of the phase named `label`.

    A job's first phase calls ``progress(done, total)`` and leaves `label` to the
    caller, who knows what the whole job is called. A later phase of the same run
    ("Rapporter", "PDF") passes its own `label` (see :func:`phase`), and a display
    gives it a line of its own. ``done == total`` ends a phase; a phase may start
    with ``done == 0``.
    """

    def __call__(self, done: int, total: int, label: str = "") -> None: ...


def phase(progress: Progress | None, label: str) -> Progress | None:
    """`progress` for a later phase of the same run, reported under `label`; None stays None."""
    return partial(progress, label=label) if progress else None
