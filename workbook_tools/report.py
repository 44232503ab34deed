"""What `collect` hands to people: the consolidated overview and the validation list.

``overview.xlsx`` is finance's view of the whole municipality after a round: one
row per element with its smileys, counts per committee with a chart, what changed
since the previous round, who returned what, where every merged value came from,
and the reading guide. The committee reports live in :mod:`.committee_report`.

The tables are computed by pure functions (:func:`status_counts`, :func:`changes`,
:func:`returns_table`) so that tests and finance's own scripts can use them
without a workbook. Every label comes from :mod:`.texts` (Danish, or English with
``--lang en``); every smiley colour from :data:`~workbook_tools.model.SMILEY_LOOKS`.

User text is always written with ``write_string`` into workbooks whose writer
never turns strings into formulas, and text that Excel would re-read as a formula
when edited gets a quote prefix. Every file is written atomically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import atomic_output
from .fastxlsx import FastWorkbook
from .merge import ACCEPTED, CONFLICT, DUPLICATE, REJECTED, SUPERSEDED
from .model import (
    ECONOMY,
    ECONOMY_STATES,
    EXCEL_CELL_LIMIT,
    PROGRESS,
    SMILEY_LOOKS,
    Agreement,
    Result,
    Smiley,
)
from .problems import Problem, Severity
from .sheetplan import NOT_ANSWERED_FILL, NOT_ANSWERED_FONT, normalise_value, reading_guide
from .texts import Texts
from .xlsxio import needs_quote

if TYPE_CHECKING:
    from .merge import MergeOutcome
    from .returncheck import ReturnCheck

SEVERITY_FILL = {Severity.ERROR: "#F8CBAD", Severity.WARNING: "#FFE699", Severity.INFO: "#DDEBF7"}
# The overview's one colour that is not a smiley: no answer received.
MISSING_FILL, MISSING_FONT = "#D9D9D9", "#595959"
HEAD_FILL = "#D9E1F2"
SHEET_NAME_LIMIT = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def excel_text(value) -> str:
    """`value` as cell text, cut to Excel's 32,767 characters (counted as Excel does, in UTF-16)."""
    text = "" if value is None else str(value)
    if len(text) * 2 <= EXCEL_CELL_LIMIT:
        return text
    encoded = text.encode("utf-16-le")
    if len(encoded) // 2 <= EXCEL_CELL_LIMIT:
        return text
    return encoded[: EXCEL_CELL_LIMIT * 2].decode("utf-16-le", "ignore")


def safe_sheet_name(text: str, taken: Iterable[str] = ()) -> str:
    """A sheet name Excel accepts: no []:*?/\\, no ' at the ends, at most 31 characters, unique."""
    name = _BAD_SHEET_CHARS.sub(" ", text or "").strip().strip("'").strip()
    name = re.sub(r"\s{2,}", " ", name)[:SHEET_NAME_LIMIT].strip() or "Ark"
    used = {t.casefold() for t in taken}
    candidate, n = name, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate = name[: SHEET_NAME_LIMIT - len(suffix)].rstrip() + suffix
        n += 1
    return candidate


class _Formats:
    """Formats of an output workbook, created once per workbook."""

    def __init__(self, wb):
        self.wb = wb
        base = {"text_wrap": True, "valign": "top"}
        self.head = wb.add_format({**base, "bold": True, "bg_color": HEAD_FILL, "border": 1})
        self.text = wb.add_format(base)
        self.quoted = wb.add_format({**base, "quote_prefix": True})
        self.bold = wb.add_format({**base, "bold": True})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.number = wb.add_format({"valign": "top"})
        self.total = wb.add_format({"valign": "top", "bold": True, "top": 1})
        self.total_text = wb.add_format({**base, "bold": True, "top": 1})
        self.stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top", "align": "left"})
        self.mono = wb.add_format({"valign": "top", "font_name": "Consolas", "font_size": 9})
        self.smiley = {
            s: wb.add_format({"bg_color": look.colour, "font_color": look.font_colour, "bold": True, "align": "center", "valign": "top"})
            for s, look in SMILEY_LOOKS.items()
        }
        self.smiley_head = {
            s: wb.add_format(
                {"bg_color": look.colour, "font_color": look.font_colour, "bold": True, "border": 1, "text_wrap": True, "valign": "top"}
            )
            for s, look in SMILEY_LOOKS.items()
        }
        self.legend = {
            s: wb.add_format(
                {"bg_color": look.colour, "font_color": look.font_colour, "font_size": 16, "align": "center", "valign": "vcenter"}
            )
            for s, look in SMILEY_LOOKS.items()
        }
        self.missing = wb.add_format({"bg_color": MISSING_FILL, "font_color": MISSING_FONT, "align": "center", "valign": "top"})
        self.missing_head = wb.add_format(
            {"bg_color": MISSING_FILL, "font_color": MISSING_FONT, "bold": True, "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.severity = {s: wb.add_format({"bg_color": c, "valign": "top", "text_wrap": True}) for s, c in SEVERITY_FILL.items()}

    def write_text(self, ws, row: int, col: int, value, fmt=None) -> None:
        """User or master text, always as a string; a leading = + - @ keeps a quote prefix."""
        text = excel_text(value)
        if not text:
            return
        ws.write_string(row, col, text, self.quoted if needs_quote(text) and fmt in (None, self.text) else (fmt or self.text))

    def smiley_cells(self, lang: str = "da", missing: str = "") -> dict[Smiley | None, tuple[str, object] | None]:
        """Each smiley as a write_rows cell, its glyph and word on its colour; None as `missing` in grey, or no cell."""
        cells: dict = {s: (f"{look.glyph} {s.label_in(lang)}", self.smiley[s]) for s, look in SMILEY_LOOKS.items()}
        cells[None] = (missing, self.missing) if missing else None
        return cells

    def write_rows(self, ws, first_row: int, rows: list[tuple], formats: dict[int, object] | None = None) -> None:
        """Table rows in one go, each text as write_text writes it; `formats` sets columns apart from plain text.

        A row holds values from column 0; a (value, format) pair is a cell in a format of its own.
        """
        width = max(map(len, rows), default=0)
        columns = [(formats or {}).get(c, self.text) for c in range(width)]
        quoted = [self.quoted if fmt is self.text else None for fmt in columns]
        ws.write_rows(first_row, _fitted(rows), columns, quoted, needs_quote)


def _fitted(rows: list[tuple]) -> list[tuple]:
    """The rows with every text cut as excel_text cuts it; texts that short need no look (nearly all)."""
    short = EXCEL_CELL_LIMIT // 2
    if max((len(v) for row in rows for v in row if v.__class__ is str), default=0) <= short:
        return rows
    return [tuple(excel_text(v) if v.__class__ is str else v for v in row) for row in rows]


def _print_setup(ws, header_row: int = 0) -> None:
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.repeat_rows(header_row)
    ws.set_footer("&C&P")


# --- The tables, as data -------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    """How many of a committee's elements got each smiley at one round."""

    round: int
    committee: str
    green: int
    yellow: int
    red: int
    missing: int
    economy_green: int
    economy_red: int
    economy_missing: int

    @property
    def total(self) -> int:
        return self.green + self.yellow + self.red + self.missing


def status_counts(agreement: Agreement, round_number: int) -> list[StatusCount]:
    """Counts per round (the latest first) and committee (in the master's order)."""
    results = agreement.results_index()
    by_committee: dict[str, list] = {}
    for e in agreement.elements:
        by_committee.setdefault(e.committee, []).append(e)
    out = []
    for r in range(round_number, 0, -1):
        for committee in agreement.committees:
            elements = by_committee.get(committee.name)
            if not elements:
                continue
            got = [results.get((e.number, r)) for e in elements]
            progress = [g.progress if g else None for g in got]
            economy = [g.economy if g else None for g in got]
            out.append(
                StatusCount(
                    round=r,
                    committee=committee.name,
                    green=progress.count(Smiley.GREEN),
                    yellow=progress.count(Smiley.YELLOW),
                    red=progress.count(Smiley.RED),
                    missing=progress.count(None),
                    economy_green=economy.count(Smiley.GREEN),
                    economy_red=economy.count(Smiley.RED),
                    economy_missing=economy.count(None),
                )
            )
    return out


# Kinds of change, in the order the changes sheet lists them; each has a text key "change_<kind>".
CHANGE_KINDS = ("new_red", "red_streak", "progress", "economy", "status_copied", "economy_status_copied")


@dataclass(frozen=True)
class Change:
    """Something finance should notice between the previous round and this one."""

    kind: str  # one of CHANGE_KINDS
    committee: str
    element: str
    title: str
    before: Smiley | None = None
    after: Smiley | None = None
    rounds: int = 0  # red_streak: rounds in a row that the element has been red
    text: str = ""  # *_copied: the text that was copied


def changes(agreement: Agreement, round_number: int) -> list[Change]:
    """What moved since the previous round, grouped by kind, elements in the master's order.

    * new_red: red now, not red at the previous round (or no previous round);
    * red_streak: red now and at the previous round(s), with the number of rounds;
    * progress / economy: the smiley changed, both rounds answered;
    * status_copied / economy_status_copied: the same non-empty text as last round.
    """
    results = agreement.results_index()
    found: dict[str, list[Change]] = {k: [] for k in CHANGE_KINDS}
    for e in agreement.elements:
        now = results.get((e.number, round_number))
        if now is None:
            continue
        before = results.get((e.number, round_number - 1))
        where = {"committee": e.committee, "element": e.number, "title": e.title}
        was = before.progress if before else None
        if now.progress is Smiley.RED:
            streak = 1
            while (earlier := results.get((e.number, round_number - streak))) and earlier.progress is Smiley.RED:
                streak += 1
            if streak == 1:
                found["new_red"].append(Change("new_red", **where, before=was, after=Smiley.RED))
            else:
                found["red_streak"].append(Change("red_streak", **where, before=was, after=Smiley.RED, rounds=streak))
        if before is None:
            continue
        if was and now.progress and was is not now.progress:
            found["progress"].append(Change("progress", **where, before=was, after=now.progress))
        if before.economy and now.economy and before.economy is not now.economy:
            found["economy"].append(Change("economy", **where, before=before.economy, after=now.economy))
        if _same_text(now.status, before.status):
            found["status_copied"].append(Change("status_copied", **where, text=now.status))
        if _same_text(now.economy_status, before.economy_status):
            found["economy_status_copied"].append(Change("economy_status_copied", **where, text=now.economy_status))
    return [c for kind in CHANGE_KINDS for c in found[kind]]


def _same_text(a: str, b: str) -> bool:
    return bool(a and a.strip()) and normalise_value(a) == normalise_value(b)


@dataclass(frozen=True)
class ReturnsRow:
    """Expected against what came in, for one committee (or one of its departments)."""

    committee: str  # "" for files whose committee could not be told
    department: str
    expected: int
    received: int
    accepted: int
    late: int
    missing: int  # 1 when an expected return has no accepted file
    unanswered: int  # elements with no progress smiley after the merge


def returns_table(agreement: Agreement, round_number: int, checks: list[ReturnCheck], outcome: MergeOutcome) -> list[ReturnsRow]:
    """One row per expected unit (as the merge decided them), then any unexpected senders.

    A return is *received* when its file names the unit, *accepted* when its answers
    were merged (not rejected, a copy, superseded or held back by a conflict), *late*
    when the checks found it after the deadline. A unit is *missing* by the merge's own
    rule: no accepted return for it, nor a committee-wide one for a department.
    """
    units = list(dict.fromkeys([*outcome.expected_units, *((c.committee, c.department) for c in checks)]))
    results = agreement.results_index()
    by_unit: dict[tuple[str, str], list[ReturnCheck]] = {}
    for c in checks:
        by_unit.setdefault((c.committee, c.department), []).append(c)
    by_committee: dict[str, list] = {}
    for e in agreement.elements:
        by_committee.setdefault(e.committee, []).append(e)
    expected_units = set(outcome.expected_units)
    rows = []
    for committee, department in units:
        mine = by_unit.get((committee, department), [])
        expected = (committee, department) in expected_units
        covered = (committee, department) in outcome.accepted_units or (bool(department) and (committee, "") in outcome.accepted_units)
        elements = [e for e in by_committee.get(committee, []) if not department or e.department == department]
        rows.append(
            ReturnsRow(
                committee=committee,
                department=department,
                expected=int(expected),
                received=len(mine),
                accepted=sum(1 for c in mine if outcome.status.get(c.name) == ACCEPTED),
                late=sum(1 for c in mine if any(p.code == "late-return" for p in c.problems)),
                missing=int(expected and not covered),
                unanswered=sum(1 for e in elements if not ((res := results.get((e.number, round_number))) and res.progress)),
            )
        )
    return rows


_OUTCOME_KEYS = {
    ACCEPTED: "return_accepted",
    REJECTED: "return_rejected",
    DUPLICATE: "return_duplicate",
    SUPERSEDED: "return_superseded",
    CONFLICT: "return_conflict",
}


# --- The workbook ---------------------------------------------------------------------------


def write_overview(
    agreement: Agreement,
    round_number: int,
    texts: Texts,
    path: Path | str,
    checks: list[ReturnCheck] | None = None,
    outcome: MergeOutcome | None = None,
) -> Path:
    """The consolidated overview after `round_number`; the returns sheet needs `checks` and `outcome`."""
    path = Path(path)
    with atomic_output(path) as tmp:
        wb = FastWorkbook(tmp)
        f = _Formats(wb)
        names: list[str] = []

        def sheet(key: str):
            name = safe_sheet_name(texts(key), names)
            names.append(name)
            return wb.add_worksheet(name)

        _overview_sheet(sheet("ov_sheet_overview"), f, agreement, round_number, texts)
        _status_sheet(wb, sheet("ov_sheet_status"), f, agreement, round_number, texts)
        _changes_sheet(sheet("ov_sheet_changes"), f, agreement, round_number, texts)
        if checks is not None and outcome is not None:
            _returns_sheet(sheet("ov_sheet_returns"), f, agreement, round_number, checks, outcome, texts)
        _sources_sheet(sheet("ov_sheet_sources"), f, agreement, round_number, texts)
        _guide_sheet(sheet("ov_sheet_guide"), f, agreement, texts)
        wb.close()
    return path


def _headings(ws, f: _Formats, row: int, columns: list[tuple[str, float]], formats: dict[int, object] | None = None) -> None:
    for c, (heading, width) in enumerate(columns):
        ws.set_column(c, c, width)
        ws.write_string(row, c, heading, (formats or {}).get(c, f.head))


def _overview_sheet(ws, f: _Formats, agreement: Agreement, round_number: int, texts: Texts) -> None:
    rounds = range(1, round_number + 1)
    columns = [
        (texts("ov_col_committee"), 30),
        (texts("ov_col_number"), 9),
        (texts("ov_col_element"), 40),
        (texts("ov_col_department"), 24),
    ]
    columns += [(texts("ov_col_progress", round=agreement.round(r).label), 16) for r in rounds]
    columns += [(texts("ov_col_economy", round=agreement.round(r).label), 16) for r in rounds]
    columns += [(texts("ov_col_latest_status"), 70), (texts("ov_col_latest_economy_status"), 50)]
    _headings(ws, f, 0, columns)
    results = agreement.results_index()
    smiley = f.smiley_cells(texts.lang, texts("ov_missing"))
    # This round's cells of an element with no accepted answer say so, in the committee report's red.
    not_answered = (
        texts("not_answered"),
        f.wb.add_format(
            {
                "bold": True,
                "italic": True,
                "font_color": NOT_ANSWERED_FONT,
                "bg_color": NOT_ANSWERED_FILL,
                "align": "center",
                "valign": "top",
            }
        ),
    )

    def shown(res, r: int, answer: str):
        # Each smiley cell tells its own truth: this round's without a smiley says "Ikke besvaret".
        state = getattr(res, answer) if res else None
        return not_answered if state is None and r == round_number else smiley[state]

    rows = []
    for e in agreement.elements:
        got = [results.get((e.number, r)) for r in rounds]
        latest_status = latest_economy_status = ""
        for res in got:
            if res and res.status.strip():
                latest_status = res.status
            if res and res.economy_status.strip():
                latest_economy_status = res.economy_status
        rows.append(
            (
                e.committee,
                e.number,
                e.title,
                e.department,
                *(shown(res, r, PROGRESS) for r, res in zip(rounds, got)),
                *(shown(res, r, ECONOMY) for r, res in zip(rounds, got)),
                latest_status,
                latest_economy_status,
            )
        )
    f.write_rows(ws, 1, rows)
    ws.freeze_panes(1, 3)
    ws.autofilter(0, 0, max(len(agreement.elements), 1), len(columns) - 1)
    _print_setup(ws)


def _status_sheet(wb, ws, f: _Formats, agreement: Agreement, round_number: int, texts: Texts) -> None:
    counts = status_counts(agreement, round_number)
    ws.write_string(0, 0, texts("ov_status_heading"), f.title)
    head = 2
    states = [(Smiley.GREEN, "green"), (Smiley.YELLOW, "yellow"), (Smiley.RED, "red")]
    columns = [(texts("ov_col_round"), 24), (texts("ov_col_committee"), 30)]
    columns += [(s.label_in(texts.lang), 9) for s, _ in states] + [(texts("ov_missing"), 9), (texts("ov_total"), 8)]
    columns += [(texts("ov_economy_state", state=s.label_in(texts.lang)), 17) for s in ECONOMY_STATES]
    columns += [(texts("ov_economy_state", state=texts("ov_missing")), 17)]
    formats = {2: f.smiley_head[Smiley.GREEN], 3: f.smiley_head[Smiley.YELLOW], 4: f.smiley_head[Smiley.RED], 5: f.missing_head}
    formats.update({7: f.smiley_head[Smiley.GREEN], 8: f.smiley_head[Smiley.RED], 9: f.missing_head})
    _headings(ws, f, head, columns, formats)
    rows = [
        (
            agreement.round(c.round).label,
            c.committee,
            c.green,
            c.yellow,
            c.red,
            c.missing,
            c.total,
            c.economy_green,
            c.economy_red,
            c.economy_missing,
        )
        for c in counts
    ]
    f.write_rows(ws, head + 1, rows, dict.fromkeys(range(2, 10), f.number))
    ws.freeze_panes(head + 1, 2)
    if counts:
        ws.autofilter(head, 0, head + len(counts), len(columns) - 1)
    _print_setup(ws, head)
    current = [c for c in counts if c.round == round_number]
    if not current:
        return
    # Stacked bars, one per committee, for this round: the rows just under the headings.
    first, last = head + 1, head + len(current)
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    name = ws.get_name()
    series = [
        (2, SMILEY_LOOKS[Smiley.GREEN].colour),
        (3, SMILEY_LOOKS[Smiley.YELLOW].colour),
        (4, SMILEY_LOOKS[Smiley.RED].colour),
        (5, MISSING_FILL),
    ]
    for col, colour in series:
        chart.add_series(
            {
                "name": [name, head, col],
                "categories": [name, first, 1, last, 1],
                "values": [name, first, col, last, col],
                "fill": {"color": colour},
                "border": {"color": "#FFFFFF"},
                "gap": 60,
            }
        )
    chart.set_title({"name": texts("ov_chart_title", round=agreement.round(round_number).label), "name_font": {"size": 12}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    chart.set_x_axis({"major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}, "min": 0})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": max(260, 90 + 28 * len(current))})
    ws.insert_chart(head, len(columns) + 1, chart)


def _changes_sheet(ws, f: _Formats, agreement: Agreement, round_number: int, texts: Texts) -> None:
    found = changes(agreement, round_number)
    previous = agreement.round(round_number - 1).label if round_number > 1 else "-"
    ws.write_string(0, 0, texts("ov_changes_heading", previous=previous, round=agreement.round(round_number).label), f.title)
    head = 2
    columns = [
        (texts("ov_col_change"), 34),
        (texts("ov_col_committee"), 30),
        (texts("ov_col_number"), 9),
        (texts("ov_col_element"), 40),
        (texts("ov_col_from"), 14),
        (texts("ov_col_to"), 14),
        (texts("ov_col_detail"), 70),
    ]
    _headings(ws, f, head, columns)
    smiley = f.smiley_cells(texts.lang)
    rows = [
        (texts("change_" + c.kind, rounds=c.rounds), c.committee, c.element, c.title, smiley[c.before], smiley[c.after], c.text)
        for c in found
    ]
    f.write_rows(ws, head + 1, rows)
    if not found:
        ws.write_string(head + 1, 0, texts("ov_no_changes"), f.text)
    ws.freeze_panes(head + 1, 0)
    ws.autofilter(head, 0, head + max(len(found), 1), len(columns) - 1)
    _print_setup(ws, head)


def _returns_sheet(ws, f: _Formats, agreement: Agreement, round_number: int, checks, outcome, texts: Texts) -> None:
    rows = returns_table(agreement, round_number, checks, outcome)
    columns = [
        (texts("ov_col_committee"), 34),
        (texts("ov_col_department"), 26),
        (texts("ov_col_expected"), 11),
        (texts("ov_col_received"), 11),
        (texts("ov_col_accepted"), 11),
        (texts("ov_col_late"), 11),
        (texts("ov_col_missing"), 11),
        (texts("ov_col_unanswered"), 14),
    ]
    _headings(ws, f, 0, columns)
    unidentified = texts("ov_unidentified")
    table = [
        (row.committee or unidentified, row.department, row.expected, row.received, row.accepted, row.late, row.missing, row.unanswered)
        for row in rows
    ]
    f.write_rows(ws, 1, table, dict.fromkeys(range(2, 8), f.number))
    total = len(rows) + 1
    ws.write_string(total, 0, texts("ov_total"), f.total_text)
    ws.write_blank(total, 1, None, f.total_text)
    sums = [sum(getattr(x, k) for x in rows) for k in ("expected", "received", "accepted", "late", "missing", "unanswered")]
    for col, v in enumerate(sums, start=2):
        ws.write_number(total, col, v, f.total)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(total - 1, 1), len(columns) - 1)

    # Below: every file received, with what became of it.
    start = total + 2
    ws.write_string(start, 0, texts("ov_files_heading"), f.bold)
    file_columns = [
        texts("ov_col_file"),
        texts("ov_col_committee"),
        texts("ov_col_department"),
        texts("ov_col_received_at"),
        texts("ov_col_outcome"),
        texts("ov_col_late"),
        texts("ov_col_sender"),
        texts("ov_col_sha256"),
    ]
    for c, heading in enumerate(file_columns):
        ws.write_string(start + 1, c, heading, f.head)
    yes = texts("ov_yes")
    outcomes = {status: texts(key) for status, key in _OUTCOME_KEYS.items()}
    files = []
    for c in checks:
        status = outcome.status.get(c.name, REJECTED)
        files.append(
            (
                c.name,
                c.committee or unidentified,
                c.department,
                (c.incoming.received, f.stamp) if c.incoming.received else None,
                outcomes.get(status, status),
                yes if any(p.code == "late-return" for p in c.problems) else None,
                c.incoming.sender,
                c.sha256,
            )
        )
    f.write_rows(ws, start + 2, files, {7: f.mono})
    _print_setup(ws)


def _sources_sheet(ws, f: _Formats, agreement: Agreement, round_number: int, texts: Texts) -> None:
    columns = [
        (texts("ov_col_committee"), 30),
        (texts("ov_col_number"), 9),
        (texts("ov_col_element"), 36),
        (texts("ov_col_round"), 24),
        (texts("ov_col_progress_smiley"), 14),
        (texts("ov_col_economy_smiley"), 14),
        (texts("ov_col_status_text"), 50),
        (texts("ov_col_economy_status_text"), 40),
        (texts("ov_col_file"), 40),
        (texts("ov_col_sha256"), 36),
        (texts("ov_col_received_at"), 17),
        (texts("ov_col_template_version"), 10),
        (texts("ov_col_sender"), 30),
    ]
    _headings(ws, f, 0, columns)
    titles = {e.number: e for e in agreement.elements}
    results: list[Result] = [r for r in agreement.results if r.round <= round_number and not r.is_empty and r.element in titles]
    smiley = f.smiley_cells(texts.lang)
    labels = {r: agreement.round(r).label for r in range(1, round_number + 1)}
    from_master = (texts("ov_source_master"),)
    rows = []
    for res in results:
        e, src = titles[res.element], res.source
        found = (e.committee, e.number, e.title, labels[res.round])
        found += (smiley[res.progress], smiley[res.economy], res.status, res.economy_status)
        if src is None:
            rows.append(found + from_master)
        else:
            received = (src.received, f.stamp) if isinstance(src.received, datetime) else None
            rows.append(found + (src.file, src.sha256, received, src.template_version, src.sender))
    f.write_rows(ws, 1, rows, {9: f.mono})
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(len(results), 1), len(columns) - 1)
    _print_setup(ws)


def _guide_sheet(ws, f: _Formats, agreement: Agreement, texts: Texts) -> None:
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 100)
    ws.write_string(0, 0, texts("guide_heading"), f.title)
    row = 2
    for part in reading_guide(agreement, texts):
        for para in part.paragraphs:
            ws.set_row(row, 15 * (1 + len(para) // 110))
            ws.merge_range(row, 0, row, 2, "", f.text)
            f.write_text(ws, row, 0, para)
            row += 1
        ws.write_string(row, 0, part.heading, f.bold)
        row += 1
        for s, definition in part.states:
            ws.set_row(row, 22)
            ws.write_string(row, 0, SMILEY_LOOKS[s].glyph, f.legend[s])
            ws.write_string(row, 1, s.label_in(texts.lang), f.smiley[s])
            f.write_text(ws, row, 2, definition)
            row += 1
        row += 1
    ws.write_string(row, 0, texts("ov_missing"), f.missing)
    ws.merge_range(row, 1, row, 2, "", f.text)
    f.write_text(ws, row, 1, texts("ov_missing_meaning"))
    row += 2
    ws.set_row(row, 15 * 8)
    ws.merge_range(row, 0, row, 2, "", f.text)
    f.write_text(ws, row, 0, texts("ov_about"))
    ws.hide_gridlines(2)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


VALIDATION_COLUMNS = (
    ("Alvor", "severity", 10),
    ("Kode", "code", 22),
    ("Fil", "file", 36),
    ("Udvalg", "committee", 28),
    ("Center", "department", 20),
    ("Indsats", "element", 9),
    ("Felt", "field_words", 18),
    ("Ark", "sheet", 12),
    ("Celle", "cell", 8),
    ("Forventet", "expected", 30),
    ("Fundet", "found", 30),
    ("Besked", "message", 70),
    ("Hvad gør jeg?", "hint", 60),
)


def write_validation(problems: list[Problem], path: Path | str, as_dicts: list[dict] | None = None) -> Path:
    """One row per problem found, coloured by severity, with filters: finance's to-do list.

    Streamed row block by row block like the overview: early in a round a large
    municipality's list holds a problem for every element not yet answered, tens of
    thousands of rows. `as_dicts` are the problems' as_dict(), when the caller has them
    already (collect writes problems.json from the same ones); they are not changed.
    """
    path = Path(path)
    keys = [key for _h, key, _w in VALIDATION_COLUMNS]
    severity_at = keys.index("severity")
    with atomic_output(path) as tmp:
        wb = FastWorkbook(tmp)
        f = _Formats(wb)
        ws = wb.add_worksheet("Problemer")
        _headings(ws, f, 0, [(heading, width) for heading, _key, width in VALIDATION_COLUMNS])
        rows = []
        for p, d in zip(problems, as_dicts if as_dicts is not None else map(Problem.as_dict, problems), strict=True):
            row = [d[key] for key in keys]
            row[severity_at] = (p.severity.label, f.severity[p.severity])
            rows.append(tuple(row))
        f.write_rows(ws, 1, rows)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(problems), 1), len(VALIDATION_COLUMNS) - 1)
        wb.close()
    return path
