"""The lean writer must give the same workbook a person sees as xlsxwriter does."""

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from workbook_tools.fastxlsx import FastFormat, FastWorkbook
from workbook_tools.model import Result, Smiley
from workbook_tools.sheetplan import Mode, plan_sheet
from workbook_tools.template import draw_plan
from workbook_tools.xlsxio import new_workbook


def _draw(writer, path, plan, texts):
    wb = writer(path)
    draw_plan(wb, plan, texts)
    wb.close()
    return path


def _cells(path, sheet):
    ws = openpyxl.load_workbook(path)[sheet]
    return {
        c.coordinate: (c.value, c.protection.locked, c.fill.fgColor.rgb, c.font.b, c.font.color.rgb if c.font.color else None, c.alignment.wrap_text, c.quotePrefix)
        for row in ws.iter_rows()
        for c in row
    }, ws


@pytest.mark.parametrize("mode", [Mode.TEMPLATE, Mode.REPORT])
def test_both_writers_draw_the_same_sheet(tmp_path, agreement, texts, mode):
    a = agreement.with_results([Result("1.01", 1, Smiley.YELLOW, "=SUM(A1) skrevet som tekst", Smiley.RED, "+45 kr.")])
    plan = plan_sheet(a, a.committees[0], 2, texts, mode)
    slow = _draw(new_workbook, tmp_path / "slow.xlsx", plan, texts)
    fast = _draw(FastWorkbook, tmp_path / "fast.xlsx", plan, texts)
    read = lambda p: CalamineWorkbook.from_path(str(p)).get_sheet_by_name(plan.sheet_name).to_python()  # noqa: E731
    assert read(fast) == read(slow)
    (slow_cells, ws1), (fast_cells, ws2) = _cells(slow, plan.sheet_name), _cells(fast, plan.sheet_name)
    assert fast_cells == slow_cells
    assert ws2.protection.sheet == ws1.protection.sheet
    assert ws2.protection.formatRows == ws1.protection.formatRows
    dv = lambda ws: sorted((str(d.sqref), d.type, d.formula1, d.errorStyle, d.prompt) for d in ws.data_validations.dataValidation)  # noqa: E731
    assert dv(ws2) == dv(ws1)
    assert sorted(map(str, ws2.merged_cells.ranges)) == sorted(map(str, ws1.merged_cells.ranges))
    assert ws2.print_title_rows == ws1.print_title_rows
    assert ws2.page_setup.paperSize == ws1.page_setup.paperSize
    # What printing depends on: row heights, column widths, the hidden marker column, breaks, margins.
    heights = lambda ws: {r: d.height for r, d in ws.row_dimensions.items() if d.height}  # noqa: E731
    assert heights(ws2) == heights(ws1)
    columns = lambda ws: {k: (round(d.width, 2), d.hidden) for k, d in ws.column_dimensions.items() if d.width}  # noqa: E731
    assert columns(ws2) == columns(ws1)
    assert [b.id for b in ws2.row_breaks.brk] == [b.id for b in ws1.row_breaks.brk]
    margins = lambda ws: (ws.page_margins.left, ws.page_margins.right, ws.page_margins.top, ws.page_margins.bottom)  # noqa: E731
    assert margins(ws2) == margins(ws1)
    rules = lambda ws: sorted((str(cf.sqref), r.formula, r.dxf.fill.bgColor.rgb if r.dxf and r.dxf.fill else None) for cf in ws.conditional_formatting for r in cf.rules)  # noqa: E731
    assert rules(ws2) == rules(ws1)


@pytest.mark.parametrize(
    "text",
    ["=SUM(A1)", "+45 12 34 56", "-", "@navn", "æøå ÆØÅ 😀", "linje 1\nlinje 2", "  indrykket ", "_x0041_ bogstaveligt", "a\x01b", "<tag> & \"citat\""],
)
def test_text_comes_back_exactly_as_written(tmp_path, text):
    wb = FastWorkbook(tmp_path / "t.xlsx")
    ws = wb.add_worksheet("Ark")
    ws.write_string(0, 0, text)
    wb.close()
    got = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_name("Ark").to_python()[0][0]
    assert got == text
    assert openpyxl.load_workbook(tmp_path / "t.xlsx")["Ark"]["A1"].data_type == "s"


_GREY = FastFormat({"bg_color": "#D9D9D9"})


def _quote(text: str) -> bool:
    return text[:1] == "="


def _rows_both_ways(tmp_path, rows, first_row=1):
    """The same rows written cell by cell and with write_rows; the two workbooks' parts."""
    import zipfile
    from datetime import date

    parts = []
    for how in ("cells", "rows"):
        wb = FastWorkbook(tmp_path / f"{how}.xlsx")
        plain, quoted, own = wb.add_format({"text_wrap": True}), wb.add_format({"text_wrap": True, "quote_prefix": True}), wb.add_format({"bold": True})
        wb.register(_GREY)
        ws = wb.add_worksheet("Ark")
        ws.write_string(0, 0, "Overskrift", own)
        ws.set_row(first_row + 2, 30)
        if how == "rows":
            ws.write_rows(first_row, rows, [plain] * 8, [quoted] * 8, _quote)
        else:
            for r, row in enumerate(rows, start=first_row):
                for c, v in enumerate(row):
                    fmt = plain
                    if isinstance(v, tuple):
                        v, fmt = v
                        if v is None or v == "":
                            ws.write_blank(r, c, None, fmt)
                            continue
                    if v is None or v == "":
                        continue
                    if isinstance(v, str):
                        ws.write_string(r, c, v, quoted if fmt is plain and _quote(v) else fmt)
                    elif isinstance(v, date):
                        ws.write_datetime(r, c, v, fmt)
                    else:
                        ws.write_number(r, c, v, fmt)
        ws.write_string(first_row + len(rows) + 1, 0, "Sidst")
        wb.close()
        with zipfile.ZipFile(tmp_path / f"{how}.xlsx") as z:
            assert z.testzip() is None
            parts.append({n: z.read(n) for n in z.namelist()})
    return parts


ODD_TEXTS = ["a & b", "<tag>", "1 > 0", "_x0041_", "a\x01b", "\r\n", " indrykket", "=SUM(A1)", "x" * 40000, "æøå 😀", "\ufffe", "\uf0b7 punkt"]


@pytest.mark.parametrize("odd", [ODD_TEXTS, *([text] for text in ODD_TEXTS)], ids=["all", *(f"text{i}" for i in range(len(ODD_TEXTS)))])
def test_write_rows_writes_what_cell_by_cell_writes(tmp_path, odd):
    from datetime import date, datetime

    rows = [(f"{i}", i, 0, None, "", 1.5, date(2024, 5, 17), datetime(2024, 5, 17, 13, 45)) for i in range(1200)]
    rows += [(text, (text, _GREY), ("", _GREY), (3, None)) for text in odd]
    rows += [(), (None, None), ("sidste",)]
    cells, written = _rows_both_ways(tmp_path, rows)
    assert written == cells


def test_write_rows_keeps_rows_in_order(tmp_path):
    wb = FastWorkbook(tmp_path / "t.xlsx")
    ws = wb.add_worksheet("Ark")
    ws.write_rows(1, [("a",), ("b",)], [None])
    for late in (lambda: ws.write_string(2, 0, "for sent"), lambda: ws.write_rows(0, [("c",)], [None]), lambda: ws.set_row(1, 20)):
        with pytest.raises(ValueError, match="already written"):
            late()
    ws.write_rows(3, [("d",)], [None])
    wb.close()
    got = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_name("Ark").to_python()
    assert [row[0] for row in got] == ["a", "b", "d"]


def test_a_cell_waiting_in_rows_that_write_rows_then_covers_is_refused_not_doubled(tmp_path):
    """Two <row r="6"> elements would make Excel offer to repair the file."""
    wb = FastWorkbook(tmp_path / "t.xlsx")
    ws = wb.add_worksheet("Ark")
    ws.write_string(0, 0, "overskrift")
    ws.write_string(5, 3, "for tidligt")
    with pytest.raises(ValueError, match="already have cells"):
        ws.write_rows(1, [("r",)] * 10, [None])
    ws.write_rows(1, [("r",)] * 4, [None])  # the rows above it are fine
    assert ws.write_cells([]) == 0  # nothing to write is not an error, also below written rows
    ws.set_rows({6: None, 7: 30})  # None: no height, as set_row(6, None)
    wb.close()
    got = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_name("Ark").to_python()
    assert [row[0] for row in got[:5]] == ["overskrift", "r", "r", "r", "r"] and got[5][3] == "for tidligt"


def _cells_both_ways(tmp_path, cells, merges, heights):
    """The same cells written one by one and with write_cells (row heights with set_row and set_rows); the parts."""
    import zipfile

    from workbook_tools.fastxlsx import Formula

    parts = []
    for how in ("one", "all"):
        wb = FastWorkbook(tmp_path / f"{how}.xlsx")
        fmt = wb.add_format({"text_wrap": True})
        ws = wb.add_worksheet("Ark")
        ws.write_string(0, 0, "Overskrift")
        todo = [(r, c, fmt if f == "fmt" else f, v) for r, c, f, v in cells]
        if how == "all":
            ws.set_rows(heights)
            ws.write_cells(todo, [(*m, fmt) for m in merges])
        else:
            for r, h in heights.items():
                ws.set_row(r, h)
            for m in merges:
                ws.merge_range(*m, "", fmt)
            for r, c, f, v in todo:
                if isinstance(v, Formula):
                    ws.write_formula(r, c, v.formula, f, v.value)
                elif v:
                    ws.write_string(r, c, v, f)
                else:
                    ws.write_blank(r, c, None, f)
        wb.close()
        with zipfile.ZipFile(tmp_path / f"{how}.xlsx") as z:
            assert z.testzip() is None  # the CRCs: kept and run on, or joined for a big sheet
            parts.append({n: z.read(n) for n in z.namelist()})
    return parts


_CLEAN = [f"tekst {i}, æøå" for i in range(50)] + [" indrykket", "sidst ", "linje 1\nlinje 2"]


@pytest.mark.parametrize("odd", [[], ODD_TEXTS, ["x" * 300] * 1000, *([text] for text in ODD_TEXTS)], ids=["clean", "all", "big", *(f"text{i}" for i in range(len(ODD_TEXTS)))])
def test_write_cells_writes_what_cell_by_cell_writes(tmp_path, odd):
    from workbook_tools.fastxlsx import Formula

    texts = _CLEAN + odd
    cells = [(1 + i // 3, 2 - i % 3, "fmt", text) for i, text in enumerate(texts)]  # each row's cells right to left
    cells += [(1, 0, "fmt", "igen: den sidste vinder"), (2, 5, None, ""), (2, 6, "fmt", ""), (3, 4, "fmt", "=")]
    cells += [(4, 3, "fmt", Formula("=A1&\"<\"", "a<")), (4, 4, None, Formula("SUM(B1:B2)", 3)), (len(texts), 7, "fmt", "")]
    cells += [(5, 3, "fmt", "flettet"), (5, 4, "fmt", ""), (5, 5, "fmt", "")]
    heights = {0: 30, 2: 15.2, 5: 40.1, len(texts) + 3: 20}
    one, together = _cells_both_ways(tmp_path, cells, [(5, 3, 5, 5)], heights)
    assert together == one
