"""Finance's own work in last year's master comes along into the new year: `new-year` writes their workbook, not a new one.

Finance keeps the master in Excel and adds to it: a column of remarks on Indsatser
(with a comment), a sheet of notes, a fill, a column width (test_master_kept's
finance_edits, with openpyxl and through LibreOffice). `followup new-year` gives a
master where all of that is still there, where every zip part but the sheets whose
cells the year changes holds last year's bytes, that reads back as the new year
(year, rounds a year on, results empty) and that `generate` makes templates from.
Indsatser left out with --only-open lose their rows, and what stood below moves up
with its own cells, comments, validations and merges. A master that cannot be
brought over safely is written afresh, and one line says what was not kept.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from synthetic import synthetic_agreement
from test_master_kept import FILL, NOTE, REMARK, assert_finance_work_kept, changed_parts, finance_edits, parts, related_parts, results_part

from workbook_tools.cli import main
from workbook_tools.danish import long_date
from workbook_tools.master import AGREEMENT_SHEET, ELEMENTS_SHEET, RESULTS_SHEET, ROUNDS_SHEET, read_master, write_master
from workbook_tools.newyear import new_year_lines, write_new_year
from workbook_tools.pipeline import generate_round

OLD, NEW = 2031, 2032
DONE = ("1.02", "2.02")  # green on both in round 2 of synthetic_agreement(answered_rounds=2): left out with --only-open
TOOL_SHEETS = (AGREEMENT_SHEET, ROUNDS_SHEET, ELEMENTS_SHEET, RESULTS_SHEET)


def last_years_agreement():
    """2031 after two rounds, with milestones that name the year: every tool sheet has cells the new year changes."""
    a = synthetic_agreement(answered_rounds=2, year=OLD)
    elements = tuple(replace(e, milestones=(f"Klar i {OLD}.", "", "", f"Evalueret 31.12.{OLD}.")) for e in a.elements)
    return replace(a, elements=elements)


def tool_parts(path: Path) -> set[str]:
    return {results_part(path, name) for name in TOOL_SHEETS}


def assert_is_the_new_year(new: Path, result, tmp: Path) -> None:
    """Read back as the new year (year, rounds a year on, results empty), with templates made from it."""
    agreement = read_master(new)
    assert agreement == result.agreement
    assert agreement.year == NEW and agreement.results == ()
    assert [r.label for r in agreement.rounds] == [f"{n}. budgetopfølgning {NEW}" for n in (1, 2, 3)] + [f"31.12.{NEW}"]
    assert [r.deadline for r in agreement.rounds] == [date(NEW, 3 * n, 15) for n in (1, 2, 3, 4)]
    assert (agreement.title, agreement.date) == (f"Aftale om budget {NEW}", date(NEW, 7, 4))
    assert {e.milestones for e in agreement.elements} == {(f"Klar i {NEW}.", "", "", f"Evalueret 31.12.{NEW}.")}
    made = generate_round(new, 1, tmp / "skabeloner")
    assert made and all((tmp / "skabeloner" / m.file).is_file() for m in made)


def assert_written_cells_keep_their_look(old: Path, new: Path) -> None:
    """Each cell the year changed has its old style: a deadline is still a date in its date format, the title still wraps."""
    before, after = load_workbook(old), load_workbook(new)
    for sheet, ref in ((ROUNDS_SHEET, "C2"), (AGREEMENT_SHEET, "B3"), (AGREEMENT_SHEET, "B5"), (ELEMENTS_SHEET, "J2")):
        a, b = before[sheet][ref], after[sheet][ref]
        assert (b.number_format, b.alignment.wrap_text, b.font.b) == (a.number_format, a.alignment.wrap_text, a.font.b), f"{sheet}!{ref}"
    assert after[ROUNDS_SHEET]["C2"].value == datetime(NEW, 3, 15)
    assert after[AGREEMENT_SHEET]["B2"].value == NEW


@pytest.fixture(scope="module")
def finance_master(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("aar")
    return finance_edits(write_master(last_years_agreement(), tmp / "tool.xlsx"), tmp / "master.xlsx")


def test_finances_sheet_column_note_fill_and_width_come_along_into_the_new_year(finance_master, tmp_path):
    before = finance_master.read_bytes()
    result = write_new_year(finance_master, NEW, tmp_path / str(NEW))
    new = tmp_path / str(NEW) / "master.xlsx"
    assert result.notes == []
    assert_finance_work_kept(new)
    # Only the sheets whose cells the year changes, and the results filter's name; the comment, styles, Noter: the old bytes.
    assert changed_parts(finance_master, new) == tool_parts(finance_master) | {"xl/workbook.xml"}
    assert_is_the_new_year(new, result, tmp_path)
    assert_written_cells_keep_their_look(finance_master, new)
    ws = load_workbook(new)[RESULTS_SHEET]
    assert ws.max_row == 1 and ws["A1"].value == "Nummer", "the results are cleared, the heading stays"
    assert finance_master.read_bytes() == before, "last year's master is left as it was"


def test_a_master_saved_by_libreoffice_comes_along_too_and_libreoffice_opens_the_new_one(finance_master, office, tmp_path):
    saved = tmp_path / "lo-master.xlsx"
    typed = {"O1": "Egen kolonne (LibreOffice)", "O2": "skrevet i Calc"}
    office.run(
        office.copy(finance_master, "master.xlsx"), [{"do": "type", "cells": typed}, {"do": "save", "to": str(saved)}], sheet=ELEMENTS_SHEET
    )
    result = write_new_year(saved, NEW, tmp_path / str(NEW))
    new = tmp_path / str(NEW) / "master.xlsx"
    assert result.notes == []
    assert_finance_work_kept(new)
    ws = load_workbook(new)[ELEMENTS_SHEET]
    assert (ws["O1"].value, ws["O2"].value) == tuple(typed.values())
    assert changed_parts(saved, new) <= tool_parts(saved) | {"xl/workbook.xml"}
    assert_is_the_new_year(new, result, tmp_path)
    again = tmp_path / "lo-again.xlsx"  # Calc opens the patched file and saves it: it reads as the same new year
    office.run(office.copy(new, "master.xlsx"), [{"do": "save", "to": str(again)}], sheet=ELEMENTS_SHEET)
    assert read_master(again) == result.agreement
    assert_finance_work_kept(again)


# --- --only-open: rows go, what stands below moves up -------------------------------------------


def only_open_master(tmp: Path) -> Path:
    """Finance's own column with a remark on every indsats, a comment and a fill below a done one, a validation, merges."""
    wb = load_workbook(write_master(last_years_agreement(), tmp / "tool.xlsx"))
    ws = wb[ELEMENTS_SHEET]
    ws.cell(1, 14, REMARK)
    for r in range(2, 8):
        ws.cell(r, 14, f"note til {ws.cell(r, 1).value}")
    ws["N4"].comment = Comment(NOTE, "Finans")  # 1.03, below 1.02 that goes: to N3
    ws["B5"].fill = PatternFill("solid", fgColor=FILL)  # 2.01: to B4
    rule = DataValidation(type="list", formula1='"Drift,Anlæg"', sqref="D2:D7")
    ws.add_data_validation(rule)
    ws.merge_cells("P4:P5")  # 1.03 and 2.01: to P3:P4
    ws.merge_cells("O6:O7")  # 2.02 goes: one cell is left, no merge
    wb.create_sheet("Noter")["A1"] = "Finans' egne noter til året"
    out = tmp / "master.xlsx"
    wb.save(out)
    return out


def assert_rows_moved_up(new: Path) -> None:
    ws = load_workbook(new)[ELEMENTS_SHEET]
    numbers = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert numbers == ["1.01", "1.03", "2.01", "2.03"]
    assert [ws.cell(r, 14).value for r in range(2, 6)] == [f"note til {n}" for n in numbers], "each remark with its indsats"
    comments = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
    assert list(comments) == ["N3"] and NOTE in comments["N3"]
    assert ws["B4"].fill.fgColor.rgb == FILL and ws["B3"].fill.fgColor.rgb != FILL
    assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["D2:D5"]
    assert {str(m) for m in ws.merged_cells.ranges} == {"P3:P4"}


def test_only_open_removes_the_rows_of_the_done_indsatser_and_moves_what_stands_below(tmp_path):
    old = only_open_master(tmp_path)
    result = write_new_year(old, NEW, tmp_path / str(NEW), only_open=True)
    new = tmp_path / str(NEW) / "master.xlsx"
    assert result.dropped == list(DONE) and result.notes == []
    assert read_master(new) == result.agreement
    assert_rows_moved_up(new)
    after = parts(new)
    indsatser = after[results_part(new, ELEMENTS_SHEET)]
    assert re.search(rb'<autoFilter ref="A1:M5" ?/>', indsatser) and re.search(rb'<dimension ref="A1:P5" ?/>', indsatser)
    assert b"'Indsatser'!$A$1:$M$5</definedName>" in after["xl/workbook.xml"]
    note_box = next(after[n] for n in related_parts(new, results_part(new, ELEMENTS_SHEET)) if n.endswith(".vml"))
    assert re.findall(rb"Row>(\d+)<", note_box) == [b"2"], "the note box moved to row 3 (0-based 2) with its cell"
    comments_and_box = related_parts(old, results_part(old, ELEMENTS_SHEET))
    assert changed_parts(old, new) == tool_parts(old) | {"xl/workbook.xml"} | comments_and_box
    assert "Noter" in load_workbook(new).sheetnames


def test_only_open_on_a_master_saved_by_libreoffice_and_calc_reads_the_comment_where_it_moved(office, tmp_path):
    saved = tmp_path / "lo-master.xlsx"
    office.run(office.copy(only_open_master(tmp_path), "master.xlsx"), [{"do": "save", "to": str(saved)}], sheet=ELEMENTS_SHEET)
    result = write_new_year(saved, NEW, tmp_path / str(NEW), only_open=True)
    new = tmp_path / str(NEW) / "master.xlsx"
    assert result.dropped == list(DONE) and result.notes == []
    assert read_master(new) == result.agreement
    assert_rows_moved_up(new)
    again = tmp_path / "lo-again.xlsx"
    office.run(office.copy(new, "master.xlsx"), [{"do": "save", "to": str(again)}], sheet=ELEMENTS_SHEET)
    assert read_master(again) == result.agreement
    assert_rows_moved_up(again)


# --- formulas, as Excel writes them ---------------------------------------------------------------


def rezip(source: Path, out: Path, edits: dict, added: dict | None = None, dropped: tuple = ()) -> Path:
    """`source` with parts changed by edits[name](bytes), parts added and dropped: a file as another program left it."""
    members = {n: d for n, d in parts(source).items() if n not in dropped}
    for name, change in edits.items():
        members[name] = change(members[name])
    members.update(added or {})
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    return out


def in_row(row: int, cells: bytes):
    """An edit that appends cells to a row of a sheet."""
    return lambda xml: re.sub(
        rb'(<row r="' + str(row).encode() + rb'"[^>]*>.*?)</row>', lambda m: m.group(1) + cells + b"</row>", xml, count=1, flags=re.S
    )


def excel_shaped(master: Path, out: Path) -> Path:
    """The master as Excel leaves it after finance added formulas.

    An own column on Indsatser filled down as one shared formula, a deadline on Runder
    computed by a shared formula that also fills an own column, a calculation chain
    naming them (Excel's form, as /work/shared/excel-made/escapes01.xlsx has it) and
    the workbook's calcPr as Excel writes it (no recalculation on load).
    """
    indsatser, runder = results_part(master, ELEMENTS_SHEET), results_part(master, ROUNDS_SHEET)
    length = b'<c r="O1" t="inlineStr"><is><t>L\xc3\xa6ngde (finans)</t></is></c>'
    dependents = {r: f'<c r="O{r}"><f t="shared" si="0"/><v>12</v></c>'.encode() for r in range(3, 8)}
    edits_indsatser = [in_row(1, length), in_row(2, b'<c r="O2"><f t="shared" ref="O2:O7" si="0">LEN(B2)</f><v>12</v></c>')]
    edits_indsatser += [in_row(r, cells) for r, cells in dependents.items()]

    def indsatser_edit(xml: bytes) -> bytes:
        for edit in edits_indsatser:
            xml = edit(xml)
        return xml

    def runder_edit(xml: bytes) -> bytes:
        frist = re.search(rb'<c r="C2" s="(\d+)"', xml).group(1)
        shared = f'<c r="C2" s="{frist.decode()}"><f t="shared" ref="C2:D2" si="0">DATE({OLD},3*$A2,15)</f><v>47922</v></c>'
        xml = re.sub(rb'<c r="C2"[^>]*>.*?</c>', shared.encode(), xml, count=1, flags=re.S)
        xml = in_row(1, b'<c r="D1" t="inlineStr"><is><t>Frist (kopi)</t></is></c>')(xml)
        return in_row(2, f'<c r="D2" s="{frist.decode()}"><f t="shared" si="0"/><v>47922</v></c>'.encode())(xml)

    ids = {name: i + 1 for i, name in enumerate(load_workbook(master, read_only=True).sheetnames)}
    chain = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<c r="C2" i="{ids[ROUNDS_SHEET]}"/><c r="D2"/><c r="O2" i="{ids[ELEMENTS_SHEET]}"/>'
        + "".join(f'<c r="O{r}"/>' for r in range(3, 8))
        + "</calcChain>"
    ).encode()
    calc_type = b"application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
    edits = {
        indsatser: indsatser_edit,
        runder: runder_edit,
        "xl/workbook.xml": lambda xml: re.sub(rb"<calcPr\b[^>]*/>", b'<calcPr calcId="191029"/>', xml),
        "[Content_Types].xml": lambda xml: xml.replace(
            b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="' + calc_type + b'"/></Types>'
        ),
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
        ),
    }
    return rezip(master, out, edits, {"xl/calcChain.xml": chain})


def test_an_excel_master_keeps_finances_formulas_drops_the_chain_and_is_recalculated_on_load(finance_master, tmp_path):
    old = excel_shaped(finance_master, tmp_path / "excel.xlsx")
    assert read_master(old) == read_master(finance_master)
    result = write_new_year(old, NEW, tmp_path / str(NEW))
    new = tmp_path / str(NEW) / "master.xlsx"
    assert_finance_work_kept(new)
    assert_is_the_new_year(new, result, tmp_path)
    # The deadline that was a formula now holds the new date; finance is told, in one line.
    assert len(result.notes) == 1 and "Runder!C2 havde en formel" in result.notes[0] and "\n" not in result.notes[0]
    after = parts(new)
    runder, indsatser = after[results_part(new, ROUNDS_SHEET)], after[results_part(new, ELEMENTS_SHEET)]
    frist = re.search(rb'<c r="C2" s="(\d+)"', parts(old)[results_part(old, ROUNDS_SHEET)]).group(1)
    assert b'<c r="C2" s="' + frist + b'"><v>48288</v></c>' in runder
    assert b'<c r="D2" s="' + frist + b'"><f>DATE(2031,3*$A2,15)</f><v>47922</v></c>' in runder, "the shared formula's other cell keeps it"
    assert b'<f t="shared" ref="O2:O7" si="0">LEN(B2)</f>' in indsatser and indsatser.count(b'<f t="shared" si="0"/>') == 5
    assert load_workbook(new)[ELEMENTS_SHEET]["O7"].value == "=LEN(B7)"
    # The chain named cells that are values now: dropped, Excel rebuilds it; every formula recalculated when opened.
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["[Content_Types].xml"] + after["xl/_rels/workbook.xml.rels"]
    assert b'<calcPr fullCalcOnLoad="1" calcId="191029"/>' in after["xl/workbook.xml"]
    assert changed_parts(old, new) == tool_parts(old) | {
        "xl/workbook.xml",
        "xl/calcChain.xml",
        "[Content_Types].xml",
        "xl/_rels/workbook.xml.rels",
    }


EXCEL_MADE = Path(os.environ.get("FOLLOWUP_SHARED") or Path(__file__).resolve().parents[2] / "shared") / "excel-made"


@pytest.mark.skipif(not (EXCEL_MADE / "escapes01.xlsx").exists(), reason="shared/excel-made is not here (set FOLLOWUP_SHARED)")
def test_a_sheet_microsoft_excel_saved_comes_along_byte_for_byte_with_its_shared_strings_and_calculation_chain(finance_master, tmp_path):
    """A sheet of formulas and a shared string exactly as real Excel saved it (escapes01.xlsx), put into the master as finance's own."""
    with zipfile.ZipFile(EXCEL_MADE / "escapes01.xlsx") as z:
        sheet, strings, chain = (z.read(n) for n in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/calcChain.xml"))
    sheet_id = len(load_workbook(finance_master, read_only=True).sheetnames) + 1
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    rels = (
        f'<Relationship Id="rId90" Type="{ns}/worksheet" Target="worksheets/excel.xml"/>'
        f'<Relationship Id="rId91" Type="{ns}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId92" Type="{ns}/calcChain" Target="calcChain.xml"/>'
    )
    types = (
        f'<Override PartName="/xl/worksheets/excel.xml" ContentType="{ct}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
        f'<Override PartName="/xl/calcChain.xml" ContentType="{ct}.calcChain+xml"/>'
    )
    edits = {
        "xl/workbook.xml": lambda xml: re.sub(rb"<calcPr\b[^>]*/>", b'<calcPr calcId="124519"/>', xml).replace(
            b"</sheets>", f'<sheet name="Excel (finans)" sheetId="{sheet_id}" r:id="rId90" xmlns:r="{ns}"/></sheets>'.encode()
        ),
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"</Relationships>", rels.encode() + b"</Relationships>"),
        "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", types.encode() + b"</Types>"),
    }
    added = {
        "xl/worksheets/excel.xml": sheet,
        "xl/sharedStrings.xml": strings,
        "xl/calcChain.xml": chain.replace(b'i="1"', f'i="{sheet_id}"'.encode()),
    }
    old = rezip(finance_master, tmp_path / "excel.xlsx", edits, added)
    assert load_workbook(old)["Excel (finans)"]["A1"].value == "=IF(1>2,0,1)"
    result = write_new_year(old, NEW, tmp_path / str(NEW))
    new = tmp_path / str(NEW) / "master.xlsx"
    assert result.notes == []
    assert_finance_work_kept(new)
    assert_is_the_new_year(new, result, tmp_path)
    after = parts(new)
    for name, data in added.items():  # the chain names only cells of Excel's own sheet: it stays, as everything of Excel's
        assert after[name] == data, name
    assert b'fullCalcOnLoad="1"' in after["xl/workbook.xml"], "formulas in the workbook: Excel recalculates them on opening"
    assert changed_parts(old, new) == tool_parts(old) | {"xl/workbook.xml"}


def test_rows_that_formulas_point_into_are_not_removed_the_master_is_written_afresh_and_finance_told_what_was_lost(
    finance_master, tmp_path, capsys
):
    old = excel_shaped(finance_master, tmp_path / "excel.xlsx")
    out = tmp_path / str(NEW)
    assert main(["new-year", str(old), "--year", str(NEW), "--out", str(out), "--only-open"]) == 0
    printed = capsys.readouterr().out.splitlines()
    new = out / "master.xlsx"
    agreement = read_master(new)
    assert agreement.year == NEW and [e.number for e in agreement.elements] == ["1.01", "1.03", "2.01", "2.03"]
    lost = [line for line in printed if "skrevet forfra" in line]
    assert len(lost) == 1 and lost[0].startswith("Bemærk: ")
    for named in ("formler", "egne ark (Noter)", f"»{REMARK}«", "»Længde (finans)«", "kommentarer", "kolonnebredder"):
        assert named in lost[0], named
    assert "Noter" not in load_workbook(new).sheetnames


def test_finances_own_results_column_is_emptied_with_last_years_results_and_said_so(tmp_path):
    wb = load_workbook(write_master(last_years_agreement(), tmp_path / "tool.xlsx"))
    wb[RESULTS_SHEET]["L1"], wb[RESULTS_SHEET]["L2"] = "Opfølgning (finans)", "ring til centeret"
    wb.save(tmp_path / "master.xlsx")
    result = write_new_year(tmp_path / "master.xlsx", NEW, tmp_path / str(NEW))
    new = tmp_path / str(NEW) / "master.xlsx"
    assert result.notes == [
        "kolonnen/kolonnerne »Opfølgning (finans)« på arket 'Resultater' er tømt sammen med sidste års resultater; overskrifterne står"
    ]
    assert f"Bemærk: {result.notes[0]}" in new_year_lines(result)
    ws = load_workbook(new)[RESULTS_SHEET]
    assert (ws.max_row, ws["L1"].value) == (1, "Opfølgning (finans)")
    assert_is_the_new_year(new, result, tmp_path)


def test_a_master_without_runder_moves_on_by_the_default_rounds(tmp_path):
    wb = load_workbook(write_master(last_years_agreement(), tmp_path / "tool.xlsx"))
    del wb[ROUNDS_SHEET]
    wb.create_sheet("Noter")
    wb.save(tmp_path / "master.xlsx")
    result = write_new_year(tmp_path / "master.xlsx", NEW, tmp_path / str(NEW))
    new = read_master(tmp_path / str(NEW) / "master.xlsx")
    assert result.notes == [] and new == result.agreement
    assert [r.label for r in new.rounds][0] == f"1. budgetopfølgning {NEW}" and new.rounds[0].deadline is None
    assert load_workbook(tmp_path / str(NEW) / "master.xlsx").sheetnames[-1] == "Noter"


def test_the_lines_name_the_cells_where_finance_finds_them_among_their_own_rows_and_columns(tmp_path):
    """Finance put a line of their own into Aftale and a column of their own before Titel: the named cells move with them."""
    wb = load_workbook(write_master(last_years_agreement(), tmp_path / "tool.xlsx"))
    wb[AGREEMENT_SHEET].insert_rows(3)
    wb[AGREEMENT_SHEET]["A3"], wb[AGREEMENT_SHEET]["B3"] = "Egen linje (finans)", f"Budgetforlig {OLD}"
    wb[ELEMENTS_SHEET].insert_cols(2)
    wb[ELEMENTS_SHEET]["B1"] = "Finans-id"
    wb.save(tmp_path / "master.xlsx")
    result = write_new_year(tmp_path / "master.xlsx", NEW, tmp_path / str(NEW))
    new = tmp_path / str(NEW) / "master.xlsx"
    assert read_master(new) == result.agreement
    book = load_workbook(new)

    def cell(place):
        sheet, ref = place.split("!")
        return book[sheet][ref].value

    places = {c.field: c.place for c in result.changes if not c.element}
    assert places["Titel"] == "Aftale!B4" and places["Dato"] == "Aftale!B6"
    assert {c.place for c in result.changes if c.element} >= {"Indsatser!K2", "Indsatser!N7"}  # Milepæl 1 and 4, one column on
    for c in result.changes:
        value = cell(c.place)
        assert (long_date(value.date()) if isinstance(value, datetime) else str(value)) == c.new, c.place
    for m in result.mentions:
        assert cell(m.place) == m.text, m.place
    assert book[AGREEMENT_SHEET]["B3"].value == f"Budgetforlig {OLD}", "finance's own line is theirs: not rewritten"


def test_a_master_counting_its_dates_from_1904_moves_its_deadlines_one_year_on(tmp_path):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = load_workbook(write_master(last_years_agreement(), tmp_path / "tool.xlsx"))
    wb.epoch = CALENDAR_MAC_1904
    wb.save(tmp_path / "master.xlsx")
    result = write_new_year(tmp_path / "master.xlsx", NEW, tmp_path / str(NEW))
    assert result.notes == []
    assert_is_the_new_year(tmp_path / str(NEW) / "master.xlsx", result, tmp_path)


@pytest.mark.parametrize("only_open", [False, True])
def test_the_new_years_master_opens_in_excel_without_repair(tmp_path, only_open):
    """openxml-audit at Office 2016, as test_master_kept checks the merged master: rows removed, formulas, comments moved."""
    from openxml_audit import FileFormat, OpenXmlValidator, ValidationSeverity
    from test_openxml import fonts_in_sdk_order

    old = (
        only_open_master(tmp_path)
        if only_open
        else excel_shaped(
            finance_edits(write_master(last_years_agreement(), tmp_path / "tool.xlsx"), tmp_path / "fin.xlsx"), tmp_path / "excel.xlsx"
        )
    )
    write_new_year(old, NEW, tmp_path / str(NEW), only_open=only_open)
    checked = fonts_in_sdk_order(tmp_path / str(NEW) / "master.xlsx", tmp_path / "fonts.xlsx")
    found = OpenXmlValidator(file_format=FileFormat.OFFICE_2016, max_errors=0).validate(checked).errors
    assert [str(e) for e in found if e.severity is ValidationSeverity.ERROR] == []


@pytest.mark.parametrize(
    "formula, afresh",
    [
        ("=Indsatser!B5", True),  # would point at another indsats once the rows above it go
        ("=COUNTA(Indsatser!A:A)-1", False),  # whole columns do not move with rows
    ],
)
def test_a_formula_on_finances_own_sheet_into_rows_that_move_keeps_them(tmp_path, formula, afresh):
    wb = load_workbook(write_master(last_years_agreement(), tmp_path / "tool.xlsx"))
    wb.create_sheet("Noter")["A1"] = formula
    wb.save(tmp_path / "master.xlsx")
    result = write_new_year(tmp_path / "master.xlsx", NEW, tmp_path / str(NEW), only_open=True)
    new = tmp_path / str(NEW) / "master.xlsx"
    assert read_master(new) == result.agreement and result.dropped == list(DONE)
    if afresh:
        assert len(result.notes) == 1 and "peger ind i arket 'Indsatser'" in result.notes[0] and "egne ark (Noter)" in result.notes[0]
        assert "Noter" not in load_workbook(new).sheetnames
    else:
        assert result.notes == [] and load_workbook(new)["Noter"]["A1"].value == formula
