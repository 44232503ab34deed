"""Read and validate returned workbooks, one file at a time.

Each return is checked like a careful finance officer would: what the file
really is, whose template it is, whether anything locked was changed (even with
the protection removed and put back), and whether the answers are valid. The
template is re-derived from the master, so collecting needs no generation folder.

Nothing here raises for a bad file: everything wrong becomes a
:class:`~workbook_tools.problems.Problem`. Input files are only ever read.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

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
)
from .problems import Problem, Severity, is_rejecting
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
from .xlsxio import cell_name, check_zip_limits, read_zip_member, sha256_of, sniff_workbook_kind

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv"}
MAIL_SUFFIXES = {".eml", ".msg"}
_KIND_PROBLEMS = {
    "empty": "empty-file",
    "encrypted": "encrypted-workbook",
    "xls": "legacy-xls",
    "xlsm": "macro-workbook",
    "xlsb": "binary-workbook",
    "ods": "ods-workbook",
    "folder": "not-a-file",
    "missing": "unreadable-file",
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
    # input cell refs per (element, field), for annotated feedback copies
    cells: dict[tuple[str, str], str] = field(default_factory=dict)
    sheet_name: str = ""

    @property
    def name(self) -> str:
        return self.incoming.name

    @property
    def accepted(self) -> bool:
        return not is_rejecting(self.problems)

    @property
    def document_time(self) -> datetime | None:
        return self.modified or self.incoming.received


@dataclass
class CollectContext:
    """What every check needs: the master, the round, the texts and optional manifest."""

    agreement: Agreement
    round: int
    texts: Texts
    manifest: dict[str, dict] = field(default_factory=dict)
    require_status: bool = True
    _plans: dict = field(default_factory=dict)

    def plan(self, committee: str, department: str) -> SheetPlan:
        key = (committee, department)
        if key not in self._plans:
            c = self.agreement.committee(committee)
            self._plans[key] = plan_sheet(self.agreement, c, self.round, self.texts, Mode.TEMPLATE, department)
        return self._plans[key]


def discover(paths: list[Path | str]) -> list[Path]:
    """Files to collect, from files and folders (recursively), in a stable order.

    Hidden files and Office lock files (~$…) are passed over; a path that does not
    exist is kept so that it is reported, not silently dropped.
    """
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and p.suffix.lower() not in WORKBOOK_SUFFIXES | MAIL_SUFFIXES:
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if f.startswith((".", "~$")):
                        continue
                    found.append(Path(root) / f)
        else:
            found.append(p)
    return found


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
        check.problems.append(Problem("broken-workbook", incoming.name, check.committee, detail=_brief(exc)))
        check.results = []
    return check


def _brief(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _check(check: ReturnCheck, ctx: CollectContext) -> None:
    inc = check.incoming
    add = check.problems.append
    path = inc.path
    if path.is_symlink():
        add(Problem("not-a-file", inc.name, detail="symbolsk link"))
        return
    kind = sniff_workbook_kind(path)
    check.kind = kind
    if kind in _KIND_PROBLEMS:
        add(Problem(_KIND_PROBLEMS[kind], inc.name, detail=kind))
        return
    if kind != "xlsx":
        what = {"text": "tekst eller CSV", "zip": "zip-fil uden projektmappe", "binary": "ukendt binær fil"}.get(kind, kind)
        add(Problem("not-a-workbook", inc.name, detail=what))
        return
    if not os.access(path, os.R_OK):
        add(Problem("unreadable-file", inc.name, detail="ingen læseadgang"))
        return
    check.sha256 = sha256_of(path)
    unsafe = check_zip_limits(path)
    if unsafe:
        add(Problem("unsafe-workbook", inc.name, detail=unsafe))
        return
    parts = _read_parts(path)
    check.modified, check.modified_by = parts.modified, parts.modified_by
    identity = _identify(check, parts, ctx)
    if identity is None:
        return
    plan = ctx.plan(check.committee, check.department)
    check.sheet_name = plan.sheet_name
    _check_sheets(check, parts, plan)
    if plan.sheet_name not in parts.sheet_names:
        return
    values = _read_values(path, plan.sheet_name)
    _check_template_id(check, ctx, plan, values)
    if check.template_version != TEMPLATE_VERSION:
        cells = _locate_inputs_by_number(plan, values, ctx)
        if cells is None:
            add(Problem("old-template-version", inc.name, check.committee, expected=TEMPLATE_VERSION, found=check.template_version))
            add(Problem("rows-moved", inc.name, check.committee, sheet=plan.sheet_name, detail="ældre skabelon"))
            return
        add(Problem("old-template-version", inc.name, check.committee, expected=TEMPLATE_VERSION, found=check.template_version))
    else:
        if not _check_rows(check, plan, values):
            return
        _check_locked(check, plan, values)
        cells = plan.inputs()
    _check_protection(check, parts, plan)
    _read_answers(check, ctx, plan, values, cells, parts.formula_cells)
    _check_late(check, ctx)


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


def _xml(z: zipfile.ZipFile, name: str, limit: int = 8 * 1024 * 1024):
    if name not in z.NameToInfo:
        return None
    return SafeET.fromstring(read_zip_member(z, name, limit))


def _read_parts(path: Path) -> _Parts:
    """The few XML parts the checks need, parsed with defusedxml; values come from calamine."""
    parts = _Parts()
    with zipfile.ZipFile(path) as z:
        wb = _xml(z, "xl/workbook.xml")
        rels = _xml(z, "xl/_rels/workbook.xml.rels")
        targets = {}
        if rels is not None:
            for rel in rels.findall("rel:Relationship", _NS):
                target = rel.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                targets[rel.get("Id")] = target
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
        if any(n.startswith("xl/externalLinks/") for n in z.NameToInfo):
            parts.external_links = True
        custom = _xml(z, "docProps/custom.xml")
        if custom is not None:
            for prop in custom.findall("custom:property", _NS):
                value = "".join(prop.itertext()).strip()
                parts.properties[prop.get("name", "")] = value
        core = _xml(z, "docProps/core.xml")
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
            if target in z.NameToInfo:
                _scan_sheet_xml(parts, name, read_zip_member(z, target, _MAX_SHEET_XML))
    return parts


_F_TAG = f"{{{_NS['main']}}}f"
_C_TAG = f"{{{_NS['main']}}}c"
_PROT_TAG = f"{{{_NS['main']}}}sheetProtection"
_DV_TAG = f"{{{_NS['main']}}}dataValidation"
_F1_TAG = f"{{{_NS['main']}}}formula1"


def _scan_sheet_xml(parts: _Parts, sheet: str, data: bytes) -> None:
    """Protection, validations and formula cells of one sheet, in one streaming pass."""
    import io

    formulas: dict[str, str] = {}
    dvs: list[tuple[str, str, str]] = []
    protected = False
    current_ref = ""
    for event, el in SafeET.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == _C_TAG:
                current_ref = el.get("r", "")
            continue
        if tag == _F_TAG:
            formulas[current_ref] = el.text or ""
        elif tag == _C_TAG:
            el.clear()
        elif tag == _PROT_TAG:
            protected = el.get("sheet") in ("1", "true")
        elif tag == _DV_TAG:
            f1 = el.find(_F1_TAG)
            dvs.append((el.get("sqref", ""), el.get("type", ""), (f1.text or "") if f1 is not None else ""))
        elif tag.endswith("}row"):
            el.clear()
    parts.formula_cells[sheet] = formulas
    parts.validations[sheet] = dvs
    parts.protected[sheet] = protected


def _read_values(path: Path, sheet: str) -> list[list]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return rows


def _read_meta(path: Path) -> dict[str, str] | None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    if META_SHEET not in wb.sheet_names:
        return None
    meta = {}
    for row in wb.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False):
        if len(row) >= 2 and row[0] not in (None, ""):
            meta[str(row[0])] = _as_text(row[1])
    return meta


def _identify(check: ReturnCheck, parts: _Parts, ctx: CollectContext) -> dict | None:
    """Whose template is this? From the hidden sheet, cross-checked with the properties."""
    inc = check.incoming
    add = check.problems.append
    meta = _read_meta(inc.path) if META_SHEET in parts.sheet_names else None
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
            add(Problem("properties-removed", inc.name))
        else:
            differing = [k for k in META_KEYS if k in props and _norm_meta(props[k]) != _norm_meta(meta.get(k, ""))]
            if differing:
                add(Problem("metadata-changed", inc.name, detail="skjult ark og dokumentegenskaber er uenige om " + ", ".join(differing)))
                return None
    check.committee = identity.get("committee", "")
    check.department = identity.get("department", "")
    check.template_id = identity.get("template_id", "")
    check.template_version = identity.get("template_version", "")
    try:
        check.year = int(float(identity.get("year", "0") or 0))
        check.round = int(float(identity.get("round", "0") or 0))
    except ValueError:
        add(Problem("metadata-changed", inc.name, detail="år eller runde er ikke et tal"))
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
        add(Problem("wrong-committee", inc.name, check.committee, found=f"{check.committee} – {check.department}"))
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


def _check_sheets(check: ReturnCheck, parts: _Parts, plan: SheetPlan) -> None:
    inc = check.incoming
    add = check.problems.append
    expected = {plan.sheet_name, META_SHEET}
    present = set(parts.sheet_names)
    if plan.sheet_name not in present:
        add(Problem("sheet-missing", inc.name, check.committee, expected=plan.sheet_name, detail="fandt " + ", ".join(f"'{s}'" for s in parts.sheet_names)))
        return
    extra = sorted(present - expected)
    if extra:
        add(Problem("sheet-added-or-removed", inc.name, check.committee, detail="ekstra ark: " + ", ".join(f"'{s}'" for s in extra)))
    if parts.sheet_states.get(plan.sheet_name, "visible") != "visible":
        add(Problem("sheet-hidden", inc.name, check.committee, sheet=plan.sheet_name, detail=plan.sheet_name))
    if META_SHEET in present and parts.sheet_states.get(META_SHEET) == "visible":
        add(Problem("sheet-hidden", inc.name, check.committee, sheet=META_SHEET, detail=META_SHEET))
    if parts.external_links:
        add(Problem("external-link", inc.name, check.committee))


def _check_template_id(check: ReturnCheck, ctx: CollectContext, plan: SheetPlan, values: list[list]) -> None:
    if not ctx.manifest or check.template_version != TEMPLATE_VERSION:
        return
    entry = ctx.manifest.get(check.template_id)
    if entry is None:
        check.problems.append(Problem("unknown-template-id", check.name, check.committee, found=check.template_id))
        return
    same_unit = entry.get("committee") == check.committee and entry.get("department", "") == check.department and int(entry.get("round", 0)) == check.round
    digest = content_digest((c.ref, _at(values, c.row, c.col)) for c in plan.fixed())
    if not same_unit or (entry.get("digest") and entry["digest"] != plan.locked_digest() and digest != entry["digest"]):
        check.problems.append(Problem("template-id-mismatch", check.name, check.committee, found=check.template_id))


def _at(values: list[list], row: int, col: int):
    if row < len(values) and col < len(values[row]):
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


def _check_rows(check: ReturnCheck, plan: SheetPlan, values: list[list]) -> bool:
    """Inserted, deleted or sorted rows show as element headings out of place."""
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
                    sheet=plan.sheet_name,
                    cell=cell_name(row, COL_LABEL),
                    expected=str(row + 1),
                    found=str(actual + 1) if actual is not None else "mangler",
                )
            )
            moved = True
    return not moved


def _check_locked(check: ReturnCheck, plan: SheetPlan, values: list[list]) -> None:
    """Every locked cell against what the template held; also content typed outside the plan."""
    planned: dict[tuple[int, int], PlannedCell] = {(c.row, c.col): c for c in plan.cells}
    for c in plan.cells:
        if c.role is not Role.FIXED:
            continue
        found = _at(values, c.row, c.col)
        if normalise_value(found) != normalise_value(c.value):
            check.problems.append(
                Problem("locked-cell-changed", check.name, check.committee, c.element, plan.sheet_name, c.ref, c.value, _as_text(found))
            )
    for r, row in enumerate(values):
        for col, v in enumerate(row):
            if v in (None, "") or (r, col) in planned:
                continue
            check.problems.append(
                Problem("locked-cell-changed", check.name, check.committee, _element_at(plan, r), plan.sheet_name, cell_name(r, col), "", _as_text(v))
            )


def _element_at(plan: SheetPlan, row: int) -> str:
    best = ""
    for number, start in plan.element_rows.items():
        if start <= row:
            best = number
    return best


def _check_protection(check: ReturnCheck, parts: _Parts, plan: SheetPlan) -> None:
    sheet = plan.sheet_name
    if not parts.protected.get(sheet, False):
        check.problems.append(Problem("protection-removed", check.name, check.committee, sheet=sheet, detail=sheet))
    dvs = parts.validations.get(sheet, [])
    for c in plan.inputs():
        if not c.states:
            continue
        words = {s.label for s in c.states}
        if not any(_covers(sqref, c.ref) and dvtype == "list" and _list_words(f1) == words for sqref, dvtype, f1 in dvs):
            check.problems.append(Problem("dropdown-removed", check.name, check.committee, c.element, sheet, c.ref))


def _list_words(formula: str) -> set[str]:
    return {w.strip() for w in formula.strip().strip('"').split(",")}


def _covers(sqref: str, ref: str) -> bool:
    col, row = _split_ref(ref)
    for part in sqref.split():
        if ":" in part:
            a, b = part.split(":", 1)
            (c1, r1), (c2, r2) = _split_ref(a), _split_ref(b)
            if c1 <= col <= c2 and r1 <= row <= r2:
                return True
        elif part.replace("$", "") == ref:
            return True
    return False


def _split_ref(ref: str) -> tuple[int, int]:
    m = re.match(r"\$?([A-Z]+)\$?(\d+)", ref)
    if not m:
        return (0, 0)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return col, int(m.group(2))


def _locate_inputs_by_number(plan: SheetPlan, values: list[list], ctx: CollectContext) -> list[PlannedCell] | None:
    """For an older template layout: find each element's input cells by its number and labels."""
    headings = _heading_rows(values)
    round_label = ctx.agreement.round(ctx.round).label
    milestone, status = ctx.texts("milestone_label"), ctx.texts("status_label")
    economy_status = ctx.texts("economy_status_label")
    cells: list[PlannedCell] = []
    numbers = list(plan.element_rows)
    for number in numbers:
        start = headings.get(number)
        if start is None:
            return None
        end = min([r for n, r in headings.items() if r > start] + [len(values)])
        found = {}
        for r in range(start + 1, end):
            row = values[r] + [None] * 7
            label, when = _as_text(row[COL_LABEL]), _as_text(row[COL_TIME])
            if label == milestone and when == round_label:
                found[PROGRESS] = PlannedCell(r, COL_SMILEY, "", "input_smiley", Role.INPUT, number, PROGRESS, ctx.round, states=PROGRESS_STATES)
                nxt = values[r + 1] if r + 1 < len(values) else []
                if nxt and _as_text(nxt[COL_LABEL]) == status:
                    found[STATUS] = PlannedCell(r + 1, COL_TEXT, "", "input_text", Role.INPUT, number, STATUS, ctx.round)
            if label == economy_status and when == round_label:
                found[ECONOMY] = PlannedCell(r, COL_SMILEY, "", "input_smiley", Role.INPUT, number, ECONOMY, ctx.round, states=ECONOMY_STATES)
                found[ECONOMY_STATUS] = PlannedCell(r, COL_TEXT, "", "input_text", Role.INPUT, number, ECONOMY_STATUS, ctx.round)
        if len(found) != 4:
            return None
        cells.extend(found.values())
    return cells


def _read_answers(check: ReturnCheck, ctx: CollectContext, plan: SheetPlan, values, cells, formula_cells) -> None:
    add = check.problems.append
    sheet = plan.sheet_name
    formulas = formula_cells.get(sheet, {})
    answers: dict[str, dict] = {}
    for c in cells:
        raw = _at(values, c.row, c.col)
        check.cells[(c.element, c.field)] = c.ref
        where = dict(file=check.name, committee=check.committee, element=c.element, sheet=sheet, cell=c.ref)
        if c.ref in formulas:
            add(Problem("formula-in-input", found="=" + formulas[c.ref], **where))
            continue
        a = answers.setdefault(c.element, {})
        if c.states:
            text = _as_text(raw)
            state, exact = parse_smiley(text)
            allowed = c.states
            if state is None and text.strip():
                add(Problem("invalid-smiley", expected=" / ".join(s.label for s in allowed), found=text, **where))
            elif state is not None and state not in allowed:
                add(Problem("invalid-smiley", expected=" / ".join(s.label for s in allowed), found=text, **where))
            elif state is None:
                add(Problem("smiley-missing", **where))
            else:
                if not exact:
                    add(Problem("smiley-normalised", expected=state.label, found=text, **where))
                a[c.field] = state
        else:
            text = _as_text(raw)
            if len(text) > EXCEL_CELL_LIMIT:
                add(Problem("text-too-long", expected=str(EXCEL_CELL_LIMIT), found=str(len(text)), **where))
                continue
            a[c.field] = text
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
                if state in (Smiley.YELLOW, Smiley.RED) and not a.get(text_field, "").strip():
                    add(
                        Problem(
                            "status-text-required",
                            check.name,
                            check.committee,
                            number,
                            sheet,
                            check.cells.get((number, text_field), ""),
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


def _check_late(check: ReturnCheck, ctx: CollectContext) -> None:
    deadline = ctx.agreement.round(ctx.round).deadline
    received = check.incoming.received
    if deadline is None or received is None:
        return
    if received.date() > deadline:
        check.problems.append(
            Problem("late-return", check.name, check.committee, expected=deadline.isoformat(), found=received.date().isoformat())
        )


def severity_counts(problems: list[Problem]) -> dict[Severity, int]:
    out = {s: 0 for s in Severity}
    for p in problems:
        out[p.severity] += 1
    return out
