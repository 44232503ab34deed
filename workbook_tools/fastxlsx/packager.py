"""The package parts around the sheets: content types, relationships, document properties, workbook.xml, in zip order.

As XlsxWriter's packager, it only assembles: each sheet writes its own XML
(worksheet.py), styles and theme come from the prototype (styles.py), charts from
xlsxwriter (charts.py). The document's dates are fixed (FIXED_CREATED) so that the
same workbook gives the same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlsxwriter.utility import xl_col_to_name

from ..xlsxio import FIXED_CREATED
from .cells import escape_text, quote_attr
from .charts import chart_parts

if TYPE_CHECKING:
    from .styles import StylePrototype
    from .worksheet import FastSheet
    from .zipwriter import Deflated

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument"


def package_parts(
    sheets: list[FastSheet], prototype: StylePrototype, custom: list[tuple[str, str]], active: int
) -> list[tuple[str, bytes | list[Deflated]]]:
    """Every member of a workbook's zip, in order: a name and its bytes, or a sheet's deflated pieces.

    `prototype` gives styles and theme, `custom` the custom document properties, `active` the sheet shown first.
    """
    n = len(sheets)
    parts = [
        ("[Content_Types].xml", content_types(n, bool(custom)).encode()),
        ("_rels/.rels", root_rels(bool(custom)).encode()),
        ("docProps/app.xml", app_xml([s.name for s in sheets]).encode("utf-8")),
        ("docProps/core.xml", core_xml().encode()),
    ]
    if custom:
        parts.append(("docProps/custom.xml", custom_xml(custom).encode("utf-8")))
    parts.append(("xl/workbook.xml", workbook_xml(sheets, active).encode("utf-8")))
    parts.append(("xl/_rels/workbook.xml.rels", workbook_rels(n).encode()))
    parts.append(("xl/styles.xml", prototype.styles_xml))
    parts.append(("xl/theme/theme1.xml", prototype.theme_xml))
    chart_types = ""
    chart_no = 0
    for i, s in enumerate(sheets):
        drawing = ""
        if s.charts:
            chart_no += 1
            for name, data in chart_parts(s.name, s.charts, chart_no):
                parts.append((name, data))
                if name.startswith("xl/charts/chart"):
                    chart_types += f'<Override PartName="/{name}" ContentType="{_TYPES}.drawingml.chart+xml"/>'
            chart_types += f'<Override PartName="/xl/drawings/drawing{chart_no}.xml" ContentType="{_TYPES}.drawing+xml"/>'
            parts.append(
                (
                    f"xl/worksheets/_rels/sheet{i + 1}.xml.rels",
                    (
                        f'{_XML}<Relationships xmlns="{_RELS}">'
                        f'<Relationship Id="rId1" Type="{_DOC_RELS}/drawing" Target="../drawings/drawing{chart_no}.xml"/>'
                        "</Relationships>"
                    ).encode(),
                )
            )
            drawing = '<drawing r:id="rId1"/>'
        parts.append((f"xl/worksheets/sheet{i + 1}.xml", s.deflated(drawing)))
    if chart_types:
        name, data = parts[0]
        parts[0] = (name, data.replace(b"</Types>", chart_types.encode() + b"</Types>"))
    return parts


def content_types(sheets: int, custom: bool) -> str:
    """[Content_Types].xml for a workbook of `sheets` sheets (charts are added by package_parts)."""
    sheet_overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{_TYPES}.spreadsheetml.worksheet+xml"/>' for i in range(sheets)
    )
    custom_override = f'<Override PartName="/docProps/custom.xml" ContentType="{_TYPES}.custom-properties+xml"/>' if custom else ""
    return (
        f"{_XML}"
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{_TYPES}.extended-properties+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f"{custom_override}"
        f'<Override PartName="/xl/styles.xml" ContentType="{_TYPES}.spreadsheetml.styles+xml"/>'
        f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_TYPES}.theme+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPES}.spreadsheetml.sheet.main+xml"/>'
        f"{sheet_overrides}</Types>"
    )


def root_rels(custom: bool) -> str:
    """_rels/.rels: where the workbook and the document properties are."""
    custom_rel = f'<Relationship Id="rId4" Type="{_DOC_RELS}/custom-properties" Target="docProps/custom.xml"/>' if custom else ""
    return (
        f'{_XML}<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId3" Type="{_DOC_RELS}/extended-properties" Target="docProps/app.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELS}/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        f"{custom_rel}</Relationships>"
    )


def workbook_rels(sheets: int) -> str:
    """xl/_rels/workbook.xml.rels: the sheets, theme and styles."""
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(sheets)
    )
    rels += (
        f'<Relationship Id="rId{sheets + 1}" Type="{_DOC_RELS}/theme" Target="theme/theme1.xml"/>'
        f'<Relationship Id="rId{sheets + 2}" Type="{_DOC_RELS}/styles" Target="styles.xml"/>'
    )
    return f'{_XML}<Relationships xmlns="{_RELS}">{rels}</Relationships>'


def core_xml() -> str:
    """docProps/core.xml: no author, created and modified at FIXED_CREATED."""
    stamp = FIXED_CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{_XML}"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )


def app_xml(sheet_names: list[str]) -> str:
    """docProps/app.xml: the application and the sheets' names, as Excel writes them."""
    n = len(sheet_names)
    titles = "".join(f"<vt:lpstr>{escape_text(name)}</vt:lpstr>" for name in sheet_names)
    return (
        f"{_XML}"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>'
        f"<vt:variant><vt:i4>{n}</vt:i4></vt:variant></vt:vector></HeadingPairs>"
        f'<TitlesOfParts><vt:vector size="{n}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>'
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
        "<AppVersion>12.0000</AppVersion></Properties>"
    )


def custom_xml(custom: list[tuple[str, str]]) -> str:
    """docProps/custom.xml: the custom document properties, all as text."""
    props = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i + 2}" name={quote_attr(k)}><vt:lpwstr>{escape_text(v)}</vt:lpwstr></property>'
        for i, (k, v) in enumerate(custom)
    )
    return (
        f"{_XML}"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{props}</Properties>'
    )


def workbook_xml(sheets: list[FastSheet], active: int) -> str:
    """xl/workbook.xml: the sheets, the active one, and each sheet's filter, print area and print titles."""
    entries = []
    names = []
    for i, s in enumerate(sheets):
        state = f' state="{s.state}"' if s.state != "visible" else ""
        entries.append(f'<sheet name={quote_attr(s.name)} sheetId="{i + 1}"{state} r:id="rId{i + 1}"/>')
        quoted = "'" + s.name.replace("'", "''") + "'"
        if s.autofilter_ref:
            names.append(
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">{escape_text(quoted)}!{s.autofilter_abs}</definedName>'
            )
        if s.area:
            r1, c1, r2, c2 = s.area
            ref = f"${xl_col_to_name(c1)}${r1 + 1}:${xl_col_to_name(c2)}${r2 + 1}"
            names.append(f'<definedName name="_xlnm.Print_Area" localSheetId="{i}">{escape_text(quoted)}!{ref}</definedName>')
        if s.repeat:
            names.append(
                f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{escape_text(quoted)}!${s.repeat[0] + 1}:${s.repeat[1] + 1}</definedName>'
            )
    defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
    return (
        f"{_XML}"
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_DOC_RELS}">'
        '<fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>'
        '<workbookPr defaultThemeVersion="124226"/>'
        f'<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660" activeTab="{active}"/></bookViews>'
        f"<sheets>{''.join(entries)}</sheets>{defined}"
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )
