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
from dataclasses import dataclass, field, replace
from itertools import repeat
from pathlib import Path

from .atomic import atomic_output
from .fastxlsx import FastWorkbook
from .libreoffice import Conversion, convert_to_pdf
from .model import Agreement, Committee
from .sheetplan import (
    LAST_COL,
    MAX_ROW_PT,
    PRINT_MARGINS,
    PRINTABLE_HEIGHT_PT,
    PRINTABLE_WIDTH_PT,
    Mode,
    PlannedCell,
    SheetPlan,
    plan_sheet,
)
from .template import column_widths, draw_plan, style_specs
from .textmetrics import remember, sure_chars, wrapped_lines
from .texts import Texts
from .workers import map_in_processes

# Leave this share of a page free, for fonts that set a little wider than estimated.
PAGE_SLACK = 0.04
MIN_ROW_PT = 15.0
CELL_PAD_PT = 4.0  # a cell's inner padding, left and right together
# Air below a style's rows, as the seed leaves between its paragraphs.
SPACE_AFTER = {"paragraph": 6.0}


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


def report_file_name(agreement: Agreement, committee: str) -> str:
    """reports/<committee>.xlsx, the name `followup mail reports` looks for."""
    return f"{agreement.file_stem(committee)}.xlsx"


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
    return write_committee_report(agreement, committee, round_number, texts, out_dir / report_file_name(agreement, committee.name), metrics)


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
    progress=None,
) -> Conversion:
    """The reports as PDF beside the workbooks, in one LibreOffice run.

    LibreOffice converts a copy fitted to its own metrics (see :class:`Metrics`),
    written to a scratch folder, so the PDF has neither cut text nor gaps. A report
    whose copy is byte for byte the one its PDF was made from keeps that PDF
    (convert_to_pdf's `reuse`). The one run reports no progress of its own, so
    `progress` shows 0 of N until it is over.
    """
    total = len(report_committees(agreement, committees))
    if progress:
        progress(0, total)
    with tempfile.TemporaryDirectory(prefix="followup-pdf-") as scratch:
        copies = write_committee_reports(agreement, round_number, texts, scratch, committees, LIBREOFFICE, jobs=jobs)
        conversion = convert_to_pdf(copies, out_dir, timeout=timeout, reuse=True)
    if progress:
        progress(total, total)
    return conversion


def write_committee_report(
    agreement: Agreement,
    committee: Committee,
    round_number: int,
    texts: Texts,
    path: Path | str,
    metrics: Metrics = EXCEL,
    sync: bool = True,
) -> Path:
    """The seed document for one committee after `round_number`, read-only, ready to print.

    `sync=False` leaves flushing it to disk to the caller (see xlsxio.atomic_output).
    """
    # The report fits its own row heights and page breaks (draw_report), so none are planned here.
    plan = plan_sheet(agreement, committee, round_number, texts, Mode.REPORT, measure=False)
    path = Path(path)
    with atomic_output(path, sync=sync) as tmp:
        wb = FastWorkbook(tmp)
        draw_report(wb, plan, texts, metrics)
        wb.close()
    return path


def draw_report(wb, plan: SheetPlan, texts: Texts, metrics: Metrics = EXCEL):
    """Draw a REPORT plan with heights, scale and page breaks fitted for print."""
    page = report_page(texts, metrics)
    plan, heights = fit_rows(plan, page.rooms)
    capacity = page.capacity - heights.get(0, MIN_ROW_PT)  # the title repeats on every page
    ws = draw_plan(wb, replace(plan, row_heights=heights, page_breaks=[]), texts, protect=True)
    ws.set_margins(**PRINT_MARGINS)
    ws.set_print_scale(page.scale)
    breaks = report_page_breaks(plan, heights, capacity)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    ws.print_area(0, 0, max(plan.last_row - 1, 0), LAST_COL)
    return ws


@dataclass(frozen=True)
class Room:
    """How the text of one kind of cell (style and columns) wraps, and how tall its row gets."""

    width: float  # text width in points
    size: float  # font size
    bold: bool
    line: float  # height of one wrapped line
    pad: float  # room above and below the text
    after: float  # air below the row
    most: int  # lines that fit in the tallest row Excel allows
    sure: int  # characters that surely fit on a line (see textmetrics.sure_chars)
    # text -> height of its row (texts that fit one row): labels, headings and the guide recur in every report
    known: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def height(self, lines: int) -> float:
        return min(MAX_ROW_PT, max(MIN_ROW_PT, lines * self.line + self.pad + self.after))


class Rooms(dict):
    """(style, first column, last merged column) -> its :class:`Room`, worked out on first use."""

    def __init__(self, specs: dict[str, dict], widths: list[float], metrics: Metrics):
        super().__init__()
        self.specs, self.widths, self.metrics = specs, widths, metrics

    def __missing__(self, key: tuple[str, int, int]) -> Room:
        room = self[key] = _room(*key, self.specs, self.widths, self.metrics)
        return room


def _room(style: str, col: int, merge_to: int, specs: dict[str, dict], widths: list[float], metrics: Metrics) -> Room:
    spec = specs.get(style, specs["text"])
    size = float(spec.get("font_size", 11))
    bold = bool(spec.get("bold"))
    last = merge_to if merge_to > col else col
    span = sum(metrics.column_points(widths[i]) for i in range(col, min(last, len(widths) - 1) + 1)) - CELL_PAD_PT
    width = span / metrics.text_factor
    line = size * metrics.line_per_pt
    after = SPACE_AFTER.get(style, 0.0)
    most = int((MAX_ROW_PT - metrics.row_pad_pt - after) // line)
    return Room(width, size, bold, line, metrics.row_pad_pt, after, most, sure_chars(width, size, bold))


@dataclass(frozen=True)
class ReportPage:
    """What is the same in every committee's report of a run: scale, page room, how cells wrap."""

    scale: int
    capacity: float  # row points on a page, the repeated title included
    rooms: Rooms


_PAGES: dict[tuple, ReportPage] = {}


def report_page(texts: Texts, metrics: Metrics = EXCEL) -> ReportPage:
    """The page of every report with this look and metrics, worked out once per process.

    A run writes a report per committee, and the look is the same for all of them.
    """
    key = (tuple(texts.look.items()), metrics)
    if key not in _PAGES:
        widths = column_widths(texts)
        scale = print_scale(widths, metrics)
        _PAGES[key] = ReportPage(scale, page_capacity(scale), Rooms(style_specs(texts), widths, metrics))
    return _PAGES[key]


def print_scale(widths: list[float], metrics: Metrics = EXCEL) -> int:
    """The largest whole-percent scale at which columns A–F fit the page width."""
    table_pt = sum(metrics.column_points(w) for w in widths)
    return max(10, min(100, int(PRINTABLE_WIDTH_PT / table_pt * 100)))


def page_capacity(scale: int) -> float:
    """Row points that fit on one printed page at `scale` percent."""
    return PRINTABLE_HEIGHT_PT * (1 - PAGE_SLACK) * 100.0 / scale


def fit_rows(plan: SheetPlan, rooms: Rooms) -> tuple[SheetPlan, dict[int, float]]:
    """The plan with every too-tall text spread over rows of its own, and a height for every row with text."""
    heights, tall = _row_heights(plan.cells, rooms)
    if tall:
        plan = split_tall_rows(plan, tall, rooms)
        heights, _ = _row_heights(plan.cells, rooms)
    return plan, heights


def _row_heights(cells: list[PlannedCell], rooms: Rooms) -> tuple[dict[int, float], list[PlannedCell]]:
    """Row heights that show wrapped text whole and keep rows tight; and the cells too tall for any row.

    Runs for every cell of every report, so each text is measured once per kind of
    cell and process: labels, headings and the guide come back in every report.
    """
    heights: dict[int, float] = {}
    tall: list[PlannedCell] = []
    for c in cells:
        room = rooms[c.style, c.col, c.merge_to]
        value = c.value
        h = room.known.get(value)
        if h is None:
            if len(value) <= room.sure and "\n" not in value:
                lines = 1  # as wrapped_lines finds for a text this short, without the call
            else:
                lines = wrapped_lines(value, room.width, room.size, room.bold)
            h = room.height(lines)
            if lines > room.most and value:
                tall.append(c)  # not kept in `known`: each cell with it must be split
            else:
                remember(room.known, value, h)
        if h > heights.get(c.row, 0.0):
            heights[c.row] = h
    return heights, tall


def split_tall_rows(plan: SheetPlan, tall: list[PlannedCell], rooms: Rooms) -> SheetPlan:
    """The plan with each of the `tall` cells' texts (over 409 points) spread over rows of its own.

    A long agreement text would otherwise be cut off at the bottom of its cell, in
    Excel and in the PDF alike. The text is split between paragraphs where it can be,
    else between words; the rows below move down.
    """
    spill: dict[int, int] = {}  # row -> extra rows it needs
    pieces: dict[int, list[str]] = {}  # id(cell) -> its texts, one per row
    for c in tall:
        room = rooms[c.style, c.col, c.merge_to]
        parts = _split_text(c.value, room.most, room.width, room.size, room.bold)
        pieces[id(c)] = parts
        spill[c.row] = max(spill.get(c.row, 0), len(parts) - 1)
    moved: dict[int, int] = {}
    extra = 0
    for r in range(plan.last_row + 1):
        moved[r] = r + extra
        extra += spill.get(r, 0)
    cells = []
    for c in plan.cells:
        parts = pieces.get(id(c))
        if parts is None:
            cells.append(c if moved[c.row] == c.row else replace(c, row=moved[c.row]))
        else:
            cells.extend(replace(c, row=moved[c.row] + i, value=text) for i, text in enumerate(parts))
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
    lead = max((c.row for c in plan.cells if c.row < starts[0]), default=starts[0])
    blocks = [(lead if i == 0 else s, starts[i + 1] if i + 1 < len(starts) else plan.last_row) for i, s in enumerate(starts)]

    def h(r: int) -> float:
        return heights.get(r, MIN_ROW_PT)

    def total(first: int, end: int) -> float:  # h(first) + ... + h(end - 1), at C speed
        return sum(map(heights.get, range(first, end), repeat(MIN_ROW_PT)))

    breaks: list[int] = []
    used = total(1, blocks[0][0])  # row 0, the title, is counted in `capacity`
    for start, end in blocks:
        block = total(start, end)
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
