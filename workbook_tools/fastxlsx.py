"""A lean xlsx writer for the many look-alike workbooks of a round.

A round makes one template per committee and, after collect, one report per
committee: hundreds of workbooks that differ only in their cells. xlsxwriter
rebuilds styles, theme and package for each; here the styles are made once by
xlsxwriter itself (a prototype workbook holding every format used), and each
workbook only writes its own sheet XML, with inline strings, around those shared
parts. It speaks the subset of xlsxwriter's Workbook/Worksheet API that our
drawing code uses, so the same drawing code serves both writers.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

from .xlsxio import FIXED_CREATED, cell_name, column_letter

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The "_" of a literal _xHHHH_, also where two overlap ("_x005F_x0041_"): readers would decode them.
_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_EPOCH = datetime(1899, 12, 30)


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
        self.prototype: StylePrototype | None = None  # made at close() from this workbook's own formats
        self._xf: dict[tuple, dict] = {}
        self._dxf: dict[tuple, dict] = {}
        self.sheets: list[FastSheet] = []
        self.custom: list[tuple[str, str]] = []
        self.active = 0

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

    def close(self) -> None:
        self.prototype = prototype_for(self._xf, self._dxf)
        parts = self._parts()
        target = self.path
        if isinstance(target, (str, Path)):
            with open(target, "wb") as fh:
                _write_zip(fh, parts)
        else:
            _write_zip(target, parts)

    def _parts(self) -> list[tuple[str, bytes]]:
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
            parts.append((f"xl/worksheets/sheet{i + 1}.xml", s.xml(drawing).encode("utf-8")))
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


def _write_zip(fh, parts: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=1)


class FastSheet:
    """One worksheet; cells kept as ready XML fragments, in any order, sorted at save."""

    def __init__(self, workbook: FastWorkbook, name: str, index: int):
        self.wb = workbook
        self.name = name
        self.index = index
        self.state = "visible"
        self.cells: dict[int, dict[int, str]] = {}
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

    # cells
    def _put(self, row: int, col: int, body: str) -> None:
        self.cells.setdefault(row, {})[col] = body

    def write_string(self, row: int, col: int, text: str, fmt: FastFormat | None = None) -> int:
        text = str(text)[:32767]
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        self._put(row, col, (fmt, f' t="inlineStr"><is><t{space}>{escape_text(text)}</t></is>'))
        return 0

    def write_number(self, row: int, col: int, number: float, fmt: FastFormat | None = None) -> int:
        self._put(row, col, (fmt, f"><v>{repr(float(number)) if not float(number).is_integer() else int(number)}</v>"))
        return 0

    def write_datetime(self, row: int, col: int, value: datetime | date, fmt: FastFormat | None = None) -> int:
        if not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        delta = value.replace(tzinfo=None) - _EPOCH
        return self.write_number(row, col, delta.days + delta.seconds / 86400, fmt)

    def write_blank(self, row: int, col: int, _blank=None, fmt: FastFormat | None = None) -> int:
        if fmt is not None:
            self._put(row, col, (fmt, ">"))
        return 0

    def write_formula(self, row: int, col: int, formula: str, fmt: FastFormat | None = None, value="") -> int:
        f = escape_text(formula[1:] if formula.startswith("=") else formula)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self._put(row, col, (fmt, f"><f>{f}</f><v>{value}</v>"))
        else:
            self._put(row, col, (fmt, f' t="str"><f>{f}</f><v>{escape_text(str(value or ""))}</v>'))
        return 0

    def merge_range(self, r1: int, c1: int, r2: int, c2: int, data, fmt: FastFormat | None = None) -> int:
        self.merges.append(f"{cell_name(r1, c1)}:{cell_name(r2, c2)}")
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                self.write_blank(r, c, None, fmt)
        if data not in (None, ""):
            self.write_string(r1, c1, str(data), fmt)
        return 0

    # layout
    def set_column(self, first: int, last: int, width: float | None = None, fmt: FastFormat | None = None, options: dict | None = None) -> int:
        self.columns.append((first, last, 8.43 if width is None else width, fmt, bool((options or {}).get("hidden"))))
        return 0

    def set_row(self, row: int, height: float | None = None, fmt=None, options=None) -> int:
        if height is not None:  # whole pixels, as xlsxwriter and Excel store them
            self.row_heights[row] = int(height * 4.0 / 3.0 + 0.5) * 0.75
        return 0

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
    def xml(self, drawing: str = "") -> str:
        proto = self.wb.prototype
        xf = proto.xf_index
        out = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        ]
        if self.fit:
            out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        rows = sorted(set(self.cells) | set(self.row_heights))
        max_col = max((max(cols) for cols in self.cells.values() if cols), default=0)
        last_row = rows[-1] if rows else 0
        out.append(f'<dimension ref="{"A1" if not rows else "A1:" + cell_name(last_row, max_col)}"/>')
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
        style_attr: dict[int, str] = {}
        letters = [column_letter(c) for c in range(max_col + 1)]
        for r in rows:
            ht = self.row_heights.get(r)
            attrs = f' ht="{ht}" customHeight="1"' if ht is not None else ""
            cells = self.cells.get(r, {})
            n = str(r + 1)
            parts = []
            for c in sorted(cells):
                fmt, rest = cells[c]
                if fmt is None:
                    s = ""
                else:
                    s = style_attr.get(id(fmt))
                    if s is None:
                        index = xf.get(fmt.key, 0)
                        s = style_attr[id(fmt)] = f' s="{index}"' if index else ""
                parts.append(f'<c r="{letters[c]}{n}"{s}{rest}</c>')
            out.append(f'<row r="{n}"{attrs}>{"".join(parts)}</row>')
        out.append("</sheetData>")
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
