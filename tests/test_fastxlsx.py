"""The lean writer must give the same workbook a person sees as xlsxwriter does."""

import dataclasses
import functools
import io
import os
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from workbook_tools.fastxlsx import FastFormat, FastWorkbook, legacy_password_hash
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
        c.coordinate: (
            c.value,
            c.protection.locked,
            c.fill.fgColor.rgb,
            c.font.b,
            c.font.color.rgb if c.font.color else None,
            c.alignment.wrap_text,
            c.quotePrefix,
        )
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

    def rules(ws):
        return sorted(
            (str(cf.sqref), r.formula, r.dxf.fill.bgColor.rgb if r.dxf and r.dxf.fill else None)
            for cf in ws.conditional_formatting
            for r in cf.rules
        )

    assert rules(ws2) == rules(ws1)


@pytest.mark.parametrize(
    "text",
    [
        "=SUM(A1)",
        "+45 12 34 56",
        "-",
        "@navn",
        "æøå ÆØÅ 😀",
        "linje 1\nlinje 2",
        "  indrykket ",
        "_x0041_ bogstaveligt",
        "a\x01b",
        '<tag> & "citat"',
    ],
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
        plain, quoted, own = (
            wb.add_format({"text_wrap": True}),
            wb.add_format({"text_wrap": True, "quote_prefix": True}),
            wb.add_format({"bold": True}),
        )
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


ODD_TEXTS = [
    "a & b",
    "<tag>",
    "1 > 0",
    "_x0041_",
    "a\x01b",
    "\r\n",
    " indrykket",
    "=SUM(A1)",
    "x" * 40000,
    "æøå 😀",
    "\ufffe",
    "\uf0b7 punkt",
]


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


@pytest.mark.parametrize(
    "odd",
    [[], ODD_TEXTS, ["x" * 300] * 1000, *([text] for text in ODD_TEXTS)],
    ids=["clean", "all", "big", *(f"text{i}" for i in range(len(ODD_TEXTS)))],
)
def test_write_cells_writes_what_cell_by_cell_writes(tmp_path, odd):
    from workbook_tools.fastxlsx import Formula

    texts = _CLEAN + odd
    cells = [(1 + i // 3, 2 - i % 3, "fmt", text) for i, text in enumerate(texts)]  # each row's cells right to left
    cells += [(1, 0, "fmt", "igen: den sidste vinder"), (2, 5, None, ""), (2, 6, "fmt", ""), (3, 4, "fmt", "=")]
    cells += [(4, 3, "fmt", Formula('=A1&"<"', "a<")), (4, 4, None, Formula("SUM(B1:B2)", 3)), (len(texts), 7, "fmt", "")]
    cells += [(5, 3, "fmt", "flettet"), (5, 4, "fmt", ""), (5, 5, "fmt", "")]
    heights = {0: 30, 2: 15.2, 5: 40.1, len(texts) + 3: 20}
    one, together = _cells_both_ways(tmp_path, cells, [(5, 3, 5, 5)], heights)
    assert together == one


# --- The sheet password: our own hash, not xlsxwriter's private Worksheet._encode_password ---------

EXCEL_MADE = Path(os.environ.get("FOLLOWUP_SHARED") or Path(__file__).resolve().parents[2] / "shared") / "excel-made"
PASSWORDS = ["password", "a", "hemmelig", "Æblegrød-2031", "x" * 15, "x" * 40, "æøå ÆØÅ", "€uro", "😀"]


def _sheet_protection(path_or_bytes) -> str:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    with zipfile.ZipFile(source) as z:
        return re.search(r"<sheetProtection [^>]*/>", z.read("xl/worksheets/sheet1.xml").decode()).group(0)


def _password_attr(protection: str) -> str | None:
    found = re.search(r' password="([0-9A-Fa-f]+)"', protection)
    return found.group(1) if found else None


@pytest.mark.skipif(not (EXCEL_MADE / "protect03.xlsx").exists(), reason="shared/excel-made is not here (set FOLLOWUP_SHARED)")
def test_the_sheet_password_hash_is_the_one_excel_saved_for_password():
    """protect03.xlsx was protected with "password" in real Excel (XlsxWriter's test_protect03.py names it)."""
    assert _password_attr(_sheet_protection(EXCEL_MADE / "protect03.xlsx")) == "83AF"
    assert legacy_password_hash("password") == "83AF"


@pytest.mark.parametrize("password", PASSWORDS)
def test_the_sheet_password_hash_is_the_one_xlsxwriter_writes(tmp_path, password):
    """Compared with xlsxwriter's written file (its public output), not its private function."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet().protect(password)
    wb.close()
    theirs = _password_attr(_sheet_protection(buf.getvalue()))
    assert legacy_password_hash(password) == theirs
    fast = FastWorkbook(tmp_path / "fast.xlsx")
    fast.add_worksheet("Ark").protect(password)
    fast.close()
    assert _password_attr(_sheet_protection(tmp_path / "fast.xlsx")) == theirs


def test_known_sheet_password_hashes_stay_put():
    """Pinned, so that a template protected today opens with the same password next year, whatever xlsxwriter does."""
    assert [legacy_password_hash(p) for p in PASSWORDS] == ["83AF", "CE88", "8E9F", "C11A", "CE44", "8E31", "8508", "8BA3", "A24B"]


def test_a_sheet_protected_without_a_password_has_no_password_attribute(tmp_path):
    wb = FastWorkbook(tmp_path / "t.xlsx")
    wb.add_worksheet("Ark").protect("")
    wb.close()
    assert _sheet_protection(tmp_path / "t.xlsx") == '<sheetProtection sheet="1" objects="1" scenarios="1"/>'


# --- Style indices: read from the prototype's file, not from xlsxwriter's Format.xf_index/dxf_index --------


def test_style_indices_match_xlsxwriters_also_for_look_alike_and_default_looking_formats(tmp_path):
    """Formats that look the same share one index, in xlsxwriter's numbering by first use; both writers agree on every s and dxfId."""
    specs = [
        {"bold": True},
        {},
        {"bold": 1},
        {"bg_color": "#FFC7CE", "locked": False},
        {"num_format": "yyyy-mm-dd"},
        {"font_name": "Calibri", "font_size": 11},
        {"italic": True},
        {"bold": True},
    ]
    rules = [{"bg_color": "#C6EFCE"}, {"bg_color": "#FFC7CE", "font_color": "#9C0006"}]
    for path, writer in ((tmp_path / "slow.xlsx", new_workbook), (tmp_path / "fast.xlsx", FastWorkbook)):
        wb = writer(path)
        formats = [wb.add_format(s) for s in specs]
        ws = wb.add_worksheet("Ark")
        for i, f in enumerate(formats):
            ws.write_string(i, 0, f"tekst {i}", f)
        for i, spec in enumerate(rules):
            ws.conditional_format(i, 1, i, 1, {"type": "formula", "criteria": f'=$A${i + 1}<>""', "format": wb.add_format(spec)})
        wb.close()

    def styles(path):
        with zipfile.ZipFile(path) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        return re.findall(r'<c r="(A\d+)"(?: s="(\d+)")?', sheet), re.findall(r'dxfId="(\d+)"', sheet)

    assert styles(tmp_path / "fast.xlsx") == styles(tmp_path / "slow.xlsx")
    cells, _rules = styles(tmp_path / "fast.xlsx")
    assert cells[0][1] == cells[7][1] and cells[1][1] == cells[5][1]  # the same spec twice; {} and the default font spelt out
    assert len({s for _ref, s in cells}) == 6

    def looks(p):
        return [
            (c.font.b, c.font.i, c.fill.fgColor.rgb, c.protection.locked, c.number_format) for c in openpyxl.load_workbook(p)["Ark"]["A"]
        ]

    assert looks(tmp_path / "fast.xlsx") == looks(tmp_path / "slow.xlsx")


def test_a_prototype_that_xlsxwriter_wrote_otherwise_stops_with_a_message_naming_what_changed():
    """Should xlsxwriter ever write the prototype's cells or rules differently, no workbook gets wrong styles."""
    from xml.etree import ElementTree

    from workbook_tools.fastxlsx.styles import _cell_styles, _rule_styles

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = ElementTree.fromstring(f'<worksheet {ns}><sheetData><row r="1"><c r="A1" s="1"/></row></sheetData></worksheet>')
    assert _cell_styles(sheet, 1) == [1]
    with pytest.raises(RuntimeError, match="not one per format"):
        _cell_styles(sheet, 2)
    rule = ElementTree.fromstring(
        f'<worksheet {ns}><conditionalFormatting sqref="B1"><cfRule type="expression" priority="1"><formula>A1=1</formula></cfRule></conditionalFormatting></worksheet>'
    )
    with pytest.raises(RuntimeError, match="without a dxfId"):
        _rule_styles(rule, 1)


# --- overview.xlsx and validation.xlsx: the lean writer against xlsxwriter ----------------------------


def _write_rows_one_by_one(ws, first_row, rows, formats, quoted=None, needs_quote=None):
    """FastSheet.write_rows through xlsxwriter's one-cell calls, as its docstring says it writes."""
    for r, row in enumerate(rows, start=first_row):
        for c, value in enumerate(row):
            fmt = formats[c] if c < len(formats) else None
            if value.__class__ is tuple:
                value, fmt = value
                if value is None or value == "":
                    ws.write_blank(r, c, None, fmt)
                    continue
            elif isinstance(value, str) and quoted and quoted[c] is not None and needs_quote(value):
                fmt = quoted[c]
            if value is None or value == "":
                continue
            if isinstance(value, (datetime, date)):
                ws.write_datetime(r, c, value, fmt)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value, fmt)
            else:
                ws.write_string(r, c, str(value), fmt)


def _xlsxwriter_workbook(path):
    """xlsxwriter standing in for FastWorkbook in report.py: the same calls, write_rows cell by cell."""
    wb = new_workbook(path)
    add = wb.add_worksheet

    def add_worksheet(name):
        ws = add(name)
        ws.write_rows = functools.partial(_write_rows_one_by_one, ws)
        return ws

    wb.add_worksheet = add_worksheet
    return wb


@pytest.fixture(scope="module")
def round2(tmp_path_factory):
    """Round 2 collected (dry run): one good return, one late with a smiley that is none, one committee silent.

    Round 1's answers, already in the master, hold texts Excel would take for formulas.
    """
    from returns_kit import Kit, cell_of, edit
    from synthetic import synthetic_agreement, synthetic_answers

    from workbook_tools.master import write_master
    from workbook_tools.pipeline import collect_round
    from workbook_tools.texts import load_texts

    tmp = tmp_path_factory.mktemp("round2")
    texts = load_texts()
    a = synthetic_agreement(committees=3, elements=3)
    first = [r for c in a.committees for r in synthetic_answers(a, c.name, 1)]
    first[0] = dataclasses.replace(first[0], status="=SUM(A1) skrevet som tekst")
    first[1] = dataclasses.replace(first[1], economy_status="-45 kr. " + "lang tekst " * 40)
    a = a.with_results(first)
    master = write_master(a, tmp / "master.xlsx")
    kit = Kit(tmp, a, texts, round_number=2)
    kit.filled(committee="Udvalg 01")
    ref = cell_of(kit.plan("Udvalg 02"), "2.02", "economy", 2)
    late = edit(kit.filled(committee="Udvalg 02"), lambda wb: wb["Opfølgning"].__setitem__(ref, "Blå"))
    os.utime(late, (4_000_000_000, 4_000_000_000))
    run = collect_round(master, 2, [kit.returns], tmp / "out", pdf=False, dry_run=True)
    assert {p.code for p in run.problems} >= {"invalid-smiley", "missing-return"}
    return run, texts


def _both_ways(monkeypatch, tmp_path, write):
    """`write(path)` once with the lean writer and once with xlsxwriter in its place; the two paths."""
    from workbook_tools import report

    fast = write(tmp_path / "fast.xlsx")
    monkeypatch.setattr(report, "FastWorkbook", _xlsxwriter_workbook)
    slow = write(tmp_path / "slow.xlsx")
    monkeypatch.undo()
    return fast, slow


def _sheet_looks(ws):
    """What a person sees of a sheet beyond its cells: panes, filter, print setup, sizes, merges, charts."""
    setup = ws.page_setup
    return {
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "titles": ws.print_title_rows,
        "merged": sorted(map(str, ws.merged_cells.ranges)),
        # xlsxwriter leaves out a height equal to the default 15 points; the lean writer spells it out
        "heights": {r: d.height for r, d in ws.row_dimensions.items() if d.height and d.height != 15},
        # per column: xlsxwriter writes neighbours of one width as one <col min max>, the lean writer one each
        "columns": {c: (round(d.width, 2), d.hidden) for d in ws.column_dimensions.values() if d.width for c in range(d.min, d.max + 1)},
        # no orientation is the schema's "default", portrait, which xlsxwriter writes out
        "page": (
            setup.paperSize,
            setup.orientation or "portrait",
            setup.fitToWidth,
            setup.fitToHeight,
            ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
        ),
        "gridlines": ws.sheet_view.showGridLines,
        "charts": [
            [(s.tx.strRef.f, s.cat.numRef.f if s.cat.numRef else s.cat.strRef.f, s.val.numRef.f) for s in chart.series]
            for chart in ws._charts
        ],
    }


def _whole_seconds(value):
    """The lean writer stores a time to the whole second (cells.serial), xlsxwriter to the microsecond; both show minutes."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    if isinstance(value, tuple):
        return tuple(map(_whole_seconds, value))
    if isinstance(value, list):
        return list(map(_whole_seconds, value))
    return value


def _same_workbook(fast, slow):
    def read(path):
        book = CalamineWorkbook.from_path(str(path))
        return {name: _whole_seconds(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names}

    assert read(fast) == read(slow)
    wb_fast, wb_slow = openpyxl.load_workbook(fast), openpyxl.load_workbook(slow)
    assert wb_fast.sheetnames == wb_slow.sheetnames and wb_fast.active.title == wb_slow.active.title
    for name in wb_slow.sheetnames:
        cells = lambda p: {ref: _whole_seconds(looks) for ref, looks in _cells(p, name)[0].items()}  # noqa: B023, E731
        assert cells(fast) == cells(slow), name
        assert _sheet_looks(wb_fast[name]) == _sheet_looks(wb_slow[name]), name


def test_both_writers_write_the_same_overview(tmp_path, monkeypatch, round2):
    from workbook_tools.report import write_overview

    run, texts = round2
    fast, slow = _both_ways(monkeypatch, tmp_path, lambda p: write_overview(run.agreement, 2, texts, p, run.checks, run.outcome))
    _same_workbook(fast, slow)
    book = openpyxl.load_workbook(fast)
    assert book["Status"].freeze_panes == "C4" and book["Status"]._charts, "the status sheet keeps its panes and chart"
    formula_like = [c for ws in book for row in ws.iter_rows() for c in row if c.value == "=SUM(A1) skrevet som tekst"]
    assert formula_like and all(c.quotePrefix and c.data_type == "s" for c in formula_like)


def test_both_writers_write_the_same_validation_list(tmp_path, monkeypatch, round2):
    from workbook_tools.problems import Problem
    from workbook_tools.report import write_validation

    run, _texts = round2
    problems = [*run.problems, Problem("invalid-smiley", file='=HYPERLINK("x").xlsx', found="@Blå", cell="E45")]
    fast, slow = _both_ways(monkeypatch, tmp_path, lambda p: write_validation(problems, p))
    _same_workbook(fast, slow)
    ws = openpyxl.load_workbook(fast)["Problemer"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:M{len(problems) + 1}"
    odd = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=@"]
    assert {c.column_letter for c in odd} >= {"C", "K"} and all(c.quotePrefix and c.data_type == "s" for c in odd)  # file, found
