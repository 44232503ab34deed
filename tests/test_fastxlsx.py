"""The lean writer must give the same workbook a person sees as xlsxwriter does."""

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from workbook_tools.fastxlsx import FastWorkbook
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
