"""`followup new-year`: next year's master from this year's, with the results cleared and the year moved on.

Finance starts every year from last year's master: the same committees,
departments, addresses and mostly the same indsatser. Doing it by hand means
hunting "2018" through hundreds of cells and forgetting some. Here the texts
that are finance's own wording (title, reading guides, round labels,
milestones) get the new year; the texts of the agreement itself (aftaletekst,
uddybning, økonomi, bidragsydere, titler) are the politicians' words and are
never rewritten, only listed, so finance reads them once instead of searching.

`roll_over` is pure; `write_new_year` reads, writes and copies the year
folder's layout and mail texts; `new_year_lines` says what happened.

The new master is last year's workbook, not a new one: finance's own sheets,
columns, comments, fills and widths come along. It is the old file's zip with only
the cells that change written (year, title, date, reading guides, round labels and
deadlines, milestones), the results' rows cleared and the rows of indsatser left out
removed (masterpatch, which keeps everything else byte for byte). A master that
cannot be brought over that way is written afresh, and a line says what of
finance's own was not carried over.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta
from xlsxwriter.utility import xl_rowcol_to_cell

from .atomic import atomic_write_bytes
from .danish import listed, long_date
from .errors import FollowupError
from .master import (
    AGREEMENT_FIELDS,
    AGREEMENT_SHEET,
    COMMITTEE_COLUMNS,
    COMMITTEES_SHEET,
    DEPARTMENT_COLUMNS,
    DEPARTMENTS_SHEET,
    ELEMENT_COLUMNS,
    ELEMENTS_SHEET,
    ROUND_COLUMNS,
    ROUNDS_SHEET,
    element_row,
    read_master,
)
from .masterpatch import write_merged_master
from .model import Agreement, Element, Result, Round, Smiley
from .outfolder import MASTER_NAME
from .sheets import SheetsOnDemand
from .yearfolder import LAYOUT_NAME, MAIL_TEXTS_DIR, add_missing_files, files_for, refresh_unedited

FIRST_YEAR, LAST_YEAR = 1900, 2200
EXCERPT_WIDTH = 80
# The texts finance writes for the year: these get the new year.
REWRITTEN_FIELDS = ("title", "guide_progress", "guide_economy")
# Element columns that only repeat a name listed on its own sheet: not listed twice.
_REFERENCE_COLUMNS = ("Nummer", "Udvalg", "Ansvarligt center", "Budgettype")


class NewYearError(FollowupError):
    """The new year's master cannot be written where asked; the message says what to do."""


@dataclass(frozen=True)
class Change:
    """One cell the new master has with another text than last year's."""

    place: str  # "Aftale!B3", as finance finds it in Excel
    field: str  # the column or field heading: "Titel", "Milepæl 2"
    old: str
    new: str
    element: str = ""


@dataclass(frozen=True)
class Mention:
    """A text in the new master that still names the old year: finance decides whether it is still true."""

    place: str
    field: str
    text: str
    element: str = ""


@dataclass
class NewYear:
    """What `roll_over` made, and what was rewritten, left for finance to read, and left out."""

    agreement: Agreement
    old_year: int
    changes: list[Change] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what of finance's own in the old master did not come along as it was
    kept: list[Path] = field(default_factory=list)  # already in the new folder: left as they were
    factory: list[Path] = field(default_factory=list)  # the old year folder had none: the factory one
    refreshed: list[Path] = field(default_factory=list)  # an earlier factory file, never edited: today's instead

    @property
    def stale_years(self) -> range:
        """The years a text in the new master should not need to name: the old one and any skipped."""
        return range(self.old_year, self.agreement.year)


# --- years in texts ----------------------------------------------------------------------------


def year_pattern(years: range | list[int]) -> re.Pattern:
    """A standalone year: not part of a longer number or word, and not a decimal ("2018,5 mio.").

    "31.12.2018" and "2018-2019" hold the year; "12018", "42018,5" and "budget2018" do not.
    """
    alternatives = "|".join(str(y) for y in years)
    return re.compile(rf"(?<!\w)(?<!\d,)(?:{alternatives})(?!\w)(?!,\d)")


_RANGE = re.compile(r"(?<!\w)(\d{4})\s*[-–—/]\s*(\d{4}|\d{2})(?!\w)(?![-–/.]\d)")


def year_ranges(text: str, year: int) -> list[tuple[int, int]]:
    """Spans of periods that name `year` at one end: "2018-2019", "2017–2018", "2018/19".

    A period was fixed when the agreement was made ("investere 0,9 mio. kr. i
    2018-2019"). Moving one end gives "2019-2019", moving both changes the
    agreement; so a period is left as written and listed for finance to read.
    """
    spans = []
    for m in _RANGE.finditer(text):
        start, end = int(m.group(1)), m.group(2)
        if len(end) == 2:  # "2018/19": only the next year's two digits, never "2018-12" (a month)
            is_period = start == year and int(end) == (year + 1) % 100
        else:
            is_period = year in (start, int(end))
        if is_period:
            spans.append(m.span())
    return spans


def replace_year(text: str, old: int, new: int) -> str:
    """`text` with every standalone `old` year that is not an end of a period replaced by `new`."""
    periods = year_ranges(text, old)

    def swap(m: re.Match) -> str:
        inside = any(a <= m.start() < b for a, b in periods)
        return m.group(0) if inside else str(new)

    return year_pattern([old]).sub(swap, text)


def excerpt(text: str, at: int, width: int = EXCERPT_WIDTH) -> str:
    """About `width` characters of `text` around position `at`, on one line, cuts marked with "…"."""
    start = max(0, min(at - width // 2, len(text) - width))
    end = min(len(text), start + width)
    piece = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")


# --- the pure core -----------------------------------------------------------------------------


def roll_over(agreement: Agreement, year: int, only_open: bool = False) -> NewYear:
    """The next year's agreement: same committees, departments and indsatser, no results.

    With `only_open` an indsats that was green on both progress and economy in its
    latest answered round is done and left out. Raises ValueError (Danish) for a year
    that is not a year after the master's. The changes and mentions name the cells
    where write_master puts them.
    """
    result = _rolled(agreement, year, only_open)
    _place(result, agreement, MasterLayout())
    return result


def _rolled(agreement: Agreement, year: int, only_open: bool) -> NewYear:
    """roll_over's new agreement and dropped indsatser, without the changes and mentions (see _place)."""
    check_year(agreement.year, year)
    old = agreement.year
    elements, dropped = _carried_elements(agreement, only_open)
    shift = relativedelta(years=year - old)
    new = replace(
        agreement,
        year=year,
        title=replace_year(agreement.title, old, year),
        date=_moved(agreement.date, shift),
        guide_progress=replace_year(agreement.guide_progress, old, year),
        guide_economy=replace_year(agreement.guide_economy, old, year),
        rounds=tuple(Round(r.number, replace_year(r.label, old, year), _moved(r.deadline, shift)) for r in agreement.rounds),
        elements=tuple(_element_for(e, old, year) for e in elements),
        results=(),
    )
    return NewYear(agreement=new, old_year=old, dropped=dropped)


def _place(result: NewYear, old: Agreement, layout: MasterLayout) -> None:
    """The changes from `old` and the texts still naming its year, each with the cell `layout` puts it in."""
    new = result.agreement
    dropped = set(result.dropped)
    carried = tuple(e for e in old.elements if e.number not in dropped)
    result.changes = [
        *_agreement_changes(old, new, layout),
        *_round_changes(old, new, layout),
        *_element_changes(carried, new.elements, layout),
    ]
    result.mentions = list(find_mentions(new, result.stale_years, layout))


def check_year(old: int, year: int) -> None:
    """Refuse a new year that cannot be meant: outside 1900–2200, or not after the master's year."""
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"året skal være et årstal mellem {FIRST_YEAR} og {LAST_YEAR}, fx {old + 1}; fik {year!r}")
    if year <= old:
        raise ValueError(f"det nye år skal ligge efter masterfilens år {old}; fik {year}. Skriv fx {old + 1}.")


def is_done(latest: Result | None) -> bool:
    """Green on both smileys in the latest answered round: nothing left to follow up."""
    return latest is not None and latest.progress is Smiley.GREEN and latest.economy is Smiley.GREEN


def latest_results(agreement: Agreement) -> dict[str, Result]:
    """Each indsats's answer in the highest round that has one; an empty row is no answer."""
    latest: dict[str, Result] = {}
    for r in agreement.results:
        if not r.is_empty and (r.element not in latest or r.round > latest[r.element].round):
            latest[r.element] = r
    return latest


def _carried_elements(agreement: Agreement, only_open: bool) -> tuple[tuple[Element, ...], list[str]]:
    if not only_open:
        return agreement.elements, []
    latest = latest_results(agreement)
    kept = tuple(e for e in agreement.elements if not is_done(latest.get(e.number)))
    dropped = [e.number for e in agreement.elements if is_done(latest.get(e.number))]
    return kept, dropped


def _element_for(e: Element, old: int, new: int) -> Element:
    """The indsats with its milestones moved on; the agreement's own texts stay as adopted."""
    return replace(e, milestones=tuple(replace_year(m, old, new) for m in e.milestones))


def _moved(d: date | None, shift: relativedelta) -> date | None:
    return None if d is None else d + shift


# --- where things are in the master ---------------------------------------------------------------


class MasterLayout:
    """Where read_master finds each value of a master, to name its cell as finance finds it in Excel.

    Aftale's fields by their key in the first column, a table's rows by their key
    (runde, udvalg, center, indsats number) and its columns by their heading. Empty,
    it is the layout write_master writes; `read` finds it in a written master, where
    finance's own rows and columns may stand among the tool's (a new year's master is
    last year's file, kept as finance left it).
    """

    def __init__(self, rows: dict[str, dict] | None = None, columns: dict[str, dict[str, int]] | None = None):
        self.rows = rows or {}  # sheet -> key -> 0-based row
        self.columns = columns or {}  # sheet -> heading -> 0-based column; a repeated heading: the last, as read_master

    @classmethod
    def read(cls, path: Path) -> MasterLayout:
        sheets = SheetsOnDemand(path)
        rows: dict[str, dict] = {}
        columns: dict[str, dict[str, int]] = {}
        if AGREEMENT_SHEET in sheets:
            rows[AGREEMENT_SHEET] = {str(r[0]).strip(): i for i, r in enumerate(sheets[AGREEMENT_SHEET]) if r and r[0] is not None}
        keyed = ((ROUNDS_SHEET, "Runde"), (COMMITTEES_SHEET, "Udvalg"), (DEPARTMENTS_SHEET, "Center"), (ELEMENTS_SHEET, "Nummer"))
        for sheet, key_column in keyed:
            table = sheets[sheet] if sheet in sheets else []
            if not table:
                continue
            columns[sheet] = {str(v).strip(): j for j, v in enumerate(table[0]) if v is not None and str(v).strip()}
            j = columns[sheet].get(key_column)
            if j is not None:
                found = [(_row_key(r[j], sheet), i) for i, r in enumerate(table) if i and j < len(r) and r[j] is not None]
                rows[sheet] = {k: i for k, i in reversed(found)}  # a repeated key: the first row, as read_master keeps it
        return cls(rows, columns)

    def field(self, attr: str) -> str:
        row = self.rows.get(AGREEMENT_SHEET, {}).get(AGREEMENT_FIELDS[attr], list(AGREEMENT_FIELDS).index(attr) + 1)
        return f"{AGREEMENT_SHEET}!{xl_rowcol_to_cell(row, 1)}"

    def cell(self, sheet: str, columns: tuple[str, ...], index: int, key, column: str) -> str:
        """The cell of the row for `key` (`index`, 0-based below the heading, as write_master writes it) in `column`."""
        row = self.rows.get(sheet, {}).get(key, index + 1)
        col = self.columns.get(sheet, {}).get(column, columns.index(column))
        return f"{sheet}!{xl_rowcol_to_cell(row, col)}"


def _row_key(value, sheet: str) -> str | int:
    """A table row's key as read_master reads it: a round's number, a name, an indsats number ("3.1", not "3.1.")."""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else repr(value)
    if sheet == ROUNDS_SHEET:
        try:
            return int(float(str(value).strip()))
        except ValueError:
            return str(value).strip()
    return str(value).strip().rstrip(".") if sheet == ELEMENTS_SHEET else str(value).strip()


def _shown(value) -> str:
    if isinstance(value, date):
        return long_date(value)
    return "" if value is None else str(value)


def _agreement_changes(old: Agreement, new: Agreement, layout: MasterLayout) -> Iterator[Change]:
    for attr, key in AGREEMENT_FIELDS.items():
        before, after = getattr(old, attr), getattr(new, attr)
        if before != after:
            yield Change(layout.field(attr), key, _shown(before), _shown(after))


def _round_changes(old: Agreement, new: Agreement, layout: MasterLayout) -> list[Change]:
    out = []
    for i, (before, after) in enumerate(zip(old.rounds, new.rounds, strict=True)):
        for column, a, b in (("Betegnelse", before.label, after.label), ("Frist", before.deadline, after.deadline)):
            if a != b:
                place = layout.cell(ROUNDS_SHEET, ROUND_COLUMNS, i, after.number, column)
                out.append(Change(place, f"{column} runde {after.number}", _shown(a), _shown(b)))
    return out


def _element_changes(old: tuple[Element, ...], new: tuple[Element, ...], layout: MasterLayout) -> list[Change]:
    out = []
    for i, (before, after) in enumerate(zip(old, new, strict=True)):
        for r, (a, b) in enumerate(zip(before.milestones, after.milestones, strict=True), start=1):
            if a != b:
                column = f"Milepæl {r}"
                out.append(Change(layout.cell(ELEMENTS_SHEET, ELEMENT_COLUMNS, i, after.number, column), column, a, b, after.number))
    return out


def master_texts(a: Agreement, layout: MasterLayout | None = None) -> Iterator[tuple[str, str, str, str]]:
    """Every text cell of the master as (place, field, element number, text); places as write_master lays them out, or `layout`."""
    layout = layout or MasterLayout()
    for attr, key in AGREEMENT_FIELDS.items():
        value = getattr(a, attr)
        if isinstance(value, str):
            yield layout.field(attr), key, "", value
    for i, r in enumerate(a.rounds):
        yield layout.cell(ROUNDS_SHEET, ROUND_COLUMNS, i, r.number, "Betegnelse"), f"Betegnelse runde {r.number}", "", r.label
    for i, c in enumerate(a.committees):
        for column, text in zip(COMMITTEE_COLUMNS, (c.name, c.section, c.area, "; ".join(c.emails)), strict=True):
            yield layout.cell(COMMITTEES_SHEET, COMMITTEE_COLUMNS, i, c.name, column), column, "", text
    for i, d in enumerate(a.departments):
        for column, text in zip(DEPARTMENT_COLUMNS, (d.name, "; ".join(d.emails)), strict=True):
            yield layout.cell(DEPARTMENTS_SHEET, DEPARTMENT_COLUMNS, i, d.name, column), column, "", text
    for i, e in enumerate(a.elements):
        for column, text in zip(ELEMENT_COLUMNS, element_row(e), strict=True):
            if column not in _REFERENCE_COLUMNS:
                yield layout.cell(ELEMENTS_SHEET, ELEMENT_COLUMNS, i, e.number, column), column, e.number, text


def find_mentions(a: Agreement, years: range, layout: MasterLayout | None = None) -> Iterator[Mention]:
    """The texts of `a` that name one of `years`, in the master's order."""
    pattern = year_pattern(years)
    for place, heading, element, text in master_texts(a, layout):
        if text and pattern.search(text):
            yield Mention(place, heading, text, element)


# --- files -------------------------------------------------------------------------------------


def write_new_year(old_master: Path, year: int, out_dir: Path, only_open: bool = False, overwrite: bool = False) -> NewYear:
    """Write `out_dir`/master.xlsx for `year` from `old_master`, with the year folder's layout and mail texts.

    The new master is the old one's file with the changed cells written in place
    (masterpatch): finance's own sheets, columns, comments and formats stay. When that
    cannot be done safely it is written afresh, and `notes` says what was not kept.

    Refuses to write over a master already in `out_dir` (it may hold a year's
    answers) unless `overwrite`, and refuses `out_dir` being the old master's own
    folder: last year's master must stay as it was. A layout or mail-text folder
    already in `out_dir` is kept: it may be this year's edited one.
    """
    old_master, out_dir = Path(old_master), Path(out_dir)
    _check_out_dir(old_master, out_dir, overwrite)
    old = read_master(old_master)
    result = _rolled(old, year, only_open)
    path, result.notes = write_merged_master(result.agreement, out_dir / MASTER_NAME, old_master, before=old)
    result.written.append(path)
    _place(result, old, MasterLayout.read(path))  # finance's own rows and columns came along: name the cells where they are
    last_year = files_for(old_master)  # the year folder's own, also from runde-4/resultat/master.xlsx
    for source, name in ((last_year.layout, LAYOUT_NAME), (last_year.mail_texts, MAIL_TEXTS_DIR)):
        if source is not None:
            _carry_file(source, out_dir / name, result)
    result.refreshed = refresh_unedited(out_dir)
    result.factory = add_missing_files(out_dir, year, result.agreement.title).written
    return result


def _check_out_dir(old_master: Path, out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise NewYearError(f"{out_dir} er en fil, ikke en mappe. Angiv en mappe til det nye år.")
    if out_dir.resolve() == old_master.parent.resolve() or (out_dir.is_dir() and out_dir.samefile(old_master.parent)):
        raise NewYearError(
            f"den nye masterfil kan ikke skrives i {out_dir}: det er mappen med den gamle masterfil, "
            "som skal blive stående urørt. Angiv en ny mappe til det nye år."
        )
    if (out_dir / MASTER_NAME).exists() and not overwrite:
        raise NewYearError(
            f"der ligger allerede en masterfil i {out_dir} ({out_dir / MASTER_NAME}). "
            "Den kan rumme årets svar og overskrives ikke. Angiv en anden mappe, "
            "eller brug --overwrite, hvis den skal erstattes."
        )


def _carry_file(source: Path, target: Path, result: NewYear) -> None:
    """Copy the layout file or mail-text folder beside the old master, unless the new folder has its own."""
    if not source.exists():
        return
    if target.exists():
        result.kept.append(target)
        return
    if source.is_dir():
        staging = target.with_name(f".~{target.name}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(source, staging)
        staging.rename(target)  # all or nothing: no half folder of mail texts
    else:
        atomic_write_bytes(target, source.read_bytes())
    result.written.append(target)


# --- what the command line says ----------------------------------------------------------------


def new_year_lines(result: NewYear) -> list[str]:
    """What `followup new-year` prints: what was written, carried over, changed and left to read."""
    a = result.agreement
    lines = _written_lines(result)
    lines.append(f"{_count(len(a.elements), 'indsats', 'indsatser')} er ført over til {a.year}; resultaterne er ikke ført med.")
    if result.dropped:
        n = len(result.dropped)
        lines.append(
            f"{_count(n, 'indsats', 'indsatser')} er udeladt med --only-open, fordi {'den' if n == 1 else 'de'} fik Grøn på "
            f"både indsats og økonomi i seneste runde: {', '.join(result.dropped)}"
        )
    if a.year - result.old_year > 1:
        lines.append(
            f"Bemærk: masterfilen springer {listed(map(str, result.stale_years[1:]), 'eller')} over; {result.old_year} er skiftet direkte til {a.year}."
        )
    if result.changes:
        lines.append(f"Ændret fra {result.old_year} til {a.year}:")
        lines += [f"  {_where(c.place, c.field, c.element)}: {_quoted_change(c)}" for c in result.changes]
    if result.mentions:
        lines.append(f"Disse tekster nævner stadig {listed(map(str, result.stale_years), 'eller')}; læs dem igennem:")
        pattern = year_pattern(result.stale_years)
        lines += [f'  {_where(m.place, m.field, m.element)}: "{excerpt(m.text, pattern.search(m.text).start())}"' for m in result.mentions]
    return lines


def _written_lines(result: NewYear) -> list[str]:
    if not result.written:
        return []
    lines = [f"Masterfilen for {result.agreement.year} er skrevet: {result.written[0]}"]
    lines += [f"Bemærk: {note}" for note in result.notes]
    lines += [f"Kopieret fra den gamle mappe: {p}" for p in result.written[1:]]
    lines += [f"Findes allerede og er beholdt: {p}" for p in result.kept]
    lines += [f"Skrevet fra standarden: {p}" for p in result.factory]
    lines += [f"Standardens nye udgave (den gamle var ikke rettet): {p}" for p in result.refreshed]
    return lines


def _quoted_change(c: Change) -> str:
    """Old and new text, a long one (a reading guide) shortened around the first year that changed."""
    at = next((i for i, (x, y) in enumerate(zip(c.old, c.new)) if x != y), 0)
    old, new = (excerpt(t, at) if len(t) > EXCERPT_WIDTH else t for t in (c.old, c.new))
    return f'"{old}" → "{new}"'


def _where(place: str, heading: str, element: str) -> str:
    what = f"indsats {element}, {heading}" if element else heading
    return f"{place} ({what})"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
