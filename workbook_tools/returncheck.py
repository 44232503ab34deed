"""What checking a return reads and fills in: the CollectContext every check shares, and the ReturnCheck it makes.

A ReturnCheck is the finding for one returned file: whose it is, its answers and
its problems; merge, reports, feedback and `--json` read it. The CollectContext
holds the master, the round and the texts, and works out each committee's plan
and its locked cells (:class:`Facts`) once for all the returns that use it.
All three are plain data, picklable for worker processes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from .inbox import Incoming
from .model import Agreement, Result
from .problems import Problem, is_rejecting
from .sheetplan import Mode, PlannedCell, Role, SheetPlan, normalise_value, plan_sheet
from .texts import Texts


@dataclass
class ReturnCheck:
    """What one returned workbook says, and what is wrong with it."""

    incoming: Incoming
    sha256: str = ""
    kind: str = ""
    committee: str = ""
    department: str = ""
    round: int = 0
    year: int = 0
    template_id: str = ""
    template_version: str = ""
    modified: datetime | None = None
    modified_by: str = ""
    results: list[Result] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # input cell refs per (element, field), for annotated feedback copies and conflicts
    cells: dict[tuple[str, str], str] = field(default_factory=dict)
    # the follow-up sheet's name in this file (differs from the plan's when renamed)
    sheet_name: str = ""
    migrated: bool = False  # answers found by element number in an older template layout

    @property
    def name(self) -> str:
        return self.incoming.name

    @property
    def accepted(self) -> bool:
        return not is_rejecting(self.problems)

    @property
    def document_time(self) -> datetime | None:
        return self.modified or self.incoming.received

    @property
    def author(self) -> str:
        """Who sent or last saved it: the e-mail sender when known, else the workbook's last author."""
        return (self.incoming.sender or self.modified_by).strip().casefold()

    def as_dict(self) -> dict:
        """The finding as data, for `--json` and problems.json: the file, where it came from, whose it is, and its problems."""
        return {
            "file": self.name,
            **self.incoming.as_dict(),
            "committee": self.committee,
            "department": self.department,
            "round": self.round,
            "template_id": self.template_id,
            "template_version": self.template_version,
            "sha256": self.sha256,
            "accepted": self.accepted,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass
class CollectContext:
    """What every check needs: the master, the round, the texts and optional manifest."""

    agreement: Agreement
    round: int
    texts: Texts
    manifest: dict[str, dict] = field(default_factory=dict)
    require_status: bool = True
    _plans: OrderedDict = field(default_factory=OrderedDict)
    _facts: OrderedDict = field(default_factory=OrderedDict)

    def plan(self, committee: str, department: str) -> SheetPlan:
        """The committee's (or department's) sheet plan for the round, as its template was made."""
        key = (committee, department)
        if key not in self._plans:
            c = self.agreement.committee(committee)
            _remember(self._plans, key, plan_sheet(self.agreement, c, self.round, self.texts, Mode.TEMPLATE, department, measure=False))
        return self._plans[key]

    def facts(self, plan: SheetPlan) -> Facts:
        """The plan's locked cells, normalised once per committee rather than once per return."""
        key = (plan.committee, plan.department)
        if key not in self._facts:
            _remember(self._facts, key, Facts(plan))
        return self._facts[key]


# Plans are kept for the last few committees only: returns of one committee tend to come
# together (copies, departments), and a thousand kept plans would fill memory and make
# every garbage collection walk millions of cells.
_KEEP_PLANS = 8


def _remember(cache: OrderedDict, key, value) -> None:
    # An OrderedDict: dropping a plain dict's oldest key again and again leaves a trail of
    # deleted slots that every next(iter()) walks.
    while len(cache) >= _KEEP_PLANS:
        cache.popitem(last=False)
    cache[key] = value


class Facts:
    """What a return made from one plan holds, worked out once per committee rather than once per return.

    `matches` is the common case, a return whose locked cells are exactly as
    written: its rows are compared whole, as lists, which costs a fraction of the
    cell-by-cell compare. Only a return that differs pays for the rest, which is
    therefore worked out on first use.
    """

    def __init__(self, plan: SheetPlan):
        self.plan = plan
        cells = plan.cells
        self.width = max(c.col for c in cells) + 1 if cells else 1
        self.blank = [""] * self.width
        # Each row as python-calamine gives it back; None where staff type or Excel computes.
        # (The plan's rows end at last_row, the blank row after the last element.)
        self.grid = [list(self.blank) for _ in range(plan.last_row + 1)]
        self.open: dict[int, tuple[int, ...]] = {}
        self.inputs: list[PlannedCell] = []
        self.formulas: list[tuple[PlannedCell, str]] = []  # (cell, its reference) of the template's formulas
        fixed = Role.FIXED
        for c in cells:
            if c.role is fixed:
                self.grid[c.row][c.col] = c.value
                continue
            self.grid[c.row][c.col] = None
            self.open[c.row] = (*self.open.get(c.row, ()), c.col)
            if c.role is Role.INPUT:
                self.inputs.append(c)
            elif c.formula:
                self.formulas.append((c, c.ref))
        # Where a formula belongs: the template's own, and the input cells (reported as such by read_answers).
        self.own = {c.ref for c in self.inputs} | {ref for _c, ref in self.formulas}

    def matches(self, values: list[list]) -> bool:
        """True when every locked cell holds exactly what was written and nothing stands outside the plan."""
        if not values or len(values[0]) != self.width:
            return False
        grid, open_, blank, n = self.grid, self.open, self.blank, len(values)
        for r, want in enumerate(grid):
            got = values[r] if r < n else blank
            if got == want:
                continue
            cols = open_.get(r)
            if cols is None:
                return False
            got = list(got)
            for c in cols:
                got[c] = None
            if got != want:
                return False
        return all(row == blank for row in values[len(grid) :])

    @cached_property
    def norms(self) -> dict[tuple[int, int], str]:
        """(row, column) -> normalised value of each locked cell."""
        return {(c.row, c.col): normalise_value(c.value) for c in self.plan.cells if c.role is Role.FIXED}

    @cached_property
    def rows(self) -> dict[int, tuple[tuple[int, str], ...]]:
        """row -> (column, normalised value) of its locked texts: a row's signature when rows moved."""
        rows: dict[int, list[tuple[int, str]]] = {}
        for (r, c), norm in self.norms.items():
            if norm:
                rows.setdefault(r, []).append((c, norm))
        return {r: tuple(sorted(v)) for r, v in rows.items()}

    @cached_property
    def planned(self) -> frozenset[tuple[int, int]]:
        """Every cell the template wrote."""
        return frozenset((c.row, c.col) for c in self.plan.cells)

    @cached_property
    def digest(self) -> str:
        """The plan's locked-content digest, as a template made today carries it."""
        return self.plan.locked_digest()
