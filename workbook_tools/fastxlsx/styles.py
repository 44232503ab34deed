"""styles.xml and the theme: made once by xlsxwriter's public API, the style indices read back from its XML.

A workbook's cells name their format by its index in styles.xml (`s="N"`, and
`dxfId="N"` for a conditional format). xlsxwriter numbers formats in order of first
use and gives formats that look the same one index; it keeps those numbers on its
Format objects (`xf_index`, `dxf_index`), attributes it does not document. So the
prototype workbook writes one cell (and one conditional format) per format, and the
numbers are read from the sheet XML it saved: the file format, which does not move
when xlsxwriter's insides do.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class FastFormat:
    """A handle for a format spec; its style index is known once the prototype is built."""

    __slots__ = ("key", "spec")

    def __init__(self, spec: dict):
        self.spec = dict(spec)
        self.key = tuple(sorted((k, str(v)) for k, v in spec.items()))


class StylePrototype:
    """styles.xml and theme for exactly these formats, made by xlsxwriter itself.

    `xf_index` and `dxf_index` map a format's key to its index in styles.xml: format i
    of `xf` is the format of cell A(i+1) of the prototype's sheet, format i of `dxf`
    that of the conditional format whose rule is A(i+1)=1.
    """

    def __init__(self, xf: dict[tuple, dict], dxf: dict[tuple, dict]):
        import xlsxwriter

        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        ws = wb.add_worksheet()
        for i, spec in enumerate(xf.values()):
            ws.write_blank(i, 0, None, wb.add_format(spec))
        for i, spec in enumerate(dxf.values()):
            ws.conditional_format(0, 1, 0, 1, {"type": "formula", "criteria": f"=A{i + 1}=1", "format": wb.add_format(spec)})
        wb.close()
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
            self.styles_xml = z.read("xl/styles.xml")
            self.theme_xml = z.read("xl/theme/theme1.xml")
            sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
        self.xf_index = dict(zip(xf, _cell_styles(sheet, len(xf))))
        self.dxf_index = dict(zip(dxf, _rule_styles(sheet, len(dxf))))


def _cell_styles(sheet: ElementTree.Element, n: int) -> list[int]:
    """The s of cells A1..An of the prototype's sheet (0 where it has none: the default format)."""
    found = {c.get("r"): int(c.get("s", 0)) for c in sheet.iter(f"{_MAIN}c")}
    wanted = [f"A{i + 1}" for i in range(n)]
    if len(found) != n or set(found) != set(wanted):
        raise RuntimeError(
            f"xlsxwriter's prototype sheet has cells {sorted(found)}, not one per format (A1..A{n}): has xlsxwriter changed how it writes blank cells?"
        )
    return [found[ref] for ref in wanted]


def _rule_styles(sheet: ElementTree.Element, n: int) -> list[int]:
    """The dxfId of the rules A1=1 .. An=1 of the prototype's sheet."""
    found = {}
    for rule in sheet.iter(f"{_MAIN}cfRule"):
        formula = rule.findtext(f"{_MAIN}formula") or ""
        if rule.get("dxfId") is None:
            raise RuntimeError(f"xlsxwriter wrote the conditional format {formula!r} of the prototype without a dxfId")
        found[formula] = int(rule.get("dxfId"))
    wanted = [f"A{i + 1}=1" for i in range(n)]
    if len(found) != n or set(found) != set(wanted):
        raise RuntimeError(
            f"xlsxwriter's prototype sheet has the rules {sorted(found)}, not one per conditional format: has xlsxwriter changed how it writes them?"
        )
    return [found[f] for f in wanted]


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
