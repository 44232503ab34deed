"""What `collect` hands to people: the overview, the validation list, committee reports.

All user text is written with ``write_string`` into workbooks whose writer never
turns strings into formulas, and text that Excel would re-read as a formula when
edited gets a quote prefix. Every file is written atomically.
"""

from __future__ import annotations

from pathlib import Path

from .model import ROUNDS, SMILEY_LOOKS, Agreement, Smiley
from .problems import Problem, Severity
from .template import needs_quote
from .texts import Texts
from .xlsxio import atomic_output, new_workbook

OVERVIEW_NAME = "overview.xlsx"
VALIDATION_NAME = "validation.xlsx"
SEVERITY_FILL = {Severity.ERROR: "#F8CBAD", Severity.WARNING: "#FFE699", Severity.INFO: "#DDEBF7"}


class _Formats:
    """Formats of an output workbook, created once per workbook."""

    def __init__(self, wb):
        self.wb = wb
        self.head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "valign": "top", "border": 1})
        self.text = wb.add_format({"text_wrap": True, "valign": "top"})
        self.quoted = wb.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
        self.smiley = {
            s: wb.add_format({"bg_color": look.colour, "font_color": look.font_colour, "bold": True, "align": "center", "valign": "top"})
            for s, look in SMILEY_LOOKS.items()
        }
        self.severity = {s: wb.add_format({"bg_color": c, "valign": "top", "text_wrap": True}) for s, c in SEVERITY_FILL.items()}

    def write_text(self, ws, row: int, col: int, value, fmt=None) -> None:
        text = "" if value is None else str(value)
        if not text:
            return
        ws.write_string(row, col, text, self.quoted if needs_quote(text) and fmt is None else (fmt or self.text))

    def write_smiley(self, ws, row: int, col: int, state: Smiley | None, lang: str = "da") -> None:
        if state is None:
            return
        ws.write_string(row, col, f"{SMILEY_LOOKS[state].glyph} {state.label_in(lang)}", self.smiley[state])


def write_overview(agreement: Agreement, round_number: int, texts: Texts, path: Path | str) -> Path:
    """One row per element: every round's smileys so far and the latest status texts."""
    path = Path(path)
    en = texts.lang == "en"
    results = agreement.results_index()
    with atomic_output(path) as tmp:
        wb = new_workbook(tmp)
        f = _Formats(wb)
        ws = wb.add_worksheet("Overview" if en else "Oversigt")
        headings = ["Committee", "No.", "Element", "Department"] if en else ["Udvalg", "Nummer", "Indsats", "Center"]
        for r in range(1, round_number + 1):
            headings.append(f"{'Progress' if en else 'Indsats'} – {agreement.round(r).label}")
        headings += [
            f"{'Economy' if en else 'Økonomi'} – {agreement.round(round_number).label}",
            "Latest status" if en else "Seneste status",
            "Latest economy status" if en else "Seneste status økonomi",
        ]
        widths = [30, 9, 40, 24] + [16] * round_number + [16, 70, 50]
        for c, h in enumerate(headings):
            ws.write_string(0, c, h, f.head)
            ws.set_column(c, c, widths[c])
        for i, e in enumerate(agreement.elements, start=1):
            f.write_text(ws, i, 0, e.committee)
            f.write_text(ws, i, 1, e.number)
            f.write_text(ws, i, 2, e.title)
            f.write_text(ws, i, 3, e.department)
            latest_status, latest_economy_status, economy = "", "", None
            for r in range(1, round_number + 1):
                res = results.get((e.number, r))
                f.write_smiley(ws, i, 3 + r, res.progress if res else None, texts.lang)
                if res and res.status.strip():
                    latest_status = res.status
                if res and res.economy_status.strip():
                    latest_economy_status = res.economy_status
                if res and res.economy:
                    economy = res.economy
            res = results.get((e.number, round_number))
            f.write_smiley(ws, i, 4 + round_number, res.economy if res else None, texts.lang)
            f.write_text(ws, i, 5 + round_number, latest_status)
            f.write_text(ws, i, 6 + round_number, latest_economy_status)
            del economy
        ws.freeze_panes(1, 3)
        ws.autofilter(0, 0, max(len(agreement.elements), 1), len(headings) - 1)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        wb.close()
    return path


VALIDATION_COLUMNS = (
    ("Alvor", "severity", 10),
    ("Kode", "code", 22),
    ("Fil", "file", 36),
    ("Udvalg", "committee", 28),
    ("Indsats", "element", 9),
    ("Ark", "sheet", 12),
    ("Celle", "cell", 8),
    ("Forventet", "expected", 30),
    ("Fundet", "found", 30),
    ("Besked", "message", 70),
    ("Hvad gør jeg?", "hint", 60),
)


def write_validation(problems: list[Problem], path: Path | str) -> Path:
    """One row per problem found, coloured by severity, with filters: finance's to-do list."""
    path = Path(path)
    with atomic_output(path) as tmp:
        wb = new_workbook(tmp)
        f = _Formats(wb)
        ws = wb.add_worksheet("Problemer")
        for c, (h, _key, w) in enumerate(VALIDATION_COLUMNS):
            ws.write_string(0, c, h, f.head)
            ws.set_column(c, c, w)
        for r, p in enumerate(problems, start=1):
            d = p.as_dict()
            d["severity"] = p.severity.label
            for c, (_h, key, _w) in enumerate(VALIDATION_COLUMNS):
                value = d[key]
                if value:
                    ws.write_string(r, c, str(value)[:32767], f.severity[p.severity] if c == 0 else (f.quoted if needs_quote(str(value)) else f.text))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(problems), 1), len(VALIDATION_COLUMNS) - 1)
        wb.close()
    return path


def rounds_so_far(round_number: int) -> tuple[int, ...]:
    return tuple(r for r in ROUNDS if r <= round_number)
