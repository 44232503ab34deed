"""Charts: xlsxwriter's chart calls recorded on the sheet, then drawn by xlsxwriter in a side workbook.

The overview's one chart is rare enough that its XML is left to xlsxwriter; only
the names of its parts are changed to fit the workbook that holds it.
"""

from __future__ import annotations

import io
import zipfile


class FastChart:
    """Records xlsxwriter chart calls; the chart XML itself is made by xlsxwriter at close()."""

    def __init__(self, options: dict):
        self.options = dict(options)
        self.calls: list[tuple[str, tuple, dict]] = []

    def __getattr__(self, name: str):
        if name.startswith(("add_", "set_")):
            return lambda *args, **kw: self.calls.append((name, args, kw))
        raise AttributeError(name)


def chart_parts(sheet_name: str, charts: list[tuple[int, int, FastChart, dict]], drawing_no: int) -> list[tuple[str, bytes]]:
    """The sheet's charts as xlsxwriter makes them: drawn in a side workbook, parts renumbered.

    The series refer to cell ranges by sheet name, so the chart XML is the same
    whichever workbook holds the cells.
    """
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(sheet_name)
    for row, col, recorded, options in charts:
        chart = wb.add_chart(recorded.options)
        for name, args, kw in recorded.calls:
            getattr(chart, name)(*args, **kw)
        ws.insert_chart(row, col, chart, options)
    wb.close()
    out = []
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        for k in range(1, len(charts) + 1):
            out.append((f"xl/charts/chart{drawing_no}_{k}.xml", z.read(f"xl/charts/chart{k}.xml")))
        drawing = z.read("xl/drawings/drawing1.xml")
        rels = z.read("xl/drawings/_rels/drawing1.xml.rels")
        for k in range(1, len(charts) + 1):
            rels = rels.replace(f"../charts/chart{k}.xml".encode(), f"../charts/chart{drawing_no}_{k}.xml".encode())
        out.append((f"xl/drawings/drawing{drawing_no}.xml", drawing))
        out.append((f"xl/drawings/_rels/drawing{drawing_no}.xml.rels", rels))
    return out
