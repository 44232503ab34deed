"""A lean xlsx writer for the many look-alike workbooks of a round.

A round makes one template per committee and, after collect, one report per
committee: hundreds of workbooks that differ only in their cells. xlsxwriter
rebuilds styles, theme and package for each; here the styles are made once by
xlsxwriter itself (a prototype workbook holding every format used), and each
workbook only writes its own sheet XML, with inline strings, around those shared
parts. It speaks the subset of xlsxwriter's Workbook/Worksheet API that our
drawing code uses, so the same drawing code serves both writers.

Big tables (the master's 50,000 elements, the overview's rows per element) are
written a block of rows at a time with :meth:`FastSheet.write_rows`: each block
is turned into XML and deflated at once, so a sheet never holds a cell object per
cell, and the zip is assembled from the deflated pieces at close().
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import quoteattr

from .xlsxio import FIXED_CREATED, cell_name, column_letter

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The "_" of a literal _xHHHH_, also where two overlap ("_x005F_x0041_"): readers would decode them.
_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_EPOCH = datetime(1899, 12, 30)
_LEVEL = 1  # deflate level: the parts are rewritten every round; speed matters more than a few kB
_TEXT_LIMIT = 32767  # characters in a cell, as xlsxwriter cuts them
_PRESERVE = ' xml:space="preserve"'
_ROWS_PER_BLOCK = 512  # rows turned into XML and deflated together by write_rows


_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x")


def escape_text(text: str) -> str:
    """Text for an OOXML <t>: XML-escaped, control characters as _xHHHH_, literal _xHHHH_ kept literal."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    if "_x" in text:
        text = _ESCAPED.sub("_x005F_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _ILLEGAL.search(text) or "\r" in text:
        text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text).replace("\r", "_x000D_")
    return text


def _attr(value) -> str:
    return quoteattr(_ILLEGAL.sub("", str(value)))


def _string_body(text: str) -> str:
    """A string cell after its r and s attributes: an inline string, cut to Excel's limit."""
    text = text[:_TEXT_LIMIT]
    space = _PRESERVE if text[:1].isspace() or text[-1:].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{escape_text(text)}</t></is>'


_BLANK = ">"  # a blank cell after its r and s attributes


def _formula_body(formula: str, value: str | float = "") -> str:
    """A formula cell after its r and s attributes, with the value shown until Excel recalculates."""
    f = escape_text(formula[1:] if formula.startswith("=") else formula)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"><f>{f}</f><v>{value}</v>"
    return f' t="str"><f>{f}</f><v>{escape_text(str(value or ""))}</v>'


class Formula(NamedTuple):
    """A formula cell for write_cells: the formula and the value shown until Excel recalculates."""

    formula: str
    value: str | float = ""


def _body(value: str | Formula, fmt: FastFormat | None) -> str | None:
    """A write_cells cell after its r and s attributes; None for a blank without a format (no cell)."""
    if value.__class__ is Formula:
        return _formula_body(*value)
    if value:
        return _string_body(value)
    return _BLANK if fmt is not None else None


def _number_body(number) -> str:
    """A number cell after its r and s attributes; whole numbers without a decimal point, as xlsxwriter."""
    number = float(number)
    return f"><v>{int(number) if number.is_integer() else repr(number)}</v>"


def _serial(value: datetime | date) -> float:
    """A date or time as Excel's serial day number."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - _EPOCH
    return delta.days + delta.seconds / 86400


# Bytes that never need a second look in a block of row XML: all but control characters
# (tab and newline are fine), "&", "_" (of a literal _xHHHH_) and 0xEF (starts U+FFFE and U+FFFF).
_UNREMARKABLE = bytes(b for b in range(256) if (b >= 32 or b in (9, 10)) and b not in b"&_\xef")


def _markup_or_long(strings: list[str], joined: str) -> bool:
    """Whether texts (`joined` by line breaks) hold markup characters or one longer than a cell takes.

    Either keeps them from going into the XML as they are; it is the part of
    escape_text's question that _needs_care, looking at XML, cannot answer.
    """
    return "<" in joined or ">" in joined or (len(joined) > _TEXT_LIMIT and max(map(len, strings)) > _TEXT_LIMIT)


def _needs_care(xml: bytes) -> bool:
    """Whether a block built from raw texts holds one that escape_text would change.

    One C-speed pass over the block's bytes (markup has none of these bytes) instead
    of a regular expression per cell; "<" and ">" in texts are looked for before.
    """
    odd = xml.translate(None, _UNREMARKABLE)
    if not odd:
        return False
    return bool(odd.strip(b"_\xef")) or b"_x" in xml or b"\xef\xbf\xbe" in xml or b"\xef\xbf\xbf" in xml


class FastFormat:
    """A handle for a format spec; its style index is known once the prototype is built."""

    __slots__ = ("key", "spec")

    def __init__(self, spec: dict):
        self.spec = dict(spec)
        self.key = tuple(sorted((k, str(v)) for k, v in spec.items()))


class StylePrototype:
    """styles.xml and theme for exactly these formats, made by xlsxwriter itself."""

    def __init__(self, xf: dict[tuple, dict], dxf: dict[tuple, dict]):
        import xlsxwriter

        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        ws = wb.add_worksheet()
        xf_formats = {key: wb.add_format(spec) for key, spec in xf.items()}
        for i, f in enumerate(xf_formats.values()):
            ws.write_blank(i, 0, None, f)
        dxf_formats = {key: wb.add_format(spec) for key, spec in dxf.items()}
        for i, f in enumerate(dxf_formats.values()):
            ws.conditional_format(0, 1, 0, 1, {"type": "formula", "criteria": f"=A{i + 1}=1", "format": f})
        wb.close()
        self.xf_index = {key: f.xf_index or 0 for key, f in xf_formats.items()}
        self.dxf_index = {key: f.dxf_index for key, f in dxf_formats.items()}
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
            self.styles_xml = z.read("xl/styles.xml")
            self.theme_xml = z.read("xl/theme/theme1.xml")


_BUILT: dict[tuple, StylePrototype] = {}


def prototype_for(xf: dict[tuple, dict], dxf: dict[tuple, dict]) -> StylePrototype:
    """The styles for exactly these formats, in this order, made once per process and reused.

    A workbook's styles depend on its own formats only, never on what the process
    wrote before: reports written by whichever worker come out byte for byte the same.
    """
    key = (tuple(xf), tuple(dxf))
    if key not in _BUILT:
        _BUILT[key] = StylePrototype(xf, dxf)
    return _BUILT[key]


class FastChart:
    """Records xlsxwriter chart calls; the chart XML itself is made by xlsxwriter at close()."""

    def __init__(self, options: dict):
        self.options = dict(options)
        self.calls: list[tuple[str, dict]] = []

    def __getattr__(self, name: str):
        if name.startswith(("add_", "set_")):
            return lambda *args, **kw: self.calls.append((name, args, kw))
        raise AttributeError(name)


class FastWorkbook:
    """Write-once workbook: add sheets, write cells, close() to save."""

    def __init__(self, path: Path | str):
        self.path = path
        self.prototype: StylePrototype | None = None  # made from this workbook's own formats, final at close()
        self._xf: dict[tuple, dict] = {}
        self._dxf: dict[tuple, dict] = {}
        self.sheets: list[FastSheet] = []
        self.custom: list[tuple[str, str]] = []
        self.active = 0
        self._styles: dict[tuple, str] = {}  # format key -> its s="..." attribute, once a cell used it
        self._style_of: dict[FastFormat, str] = {}  # the same by format object: no tuple hashed per cell

    def add_format(self, spec: dict | None = None) -> FastFormat:
        fmt = FastFormat(spec or {})
        self.register(fmt)
        return fmt

    def register(self, fmt: FastFormat, dxf: bool = False) -> None:
        (self._dxf if dxf else self._xf).setdefault(fmt.key, fmt.spec)

    def add_chart(self, options: dict) -> FastChart:
        return FastChart(options)

    def add_worksheet(self, name: str) -> FastSheet:
        sheet = FastSheet(self, name, len(self.sheets))
        self.sheets.append(sheet)
        return sheet

    def set_properties(self, _props: dict) -> None:
        """Document properties are fixed (FIXED_CREATED) so output is comparable."""

    def set_custom_property(self, name: str, value) -> None:
        self.custom.append((name, str(value)))

    def style_attr(self, fmt: FastFormat | None) -> str:
        """The s="N" attribute of a cell in `fmt` ("" for the default style).

        A cell is made into XML when it is written, so a format's index is fixed at its
        first use, from the formats registered so far. Indexes only grow as formats are
        added (xlsxwriter numbers them in order of use), which close() checks; a template's
        later conditional formats cost one more prototype per process, not a moved index.
        """
        if fmt is None:
            return ""
        attr = self._style_of.get(fmt)
        if attr is not None:
            return attr
        attr = self._styles.get(fmt.key)
        if attr is None:
            if self.prototype is None or fmt.key not in self.prototype.xf_index:
                self.prototype = prototype_for(self._xf, self._dxf)
            index = self.prototype.xf_index.get(fmt.key, 0)
            attr = self._styles[fmt.key] = f' s="{index}"' if index else ""
        self._style_of[fmt] = attr
        return attr

    def close(self) -> None:
        self.prototype = prototype_for(self._xf, self._dxf)
        for key, attr in self._styles.items():
            index = self.prototype.xf_index.get(key, 0)
            if attr != (f' s="{index}"' if index else ""):
                raise RuntimeError(f"the style of format {dict(key)} moved after cells were written in it")
        parts = self._parts()
        target = self.path
        if isinstance(target, (str, Path)):
            with open(target, "wb") as fh:
                _write_zip(fh, parts)
        else:
            _write_zip(target, parts)

    def _parts(self) -> list[tuple[str, bytes | list[_Deflated]]]:
        n = len(self.sheets)
        sheet_overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(n)
        )
        custom_override = (
            '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
            if self.custom
            else ""
        )
        content_types = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f"{custom_override}"
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{sheet_overrides}</Types>"
        )
        custom_rel = (
            '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
            if self.custom
            else ""
        )
        root_rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            f"{custom_rel}</Relationships>"
        )
        stamp = FIXED_CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")
        core = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
        )
        titles = "".join(f"<vt:lpstr>{escape_text(s.name)}</vt:lpstr>" for s in self.sheets)
        app = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
            "<HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>"
            f"<vt:variant><vt:i4>{n}</vt:i4></vt:variant></vt:vector></HeadingPairs>"
            f'<TitlesOfParts><vt:vector size="{n}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>'
            "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
            "<AppVersion>12.0000</AppVersion></Properties>"
        )
        parts = [
            ("[Content_Types].xml", content_types.encode()),
            ("_rels/.rels", root_rels.encode()),
            ("docProps/app.xml", app.encode("utf-8")),
            ("docProps/core.xml", core.encode()),
        ]
        if self.custom:
            props = "".join(
                f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i + 2}" name={_attr(k)}><vt:lpwstr>{escape_text(v)}</vt:lpwstr></property>'
                for i, (k, v) in enumerate(self.custom)
            )
            custom = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{props}</Properties>'
            )
            parts.append(("docProps/custom.xml", custom.encode("utf-8")))
        parts.append(("xl/workbook.xml", self._workbook_xml().encode("utf-8")))
        rels = "".join(
            f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(n)
        )
        rels += (
            f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" Target="theme/theme1.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        )
        parts.append(
            (
                "xl/_rels/workbook.xml.rels",
                ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>').encode(),
            )
        )
        parts.append(("xl/styles.xml", self.prototype.styles_xml))
        parts.append(("xl/theme/theme1.xml", self.prototype.theme_xml))
        chart_types = ""
        chart_no = 0
        for i, s in enumerate(self.sheets):
            drawing = ""
            if s.charts:
                chart_no += 1
                for name, data in _chart_parts(s, chart_no):
                    parts.append((name, data))
                    if name.startswith("xl/charts/chart"):
                        chart_types += f'<Override PartName="/{name}" ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"/>'
                chart_types += f'<Override PartName="/xl/drawings/drawing{chart_no}.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>'
                parts.append(
                    (
                        f"xl/worksheets/_rels/sheet{i + 1}.xml.rels",
                        ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         f'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing" Target="../drawings/drawing{chart_no}.xml"/>'
                         "</Relationships>").encode(),
                    )
                )
                drawing = '<drawing r:id="rId1"/>'
            parts.append((f"xl/worksheets/sheet{i + 1}.xml", s.deflated(drawing)))
        if chart_types:
            name, data = parts[0]
            parts[0] = (name, data.replace(b"</Types>", chart_types.encode() + b"</Types>"))
        return parts

    def _workbook_xml(self) -> str:
        sheets = []
        names = []
        for i, s in enumerate(self.sheets):
            state = f' state="{s.state}"' if s.state != "visible" else ""
            sheets.append(f'<sheet name={_attr(s.name)} sheetId="{i + 1}"{state} r:id="rId{i + 1}"/>')
            quoted = "'" + s.name.replace("'", "''") + "'"
            if s.autofilter_ref:
                names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">{escape_text(quoted)}!{s.autofilter_abs}</definedName>')
            if s.area:
                r1, c1, r2, c2 = s.area
                ref = f"${column_letter(c1)}${r1 + 1}:${column_letter(c2)}${r2 + 1}"
                names.append(f'<definedName name="_xlnm.Print_Area" localSheetId="{i}">{escape_text(quoted)}!{ref}</definedName>')
            if s.repeat:
                names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{escape_text(quoted)}!${s.repeat[0] + 1}:${s.repeat[1] + 1}</definedName>')
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>'
            '<workbookPr defaultThemeVersion="124226"/>'
            f'<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660" activeTab="{self.active}"/></bookViews>'
            f"<sheets>{''.join(sheets)}</sheets>{defined}"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )


def _chart_parts(sheet: FastSheet, drawing_no: int) -> list[tuple[str, bytes]]:
    """The sheet's charts as xlsxwriter makes them: drawn in a side workbook, parts renumbered.

    The series refer to cell ranges by sheet name, so the chart XML is the same
    whichever workbook holds the cells.
    """
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(sheet.name)
    for row, col, recorded, options in sheet.charts:
        chart = wb.add_chart(recorded.options)
        for name, args, kw in recorded.calls:
            getattr(chart, name)(*args, **kw)
        ws.insert_chart(row, col, chart, options)
    wb.close()
    out = []
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        for k in range(1, len(sheet.charts) + 1):
            out.append((f"xl/charts/chart{drawing_no}_{k}.xml", z.read(f"xl/charts/chart{k}.xml")))
        drawing = z.read("xl/drawings/drawing1.xml")
        rels = z.read("xl/drawings/_rels/drawing1.xml.rels")
        for k in range(1, len(sheet.charts) + 1):
            rels = rels.replace(f"../charts/chart{k}.xml".encode(), f"../charts/chart{drawing_no}_{k}.xml".encode())
        out.append((f"xl/drawings/drawing{drawing_no}.xml", drawing))
        out.append((f"xl/drawings/_rels/drawing{drawing_no}.xml.rels", rels))
    return out


class _Deflated:
    """Raw deflate data made piece by piece as bytes come, with their CRC-32 and size.

    Pieces end with a sync flush (byte-aligned, not final), so that the pieces of one
    zip member (a sheet's head, rows and tail) can be deflated apart and simply joined.
    """

    def __init__(self, data: bytes = b"", last: bool = False):
        self._z = zlib.compressobj(_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        self.chunks: list[bytes] = []
        self.crc = 0
        self.size = 0
        self.kept: list[bytes] | None = []  # the bytes written, while they are few (see crc_after)
        if data:
            self.write(data)
        if data or last:
            self.end(last)

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        if self.kept is not None and self.size <= _KEEP:
            self.kept.append(data)
        else:
            self.kept = None
        out = self._z.compress(data)
        if out:
            self.chunks.append(out)

    def end(self, last: bool = False) -> None:
        """Flush what is pending; `last` ends the deflate stream (the member's final piece)."""
        self.chunks.append(self._z.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
        if last:
            self._z = None  # done: a kept piece (see _packed) should not hold a compressor's buffers

    def crc_after(self, crc: int) -> int:
        """The CRC-32 of bytes whose CRC is `crc` followed by this piece's bytes.

        A piece of up to _KEEP bytes runs zlib.crc32 on over the bytes it kept; a
        bigger one has its CRC joined on (_crc_join), in Python but in a time that
        does not grow with its size.
        """
        if self.kept is None:
            return _crc_join(crc, self.crc, self.size)
        for data in self.kept:
            crc = zlib.crc32(data, crc)
        return crc


@lru_cache(maxsize=64)
def _packed(data: bytes) -> _Deflated:
    """A whole small member deflated, once per process for the parts all workbooks share.

    Theme, styles, relationships and content types are the same bytes in every
    workbook of a round; the least recently used are let go, so the parts only one
    workbook has (its sheet names) do not pile up. Do not change what it returns.
    """
    return _Deflated(data, last=True)


_KEEP = 1 << 18  # bytes a _Deflated keeps for crc_after: beyond, joining CRCs in Python is quicker

_CRC_POLY = 0xEDB88320  # CRC-32, bits reflected as zlib keeps them


def _crc_times(a: int, b: int) -> int:
    """a times b modulo the CRC polynomial (zlib's multmodp)."""
    m, product = 1 << 31, 0
    while a:
        if a & m:
            product ^= b
            a ^= m
        m >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1
    return product


_X_POWERS = [1 << 30]  # x^(2^k) modulo the polynomial, k = 0, 1, ...
for _ in range(63):
    _X_POWERS.append(_crc_times(_X_POWERS[-1], _X_POWERS[-1]))


def _crc_join(crc1: int, crc2: int, size2: int) -> int:
    """CRC-32 of a+b from the CRCs of a and b and the size of b (zlib's crc32_combine).

    Python's zlib lacks it; the rows of a sheet are deflated, and their CRC taken,
    before the sheet's head (its dimension) is known. Moving crc1 past size2 bytes
    is multiplying it by x^(8 * size2).
    """
    shift, k, n = 1 << 31, 3, size2
    while n:
        if n & 1:
            shift = _crc_times(_X_POWERS[k], shift)
        n >>= 1
        k += 1
    return _crc_times(shift, crc1) ^ crc2


def _write_zip(fh, parts: list[tuple[str, bytes | list[_Deflated]]]) -> None:
    """A zip of deflated members, written in one pass: each member's pieces are joined as they are.

    What zipfile writes for a ZipInfo dated _ZIP_DATE, without its need to deflate
    a member in one go: the rows of a big sheet were deflated as they were written.
    """
    dos_time = (_ZIP_DATE[3] << 11) | (_ZIP_DATE[4] << 5) | (_ZIP_DATE[5] // 2)
    dos_date = ((_ZIP_DATE[0] - 1980) << 9) | (_ZIP_DATE[1] << 5) | _ZIP_DATE[2]
    directory = []
    offset = 0
    for name, data in parts:
        pieces = [_packed(data)] if isinstance(data, bytes) else data
        crc, size = pieces[0].crc, pieces[0].size
        for piece in pieces[1:]:
            crc, size = piece.crc_after(crc), size + piece.size
        chunks = [c for piece in pieces for c in piece.chunks]
        packed = sum(map(len, chunks))
        if max(size, packed, offset) >= 0xFFFFFFFF:
            raise ValueError(f"{name} is too big for a zip without zip64")
        encoded = name.encode("ascii")
        fields = (20, 0, 0, zipfile.ZIP_DEFLATED, dos_time, dos_date, crc, packed, size, len(encoded), 0)
        fh.write(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", *fields) + encoded)
        for c in chunks:
            fh.write(c)
        directory.append(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, *fields[:-1], 0, 0, 0, 0, 0o600 << 16, offset) + encoded)
        offset += 30 + len(encoded) + packed
    central = b"".join(directory)
    fh.write(central)
    fh.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central), offset, 0))


_COLS = 1 << 15  # a cell's key is row * _COLS + col + 1: above Excel's 16,384 columns, with room for a row tag
_ALL = float("inf")  # FastSheet._serialise(_ALL): every row
_col = itemgetter(1)  # the column of a write_cells cell


class FastSheet:
    """One worksheet; cells kept as ready XML, under keys that sort them, in any order, sorted at save.

    write_rows serialises whole rows at once instead; from then on the rows above
    its last one are written and can no longer change.
    """

    def __init__(self, workbook: FastWorkbook, name: str, index: int):
        self.wb = workbook
        self.name = name
        self.index = index
        self.state = "visible"
        self.cells: dict[int, str] = {}  # key (see _COLS) -> the cell's <c> element
        self.row_heights: dict[int, float] = {}
        self.columns: list[tuple[int, int, float, FastFormat | None, bool]] = []
        self.merges: list[str] = []
        self.validations: list[str] = []
        self.conditionals: list[tuple[str, str, FastFormat]] = []
        self.protection: str = ""
        self.selection = ""
        self.paper = 0
        self.orientation = ""
        self.fit: tuple[int, int] | None = None
        self.margins = ""
        self.repeat: tuple[int, int] | None = None
        self.footer = ""
        self.gridlines = 1
        self.breaks: list[int] = []
        self.freeze: tuple[int, int] | None = None
        self.autofilter_ref = ""
        self.autofilter_abs = ""
        self.scale = 0
        self.area: tuple[int, int, int, int] | None = None
        self.charts: list[tuple[int, int, FastChart, dict]] = []
        self._rows = _Deflated()  # the <row> elements serialised so far
        self._done = 0  # rows above this one are serialised
        self._last = -1  # the last row serialised
        self._width = 0  # columns up to the farthest cell written

    # cells
    def _put(self, row: int, col: int, fmt: FastFormat | None, body: str) -> None:
        if row < self._done:
            raise ValueError(f"row {row + 1} of sheet {self.name!r} is already written")
        self.cells[row * _COLS + col + 1] = f'<c r="{cell_name(row, col)}"{self.wb.style_attr(fmt)}{body}</c>'
        if col >= self._width:
            self._width = col + 1

    def write_string(self, row: int, col: int, text: str, fmt: FastFormat | None = None) -> int:
        self._put(row, col, fmt, _string_body(str(text)))
        return 0

    def write_number(self, row: int, col: int, number: float, fmt: FastFormat | None = None) -> int:
        self._put(row, col, fmt, _number_body(number))
        return 0

    def write_datetime(self, row: int, col: int, value: datetime | date, fmt: FastFormat | None = None) -> int:
        return self.write_number(row, col, _serial(value), fmt)

    def write_rows(
        self,
        first_row: int,
        rows: Sequence[Sequence],
        formats: Sequence[FastFormat | None],
        quoted: Sequence[FastFormat | None] | None = None,
        needs_quote: Callable[[str], bool] | None = None,
    ) -> int:
        """Write rows first_row, first_row+1, ... at once, below every row written so far.

        Row values start at column 0, with formats[c] for column c (the default style past
        the end of formats). A value is None or ""
        (no cell), a str, a number, a date or datetime, or a (value, format) pair for a
        cell in a format of its own. Text in column c for which needs_quote(text) holds
        gets quoted[c] instead (when given), as write_text in the drawing code does.

        The rows are serialised block by block and deflated at once, so a big table
        costs its compressed size in memory, not a cell object per cell; the texts are
        checked a block at a time and only a block with one that needs escaping goes
        cell by cell. Later writes to these rows, or above them, raise ValueError.
        """
        if first_row < self._done:
            raise ValueError(f"row {first_row + 1} of sheet {self.name!r} is already written")
        self._serialise(first_row)
        if self.cells and min(self.cells) < (first_row + len(rows)) * _COLS:  # all left are at first_row or below
            raise ValueError(f"rows {first_row + 1}-{first_row + len(rows)} of sheet {self.name!r} already have cells")
        width = max(len(formats), max(map(len, rows), default=0))
        styles = [self.wb.style_attr(f) for f in formats] + [""] * (width - len(formats))
        quoted_styles = list(styles)
        for c, q in enumerate(quoted or ()):
            if q is not None:
                quoted_styles[c] = self.wb.style_attr(q)
        quote = needs_quote if needs_quote is not None and quoted is not None else _never
        letters = [column_letter(c) for c in range(width)]
        # Deflating (zlib lets go of the GIL) runs beside the making of the next blocks.
        with ThreadPoolExecutor(1, thread_name_prefix="deflate") as deflater:
            pending: deque = deque()
            for start in range(0, len(rows), _ROWS_PER_BLOCK):
                block = rows[start : start + _ROWS_PER_BLOCK]
                strings = [v for row in block for v in row if v.__class__ is str]
                careful = _markup_or_long(strings, "\n".join(strings))
                data = self._block(first_row + start, block, letters, styles, quoted_styles, quote, careful)
                if not careful and _needs_care(data):
                    data = self._block(first_row + start, block, letters, styles, quoted_styles, quote, True)
                if len(pending) > 2:  # a few blocks ahead at most: memory stays a few blocks
                    pending.popleft().result()
                pending.append(deflater.submit(self._rows.write, data))
            for done in pending:
                done.result()
        self._done = first_row + len(rows)
        return 0

    def _block(self, first_row, block, letters, styles, quoted_styles, quote, careful: bool) -> bytes:
        """Rows as XML; texts go in raw unless `careful`, when every cell is made as write_string makes it."""
        out = []
        heights = self.row_heights
        style_of = self.wb.style_attr
        own = _Memo(lambda cell: _after_ref(cell, "", "", _never, style_of))  # (value, format) cells: a smiley recurs on every row
        for r, row in enumerate(block, start=first_row):
            n = str(r + 1)
            if careful:
                cells = [_cell(L + n, v, s, q, quote, style_of) for L, s, q, v in zip(letters, styles, quoted_styles, row) if v or v == 0]
            else:  # the common case of _cell, inline: texts needing no escape
                cells = [
                    f'<c r="{L}{n}"{q if quote(v) else s} t="inlineStr"><is><t{_PRESERVE if v.strip() != v else ""}>{v}</t></is></c>'
                    if v.__class__ is str
                    else f'<c r="{L}{n}"{own[v]}</c>'
                    if v.__class__ is tuple
                    else _cell(L + n, v, s, q, quote, style_of)
                    for L, s, q, v in zip(letters, styles, quoted_styles, row)
                    if v or v == 0  # no cell for None or "", but one for 0
                ]
            ht = heights.get(r)
            if cells or ht is not None:
                out.append(f'<row r="{n}"{_height(ht)}>{"".join(cells)}</row>')
                self._last = r
                if len(row) > self._width:
                    self._width = max(self._width, _width(row))
        return "".join(out).encode("utf-8")

    def write_blank(self, row: int, col: int, _blank=None, fmt: FastFormat | None = None) -> int:
        if fmt is not None:
            self._put(row, col, fmt, _BLANK)
        return 0

    def write_formula(self, row: int, col: int, formula: str, fmt: FastFormat | None = None, value="") -> int:
        self._put(row, col, fmt, _formula_body(formula, value))
        return 0

    def merge_range(self, r1: int, c1: int, r2: int, c2: int, data, fmt: FastFormat | None = None) -> int:
        cells = [(r, c, fmt, "") for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        if data not in (None, ""):
            cells.append((r1, c1, fmt, str(data)))
        return self.write_cells(cells, [(r1, c1, r2, c2, fmt)])

    def write_cells(self, cells: Sequence[tuple[int, int, FastFormat | None, str | Formula]], merges: Sequence[tuple[int, int, int, int, FastFormat | None]] = ()) -> int:
        """Many cells at once, as write_string, write_blank and write_formula would write them in turn.

        A cell is (row, col, format, value): a text, "" for a blank (no cell without a
        format) or a Formula; a later cell in the same place wins. `merges` are merged
        ranges (first row, first col, last row, last col, format) whose cells are among
        `cells`. Drawing a plan writes ~2,000 cells into each of hundreds of workbooks:
        here their texts are checked for escaping at once, not one by one, and a cell
        costs one string in a dict instead of a few calls.
        """
        if not cells:
            return 0
        if self._done and min(r for r, _, _, _ in cells) < self._done:
            raise ValueError(f"a row of sheet {self.name!r} is already written")
        self.merges += [f"{cell_name(r1, c1)}:{cell_name(r2, c2)}" for r1, c1, r2, c2, _ in merges]
        style, letter = _Memo(self.wb.style_attr), _LETTERS
        strings = [v for _, _, _, v in cells if v.__class__ is str]
        joined = "\n".join(strings)
        if _markup_or_long(strings, joined) or _needs_care(joined.encode("utf-8")):
            xml = [_element(letter[c] + str(r + 1), style[fmt], _body(v, fmt)) for r, c, fmt, v in cells]
        else:  # the common case of _body, inline: texts needing no escape
            xml = [
                f'<c r="{letter[c]}{r + 1}"{style[fmt]} t="inlineStr"><is><t{_PRESERVE if v.strip() != v else ""}>{v}</t></is></c>'
                if v.__class__ is str and v
                else _element(letter[c] + str(r + 1), style[fmt], _body(v, fmt))
                for r, c, fmt, v in cells
            ]
        if None in xml:  # blanks without a format: no cell
            cells, xml = [c for c, x in zip(cells, xml) if x is not None], [x for x in xml if x is not None]
        self.cells.update(zip([r * _COLS + c + 1 for r, c, _, _ in cells], xml))
        self._width = max(self._width, max(map(_col, cells), default=-1) + 1)
        return 0

    # layout
    def set_column(self, first: int, last: int, width: float | None = None, fmt: FastFormat | None = None, options: dict | None = None) -> int:
        self.columns.append((first, last, 8.43 if width is None else width, fmt, bool((options or {}).get("hidden"))))
        return 0

    def set_row(self, row: int, height: float | None = None, fmt=None, options=None) -> int:
        if row < self._done:
            raise ValueError(f"row {row + 1} of sheet {self.name!r} is already written")
        if height is not None:
            self.row_heights[row] = _whole_pixels(height)
        return 0

    def set_rows(self, heights: dict[int, float]) -> None:
        """set_row for many rows at once: a report's ~700 row heights are a handful of values."""
        if heights and min(heights) < self._done:
            raise ValueError(f"a row of sheet {self.name!r} is already written")
        whole = _Memo(_whole_pixels)
        self.row_heights.update({r: whole[h] for r, h in heights.items() if h is not None})  # None: no height, as set_row

    def freeze_panes(self, row: int, col: int) -> None:
        self.freeze = (row, col)

    def autofilter(self, r1: int, c1: int, r2: int, c2: int) -> None:
        self.autofilter_ref = f"{cell_name(r1, c1)}:{cell_name(r2, c2)}"
        self.autofilter_abs = f"${column_letter(c1)}${r1 + 1}:${column_letter(c2)}${r2 + 1}"

    def activate(self) -> None:
        self.wb.active = self.index

    def set_selection(self, r1: int, c1: int, r2: int | None = None, c2: int | None = None) -> None:
        self.selection = cell_name(r1, c1)

    def very_hidden(self) -> None:
        self.state = "veryHidden"

    def hide_gridlines(self, option: int = 1) -> None:
        self.gridlines = option

    # print
    def set_paper(self, paper: int) -> None:
        self.paper = paper

    def set_portrait(self) -> None:
        self.orientation = "portrait"

    def set_landscape(self) -> None:
        self.orientation = "landscape"

    def fit_to_pages(self, width: int, height: int) -> None:
        self.fit = (width, height)
        self.scale = 0

    def set_print_scale(self, scale: int) -> None:
        # as xlsxwriter: a fixed scale turns fit-to-page off
        self.scale = int(scale)
        self.fit = None

    def print_area(self, r1: int, c1: int, r2: int, c2: int) -> None:
        self.area = (r1, c1, r2, c2)

    def get_name(self) -> str:
        return self.name

    def insert_chart(self, row: int, col: int, chart: FastChart, options: dict | None = None) -> int:
        self.charts.append((row, col, chart, dict(options or {})))
        return 0

    def set_margins(self, left=0.7, right=0.7, top=0.75, bottom=0.75) -> None:
        self.margins = f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" header="0.3" footer="0.3"/>'

    def repeat_rows(self, first: int, last: int | None = None) -> None:
        self.repeat = (first, first if last is None else last)

    def set_footer(self, text: str = "", options=None, margin=None) -> None:
        self.footer = text

    def set_h_pagebreaks(self, breaks: list[int]) -> None:
        self.breaks = sorted(set(breaks))

    # protection and input rules
    def protect(self, password: str = "", options: dict | None = None) -> None:
        o = {"objects": False, "scenarios": False, "format_cells": False, "format_columns": False, "format_rows": False,
             "insert_columns": False, "insert_rows": False, "insert_hyperlinks": False, "delete_columns": False,
             "delete_rows": False, "select_locked_cells": True, "sort": False, "autofilter": False,
             "pivot_tables": False, "select_unlocked_cells": True}
        o.update(options or {})
        attrs = []
        if password:
            from xlsxwriter.worksheet import Worksheet

            attrs.append(f'password="{Worksheet._encode_password(None, password)}"')
        attrs.append('sheet="1"')
        if not o["objects"]:
            attrs.append('objects="1"')
        if not o["scenarios"]:
            attrs.append('scenarios="1"')
        for key, attr in (("format_cells", "formatCells"), ("format_columns", "formatColumns"), ("format_rows", "formatRows"),
                          ("insert_columns", "insertColumns"), ("insert_rows", "insertRows"), ("insert_hyperlinks", "insertHyperlinks"),
                          ("delete_columns", "deleteColumns"), ("delete_rows", "deleteRows")):
            if o[key]:
                attrs.append(f'{attr}="0"')
        if not o["select_locked_cells"]:
            attrs.append('selectLockedCells="1"')
        if o["sort"]:
            attrs.append('sort="0"')
        if o["autofilter"]:
            attrs.append('autoFilter="0"')
        if not o["select_unlocked_cells"]:
            attrs.append('selectUnlockedCells="1"')
        self.protection = f"<sheetProtection {' '.join(attrs)}/>"

    def data_validation(self, r1: int, c1: int, r2: int, c2: int, options: dict) -> int:
        if options.get("validate") != "list":
            raise ValueError("only list validations are supported by the fast writer")
        words = ",".join(options["source"])
        attrs = ['type="list"']
        if options.get("error_type", "stop") != "stop":
            attrs.append(f'errorStyle="{options["error_type"]}"')
        if options.get("ignore_blank", True):
            attrs.append('allowBlank="1"')
        attrs += ['showInputMessage="1"', 'showErrorMessage="1"']
        for key, attr in (("error_title", "errorTitle"), ("error_message", "error"), ("input_title", "promptTitle"), ("input_message", "prompt")):
            if options.get(key):
                attrs.append(f"{attr}={_attr(options[key])}")
        ref = cell_name(r1, c1) if (r1, c1) == (r2, c2) else f"{cell_name(r1, c1)}:{cell_name(r2, c2)}"
        attrs.append(f'sqref="{ref}"')
        self.validations.append(f'<dataValidation {" ".join(attrs)}><formula1>{escape_text(chr(34) + words + chr(34))}</formula1></dataValidation>')
        return 0

    def conditional_format(self, r1: int, c1: int, r2: int, c2: int, options: dict) -> int:
        if options.get("type") != "formula":
            raise ValueError("only formula conditional formats are supported by the fast writer")
        fmt = options["format"]
        self.wb.register(fmt, dxf=True)
        criteria = options["criteria"]
        self.conditionals.append((f"{cell_name(r1, c1)}:{cell_name(r2, c2)}", criteria[1:] if criteria.startswith("=") else criteria, fmt))
        return 0

    # serialisation
    def _serialise(self, until: float) -> None:
        """Move the cells of rows above `until`, from the dict, into the serialised rows.

        Each row's start tag (after the end tag of the row before) goes in among the
        cells under the key just before its own cells', and one sort of the keys puts
        everything in order: no work per row but its tag.
        """
        done, store, heights = self._done, self.cells, self.row_heights
        if until == _ALL:
            pieces, self.cells = store, {}
        else:
            pieces = {k: store.pop(k) for k in [k for k in store if k < until * _COLS]}
        rows = sorted({k // _COLS for k in pieces}.union([r for r in heights if done <= r < until]))
        if rows:
            height = _Memo(_height)
            tags = [f'</row><row r="{r + 1}"{height[heights.get(r)]}>' for r in rows]
            tags[0] = tags[0][len("</row>"):]
            pieces.update(zip([r * _COLS for r in rows], tags))
            pieces[rows[-1] * _COLS + _COLS - 1] = "</row>"  # after the last row's cells
            self._rows.write("".join(map(pieces.__getitem__, sorted(pieces))).encode("utf-8"))
            self._last = rows[-1]
        if until > self._done:
            self._done = until

    def deflated(self, drawing: str = "") -> list[_Deflated]:
        """The sheet's XML as the deflated pieces of its zip member; every row is written by then."""
        self._serialise(_ALL)
        self._rows.end()
        return [_Deflated(self._head().encode("utf-8")), self._rows, _Deflated(self._tail(drawing).encode("utf-8"), last=True)]

    def _head(self) -> str:
        xf = self.wb.prototype.xf_index
        out = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        ]
        if self.fit:
            out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        last = "" if self._last < 0 else ":" + cell_name(self._last, max(self._width - 1, 0))
        out.append(f'<dimension ref="A1{last}"/>')
        grid = ' showGridLines="0"' if self.gridlines == 2 else ""
        selected = ' tabSelected="1"' if self.wb.active == self.index else ""
        view = f"<sheetView{grid}{selected} workbookViewId=\"0\">"
        if self.freeze:
            r, c = self.freeze
            pane = "bottomLeft" if c == 0 else ("topRight" if r == 0 else "bottomRight")
            xs = f' xSplit="{c}"' if c else ""
            ys = f' ySplit="{r}"' if r else ""
            view += f'<pane{xs}{ys} topLeftCell="{cell_name(r, c)}" activePane="{pane}" state="frozen"/><selection pane="{pane}"/>'
        elif self.selection:
            view += f'<selection activeCell="{self.selection}" sqref="{self.selection}"/>'
        out.append(f"<sheetViews>{view}</sheetView></sheetViews>")
        out.append('<sheetFormatPr defaultRowHeight="15"/>')
        if self.columns:
            cols = []
            for first, last, width, fmt, hidden in sorted(self.columns, key=lambda c: c[0]):
                w = int((width * 7 + 5) / 7 * 256) / 256 if width >= 1 else width
                style = f' style="{xf[fmt.key]}"' if fmt is not None else ""
                hid = ' hidden="1"' if hidden else ""
                cols.append(f'<col min="{first + 1}" max="{last + 1}" width="{w}"{style}{hid} customWidth="1"/>')
            out.append(f"<cols>{''.join(cols)}</cols>")
        out.append("<sheetData>")
        return "".join(out)

    def _tail(self, drawing: str) -> str:
        proto = self.wb.prototype
        out = ["</sheetData>"]
        if self.protection:
            out.append(self.protection)
        if self.autofilter_ref:
            out.append(f'<autoFilter ref="{self.autofilter_ref}"/>')
        if self.merges:
            out.append(f'<mergeCells count="{len(self.merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in self.merges) + "</mergeCells>")
        for priority, (ref, formula, fmt) in enumerate(self.conditionals, start=1):
            out.append(
                f'<conditionalFormatting sqref="{ref}"><cfRule type="expression" dxfId="{proto.dxf_index[fmt.key]}" priority="{priority}">'
                f"<formula>{escape_text(formula)}</formula></cfRule></conditionalFormatting>"
            )
        if self.validations:
            out.append(f'<dataValidations count="{len(self.validations)}">' + "".join(self.validations) + "</dataValidations>")
        out.append(self.margins or '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
        if self.paper or self.orientation or self.fit or self.scale:
            attrs = []
            if self.paper:
                attrs.append(f'paperSize="{self.paper}"')
            if self.scale:
                attrs.append(f'scale="{self.scale}"')
            if self.fit:
                if self.fit[0] != 1:
                    attrs.append(f'fitToWidth="{self.fit[0]}"')
                if self.fit[1] != 1:
                    attrs.append(f'fitToHeight="{self.fit[1]}"')
            if self.orientation:
                attrs.append(f'orientation="{self.orientation}"')
            out.append(f"<pageSetup {' '.join(attrs)}/>")
        if self.footer:
            out.append(f"<headerFooter><oddFooter>{escape_text(self.footer)}</oddFooter></headerFooter>")
        if self.breaks:
            brks = "".join(f'<brk id="{b}" max="16383" man="1"/>' for b in self.breaks)
            out.append(f'<rowBreaks count="{len(self.breaks)}" manualBreakCount="{len(self.breaks)}">{brks}</rowBreaks>')
        out.append(drawing)
        out.append("</worksheet>")
        return "".join(out)


def write_cells(ws, cells: Sequence[tuple], merges: Sequence[tuple] = ()) -> None:
    """FastSheet.write_cells on either writer: at once on a FastSheet, one by one through xlsxwriter's API.

    The drawing code serves both writers (the tests compare what they make), and
    xlsxwriter has no call for many cells.
    """
    if isinstance(ws, FastSheet):
        ws.write_cells(cells, merges)
        return
    for r1, c1, r2, c2, fmt in merges:
        ws.merge_range(r1, c1, r2, c2, "", fmt)
    for r, c, fmt, value in cells:
        if value.__class__ is Formula:
            ws.write_formula(r, c, value.formula, fmt, value.value)
        elif value:
            ws.write_string(r, c, value, fmt)
        else:
            ws.write_blank(r, c, None, fmt)


def set_rows(ws, heights: dict[int, float]) -> None:
    """FastSheet.set_rows on either writer, as write_cells."""
    if isinstance(ws, FastSheet):
        ws.set_rows(heights)
        return
    for r, h in heights.items():
        ws.set_row(r, h)


def _element(ref: str, style: str, body: str | None) -> str | None:
    """A cell's <c> element from its parts; None (no cell) without a body."""
    return None if body is None else f'<c r="{ref}"{style}{body}</c>'


def _never(_text: str) -> bool:
    return False


def _whole_pixels(height: float) -> float:
    """A row height in points, rounded to whole pixels, as xlsxwriter and Excel store it."""
    return int(height * 4.0 / 3.0 + 0.5) * 0.75


def _height(ht: float | None) -> str:
    return f' ht="{ht}" customHeight="1"' if ht is not None else ""


def _width(row: Sequence) -> int:
    """Columns up to the row's last cell."""
    n = len(row)
    while n and not (row[n - 1] or row[n - 1] == 0):
        n -= 1
    return n


class _Memo(dict):
    """make(key), made once per key and then looked up at the speed of a dict, in a comprehension."""

    def __init__(self, make: Callable):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        made = self[key] = self.make(key)
        return made


_LETTERS = _Memo(column_letter)  # column number -> its letters, for every sheet


def _cell(ref: str, value, style: str, quoted: str, needs_quote: Callable[[str], bool], style_of: Callable) -> str:
    """One cell of write_rows, for any value it takes; style_of is the workbook's style_attr."""
    return f'<c r="{ref}"{_after_ref(value, style, quoted, needs_quote, style_of)}</c>'


def _after_ref(value, style: str, quoted: str, needs_quote: Callable[[str], bool], style_of: Callable) -> str:
    """A cell's XML between its reference and </c>."""
    if value.__class__ is tuple:
        value, fmt = value
        style = quoted = style_of(fmt)  # a format of its own is never swapped for the quoted one
        if value is None or value == "":
            return f"{style}>"
    if isinstance(value, (datetime, date)):
        value = _serial(value)
    if isinstance(value, (int, float)):
        return style + _number_body(value)
    text = str(value)
    return (quoted if needs_quote(text) else style) + _string_body(text)
