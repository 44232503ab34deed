"""The committee report: the seed document, made by the tool from the merged master.

One read-only workbook per committee, ``reports/<committee>.xlsx``, laid out like
"Anden opfølgning på Aftale om budget 2018 for Erhvervs- og Beskæftigelsesudvalget":
title, reading guide with the coloured smiley legend, the office's header block,
then every element with all rounds so far. The sheet is the same plan the template
and the collector use (:func:`~workbook_tools.sheetplan.plan_sheet` in REPORT mode),
drawn by :func:`~workbook_tools.template.draw_plan`; this module adds what a
printed document needs and a template does not: row heights that fit the text,
a fixed print scale, and page breaks that keep each element on one page.

Why a fixed print scale: Excel ignores manual page breaks when "fit to page" is
on, so a report that relies on them must print at a set scale instead.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from .fastxlsx import FastWorkbook
from .libreoffice import Conversion, convert_to_pdf
from .model import Agreement, Committee, slug
from .sheetplan import LAST_COL, Mode, PlannedCell, SheetPlan, plan_sheet
from .template import Styles, draw_plan
from .texts import Texts
from .workers import map_in_processes
from .xlsxio import atomic_output

REPORTS_DIR = "reports"

# A4 portrait, in points, and the margins (inches) the report prints with.
PAGE_WIDTH_PT = 595.3
PAGE_HEIGHT_PT = 841.9
MARGINS_IN = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.7}
# Excel clamps a row at 409 points; a taller text is cut in both Excel and the PDF.
MAX_ROW_PT = 409.0
# Leave this share of a page free, for fonts that set a little wider than estimated.
PAGE_SLACK = 0.04
MIN_ROW_PT = 15.0
CELL_PAD_PT = 4.0  # a cell's inner padding, left and right together
# Air below a style's rows, as the seed leaves between its paragraphs.
SPACE_AFTER = {"paragraph": 6.0}

# Advance widths of Calibri (and the metric-compatible Carlito LibreOffice uses),
# in thousandths of the font size. Enough to wrap text the way the programs do.
_CALIBRI_WIDTHS = {
    " ": 226, "a": 479, "b": 525, "c": 423, "d": 525, "e": 498, "f": 305, "g": 471, "h": 525,
    "i": 229, "j": 239, "k": 455, "l": 229, "m": 799, "n": 525, "o": 527, "p": 525, "q": 525,
    "r": 349, "s": 391, "t": 335, "u": 525, "v": 452, "w": 715, "x": 433, "y": 453, "z": 395,
    "æ": 773, "ø": 527, "å": 479, "A": 579, "B": 544, "C": 533, "D": 615, "E": 488, "F": 459,
    "G": 631, "H": 623, "I": 252, "J": 319, "K": 520, "L": 420, "M": 855, "N": 646, "O": 662,
    "P": 517, "Q": 673, "R": 543, "S": 459, "T": 487, "U": 642, "V": 567, "W": 890, "X": 519,
    "Y": 487, "Z": 468, "Æ": 862, "Ø": 662, "Å": 579, ".": 252, ",": 250, ":": 268, ";": 268,
    "-": 306, "–": 498, "(": 303, ")": 303, "/": 386, "%": 715, "*": 498, '"': 401, "'": 221,
    "!": 326, "?": 463, "&": 682, "+": 498, "=": 498, "@": 899,
}
_WIDTHS = {**_CALIBRI_WIDTHS, **dict.fromkeys("0123456789", 507)}
_OTHER_WIDTH = 560  # anything not in the table: a little wider than average, to be safe
_BOLD_FACTOR = 1.04


@dataclass(frozen=True)
class Metrics:
    """How a program lays out a sheet: the size of a column-width unit and of a text line.

    Excel and LibreOffice differ by a good margin (LibreOffice's character unit is
    about 6 % wider and its lines about 25 % tighter), so a report fitted for one
    looks cut or gappy in the other. The workbook is fitted for Excel, the copy that
    LibreOffice turns into the PDF for LibreOffice.
    """

    name: str
    unit_pt: float  # width of one column-width character, in points
    col_pad_pt: float  # extra width per column, in points
    line_per_pt: float  # height of a wrapped text line per point of font size
    text_factor: float  # safety on the estimated text width
    row_pad_pt: float  # room above and below a cell's text

    def column_points(self, width: float) -> float:
        return width * self.unit_pt + self.col_pad_pt


# Excel: 7 px per character + 5 px at 96 dpi; 15 pt lines for an 11 pt font.
EXCEL = Metrics("excel", 5.25, 3.75, 15.0 / 11.0, 1.04, 3.0)
# LibreOffice: the width of "0" in Carlito 11 pt; lines measured in its PDF output.
LIBREOFFICE = Metrics("libreoffice", 5.577, 3.98, 1.015, 1.015, 4.0)


def report_file_name(committee: str) -> str:
    """reports/<committee>.xlsx, the name `followup mail reports` looks for."""
    return f"{slug(committee)}.xlsx"


def write_committee_reports(
    agreement: Agreement,
    round_number: int,
    texts: Texts,
    out_dir: Path | str,
    committees: list[str] | None = None,
    metrics: Metrics = EXCEL,
    jobs: int | None = 1,
) -> list[Path]:
    """Write one report per committee that has elements; returns the paths in committee order."""
    shared = (agreement, round_number, texts, Path(out_dir), metrics)
    return map_in_processes(_write_one, shared, report_committees(agreement, committees), jobs=jobs)


def _write_one(shared, committee: Committee) -> Path:
    agreement, round_number, texts, out_dir, metrics = shared
    return write_committee_report(agreement, committee, round_number, texts, out_dir / report_file_name(committee.name), metrics)


def report_committees(agreement: Agreement, only: list[str] | None = None) -> list[Committee]:
    """Committees that get a report: those with elements (and among `only`, if given)."""
    return [c for c in agreement.committees if (not only or c.name in only) and agreement.elements_of(c.name)]


def write_committee_pdfs(
    agreement: Agreement,
    round_number: int,
    texts: Texts,
    out_dir: Path | str,
    committees: list[str] | None = None,
    timeout: float | None = None,
    jobs: int | None = 1,
) -> Conversion:
    """The reports as PDF beside the workbooks, in one LibreOffice run.

    LibreOffice converts a copy fitted to its own metrics (see :class:`Metrics`),
    written to a scratch folder, so the PDF has neither cut text nor gaps.
    """
    with tempfile.TemporaryDirectory(prefix="followup-pdf-") as scratch:
        copies = write_committee_reports(agreement, round_number, texts, scratch, committees, LIBREOFFICE, jobs=jobs)
        return convert_to_pdf(copies, out_dir, timeout=timeout)


def write_committee_report(
    agreement: Agreement,
    committee: Committee,
    round_number: int,
    texts: Texts,
    path: Path | str,
    metrics: Metrics = EXCEL,
) -> Path:
    """The seed document for one committee after `round_number`, read-only, ready to print."""
    # The report fits its own row heights and page breaks (draw_report), so none are planned here.
    plan = plan_sheet(agreement, committee, round_number, texts, Mode.REPORT, measure=False)
    path = Path(path)
    with atomic_output(path) as tmp:
        wb = FastWorkbook(tmp)
        draw_report(wb, plan, texts, metrics)
        wb.close()
    return path


def draw_report(wb, plan: SheetPlan, texts: Texts, metrics: Metrics = EXCEL):
    """Draw a REPORT plan with heights, scale and page breaks fitted for print."""
    specs = Styles(wb, texts).specs  # style specs only; reading them adds no format
    widths = column_widths(texts)
    plan = split_tall_rows(plan, specs, widths, metrics)
    heights = report_row_heights(plan, specs, widths, metrics)
    scale = print_scale(widths, metrics)
    capacity = page_capacity(scale) - heights.get(0, MIN_ROW_PT)  # the title repeats on every page
    ws = draw_plan(wb, replace(plan, row_heights=heights, page_breaks=[]), texts, protect=True)
    ws.set_margins(**MARGINS_IN)
    ws.set_print_scale(scale)
    breaks = report_page_breaks(plan, heights, capacity)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    ws.print_area(0, 0, max(plan.last_row - 1, 0), LAST_COL)
    return ws


def column_widths(texts: Texts) -> list[float]:
    """Widths of columns A–F from the layout, the one place finance sets them."""
    return [texts.number(f"width_{c}") for c in "ABCDEF"]


def print_scale(widths: list[float], metrics: Metrics = EXCEL) -> int:
    """The largest whole-percent scale at which columns A–F fit the page width."""
    table_pt = sum(metrics.column_points(w) for w in widths)
    printable = PAGE_WIDTH_PT - 72.0 * (MARGINS_IN["left"] + MARGINS_IN["right"])
    return max(10, min(100, int(printable / table_pt * 100)))


def page_capacity(scale: int) -> float:
    """Row points that fit on one printed page at `scale` percent."""
    printable = PAGE_HEIGHT_PT - 72.0 * (MARGINS_IN["top"] + MARGINS_IN["bottom"])
    return printable * (1 - PAGE_SLACK) * 100.0 / scale


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Printed width of `text` in points, from Calibri's advance widths."""
    return _units(text) / 1000.0 * size * (_BOLD_FACTOR if bold else 1.0)


@lru_cache(maxsize=1 << 16)
def _units(word: str) -> int:
    # Cached per word: the same words come back in every report of a run.
    return sum(_WIDTHS.get(ch, _OTHER_WIDTH) for ch in word)


@lru_cache(maxsize=1 << 16)
def wrapped_lines(text: str, width_pt: float, size: float, bold: bool = False) -> int:
    """How many lines `text` takes when wrapped at word boundaries in a cell `width_pt` wide."""
    if not text:
        return 1
    space = text_width(" ", size, bold)
    lines = 0
    for para in text.split("\n"):
        lines += 1
        used = 0.0
        for word in para.split():
            w = text_width(word, size, bold)
            if used and used + space + w > width_pt:
                lines += 1
                used = 0.0
            while w > width_pt:  # a word longer than the cell breaks anywhere
                lines += 1
                w -= width_pt
            used = used + space + w if used else w
    return lines


def _line_room(cell: PlannedCell, specs: dict[str, dict], widths: list[float], metrics: Metrics) -> tuple[float, float, bool, float]:
    # (text width in points, font size, bold, height of one line) for a cell
    spec = specs.get(cell.style, specs["text"])
    size = float(spec.get("font_size", 11))
    last = cell.merge_to if cell.merge_to > cell.col else cell.col
    span = sum(metrics.column_points(widths[i]) for i in range(cell.col, min(last, len(widths) - 1) + 1)) - CELL_PAD_PT
    return span / metrics.text_factor, size, bool(spec.get("bold")), size * metrics.line_per_pt


def report_row_heights(plan: SheetPlan, specs: dict[str, dict], widths: list[float], metrics: Metrics = EXCEL) -> dict[int, float]:
    """A height for every row with text, so that wrapped text shows whole and rows stay tight."""
    heights: dict[int, float] = {}
    rooms: dict[tuple, tuple] = {}
    for c in plan.cells:
        key = (c.style, c.col, c.merge_to)
        if key not in rooms:
            rooms[key] = _line_room(c, specs, widths, metrics)
        width, size, bold, line = rooms[key]
        lines = wrapped_lines(c.value, width, size, bold) if c.value else 1
        h = lines * line + metrics.row_pad_pt + SPACE_AFTER.get(c.style, 0.0)
        h = min(MAX_ROW_PT, max(MIN_ROW_PT, h))
        if h > heights.get(c.row, 0.0):
            heights[c.row] = h
    return heights


def split_tall_rows(plan: SheetPlan, specs: dict[str, dict], widths: list[float], metrics: Metrics = EXCEL) -> SheetPlan:
    """The plan with every text too tall for one row (409 points) spread over rows of its own.

    A long agreement text would otherwise be cut off at the bottom of its cell, in
    Excel and in the PDF alike. The text is split between paragraphs where it can be,
    else between words; the rows below move down.
    """
    spill: dict[int, int] = {}  # row -> extra rows it needs
    pieces: dict[int, list[str]] = {}  # id(cell) -> its texts, one per row
    rooms: dict[tuple, tuple] = {}
    for c in plan.cells:
        if not c.value:
            continue
        key = (c.style, c.col, c.merge_to)
        if key not in rooms:
            rooms[key] = _line_room(c, specs, widths, metrics)
        width, size, bold, line = rooms[key]
        room = int((MAX_ROW_PT - metrics.row_pad_pt - SPACE_AFTER.get(c.style, 0.0)) // line)
        if wrapped_lines(c.value, width, size, bold) <= room:
            continue
        parts = _split_text(c.value, room, width, size, bold)
        pieces[id(c)] = parts
        spill[c.row] = max(spill.get(c.row, 0), len(parts) - 1)
    if not spill:
        return plan
    moved: dict[int, int] = {}
    extra = 0
    for r in range(plan.last_row + 1):
        moved[r] = r + extra
        extra += spill.get(r, 0)
    cells = []
    for c in plan.cells:
        for i, text in enumerate(pieces.get(id(c), [c.value])):
            cells.append(replace(c, row=moved[c.row] + i, value=text))
    return replace(
        plan,
        cells=cells,
        row_heights={},
        page_breaks=[],
        element_rows={e: moved[r] for e, r in plan.element_rows.items()},
        first_element_row=moved[plan.first_element_row],
        last_row=moved[plan.last_row],
    )


def _split_text(text: str, room: int, width: float, size: float, bold: bool) -> list[str]:
    """`text` in pieces of at most `room` wrapped lines: whole paragraphs where they fit, else words.

    Nothing is lost: the pieces put together are the text to the character (the line
    break or blanks between two pieces end the first), so a status reads as written.
    """

    def fits(piece: str) -> bool:
        return wrapped_lines(piece, width, size, bold) <= room

    units: list[str] = []
    for para in re.findall(r"[^\n]*\n|[^\n]+", text):  # each paragraph with its line break
        if fits(para):
            units.append(para)
            continue
        for word in re.findall(r"[^ ]+ *| +", para):  # each word with the blanks after it
            while not fits(word):  # a word wider than a whole row's text: cut where it fills the row
                cut = max(1, _longest_fitting(word, fits))
                units.append(word[:cut])
                word = word[cut:]
            units.append(word)
    parts: list[str] = []
    for unit in units:
        if parts and fits(parts[-1] + unit):
            parts[-1] += unit
        else:
            parts.append(unit)
    return parts


def _longest_fitting(word: str, fits) -> int:
    low, high = 0, len(word)  # fits(word[:low]) holds, fits(word[:high]) does not
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if fits(word[:mid]) else (low, mid)
    return low


def report_page_breaks(plan: SheetPlan, heights: dict[int, float], capacity: float) -> list[int]:
    """Rows to start a new page at, so that no element is split where it fits on a page.

    The section heading travels with the first element; an element taller than a
    page starts on a fresh page and is broken between rows where the page is full,
    so that Excel and LibreOffice break it alike.
    """
    starts = list(plan.element_rows.values())
    if not starts:
        return []
    before_first = [c.row for c in plan.cells if c.row < starts[0]]
    lead = max(before_first) if before_first else starts[0]
    blocks = [(lead if i == 0 else s, starts[i + 1] if i + 1 < len(starts) else plan.last_row) for i, s in enumerate(starts)]

    def h(r: int) -> float:
        return heights.get(r, MIN_ROW_PT)

    breaks: list[int] = []
    used = sum(h(r) for r in range(1, blocks[0][0]))  # row 0, the title, is counted in `capacity`
    for start, end in blocks:
        block = sum(h(r) for r in range(start, end))
        if used + block > capacity and used > 0 and start > 0:
            breaks.append(start)
            used = 0.0
        if used + block <= capacity:
            used += block
            continue
        for r in range(start, end):  # taller than a page: break between its rows, as full as they go
            if used + h(r) > capacity and used > 0:
                breaks.append(r)
                used = 0.0
            used += h(r)
    return breaks


def write_reports(
    agreement: Agreement,
    round_number: int,
    texts: Texts,
    out_dir: Path | str,
    pdf: bool = True,
    timeout: float | None = None,
    jobs: int | None = 1,
) -> tuple[list[Path], list[str]]:
    """Every committee's report as workbook and, with LibreOffice, as PDF: (files written, notes).

    What `collect` calls. A missing LibreOffice or a failed conversion is a note
    for the summary, not an error: the workbooks are written either way.
    """
    written = write_committee_reports(agreement, round_number, texts, out_dir, jobs=jobs)
    notes: list[str] = []
    if pdf and written:
        conversion = write_committee_pdfs(agreement, round_number, texts, out_dir, timeout=timeout, jobs=jobs)
        written.extend(conversion.pdfs)
        if conversion.note:
            notes.append(conversion.note)
    return written, notes
