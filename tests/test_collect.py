"""Checking returned workbooks, rule by rule: a return made by code in the test -> the problems finance reads.

Each test builds the return the way it happens (a person in Excel, a paste, an old
copy, a file that is not a workbook at all) and asserts the list of
(code, Sheet!Cell, element) that ends up in validation.xlsx.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT
from python_calamine import CalamineWorkbook
from returns_kit import (
    BIFF8_BOF,
    Kit,
    cell_of,
    codes,
    edit,
    found,
    ods_bytes,
    ole2,
    rewrite_zip,
    set_meta,
    shift_rows,
    xlsb_bytes,
    zip_bytes,
)
from synthetic import synthetic_answers

from workbook_tools import integrity
from workbook_tools.answers import read_smiley
from workbook_tools.cli import main
from workbook_tools.master import read_master
from workbook_tools.model import EXCEL_CELL_LIMIT, Result, Smiley
from workbook_tools.ooxml import own_name
from workbook_tools.template import META_SHEET, write_manifest

SHEET = "Opfølgning"


def at(ref: str) -> str:
    return f"{SHEET}!{ref}"


def values(path: Path, sheet: str = SHEET) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def digest_tree(folder: Path) -> dict:
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- a good return -----------------------------------------------------------------------


def test_a_correctly_filled_return_has_no_problems_and_gives_the_answers(kit, agreement):
    check = kit.check(kit.filled())
    assert found(check) == []
    assert check.accepted
    got = {(r.element, r.progress, r.status, r.economy, r.economy_status) for r in check.results}
    want = {(a.element, a.progress, a.status, a.economy, a.economy_status) for a in synthetic_answers(agreement, "Udvalg 01", 1)}
    assert got == want


# --- what the file is, from its bytes, whatever its name -----------------------------------


def _encrypted_container() -> bytes:
    return ole2({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x00" * 64})


def _macro_workbook(kit) -> bytes:
    good = kit.filled("for-macro.xlsx")
    out = rewrite_zip(good, kit.tmp / "macro.tmp", add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really vba"})
    return out.read_bytes()


NOT_OURS = [
    ("empty", lambda kit: b"", "empty-file", None),
    ("encrypted", lambda kit: _encrypted_container(), "encrypted-workbook", None),
    ("legacy xls", lambda kit: ole2({"Workbook": BIFF8_BOF}), "legacy-xls", None),
    ("macro xlsm", _macro_workbook, "macro-workbook", None),
    ("binary xlsb", lambda kit: xlsb_bytes(), "binary-workbook", None),
    ("OpenDocument", lambda kit: ods_bytes(), "ods-workbook", None),
    (
        "CSV with semicolons",
        lambda kit: "Nummer;Smiley;Status\r\n1.01;Grøn;Fint\r\n1.02;Gul;Forsinket\r\n".encode("cp1252"),
        "csv-file",
        None,
    ),
    ("a PDF", lambda kit: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not-a-workbook", "PDF"),
    ("a zip of returns", lambda kit: zip_bytes(), "not-a-workbook", "zip"),
    ("a web page saved as .xls", lambda kit: b"<html><body><table><tr><td>1.01</td></tr></table></body></html>", "not-a-workbook", "HTML"),
    (
        "Excel 2003 XML",
        lambda kit: b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
        "not-a-workbook",
        "Excel 2003",
    ),
    ("plain text", lambda kit: "Kære Økonomi\n\nHer er vores svar.\n".encode(), "not-a-workbook", "tekstfil"),
]


@pytest.mark.parametrize("what, make, code, detail", NOT_OURS, ids=[n[0] for n in NOT_OURS])
def test_the_file_kind_is_sniffed_from_the_content_not_the_name(kit, what, make, code, detail):
    path = kit.returns / "runde-1_Udvalg-01.xlsx"  # every one named like a good return
    path.write_bytes(make(kit))
    check = kit.check(path)
    assert found(check) == [(code, "", "")]
    assert not check.accepted
    if detail:
        assert detail in check.problems[0].message
    assert check.problems[0].hint and check.results == []


def test_a_workbook_really_encrypted_with_a_password_is_rejected_as_encrypted(kit):
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool encrypts a real workbook")
    plain = kit.filled("plain.xlsx")
    out = kit.returns / "med-adgangskode.xlsx"
    with open(plain, "rb") as src, open(out, "wb") as dst:
        ooxml.OOXMLFile(src).encrypt("hemmelig", dst)
    check = kit.check(out)
    assert found(check) == [("encrypted-workbook", "", "")]
    assert "adgangskode" in check.problems[0].hint


def test_a_real_xlsx_named_xls_is_read_as_the_workbook_it_is(kit):
    renamed = kit.returns / "svar.xls"
    shutil.copyfile(kit.filled(), renamed)
    assert found(kit.check(renamed)) == []


def _excel_made() -> list[Path]:
    shared = Path(os.environ.get("FOLLOWUP_SHARED") or ROOT.parent / "shared")
    return sorted((shared / "excel-made").glob("*.xlsx"))


@pytest.mark.skipif(not _excel_made(), reason="shared/excel-made is not here (set FOLLOWUP_SHARED)")
def test_workbooks_saved_by_real_excel_that_are_not_ours_are_unknown_templates_never_a_crash(kit):
    files = _excel_made()
    assert len(files) >= 40
    for path in files:
        check = kit.check(path)
        assert [p.code for p in check.problems if p.severity.value == "error"] == ["unknown-template"], path.name
        assert check.kind == "xlsx", path.name


@pytest.mark.skipif(not _excel_made(), reason="shared/excel-made is not here (set FOLLOWUP_SHARED)")
def test_the_layout_names_real_excel_writes_are_its_own_and_formulas_in_their_place_are_not():
    written = []
    for path in _excel_made():
        xml = zipfile.ZipFile(path).read("xl/workbook.xml").decode("utf-8")
        written += re.findall(r'<definedName[^>]*name="(_xlnm\.[^"]+)"[^>]*>([^<]*)</definedName>', xml)
    assert {name for name, _text in written} >= {"_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase"}
    assert [(name, text) for name, text in written if not own_name(name, text)] == []
    for text in ('WEBSERVICE("http://example.invalid/")', "Sheet1!$A$1+1", "[1]Sheet1!$A$1", 'INDIRECT("Sheet1!A1")', "Sheet1!$A$1,HENT()"):
        assert not own_name("_xlnm.Print_Area", text), text
    assert not own_name("Hent", "Sheet1!$A$1"), "a name of the sender's own, however plain, is not the template's"


# --- whose template, which round, which version --------------------------------------------


def test_a_template_for_another_year_is_rejected(kit):
    path = set_meta(kit.filled(), year="2030")
    assert found(kit.check(path)) == [("wrong-year", "", "")]


def test_a_template_for_a_committee_not_in_the_master_is_rejected(kit):
    path = set_meta(kit.filled(), committee="Udvalg 99")
    check = kit.check(path)
    assert found(check) == [("wrong-committee", "", "")]
    assert "Udvalg 99" in check.problems[0].message


def test_last_rounds_template_is_rejected_as_the_wrong_round(kit, agreement):
    path = kit.filled(round_number=2, answers=synthetic_answers(agreement, "Udvalg 01", 2))
    check = kit.check(path)
    assert found(check) == [("wrong-round", "", "")]
    assert (check.problems[0].expected, check.problems[0].found) == ("1", "2")


def test_identity_edited_in_the_hidden_sheet_only_disagrees_with_the_properties(kit):
    path = set_meta(kit.filled(), properties=False, committee="Udvalg 02")
    check = kit.check(path)
    assert found(check) == [("metadata-changed", META_SHEET, "")]
    assert check.problems[0].detail.endswith("er uenige om udvalg")  # the key in Danish words


def test_removed_document_properties_are_a_warning_when_the_hidden_sheet_still_says_whose_it_is(kit):
    path = rewrite_zip(kit.filled(), docProps__custom_dot_xml=lambda b: None)
    check = kit.check(path)
    assert found(check) == [("properties-removed", "", "")]
    assert check.accepted


def test_a_deleted_hidden_sheet_is_a_warning_when_the_properties_still_say_whose_it_is(kit):
    path = edit(kit.filled(), lambda wb: wb.remove(wb[META_SHEET]))
    check = kit.check(path)
    assert found(check) == [("sheet-added-or-removed", META_SHEET, "")]
    assert check.accepted and len(check.results) == 3


def test_a_plain_workbook_is_not_our_template(kit):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "1.01"
    wb.save(kit.returns / "eget-ark.xlsx")
    assert found(kit.check(kit.returns / "eget-ark.xlsx")) == [("unknown-template", "", "")]


def test_with_a_manifest_an_id_that_was_never_generated_is_a_warning(kit):
    path = kit.filled()
    assert found(kit.check(path, manifest={"another-id": {"template_id": "another-id"}})) == [("unknown-template-id", META_SHEET, "")]


def test_with_a_manifest_an_id_made_for_another_committee_is_rejected(kit, agreement):
    path = kit.filled()
    check = kit.check(path)
    entry = {"template_id": check.template_id, "committee": "Udvalg 02", "department": "", "round": 1, "digest": ""}
    check = kit.check(path, manifest={check.template_id: entry})
    assert found(check) == [("template-id-mismatch", META_SHEET, "")]
    assert "Udvalg 02" in check.problems[0].message


def test_with_the_real_manifest_a_good_return_passes(kit, agreement, texts):
    from workbook_tools.template import GeneratedTemplate, read_manifest

    path = kit.filled()
    check = kit.check(path)
    plan = kit.plan()
    write_manifest(
        kit.templates,
        [
            GeneratedTemplate(
                kit.template().name, check.template_id, "Udvalg 01", "", 1, agreement.year, "1", plan.locked_digest(), "t", "s"
            )
        ],
    )
    manifest = {e["template_id"]: e for e in read_manifest(kit.templates / "manifest.json")}
    assert found(kit.check(path, manifest=manifest)) == []


# --- integrity: everything locked, compared with what was generated ------------------------


def test_a_milestone_edited_with_the_protection_removed_and_put_back_is_rejected_at_that_cell(kit):
    plan = kit.plan()
    milestone = cell_of(plan, "1.02", "milestone", 1)
    template_rows = values(kit.template())
    assert "Milepæl 1 for element 1.02" in template_rows[int(milestone[1:]) - 1]  # the cell really holds the milestone

    def edit_milestone(wb):
        ws = wb[SHEET]
        ws.protection.sheet = False
        ws[milestone] = "Milepæl 1 er nået (rettet af centret)"
        ws.protection.sheet = True

    check = kit.check(edit(kit.filled(), edit_milestone))
    assert found(check) == [("locked-cell-changed", at(milestone), "1.02")]
    p = check.problems[0]
    assert (p.expected, p.found) == ("Milepæl 1 for element 1.02", "Milepæl 1 er nået (rettet af centret)")
    assert not check.accepted


def test_with_the_protection_left_off_the_edit_and_the_missing_protection_are_both_reported(kit):
    plan = kit.plan()
    title = cell_of(plan, "1.03", "title")

    def edit_title(wb):
        wb[SHEET].protection.sheet = False
        wb[SHEET][title] = "En bedre titel"

    check = kit.check(edit(kit.filled(), edit_title))
    assert found(check) == [("locked-cell-changed", at(title), "1.03"), ("protection-removed", SHEET, "")]


def test_the_protection_element_removed_from_the_xml_alone_is_a_warning(kit):
    import re

    path = rewrite_zip(kit.filled(), xl__worksheets__sheet1_dot_xml=lambda b: re.sub(rb"<sheetProtection[^>]*/>", b"", b))
    check = kit.check(path)
    assert found(check) == [("protection-removed", SHEET, "")]
    assert check.accepted


def test_text_typed_in_an_empty_locked_cell_is_found(kit):
    plan = kit.plan()
    row = plan.element_rows["1.02"] + 3  # inside element 1.02's block, column H: never part of the template

    def note(wb):
        wb[SHEET].protection.sheet = False
        wb[SHEET].cell(row + 1, 8, "husk at ringe til Jens")

    check = kit.check(edit(kit.filled(), note))
    assert found(check, severities=("error",)) == [("locked-cell-changed", at(f"H{row + 1}"), "1.02")]


def test_the_smiley_glyph_formula_overwritten_with_a_value_is_found(kit):
    plan = kit.plan()
    glyph = next(c.ref for c in plan.cells if c.element == "1.01" and c.formula and c.round == 1)

    def paste_value(wb):
        wb[SHEET].protection.sheet = False
        wb[SHEET][glyph] = "☺"

    check = kit.check(edit(kit.filled(), paste_value))
    assert found(check, severities=("error",)) == [("locked-cell-changed", at(glyph), "1.01")]
    assert check.problems[0].expected.startswith("=IF(")


def test_an_added_sheet_is_a_warning_and_the_answers_still_count(kit):
    check = kit.check(edit(kit.filled(), lambda wb: wb.create_sheet("Noter").cell(1, 1, "mine noter")))
    assert found(check) == [("sheet-added-or-removed", "", "")]
    assert "Noter" in check.problems[0].message
    assert check.accepted and all(r.progress for r in check.results)


def test_a_renamed_follow_up_sheet_is_found_by_its_content(kit):
    check = kit.check(edit(kit.filled(), lambda wb: setattr(wb[SHEET], "title", "Vores svar")))
    assert found(check) == [("sheet-renamed", "Vores svar", "")]
    assert check.accepted and all(r.progress for r in check.results)
    assert check.sheet_name == "Vores svar"


def test_a_deleted_follow_up_sheet_rejects_the_return(kit):
    def replace_sheet(wb):
        wb.create_sheet("Ark1")
        wb.remove(wb[SHEET])

    check = kit.check(edit(kit.filled(), replace_sheet))
    assert found(check) == [("sheet-missing", "", "")]
    assert SHEET in check.problems[0].message


def test_the_hidden_sheet_made_visible_is_a_warning(kit):
    check = kit.check(edit(kit.filled(), lambda wb: setattr(wb[META_SHEET], "sheet_state", "visible")))
    assert found(check) == [("sheet-hidden", META_SHEET, "")]


def test_a_row_inserted_at_the_top_moves_every_element(kit):
    plan = kit.plan()
    check = kit.check(edit(kit.filled(), lambda wb: shift_rows(wb[SHEET], 2)))
    assert found(check) == [("rows-moved", at(f"A{row + 1}"), n) for n, row in plan.element_rows.items()]
    assert [(p.expected, p.found) for p in check.problems] == [(str(r + 1), str(r + 2)) for r in plan.element_rows.values()]


def test_a_row_deleted_inside_the_last_element_is_found_though_no_heading_moves(kit):
    plan = kit.plan()
    milestone_2 = cell_of(plan, "1.03", "milestone", 2)
    check = kit.check(edit(kit.filled(), lambda wb: wb[SHEET].delete_rows(int(milestone_2[1:]))))
    assert found(check) == [("rows-moved", at("A" + milestone_2[1:]), "1.03")]


def test_rows_sorted_swap_the_elements_and_are_rejected(kit):
    plan = kit.plan()
    first, second = plan.element_rows["1.01"] + 1, plan.element_rows["1.02"] + 1

    def sort(wb):
        ws = wb[SHEET]
        ws.protection.sheet = False
        ws[f"A{first}"], ws[f"A{second}"] = ws[f"A{second}"].value, ws[f"A{first}"].value

    check = kit.check(edit(kit.filled(), sort))
    assert found(check) == [("rows-moved", at(f"A{first}"), "1.01"), ("rows-moved", at(f"A{second}"), "1.02")]


def test_dropdowns_removed_by_a_paste_are_named_cell_by_cell_and_the_values_still_count(kit):
    plan = kit.plan()

    def paste(wb):
        wb[SHEET].data_validations.dataValidation = []

    check = kit.check(edit(kit.filled(), paste))
    smileys = [c for c in plan.inputs() if c.states]
    assert found(check) == [("dropdown-removed", at(c.ref), c.element) for c in smileys]
    assert {p.found for p in check.problems} == {"ingen regel"}
    assert check.accepted


def test_a_dropdown_replaced_by_another_list_is_found(kit):
    from openpyxl.worksheet.datavalidation import DataValidation

    plan = kit.plan()
    economy = cell_of(plan, "1.01", "economy", 1)

    def paste_progress_list(wb):  # a progress cell copied onto the economy cell brings its own list
        ws = wb[SHEET]
        ws.data_validations.dataValidation = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref) != economy]
        wrong = DataValidation(type="list", formula1='"Grøn,Gul,Rød"')
        wrong.add(economy)
        ws.add_data_validation(wrong)

    check = kit.check(edit(kit.filled(), paste_progress_list))
    assert found(check) == [("dropdown-removed", at(economy), "1.01")]
    assert check.problems[0].found == 'liste "Grøn,Gul,Rød"'


def test_an_external_link_is_a_warning(kit):
    path = rewrite_zip(kit.filled(), add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    assert found(kit.check(path)) == [("external-link", "", "")]


def test_a_print_area_and_a_filter_set_in_excel_are_no_warning(kit):
    """Excel writes a print area and an autofilter as names with a cell area; they are layout, not formulas."""

    def layout(wb):
        ws = wb[SHEET]
        ws.print_area = "A1:H40"
        ws.auto_filter.ref = "A11:H40"

    path = edit(kit.filled(), layout)
    assert found(kit.check(path)) == []


def test_a_pasted_colour_rule_is_named_once_with_its_count_and_a_long_list_is_cut_short(kit):
    """Copying a highlight rule down a column repeats it hundreds of times; finance reads it once."""
    from openpyxl.workbook.defined_name import DefinedName

    def names(wb):
        for n in range(1, 8):
            wb.defined_names[f"Navn{n}"] = DefinedName(f"Navn{n}", attr_text=f"Element7.0{n}")

    pasted = b"".join(
        b'<conditionalFormatting sqref="H%d"><cfRule type="cellIs" dxfId="0" priority="%d" operator="equal"><formula>"R\xc3\xb8d"</formula></cfRule></conditionalFormatting>'
        % (row, 100 + row)
        for row in range(1, 301)
    )
    path = rewrite_zip(
        edit(kit.filled(), names),
        xl__worksheets__sheet1_dot_xml=lambda xml: xml.replace(b"<dataValidations", pasted + b"<dataValidations", 1),
    )
    [warning] = [p for p in kit.check(path).problems if p.code == "formulas-outside-cells"]
    assert warning.found == "307 formler"
    assert "en betinget formatering på 'Opfølgning': =\"Rød\" (300 gange)" in warning.detail
    assert warning.detail.count("navnet 'Navn") == integrity.MAX_FORMULAS_LISTED - 1
    assert warning.detail.endswith(" og 3 mere"), warning.detail
    assert len(warning.message) < 600


# --- the answers -------------------------------------------------------------------------


def _answers(agreement, **changes) -> list[Result]:
    """The synthetic answers for Udvalg 01 with some replaced: changes = {"1.01": {"progress": …}}."""
    from dataclasses import replace

    out = []
    for a in synthetic_answers(agreement, "Udvalg 01", 1):
        out.append(replace(a, **changes.get(a.element.replace(".", "_"), {})))
    return out


def _put(kit, values_by_ref: dict[str, object], name: str = "svar.xlsx", as_text: bool = True) -> Path:
    def typing(wb):
        ws = wb[SHEET]
        for ref, value in values_by_ref.items():
            ws[ref] = value
            if as_text and isinstance(value, str):
                ws[ref].data_type = "s"

    return edit(kit.filled(), typing, kit.returns / name)


def test_a_word_that_is_no_smiley_and_yellow_on_economy_are_invalid(kit):
    plan = kit.plan()
    progress, economy = cell_of(plan, "1.01", "progress", 1), cell_of(plan, "1.02", "economy", 1)
    check = kit.check(_put(kit, {progress: "Blå", economy: "Gul"}))
    assert found(check) == [("invalid-smiley", at(progress), "1.01"), ("invalid-smiley", at(economy), "1.02")]
    assert check.problems[0].expected == "Grøn / Gul / Rød"
    assert check.problems[1].expected == "Grøn / Rød"
    assert not check.accepted


@pytest.mark.parametrize(
    "typed, state",
    [
        ("grøn", Smiley.GREEN),
        ("  Gul ", Smiley.YELLOW),
        ("RØD", Smiley.RED),
        ("Green", Smiley.GREEN),
        ("red", Smiley.RED),
        ("☺", Smiley.GREEN),
        ("😐", Smiley.YELLOW),
        ("☹ Rød", Smiley.RED),
    ],
)
def test_harmless_smiley_variants_are_read_with_a_warning(kit, typed, state):
    plan = kit.plan()
    ref = cell_of(plan, "1.02", "progress", 1)
    check = kit.check(_put(kit, {ref: typed}))
    assert found(check) == [("smiley-normalised", at(ref), "1.02")]
    assert check.problems[0].expected == state.label
    assert next(r for r in check.results if r.element == "1.02").progress is state
    assert check.accepted


def test_read_smiley_keeps_the_exact_danish_word_exact():
    assert read_smiley("Grøn") == (Smiley.GREEN, True)
    assert read_smiley("Grøn Rød") == (None, False)


def test_an_empty_smiley_is_a_warning_and_the_rest_of_the_return_counts(kit):
    plan = kit.plan()
    ref = cell_of(plan, "1.03", "progress", 1)
    check = kit.check(_put(kit, {ref: None}))
    assert found(check) == [("smiley-missing", at(ref), "1.03")]
    assert check.accepted


def test_yellow_or_red_without_a_status_text_is_a_warning_unless_turned_off(kit, agreement):
    plan = kit.plan()
    answers = _answers(
        agreement, **{"1_01": {"progress": Smiley.YELLOW, "status": ""}, "1_02": {"economy": Smiley.RED, "economy_status": "  "}}
    )
    path = kit.filled(answers=answers)
    check = kit.check(path)
    assert found(check) == [
        ("status-text-required", at(cell_of(plan, "1.01", "status", 1)), "1.01"),
        ("status-text-required", at(cell_of(plan, "1.02", "economy_status", 1)), "1.02"),
    ]
    assert check.accepted
    assert found(kit.check(path, require_status=False)) == []


def test_a_text_longer_than_excel_allows_is_rejected(kit):
    import re

    plan = kit.plan()
    ref = cell_of(plan, "1.02", "status", 1)
    path = _put(kit, {ref: "kort"})  # openpyxl itself cuts at the limit; LibreOffice writes longer texts

    def lengthen(xml: bytes) -> bytes:
        return re.sub(
            rf'(<c r="{ref}"[^>]*><is><t>)kort(</t>)'.encode(), lambda m: m.group(1) + b"x" * (EXCEL_CELL_LIMIT + 10) + m.group(2), xml
        )

    check = kit.check(rewrite_zip(path, xl__worksheets__sheet1_dot_xml=lengthen))
    assert found(check) == [("text-too-long", at(ref), "1.02")]
    assert check.problems[0].found == str(EXCEL_CELL_LIMIT + 10)


def test_a_too_long_text_in_the_shared_strings_is_measured_in_full(kit, monkeypatch):
    import re

    from workbook_tools import template as template_module
    from workbook_tools.xlsxio import new_workbook

    plan = kit.plan()
    ref = cell_of(plan, "1.02", "status", 1)
    # Written by xlsxwriter, which keeps texts in xl/sharedStrings.xml as Excel does
    # (our own writer uses inline strings, and openpyxl keeps whichever it was given).
    monkeypatch.setattr(template_module, "FastWorkbook", new_workbook)
    template = kit.template(template_id="shared-strings")
    index = {}

    def add_string(xml: bytes) -> bytes:
        index["n"] = xml.count(b"<si>")
        return xml.replace(b"</sst>", b"<si><t>" + b"y" * (EXCEL_CELL_LIMIT + 1) + b"</t></si></sst>")

    def point_at_it(xml: bytes) -> bytes:
        return re.sub(
            rf'<c r="{ref}"( s="\d+")?[^>]*?(?:/>|>.*?</c>)'.encode(),
            lambda m: f'<c r="{ref}"{(m.group(1) or b"").decode()} t="s"><v>{index["n"]}</v></c>'.encode(),
            xml,
        )

    path = rewrite_zip(template, kit.returns / "delte.xlsx", xl__sharedStrings_dot_xml=add_string)
    path = rewrite_zip(path, xl__worksheets__sheet1_dot_xml=point_at_it)
    check = kit.check(path)
    assert [(p.code, p.found) for p in check.problems if p.code == "text-too-long"] == [("text-too-long", str(EXCEL_CELL_LIMIT + 1))]


def test_a_formula_typed_into_an_input_cell_is_rejected_but_text_that_looks_like_one_is_fine(kit):
    plan = kit.plan()
    status, economy_status = cell_of(plan, "1.01", "status", 1), cell_of(plan, "1.02", "economy_status", 1)
    formula = _put(kit, {status: '=B10&" er nået"'}, "formel.xlsx", as_text=False)
    check = kit.check(formula)
    assert found(check) == [("formula-in-input", at(status), "1.01")]
    assert check.problems[0].found == '=B10&" er nået"'
    text = kit.check(_put(kit, {economy_status: "=mindre end budgetteret"}, "tekst.xlsx"))
    assert found(text) == []
    assert next(r for r in text.results if r.element == "1.02").economy_status == "=mindre end budgetteret"


def test_status_texts_are_taken_exactly_as_entered_line_breaks_and_blanks_included(kit):
    # Issue 7: "exactly as entered" (docs/guarantees.md); tests/test_roundtrip_property.py checks it end to end.
    plan = kit.plan()
    ref = cell_of(plan, "1.01", "status", 1)
    from fill_kit import as_excel_stores  # the carriage return as Excel stores it: _x000D_

    check = kit.check(_put(kit, {ref: as_excel_stores("  Første linje\r\nAnden linje  ")}))
    assert next(r for r in check.results if r.element == "1.01").status == "  Første linje\r\nAnden linje  "


# --- deadlines ---------------------------------------------------------------------------


def test_a_return_after_the_deadline_day_in_danish_time_is_late(kit, agreement):
    path = kit.filled()
    deadline = agreement.round(1).deadline  # 15 March
    evening = datetime(deadline.year, deadline.month, deadline.day, 22, 30, tzinfo=UTC)  # 23:30 in Copenhagen
    assert found(kit.check(path, received=evening)) == []
    after_midnight = evening + timedelta(hours=1)  # 00:30 the next day in Copenhagen
    check = kit.check(path, received=after_midnight)
    assert found(check) == [("late-return", "", "")]
    assert (check.problems[0].expected, check.problems[0].found) == ("15. marts 2031", "16. marts 2031 kl. 00.30")
    assert check.accepted


def test_without_an_e_mail_time_the_files_own_time_decides(kit, agreement):
    path = kit.filled()
    os.utime(path, (datetime(2031, 4, 1, tzinfo=UTC).timestamp(),) * 2)
    assert codes(kit.check(path)) == ["late-return"]


# --- older template versions -------------------------------------------------------------


def _older_version(kit, path: Path, change=None, version: str = "0") -> Path:
    """The same round's return, made from an older layout: one row more at the top, version 0."""

    def older(wb):
        shift_rows(wb[SHEET], 2)
        if change:
            change(wb[SHEET])

    edit(path, older)
    return set_meta(path, template_version=version)


def test_an_older_template_version_is_migrated_by_element_number_with_a_warning(kit, agreement):
    check = kit.check(_older_version(kit, kit.filled()))
    assert found(check) == [("old-template-version", SHEET, "")]
    assert check.accepted and check.migrated
    got = {(r.element, r.progress, r.status, r.economy, r.economy_status) for r in check.results}
    want = {(a.element, a.progress, a.status, a.economy, a.economy_status) for a in synthetic_answers(agreement, "Udvalg 01", 1)}
    assert got == want
    plan = kit.plan()
    moved = cell_of(plan, "1.02", "progress", 1)
    assert check.cells[("1.02", "progress")] == f"E{int(moved[1:]) + 1}"


def test_an_older_version_whose_answers_still_break_a_rule_names_the_cell_where_it_really_is(kit):
    plan = kit.plan()
    ref = cell_of(plan, "1.01", "progress", 1)
    path = _put(kit, {ref: "Blå"})
    check = kit.check(_older_version(kit, path))
    assert found(check) == [("old-template-version", SHEET, ""), ("invalid-smiley", at(f"E{int(ref[1:]) + 1}"), "1.01")]


def test_an_older_version_with_a_changed_milestone_is_not_migrated_and_is_rejected_with_the_reason(kit):
    plan = kit.plan()
    milestone_row = int(cell_of(plan, "1.02", "milestone", 1)[1:]) + 1  # after the shift

    check = kit.check(_older_version(kit, kit.filled(), lambda ws: ws.cell(milestone_row, 2, "En anden milepæl")))
    assert found(check) == [("old-template-not-migratable", SHEET, "")]
    assert "milepælen for indsats 1.02" in check.problems[0].message
    assert check.results == [] and not check.accepted


def test_an_older_version_missing_an_element_is_rejected(kit):
    plan = kit.plan()
    heading = plan.element_rows["1.03"] + 2  # 1-based, after the shift

    check = kit.check(_older_version(kit, kit.filled(), lambda ws: ws.cell(heading, 1, "")))
    assert found(check) == [("old-template-not-migratable", SHEET, "")]
    assert "indsats 1.03 findes ikke" in check.problems[0].message


def test_a_newer_or_unknown_template_version_is_not_guessed_at(kit):
    check = kit.check(set_meta(kit.filled(), template_version="7"))
    assert found(check) == [("old-template-not-migratable", SHEET, "")]
    assert "nyere" in check.problems[0].message


def test_a_template_made_before_the_master_changed_is_accepted_when_untouched(kit, agreement, texts, tmp_path):
    from dataclasses import replace

    path = kit.filled()
    changed = replace(
        agreement,
        elements=tuple(replace(e, economy_text=e.economy_text + " (rettet)") if e.number == "1.02" else e for e in agreement.elements),
    )
    later = Kit(tmp_path / "later", changed, texts)
    check = later.check(path)
    assert found(check) == [("template-outdated", SHEET, "")]
    assert check.accepted and all(r.progress for r in check.results)

    plan = kit.plan()
    title = cell_of(plan, "1.01", "title")
    edited = edit(path, lambda wb: wb[SHEET].__setitem__(title, "Ny titel"), tmp_path / "edited.xlsx")
    check = later.check(edited)
    assert [p[0] for p in found(check)] == ["template-outdated", "locked-cell-changed", "locked-cell-changed"]
    assert {p.cell for p in check.problems[1:]} == {title, cell_of(later.plan(), "1.02", "economy_text")}


def test_with_a_manifest_a_return_made_before_the_master_changed_must_hold_what_its_id_was_made_with(kit, agreement, texts, tmp_path):
    """The manifest's digest is of the template as sent; today's master no longer gives it."""
    from dataclasses import replace

    path = kit.filled()
    made = kit.check(path)
    entry = {"template_id": made.template_id, "committee": "Udvalg 01", "department": "", "round": 1, "digest": kit.plan().locked_digest()}
    changed = replace(
        agreement,
        elements=tuple(replace(e, economy_text=e.economy_text + " (rettet)") if e.number == "1.02" else e for e in agreement.elements),
    )
    later = Kit(tmp_path / "later", changed, texts)
    assert later.plan().locked_digest() != entry["digest"]

    check = later.check(path, manifest={made.template_id: entry})
    assert found(check) == [("template-outdated", SHEET, "")]
    assert check.accepted

    title = cell_of(kit.plan(), "1.01", "title")
    edited = edit(path, lambda wb: wb[SHEET].__setitem__(title, "Ny titel"), tmp_path / "edited.xlsx")
    check = later.check(edited, manifest={made.template_id: entry})
    assert ("template-id-mismatch", META_SHEET, "") in found(check)
    assert not check.accepted


# --- a whole inbox: good and bad together ------------------------------------------------


def _inbox(kit, agreement) -> Path:
    """Both committees' good returns, and the usual trouble beside them."""
    kit.filled(committee="Udvalg 01")
    kit.filled(committee="Udvalg 02")
    (kit.returns / "tom.xlsx").write_bytes(b"")
    (kit.returns / "gammel.xls").write_bytes(ole2({"Workbook": BIFF8_BOF}))
    (kit.returns / "noter.csv").write_text("1.01;Grøn\n1.02;Gul\n", encoding="utf-8")
    plan = kit.plan()
    milestone = cell_of(plan, "1.01", "milestone", 1)

    def edit_milestone(wb):
        wb[SHEET].protection.sheet = False
        wb[SHEET][milestone] = "Ændret"

    edit(kit.filled("ekstra-kopi.xlsx", committee="Udvalg 01", author="Anden Person"), edit_milestone)
    sub = kit.returns / "undermappe"
    sub.mkdir()
    (sub / "billede.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return kit.returns


def test_a_folder_of_good_and_bad_returns_merges_the_good_reports_the_bad_and_touches_nothing(kit, agreement, master, tmp_path, capsys):
    inbox = _inbox(kit, agreement)
    before = digest_tree(inbox)
    stamps = {p: p.stat().st_mtime_ns for p in inbox.rglob("*") if p.is_file()}
    master_before = hashlib.sha256(master.read_bytes()).hexdigest()

    code = main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "ud"), str(inbox)])
    out, err = capsys.readouterr()

    assert code == 1
    assert "Traceback" not in out + err
    merged = read_master(tmp_path / "ud" / "master.xlsx")
    assert {r.element for r in merged.results} == {"1.01", "1.02", "1.03", "2.01", "2.02", "2.03"}
    assert merged.result("1.01", 1).source.file == "returns/runde-1_Udvalg-01.xlsx"
    rows = values(tmp_path / "ud" / "validation.xlsx", "Problemer")
    errors = sorted((r[1], r[2]) for r in rows[1:] if r[0] == "Fejl")
    assert errors == [
        ("csv-file", "returns/noter.csv"),
        ("empty-file", "returns/tom.xlsx"),
        ("legacy-xls", "returns/gammel.xls"),
        ("locked-cell-changed", "returns/ekstra-kopi.xlsx"),
        ("not-a-workbook", "returns/undermappe/billede.xlsx"),
    ]
    milestone = cell_of(kit.plan(), "1.01", "milestone", 1)
    assert rows[0] == [
        "Alvor",
        "Kode",
        "Fil",
        "Udvalg",
        "Center",
        "Indsats",
        "Felt",
        "Ark",
        "Celle",
        "Forventet",
        "Fundet",
        "Besked",
        "Hvad gør jeg?",
    ]
    locked = next(r for r in rows if r[1] == "locked-cell-changed")
    assert locked[:11] == [
        "Fejl",
        "locked-cell-changed",
        "returns/ekstra-kopi.xlsx",
        "Udvalg 01",
        "",
        "1.01",
        "",
        SHEET,
        milestone,
        "Milepæl 1 for element 1.01",
        "Ændret",
    ]
    assert locked[11] == f"returns/ekstra-kopi.xlsx: den låste celle {SHEET}!{milestone} (indsats 1.01) er ændret."
    assert locked[12].startswith("Forventet: »Milepæl 1 for element 1.01«. Fundet: »Ændret«.")
    for line in ("tom.xlsx", "gammel.xls", "noter.csv", "ekstra-kopi.xlsx", "billede.xlsx"):
        assert "afvist" in next(x for x in out.splitlines() if line in x)
    assert digest_tree(inbox) == before, "every input file is byte-identical afterwards"
    assert {p: p.stat().st_mtime_ns for p in inbox.rglob("*") if p.is_file()} == stamps
    assert hashlib.sha256(master.read_bytes()).hexdigest() == master_before
    index = json.loads((tmp_path / "ud" / "archive" / "round-1" / "index.json").read_text())
    assert len(index) == 7 and all(e["sha256"] and e["copy"] for e in index)
    for e in index:
        copy = tmp_path / "ud" / "archive" / "round-1" / e["copy"]
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == e["sha256"]


def test_collecting_the_same_inputs_twice_gives_the_same_outputs(kit, agreement, master, tmp_path, capsys):
    inbox = _inbox(kit, agreement)
    for name in ("a", "b"):
        main(["collect", str(master), "--round", "1", "--out", str(tmp_path / name), str(inbox)])
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "master.xlsx").read_bytes() == (b / "master.xlsx").read_bytes()
    books = sorted(p.relative_to(a) for p in a.rglob("*.xlsx") if "archive" not in p.parts)
    assert books == sorted(p.relative_to(b) for p in b.rglob("*.xlsx") if "archive" not in p.parts)
    assert any(p.parts[0] == "feedback" for p in books)
    for rel in books:
        wa, wb = CalamineWorkbook.from_path(str(a / rel)), CalamineWorkbook.from_path(str(b / rel))
        assert wa.sheet_names == wb.sheet_names
        for sheet in wa.sheet_names:
            assert wa.get_sheet_by_name(sheet).to_python() == wb.get_sheet_by_name(sheet).to_python(), (rel, sheet)
    assert (a / "archive" / "round-1" / "index.json").read_text() == (b / "archive" / "round-1" / "index.json").read_text()
    assert sorted(p.name for p in (a / "archive" / "round-1").iterdir()) == sorted(p.name for p in (b / "archive" / "round-1").iterdir())


def test_dry_run_shows_what_would_change_and_writes_nothing(kit, agreement, master, tmp_path, capsys):
    inbox = _inbox(kit, agreement)
    before = digest_tree(tmp_path)
    code = main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "ud"), "--dry-run", str(inbox)])
    out = capsys.readouterr().out
    assert code == 1
    assert not (tmp_path / "ud").exists()
    assert digest_tree(tmp_path) == before
    assert "--dry-run: intet er skrevet" in out
    assert "6 nye og 0 ændrede svar (smileys og statustekster) for runde 1" in out
    assert "2 af 7 besvarelser godkendt" in out


def test_json_output_is_one_parsable_document_with_every_return_and_problem(kit, agreement, master, tmp_path, capsys):
    inbox = _inbox(kit, agreement)
    code = main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "ud"), "--json", str(inbox)])
    doc = json.loads(capsys.readouterr().out)
    assert code == doc["exit_code"] == 1
    statuses = {r["file"]: (r["status"], r["accepted"]) for r in doc["returns"]}
    assert statuses["returns/runde-1_Udvalg-02.xlsx"] == ("accepted", True)
    assert statuses["returns/tom.xlsx"] == ("rejected", False)
    locked = next(p for p in doc["problems"] if p["code"] == "locked-cell-changed")
    assert set(locked) >= {"severity", "code", "file", "committee", "element", "sheet", "cell", "expected", "found", "message", "hint"}
    assert (locked["sheet"], locked["element"], locked["found"]) == (SHEET, "1.01", "Ændret")
    assert any(w.endswith("validation.xlsx") for w in doc["written"])


# --- what finance types on the command line -----------------------------------------------


@pytest.mark.parametrize(
    "content, said", [("{ikke json", "er ikke gyldig JSON (linje 1)"), (None, "findes ikke"), ("[]", "nævner ingen skabeloner")]
)
def test_collect_with_a_manifest_it_cannot_use_stops_before_writing_and_names_it(round1, master, tmp_path, capsys, content, said):
    """Read as empty, a broken manifest would silently switch off the template-id check finance asked for."""
    manifest = tmp_path / "manifest.json"
    if content is not None:
        manifest.write_text(content, encoding="utf-8")

    code = main(
        ["collect", "--no-pdf", str(master), "--round", "1", "--out", str(tmp_path / "ud"), "--manifest", str(manifest), str(round1)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert f"Manifestet {manifest} {said}" in err and "followup generate" in err
    assert "Traceback" not in err
    assert not (tmp_path / "ud").exists()


def test_the_manifest_may_be_given_as_the_folder_generate_wrote(round1, master, tmp_path, capsys):
    def collect_with(manifest, out):
        return main(
            ["collect", "--no-pdf", str(master), "--round", "1", "--out", str(tmp_path / out), "--manifest", str(manifest), str(round1)]
        )

    def codes(out):
        return {row[1] for row in values(tmp_path / out / "validation.xlsx", "Problemer")[1:]}

    assert collect_with(tmp_path / "templates", "ud") == 0, capsys.readouterr()
    assert "unknown-template-id" not in codes("ud")
    # Another generation's folder: its ids are not the ones these returns carry, and the check says so.
    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path / "andre")]) == 0
    collect_with(tmp_path / "andre", "ud2")
    assert "unknown-template-id" in codes("ud2")


def test_an_out_folder_that_is_a_file_is_refused_before_anything_runs(round1, master, tmp_path, capsys):
    taken = tmp_path / "resultat"
    taken.write_text("finance's own notes")

    assert main(["collect", "--no-pdf", str(master), "--round", "1", "--out", str(taken), str(round1)]) == 2
    err = capsys.readouterr().err
    assert f"--out {taken} er en fil; angiv en mappe" in err and "uventet" not in err
    assert taken.read_text() == "finance's own notes"


def test_collect_into_the_masters_own_folder_would_overwrite_it_and_is_refused(round1, master, tmp_path, capsys):
    """`--out .` beside master.xlsx: the merged master would be written over the input one."""
    own = tmp_path / "økonomi"
    own.mkdir()
    master = Path(shutil.copy(master, own / "master.xlsx"))
    before = master.read_bytes()

    assert main(["collect", "--no-pdf", str(master), "--round", "1", "--out", str(own), str(round1)]) == 2
    err = capsys.readouterr().err
    assert f"ville dermed skrive oven i masterfilen {master}" in err and "vælg en anden --out" in err
    assert master.read_bytes() == before
    assert not (master.parent / "overview.xlsx").exists()


# --- followup check ----------------------------------------------------------------------


def test_followup_check_prints_the_problems_of_one_file_and_exits_1_without_writing(kit, agreement, master, tmp_path, capsys):
    plan = kit.plan()
    ref = cell_of(plan, "1.02", "progress", 1)
    bad = _put(kit, {ref: "Blå"})
    before = digest_tree(tmp_path)
    code = main(["check", str(master), "--round", "1", str(bad)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert "svar.xlsx (Udvalg 01): afvist" in out
    assert "invalid-smiley" in out and at(ref) in out and "indsats 1.02" in out
    assert "Det gør I:     Send den kommenterede kopi, så afsenderen kan vælge Grøn, Gul eller Rød i listen." in out
    assert "Til udvalget:  Vælg smiley på indsats (Grøn, Gul eller Rød) i listen i cellen." in out  # staff check before they send
    assert digest_tree(tmp_path) == before


def test_followup_check_of_a_good_file_exits_0(kit, master, capsys):
    assert main(["check", str(master), "--round", "1", str(kit.filled())]) == 0
    assert ": godkendt" in capsys.readouterr().out


def test_followup_check_can_write_the_annotated_copy(kit, master, tmp_path, capsys):
    bad = _put(kit, {cell_of(kit.plan(), "1.01", "economy", 1): "Gul"})
    code = main(["check", str(master), "--round", "1", "--feedback", str(tmp_path / "tilbage"), str(bad)])
    assert code == 1
    assert [p.name for p in (tmp_path / "tilbage").iterdir()] == ["svar_tilbagemelding.xlsx"]


def test_followup_check_json(kit, master, capsys):
    code = main(["check", str(master), "--round", "1", "--json", str(kit.filled())])
    doc = json.loads(capsys.readouterr().out)
    assert code == doc["exit_code"] == 0
    assert doc["returns"][0]["accepted"] is True and doc["returns"][0]["problems"] == []


def test_formula_cells_are_found_with_a_namespace_prefix_and_as_shared_formulas():
    from workbook_tools.ooxml import formula_cells

    body = (
        b'<row r="5"><x:c r="B5" s="1"><x:f>A1&amp;"x"</x:f><x:v>1</x:v></x:c></row>'
        b'<row r="9"><c r="E9" t="str"><f t="shared" ref="E9:E10" si="0">C9</f><v>1</v></c>'
        b'<c r="E10" t="str"><f t="shared" si="0"/><v>2</v></c><c r="F10"><v>3</v></c></row>'
    )
    assert formula_cells(body) == {"B5": 'A1&"x"', "E9": "C9", "E10": ""}


def test_no_require_status_on_the_command_line_turns_the_rule_off(kit, agreement, master, capsys):
    answers = [
        a if a.element != "1.01" else Result(a.element, 1, Smiley.RED, "", a.economy, a.economy_status)
        for a in synthetic_answers(agreement, "Udvalg 01", 1)
    ]
    path = kit.filled(answers=answers)
    assert main(["check", str(master), "--round", "1", str(path)]) == 0
    assert "status-text-required" in capsys.readouterr().out
    assert main(["check", str(master), "--round", "1", "--no-require-status", str(path)]) == 0
    assert "status-text-required" not in capsys.readouterr().out
