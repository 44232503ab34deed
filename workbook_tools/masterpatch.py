"""Bring finance's own master up to date: every part carried over byte for byte, only the results sheet written anew.

The master is finance's workbook, kept in Excel: sheets, columns, notes, fills and
widths of their own must survive a collect. So the merged master is the input's zip
with the ``Resultater`` sheet's rows replaced (its columns, view, filter and styles
kept) and what must change with it: the filter's defined name, a calculation chain
that points into the sheet (dropped; Excel rebuilds it), a date (and quote-prefix)
style appended to styles.xml when the sheet has none yet, and the sheet's part, rel
and content type when the input had no results sheet. Compressed members are copied
as they are, without inflating them.

A workbook this cannot patch (not a zip of the usual shape, Strict Open XML, zip64,
encrypted) raises :class:`Unpatchable`; the caller writes the master afresh and says
what was not kept.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import unescape

from xlsxwriter.utility import xl_col_to_name

from .atomic import atomic_output
from .fastxlsx.cells import escape_text
from .fastxlsx.worksheet import FastSheet
from .fastxlsx.zipwriter import Deflated
from .master import RESULT_COLUMNS, RESULTS_SHEET, write_master
from .model import Agreement, Smiley
from .xlsxio import needs_quote

_ZIP_DATE = (0, (1 << 5) | 1)  # dos time, dos date of 1980-01-01: new members, as the lean writer dates them
_STAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"
_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"|([\w:]+)\s*=\s*\'([^\']*)\'')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_REF = re.compile(r"([A-Z]+)(\d+)")
_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_TYPED = (
    "Nummer",
    "Status",
    "Status økonomi",
    "Kilde",
    "Skabelonversion",
    "Afsender",
)  # texts a person or a file name decides: may start with "="
_WIDTHS = (10, 8, 14, 60, 14, 60, 40, 66, 20, 14, 30)  # a new results sheet's columns, as write_master sets them


class _StyleAttrs:
    """The workbook a FastSheet asks for style attributes: here its formats already are them (' s="3"')."""

    prototype = None
    active = 0

    def style_attr(self, fmt) -> str:
        return fmt or ""

    def register(self, fmt, dxf: bool = False) -> None:
        pass


class Unpatchable(Exception):
    """The input master is not a workbook this module can patch; the message says why (Danish)."""


def write_merged_master(agreement: Agreement, path: Path | str, source: Path | str | None) -> tuple[Path, list[str]]:
    """The merged master at `path`: `source` (finance's master) with its results brought up to date.

    Returns the path and notes for finance: what was not kept, when `source` could not
    be patched and the master was written afresh from the model, or when the results
    sheet held columns of finance's own. Without `source`, written afresh.
    """
    path = Path(path)
    if source is None:
        return write_master(agreement, path), []
    try:
        return path, patch_master(source, agreement, path)
    except Unpatchable as exc:
        write_master(agreement, path)
        return path, [
            f"{path.name} er skrevet forfra ud fra modellen, fordi {Path(source).name} ikke kunne opdateres på stedet ({exc}): "
            "egne ark, ekstra kolonner, noter, formater og kolonnebredder fra masterfilen er ikke med; kopiér dem over, eller gem masterfilen "
            "som Excel-projektmappe (*.xlsx) før næste runde"
        ]


def patch_master(source: Path | str, agreement: Agreement, path: Path | str) -> list[str]:
    """Write `source` to `path` with the results sheet rewritten from `agreement`; return notes for finance.

    The source is closed before the new file takes its place: `path` may be `source` itself.
    """
    with atomic_output(path) as tmp:
        try:
            fh = open(source, "rb")
        except OSError as exc:
            raise Unpatchable(f"filen kan ikke læses igen: {exc.strerror or exc}") from None
        with fh:
            try:
                zf = zipfile.ZipFile(fh)
                infos = zf.infolist()
                for info in infos:
                    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                        raise Unpatchable("en del er krypteret eller pakket på en måde Excel ikke bruger")
                    if max(info.file_size, info.compress_size, info.header_offset) >= 0xFFFFFFFF:
                        raise Unpatchable("filen er for stor (zip64)")
                if len({i.filename for i in infos}) != len(infos):
                    raise Unpatchable("en del står to gange i zip-filen")
                package = _Package(zf)
                notes = package.rewrite_results(agreement)
                with open(tmp, "wb") as out:
                    _write_zip(fh, out, infos, package.changed, package.added, package.dropped)
            except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, ValueError) as exc:
                raise Unpatchable(f"filen har ikke en .xlsx-projektmappes opbygning: {exc}") from None
    return notes


def _attrs(tag: str) -> dict[str, str]:
    return {
        m.group(1) or m.group(3): unescape(m.group(2) if m.group(1) else m.group(4), {"&quot;": '"', "&apos;": "'"})
        for m in _ATTR.finditer(tag)
    }


def _resolve(base: str, target: str) -> str:
    """A relationship's target as a zip member name, from the folder of the part that holds it."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))


def _col_index(ref: str) -> int:
    n = 0
    for ch in ref:
        n = n * 26 + ord(ch) - 64
    return n - 1


class _Package:
    """The parts of the input that the results sheet touches, read as text; what changes, is added or dropped."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.names = {i.filename for i in zf.infolist()}
        self.changed: dict[str, bytes | list[Deflated]] = {}  # a part's new bytes, or a sheet's deflated pieces
        self.added: list[tuple[str, bytes | list[Deflated]]] = []
        self.dropped: set[str] = set()
        self.types = self.text("[Content_Types].xml")
        if (
            "macroEnabled" in self.types or "template.main" in self.types
        ):  # kept, it would be an .xlsm or .xltx named .xlsx: Excel refuses it
            raise Unpatchable("masterfilen er gemt med makroer eller som skabelon, ikke som Excel-projektmappe (*.xlsx)")
        root_rels = self.text("_rels/.rels")
        office = [a for a in map(_attrs, re.findall(r"<Relationship\b[^>]*>", root_rels)) if a.get("Type", "").endswith("/officeDocument")]
        if not office or "purl.oclc.org" in office[0]["Type"]:
            raise Unpatchable("Strict Open XML eller ingen projektmappe i filen")
        self.book_name = _resolve("", office[0]["Target"])
        self.book = self.text(self.book_name)
        if f'xmlns="{_SHEET_NS}"' not in self.book:
            raise Unpatchable("projektmappen er ikke gemt som Excel-projektmappe (*.xlsx)")
        folder = posixpath.dirname(self.book_name)
        self.rels_name = posixpath.join(folder, "_rels", posixpath.basename(self.book_name) + ".rels")
        self.rels = self.text(self.rels_name)
        self.folder = folder
        self.targets = {
            a["Id"]: (a.get("Type", ""), _resolve(folder, a["Target"]))
            for a in map(_attrs, re.findall(r"<Relationship\b[^>]*>", self.rels))
        }
        self.sheets = []  # (name, sheetId, rel id), in the workbook's order
        for tag in re.findall(r"<sheet\b[^>]*>", self.book):
            a = _attrs(tag)
            rid = next((v for k, v in a.items() if k.endswith(":id")), "")
            self.sheets.append((a.get("name", ""), a.get("sheetId", ""), rid))
        self._strings: list[str] | None = None

    def text(self, name: str) -> str:
        return self.zf.read(name).decode("utf-8")

    def shared_strings(self) -> list[str]:
        if self._strings is None:
            name = next((t for typ, t in self.targets.values() if typ.endswith("/sharedStrings")), None)
            self._strings = []
            if name and name in self.names:
                for si in re.findall(r"<si\b[^>]*>(.*?)</si>|<si\s*/>", self.text(name), re.S):
                    self._strings.append(unescape("".join(re.findall(r"<t\b[^>]*>(.*?)</t>", si, re.S))))
        return self._strings

    def cell_text(self, attrs: str, body: bytes) -> str:
        a = _attrs(attrs)
        text = body.decode("utf-8") if body else ""
        if a.get("t") == "inlineStr":
            return unescape("".join(re.findall(r"<t\b[^>]*>(.*?)</t>", text, re.S)))
        v = re.search(r"<v>(.*?)</v>", text, re.S)
        if v is None:
            return ""
        if a.get("t") == "s":
            strings = self.shared_strings()
            i = int(v.group(1))
            return strings[i] if i < len(strings) else ""
        return unescape(v.group(1))

    def rewrite_results(self, agreement: Agreement) -> list[str]:
        notes: list[str] = []
        index = next((i for i, s in enumerate(self.sheets) if s[0] == RESULTS_SHEET), None)
        if index is None:
            index = self.add_results_sheet()
        name, sheet_id, rid = self.sheets[index]
        kind, part = self.targets.get(rid, ("", ""))
        if not kind.endswith("/worksheet") or part not in self.names:
            raise Unpatchable(f"arket '{RESULTS_SHEET}' er ikke et almindeligt regneark")
        xml = self.added_part(part) or self.zf.read(part)
        start = xml.find(b"<sheetData")
        if start < 0:
            raise Unpatchable(f"arket '{RESULTS_SHEET}' har ingen celler, som kan læses")
        open_end = xml.index(b">", start) + 1
        if xml[open_end - 2 : open_end] == b"/>":
            end = open_end
            rows = []
        else:
            end = xml.index(b"</sheetData>", open_end) + len(b"</sheetData>")
            rows = [
                m.group(0) for _, m in zip(range(2), _ROW.finditer(xml, open_end, end - len(b"</sheetData>")))
            ]  # the heading and the first result
        header = rows[0] if rows else b""
        headings: dict[int, str] = {}
        header_style = b""
        for n, (attrs, body) in enumerate(_CELL.findall(header)):
            a = _attrs(attrs.decode("utf-8"))
            ref = _REF.match(a.get("r", ""))
            col = _col_index(ref.group(1)) if ref else n
            headings[col] = self.cell_text(attrs.decode("utf-8"), body).strip()
            header_style = header_style or (f' s="{a["s"]}"'.encode() if "s" in a else b"")
        if _attrs(header.split(b">", 1)[0].decode("utf-8")).get("r", "1") != "1":
            raise Unpatchable(f"overskriftsrækken på '{RESULTS_SHEET}' står ikke i række 1")
        positions = {h: c for c, h in sorted(headings.items(), reverse=True) if h}  # a repeated heading: the first
        extra_cells = b""
        width = max(headings, default=-1) + 1
        for h in RESULT_COLUMNS:
            if h not in positions:
                positions[h] = width
                extra_cells += (
                    f'<c r="{xl_col_to_name(width)}1"'.encode()
                    + header_style
                    + f' t="inlineStr"><is><t>{escape_text(h)}</t></is></c>'.encode()
                )
                width += 1
        if extra_cells:
            header = (
                (header[: header.rindex(b"</row>")] + extra_cells + b"</row>")
                if header.endswith(b"</row>")
                else b'<row r="1">' + extra_cells + b"</row>"
            )
        own = sorted(h for c, h in headings.items() if h and h not in RESULT_COLUMNS)
        if own and len(rows) > 1:
            notes.append(
                f"kolonnen/kolonnerne {', '.join(own)} på arket '{RESULTS_SHEET}' er tømt: arket skrives forfra hver runde; "
                "hold egne noter på et andet ark eller i en ekstra kolonne på 'Indsatser'"
            )
        styles = self.column_styles(rows[1] if len(rows) > 1 else b"", positions)
        body = self.result_rows(agreement, positions, styles, width)
        extent = f"A1:{xl_col_to_name(width - 1)}{len(agreement.results) + 1}"
        head = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{extent}"'.encode(), xml[:start], count=1)
        tail = re.sub(rb'(<autoFilter\b[^>]*?\bref=")[^"]*"', rb"\g<1>" + extent.encode() + b'"', xml[end:], count=1)
        self.put(part, [Deflated(head + b"<sheetData>" + header), body, Deflated(b"</sheetData>" + tail, last=True)])
        self.update_filter_name(index, extent, b"<autoFilter" in tail)
        self.drop_calc_chain(sheet_id)
        return notes

    def column_styles(self, first_row: bytes, positions: dict[str, int]) -> dict[str, str]:
        """Each tool column's style attribute as the sheet's first result row has it."""
        by_col = {}
        for n, (attrs, _body) in enumerate(_CELL.findall(first_row)):
            a = _attrs(attrs.decode("utf-8"))
            ref = _REF.match(a.get("r", ""))
            by_col[_col_index(ref.group(1)) if ref else n] = (a.get("s"), a.get("t"))
        out = {}
        for h, c in positions.items():
            s, t = by_col.get(c, (None, None))
            out[h] = f' s="{s}"' if s else ""
            if h == "Modtaget" and (not s or t):  # no number cell there yet: its style may not show a date
                out[h] = ""
        return out

    def result_rows(self, agreement: Agreement, positions: dict[str, int], styles: dict[str, str], width: int) -> Deflated:
        """The results as <row> elements from row 2, deflated, written by the lean writer's write_rows."""
        labels = {s: s.label for s in Smiley}
        rows = []
        for r in agreement.results:
            s = r.source
            values = (r.element, r.round, labels.get(r.progress, ""), r.status, labels.get(r.economy, ""), r.economy_status)
            rows.append(values + (s.file, s.sha256, s.received, s.template_version, s.sender) if s else values)
        stamp = RESULT_COLUMNS.index("Modtaget")
        if not styles["Modtaget"] and any(len(row) > stamp and isinstance(row[stamp], (datetime, date)) for row in rows):
            styles["Modtaget"] = self.append_style(_STAMP_FORMAT, False)
        formats = [""] * width
        quoted = [""] * width
        for j, h in enumerate(RESULT_COLUMNS):
            formats[positions[h]] = quoted[positions[h]] = styles[h]
            if h not in _TYPED:
                continue
            firsts = {
                row[j][:1] for row in rows if len(row) > j and row[j].__class__ is str
            }  # one pass; needs_quote looks at the first character
            if any(needs_quote(f) for f in firsts):
                quoted[positions[h]] = self.append_style(None, True, styles[h])
        order = [positions[h] for h in RESULT_COLUMNS]
        if order != list(range(len(RESULT_COLUMNS))):  # finance moved the columns: each value to its heading
            placed = []
            for row in rows:
                cells = [None] * width
                for c, v in zip(order, row):
                    cells[c] = v
                placed.append(cells)
            rows = placed
        sheet = FastSheet(_StyleAttrs(), RESULTS_SHEET, 0)
        sheet.write_rows(1, rows, formats, quoted, needs_quote)
        return sheet.rows_deflated()

    def append_style(self, num_format: str | None, quote: bool, base: str = "") -> str:
        """A new cell format in styles.xml (a date format, or a base style with a quote prefix); its style attribute."""
        name = next((t for typ, t in self.targets.values() if typ.endswith("/styles")), None)
        if not name or name not in self.names:
            raise Unpatchable("projektmappen har ingen typografier (styles.xml)")
        styles = (self.changed.get(name) or self.zf.read(name)).decode("utf-8")
        m = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
        if m is None:
            raise Unpatchable("typografierne mangler cellXfs")
        xfs = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", m.group(1), re.S)
        base_index = int(base.split('"')[1]) if base else 0
        xf = xfs[base_index] if base_index < len(xfs) else '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        if num_format:
            same = re.search(r'<numFmt\b(?=[^>]*formatCode="' + re.escape(num_format) + r'")[^>]*numFmtId="(\d+)"', styles)
            ids = [int(i) for i in re.findall(r'<numFmt\b[^>]*numFmtId="(\d+)"', styles)]
            fmt_id = int(same.group(1)) if same else max([163, *ids]) + 1
            entry = f'<numFmt numFmtId="{fmt_id}" formatCode="{num_format}"/>'
            if not same and "<numFmts" in styles:
                styles = re.sub(r"<numFmts\b[^>]*>", lambda t: t.group(0) + entry, styles, count=1)
                styles = re.sub(r'(<numFmts\b[^>]*count=")(\d+)"', lambda t: f'{t.group(1)}{int(t.group(2)) + 1}"', styles, count=1)
            elif not same:
                styles = re.sub(r"(<styleSheet\b[^>]*>)", lambda t: t.group(1) + f'<numFmts count="1">{entry}</numFmts>', styles, count=1)
            xf = re.sub(r'\snumFmtId="\d+"', "", xf)
            xf = xf.replace("<xf", f'<xf numFmtId="{fmt_id}" applyNumberFormat="1"', 1)
        if quote:
            xf = re.sub(r'\squotePrefix="[^"]*"', "", xf).replace("<xf", '<xf quotePrefix="1"', 1)
        if xf in xfs:  # made by an earlier round: used again, so styles.xml does not grow round by round
            return f' s="{xfs.index(xf)}"'
        m = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
        styles = styles[: m.end(1)] + xf + styles[m.end(1) :]
        styles = re.sub(r'(<cellXfs\b[^>]*count=")(\d+)"', lambda t: f'{t.group(1)}{int(t.group(2)) + 1}"', styles, count=1)
        self.changed[name] = styles.encode("utf-8")
        return f' s="{len(xfs)}"'

    def put(self, name: str, data: bytes | list[Deflated]) -> None:
        for i, (added, _) in enumerate(self.added):
            if added == name:
                self.added[i] = (name, data)
                return
        self.changed[name] = data

    def added_part(self, name: str) -> bytes | None:
        return next((d for n, d in self.added if n == name), None)

    def update_filter_name(self, index: int, extent: str, has_filter: bool) -> None:
        """The results sheet's hidden _FilterDatabase name, to the filter's new extent."""
        pattern = re.compile(
            r'(<definedName\b(?=[^>]*name="_xlnm._FilterDatabase")(?=[^>]*localSheetId="'
            + str(index)
            + r'")[^>]*>)([^<]*)!([^<]*)(</definedName>)'
        )
        m = pattern.search(self.book)
        if m is None or not has_filter:
            return
        first, last = extent.split(":")
        absolute = "$" + "$".join(_REF.match(first).groups()) + ":$" + "$".join(_REF.match(last).groups())
        self.book = self.book[: m.start()] + f"{m.group(1)}{m.group(2)}!{absolute}{m.group(4)}" + self.book[m.end() :]
        self.changed[self.book_name] = self.book.encode("utf-8")

    def drop_calc_chain(self, sheet_id: str) -> None:
        """Drop a calculation chain that lists cells of the results sheet; Excel rebuilds it on load."""
        found = [(rid, t) for rid, (typ, t) in self.targets.items() if typ.endswith("/calcChain")]
        for rid, name in found:
            chain = self.text(name) if name in self.names else ""
            if name in self.names and f'i="{sheet_id}"' not in chain:
                continue
            self.dropped.add(name)
            self.rels = re.sub(r'<Relationship\b[^>]*\bId="' + re.escape(rid) + r'"[^>]*/>', "", self.rels)
            self.changed[self.rels_name] = self.rels.encode("utf-8")
            self.types = re.sub(r'<Override\b[^>]*PartName="/' + re.escape(name) + r'"[^>]*/>', "", self.types)
            self.changed["[Content_Types].xml"] = self.types.encode("utf-8")

    def add_results_sheet(self) -> int:
        """A results sheet at the end of the workbook, headings only: its part, rel, content type and entry."""
        n = 1
        while f"{self.folder}/worksheets/sheet{n}.xml" in self.names:
            n += 1
        part = f"{self.folder}/worksheets/sheet{n}.xml"
        k = 1
        while f"rId{k}" in self.targets:
            k += 1
        rid = f"rId{k}"
        sheet_id = str(max([0, *(int(s[1]) for s in self.sheets if s[1].isdigit())]) + 1)
        cols = "".join(f'<col min="{c + 1}" max="{c + 1}" width="{w}" customWidth="1"/>' for c, w in enumerate(_WIDTHS))
        heads = "".join(
            f'<c r="{xl_col_to_name(c)}1" t="inlineStr"><is><t>{escape_text(h)}</t></is></c>' for c, h in enumerate(RESULT_COLUMNS)
        )
        xml = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_SHEET_NS}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
            f'<sheetData><row r="1">{heads}</row></sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
        )
        self.added.append((part, xml.encode("utf-8")))
        self.names.add(part)
        target = posixpath.relpath(part, self.folder)
        self.rels = self.rels.replace(
            "</Relationships>", f'<Relationship Id="{rid}" Type="{_WORKSHEET_TYPE}" Target="{target}"/></Relationships>'
        )
        self.changed[self.rels_name] = self.rels.encode("utf-8")
        self.types = self.types.replace("</Types>", f'<Override PartName="/{part}" ContentType="{_WORKSHEET_CT}"/></Types>')
        self.changed["[Content_Types].xml"] = self.types.encode("utf-8")
        if "</sheets>" not in self.book:
            raise Unpatchable("projektmappen har ingen ark-liste")
        self.book = self.book.replace("</sheets>", f'<sheet name="{RESULTS_SHEET}" sheetId="{sheet_id}" r:id="{rid}"/></sheets>')
        if 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"' not in self.book:
            raise Unpatchable("projektmappens relationer kan ikke udvides")
        self.changed[self.book_name] = self.book.encode("utf-8")
        self.targets[rid] = (_WORKSHEET_TYPE, part)
        self.sheets.append((RESULTS_SHEET, sheet_id, rid))
        return len(self.sheets) - 1


def _write_zip(
    src, out, infos: list[zipfile.ZipInfo], changed: dict, added: list[tuple[str, bytes | list[Deflated]]], dropped: set[str]
) -> None:
    """The input's members in order, unchanged ones copied compressed as they are, then the added ones."""
    directory = []
    offset = 0

    def member(encoded: bytes, flags: int, method: int, dos: tuple[int, int], crc: int, size: int, data: bytes) -> None:
        nonlocal offset
        fields = (20, flags, method, dos[0], dos[1], crc, len(data), size, len(encoded), 0)
        out.write(struct.pack("<4sHHHHHLLLHH", b"PK\x03\x04", *fields) + encoded)
        out.write(data)
        directory.append(struct.pack("<4sHHHHHHLLLHHHHHLL", b"PK\x01\x02", 0x0314, *fields, 0, 0, 0, 0o600 << 16, offset) + encoded)
        offset += 30 + len(encoded) + len(data)

    def packed(data: bytes | list[Deflated]) -> tuple[int, int, bytes]:
        # CRC, size and deflated bytes of a member given whole or as the pieces of a sheet (head, rows, tail).
        pieces = [Deflated(data, last=True)] if isinstance(data, bytes) else data
        crc, size = pieces[0].crc, pieces[0].size
        for piece in pieces[1:]:
            crc, size = piece.crc_after(crc), size + piece.size
        return crc, size, b"".join(c for piece in pieces for c in piece.chunks)

    for info in infos:
        name = info.filename
        if name in dropped:
            continue
        encoded = name.encode("utf-8") if info.flag_bits & 0x800 else name.encode("cp437")
        flags = info.flag_bits & 0x800
        if name in changed:
            member(encoded, flags, zipfile.ZIP_DEFLATED, _ZIP_DATE, *packed(changed[name]))
            continue
        src.seek(info.header_offset)
        head = src.read(30)
        if head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"{name}: ødelagt lokal header")
        skip = struct.unpack("<HH", head[26:30])
        src.seek(info.header_offset + 30 + skip[0] + skip[1])
        raw = src.read(info.compress_size)
        d = info.date_time
        dos = ((d[3] << 11) | (d[4] << 5) | (d[5] // 2), ((d[0] - 1980) << 9) | (d[1] << 5) | d[2])
        member(encoded, flags, info.compress_type, dos, info.CRC, info.file_size, raw)
    for name, data in added:
        member(name.encode("utf-8"), 0x800, zipfile.ZIP_DEFLATED, _ZIP_DATE, *packed(data))
    central = b"".join(directory)
    out.write(central)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), len(central), offset, 0))
