"""Read and validate returned workbooks, one file at a time.

Each return is checked like a careful finance officer would: what the file
really is, whose template it is, whether anything locked was changed (even with
the protection removed and put back), and whether the answers are valid. The
template is re-derived from the master, so collecting needs no generation folder.

Nothing here raises for a bad file: everything wrong becomes a
:class:`~workbook_tools.problems.Problem`. Input files are only ever read, and
each is read once into memory: the bytes that are hashed are the bytes checked.
Values come from python-calamine; protection, validations and formulas from a
targeted scan of a few XML parts. No openpyxl here: it is twenty times slower.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import stat
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from xml.etree import ElementTree as ScreenedET

from defusedxml import ElementTree as SafeET

from .model import (
    ECONOMY_STATES,
    EXCEL_CELL_LIMIT,
    PROGRESS_STATES,
    SMILEY_LOOKS,
    Agreement,
    Result,
    Smiley,
    Source,
    parse_smiley,
    unit_name,
)
from .problems import Problem, is_rejecting
from .sheetplan import (
    COL_LABEL,
    COL_SMILEY,
    COL_TEXT,
    COL_TIME,
    ECONOMY,
    ECONOMY_STATUS,
    PROGRESS,
    STATUS,
    Mode,
    PlannedCell,
    Role,
    SheetPlan,
    content_digest,
    normalise_value,
    plan_sheet,
)
from .template import META_KEYS, META_SHEET, PROPERTY_PREFIX, TEMPLATE_VERSION, TOOL_NAME
from .texts import Texts
from .xlsxio import KIND_WORDS, cell_name, check_zip_limits, column_number, held_by_another_program, is_owner_file, part_path, sniff_bytes

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv"}
MAIL_SUFFIXES = {".eml", ".msg"}
# What Windows and macOS leave in any folder they show (thumbnails, folder settings): never a return.
SYSTEM_FILES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"})
# The summary sheet of an annotated feedback copy (feedback.py); a copy sent back fixed is still accepted.
FEEDBACK_SHEET = "Tilbagemelding"

# The only formulas a template keeps outside its cells: its smiley colours ($E12="Grøn"),
# its dropdown lists ("Grøn,Gul,Rød") and Excel's names for its own layout
# (_xlnm.Print_Titles = 'Opfølgning'!$1:$11), which Excel and LibreOffice also write for a
# print area or an autofilter a sender sets. Anything else there was added by the sender
# and could run when the workbook is opened (a WEBSERVICE call, say): collect reports it,
# feedback copies drop it.
_OWN_RULE = re.compile(r'\$[A-Z]+\d+="[^"]*"')
_OWN_LIST = re.compile(r'"[^"]*"')
_LAYOUT_NAMES = frozenset({"_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase"})
_SHEET_REF = r"(?:'(?:[^']|'')+'|[^\s!'\"()\[\],:;=&+*/<>^-]+)"
_AREA = r"\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?|\$?[A-Z]{1,3}:\$?[A-Z]{1,3}|\$?\d+:\$?\d+"
_PLAIN_AREAS = re.compile(rf"{_SHEET_REF}!(?:{_AREA})(?:,{_SHEET_REF}!(?:{_AREA}))*")
# Formulas a validation's second bound may hold without being the sender's: none, or the 0 LibreOffice writes.
_NO_SECOND_BOUND = ("", "0")


def own_name(name: str, formula: str) -> bool:
    """Excel's layout names, and only while they name plain cell areas."""
    return name in _LAYOUT_NAMES and _PLAIN_AREAS.fullmatch((formula or "").strip()) is not None


def own_rule(formulas: list[str]) -> bool:
    return bool(formulas) and all(_OWN_RULE.fullmatch(f.strip()) for f in formulas)


def own_validation(kind: str, formula1: str, formula2: str = "") -> bool:
    return kind == "list" and _OWN_LIST.fullmatch(formula1.strip()) is not None and (formula2 or "").strip() in _NO_SECOND_BOUND


# Deadlines are dates in the municipality's own time.
LOCAL_TIMEZONE = "Europe/Copenhagen"
# A returned committee workbook is tens of kilobytes; anything this large is not one.
MAX_FILE_BYTES = 64 * 1024 * 1024
# Cells typed outside the template that are listed one by one; the rest are counted in one more problem.
MAX_CELLS_LISTED = 50
# Added names and rules quoted in their one warning; the rest are counted.
MAX_FORMULAS_LISTED = 5

_KIND_PROBLEMS = {
    "empty": "empty-file",
    "encrypted": "encrypted-workbook",
    "xls": "legacy-xls",
    "xlsm": "macro-workbook",
    "xlsb": "binary-workbook",
    "ods": "ods-workbook",
}
_KIND_DETAIL = {
    **KIND_WORDS,
    "msg": KIND_WORDS["msg"] + "; gem den vedhæftede projektmappe og saml den ind",
}
_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dcterms": "http://purl.org/dc/terms/",
    "custom": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
}
_MAX_SHEET_XML = 64 * 1024 * 1024


@dataclass(frozen=True)
class Incoming:
    """A workbook to check and where it came from (a file, or an e-mail's attachment)."""

    path: Path
    name: str
    received: datetime | None = None
    sender: str = ""
    origin: str = ""


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
        key = (committee, department)
        if key not in self._plans:
            c = self.agreement.committee(committee)
            _remember(self._plans, key, plan_sheet(self.agreement, c, self.round, self.texts, Mode.TEMPLATE, department, measure=False))
        return self._plans[key]

    def facts(self, plan: SheetPlan) -> _Facts:
        """The plan's locked cells, normalised once per committee rather than once per return."""
        key = (plan.committee, plan.department)
        if key not in self._facts:
            _remember(self._facts, key, _Facts(plan))
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


class _Facts:
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
        # Where a formula belongs: the template's own, and the input cells (reported as such by _read_answers).
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


def discover(paths: list[Path | str]) -> list[Path]:
    """Files to collect, from files and folders (recursively), in a stable order.

    Hidden files, the owner and lock files of a workbook open in Excel or LibreOffice
    (~$…, .~lock.…#) and the files Windows and macOS put in folders (Thumbs.db,
    desktop.ini, .DS_Store) are passed over: they are no one's return. Named on the
    command line, any of them is checked as given. A path that does not exist is kept
    so that it is reported, not silently dropped, and so are folders named like a
    workbook and links to folders.
    """
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and p.suffix.lower() not in WORKBOOK_SUFFIXES | MAIL_SUFFIXES:
            # A folder that cannot be read is reported too, not passed over in silence.
            for root, dirs, files in os.walk(p, onerror=lambda exc: found.append(Path(exc.filename))):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                # A folder named like a workbook (one unzipped) or a link to a folder is reported, not entered.
                odd = [d for d in dirs if Path(d).suffix.lower() in WORKBOOK_SUFFIXES | MAIL_SUFFIXES or os.path.islink(os.path.join(root, d))]
                dirs[:] = sorted(d for d in dirs if d not in odd)
                for f in sorted(files + odd):
                    if _not_a_return(f):
                        continue
                    found.append(Path(root) / f)
        else:
            found.append(p)
    return found


def _not_a_return(name: str) -> bool:
    """A file in an inbox folder that is never a return: hidden, an open workbook's owner file, or the system's own."""
    return name.startswith(".") or is_owner_file(name) or name.casefold() in SYSTEM_FILES


def file_received(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError:
        return None


def check_return(incoming: Incoming, ctx: CollectContext) -> ReturnCheck:
    """Check one returned workbook. Never raises: a failure becomes a problem."""
    check = ReturnCheck(incoming=incoming)
    try:
        _check(check, ctx)
    except Exception as exc:  # a reader library choking on a hostile file
        check.problems.append(Problem("broken-workbook", incoming.name, check.committee, detail=brief_error(exc)))
        check.results = []
    if check.department:  # every finding of a per-department return names its department
        check.problems = [p if p.department else replace(p, department=check.department) for p in check.problems]
    return check


def brief_error(exc: Exception) -> str:
    """The first line of an exception, short enough for a problem message."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _check(check: ReturnCheck, ctx: CollectContext) -> None:
    inc = check.incoming
    add = check.problems.append
    path = inc.path
    try:
        mode = path.lstat().st_mode
        if stat.S_ISDIR(mode) and not os.access(path, os.R_OK | os.X_OK):
            add(Problem("unreadable-file", inc.name, detail="mappen kan ikke læses"))
            return
        if stat.S_ISLNK(mode) or stat.S_ISDIR(mode):
            add(Problem("not-a-file", inc.name, detail="symbolsk link" if stat.S_ISLNK(mode) else "mappe"))
            return
        if not stat.S_ISREG(mode):  # a named pipe or a device: reading one can wait forever
            add(Problem("not-a-file", inc.name, detail="en særlig fil (et rør eller en enhed)"))
            return
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            add(Problem("unsafe-workbook", inc.name, detail=f"filen fylder {size} byte"))
            return
        with open(path, "rb") as fh:  # read only, once
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        add(Problem("unreadable-file", inc.name, detail="filen findes ikke"))
        return
    except OSError as exc:
        if held_by_another_program(exc):  # Windows, while Excel has the return open
            add(Problem("file-in-use", inc.name))
            return
        # no permission, also to the folder it lies in
        add(Problem("unreadable-file", inc.name, detail=exc.strerror or brief_error(exc)))
        return
    check.sha256 = hashlib.sha256(data).hexdigest()
    kind = sniff_bytes(data)
    check.kind = kind
    if kind in _KIND_PROBLEMS:
        add(Problem(_KIND_PROBLEMS[kind], inc.name, detail=kind))
        return
    if kind in ("text", "binary"):
        code, detail = describe_non_workbook(data, kind)
        add(Problem(code, inc.name, detail=detail))
        return
    if kind == "broken-zip":
        add(Problem("broken-workbook", inc.name, detail="zip-filen er ufuldstændig, måske afbrudt under overførslen"))
        return
    if kind == "oversized-zip":
        add(Problem("unsafe-workbook", inc.name, detail="zip-filen har en indholdsfortegnelse over flere tusind dele"))
        return
    if kind != "xlsx":
        add(Problem("not-a-workbook", inc.name, detail=_KIND_DETAIL.get(kind, kind)))
        return
    members: dict[str, bytes] = {}  # every part, inflated once by the limit check and read from here
    unsafe = check_zip_limits(io.BytesIO(data), keep=members)
    if unsafe:
        add(Problem("unsafe-workbook", inc.name, detail=unsafe))
        return
    parts = _read_parts(members)
    check.modified, check.modified_by = parts.modified, parts.modified_by

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    identity = _identify(check, parts, book, ctx)
    if identity is None:
        return
    plan = ctx.plan(check.committee, check.department)
    sheet = _find_sheet(check, parts, book, plan)
    if not sheet:
        return
    check.sheet_name = sheet
    values = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    _check_sheets(check, parts)
    _check_template_id(check, ctx, plan, values)
    formulas = parts.formula_cells.get(sheet, {})
    if check.template_version == TEMPLATE_VERSION:
        facts = ctx.facts(plan)
        if facts.matches(values):
            _check_formulas(check, plan, facts, formulas, values)
        elif not _outdated(check, plan, facts, values, identity.get("digest", "")):
            if not _check_rows(check, plan, facts, values):
                return
            _check_locked(check, plan, facts, values, formulas)
        cells = facts.inputs
    else:
        cells = _migrate(check, ctx, plan, values)
        if cells is None:
            return
    _check_protection(check, parts, cells)
    _read_answers(check, ctx, plan, values, cells, formulas, lambda ref: _full_length(members, parts, sheet, ref))
    _check_late(check, ctx)


def describe_non_workbook(data: bytes, kind: str) -> tuple[str, str]:
    """A text or binary file named like a workbook: say what it really is, so the hint fits."""
    sample = data[:4096]
    if sample.startswith(b"%PDF"):
        return "not-a-workbook", "en PDF-fil"
    if kind == "binary":
        return "not-a-workbook", _KIND_DETAIL["binary"]
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = sample.decode("cp1252", errors="replace")
    low = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in low:
        return "not-a-workbook", "et XML-regneark fra Excel 2003"
    if low.startswith("<!doctype html") or "<html" in low[:2000] or low.startswith("<table"):
        return "not-a-workbook", "en webside (HTML) med filnavn som en projektmappe"
    if low.startswith("<"):
        return "not-a-workbook", "en XML-fil"
    if re.match(r"(?s)(?:[\w-]+: .*\n)+", text) and re.search(r"(?im)^(mime-version|received|from|subject):", text):
        return "not-a-workbook", "en e-mail (.eml); gem den vedhæftede projektmappe og saml den ind"
    lines = [line for line in text.splitlines() if line.strip()]
    if len(data) > len(sample) and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut off
    lines = lines[:20]
    for sep in (";", "\t", ","):
        counts = {line.count(sep) for line in lines}
        if lines and min(counts) >= 1 and len(counts) == 1:
            return "csv-file", {";": "semikolon", "\t": "tabulator", ",": "komma"}[sep]
    return "not-a-workbook", "en tekstfil"


@dataclass
class _Parts:
    sheet_names: list[str] = field(default_factory=list)
    sheet_states: dict[str, str] = field(default_factory=dict)
    sheet_paths: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    modified: datetime | None = None
    modified_by: str = ""
    external_links: bool = False
    protected: dict[str, bool] = field(default_factory=dict)
    validations: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # sheet -> (sqref, type, formula1)
    formula_cells: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> ref -> formula
    added: list[str] = field(default_factory=list)  # names and rules with formulas the sender added, described


_XML_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")


def _parse(data: bytes):
    """An XML part that passed check_zip_limits, parsed by the standard library's C parser when that is safe.

    check_zip_limits refuses a DTD (<!DOCTYPE, <!ENTITY) in UTF-8 and UTF-16; without
    one no entity can expand, and the C parser is several times faster than
    defusedxml's pure-Python handlers. A part in any other encoding (which could hide
    a DTD from that screen) goes to defusedxml, as does every UTF-16 part.
    """
    head = data[:256].removeprefix(b"\xef\xbb\xbf")
    declared = _XML_ENCODING.search(head.split(b"?>", 1)[0]) if head.startswith(b"<?xml") else None
    if head.startswith(b"<") and (declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")):
        return ScreenedET.fromstring(data)
    return SafeET.fromstring(data)


def _member(members: dict[str, bytes], name: str, limit: int) -> bytes | None:
    data = members.get(name)
    if data is not None and len(data) > limit:
        raise ValueError(f"{name} er større end {limit} byte udpakket")
    return data


def _xml(members: dict[str, bytes], name: str, limit: int = 8 * 1024 * 1024):
    data = _member(members, name, limit)
    return None if data is None else _parse(data)


def _read_parts(members: dict[str, bytes]) -> _Parts:
    """The few XML parts the checks need, parsed with defusedxml; values come from calamine."""
    parts = _Parts()
    wb = _xml(members, "xl/workbook.xml")
    rels = _xml(members, "xl/_rels/workbook.xml.rels")
    targets = {}
    if rels is not None:
        for rel in rels.findall("rel:Relationship", _NS):
            targets[rel.get("Id")] = part_path(rel.get("Target", ""))
            if "externalLink" in rel.get("Type", ""):
                parts.external_links = True
    if wb is not None:
        for s in wb.iterfind("main:sheets/main:sheet", _NS):
            name = s.get("name", "")
            parts.sheet_names.append(name)
            parts.sheet_states[name] = s.get("state", "visible")
            parts.sheet_paths[name] = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
        if wb.find("main:externalReferences", _NS) is not None:
            parts.external_links = True
        for dn in wb.iterfind("main:definedNames/main:definedName", _NS):
            if not own_name(dn.get("name", ""), dn.text or ""):
                parts.added.append(f"navnet '{dn.get('name', '')}': {_brief_formula(dn.text)}")
    if any(n.startswith("xl/externalLinks/") for n in members):
        parts.external_links = True
    custom = _xml(members, "docProps/custom.xml")
    if custom is not None:
        for prop in custom.findall("custom:property", _NS):
            value = "".join(prop.itertext()).strip()
            parts.properties[prop.get("name", "")] = value
    core = _xml(members, "docProps/core.xml")
    if core is not None:
        mod = core.find("dcterms:modified", _NS)
        if mod is not None and mod.text:
            try:
                parts.modified = datetime.fromisoformat(mod.text.strip().replace("Z", "+00:00"))
            except ValueError:
                pass
        by = core.find("cp:lastModifiedBy", _NS)
        parts.modified_by = (by.text or "").strip() if by is not None else ""
    for name, target in parts.sheet_paths.items():
        if target in members and name != META_SHEET:
            _scan_sheet_xml(parts, name, _member(members, target, _MAX_SHEET_XML))
    return parts


_C_TAG = f"{{{_NS['main']}}}c"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_SHEETDATA_OPEN = re.compile(rb"<(?:\w+:)?sheetData(?=[\s>/])")
_SHEETDATA_CLOSE = re.compile(rb"</(?:\w+:)?sheetData\s*>")
_F_OPEN = re.compile(rb"<(\w+:)?f(?=[\s>/])")
_REF_ATTR = re.compile(rb'\sr="([A-Z]{1,3}[0-9]{1,7})"')


def _scan_sheet_xml(parts: _Parts, sheet: str, data: bytes) -> None:
    """Protection, validations (also Excel's x14 extension form) and formula cells of one sheet.

    The cell data is most of the XML and the values come from calamine, so it is
    not parsed here: formula cells are found by their ``<f>`` tags alone (a raw
    ``<`` cannot occur in XML text, so every match is a tag). The rest of the
    sheet, small, is parsed with defusedxml.
    """
    body, rest = b"", data
    opening = _SHEETDATA_OPEN.search(data)
    if opening:
        gt = data.find(b">", opening.end())
        if gt < 0:
            raise ValueError("arket er afbrudt midt i et XML-mærke")
        if data[gt - 1 : gt] == b"/":
            rest = data[: opening.start()] + data[gt + 1 :]
        else:
            start, end = _sheetdata_close(data, gt)
            body = data[gt + 1 : start]
            rest = data[: opening.start()] + data[end:]
    parts.formula_cells[sheet] = _formula_cells(body)
    dvs: list[tuple[str, str, str]] = []
    protected = False
    for el in _parse(rest).iter():
        name = _local(el.tag)
        if name == "sheetProtection":
            protected = el.get("sheet") in ("1", "true")
        elif name == "cfRule":
            # <formula> in the sheet's own rules, <xm:f> in Excel's x14 extension form.
            formulas = [f.text or "" for f in el if _local(f.tag) in ("formula", "f")]
            if formulas and not own_rule(formulas):
                parts.added.append(f"en betinget formatering på '{sheet}': {_brief_formula(formulas[0])}")
        elif name == "cfvo":
            # A colour scale's or data bar's threshold: a number, or a formula (type="formula", or any val that is not a number).
            value = _formula_text(el, el.get("val", "")).strip()
            if value and (el.get("type") == "formula" or _NUMBER.fullmatch(value) is None):
                parts.added.append(f"en tærskel i en betinget formatering på '{sheet}': {_brief_formula(value)}")
        elif name == "dataValidation":
            sqref = el.get("sqref", "")
            bounds = {"formula1": "", "formula2": ""}
            for child in el:
                child_name = _local(child.tag)
                if child_name == "sqref" and not sqref:
                    sqref = child.text or ""
                elif child_name in bounds:
                    bounds[child_name] = _formula_text(child, child.text or "")
            first, second = bounds["formula1"], bounds["formula2"]
            kind = el.get("type", "")
            dvs.append((sqref, kind, first))
            if (first or second) and not own_validation(kind, first, second):
                shown = first if second.strip() in _NO_SECOND_BOUND else second
                parts.added.append(f"en datavalidering på '{sheet}'!{sqref}: {_brief_formula(shown)}")
    parts.validations[sheet] = dvs
    parts.protected[sheet] = protected


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _formula_text(el, own: str) -> str:
    """An element's formula: in an <xm:f> child in Excel's x14 extension form, else `own` (its text or val)."""
    inner = next((f.text or "" for f in el if _local(f.tag) == "f"), None)
    return own if inner is None else inner


def _brief_formula(text: str | None) -> str:
    """A formula as a message quotes it: with its "=", cut short."""
    text = (text or "").strip()
    text = text if text.startswith("=") else "=" + text
    return text if len(text) <= 80 else text[:79] + "…"


def _sheetdata_close(data: bytes, after: int) -> tuple[int, int]:
    """Where the cells end: the first ``</sheetData>`` after `after`, in any form a writer may use.

    The plain form is found with a byte search, several times faster than the
    pattern over a sheet's worth of cells; the pattern decides when another form
    (a prefix, blanks) stands before it.
    """
    plain = data.find(b"</sheetData>", after)
    if plain >= 0 and data.find(b"</sheetData", after, plain) < 0 and data.find(b":sheetData", after, plain) < 0:
        return plain, plain + len(b"</sheetData>")
    closing = _SHEETDATA_CLOSE.search(data, after)
    if closing is None:
        raise ValueError("arkets celler slutter ikke")
    return closing.start(), closing.end()


def _plain_formulas(body: bytes) -> dict[str, str] | None:
    """Formulas written ``<c r="F7" ...><f>text</f>``, found by splitting at ``<f>``; None for any other form.

    Byte searches, not a pattern tried at every tag: a sheet's cells are 200 kB
    and its formulas a hundred.
    """
    pieces = body.split(b"<f>")
    if len(pieces) - 1 != body.count(b"<f") or b":f" in body:
        return None
    formulas: dict[str, str] = {}
    for before, after in zip(pieces, pieces[1:], strict=False):
        start = before.rfind(b'<c r="')
        quote = before.find(b'"', start + 6)
        end = after.find(b"</f>")
        if start < 0 or quote < 0 or end < 0 or b"<" in before[start + 1 :] or not before.endswith(b">"):
            return None  # the formula is not the first thing in its cell's plain tag
        text = after[:end]
        formulas[before[start + 6 : quote].decode("ascii")] = html.unescape(text.decode("utf-8", errors="replace")) if b"&" in text else text.decode("utf-8", errors="replace")
    return formulas


def _formula_cells(body: bytes) -> dict[str, str]:
    """ref -> formula text for every cell of `sheetData` that holds an ``<f>`` (shared formulas give "").

    Formulas written the plain way, ``<c r="F7" ...><f>text</f>``, as every program
    writes a template's own, are read in one pass; any other form cell by cell.
    """
    plain = _plain_formulas(body)
    if plain is not None:
        return plain
    formulas: dict[str, str] = {}
    for m in _F_OPEN.finditer(body):
        # The cell's tag stands right before its formula: look back a little first, all the way only if need be.
        near = max(0, m.start() - 4096)
        cell_start = max(body.rfind(b"<c ", near, m.start()), body.rfind(b":c ", near, m.start()))
        if cell_start < 0:
            cell_start = max(body.rfind(b"<c ", 0, m.start()), body.rfind(b":c ", 0, m.start()))
        ref = _REF_ATTR.search(body, cell_start, body.find(b">", cell_start) + 1) if cell_start >= 0 else None
        if ref is None:
            continue
        gt = body.find(b">", m.end())
        text = b""
        if gt > 0 and body[gt - 1 : gt] != b"/":
            close = body.find(b"</" + (m.group(1) or b"") + b"f>", gt)
            text = body[gt + 1 : close] if close > 0 else b""
        formulas[ref.group(1).decode("ascii")] = html.unescape(text.decode("utf-8", errors="replace"))
    return formulas


def _read_meta(book) -> dict[str, str] | None:
    if META_SHEET not in book.sheet_names:
        return None
    meta = {}
    for row in book.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False):
        if len(row) >= 2 and row[0] not in (None, ""):
            meta[str(row[0])] = _as_text(row[1])
    return meta


def _identify(check: ReturnCheck, parts: _Parts, book, ctx: CollectContext) -> dict | None:
    """Whose template is this? From the hidden sheet, cross-checked with the properties."""
    inc = check.incoming
    add = check.problems.append
    meta = _read_meta(book) if META_SHEET in parts.sheet_names else None
    props = {k[len(PROPERTY_PREFIX):]: v for k, v in parts.properties.items() if k.startswith(PROPERTY_PREFIX)}
    props = {k: ("" if v == "-" else v) for k, v in props.items()}
    if meta is None and not props:
        add(Problem("unknown-template", inc.name, detail="ingen skabelonoplysninger i filen"))
        return None
    if meta is not None and meta.get("tool") != TOOL_NAME and props.get("tool") != TOOL_NAME:
        add(Problem("unknown-template", inc.name, detail="skabelonoplysningerne er ikke fra workbook_tools"))
        return None
    if meta is None:
        add(Problem("sheet-added-or-removed", inc.name, sheet=META_SHEET, detail=f"det skjulte ark '{META_SHEET}' er slettet"))
        identity = props
    else:
        identity = meta
        if not props:
            add(Problem("properties-removed", inc.name, expected=PROPERTY_PREFIX + "*", found="ingen"))
        else:
            differing = [k for k in META_KEYS if k in props and _norm_meta(props[k]) != _norm_meta(meta.get(k, ""))]
            if differing:
                add(
                    Problem(
                        "metadata-changed",
                        inc.name,
                        sheet=META_SHEET,
                        expected="; ".join(f"{k}={_norm_meta(props[k])}" for k in differing),
                        found="; ".join(f"{k}={_norm_meta(meta.get(k, ''))}" for k in differing),
                        detail="skjult ark og dokumentegenskaber er uenige om " + ", ".join(differing),
                    )
                )
                return None
    check.committee = identity.get("committee", "")
    check.department = identity.get("department", "")
    check.template_id = identity.get("template_id", "")
    check.template_version = _norm_meta(identity.get("template_version", ""))
    try:
        check.year = int(float(identity.get("year", "0") or 0))
        check.round = int(float(identity.get("round", "0") or 0))
    except ValueError:
        add(Problem("metadata-changed", inc.name, sheet=META_SHEET, detail="år eller runde er ikke et tal"))
        return None
    a = ctx.agreement
    ok = True
    if check.year != a.year:
        add(Problem("wrong-year", inc.name, check.committee, expected=str(a.year), found=str(check.year)))
        ok = False
    if check.committee not in {c.name for c in a.committees}:
        add(Problem("wrong-committee", inc.name, check.committee, found=check.committee))
        ok = False
    elif check.department and check.department not in {e.department for e in a.elements_of(check.committee)}:
        add(Problem("wrong-committee", inc.name, check.committee, found=unit_name(check.committee, check.department)))
        ok = False
    if check.round != ctx.round:
        add(Problem("wrong-round", inc.name, check.committee, expected=str(ctx.round), found=str(check.round)))
        ok = False
    return identity if ok else None


def _norm_meta(value: str) -> str:
    # LibreOffice writes numeric-looking properties back as floats ("3" -> "3.0")
    v = (value or "").strip()
    if v == "-":
        return ""
    if re.fullmatch(r"-?\d+\.0+", v):
        return v.split(".")[0]
    return v


def _find_sheet(check: ReturnCheck, parts: _Parts, book, plan: SheetPlan) -> str:
    """The follow-up sheet's name in this file: the plan's, or the one sheet it was renamed to."""
    if plan.sheet_name in parts.sheet_names:
        return plan.sheet_name
    others = [s for s in parts.sheet_names if s not in (META_SHEET, FEEDBACK_SHEET)]
    holding = []
    for s in others:
        try:
            rows = book.get_sheet_by_name(s).to_python(skip_empty_area=False)
        except Exception:
            continue
        if set(plan.element_rows) <= set(_heading_rows(rows)):
            holding.append(s)
    if len(holding) == 1:
        check.problems.append(Problem("sheet-renamed", check.name, check.committee, sheet=holding[0], expected=plan.sheet_name, found=holding[0]))
        return holding[0]
    found = ", ".join(f"'{s}'" for s in parts.sheet_names) or "ingen ark"
    check.problems.append(Problem("sheet-missing", check.name, check.committee, expected=plan.sheet_name, found=found, detail="fandt " + found))
    return ""


def _check_sheets(check: ReturnCheck, parts: _Parts) -> None:
    """Sheets added, the follow-up sheet hidden, the hidden sheet shown, links to other files: warnings."""
    inc = check.incoming
    add = check.problems.append
    expected = {check.sheet_name, META_SHEET, FEEDBACK_SHEET}
    extra = [s for s in parts.sheet_names if s not in expected]
    if extra:
        add(Problem("sheet-added-or-removed", inc.name, check.committee, found=", ".join(extra), detail="ekstra ark: " + ", ".join(f"'{s}'" for s in extra)))
    state = parts.sheet_states.get(check.sheet_name, "visible")
    if state != "visible":
        add(Problem("sheet-hidden", inc.name, check.committee, sheet=check.sheet_name, expected="visible", found=state, detail=check.sheet_name))
    if META_SHEET in parts.sheet_states and parts.sheet_states.get(META_SHEET) == "visible":
        add(Problem("sheet-hidden", inc.name, check.committee, sheet=META_SHEET, expected="veryHidden", found="visible", detail=META_SHEET))
    if parts.external_links:
        add(Problem("external-link", inc.name, check.committee))
    if parts.added:
        count = len(parts.added)
        found = "1 formel" if count == 1 else f"{count} formler"
        add(Problem("formulas-outside-cells", inc.name, check.committee, found=found, detail=_listed(parts.added)))


def _listed(items: list[str]) -> str:
    """Items as one line: each once, the most repeated first with its count, the first few only (a pasted rule can repeat a thousand times)."""
    counts = Counter(items)
    shown = [item if n == 1 else f"{item} ({n} gange)" for item, n in counts.most_common(MAX_FORMULAS_LISTED)]
    rest = len(counts) - len(shown)
    return "; ".join(shown) + (f" og {rest} mere" if rest else "")


def _check_template_id(check: ReturnCheck, ctx: CollectContext, plan: SheetPlan, values: list[list]) -> None:
    """With a generation manifest: the id must be one we made, for this unit and round, with this content."""
    if not ctx.manifest:
        return
    entry = ctx.manifest.get(check.template_id)
    if entry is None:
        check.problems.append(Problem("unknown-template-id", check.name, check.committee, sheet=META_SHEET, found=check.template_id or "(tomt)"))
        return
    try:
        entry_round = int(float(entry.get("round", 0)))
    except (TypeError, ValueError):
        entry_round = 0
    same_unit = entry.get("committee") == check.committee and (entry.get("department") or "") == check.department and entry_round == check.round
    same_content = True
    if check.template_version == TEMPLATE_VERSION and entry.get("digest") and entry["digest"] != ctx.facts(plan).digest:
        # The master changed since generation: the return must still hold what that id was made with.
        same_content = content_digest((c.ref, _at(values, c.row, c.col)) for c in plan.fixed()) == entry["digest"]
    if not same_unit or not same_content:
        made_for = unit_name(entry.get("committee") or "?", entry.get("department", "")) + f", runde {entry_round}"
        check.problems.append(
            Problem("template-id-mismatch", check.name, check.committee, sheet=META_SHEET, expected=made_for, found=check.template_id)
        )


def _outdated(check: ReturnCheck, plan: SheetPlan, facts: _Facts, values: list[list], made_digest: str) -> bool | None:
    """Was the template made from another master or layout than today's? None when it was not.

    The template carries a digest of its locked content as generated. When that
    differs from today's plan, finance changed the master or the layout after
    sending the templates out. If the return still holds exactly what was generated
    (its content gives the template's own digest), the sender changed nothing:
    True, and the cell-by-cell compare against today's plan is skipped. Otherwise
    False, and the compare runs, with a warning that explains its findings.
    """
    if not made_digest or made_digest == facts.digest:
        return None
    intact = content_digest((c.ref, _at(values, c.row, c.col)) for c in plan.fixed()) == made_digest
    detail = (
        "det låste indhold er uændret, siden skabelonen blev lavet, så svarene er taget med"
        if intact
        else "de låste celler, der afviger, kan skyldes ændringen og ikke afsenderen"
    )
    check.problems.append(Problem("template-outdated", check.name, check.committee, sheet=check.sheet_name, detail=detail))
    return True if intact else False


def _at(values: list[list], row: int, col: int):
    if 0 <= row < len(values) and col < len(values[row]):
        v = values[row][col]
        return None if v == "" else v
    return None


def _as_text(value) -> str:
    """A cell value as the text a person typed: 45 not 45.0, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "SAND" if value else "FALSK"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _heading_rows(values: list[list]) -> dict[str, int]:
    rows = {}
    for r, row in enumerate(values):
        if row and isinstance(row[COL_LABEL], str) and row[COL_LABEL].endswith(".") and len(row) > COL_TIME:
            rows.setdefault(row[COL_LABEL][:-1], r)
    return rows


def _check_rows(check: ReturnCheck, plan: SheetPlan, facts: _Facts, values: list[list]) -> bool:
    """Inserted, deleted or sorted rows: element headings out of place, or labels shifted inside a block.

    A move is reported as one problem per element (or per shift), not as the
    hundreds of locked-cell changes it causes, and stops the cell-by-cell compare.
    """
    sheet = check.sheet_name
    found = _heading_rows(values)
    moved = False
    for number, row in plan.element_rows.items():
        actual = found.get(number)
        if actual != row:
            check.problems.append(
                Problem(
                    "rows-moved",
                    check.name,
                    check.committee,
                    element=number,
                    sheet=sheet,
                    cell=cell_name(row, COL_LABEL),
                    expected=str(row + 1),
                    found=str(actual + 1) if actual is not None else "mangler",
                )
            )
            moved = True
    if moved:
        return False
    # A row inserted or deleted inside the last element moves no heading; the rows' locked texts show it.
    rows = facts.rows
    for r in range(plan.first_element_row, plan.last_row + 1):
        if _row_matches(rows.get(r, ()), values, r):
            continue
        shift = _shift_at(rows, values, r, plan.last_row)
        if shift:
            moved = r if shift > 0 else r - shift  # the first planned row whose content now stands elsewhere
            check.problems.append(
                Problem(
                    "rows-moved",
                    check.name,
                    check.committee,
                    element=_element_at(plan, r),
                    sheet=sheet,
                    cell=cell_name(r, COL_LABEL),
                    expected=str(moved + 1),
                    found=str(moved + shift + 1),
                )
            )
            return False
        return True  # an edit, not a shift: the locked-cell compare names it
    return True


def _same(found, norm: str) -> bool:
    # Most cells come back exactly as written; normalise only when they do not.
    return found == norm or normalise_value(found) == norm


def _row_matches(signature: tuple[tuple[int, str], ...], values: list[list], row: int) -> bool:
    return all(_same(_at(values, row, col), v) for col, v in signature)


def _shift_at(rows: dict[int, tuple], values: list[list], start: int, last: int) -> int:
    """k > 0: k rows inserted at `start`; k < 0: -k rows deleted there. 0: no shift explains it."""
    for k in (1, 2, 3, 4, 5, -1, -2, -3, -4, -5):
        first = start if k > 0 else start - k
        wanted = [(r, sig) for r, sig in rows.items() if first <= r <= last]
        if wanted and all(_row_matches(sig, values, r + k) for r, sig in wanted):
            return k
    return 0


def _check_locked(check: ReturnCheck, plan: SheetPlan, facts: _Facts, values: list[list], formulas: dict[str, str]) -> None:
    """Every locked cell against what the template held; also content typed outside the plan.

    Values are compared, not protection flags: an edit is found even when the
    protection was removed and put back.
    """
    sheet = check.sheet_name
    planned, norms = facts.planned, facts.norms
    for c in plan.cells:
        if c.role is Role.FIXED:
            found = _at(values, c.row, c.col)
            if not _same(found, norms[(c.row, c.col)]):
                check.problems.append(
                    Problem("locked-cell-changed", check.name, check.committee, c.element, sheet, c.ref, c.value, _as_text(found))
                )
    outside = 0
    for r, row in enumerate(values):
        for col, v in enumerate(row):
            if v in (None, "") or (r, col) in planned:
                continue
            outside += 1
            if outside <= MAX_CELLS_LISTED:
                check.problems.append(
                    Problem("locked-cell-changed", check.name, check.committee, _element_at(plan, r), sheet, cell_name(r, col), "", _as_text(v))
                )
            elif outside == MAX_CELLS_LISTED + 1:
                first_unlisted = (r, cell_name(r, col))
    if outside > MAX_CELLS_LISTED:  # a paste of thousands of rows is one finding, not thousands
        r, ref = first_unlisted
        more = f"og {outside - MAX_CELLS_LISTED} celler mere med indhold uden for skabelonen"
        check.problems.append(Problem("locked-cell-changed", check.name, check.committee, _element_at(plan, r), sheet, ref, "", more))
    _check_formulas(check, plan, facts, formulas, values)


def _check_formulas(check: ReturnCheck, plan: SheetPlan, facts: _Facts, formulas: dict[str, str], values: list[list]) -> None:
    """The template's formulas in place and unchanged, and no formula anywhere else.

    Values cannot show this: a formula overwritten with its own result reads the same.
    """
    sheet = check.sheet_name
    for c, ref in facts.formulas:
        if ref not in formulas:
            # The glyph or self-check formula was overwritten with a value.
            found = _as_text(_at(values, c.row, c.col)) or "(tom)"
            check.problems.append(Problem("locked-cell-changed", check.name, check.committee, c.element, sheet, ref, c.formula, found))
        elif formulas[ref] and _formula_key(formulas[ref]) != _formula_key(c.formula):
            # The template's formula replaced by another one.
            check.problems.append(Problem("locked-cell-changed", check.name, check.committee, c.element, sheet, ref, c.formula, "=" + formulas[ref]))
    # A formula anywhere else, also one without a cached result, which reads as an empty cell.
    own = facts.own
    reported = {p.cell for p in check.problems if p.code == "locked-cell-changed"}
    for ref, text in formulas.items():
        if ref not in own and ref not in reported:
            _col, r = _split_ref(ref)
            check.problems.append(
                Problem("locked-cell-changed", check.name, check.committee, _element_at(plan, r - 1), sheet, ref, "", "=" + (text or "(delt formel)"))
            )


@lru_cache(maxsize=1 << 12)
def _formula_key(formula: str) -> str:
    # Formulas compared as Excel and LibreOffice may write them back: no leading =, no spaces, any case.
    return re.sub(r"\s+", "", formula.lstrip("=")).upper()


def _element_at(plan: SheetPlan, row: int) -> str:
    best = ""
    for number, start in plan.element_rows.items():
        if start <= row:
            best = number
    return best


def _check_protection(check: ReturnCheck, parts: _Parts, cells: list[PlannedCell]) -> None:
    """Protection and dropdowns: both are guard-rails, so their loss is a warning; values are checked anyway."""
    sheet = check.sheet_name
    if not parts.protected.get(sheet, False):
        check.problems.append(Problem("protection-removed", check.name, check.committee, sheet=sheet, expected="beskyttet", found="ikke beskyttet", detail=sheet))
    # Rules on single cells (what the template writes) are looked up; ranges are scanned.
    at_cell: dict[tuple[int, int], list[tuple[str, str]]] = {}
    ranges: list[tuple[tuple[int, int, int, int], str, str]] = []
    for sqref, t, f1 in parts.validations.get(sheet, []):
        for box in _boxes(sqref):
            c1, r1, c2, r2 = box
            if (c1, r1) == (c2, r2):
                at_cell.setdefault((c1, r1), []).append((t, f1))
            else:
                ranges.append((box, t, f1))
    for c in cells:
        if not c.states:
            continue
        words = _state_words(c.states)
        col, row = c.col + 1, c.row + 1
        covering = at_cell.get((col, row), []) + [(t, f1) for (c1, r1, c2, r2), t, f1 in ranges if c1 <= col <= c2 and r1 <= row <= r2]
        if any(t == "list" and _list_words(f1) == words for t, f1 in covering):
            continue
        if not covering:
            found = "ingen regel"
        else:
            t, f1 = covering[0]
            found = f"liste {f1}" if t == "list" else f"regel af typen '{t or 'any'}'"
        check.problems.append(
            Problem("dropdown-removed", check.name, check.committee, c.element, sheet, c.ref, ",".join(s.label for s in c.states), found)
        )


# The three look-ups below are cached: every return of a round repeats the same rules at the same cells.
@lru_cache(maxsize=64)
def _state_words(states: tuple[Smiley, ...]) -> frozenset[str]:
    return frozenset(s.label for s in states)


@lru_cache(maxsize=1024)
def _list_words(formula: str) -> frozenset[str]:
    return frozenset(w.strip() for w in formula.strip().strip('"').split(","))


@lru_cache(maxsize=1 << 14)
def _boxes(sqref: str) -> tuple[tuple[int, int, int, int], ...]:
    """A validation's cell ranges ("E32 E38:E40") as 1-based (col1, row1, col2, row2) boxes."""
    out = []
    for part in sqref.split():
        a, _, b = part.partition(":")
        (c1, r1), (c2, r2) = _split_ref(a), _split_ref(b or a)
        out.append((min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)))
    return tuple(out)


def _split_ref(ref: str) -> tuple[int, int]:
    m = re.match(r"\$?([A-Z]+)\$?(\d+)", ref)
    if not m:
        return (0, 0)
    return column_number(m.group(1)), int(m.group(2))


def _migrate(check: ReturnCheck, ctx: CollectContext, plan: SheetPlan, values: list[list]) -> list[PlannedCell] | None:
    """An older template version: find the answers by element number, or reject with the reason.

    Safe means: the version is older than ours, every element of the plan is there
    under its number with its title, no element the master does not know, and this
    round's milestone row (with its milestone text), status row and economy row
    are found by their labels. Anything less and the answers could land on the
    wrong element, so the return is rejected.
    """
    cells, reason = _locate_inputs_by_number(plan, values, ctx)
    version = check.template_version or "?"
    if reason is None and not (version.isdigit() and int(version) < int(TEMPLATE_VERSION)):
        reason = "versionen er nyere end værktøjets eller ukendt"
    if reason is not None:
        check.problems.append(
            Problem("old-template-not-migratable", check.name, check.committee, sheet=check.sheet_name, expected=TEMPLATE_VERSION, found=version, detail=reason)
        )
        return None
    check.migrated = True
    check.problems.append(Problem("old-template-version", check.name, check.committee, sheet=check.sheet_name, expected=TEMPLATE_VERSION, found=version))
    return cells


def _locate_inputs_by_number(plan: SheetPlan, values: list[list], ctx: CollectContext) -> tuple[list[PlannedCell], str | None]:
    """For an older template layout: each element's input cells found by its number and labels."""
    headings = _heading_rows(values)
    agreement = ctx.agreement
    round_label = agreement.round(ctx.round).label
    milestone, status = ctx.texts("milestone_label"), ctx.texts("status_label")
    economy_status = ctx.texts("economy_status_label")
    by_number = {e.number: e for e in agreement.elements}
    extra = sorted(n for n in headings if n not in plan.element_rows and re.fullmatch(r"\d+(\.\d+)+", n))
    if extra:
        return [], "indsats " + ", ".join(extra) + " står ikke i masterfilen for dette udvalg"
    missing = [n for n in plan.element_rows if n not in headings]
    if missing:
        return [], "indsats " + ", ".join(missing) + " findes ikke"
    cells: list[PlannedCell] = []
    for number in plan.element_rows:
        start = headings[number]
        element = by_number[number]
        if normalise_value(_at(values, start, COL_TEXT)) != normalise_value(element.title):
            return [], f"indsats {number} har en anden titel end i masterfilen"
        end = min([r for r in headings.values() if r > start] + [len(values)])
        found: dict[str, PlannedCell] = {}
        for r in range(start + 1, end):
            label, when = normalise_value(_at(values, r, COL_LABEL)), normalise_value(_at(values, r, COL_TIME))
            if when != round_label:
                continue
            if label in (milestone, economy_status) and (PROGRESS if label == milestone else ECONOMY) in found:
                return [], f"indsats {number} har to rækker for {round_label}"
            if label == milestone:
                if normalise_value(_at(values, r, COL_TEXT)) != normalise_value(element.milestone(ctx.round)):
                    return [], f"milepælen for indsats {number} er ikke den samme som i masterfilen"
                found[PROGRESS] = PlannedCell(r, COL_SMILEY, "", "input_smiley", Role.INPUT, number, PROGRESS, ctx.round, states=PROGRESS_STATES)
                if normalise_value(_at(values, r + 1, COL_LABEL)) == status:
                    found[STATUS] = PlannedCell(r + 1, COL_TEXT, "", "input_text", Role.INPUT, number, STATUS, ctx.round)
            elif label == economy_status:
                found[ECONOMY] = PlannedCell(r, COL_SMILEY, "", "input_smiley", Role.INPUT, number, ECONOMY, ctx.round, states=ECONOMY_STATES)
                found[ECONOMY_STATUS] = PlannedCell(r, COL_TEXT, "", "input_text", Role.INPUT, number, ECONOMY_STATUS, ctx.round)
        if len(found) != 4:
            missing = [f for f in (PROGRESS, STATUS, ECONOMY, ECONOMY_STATUS) if f not in found]
            return [], f"felterne {', '.join(missing)} for indsats {number} er ikke fundet"
        cells.extend(found[f] for f in (PROGRESS, STATUS, ECONOMY, ECONOMY_STATUS))
    return cells, None


def read_smiley(text: str) -> tuple[Smiley | None, bool]:
    """A smiley cell read tolerantly: the model's variants, plus glyph and word together ("☺ Grøn")."""
    state, exact = parse_smiley(text)
    if state is None and text.strip():
        words = text.replace("\u00a0", " ").split()
        states = {parse_smiley(w)[0] for w in words}
        if len(words) > 1 and len(states) == 1 and None not in states:
            return states.pop(), False
    return state, exact


def excel_length(text: str) -> int:
    """Characters as Excel counts them (LEN): UTF-16 units, so an emoji counts two."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _read_answers(check: ReturnCheck, ctx: CollectContext, plan: SheetPlan, values, cells, formulas, full_length=None) -> None:
    add = check.problems.append
    sheet = check.sheet_name
    answers: dict[str, dict] = {}
    unusable: set[tuple[str, str]] = set()  # text cells already reported: no second problem for them
    def where(c: PlannedCell, ref: str) -> dict:  # made only for a problem: most cells have none
        return dict(file=check.name, committee=check.committee, element=c.element, sheet=sheet, cell=ref)

    for c in cells:
        ref = c.ref
        raw = _at(values, c.row, c.col)
        check.cells[(c.element, c.field)] = ref
        if ref in formulas:
            add(Problem("formula-in-input", found="=" + (formulas[ref] or "(delt formel)"), **where(c, ref)))
            unusable.add((c.element, c.field))
            continue
        a = answers.setdefault(c.element, {})
        text = _as_text(raw)
        if c.states:
            state, exact = read_smiley(text)
            if state is not None and state in c.states:
                if not exact:
                    add(Problem("smiley-normalised", expected=state.label, found=text, **where(c, ref)))
                a[c.field] = state
                continue
            allowed = " / ".join(s.label for s in c.states)
            if state is None and not text.strip():
                add(Problem("smiley-missing", expected=allowed, found="(tom)", **where(c, ref)))
            else:
                add(Problem("invalid-smiley", expected=allowed, found=text, **where(c, ref)))
        else:
            # UTF-16 units are at most twice the characters: only a long text needs counting.
            length = excel_length(text) if 2 * len(text) > EXCEL_CELL_LIMIT else len(text)
            if len(text) >= EXCEL_CELL_LIMIT and full_length is not None:
                length = max(length, full_length(ref))  # calamine cuts text at Excel's limit
            if length > EXCEL_CELL_LIMIT:
                add(Problem("text-too-long", expected=str(EXCEL_CELL_LIMIT), found=str(length), **where(c, ref)))
                unusable.add((c.element, c.field))
                continue
            a[c.field] = text  # exactly as entered: line breaks, blanks and all
    source = Source(
        file=check.name,
        sha256=check.sha256,
        received=check.incoming.received,
        template_version=check.template_version,
        sender=check.incoming.sender,
    )
    for number in plan.element_rows:
        a = answers.get(number, {})
        if ctx.require_status:
            for smiley_field, text_field in ((PROGRESS, STATUS), (ECONOMY, ECONOMY_STATUS)):
                state = a.get(smiley_field)
                if state in (Smiley.YELLOW, Smiley.RED) and not a.get(text_field, "").strip() and (number, text_field) not in unusable:
                    add(
                        Problem(
                            "status-text-required",
                            check.name,
                            check.committee,
                            number,
                            sheet,
                            check.cells.get((number, text_field), ""),
                            expected="en statustekst",
                            found=SMILEY_LOOKS[state].label_da,
                        )
                    )
        check.results.append(
            Result(
                element=number,
                round=ctx.round,
                progress=a.get(PROGRESS),
                status=a.get(STATUS, ""),
                economy=a.get(ECONOMY),
                economy_status=a.get(ECONOMY_STATUS, ""),
                source=source,
            )
        )


def _full_length(members: dict[str, bytes], parts: _Parts, sheet: str, ref: str) -> int:
    """The real length of a text cell, from the XML: python-calamine returns at most 32,767 characters.

    Only called for a text at that limit, so the extra parse costs nothing in the normal case.
    """
    target = parts.sheet_paths.get(sheet, "")
    if target not in members:
        return 0
    kind, raw = "", ""
    for _event, el in SafeET.iterparse(io.BytesIO(_member(members, target, _MAX_SHEET_XML))):
        if el.tag == _C_TAG and el.get("r") == ref:
            kind = el.get("t", "")
            texts = [t.text or "" for t in el.iter() if _local(t.tag) in ("t", "v")]
            raw = "".join(texts)
            break
    if kind != "s":
        return len(raw)
    index = int(raw or -1)
    if "xl/sharedStrings.xml" not in members:
        return 0
    i = -1
    for _event, el in SafeET.iterparse(io.BytesIO(_member(members, "xl/sharedStrings.xml", _MAX_SHEET_XML))):
        if _local(el.tag) == "si":
            i += 1
            if i == index:
                return sum(len(t.text or "") for t in el.iter() if _local(t.tag) == "t")
            el.clear()
    return 0


def local_time(when: datetime) -> datetime:
    """A time in the municipality's zone: a return at 00:30 Danish time is on the next day."""
    try:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(LOCAL_TIMEZONE)
    except Exception:  # no time zone data on this machine
        zone = UTC
    return when.astimezone(zone) if when.tzinfo else when


def _check_late(check: ReturnCheck, ctx: CollectContext) -> None:
    """Late by the e-mail's time, or else the file's; the deadline day counts in full."""
    deadline = ctx.agreement.round(ctx.round).deadline
    when = check.incoming.received or check.modified
    if deadline is None or when is None:
        return
    local = local_time(when)
    if local.date() > deadline:
        check.problems.append(
            Problem("late-return", check.name, check.committee, expected=deadline.isoformat(), found=local.strftime("%Y-%m-%d %H:%M"))
        )
