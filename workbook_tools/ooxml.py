"""Read the parts of a returned .xlsx that its values do not show: sheets, properties, protection, rules and formulas.

python-calamine gives the cell values; what else a check needs is read here from
the XML parts the zip guard already inflated and screened: the sheets with their
states and parts, the document properties, each sheet's protection and data
validations, its formula cells (found by their ``<f>`` tags, without parsing the
cells), and the names, rules and thresholds with formulas the sender added.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ScreenedET

from defusedxml import ElementTree as SafeET

from .danish import thousands
from .zipguard import read_zip_member

_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dcterms": "http://purl.org/dc/terms/",
    "custom": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
}
_MAX_SHEET_XML = 64 * 1024 * 1024

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
    """A conditional format's formulas are the template's own smiley colours ($E12="Grøn")."""
    return bool(formulas) and all(_OWN_RULE.fullmatch(f.strip()) for f in formulas)


def own_validation(kind: str, formula1: str, formula2: str = "") -> bool:
    """A data validation is the template's own: a list of quoted words, with no second bound."""
    return kind == "list" and _OWN_LIST.fullmatch(formula1.strip()) is not None and (formula2 or "").strip() in _NO_SECOND_BOUND


@dataclass
class Parts:
    """What a return's XML parts say besides its values."""

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
    # styles.xml's cell styles (each one's numFmtId) and custom number formats (id -> code), read on first need
    styles: tuple[list[str], dict[str, str]] | None = field(default=None, repr=False)


_XML_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")


def parse_xml(data: bytes):
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
        raise ValueError(f"{name} er større end {thousands(limit)} byte udpakket")
    return data


def _xml(members: dict[str, bytes], name: str, limit: int = 8 * 1024 * 1024):
    data = _member(members, name, limit)
    return None if data is None else parse_xml(data)


def read_parts(members: dict[str, bytes], unscanned: str = "") -> Parts:
    """The few XML parts the checks need, from the members check_zip_limits inflated; values come from calamine.

    Every sheet but `unscanned` (the template's hidden sheet, values only) is scanned
    for protection, validations and formulas.
    """
    parts = Parts()
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
        if target in members and name != unscanned:
            _scan_sheet_xml(parts, name, _member(members, target, _MAX_SHEET_XML))
    return parts


def part_path(target: str) -> str:
    """The zip part a relationship of xl/workbook.xml points to (its targets are relative to xl/, or absolute)."""
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def sheet_parts(path: Path | str) -> dict[str, str]:
    """Sheet name (as on its tab) -> the zip part that holds it; {} when that cannot be told (the reader says why)."""
    ns = {"m": _NS["main"], "p": _NS["rel"]}
    rid = f"{{{_NS['r']}}}id"
    try:
        with zipfile.ZipFile(path) as z:
            rels = SafeET.fromstring(read_zip_member(z, "xl/_rels/workbook.xml.rels"))
            book = SafeET.fromstring(read_zip_member(z, "xl/workbook.xml"))
    except Exception:  # no such part, not XML, not a zip
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iterfind("p:Relationship", ns)}
    parts = {}
    for sheet in book.iterfind("m:sheets/m:sheet", ns):
        target = targets.get(sheet.get(rid), "")
        parts[sheet.get("name", "")] = part_path(target)
    return parts


_C_TAG = f"{{{_NS['main']}}}c"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_SHEETDATA_OPEN = re.compile(rb"<(?:\w+:)?sheetData(?=[\s>/])")
_SHEETDATA_CLOSE = re.compile(rb"</(?:\w+:)?sheetData\s*>")
_F_OPEN = re.compile(rb"<(\w+:)?f(?=[\s>/])")
_REF_ATTR = re.compile(rb'\sr="([A-Z]{1,3}[0-9]{1,7})"')


def _scan_sheet_xml(parts: Parts, sheet: str, data: bytes) -> None:
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
    parts.formula_cells[sheet] = formula_cells(body)
    dvs: list[tuple[str, str, str]] = []
    protected = False
    for el in parse_xml(rest).iter():
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
        formulas[before[start + 6 : quote].decode("ascii")] = (
            html.unescape(text.decode("utf-8", errors="replace")) if b"&" in text else text.decode("utf-8", errors="replace")
        )
    return formulas


def formula_cells(body: bytes) -> dict[str, str]:
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


def text_length(members: dict[str, bytes], parts: Parts, sheet: str, ref: str) -> int:
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


# Excel's built-in number formats a text cell may carry, as Danish Excel shows them (14 is the short date).
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
    14: "dd-mm-yyyy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
    20: "hh:mm", 21: "hh:mm:ss", 22: "dd-mm-yyyy hh:mm", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mm:ss.0", 49: "@",
}  # fmt: skip


def number_format(members: dict[str, bytes], parts: Parts, sheet: str, ref: str) -> str:
    """The number format of one cell (its ``s=`` style, through styles.xml's cellXfs and numFmts); "General" when none.

    Only asked for the few answer cells that hold a number or date where text was
    expected, so the sheet's XML is searched, not parsed; styles.xml is parsed once
    per workbook (kept in `parts`), however many cells ask.
    """
    target = parts.sheet_paths.get(sheet, "")
    data = _member(members, target, _MAX_SHEET_XML) if target else None
    m = re.search(rb'<(?:\w+:)?c\s[^>]*?\br="' + ref.encode("ascii") + rb'"[^>]*>', data) if data else None
    style = re.search(rb'\ss="(\d+)"', m.group(0)) if m else None
    if style is None:
        return "General"
    xfs, codes = _styles(members, parts)
    index = int(style.group(1))
    if index >= len(xfs):
        return "General"
    fmt_id = int(xfs[index] or 0)
    key = str(fmt_id)
    return codes[key] if key in codes else BUILTIN_FORMATS.get(fmt_id, "General")


def _styles(members: dict[str, bytes], parts: Parts) -> tuple[list[str], dict[str, str]]:
    """Each cell style's numFmtId (by its index in cellXfs) and the workbook's own number formats; read once per workbook."""
    if parts.styles is None:
        styles = _xml(members, "xl/styles.xml")
        xfs: list[str] = []
        codes: dict[str, str] = {}
        if styles is not None:
            xfs = [xf.get("numFmtId", "0") for xf in styles.iterfind("main:cellXfs/main:xf", _NS)]
            for nf in styles.iterfind("main:numFmts/main:numFmt", _NS):
                codes.setdefault(nf.get("numFmtId"), nf.get("formatCode", "General"))  # the first, should an id repeat
        parts.styles = (xfs, codes)
    return parts.styles
