"""Finance's own work in the master survives a collect: the merged master is their workbook with the results brought up to date.

Finance keeps the master in Excel and adds to it: a column of remarks on Indsatser
(with a comment), a sheet of notes, a fill, a column width. Collected twice (two
rounds, each from the master the round before wrote), all four are still there, and
every part of the zip but the results sheet (and what must change with it) holds the
input's bytes. A column of finance's own on the results sheet stays with its indsats
and runde while the next round's rows come in between.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openxml_audit import FileFormat, OpenXmlValidator, ValidationSeverity
from returns_kit import Kit
from synthetic import synthetic_agreement
from test_openxml import fonts_in_sdk_order

from workbook_tools.master import RESULT_COLUMNS, RESULTS_SHEET, read_master, write_master
from workbook_tools.masterpatch import write_merged_master
from workbook_tools.pipeline import collect_round
from workbook_tools.texts import load_texts

REMARK = "Bemærkninger (finans)"
NOTE = "Afventer byrådets beslutning"
FILL = "FFFFC000"


def finance_edits(master: Path, out: Path) -> Path:
    """The master as finance leaves it after an afternoon in Excel (done with openpyxl)."""
    wb = load_workbook(master)
    ws = wb["Indsatser"]
    ws.cell(1, 14, REMARK)
    ws.cell(2, 14, NOTE).comment = Comment("Spørg centeret før runde 2", "Finans")
    ws["B3"].fill = PatternFill("solid", fgColor=FILL)
    ws.column_dimensions["E"].width = 91
    wb.create_sheet("Noter")["A1"] = "Finans' egne noter til året"
    wb.save(out)
    return out


def assert_finance_work_kept(path: Path) -> None:
    wb = load_workbook(path)
    ws = wb["Indsatser"]
    assert (ws.cell(1, 14).value, ws.cell(2, 14).value) == (REMARK, NOTE)
    assert ws.cell(2, 14).comment is not None and "Spørg centeret" in ws.cell(2, 14).comment.text
    assert ws["B3"].fill.fgColor.rgb == FILL
    assert ws.column_dimensions["E"].width == 91
    assert "Noter" in wb.sheetnames and wb["Noter"]["A1"].value == "Finans' egne noter til året"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def results_part(path: Path, name: str = RESULTS_SHEET) -> str:
    """The zip member of the results sheet (or sheet `name`), found as Excel finds it (workbook.xml, its rels)."""
    wb = load_workbook(path, read_only=True)
    index = wb.sheetnames.index(name)
    wb.close()
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.findall(r'<sheet\b[^>]*r:id="([^"]+)"', book)[index]
    target = re.search(r'<Relationship\b[^>]*Id="' + rid + r'"[^>]*Target="([^"]+)"', rels) or re.search(
        r'<Relationship\b[^>]*Target="([^"]+)"[^>]*Id="' + rid + '"', rels
    )
    t = target.group(1)
    return t.lstrip("/") if t.startswith("/") else "xl/" + t


def related_parts(path: Path, part: str) -> set[str]:
    """The parts a sheet's relationships point to (its comments, their note boxes, its drawing)."""
    rels = parts(path).get(posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels"), b"").decode()
    targets = re.findall(r'Target="([^"]+)"', rels)
    return {t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(part), t)) for t in targets}


def changed_parts(before: Path, after: Path) -> set[str]:
    a, b = parts(before), parts(after)
    return {n for n in a.keys() | b.keys() if a.get(n) != b.get(n)}


def collect_one(tmp: Path, master: Path, round_number: int):
    """Round `round_number` collected from `master`, every committee answering; the merged master and the run."""
    agreement = read_master(master)
    kit = Kit(tmp / f"kit-{round_number}", agreement, load_texts(), round_number=round_number)
    for c in agreement.committees:
        kit.filled(committee=c.name)
    run = collect_round(master, round_number, [kit.returns], tmp / f"out-{round_number}", pdf=False)
    assert run.exit_code == 0, run.notes
    assert not any("forfra" in n for n in run.notes), run.notes
    merged = tmp / f"out-{round_number}" / "master.xlsx"
    # Read back, the merged master is the model with the round's results, as write_master stores it (times to the second).
    assert read_master(merged) == read_master(write_master(run.agreement, tmp / f"fresh-{round_number}.xlsx"))
    assert {r.round for r in run.agreement.results} == set(range(1, round_number + 1))
    return merged, run


def collect_twice(tmp: Path, master: Path) -> list[Path]:
    """Rounds 1 and 2, each collected from the master the round before wrote; the masters in order."""
    masters = [master]
    for round_number in (1, 2):
        masters.append(collect_one(tmp, masters[-1], round_number)[0])
    return masters


@pytest.fixture(scope="module")
def finance_master(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("kept")
    return finance_edits(write_master(synthetic_agreement(), tmp / "tool.xlsx"), tmp / "master.xlsx")


def test_finance_columns_sheet_fill_and_width_survive_two_rounds(finance_master, tmp_path):
    masters = collect_twice(tmp_path, finance_master)
    for merged in masters[1:]:
        assert_finance_work_kept(merged)
    sheet = results_part(finance_master)
    # Round 1: the results sheet, and styles.xml for the date format of "Modtaget" (the sheet had no row to take it from).
    assert changed_parts(masters[0], masters[1]) == {sheet, "xl/styles.xml"}
    # Round 2: the results sheet only; styles.xml as round 1 left it.
    assert changed_parts(masters[1], masters[2]) == {sheet}
    before, after = parts(masters[0])["xl/styles.xml"], parts(masters[1])["xl/styles.xml"]
    assert after.count(b"<xf ") == before.count(b"<xf ") + 1 and b'formatCode="yyyy-mm-dd hh:mm:ss"' in after


def test_the_merged_master_opens_in_excel_without_repair(finance_master, tmp_path):
    """openxml-audit at Office 2016: no errors, once openpyxl's font order (finance's save, see test_openxml) is put in the SDK's."""
    merged = collect_twice(tmp_path, finance_master)[-1]
    found = (
        OpenXmlValidator(file_format=FileFormat.OFFICE_2016, max_errors=0)
        .validate(fonts_in_sdk_order(merged, tmp_path / "fonts.xlsx"))
        .errors
    )
    assert [str(e) for e in found if e.severity is ValidationSeverity.ERROR] == []


def test_a_master_saved_by_libreoffice_keeps_finances_work_too(finance_master, office, tmp_path):
    saved = tmp_path / "lo-master.xlsx"
    office.run(office.copy(finance_master, "master.xlsx"), [{"do": "save", "to": str(saved)}], sheet="Indsatser")
    assert_finance_work_kept(saved)
    masters = collect_twice(tmp_path, saved)
    for merged in masters[1:]:
        assert_finance_work_kept(merged)
    sheet = results_part(saved)
    assert changed_parts(masters[0], masters[1]) <= {sheet, "xl/styles.xml"}
    assert changed_parts(masters[1], masters[2]) == {sheet}


def with_results(agreement):
    """The agreement with a round-1 answer for its first element, sourced and dated, and a text Excel would read as a formula."""
    from datetime import datetime

    from workbook_tools.model import Result, Smiley, Source

    source = Source(
        file="svar.xlsx", sha256="0" * 64, received=datetime(2031, 3, 14, 9, 30), template_version="1", sender="a@example.invalid"
    )
    return agreement.with_results([Result(agreement.elements[0].number, 1, Smiley.GREEN, "=SUM(A1)", Smiley.RED, "-2 mio.", source)])


def test_a_master_without_a_results_sheet_gets_one_and_keeps_the_rest(tmp_path):
    wb = load_workbook(write_master(synthetic_agreement(), tmp_path / "tool.xlsx"))
    del wb[RESULTS_SHEET]
    wb.save(tmp_path / "master.xlsx")
    agreement = with_results(read_master(tmp_path / "master.xlsx"))
    path, notes = write_merged_master(agreement, tmp_path / "merged.xlsx", tmp_path / "master.xlsx")
    assert notes == []
    assert read_master(path) == agreement
    added = changed_parts(tmp_path / "master.xlsx", path)
    assert added == {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet6.xml"}
    cell = load_workbook(path)[RESULTS_SHEET]["D2"]
    assert (cell.value, cell.quotePrefix) == ("=SUM(A1)", True), "a text that looks like a formula stays text when edited"


# --- finance's own columns on the results sheet ---------------------------------------------------

OWN = "Opfølgning (finans)"
OWN_NOTE = "ring til centeret"
OWN_COMMENT = "Afklaret med centeret"


def result_rows(ws) -> dict[tuple[str, int], int]:
    """(indsats, runde) -> the row it stands in on the results sheet."""
    return {(str(ws.cell(r, 1).value), int(ws.cell(r, 2).value)): r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value}


def own_results_column(master: Path, out: Path) -> Path:
    """Finance's own column on the results sheet, after round 1: a remark with a comment, a formula on its own row, a width."""
    wb = load_workbook(master)
    ws = wb[RESULTS_SHEET]
    rows = result_rows(ws)
    ws.cell(1, 12, OWN)
    ws.cell(rows[("1.02", 1)], 12, OWN_NOTE).comment = Comment(OWN_COMMENT, "Finans")
    ws.cell(rows[("2.01", 1)], 12, f"=LEN(D{rows[('2.01', 1)]})")
    ws.column_dimensions["L"].width = 33
    wb.save(out)
    return out


def assert_own_results_column_kept(path: Path) -> None:
    """Each own cell in the row of its indsats and runde, the formula pointing into its own row; new rows have none."""
    ws = load_workbook(path)[RESULTS_SHEET]
    rows = result_rows(ws)
    assert {r for _, r in rows} == {1, 2} and ws.cell(1, 12).value == OWN
    remark, formula = ws.cell(rows[("1.02", 1)], 12), ws.cell(rows[("2.01", 1)], 12)
    assert remark.value == OWN_NOTE and remark.comment is not None and OWN_COMMENT in remark.comment.text
    assert formula.value == f"=LEN(D{rows[('2.01', 1)]})"
    assert ws.cell(rows[("2.01", 1)], 4).value == "Status for 2.01 i runde 1.", "the formula's own row is still 2.01's round 1"
    assert rows[("1.02", 1)] == 4 and rows[("2.01", 1)] == 8, "round 2's rows came in between: the own cells moved with theirs"
    others = [r for key, r in rows.items() if key not in (("1.02", 1), ("2.01", 1))]
    assert [ws.cell(r, 12).value for r in others] == [None] * len(others)
    assert sum(ws.cell(r, 12).comment is not None for r in range(1, ws.max_row + 1)) == 1
    assert ws.column_dimensions["L"].width == 33


def test_finances_own_results_column_stays_with_its_indsats_and_runde_across_two_rounds(finance_master, tmp_path):
    round1, _ = collect_one(tmp_path, finance_master, 1)
    edited = own_results_column(round1, tmp_path / "edited-1.xlsx")
    round2, run = collect_one(tmp_path, edited, 2)
    assert run.notes == []
    assert_own_results_column_kept(round2)
    assert_finance_work_kept(round2)
    sheet = results_part(edited)
    comments = related_parts(edited, sheet)  # the comment and its note box
    changed = changed_parts(edited, round2) - {"xl/workbook.xml"}  # the filter's name, when it grows
    assert changed == {sheet, *comments}, "the comment moved with its row; nothing else changed"


def test_finances_own_results_column_kept_in_a_master_saved_by_libreoffice(finance_master, office, tmp_path):
    round1, _ = collect_one(tmp_path, finance_master, 1)
    edited = own_results_column(round1, tmp_path / "edited-1.xlsx")
    saved = tmp_path / "lo-edited-1.xlsx"
    office.run(office.copy(edited, "master.xlsx"), [{"do": "save", "to": str(saved)}], sheet=RESULTS_SHEET)
    round2, run = collect_one(tmp_path, saved, 2)
    assert run.notes == []
    assert_own_results_column_kept(round2)
    assert_finance_work_kept(round2)


def _with_own_results_xml(source: Path, out: Path, rows: dict[int, bytes]) -> Path:
    """`source` with cells of finance's own put into rows of its results sheet, as Excel writes them (shared formulas)."""
    members = parts(source)
    sheet = results_part(source)
    xml = members[sheet]
    for r, cells in rows.items():
        xml = re.sub(
            rb'(<row r="' + str(r).encode() + rb'"[^>]*>.*?)</row>',
            lambda m, cells=cells: m.group(1) + cells + b"</row>",
            xml,
            count=1,
            flags=re.S,
        )
    members[sheet] = xml
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    return out


def test_own_results_cells_and_a_shared_formula_move_with_their_rows(tmp_path):
    from workbook_tools.model import Result

    agreement = with_results(synthetic_agreement())
    second = agreement.elements[1].number
    agreement = agreement.with_results([Result(second, 1, status="Anden (syntetisk).")])
    own = {
        1: b'<c r="L1" t="inlineStr"><is><t>Opf\xc3\xb8lgning (finans)</t></is></c><c r="M1" t="inlineStr"><is><t>L\xc3\xa6ngde</t></is></c>',
        2: b'<c r="L2" t="inlineStr"><is><t>ring til centeret</t></is></c><c r="M2"><f t="shared" ref="M2:M3" si="0">LEN(D2)</f><v>8</v></c>',
        3: b'<c r="M3"><f t="shared" si="0"/><v>18</v></c>',
    }
    source = _with_own_results_xml(write_master(agreement, tmp_path / "tool.xlsx"), tmp_path / "master.xlsx", own)
    merged = agreement.with_results([Result(agreement.elements[0].number, 2, status="Runde 2 (syntetisk).")])
    path, notes = write_merged_master(merged, tmp_path / "merged.xlsx", source)
    assert notes == [] and read_master(path) == merged
    ws = load_workbook(path)[RESULTS_SHEET]
    assert [ws.cell(r, 12).value for r in (2, 3, 4)] == ["ring til centeret", None, None]
    assert [ws.cell(r, 13).value for r in (2, 3, 4)] == ["=LEN(D2)", None, "=LEN(D4)"], (
        "the shared formula's second cell moved from row 3 to 4"
    )
    sheet = parts(path)[results_part(path)]
    assert b'<c r="M4"><f>LEN(D4)</f><v>18</v></c>' in sheet


def test_own_cells_of_a_results_row_that_goes_away_are_named(tmp_path):
    from workbook_tools.model import Result

    agreement = with_results(synthetic_agreement())
    second = agreement.elements[1].number
    both = agreement.with_results([Result(second, 1, status="Anden (syntetisk).")])
    wb = load_workbook(write_master(both, tmp_path / "tool.xlsx"))
    wb[RESULTS_SHEET]["L1"], wb[RESULTS_SHEET]["L3"] = OWN, "husk opfølgning"
    wb.save(tmp_path / "master.xlsx")
    path, notes = write_merged_master(agreement, tmp_path / "merged.xlsx", tmp_path / "master.xlsx")
    assert read_master(path) == agreement
    assert len(notes) == 1 and f"L3 »husk opfølgning« (indsats {second}, runde 1)" in notes[0] and "ikke ført med" in notes[0]


def test_a_calculation_chain_into_the_results_sheet_is_dropped(tmp_path):
    agreement = with_results(synthetic_agreement())
    source = write_master(agreement, tmp_path / "master.xlsx")
    with zipfile.ZipFile(source) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["xl/calcChain.xml"] = (
        b'<?xml version="1.0"?><calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="A2" i="6"/></calcChain>'
    )
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
    )
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    path, _ = write_merged_master(agreement, tmp_path / "merged.xlsx", source)
    after = parts(path)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["[Content_Types].xml"] and b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert read_master(path) == agreement


def test_a_master_that_cannot_be_patched_is_written_afresh_and_says_what_was_lost(finance_master, tmp_path):
    with zipfile.ZipFile(finance_master) as z:
        members = {n: z.read(n) for n in z.namelist()}
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(
        main, b'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"'
    )  # Strict's
    odd = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(odd, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    agreement = with_results(read_master(finance_master))
    path, notes = write_merged_master(agreement, tmp_path / "merged.xlsx", odd)
    assert read_master(path) == agreement
    assert len(notes) == 1 and "skrevet forfra" in notes[0] and "egne ark" in notes[0]
    assert "Noter" not in load_workbook(path).sheetnames


def test_the_results_filter_and_its_name_grow_with_the_results(tmp_path):
    source = write_master(synthetic_agreement(answered_rounds=1), tmp_path / "master.xlsx")
    agreement = synthetic_agreement(answered_rounds=3)
    path, _ = write_merged_master(agreement, tmp_path / "merged.xlsx", source)
    assert read_master(path) == agreement
    sheet, after = results_part(path), parts(path)
    assert b'<dimension ref="A1:K19"/>' in after[sheet] and b'<autoFilter ref="A1:K19"/>' in after[sheet]
    assert b"'Resultater'!$A$1:$K$19</definedName>" in after["xl/workbook.xml"]
    assert changed_parts(source, path) == {sheet, "xl/workbook.xml"}


def test_a_master_with_macros_is_written_afresh_as_a_plain_workbook(tmp_path):
    agreement = with_results(synthetic_agreement())
    source = write_master(agreement, tmp_path / "master.xlsx")
    members = parts(source)
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    path, notes = write_merged_master(agreement, tmp_path / "merged.xlsx", source)
    assert len(notes) == 1 and "makroer" in notes[0] and "skrevet forfra" in notes[0]
    assert b"macroEnabled" not in parts(path)["[Content_Types].xml"] and read_master(path) == agreement


def test_a_master_counting_its_dates_from_1904_gets_the_received_time_right(tmp_path):
    """Old Excel for Mac counts days from 1904: a date written as a 1900 serial would show four years late."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = load_workbook(write_master(synthetic_agreement(), tmp_path / "tool.xlsx"))
    wb.epoch = CALENDAR_MAC_1904
    wb.save(tmp_path / "master.xlsx")
    agreement = with_results(read_master(tmp_path / "master.xlsx"))
    path, notes = write_merged_master(agreement, tmp_path / "merged.xlsx", tmp_path / "master.xlsx")
    assert notes == [] and read_master(path) == agreement
    assert load_workbook(path)[RESULTS_SHEET]["I2"].value == agreement.results[0].source.received


def merged_from_parts(members: dict[str, bytes], folder: Path) -> Path:
    """A master made of these parts, given a round's results by collect: merged with no note, and read back as merged."""
    with zipfile.ZipFile(folder / "master.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    agreement = with_results(read_master(folder / "master.xlsx"))
    path, notes = write_merged_master(agreement, folder / "merged.xlsx", folder / "master.xlsx")
    assert notes == [] and read_master(path) == agreement
    return path


def test_headings_written_as_character_references_are_the_tools_own(tmp_path):
    """openpyxl may write "ø" as "&#248;": "Smiley &#248;konomi" is still the tool's column, not one of finance's to add again."""
    source = write_master(synthetic_agreement(), tmp_path / "tool.xlsx")
    members = parts(source)
    sheet = results_part(source)
    members[sheet] = members[sheet].replace("ø".encode(), b"&#248;")
    path = merged_from_parts(members, tmp_path)
    ws = load_workbook(path)[RESULTS_SHEET]
    assert [c.value for c in ws[1]] == list(RESULT_COLUMNS)


def test_a_master_from_excel_without_a_results_sheet_gets_one(tmp_path):
    """Excel writes calcPr without fullCalcOnLoad, so every sheet is looked through for formulas; the new one is written, not read."""
    wb = load_workbook(write_master(synthetic_agreement(), tmp_path / "tool.xlsx"))
    del wb[RESULTS_SHEET]
    wb.save(tmp_path / "openpyxl.xlsx")
    members = parts(tmp_path / "openpyxl.xlsx")
    members["xl/workbook.xml"] = re.sub(rb"<calcPr\b[^>]*/>", b'<calcPr calcId="191029"/>', members["xl/workbook.xml"])
    path = merged_from_parts(members, tmp_path)
    assert b'<calcPr calcId="191029"/>' in parts(path)["xl/workbook.xml"], "no formulas: nothing to recalculate on load"


def test_a_tool_heading_finance_repeated_on_the_results_sheet_is_written_where_the_reader_reads_it(tmp_path):
    """Two "Status" columns: read_master reads the last, so the results go there; the first is finance's own, kept by row."""
    source = write_master(synthetic_agreement(answered_rounds=1), tmp_path / "tool.xlsx")
    wb = load_workbook(source)
    ws = wb[RESULTS_SHEET]
    ws["L1"] = "Status"
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 12).value = ws.cell(r, 4).value
    wb.save(tmp_path / "master.xlsx")
    agreement = synthetic_agreement(answered_rounds=2)
    path, notes = write_merged_master(agreement, tmp_path / "merged.xlsx", tmp_path / "master.xlsx")
    assert notes == [] and read_master(path) == agreement
    ws = load_workbook(path)[RESULTS_SHEET]
    rows = result_rows(ws)
    assert ws.cell(rows[("1.01", 2)], 12).value == agreement.results[1].status and ws.cell(rows[("1.01", 2)], 4).value is None
    assert ws.cell(rows[("1.01", 1)], 4).value == "Status for 1.01 i runde 1.", "the first Status column is finance's: kept with its row"
