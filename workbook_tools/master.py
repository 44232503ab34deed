"""The master workbook: finance's source of truth, kept in Excel.

Layout (one header row per sheet, Danish headings; extra columns are ignored):

* ``Aftale``     – ``Felt`` | ``Værdi``: År, Titel, Afsender, Dato, Telefon, E-mail,
  Kontakt, Sagsid, Læsevejledning indsats, Læsevejledning økonomi, and (optional) Oversigt
  sendes til (addresses for ``followup mail overview``, several separated by ``;``).
* ``Runder``     – Runde (1–4) | Betegnelse | Frist.
* ``Udvalg``     – Udvalg | Nummer | Område | E-mail (several separated by ``;``).
* ``Centre``     – Center | E-mail  (optional; addresses for per-department templates).
* ``Indsatser``  – Nummer | Titel | Udvalg | Budgettype | Aftaletekst | Ansvarligt center |
  Væsentlig bidragsyder | Uddybning | Økonomi | Milepæl 1 | Milepæl 2 | Milepæl 3 | Milepæl 4.
* ``Resultater`` – Nummer | Runde | Smiley indsats | Status | Smiley økonomi | Status økonomi |
  Kilde | SHA-256 | Modtaget | Skabelonversion | Afsender.

Reading validates: every problem is collected with its sheet, row and column and
raised together as one :class:`MasterError`, so finance fixes them in one pass.
Reading also warns, without stopping, of what is likely but not surely wrong: a text
that names another year than the agreement's (a master copied from last year), an
element number Excel stored as a number and may have cut a zero from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import zip_longest
from pathlib import Path

from dateutil import parser as dateparser
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .atomic import atomic_output
from .danish import DANISH_MONTHS, ENGLISH_MONTHS, listed, long_date, quoted
from .errors import FollowupError
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
from .sheets import NotXlsx, SheetsOnDemand, SheetUnreadable
from .workers import collection_paused, return_freed_memory
from .xlsxio import needs_quote

AGREEMENT_SHEET = "Aftale"
ROUNDS_SHEET = "Runder"
COMMITTEES_SHEET = "Udvalg"
DEPARTMENTS_SHEET = "Centre"
ELEMENTS_SHEET = "Indsatser"
RESULTS_SHEET = "Resultater"


class _DateWords(dateparser.parserinfo):
    """Month names as the seed writes dates ("4. juli 2018"), in Danish and English, and day first."""

    MONTHS = [tuple(dict.fromkeys((da[:3], da, en[:3], en))) for da, en in zip(DANISH_MONTHS, ENGLISH_MONTHS, strict=True)]


_DATE_WORDS = _DateWords(dayfirst=True)

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
    "overview_to": "Oversigt sendes til",  # optional: older masters have no such row
}
AGREEMENT_COLUMNS = ("Felt", "Værdi")
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
RESULT_WIDTHS = (10, 8, 14, 60, 14, 60, 40, 66, 20, 14, 30)
SHEET_COLUMNS = {
    AGREEMENT_SHEET: AGREEMENT_COLUMNS,
    ROUNDS_SHEET: ROUND_COLUMNS,
    COMMITTEES_SHEET: COMMITTEE_COLUMNS,
    DEPARTMENTS_SHEET: DEPARTMENT_COLUMNS,
    ELEMENTS_SHEET: ELEMENT_COLUMNS,
    RESULTS_SHEET: RESULT_COLUMNS,
}  # the tool's sheets and their headings, as write_master writes them; any other sheet or column is finance's own
DATE_FORMAT = "yyyy-mm-dd"  # the number formats write_master gives a date and a time of receipt
STAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"
REQUIRED_SHEETS = (AGREEMENT_SHEET, COMMITTEES_SHEET, ELEMENTS_SHEET)
REQUIRED_COLUMNS = {
    ROUNDS_SHEET: ("Runde", "Betegnelse"),
    COMMITTEES_SHEET: ("Udvalg",),
    DEPARTMENTS_SHEET: ("Center",),
    ELEMENTS_SHEET: ("Nummer", "Titel", "Udvalg"),
    RESULTS_SHEET: ("Nummer", "Runde"),
}
EMAIL_ADDRESS = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[^@\s;,<>]+$")
# A budget covers its year and three "overslagsår": the seed's own milestones say "fra 2020"
# in a 2018 agreement. Later years than these, and any earlier year, are warned about.
LATER_YEARS = 3
YEAR_TEXT_FIELDS = ("Titel", "Læsevejledning indsats", "Læsevejledning økonomi")
MILESTONE_COLUMNS = ELEMENT_COLUMNS[-4:]


@dataclass(frozen=True)
class MasterProblem:
    """One thing wrong in the master, with the place to fix it."""

    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.message}" if where else self.message  # the whole file: no place to name


class MasterError(FollowupError):
    """The master cannot be used as it is; carries every problem found."""

    def __init__(self, path: Path | str, problems: list[MasterProblem]):
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Masterfilen {self.path} kan ikke bruges:\n{lines}")


def read_master(path: Path | str, *, warnings: list[MasterProblem] | None = None) -> Agreement:
    """Read and validate the master workbook; raise MasterError listing every problem.

    `warnings`, when given, gets what finance should look at but that does not stop the
    run (a title naming last year, an element number that may have lost a zero), each
    with its cell. It is filled as the sheets are read, so it also holds the warnings
    found before a MasterError: finance can fix both in one pass.
    """
    path = Path(path)
    if not path.is_file():
        raise MasterError(path, [MasterProblem("", "", "filen findes ikke")])
    with collection_paused():
        try:
            reader = _MasterReader(path, SheetsOnDemand(path), warnings)
            try:
                agreement = reader.read()
            finally:
                if reader.formats is not None:
                    reader.formats.close()  # an open file cannot be replaced on Windows
        except NotXlsx as exc:
            raise MasterError(path, [MasterProblem("", "", str(exc))]) from None
        except SheetUnreadable as exc:
            raise MasterError(path, [MasterProblem("", "", f"filen kan ikke læses: {exc}")]) from None
    return_freed_memory()
    return agreement


def _text(value) -> str:
    """A cell's value as text: whole numbers without ".0", nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, str) else str(value)


def _year_patterns(year: int) -> tuple[re.Pattern, ...]:
    """Years other than the agreement's `year` and its LATER_YEARS, as they stand in a text.

    A year is four digits, 1900–2199, not part of a longer number: not beside another
    digit, nor after or before a decimal comma ("3,2019"). A date's year counts
    ("31.12.2018"). The allowed years are left out by the patterns themselves, so a text
    that names only those is not matched at all.

    One pattern per century, each starting with its two digits: a pattern that starts
    with a literal is searched for as a substring, several times faster over a column of
    50,000 milestones than one pattern that must be tried at every character.
    """
    allowed = "".join(f"(?<!{y})" for y in range(year, year + LATER_YEARS + 1) if 1000 <= y <= 9999)  # År 7: no year is allowed
    return tuple(re.compile(rf"{c}(?<!\d{c})(?<!\d,{c})\d\d{allowed}(?!\d|,\d)") for c in ("19", "20", "21"))


def _blank(row: list) -> bool:
    return all(v is None or (v.strip() if v.__class__ is str else str(v).strip()) == "" for v in row)


class _Table:
    """A sheet's rows under its headings, blank rows left out, read a column at a time.

    Columns, not a dict per row: a master has tens of thousands of rows and each
    column is converted in one pass.
    """

    def __init__(self, sheet: str, headings: list[str], rows: list[list], numbers: list[int], shown=None):
        self.sheet = sheet
        self._shown = shown  # (sheet, row, col, value) -> the text Excel shows; None: as _text
        self.numbers = numbers  # each row's 0-based row in the sheet
        self._index = {h: j for j, h in enumerate(headings) if h}  # a repeated heading: the last one counts
        self._columns = list(zip_longest(*rows)) if rows else []
        self._texts: dict[str, list[str]] = {}  # a column asked for twice is made (and warned about) once

    def col(self, name: str) -> int | None:
        """The column's 0-based index, for messages; None when the sheet lacks it."""
        return self._index.get(name)

    def values(self, name: str) -> Sequence:
        j = self._index.get(name)
        if j is None or j >= len(self._columns):
            return [None] * len(self.numbers)
        return self._columns[j]

    def texts(self, name: str) -> list[str]:
        """The column as the texts Excel shows: a number or date typed into a text column reads as it stood in the cell."""
        if name not in self._texts:
            j = self._index.get(name)
            shown = self._shown
            if shown is None or j is None:
                self._texts[name] = [v if v.__class__ is str else _text(v) for v in self.values(name)]
            else:
                self._texts[name] = [
                    v if v.__class__ is str else "" if v is None else shown(self.sheet, row, j, v)
                    for row, v in zip(self.numbers, self.values(name))
                ]
        return self._texts[name]


class _CellFormats:
    """The number formats of a master's cells, from its styles and sheet XML: read once, and only if asked.

    Finance may have typed a whole column of milestones as dates: each column's cell
    styles are found in one pass over its sheet, and each style's number format is
    looked up once (ooxml.number_format searches the sheet for the cell it is asked about).
    """

    def __init__(self, path: Path):
        import zipfile

        from .ooxml import read_parts
        from .zipguard import has_dtd

        self._zip = zipfile.ZipFile(path)
        self._names = set(self._zip.namelist())
        wanted = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml")
        self._members = {n: self._read(n) for n in wanted if n in self._names}
        # The master never passed collect's zip guard: a part with a DTD is left unread (its formats are "General").
        self._members = {n: data for n, data in self._members.items() if not has_dtd(data)}
        self._parts = read_parts(self._members)  # no sheet part given: names and paths only, nothing scanned
        self._columns: dict[tuple[str, int], dict[int, bytes]] = {}  # (sheet, column) -> row -> style index
        self._formats: dict[bytes | None, str] = {}  # style index (None: no style) -> number format

    def _read(self, name: str) -> bytes:
        from .zipguard import read_zip_member

        return read_zip_member(self._zip, name)

    def close(self) -> None:
        self._zip.close()

    def shown(self, sheet: str, row: int, col: int, value) -> str:
        from .ooxml import number_format
        from .sheetvalues import as_shown

        if (sheet, col) not in self._columns:
            self._columns[sheet, col] = self._column_styles(sheet, col)
        style = self._columns[sheet, col].get(row + 1)
        if style not in self._formats:
            self._formats[style] = number_format(self._members, self._parts, sheet, xl_rowcol_to_cell(row, col))
        return as_shown(value, self._formats[style])

    def _column_styles(self, sheet: str, col: int) -> dict[int, bytes]:
        """Row (1-based) -> style index of the cells in `col` that have a style."""
        target = self._parts.sheet_paths.get(sheet, "")
        if target and target not in self._members and target in self._names:
            self._members[target] = self._read(target)
        letters = xl_col_to_name(col).encode()
        styled = re.compile(rb'<(?:\w+:)?c(?=\s)(?=[^>]*?\sr="' + letters + rb'(\d+)")(?=[^>]*?\ss="(\d+)")')
        return {int(r): s for r, s in styled.findall(self._members.get(target, b""))}


class _MasterReader:
    def __init__(self, path: Path, sheets: SheetsOnDemand, warnings: list[MasterProblem] | None = None):
        self.path = path
        self.sheets = sheets
        self.problems: list[MasterProblem] = []
        self.warnings: list[MasterProblem] = [] if warnings is None else warnings
        self.year: int | None = None
        self.other_years: tuple[re.Pattern, ...] = ()  # both set once the agreement's year is read
        self.field_rows: dict[str, int] = {}  # Aftale's text fields checked for years: key -> row
        self.formats: _CellFormats | None = None  # read when a text cell turns out to hold a number or date

    def shown(self, sheet: str, row: int, col: int, value) -> str:
        """A number, date or truth value in a text cell as Excel shows it (its number format), noted for finance where that is not plain.

        Finance types "1.6.2026" as a milestone and Excel stores a date; the text in the
        generated workbooks must read as finance saw it ("01-06-2026"), not "2026-06-01".
        The styles are read from the file only when such a cell turns up.
        """
        if self.formats is None:
            self.formats = _CellFormats(self.path)
        text = self.formats.shown(sheet, row, col, value)
        if text != _text(value) or isinstance(value, (date, time, timedelta)):
            self.warning(
                sheet, row, col, f"cellen rummer et tal eller en dato, ikke tekst; den er læst, som Excel viser den: {quoted(text)}"
            )
        return text

    def problem(self, sheet: str, row: int, col: int | None, message: str) -> None:
        cell = xl_rowcol_to_cell(row, col) if col is not None else (f"række {row + 1}" if row >= 0 else "")
        self.problems.append(MasterProblem(sheet, cell, message))

    def warning(self, sheet: str, row: int, col: int, message: str) -> None:
        self.warnings.append(MasterProblem(sheet, xl_rowcol_to_cell(row, col), message))

    def check_years(self, sheet: str, rows: Sequence[int], col: int | None, texts: Sequence[str], what: str, keys: Sequence = ()) -> None:
        """Warn of each cell whose text names a year outside the agreement's budget period.

        The typical case: a new year's master made from last year's, still saying "Aftale
        om budget 2018". `what` names the text in the message, its "{}" filled with the
        row's entry in `keys` (the element's number). The whole column is searched at
        once; only a column with a hit is gone through cell by cell.
        """
        patterns = self.other_years
        if col is None or not patterns:
            return
        joined = "\x00".join(texts)
        if not any(p.search(joined) for p in patterns):
            return
        for k, (row, text) in enumerate(zip(rows, texts)):
            found = [y for p in patterns for y in p.findall(text)]
            if found:
                name = what.format((keys[k] or "").strip()) if keys else what
                self.warning(
                    sheet,
                    row,
                    col,
                    f"{name} nævner {listed(sorted(set(found)))}, men aftalens År er {self.year}; "
                    "ret teksten, eller ret År, hvis det er årstallet der er forkert",
                )

    def number_text(self, value, sheet: str, row: int, col: int | None, warn: bool) -> str | None:
        """An element number that is not text, read as finance typed it; None (with the problem noted) for a date.

        A number in a General-formatted cell is stored without what Excel thinks are
        needless zeros: 3.10 is kept as 3.1. A whole number is written without ".0"; any
        other as its shortest form, which is what was typed unless a trailing zero was
        dropped. That can only be seen where the shortest form has one decimal: 3.1 may
        have been 3.10, while 5.01 and 5.13 are as typed. So one decimal is warned about
        (with `warn`: the element's own cell, not the results that refer to it).
        A date or time is an error: Danish Excel turns a typed 5.01 into 5 January, and
        which number was meant can only be guessed.
        """
        if value is None:
            return ""
        if isinstance(value, date):  # a datetime is a date too
            d = value.date() if isinstance(value, datetime) else value
            self.problem(
                sheet,
                row,
                col,
                f"nummeret står som datoen {long_date(d)}; Excel gør et nummer som {d.day}.{d.month:02d} til en dato. "
                "Formatér kolonnen Nummer som Tekst, og skriv nummeret igen",
            )
            return None
        if isinstance(value, (time, timedelta)):
            self.problem(
                sheet,
                row,
                col,
                f"nummeret står som klokkeslættet {value}; Excel har læst det indtastede som et klokkeslæt. "
                "Formatér kolonnen Nummer som Tekst, og skriv nummeret igen",
            )
            return None
        if value.__class__ is not float or value.is_integer():
            return _text(value)
        text = repr(value)
        if warn and len(text) - text.find(".") == 2:  # one decimal: "3.1"
            self.warning(
                sheet,
                row,
                col,
                f"nummeret står som tallet {text}; stod der {text}0, er nullet tabt. "
                "Formatér kolonnen Nummer som Tekst og skriv nummeret igen",
            )
        return text

    def numbers(self, t: _Table, warn: bool) -> list[str | None]:
        """The Nummer column as text, the same way for elements and the results that refer to them.

        Text is taken as it is; only a cell holding a number or a date is looked at
        (`number_text`), so a master typed as text costs one type check a row.
        """
        col = t.col("Nummer")
        return [v if v.__class__ is str else self.number_text(v, t.sheet, row, col, warn) for row, v in zip(t.numbers, t.values("Nummer"))]

    def table(self, sheet: str, required: bool = True) -> _Table | None:
        """The sheet's rows under its headings, or None (with the problem noted) when it cannot be read.

        The sheet's rows are handed over, not copied: once in columns, the rows are let
        go, so a big master is not held twice while it is read. Each sheet is read once.
        """
        if sheet not in self.sheets:
            if required:
                self.problem(sheet, -1, None, f"arket '{sheet}' mangler")
            return None
        rows = self.sheets.pop(sheet)
        if not rows:
            self.problem(sheet, 0, None, "arket er tomt; første række skal være overskrifter")
            return None
        headings = [str(v).strip() if v is not None else "" for v in rows[0]]
        missing = [c for c in REQUIRED_COLUMNS.get(sheet, ()) if c not in headings]
        for name in missing:
            self.problem(sheet, 0, None, f"kolonnen '{name}' mangler i overskriftsrækken")
        if missing:
            return None
        numbers = [i for i, row in enumerate(rows) if i and not _blank(row)]
        return _Table(sheet, headings, [rows[i] for i in numbers], numbers, self.shown)

    def integer(self, value, sheet: str, row: int, col: int | None) -> int | None:
        try:
            if isinstance(value, str):
                value = value.strip()
            number = float(value)
            if number.is_integer():
                return int(number)
        except (TypeError, ValueError):
            pass
        self.problem(sheet, row, col, f"'{value}' er ikke et heltal")
        return None

    def round_number(self, value, sheet: str, row: int, col: int | None) -> int | None:
        """A round's number, 1–4; None (with the problem noted) for anything else."""
        n = self.integer(value, sheet, row, col)
        if n is not None and n not in ROUNDS:
            self.problem(sheet, row, col, f"runde {n} findes ikke; brug 1–4")
            return None
        return n

    def a_date(self, value, sheet: str, row: int, col: int | None, year: int | None = None) -> date | None:
        """A date as Excel stores it, or as finance types it: "4. juli 2018", 04-07-2018, 2018-07-04.

        Without a year it is the agreement's `year`, not this one. Without a day or a month
        it is refused: "marts" is no deadline.
        """
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        year = year or date.today().year
        try:
            # Parsed twice, on two defaults: where they differ, the text did not say.
            one, other = (dateparser.parse(str(value), parserinfo=_DATE_WORDS, default=datetime(year, m, m)) for m in (1, 2))
        except (ValueError, OverflowError):
            one = other = None
        if one is None or (one.month, one.day) != (other.month, other.day):
            self.problem(sheet, row, col, f"'{value}' er ikke en hel dato (skriv fx 4. juli {year} eller {year}-07-04)")
            return None
        return one.date()

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
        parts = [p.strip() for p in re.split(r"[;,\n]", _text(value)) if p.strip()]
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
        self.year = fields.get("year")
        if self.year:
            self.other_years = _year_patterns(self.year)
            self.check_agreement_years(fields)
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
                    fields["year"] = self.integer(value, AGREEMENT_SHEET, i, 1)
            elif attr == "date":
                fields["date"] = self.a_date(value, AGREEMENT_SHEET, i, 1, fields.get("year"))
            elif attr == "overview_to":
                fields[attr] = "; ".join(self.emails(value, AGREEMENT_SHEET, i, 1))
            else:
                fields[attr] = _text(value) if value is None or value.__class__ is str else self.shown(AGREEMENT_SHEET, i, 1, value)
        self.field_rows = {key: by_key[key][0] for key in YEAR_TEXT_FIELDS if key in by_key}
        if not fields.get("title"):
            fields["title"] = f"Aftale om budget {fields.get('year') or ''}".strip()
        return fields

    def check_agreement_years(self, fields: dict) -> None:
        """The title and the reading guides, where a copied master most often keeps last year."""
        attrs = {key: attr for attr, key in AGREEMENT_FIELDS.items()}
        for key, row in self.field_rows.items():
            self.check_years(AGREEMENT_SHEET, [row], 1, [fields[attrs[key]]], f"'{key}'")

    def read_rounds(self, year: int) -> tuple[Round, ...]:
        found: dict[int, Round] = {}
        t = self.table(ROUNDS_SHEET, required=False)
        if t is not None:
            col, frist = t.col("Runde"), t.col("Frist")
            for row, value, label, deadline in zip(t.numbers, t.values("Runde"), t.texts("Betegnelse"), t.values("Frist")):
                n = self.round_number(value, ROUNDS_SHEET, row, col)
                if n is None:
                    continue
                if n in found:
                    self.problem(ROUNDS_SHEET, row, col, f"runde {n} står to gange")
                    continue
                found[n] = Round(n, label.strip() or default_round_label(n, year), self.a_date(deadline, ROUNDS_SHEET, row, frist, year))
            rounds = [_text(v) for v in t.values("Runde")]
            self.check_years(ROUNDS_SHEET, t.numbers, t.col("Betegnelse"), t.texts("Betegnelse"), "betegnelsen for runde {}", rounds)
        return tuple(found.get(n) or Round(n, default_round_label(n, year)) for n in ROUNDS)

    def read_committees(self) -> tuple[Committee, ...]:
        out: list[Committee] = []
        seen: set[str] = set()
        t = self.table(COMMITTEES_SHEET)
        if t is not None:
            col, mail = t.col("Udvalg"), t.col("E-mail")
            columns = (t.numbers, t.texts("Udvalg"), t.texts("Nummer"), t.texts("Område"), t.values("E-mail"))
            for row, name, section, area, emails in zip(*columns):
                name = name.strip()
                if not name:
                    self.problem(COMMITTEES_SHEET, row, col, "udvalgets navn mangler")
                    continue
                if name in seen:
                    self.problem(COMMITTEES_SHEET, row, col, f"udvalget '{name}' står to gange")
                    continue
                seen.add(name)
                out.append(
                    Committee(
                        name=name, section=section.strip(), area=area.strip(), emails=self.emails(emails, COMMITTEES_SHEET, row, mail)
                    )
                )
        if not out and not self.problems:
            self.problem(COMMITTEES_SHEET, 1, None, "der er ingen udvalg")
        return tuple(out)

    def read_departments(self) -> tuple[Department, ...]:
        out = []
        t = self.table(DEPARTMENTS_SHEET, required=False)
        if t is not None:
            mail = t.col("E-mail")
            for row, name, emails in zip(t.numbers, t.texts("Center"), t.values("E-mail")):
                if name.strip():
                    out.append(Department(name.strip(), self.emails(emails, DEPARTMENTS_SHEET, row, mail)))
        return tuple(out)

    def read_elements(self, committees: set[str]) -> tuple[Element, ...]:
        out: list[Element] = []
        t = self.table(ELEMENTS_SHEET)
        if t is None:
            return ()
        seen: dict[str, int] = {}
        kinds = {k.value.casefold(): k for k in BudgetKind}
        col_number, col_committee, col_kind = t.col("Nummer"), t.col("Udvalg"), t.col("Budgettype")
        texts = [self.numbers(t, warn=True)] + [t.texts(name) for name in ELEMENT_COLUMNS[1:]]
        for row, number, title, committee, kind_text, agreement, department, contributors, more, economy, *milestones in zip(
            t.numbers, *texts
        ):
            if number is None:
                continue
            number = number.strip().rstrip(".")
            if not number:
                self.problem(ELEMENTS_SHEET, row, col_number, "indsatsens nummer mangler")
                continue
            if number in seen:
                self.problem(
                    ELEMENTS_SHEET,
                    row,
                    col_number,
                    f"nummer {number} står også i række {seen[number] + 1}; hvert nummer må kun stå én gang",
                )
                continue
            seen[number] = row
            committee = committee.strip()
            if committee not in committees:
                self.problem(
                    ELEMENTS_SHEET,
                    row,
                    col_committee,
                    f"indsats {number}: udvalget '{committee}' står ikke på arket '{COMMITTEES_SHEET}'",
                )
            kind_text = kind_text.strip() or BudgetKind.OPERATING.value
            kind = kinds.get(kind_text.casefold())
            if kind is None:
                self.problem(ELEMENTS_SHEET, row, col_kind, f"budgettype '{kind_text}' skal være Drift eller Anlæg")
                kind = BudgetKind.OPERATING
            out.append(
                Element(
                    number=number,
                    title=title.strip(),
                    committee=committee,
                    budget_kind=kind,
                    agreement_text=agreement,
                    department=department.strip(),
                    contributors=contributors,
                    supplementary_text=more,
                    economy_text=economy,
                    milestones=tuple(milestones),
                )
            )
        for name, milestones in zip(MILESTONE_COLUMNS, texts[-4:], strict=True):
            self.check_years(ELEMENTS_SHEET, t.numbers, t.col(name), milestones, f"{name} for indsats {{}}", texts[0])
        return tuple(out)

    def read_results(self, numbers: set[str]) -> tuple[Result, ...]:
        out: list[Result] = []
        t = self.table(RESULTS_SHEET, required=False)
        if t is None:
            return ()
        seen: set[tuple[str, int]] = set()
        col_number, col_round = t.col("Nummer"), t.col("Runde")
        smileys = {name: (t.col(name), {}) for name in ("Smiley indsats", "Smiley økonomi")}
        columns = [t.numbers, self.numbers(t, warn=False), t.values("Runde"), t.texts("Smiley indsats"), t.texts("Status")]
        columns += [t.texts(name) for name in ("Smiley økonomi", "Status økonomi", "Kilde", "SHA-256")]
        columns += [t.values("Modtaget"), t.texts("Skabelonversion"), t.texts("Afsender")]
        for row, number, value, progress, status, economy, economy_status, file, sha, received, version, sender in zip(*columns):
            if number is None:
                continue
            number = number.strip().rstrip(".")
            if number not in numbers:
                self.problem(RESULTS_SHEET, row, col_number, f"indsats '{number}' står ikke på arket '{ELEMENTS_SHEET}'")
                continue
            n = self.round_number(value, RESULTS_SHEET, row, col_round)
            if n is None:
                continue
            if (number, n) in seen:
                self.problem(RESULTS_SHEET, row, col_number, f"indsats {number} har to resultater for runde {n}")
                continue
            seen.add((number, n))
            source = None
            if file:
                source = Source(file=file, sha256=sha, received=self.a_datetime(received), template_version=version, sender=sender)
            out.append(
                Result(
                    element=number,
                    round=n,
                    progress=self.smiley(progress, row, *smileys["Smiley indsats"]),
                    status=status,
                    economy=self.smiley(economy, row, *smileys["Smiley økonomi"]),
                    economy_status=economy_status,
                    source=source,
                )
            )
        return tuple(out)

    def smiley(self, text: str, row: int, col: int | None, known: dict) -> Smiley | None:
        """The smiley a cell names; each distinct text is looked up once (`known` remembers it)."""
        if text not in known:
            known[text] = parse_smiley(text)[0]
        state = known[text]
        if state is None and text.strip():
            self.problem(RESULTS_SHEET, row, col, f"'{text}' er ikke en smiley (Grøn, Gul eller Rød)")
        return state


def element_row(e: Element) -> tuple:
    """An indsats's cells in the order of ELEMENT_COLUMNS."""
    return (e.number, e.title, e.committee, e.budget_kind.value, e.agreement_text, e.department,
            e.contributors, e.supplementary_text, e.economy_text, *e.milestones)  # fmt: skip


_LABELS = {s: s.label for s in Smiley}


def result_row(r: Result) -> tuple:
    """A result's cells in the order of RESULT_COLUMNS; without a source, the first six."""
    values = (r.element, r.round, _LABELS.get(r.progress, ""), r.status, _LABELS.get(r.economy, ""), r.economy_status)
    s = r.source
    return values + (s.file, s.sha256, s.received, s.template_version, s.sender) if s else values


def write_master(agreement: Agreement, path: Path | str) -> Path:
    """Write the agreement as a master workbook, atomically. Reading it back gives an equal model.

    Written with the lean writer, a sheet's rows in one write_rows: a large
    municipality's master has tens of thousands of rows, and collect rewrites it
    every round.
    """
    path = Path(path)
    with atomic_output(path) as tmp:
        wb = FastWorkbook(tmp)
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "valign": "top"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        quoted = wb.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})  # "=SUM(A1)" stays text when edited
        datefmt = wb.add_format({"num_format": DATE_FORMAT, "valign": "top", "align": "left"})
        stampfmt = wb.add_format({"num_format": STAMP_FORMAT, "valign": "top", "align": "left"})

        def dated(value):
            """A date or time as a cell in its own format; other values as they are."""
            if isinstance(value, datetime):
                return (value, stampfmt)
            return (value, datefmt) if isinstance(value, date) else value

        def sheet(name, headings, rows, widths):
            ws = wb.add_worksheet(name)
            for c, h in enumerate(headings):
                ws.write_string(0, c, h, head)
                ws.set_column(c, c, widths[c] if c < len(widths) else 30)
            ws.write_rows(1, rows, [wrap] * len(headings), [quoted] * len(headings), needs_quote)
            ws.freeze_panes(1, 0)
            if rows:
                ws.autofilter(0, 0, len(rows), len(headings) - 1)
            return ws

        a = agreement
        sheet(
            AGREEMENT_SHEET,
            AGREEMENT_COLUMNS,
            [(key, dated(getattr(a, attr))) for attr, key in AGREEMENT_FIELDS.items()],
            (24, 100),
        )
        sheet(ROUNDS_SHEET, ROUND_COLUMNS, [(r.number, r.label, dated(r.deadline)) for r in a.rounds], (8, 28, 14))
        sheet(
            COMMITTEES_SHEET,
            COMMITTEE_COLUMNS,
            [(c.name, c.section, c.area, "; ".join(c.emails)) for c in a.committees],
            (40, 10, 30, 50),
        )
        sheet(DEPARTMENTS_SHEET, DEPARTMENT_COLUMNS, [(d.name, "; ".join(d.emails)) for d in a.departments], (40, 50))
        sheet(ELEMENTS_SHEET, ELEMENT_COLUMNS, [element_row(e) for e in a.elements], (10, 36, 30, 10, 60, 24, 24, 50, 40, 40, 40, 40, 40))
        stamp = RESULT_COLUMNS.index("Modtaget")
        rows = [result_row(r) for r in a.results]
        sheet(
            RESULTS_SHEET,
            RESULT_COLUMNS,
            [(*r[:stamp], dated(r[stamp]), *r[stamp + 1 :]) if len(r) > stamp else r for r in rows],
            RESULT_WIDTHS,
        )
        wb.close()
    return path
