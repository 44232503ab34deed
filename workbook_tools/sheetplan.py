"""Where every text and smiley of a follow-up sheet stands: a pure plan, no file.

The template writer draws the plan, the collector re-derives it from the master
to check a return cell by cell, and the committee report draws it again with the
results filled in. One plan for all three is what lets `collect` work from the
master alone: the same master, round and layout always give the same cells.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from enum import Enum

from .model import (
    ECONOMY_STATES,
    PROGRESS_STATES,
    ROUNDS,
    SMILEY_LOOKS,
    Agreement,
    Committee,
    Element,
    Result,
    Smiley,
)
from .texts import Texts, long_date
from .xlsxio import cell_name

# Columns of the follow-up sheet, as the seed's "Drift | Tid | Smiley" table.
COL_LABEL, COL_TEXT, COL_KIND, COL_TIME, COL_SMILEY, COL_GLYPH, COL_MARK = range(7)
LAST_COL = COL_GLYPH

# Field names of input cells: the four things staff fill per element.
PROGRESS = "progress"
STATUS = "status"
ECONOMY = "economy"
ECONOMY_STATUS = "economy_status"
INPUT_FIELDS = (PROGRESS, STATUS, ECONOMY, ECONOMY_STATUS)

# Hidden marker values in column G; the self-check formula counts by them.
MARK_PROGRESS = "P"
MARK_ECONOMY = "Ø"

# Approximate printable height of an A4 page in points at fit-to-width scale.
PAGE_POINTS = 900.0
LINE_POINTS = 15.0


class Role(Enum):
    FIXED = "fixed"  # locked content; a return must hold it unchanged
    INPUT = "input"  # unlocked; staff fill it
    FORMULA = "formula"  # computed by Excel; not compared


class Mode(Enum):
    TEMPLATE = "template"
    REPORT = "report"


@dataclass(frozen=True)
class PlannedCell:
    row: int
    col: int
    value: str
    style: str
    role: Role = Role.FIXED
    element: str = ""
    field: str = ""
    round: int = 0
    formula: str = ""
    merge_to: int = -1  # last column of a merged range, or -1
    states: tuple[Smiley, ...] = ()  # dropdown states of a smiley input cell

    @property
    def ref(self) -> str:
        return cell_name(self.row, self.col)


@dataclass
class SheetPlan:
    """The follow-up sheet for one committee (or department) and round."""

    sheet_name: str
    committee: str
    department: str
    round: int
    mode: Mode
    cells: list[PlannedCell] = field(default_factory=list)
    row_heights: dict[int, float] = field(default_factory=dict)
    page_breaks: list[int] = field(default_factory=list)
    element_rows: dict[str, int] = field(default_factory=dict)  # element -> heading row
    first_element_row: int = 0
    last_row: int = 0

    def inputs(self) -> list[PlannedCell]:
        return [c for c in self.cells if c.role is Role.INPUT]

    def fixed(self) -> list[PlannedCell]:
        return [c for c in self.cells if c.role is Role.FIXED]

    def locked_digest(self) -> str:
        """A digest of the locked content (values, not XML), so any edit to it is found."""
        return content_digest((c.ref, c.value) for c in self.fixed())


def content_digest(pairs) -> str:
    h = hashlib.sha256()
    for ref, value in sorted(pairs, key=lambda p: p[0]):
        h.update(f"{ref}\t{normalise_value(value)}\n".encode())
    return h.hexdigest()


def normalise_value(value) -> str:
    """Cell values compared tolerantly: line endings, trailing spaces and 3 vs 3.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def title_text(agreement: Agreement, committee: str, round_number: int, texts: Texts, department: str = "") -> str:
    name = committee + (f" – {department}" if department else "")
    return texts("title", ordinal=texts(f"ordinal_{round_number}"), agreement=agreement.title, committee=name)


def glyph_formula(ref: str) -> str:
    """An IF chain showing the smiley glyph for the word in `ref`; words from the one smiley table."""
    formula = '""'
    for s in reversed(PROGRESS_STATES):
        look = SMILEY_LOOKS[s]
        formula = f'IF({ref}="{look.label_da}","{look.glyph}",{formula})'
    return "=" + formula


def estimate_lines(text: str, width_chars: float) -> int:
    if not text:
        return 1
    lines = 0
    for para in str(text).split("\n"):
        lines += max(1, math.ceil(len(para) * 1.08 / max(width_chars, 1)))
    return lines


def plan_sheet(
    agreement: Agreement,
    committee: Committee,
    round_number: int,
    texts: Texts,
    mode: Mode = Mode.TEMPLATE,
    department: str = "",
    elements: tuple[Element, ...] | None = None,
) -> SheetPlan:
    """Plan the follow-up sheet as the seed lays it out.

    TEMPLATE: earlier rounds read-only from the master, round `round_number`
    editable, later rounds' milestones greyed. REPORT: no inputs; every round up to
    `round_number` filled from the master's results.
    """
    if elements is None:
        elements = agreement.elements_of(committee.name)
        if department:
            elements = tuple(e for e in elements if e.department == department)
    plan = SheetPlan(
        sheet_name=texts("sheet_name")[:31],
        committee=committee.name,
        department=department,
        round=round_number,
        mode=mode,
    )
    results = agreement.results_index()
    width_text = texts.number("width_B")
    width_full = sum(texts.number(f"width_{c}") for c in "ABCDEF")
    row = 0

    def put(r, c, value, style, **kw):
        plan.cells.append(PlannedCell(r, c, "" if value is None else str(value), style, **kw))

    def height(r, text, width):
        lines = estimate_lines(text, width)
        if lines > 1:
            plan.row_heights[r] = max(plan.row_heights.get(r, LINE_POINTS), lines * LINE_POINTS)

    # Header: title, (instructions and self-check in a template), reading guide, contact block.
    put(row, 0, title_text(agreement, committee.name, round_number, texts, department), "title", merge_to=LAST_COL)
    plan.row_heights[row] = max(24.0, estimate_lines(plan.cells[-1].value, width_full * 0.75) * 20.0)
    row += 1
    current = agreement.round(round_number)
    if mode is Mode.TEMPLATE:
        deadline = long_date(current.deadline, texts.lang) or texts("no_deadline")
        text = texts("instructions", round=current.label, deadline=deadline)
        put(row, 0, text, "instructions", merge_to=LAST_COL)
        height(row, text, width_full)
        row += 1
        plan_self_check_row = row
        row += 1
    else:
        plan_self_check_row = -1
    row += 1
    put(row, 0, texts("guide_heading"), "heading2", merge_to=LAST_COL)
    row += 1
    for para in _paragraphs(agreement.guide_progress):
        put(row, 0, para, "paragraph", merge_to=LAST_COL)
        height(row, para, width_full)
        row += 1
    put(row, 0, texts("guide_progress_heading"), "bold", merge_to=LAST_COL)
    row += 1
    for s in PROGRESS_STATES:
        put(row, 0, SMILEY_LOOKS[s].glyph, f"legend_{s.value}")
        put(row, 1, SMILEY_LOOKS[s].progress_guide, "paragraph", merge_to=LAST_COL)
        height(row, SMILEY_LOOKS[s].progress_guide, width_full - texts.number("width_A"))
        row += 1
    for para in _paragraphs(agreement.guide_economy):
        put(row, 0, para, "paragraph", merge_to=LAST_COL)
        height(row, para, width_full)
        row += 1
    put(row, 0, texts("guide_economy_heading"), "bold", merge_to=LAST_COL)
    row += 1
    for s in ECONOMY_STATES:
        put(row, 0, SMILEY_LOOKS[s].glyph, f"legend_{s.value}")
        put(row, 1, SMILEY_LOOKS[s].economy_guide, "paragraph", merge_to=LAST_COL)
        height(row, SMILEY_LOOKS[s].economy_guide, width_full - texts.number("width_A"))
        row += 1
    row += 1
    if agreement.office:
        put(row, 0, agreement.office.upper(), "bold")
        row += 1
    for key, value in (
        ("date_label", long_date(agreement.date, texts.lang)),
        ("phone_label", agreement.phone),
        ("email_label", agreement.email),
        ("contact_label", agreement.contact),
        ("case_label", agreement.case_number),
    ):
        if value:
            put(row, 0, texts(key), "label")
            put(row, 1, value, "text")
            row += 1
    row += 1
    section = " ".join(p for p in (f"{committee.section}." if committee.section else "", committee.area or committee.name) if p)
    put(row, 0, section, "heading2", merge_to=LAST_COL)
    row += 2

    header_rows = row
    plan.first_element_row = row
    page_used = sum(plan.row_heights.get(r, LINE_POINTS) for r in range(header_rows))
    progress_missing: list[str] = []
    economy_missing: list[str] = []
    for element in elements:
        start = row
        row = _plan_element(plan, put, height, agreement, element, round_number, mode, results, texts, row, width_text)
        block = sum(plan.row_heights.get(r, LINE_POINTS) for r in range(start, row))
        if page_used + block > PAGE_POINTS and page_used > 0 and block <= PAGE_POINTS:
            plan.page_breaks.append(start)
            page_used = 0.0
        page_used += block + LINE_POINTS
        row += 1  # blank row between elements
        res = results.get((element.number, round_number))
        if not (res and res.progress):
            progress_missing.append(element.number)
        if not (res and res.economy):
            economy_missing.append(element.number)
    plan.last_row = row

    if plan_self_check_row >= 0:
        first, last = plan.first_element_row + 1, max(plan.last_row, plan.first_element_row + 1)
        mark = f"$G${first}:$G${last}"
        smile = f"$E${first}:$E${last}"
        total = len(elements)
        # Count, among this round's progress-smiley cells, those still empty.
        formula = f'=SUMPRODUCT(--({mark}="{MARK_PROGRESS}"),--({smile}=""))'
        text_formula = _self_check_formula(texts, formula[1:], total)
        cached = texts("self_check", missing=len(progress_missing), total=total)
        put(plan_self_check_row, 0, cached, "selfcheck", role=Role.FORMULA, formula=text_formula, merge_to=LAST_COL)
    return plan


def _self_check_formula(texts: Texts, count_expr: str, total: int) -> str:
    pattern = texts("self_check")
    parts = []
    rest = pattern
    # Split the pattern on its two placeholders, quoting the literal pieces for Excel.
    for token, expr in (("{missing}", count_expr), ("{total}", str(total))):
        before, sep, rest = rest.partition(token)
        if before:
            parts.append('"' + before.replace('"', '""') + '"')
        if sep:
            parts.append(expr)
    if rest:
        parts.append('"' + rest.replace('"', '""') + '"')
    return "=" + "&".join(parts)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def _plan_element(plan, put, height, agreement, element, round_number, mode, results, texts, row, width_text):
    e = element.number
    plan.element_rows[e] = row
    put(row, COL_LABEL, f"{e}.", "heading", element=e, field="number")
    put(row, COL_TEXT, element.title, "heading", element=e, field="title")
    put(row, COL_KIND, texts("budget_" + element.budget_kind.value), "heading", element=e, field="kind")
    put(row, COL_TIME, texts("col_time"), "heading", element=e)
    put(row, COL_SMILEY, texts("col_smiley"), "heading", element=e, merge_to=COL_GLYPH)
    height(row, element.title, width_text)
    row += 1
    if element.agreement_text:
        put(row, COL_TEXT, element.agreement_text, "text", element=e, field="agreement_text")
        height(row, element.agreement_text, width_text)
        row += 1
    for key, value, fld in (
        ("department_label", element.department, "department"),
        ("committee_label", element.committee, "committee"),
        ("contributors_label", element.contributors, "contributors"),
    ):
        put(row, COL_LABEL, texts(key), "label", element=e)
        put(row, COL_TEXT, value, "text", element=e, field=fld)
        height(row, value, width_text)
        row += 1
    if element.supplementary_text:
        put(row, COL_TEXT, element.supplementary_text, "text", element=e, field="supplementary_text")
        height(row, element.supplementary_text, width_text)
        row += 1
    for r in ROUNDS:
        label = agreement.round(r).label
        future = r > round_number
        current = r == round_number and mode is Mode.TEMPLATE
        res: Result | None = results.get((e, r))
        style = "future" if future else "text"
        put(row, COL_LABEL, texts("milestone_label"), "future_label" if future else "label", element=e, round=r)
        put(row, COL_TEXT, element.milestone(r), style, element=e, field="milestone", round=r)
        put(row, COL_TIME, label, style, element=e, round=r)
        height(row, element.milestone(r), width_text)
        if current:
            put(row, COL_SMILEY, "", "input_smiley", role=Role.INPUT, element=e, field=PROGRESS, round=r, states=PROGRESS_STATES)
            put(row, COL_MARK, MARK_PROGRESS, "mark", element=e, round=r)
            put(row, COL_GLYPH, "", "glyph", role=Role.FORMULA, formula=glyph_formula(cell_name(row, COL_SMILEY)), element=e, round=r)
        elif not future:
            _put_smiley(put, row, res.progress if res else None, texts, element=e, field=PROGRESS, round=r)
        row += 1
        if future:
            continue
        status = res.status if res else ""
        show_status = current or status or mode is Mode.TEMPLATE
        if show_status:
            put(row, COL_LABEL, texts("status_label"), "label", element=e, round=r)
            if current:
                put(row, COL_TEXT, "", "input_text", role=Role.INPUT, element=e, field=STATUS, round=r)
                plan.row_heights[row] = 3 * LINE_POINTS
            else:
                put(row, COL_TEXT, status, "text", element=e, field=STATUS, round=r)
                height(row, status, width_text)
            row += 1
    put(row, COL_LABEL, texts("economy_label"), "label", element=e)
    put(row, COL_TEXT, element.economy_text, "text", element=e, field="economy_text")
    height(row, element.economy_text, width_text)
    row += 1
    economy_rounds = range(1, round_number + 1) if mode is Mode.TEMPLATE else (round_number,)
    for r in economy_rounds:
        current = r == round_number and mode is Mode.TEMPLATE
        res = results.get((e, r))
        if mode is Mode.REPORT:
            res = _latest_economy(results, e, round_number)
        put(row, COL_LABEL, texts("economy_status_label"), "label", element=e, round=r)
        put(row, COL_TIME, agreement.round(r).label, "text", element=e, round=r)
        if current:
            put(row, COL_TEXT, "", "input_text", role=Role.INPUT, element=e, field=ECONOMY_STATUS, round=r)
            put(row, COL_SMILEY, "", "input_smiley", role=Role.INPUT, element=e, field=ECONOMY, round=r, states=ECONOMY_STATES)
            put(row, COL_MARK, MARK_ECONOMY, "mark", element=e, round=r)
            plan.row_heights[row] = 2 * LINE_POINTS
            put(row, COL_GLYPH, "", "glyph", role=Role.FORMULA, formula=glyph_formula(cell_name(row, COL_SMILEY)), element=e, round=r)
        else:
            status = res.economy_status if res else ""
            put(row, COL_TEXT, status, "text", element=e, field=ECONOMY_STATUS, round=r)
            _put_smiley(put, row, res.economy if res else None, texts, element=e, field=ECONOMY, round=r)
            height(row, status, width_text)
        row += 1
    return row


def _put_smiley(put, row, state: Smiley | None, texts: Texts, **where) -> None:
    """A decided smiley: its word coloured by state, and its glyph beside it."""
    if state is None:
        put(row, COL_SMILEY, "", "smiley", **where)
        put(row, COL_GLYPH, "", "glyph", element=where.get("element", ""), round=where.get("round", 0))
        return
    put(row, COL_SMILEY, state.label_in(texts.lang), f"smiley_{state.value}", **where)
    put(row, COL_GLYPH, SMILEY_LOOKS[state].glyph, f"glyph_{state.value}", element=where.get("element", ""), round=where.get("round", 0))


def _latest_economy(results, element: str, round_number: int) -> Result | None:
    for r in range(round_number, 0, -1):
        res = results.get((element, r))
        if res and (res.economy or res.economy_status):
            return res
    return None
