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
from functools import lru_cache

from xlsxwriter.utility import xl_rowcol_to_cell

from .danish import long_date
from .model import (
    ECONOMY,
    ECONOMY_STATES,
    ECONOMY_STATUS,
    PROGRESS,
    PROGRESS_STATES,
    ROUNDS,
    SMILEY_LOOKS,
    STATUS,
    Agreement,
    Committee,
    Result,
    Smiley,
    unit_name,
)
from .textmetrics import wrapped_lines
from .texts import Texts, guide_key, round_phrase

# Columns of the follow-up sheet, as the seed's "Drift | Tid | Smiley" table.
COL_LABEL, COL_TEXT, COL_KIND, COL_TIME, COL_SMILEY, COL_GLYPH, COL_MARK = range(7)
LAST_COL = COL_GLYPH


# Hidden markers in column G beside this round's smiley cells; a very large committee's
# self-check counts by them.
MARK_PROGRESS = "P"
MARK_ECONOMY = "Ø"
MAX_FORMULA_CHARS = 7_500  # Excel allows 8,192 characters in a formula; leave room for the text

# Print setup, shared by the page-break estimate here and the writer in template.py.
# The committee report prints on the same page, so committee_report reads these too.
PAPER_A4 = (595.28, 841.89)  # points
PRINT_MARGINS = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.7}  # inches
PRINTABLE_WIDTH_PT = PAPER_A4[0] - 72 * (PRINT_MARGINS["left"] + PRINT_MARGINS["right"])
PRINTABLE_HEIGHT_PT = PAPER_A4[1] - 72 * (PRINT_MARGINS["top"] + PRINT_MARGINS["bottom"])
PAGE_SAFETY = 0.95  # Excel and LibreOffice round the fit-to-width scale differently
# Excel clamps a row at 409 points; a taller text is cut in both Excel and the PDF.
MAX_ROW_PT = 409.0
# Excel's height of one line of 11 pt Calibri. LibreOffice sets lines closer, so a
# height in these units shows all of the text in both programs.
LINE_POINTS = 15.0
CELL_PADDING_PX = 6  # the cell's inner margins
WRAP_SAFETY = 1.05  # screen hinting and other renderers may set text a little wider


class Role(Enum):
    FIXED = "fixed"  # locked content; a return must hold it unchanged
    INPUT = "input"  # unlocked; staff fill it
    FORMULA = "formula"  # computed by Excel; not compared


class Mode(Enum):
    TEMPLATE = "template"
    REPORT = "report"


@dataclass(slots=True)
class PlannedCell:
    """One cell of the plan. Not frozen: a committee's plan has ~2,000 of them and a frozen
    dataclass takes four times as long to make; nothing changes a cell after planning."""

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
        return xl_rowcol_to_cell(self.row, self.col)


@dataclass
class SheetPlan:
    """The follow-up sheet for one committee (or department) and round."""

    sheet_name: str
    committee: str
    department: str
    round: int
    mode: Mode
    cells: list[PlannedCell] = field(default_factory=list)
    row_heights: dict[int, float] = field(default_factory=dict)  # rows not listed are LINE_POINTS high
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
    text = "".join(f"{ref}\t{normalise_value(value)}\n" for ref, value in sorted(pairs, key=lambda p: p[0]))
    return hashlib.sha256(text.encode()).hexdigest()


def normalise_value(value) -> str:
    """Cell values compared tolerantly: line endings, trailing spaces and 3 vs 3.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if "\r" not in text and text == text.strip() and (" \n" not in text and "\t\n" not in text):
        return text  # the common case: nothing to tolerate
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def title_text(agreement: Agreement, committee: str, round_number: int, texts: Texts, department: str = "") -> str:
    name = unit_name(committee, department)
    return texts("title", ordinal=texts(f"ordinal_{round_number}"), agreement=agreement.title, committee=name)


@lru_cache(maxsize=1 << 12)
def glyph_formula(ref: str) -> str:
    """An IF chain showing the smiley glyph for the word in `ref`; words from the one smiley table."""
    formula = '""'
    for s in reversed(PROGRESS_STATES):
        look = SMILEY_LOOKS[s]
        formula = f'IF({ref}="{look.label_da}","{look.glyph}",{formula})'
    return "=" + formula


@lru_cache(maxsize=1 << 16)
def estimate_lines(text: str, width_chars: float, font_size: float = 11.0, bold: bool = False) -> int:
    """Lines `text` wraps to in a cell `width_chars` wide (Excel's character units); errs towards one line too many.

    The cell's width in pixels as Excel draws it, less its margins and a little
    safety for renderers that set text wider, measured with the one width table.
    """
    if not text:
        return 1
    pixels = int(width_chars * 7 + 0.5) + 5 - CELL_PADDING_PX
    return wrapped_lines(str(text), pixels * 72 / 96 / WRAP_SAFETY, font_size, bold)


def line_points(font_size: float) -> float:
    """Height of one line of text in `font_size` points, as Excel fits it."""
    return LINE_POINTS * font_size / 11.0


def column_points(width_chars: float) -> float:
    """Printed width of a column `width_chars` wide (Excel: 7 px per unit plus 5 px padding)."""
    return (int(width_chars * 7 + 0.5) + 5) * 0.75


def page_points(texts: Texts) -> float:
    """Height in row points that one A4 page holds when columns A–F are fitted to its width."""
    sheet_w = sum(column_points(texts.number(f"width_{c}")) for c in "ABCDEF")
    scale = min(1.0, math.floor(100 * PRINTABLE_WIDTH_PT / sheet_w) / 100)
    return PRINTABLE_HEIGHT_PT / scale * PAGE_SAFETY


def plan_sheet(
    agreement: Agreement,
    committee: Committee,
    round_number: int,
    texts: Texts,
    mode: Mode = Mode.TEMPLATE,
    department: str = "",
    measure: bool = True,
) -> SheetPlan:
    """Plan the follow-up sheet as the seed lays it out.

    TEMPLATE: earlier rounds read-only from the master, round `round_number`
    editable, later rounds' milestones greyed. REPORT: no inputs; every round up to
    `round_number` filled from the master's results. Without `measure` no row heights
    are estimated: cells stand where they would, which is all a check of a return needs.
    """
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

    # Every row's height is written into the file: LibreOffice does not fit rows to
    # wrapped text when it opens an .xlsx, and the page breaks are planned from them.
    def fixed_height(r, points):
        if points > LINE_POINTS or r in plan.row_heights:
            plan.row_heights[r] = max(plan.row_heights.get(r, LINE_POINTS), points)

    size = texts.number("font_size")
    line = line_points(size)

    def height(r, text, width, bold=False):
        if measure:
            fixed_height(r, estimate_lines(text, width, size, bold) * line)

    # Header: title, (instructions and self-check in a template), reading guide, contact block.
    put(row, 0, title_text(agreement, committee.name, round_number, texts, department), "title", merge_to=LAST_COL)
    title_size = texts.number("title_size")
    fixed_height(row, estimate_lines(plan.cells[-1].value, width_full, title_size, bold=True) * line_points(title_size) + 4)
    row += 1
    current = agreement.round(round_number)
    if mode is Mode.TEMPLATE:
        label = round_phrase(current.label, current.number, texts)
        if current.deadline:
            text = texts("instructions", round=label, deadline=long_date(current.deadline, texts.lang))
        else:
            text = texts("instructions_no_deadline", round=label)
        put(row, 0, text, "instructions", merge_to=LAST_COL)
        height(row, text, width_full)
        row += 1
        plan_self_check_row = row
        row += 1
    else:
        plan_self_check_row = -1
    row += 1
    put(row, 0, texts("guide_heading"), "heading2", merge_to=LAST_COL)
    fixed_height(row, line_points(size + 1) + 3)
    row += 1
    legend_height = (texts.number("font_size") + 5) * 1.35
    for part in reading_guide(agreement, texts):
        for para in part.paragraphs:
            put(row, 0, para, "paragraph", merge_to=LAST_COL)
            height(row, para, width_full)
            row += 1
        put(row, 0, part.heading, "bold", merge_to=LAST_COL)
        row += 1
        for s, definition in part.states:
            put(row, 0, SMILEY_LOOKS[s].glyph, f"legend_{s.value}")
            put(row, 1, definition, "legend_text", merge_to=LAST_COL)
            fixed_height(row, max(legend_height, estimate_lines(definition, width_full - texts.number("width_A"), size) * line))
            row += 1
    row += 1
    if agreement.office:
        put(row, 0, agreement.office.upper(), "bold")
        row += 1
    for label, value in contact_lines(agreement, texts):
        put(row, 0, label, "label")
        put(row, 1, value, "text")
        height(row, value, width_text)
        row += 1
    row += 1
    section_row = row
    put(row, 0, section_heading(committee), "heading2", merge_to=LAST_COL)
    fixed_height(row, line_points(size + 1) + 3)
    row += 2

    plan.first_element_row = row
    _plan_elements(plan, height, fixed_height, agreement, elements, round_number, mode, results, texts, width_text, section_row, measure)

    if plan_self_check_row >= 0:
        total = len(elements)
        text_formula = _self_check_formula(texts, _missing_count_expr(plan), total)
        # Every input is empty in a fresh template, so every element still lacks its smileys.
        cached = texts("self_check", missing=total, total=total)
        put(plan_self_check_row, 0, cached, "selfcheck", role=Role.FORMULA, formula=text_formula, merge_to=LAST_COL)
    return plan


def _plan_elements(
    plan, height, fixed_height, agreement, elements, round_number, mode, results, texts, width_text, section_row, measure=True
) -> None:
    """Lay out the elements and break pages so that no element that fits on a page is split.

    Row 1 (the title) repeats on every page. The section heading keeps with the first element.
    """
    capacity = page_points(texts)
    title = plan.row_heights.get(0, LINE_POINTS)

    def rows_height(first, last):
        return sum(plan.row_heights.get(r, LINE_POINTS) for r in range(first, last))

    row = plan.first_element_row
    page_used = rows_height(0, row)
    for i, element in enumerate(elements):
        start = row
        row = _plan_element(plan, height, fixed_height, agreement, element, round_number, mode, results, texts, row, width_text)
        block = rows_height(start, row) if measure else 0.0
        if measure and page_used + block > capacity and title + block <= capacity:
            brk = section_row if i == 0 else start
            if brk > 1:  # never break before the title itself
                plan.page_breaks.append(brk)
                page_used = title + rows_height(brk, start)
        page_used += block + LINE_POINTS
        row += 1  # blank row between elements
    plan.last_row = row


def _missing_count_expr(plan: SheetPlan) -> str:
    """Excel expression counting elements whose progress or economy smiley is still empty."""
    by_element: dict[str, list[str]] = {}
    for c in plan.inputs():
        if c.states:
            by_element.setdefault(c.element, []).append(c.ref)
    terms = ["OR(" + ",".join(f'{ref}=""' for ref in refs) + ")" for refs in by_element.values()]
    expr = "(" + "+".join(terms) + ")" if terms else "0"
    if len(expr) <= MAX_FORMULA_CHARS:
        return expr
    # A committee too large for one formula: count the elements without a progress smiley.
    first, last = plan.first_element_row + 1, plan.last_row + 1
    return f'SUMPRODUCT(--($G${first}:$G${last}="{MARK_PROGRESS}"),--($E${first}:$E${last}=""))'


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


def contact_lines(agreement: Agreement, texts: Texts) -> list[tuple[str, str]]:
    """The contact block under the office's name, as (label, value): Dato, Tlf. dir., E-mail, Kontakt, Sagsid, those the master fills."""
    values = (
        ("date_label", long_date(agreement.date, texts.lang)),
        ("phone_label", agreement.phone),
        ("email_label", agreement.email),
        ("contact_label", agreement.contact),
        ("case_label", agreement.case_number),
    )
    return [(texts(key), value) for key, value in values if value]


def section_heading(committee: Committee) -> str:
    """The committee's section above its elements, as the seed has it: "5. Erhverv og beskæftigelse"."""
    area = committee.area or committee.name
    return f"{committee.section}. {area}" if committee.section else area


@dataclass(frozen=True)
class GuidePart:
    """One half of the reading guide: the agreement's own words, then what each smiley means."""

    paragraphs: list[str]
    heading: str
    states: list[tuple[Smiley, str]]  # (smiley, its definition)


def reading_guide(agreement: Agreement, texts: Texts) -> list[GuidePart]:
    """The reading guide on progress, then on economy: templates, reports and the overview all show it."""
    return [
        GuidePart(
            [p.strip() for p in (guide or "").split("\n\n") if p.strip()], texts(heading), [(s, texts(guide_key(kind, s))) for s in states]
        )
        for guide, heading, kind, states in (
            (agreement.guide_progress, "guide_progress_heading", "progress", PROGRESS_STATES),
            (agreement.guide_economy, "guide_economy_heading", "economy", ECONOMY_STATES),
        )
    ]


def _plan_element(plan, height, fixed_height, agreement, element, round_number, mode, results, texts, row, width_text):
    # The hot path of planning (a check plans a committee's ~2,000 cells per return):
    # cells are made positionally, PlannedCell(row, col, value, style, role, element,
    # field, round, formula, merge_to, states), and the layout's words looked up once.
    cell, add, FIXED, INPUT, FORMULA = PlannedCell, plan.cells.append, Role.FIXED, Role.INPUT, Role.FORMULA
    words = _layout_words(texts)
    e = element.number
    glyph_points = words["glyph_points"]
    plan.element_rows[e] = row
    add(cell(row, COL_LABEL, f"{e}.", "heading", FIXED, e, "number"))
    add(cell(row, COL_TEXT, element.title or "", "heading", FIXED, e, "title"))
    add(cell(row, COL_KIND, texts("budget_" + element.budget_kind.value), "heading", FIXED, e, "kind"))
    add(cell(row, COL_TIME, words["col_time"], "heading", FIXED, e))
    add(cell(row, COL_SMILEY, words["col_smiley"], "heading", FIXED, e, "", 0, "", COL_GLYPH))
    height(row, element.title, width_text, bold=True)
    row += 1
    if element.agreement_text:
        add(cell(row, COL_TEXT, element.agreement_text, "text", FIXED, e, "agreement_text"))
        height(row, element.agreement_text, width_text)
        row += 1
    for key, value, fld in (
        ("department_label", element.department, "department"),
        ("committee_label", element.committee, "committee"),
        ("contributors_label", element.contributors, "contributors"),
    ):
        add(cell(row, COL_LABEL, words[key], "label", FIXED, e))
        add(cell(row, COL_TEXT, value or "", "text", FIXED, e, fld))
        height(row, value, width_text)
        row += 1
    if element.supplementary_text:
        add(cell(row, COL_TEXT, element.supplementary_text, "text", FIXED, e, "supplementary_text"))
        height(row, element.supplementary_text, width_text)
        row += 1
    template = mode is Mode.TEMPLATE
    for r in ROUNDS:
        label = agreement.round(r).label
        future = r > round_number
        current = r == round_number and template
        res: Result | None = results.get((e, r))
        style = "future" if future else "text"
        milestone = element.milestone(r) or ""
        add(cell(row, COL_LABEL, words["milestone_label"], "future_label" if future else "label", FIXED, e, "", r))
        add(cell(row, COL_TEXT, milestone, style, FIXED, e, "milestone", r))
        add(cell(row, COL_TIME, label, style, FIXED, e, "", r))
        height(row, milestone, width_text)
        if not future:
            fixed_height(row, glyph_points)
        if current:
            add(cell(row, COL_SMILEY, "", "input_smiley", INPUT, e, PROGRESS, r, "", -1, PROGRESS_STATES))
            add(cell(row, COL_MARK, MARK_PROGRESS, "mark", FIXED, e, "", r))
            add(cell(row, COL_GLYPH, "", "glyph", FORMULA, e, "", r, glyph_formula(xl_rowcol_to_cell(row, COL_SMILEY))))
        elif r == round_number and unanswered(res):
            _put_not_answered(add, row, texts, e, PROGRESS, r)
        elif not future:
            _put_smiley(add, row, res.progress if res else None, texts, e, PROGRESS, r)
        row += 1
        if future:
            continue
        status = res.status if res else ""
        if current or status or template:
            add(cell(row, COL_LABEL, words["status_label"], "label", FIXED, e, "", r))
            if current:
                add(cell(row, COL_TEXT, "", "input_text", INPUT, e, STATUS, r))
                fixed_height(row, 3 * words["line"])
            else:
                add(cell(row, COL_TEXT, status or "", "text", FIXED, e, STATUS, r))
                height(row, status, width_text)
            row += 1
    add(cell(row, COL_LABEL, words["economy_label"], "label", FIXED, e))
    add(cell(row, COL_TEXT, element.economy_text or "", "text", FIXED, e, "economy_text"))
    height(row, element.economy_text, width_text)
    row += 1
    economy_rounds = range(1, round_number + 1) if template else (round_number,)
    for r in economy_rounds:
        current = r == round_number and template
        res = results.get((e, r)) if template else latest_economy(results, e, round_number)
        add(cell(row, COL_LABEL, words["economy_status_label"], "label", FIXED, e, "", r))
        add(cell(row, COL_TIME, agreement.round(r).label, "text", FIXED, e, "", r))
        if current:
            add(cell(row, COL_TEXT, "", "input_text", INPUT, e, ECONOMY_STATUS, r))
            add(cell(row, COL_SMILEY, "", "input_smiley", INPUT, e, ECONOMY, r, "", -1, ECONOMY_STATES))
            add(cell(row, COL_MARK, MARK_ECONOMY, "mark", FIXED, e, "", r))
            fixed_height(row, 2 * words["line"])
            add(cell(row, COL_GLYPH, "", "glyph", FORMULA, e, "", r, glyph_formula(xl_rowcol_to_cell(row, COL_SMILEY))))
        else:
            status = res.economy_status if res else ""
            add(cell(row, COL_TEXT, status or "", "text", FIXED, e, ECONOMY_STATUS, r))
            if not template and unanswered(results.get((e, r)), ECONOMY):
                _put_not_answered(add, row, texts, e, ECONOMY, r)
            else:
                _put_smiley(add, row, res.economy if res else None, texts, e, ECONOMY, r)
            height(row, status, width_text)
            fixed_height(row, glyph_points)
        row += 1
    return row


_WORDS: dict[int, tuple[Texts, dict]] = {}


def _layout_words(texts: Texts) -> dict:
    """The layout's words and sizes every element repeats, looked up once per Texts rather than per cell."""
    known = _WORDS.get(id(texts))
    if known is not None and known[0] is texts:
        return known[1]
    words = {
        key: texts(key)
        for key in (
            "col_time",
            "col_smiley",
            "department_label",
            "committee_label",
            "contributors_label",
            "milestone_label",
            "status_label",
            "economy_label",
            "economy_status_label",
        )
    }
    size = texts.number("font_size")
    words["glyph_points"] = (size + 3) * 1.35
    words["line"] = line_points(size)
    _WORDS.clear()  # one run uses one or two Texts; keep the last
    _WORDS[id(texts)] = (texts, words)
    return words


def _put_smiley(add, row, state: Smiley | None, texts: Texts, element: str, field: str, round_number: int) -> None:
    """A decided smiley: its word coloured by state, and its glyph beside it."""
    if state is None:
        add(PlannedCell(row, COL_SMILEY, "", "smiley", Role.FIXED, element, field, round_number))
        add(PlannedCell(row, COL_GLYPH, "", "glyph", Role.FIXED, element, "", round_number))
        return
    add(PlannedCell(row, COL_SMILEY, state.label_in(texts.lang), f"smiley_{state.value}", Role.FIXED, element, field, round_number))
    add(PlannedCell(row, COL_GLYPH, SMILEY_LOOKS[state].glyph, f"glyph_{state.value}", Role.FIXED, element, "", round_number))


# How "Ikke besvaret" looks wherever a report shows it (workbook, Word, overview): dark red on pale red.
NOT_ANSWERED_FONT, NOT_ANSWERED_FILL = "#C00000", "#FDE9E7"


def unanswered(res: Result | None, answer: str = PROGRESS) -> bool:
    """No accepted answer this round for this smiley (progress or economy): each cell tells its own truth."""
    return res is None or getattr(res, answer) is None


def _put_not_answered(add, row, texts: Texts, element: str, field: str, round_number: int) -> None:
    """A report's cell where the round's smiley would stand but no answer came: says so, across smiley and glyph."""
    add(PlannedCell(row, COL_SMILEY, texts("not_answered"), "not_answered", Role.FIXED, element, field, round_number, "", COL_GLYPH))


def latest_economy(results: dict[tuple[str, int], Result], element: str, round_number: int) -> Result | None:
    """The latest answer on the economy up to `round_number`: a report shows one, in the workbook and the Word document alike."""
    for r in range(round_number, 0, -1):
        res = results.get((element, r))
        if res and (res.economy or res.economy_status):
            return res
    return None
