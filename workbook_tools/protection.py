"""Check that a return's guard-rails are still on: the sheet protection and the smiley dropdowns.

Both only guide the sender, so their loss is a warning, and the values are checked
anyway; but a dropdown gone from a smiley cell explains a smiley typed wrong.
"""

from __future__ import annotations

from functools import lru_cache

from .model import Smiley
from .ooxml import Parts
from .problems import Problem
from .returncheck import ReturnCheck
from .sheetplan import PlannedCell
from .sheetvalues import split_ref

# Excel's kinds of validation rule as Danish Excel's "Tillad" list names them.
VALIDATION_TYPE_WORDS = {
    "any": "Enhver værdi",
    "whole": "Heltal",
    "decimal": "Decimal",
    "list": "Liste",
    "date": "Dato",
    "time": "Klokkeslæt",
    "textLength": "Tekstlængde",
    "custom": "Brugerdefineret",
}


def check_protection(check: ReturnCheck, parts: Parts, cells: list[PlannedCell]) -> None:
    """Protection and dropdowns: both are guard-rails, so their loss is a warning; values are checked anyway."""
    sheet = check.sheet_name
    if not parts.protected.get(sheet, False):
        check.problems.append(
            Problem(
                "protection-removed", check.name, check.committee, sheet=sheet, expected="beskyttet", found="ikke beskyttet", detail=sheet
            )
        )
    # Rules on single cells (what the template writes) are looked up; ranges are scanned.
    at_cell: dict[tuple[int, int], list[tuple[str, str]]] = {}
    ranges: list[tuple[tuple[int, int, int, int], str, str]] = []
    for sqref, t, f1 in parts.validations.get(sheet, []):
        for box in _boxes(sqref):
            c1, r1, c2, r2 = box
            if (c1, r1) == (c2, r2):
                at_cell.setdefault((c1, r1), []).append((t, f1))
            else:
                ranges.append((box, t, f1))
    for c in cells:
        if not c.states:
            continue
        words = _state_words(c.states)
        col, row = c.col + 1, c.row + 1
        covering = at_cell.get((col, row), []) + [(t, f1) for (c1, r1, c2, r2), t, f1 in ranges if c1 <= col <= c2 and r1 <= row <= r2]
        if any(t == "list" and _list_words(f1) == words for t, f1 in covering):
            continue
        if not covering:
            found = "ingen regel"
        else:
            t, f1 = covering[0]
            found = f"liste {f1}" if t == "list" else f"regel, der tillader »{VALIDATION_TYPE_WORDS.get(t or 'any', t)}«"
        check.problems.append(
            Problem(
                "dropdown-removed",
                check.name,
                check.committee,
                c.element,
                sheet,
                c.ref,
                ",".join(s.label for s in c.states),
                found,
                field=c.field,
            )
        )


# The three look-ups below are cached: every return of a round repeats the same rules at the same cells.
@lru_cache(maxsize=64)
def _state_words(states: tuple[Smiley, ...]) -> frozenset[str]:
    return frozenset(s.label for s in states)


@lru_cache(maxsize=1024)
def _list_words(formula: str) -> frozenset[str]:
    return frozenset(w.strip() for w in formula.strip().strip('"').split(","))


@lru_cache(maxsize=1 << 14)
def _boxes(sqref: str) -> tuple[tuple[int, int, int, int], ...]:
    """A validation's cell ranges ("E32 E38:E40") as 1-based (col1, row1, col2, row2) boxes."""
    out = []
    for part in sqref.split():
        a, _, b = part.partition(":")
        (c1, r1), (c2, r2) = split_ref(a), split_ref(b or a)
        out.append((min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)))
    return tuple(out)
