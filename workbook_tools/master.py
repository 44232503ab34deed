"""The master workbook: finance's source of truth, kept in Excel.

Layout (one header row per sheet, Danish headings; extra columns are ignored):

* ``Aftale``     – ``Felt`` | ``Værdi``: År, Titel, Afsender, Dato, Telefon, E-mail,
  Kontakt, Sagsid, Læsevejledning indsats, Læsevejledning økonomi.
* ``Runder``     – Runde (1–4) | Betegnelse | Frist.
* ``Udvalg``     – Udvalg | Nummer | Område | E-mail (several separated by ``;``).
* ``Centre``     – Center | E-mail  (optional; addresses for per-department templates).
* ``Indsatser``  – Nummer | Titel | Udvalg | Budgettype | Aftaletekst | Ansvarligt center |
  Væsentlig bidragsyder | Uddybning | Økonomi | Milepæl 1 | Milepæl 2 | Milepæl 3 | Milepæl 4.
* ``Resultater`` – Nummer | Runde | Smiley indsats | Status | Smiley økonomi | Status økonomi |
  Kilde | SHA-256 | Modtaget | Skabelonversion | Afsender.

Reading validates: every problem is collected with its sheet, row and column and
raised together as one :class:`MasterError`, so finance fixes them in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from dateutil import parser as dateparser

from .fastxlsx import FastWorkbook
from .model import (
    ROUNDS,
    Agreement,
    BudgetKind,
    Committee,
    Department,
    Element,
    Result,
    Round,
    Smiley,
    Source,
    default_round_label,
    parse_smiley,
)
from .template import needs_quote
from .xlsxio import atomic_output, cell_name, read_sheets, sniff_workbook_kind

AGREEMENT_SHEET = "Aftale"
ROUNDS_SHEET = "Runder"
COMMITTEES_SHEET = "Udvalg"
DEPARTMENTS_SHEET = "Centre"
ELEMENTS_SHEET = "Indsatser"
RESULTS_SHEET = "Resultater"

AGREEMENT_FIELDS = {  # attribute -> Danish key in the Felt column
    "year": "År",
    "title": "Titel",
    "office": "Afsender",
    "date": "Dato",
    "phone": "Telefon",
    "email": "E-mail",
    "contact": "Kontakt",
    "case_number": "Sagsid",
    "guide_progress": "Læsevejledning indsats",
    "guide_economy": "Læsevejledning økonomi",
}
ROUND_COLUMNS = ("Runde", "Betegnelse", "Frist")
COMMITTEE_COLUMNS = ("Udvalg", "Nummer", "Område", "E-mail")
DEPARTMENT_COLUMNS = ("Center", "E-mail")
ELEMENT_COLUMNS = (
    "Nummer",
    "Titel",
    "Udvalg",
    "Budgettype",
    "Aftaletekst",
    "Ansvarligt center",
    "Væsentlig bidragsyder",
    "Uddybning",
    "Økonomi",
    "Milepæl 1",
    "Milepæl 2",
    "Milepæl 3",
    "Milepæl 4",
)
RESULT_COLUMNS = (
    "Nummer",
    "Runde",
    "Smiley indsats",
    "Status",
    "Smiley økonomi",
    "Status økonomi",
    "Kilde",
    "SHA-256",
    "Modtaget",
    "Skabelonversion",
    "Afsender",
)
REQUIRED_SHEETS = (AGREEMENT_SHEET, COMMITTEES_SHEET, ELEMENTS_SHEET)
REQUIRED_COLUMNS = {
    ROUNDS_SHEET: ("Runde", "Betegnelse"),
    COMMITTEES_SHEET: ("Udvalg",),
    DEPARTMENTS_SHEET: ("Center",),
    ELEMENTS_SHEET: ("Nummer", "Titel", "Udvalg"),
    RESULTS_SHEET: ("Nummer", "Runde"),
}
EMAIL_ADDRESS = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[^@\s;,<>]+$")


@dataclass(frozen=True)
class MasterProblem:
    """One thing wrong in the master, with the place to fix it."""

    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.message}"


class MasterError(Exception):
    """The master cannot be used as it is; carries every problem found."""

    def __init__(self, path: Path | str, problems: list[MasterProblem]):
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Masterfilen {self.path} kan ikke bruges:\n{lines}")


def read_master(path: Path | str) -> Agreement:
    """Read and validate the master workbook; raise MasterError listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise MasterError(path, [MasterProblem("", "", "filen findes ikke")])
    kind = sniff_workbook_kind(path)
    if kind != "xlsx":
        raise MasterError(
            path, [MasterProblem("", "", f"filen er ikke en .xlsx-projektmappe ({kind})")]
        )
    try:
        sheets = read_sheets(path)
    except Exception as exc:  # calamine raises its own types for broken files
        raise MasterError(path, [MasterProblem("", "", f"filen kan ikke læses: {exc}")]) from None
    return _MasterReader(path, sheets).read()


class _MasterReader:
    def __init__(self, path: Path, sheets: dict[str, list[list]]):
        self.path = path
        self.sheets = sheets
        self.problems: list[MasterProblem] = []

    def problem(self, sheet: str, row: int, col: int | None, message: str) -> None:
        cell = cell_name(row, col) if col is not None else (f"række {row + 1}" if row >= 0 else "")
        self.problems.append(MasterProblem(sheet, cell, message))

    def table(self, sheet: str, required: bool = True) -> list[dict] | None:
        """Rows of a sheet as dicts keyed by heading, each with its 0-based row index."""
        if sheet not in self.sheets:
            if required:
                self.problem(sheet, -1, None, f"arket '{sheet}' mangler")
            return None
        rows = self.sheets[sheet]
        if not rows:
            self.problem(sheet, 0, None, "arket er tomt; første række skal være overskrifter")
            return None
        headings = [str(v).strip() if v is not None else "" for v in rows[0]]
        missing = [c for c in REQUIRED_COLUMNS.get(sheet, ()) if c not in headings]
        for name in missing:
            self.problem(sheet, 0, None, f"kolonnen '{name}' mangler i overskriftsrækken")
        if missing:
            return None
        out = []
        for i, row in enumerate(rows[1:], start=1):
            if all(v is None or str(v).strip() == "" for v in row):
                continue
            record = {"_row": i}
            for j, h in enumerate(headings):
                if h:
                    record[h] = row[j] if j < len(row) else None
                    record["_col_" + h] = j
            out.append(record)
        return out

    def text(self, record: dict, column: str) -> str:
        value = record.get(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value) if not isinstance(value, str) else value

    def integer(self, record: dict, column: str, sheet: str) -> int | None:
        value = record.get(column)
        try:
            if isinstance(value, str):
                value = value.strip()
            number = float(value)
            if number.is_integer():
                return int(number)
        except (TypeError, ValueError):
            pass
        self.problem(sheet, record["_row"], record.get("_col_" + column), f"'{value}' er ikke et heltal")
        return None

    def a_date(self, value, sheet: str, row: int, col: int | None) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return dateparser.parse(str(value), dayfirst=True).date()
        except (ValueError, OverflowError):
            self.problem(sheet, row, col, f"'{value}' er ikke en dato (skriv fx 2018-07-04)")
            return None

    def a_datetime(self, value) -> datetime | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        try:
            return dateparser.parse(str(value))
        except (ValueError, OverflowError):
            return None

    def emails(self, value, sheet: str, row: int, col: int | None) -> tuple[str, ...]:
        parts = [p.strip() for p in re.split(r"[;,\n]", self.text({"v": value}, "v")) if p.strip()]
        for p in parts:
            if not EMAIL_ADDRESS.match(p):
                self.problem(sheet, row, col, f"'{p}' er ikke en gyldig e-mailadresse")
        return tuple(parts)

    def read(self) -> Agreement:
        for sheet in REQUIRED_SHEETS:
            if sheet not in self.sheets:
                self.problem(sheet, -1, None, f"arket '{sheet}' mangler")
        if self.problems:
            raise MasterError(self.path, self.problems)
        fields = self.read_agreement()
        rounds = self.read_rounds(fields.get("year") or 0)
        committees = self.read_committees()
        departments = self.read_departments()
        elements = self.read_elements({c.name for c in committees})
        results = self.read_results({e.number for e in elements})
        if self.problems:
            raise MasterError(self.path, self.problems)
        return Agreement(
            rounds=rounds,
            committees=committees,
            departments=departments,
            elements=elements,
            results=results,
            **fields,
        )

    def read_agreement(self) -> dict:
        rows = self.sheets[AGREEMENT_SHEET]
        by_key = {}
        for i, row in enumerate(rows):
            if row and row[0] is not None:
                by_key[str(row[0]).strip()] = (i, row[1] if len(row) > 1 else None)
        fields: dict = {}
        for attr, key in AGREEMENT_FIELDS.items():
            i, value = by_key.get(key, (-1, None))
            if attr == "year":
                if value is None:
                    self.problem(AGREEMENT_SHEET, -1, None, "feltet 'År' mangler (fx 2018)")
                    fields["year"] = None
                else:
                    fields["year"] = self.integer({"_row": i, "År": value, "_col_År": 1}, "År", AGREEMENT_SHEET)
            elif attr == "date":
                fields["date"] = self.a_date(value, AGREEMENT_SHEET, i, 1)
            else:
                fields[attr] = self.text({"v": value}, "v")
        if not fields.get("title"):
            fields["title"] = f"Aftale om budget {fields.get('year') or ''}".strip()
        return fields

    def read_rounds(self, year: int) -> tuple[Round, ...]:
        table = self.table(ROUNDS_SHEET, required=False)
        found: dict[int, Round] = {}
        for rec in table or []:
            n = self.integer(rec, "Runde", ROUNDS_SHEET)
            if n is None:
                continue
            if n not in ROUNDS:
                self.problem(ROUNDS_SHEET, rec["_row"], rec["_col_Runde"], f"runde {n} findes ikke; brug 1–4")
                continue
            if n in found:
                self.problem(ROUNDS_SHEET, rec["_row"], rec["_col_Runde"], f"runde {n} står to gange")
                continue
            label = self.text(rec, "Betegnelse").strip() or default_round_label(n, year)
            deadline = self.a_date(rec.get("Frist"), ROUNDS_SHEET, rec["_row"], rec.get("_col_Frist"))
            found[n] = Round(n, label, deadline)
        return tuple(found.get(n) or Round(n, default_round_label(n, year)) for n in ROUNDS)

    def read_committees(self) -> tuple[Committee, ...]:
        out: list[Committee] = []
        seen: set[str] = set()
        for rec in self.table(COMMITTEES_SHEET) or []:
            name = self.text(rec, "Udvalg").strip()
            if not name:
                self.problem(COMMITTEES_SHEET, rec["_row"], rec["_col_Udvalg"], "udvalgets navn mangler")
                continue
            if name in seen:
                self.problem(COMMITTEES_SHEET, rec["_row"], rec["_col_Udvalg"], f"udvalget '{name}' står to gange")
                continue
            seen.add(name)
            emails = self.emails(rec.get("E-mail"), COMMITTEES_SHEET, rec["_row"], rec.get("_col_E-mail"))
            out.append(
                Committee(
                    name=name,
                    section=self.text(rec, "Nummer").strip(),
                    area=self.text(rec, "Område").strip(),
                    emails=emails,
                )
            )
        if not out and not self.problems:
            self.problem(COMMITTEES_SHEET, 1, None, "der er ingen udvalg")
        return tuple(out)

    def read_departments(self) -> tuple[Department, ...]:
        out = []
        for rec in self.table(DEPARTMENTS_SHEET, required=False) or []:
            name = self.text(rec, "Center").strip()
            if name:
                emails = self.emails(rec.get("E-mail"), DEPARTMENTS_SHEET, rec["_row"], rec.get("_col_E-mail"))
                out.append(Department(name, emails))
        return tuple(out)

    def read_elements(self, committees: set[str]) -> tuple[Element, ...]:
        out: list[Element] = []
        seen: dict[str, int] = {}
        kinds = {k.value.casefold(): k for k in BudgetKind}
        for rec in self.table(ELEMENTS_SHEET) or []:
            row = rec["_row"]
            number = self.text(rec, "Nummer").strip().rstrip(".")
            if not number:
                self.problem(ELEMENTS_SHEET, row, rec["_col_Nummer"], "indsatsens nummer mangler")
                continue
            if number in seen:
                self.problem(
                    ELEMENTS_SHEET,
                    row,
                    rec["_col_Nummer"],
                    f"nummer {number} står også i række {seen[number] + 1}; hvert nummer må kun stå én gang",
                )
                continue
            seen[number] = row
            committee = self.text(rec, "Udvalg").strip()
            if committee not in committees:
                self.problem(
                    ELEMENTS_SHEET,
                    row,
                    rec["_col_Udvalg"],
                    f"indsats {number}: udvalget '{committee}' står ikke på arket '{COMMITTEES_SHEET}'",
                )
            kind_text = self.text(rec, "Budgettype").strip() or BudgetKind.OPERATING.value
            kind = kinds.get(kind_text.casefold())
            if kind is None:
                self.problem(
                    ELEMENTS_SHEET, row, rec.get("_col_Budgettype"), f"budgettype '{kind_text}' skal være Drift eller Anlæg"
                )
                kind = BudgetKind.OPERATING
            out.append(
                Element(
                    number=number,
                    title=self.text(rec, "Titel").strip(),
                    committee=committee,
                    budget_kind=kind,
                    agreement_text=self.text(rec, "Aftaletekst"),
                    department=self.text(rec, "Ansvarligt center").strip(),
                    contributors=self.text(rec, "Væsentlig bidragsyder"),
                    supplementary_text=self.text(rec, "Uddybning"),
                    economy_text=self.text(rec, "Økonomi"),
                    milestones=tuple(self.text(rec, f"Milepæl {n}") for n in ROUNDS),
                )
            )
        return tuple(out)

    def read_results(self, numbers: set[str]) -> tuple[Result, ...]:
        out: list[Result] = []
        seen: set[tuple[str, int]] = set()
        for rec in self.table(RESULTS_SHEET, required=False) or []:
            row = rec["_row"]
            number = self.text(rec, "Nummer").strip().rstrip(".")
            if number not in numbers:
                self.problem(RESULTS_SHEET, row, rec["_col_Nummer"], f"indsats '{number}' står ikke på arket '{ELEMENTS_SHEET}'")
                continue
            n = self.integer(rec, "Runde", RESULTS_SHEET)
            if n is None:
                continue
            if n not in ROUNDS:
                self.problem(RESULTS_SHEET, row, rec["_col_Runde"], f"runde {n} findes ikke; brug 1–4")
                continue
            if (number, n) in seen:
                self.problem(RESULTS_SHEET, row, rec["_col_Nummer"], f"indsats {number} har to resultater for runde {n}")
                continue
            seen.add((number, n))
            progress = self.smiley(rec, "Smiley indsats")
            economy = self.smiley(rec, "Smiley økonomi")
            source = None
            if self.text(rec, "Kilde"):
                source = Source(
                    file=self.text(rec, "Kilde"),
                    sha256=self.text(rec, "SHA-256"),
                    received=self.a_datetime(rec.get("Modtaget")),
                    template_version=self.text(rec, "Skabelonversion"),
                    sender=self.text(rec, "Afsender"),
                )
            out.append(
                Result(
                    element=number,
                    round=n,
                    progress=progress,
                    status=self.text(rec, "Status"),
                    economy=economy,
                    economy_status=self.text(rec, "Status økonomi"),
                    source=source,
                )
            )
        return tuple(out)

    def smiley(self, rec: dict, column: str) -> Smiley | None:
        text = self.text(rec, column)
        state, _exact = parse_smiley(text)
        if state is None and text.strip():
            self.problem(RESULTS_SHEET, rec["_row"], rec.get("_col_" + column), f"'{text}' er ikke en smiley (Grøn, Gul eller Rød)")
        return state


def write_master(agreement: Agreement, path: Path | str) -> Path:
    """Write the agreement as a master workbook, atomically. Reading it back gives an equal model.

    Written with the lean writer: a large municipality's master has tens of thousands
    of rows, and collect rewrites it every round.
    """
    path = Path(path)
    with atomic_output(path) as tmp:
        wb = FastWorkbook(tmp)
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "valign": "top"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        quoted = wb.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})  # "=SUM(A1)" stays text when edited
        datefmt = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top", "align": "left"})
        stampfmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss", "valign": "top", "align": "left"})

        def sheet(name, headings, rows, widths):
            ws = wb.add_worksheet(name)
            for c, h in enumerate(headings):
                ws.write_string(0, c, h, head)
                ws.set_column(c, c, widths[c] if c < len(widths) else 30)
            for r, values in enumerate(rows, start=1):
                for c, v in enumerate(values):
                    if v is None or v == "":
                        continue
                    if isinstance(v, datetime):
                        ws.write_datetime(r, c, v, stampfmt)
                    elif isinstance(v, date):
                        ws.write_datetime(r, c, datetime(v.year, v.month, v.day), datefmt)
                    elif isinstance(v, (int, float)):
                        ws.write_number(r, c, v, wrap)
                    else:
                        ws.write_string(r, c, str(v), quoted if needs_quote(str(v)) else wrap)
            ws.freeze_panes(1, 0)
            if rows:
                ws.autofilter(0, 0, len(rows), len(headings) - 1)
            return ws

        a = agreement
        sheet(
            AGREEMENT_SHEET,
            ("Felt", "Værdi"),
            [(key, getattr(a, attr)) for attr, key in AGREEMENT_FIELDS.items()],
            (24, 100),
        )
        sheet(ROUNDS_SHEET, ROUND_COLUMNS, [(r.number, r.label, r.deadline) for r in a.rounds], (8, 28, 14))
        sheet(
            COMMITTEES_SHEET,
            COMMITTEE_COLUMNS,
            [(c.name, c.section, c.area, "; ".join(c.emails)) for c in a.committees],
            (40, 10, 30, 50),
        )
        sheet(DEPARTMENTS_SHEET, DEPARTMENT_COLUMNS, [(d.name, "; ".join(d.emails)) for d in a.departments], (40, 50))
        sheet(
            ELEMENTS_SHEET,
            ELEMENT_COLUMNS,
            [
                (
                    e.number,
                    e.title,
                    e.committee,
                    e.budget_kind.value,
                    e.agreement_text,
                    e.department,
                    e.contributors,
                    e.supplementary_text,
                    e.economy_text,
                    *e.milestones,
                )
                for e in a.elements
            ],
            (10, 36, 30, 10, 60, 24, 24, 50, 40, 40, 40, 40, 40),
        )
        sheet(
            RESULTS_SHEET,
            RESULT_COLUMNS,
            [
                (
                    r.element,
                    r.round,
                    r.progress.label if r.progress else "",
                    r.status,
                    r.economy.label if r.economy else "",
                    r.economy_status,
                    *(
                        (r.source.file, r.source.sha256, r.source.received, r.source.template_version, r.source.sender)
                        if r.source
                        else ()
                    ),
                )
                for r in a.results
            ],
            (10, 8, 14, 60, 14, 60, 40, 66, 20, 14, 30),
        )
        wb.close()
    return path
