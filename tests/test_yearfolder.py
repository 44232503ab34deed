"""A finance year in a folder: `followup init`, and the layout and mail texts found beside the master."""

from __future__ import annotations

import email
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLE, ROOT
from python_calamine import CalamineWorkbook
from year_kit import EDITED_HEADING, ELEMENTS, edit_layout, edit_mail_subject, fill_master

from workbook_tools.cli import main
from workbook_tools.master import read_master
from workbook_tools.resources import EXAMPLE as PACKAGED_EXAMPLE
from workbook_tools.resources import data, factory_layout, factory_mail_texts


def all_text(path: Path) -> str:
    """Every cell of every sheet, as one string: what a person could read in the workbook."""
    wb = CalamineWorkbook.from_path(str(path))
    return "\n".join(str(v) for name in wb.sheet_names for row in wb.get_sheet_by_name(name).to_python() for v in row if v != "")


@pytest.fixture
def year(tmp_path) -> Path:
    folder = tmp_path / "Budgetopfølgning 2027"
    assert main(["init", str(folder), "--year", "2027"]) == 0
    return folder


def test_init_makes_a_folder_with_master_layout_mail_texts_and_a_read_me(year, capsys):
    names = sorted(p.relative_to(year).as_posix() for p in year.rglob("*") if p.is_file())
    assert names == [
        "LÆS MIG.txt",
        "layout.xlsx",
        "mailtekster/oversigt.txt",
        "mailtekster/rapport.txt",
        "mailtekster/rykker.txt",
        "mailtekster/skabelon.txt",
        "master.xlsx",
    ]
    read_me = (year / "LÆS MIG.txt").read_text(encoding="utf-8-sig")
    assert "followup generate master.xlsx --round 1" in read_me and "followup new-year" in read_me
    wb = openpyxl.load_workbook(year / "master.xlsx")
    assert wb.sheetnames == ["Aftale", "Runder", "Udvalg", "Centre", "Indsatser", "Resultater"]
    assert [c.value for c in wb["Runder"]["B"][1:5]] == [f"{n}. budgetopfølgning 2027" for n in (1, 2, 3)] + ["31.12.2027"]
    rules = {str(dv.sqref).split(":")[0]: dv for dv in wb["Indsatser"].data_validations.dataValidation}
    assert rules["C2"].type == "list" and "Udvalg" in rules["C2"].formula1
    assert rules["D2"].formula1 == '"Drift,Anlæg"'
    assert wb["Indsatser"]["A1"].comment is not None  # each heading says what goes under it


def test_the_untouched_master_tells_the_newcomer_what_to_fill_in(year, capsys):
    assert main(["generate", str(year / "master.xlsx"), "--round", "1", "--out", str(year / "runde-1")]) == 2
    assert "der er ingen udvalg" in capsys.readouterr().err


def test_the_filled_master_reads_with_the_new_year_and_its_rounds(year):
    fill_master(year / "master.xlsx", 2027)
    agreement = read_master(year / "master.xlsx")
    assert (agreement.year, agreement.title) == (2027, "Aftale om budget 2027")
    assert [e.number for e in agreement.elements] == [number for number, _, _ in ELEMENTS]
    assert "2018" not in agreement.guide_progress + agreement.guide_economy
    assert agreement.round(2).label == "2. budgetopfølgning 2027"


def test_element_numbers_are_text_in_libreoffice_so_3_10_stays_3_10(year, office):
    copy = office.copy(year / "master.xlsx", "master.xlsx")
    formats = office.run(copy, [{"do": "formats", "sheet": "Indsatser", "cells": ["A2", "A900", "B2"]}], sheet="Indsatser")[0]["cells"]
    assert formats == {"A2": "@", "A900": "@", "B2": "General"}


def test_init_refuses_a_folder_with_something_in_it_and_force_keeps_what_is_there(tmp_path, capsys):
    folder = tmp_path / "2027"
    folder.mkdir()
    (folder / "master.xlsx").write_bytes(b"finance's own work")
    assert main(["init", str(folder), "--year", "2027"]) == 2
    assert "ikke tom" in capsys.readouterr().err
    assert main(["init", str(folder), "--year", "2027", "--force"]) == 0
    assert (folder / "master.xlsx").read_bytes() == b"finance's own work"
    assert (folder / "layout.xlsx").is_file()
    assert "ikke rørt" in capsys.readouterr().out


def test_generate_uses_the_layout_edited_in_the_year_folder_and_says_so(year, capsys):
    fill_master(year / "master.xlsx", 2027)
    edit_layout(year / "layout.xlsx")
    capsys.readouterr()
    assert main(["generate", str(year / "master.xlsx"), "--round", "1", "--out", str(year / "runde-1" / "skabeloner")]) == 0
    out = capsys.readouterr().out
    assert f"Layout: {year / 'layout.xlsx'} (fra årsmappen)" in out
    template = next((year / "runde-1" / "skabeloner").glob("*.xlsx"))
    assert EDITED_HEADING in all_text(template)


def test_a_merged_master_two_folders_down_still_finds_the_year_folders_layout(year, capsys):
    fill_master(year / "master.xlsx", 2027)
    edit_layout(year / "layout.xlsx")
    deeper = year / "runde-1" / "resultat"
    deeper.mkdir(parents=True)
    shutil.copyfile(year / "master.xlsx", deeper / "master.xlsx")
    assert main(["generate", str(deeper / "master.xlsx"), "--round", "2", "--out", str(year / "runde-2" / "skabeloner")]) == 0
    assert "(fra årsmappen)" in capsys.readouterr().out
    assert EDITED_HEADING in all_text(next((year / "runde-2" / "skabeloner").glob("*.xlsx")))


def test_a_layout_beside_the_master_that_cannot_be_read_stops_the_run_instead_of_being_passed_over(year, capsys):
    fill_master(year / "master.xlsx", 2027)
    (year / "layout.xlsx").write_bytes(b"not a workbook")
    assert main(["generate", str(year / "master.xlsx"), "--round", "1", "--out", str(year / "ud")]) == 2
    assert str(year / "layout.xlsx") in capsys.readouterr().err
    assert not (year / "ud").exists()


def test_without_a_year_folder_the_factory_layout_is_used_without_a_word(tmp_path, capsys):
    master = tmp_path / "master.xlsx"
    shutil.copyfile(EXAMPLE / "master.xlsx", master)
    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path / "ud")]) == 0
    assert "Layout:" not in capsys.readouterr().out


def test_mail_uses_the_mail_texts_edited_in_the_year_folder(year, capsys):
    fill_master(year / "master.xlsx", 2027)
    edit_mail_subject(year / "mailtekster" / "skabelon.txt")
    templates = year / "runde-1" / "skabeloner"
    assert main(["generate", str(year / "master.xlsx"), "--round", "1", "--out", str(templates)]) == 0
    capsys.readouterr()
    assert main(["mail", "templates", str(year / "master.xlsx"), "--round", "1", "--from", str(templates)]) == 0
    assert f"Mailtekster: {year / 'mailtekster'} (fra årsmappen)" in capsys.readouterr().out
    messages = sorted((templates / "outbox").glob("*.eml"))
    assert messages
    subject = email.message_from_bytes(messages[0].read_bytes(), policy=email.policy.default)["Subject"]
    assert subject.startswith("Rapport fra Økonomi (rettet emne)")


def test_a_mail_text_that_cannot_be_read_is_an_error_not_the_factory_text(year, capsys):
    fill_master(year / "master.xlsx", 2027)
    templates = year / "runde-1" / "skabeloner"
    assert main(["generate", str(year / "master.xlsx"), "--round", "1", "--out", str(templates)]) == 0
    (year / "mailtekster" / "skabelon.txt").unlink()
    (year / "mailtekster" / "skabelon.txt").mkdir()
    capsys.readouterr()
    assert main(["mail", "templates", str(year / "master.xlsx"), "--round", "1", "--from", str(templates)]) == 2
    assert "skabelon.txt" in capsys.readouterr().err


def test_the_package_ships_the_repos_layout_and_example_byte_for_byte():
    """The repo's files are the editable sources; the package carries copies (examples/budget-2018/build.py writes both)."""
    assert factory_layout().read_bytes() == (ROOT / "templates" / "follow_up_template.xlsx").read_bytes()
    shipped = data().joinpath(PACKAGED_EXAMPLE)
    assert shipped.joinpath("master.xlsx").read_bytes() == (EXAMPLE / "master.xlsx").read_bytes()
    for source in sorted((EXAMPLE / "returns").rglob("*.xlsx")):
        relative = source.relative_to(EXAMPLE).parts
        assert shipped.joinpath(*relative).read_bytes() == source.read_bytes(), source
    assert sorted(t.name for t in factory_mail_texts().iterdir()) == ["oversigt.txt", "rapport.txt", "rykker.txt", "skabelon.txt"]


def test_next_year_is_made_from_the_last_rounds_master_with_the_year_folders_own_layout_and_texts(year, capsys):
    fill_master(year / "master.xlsx", 2027)
    edit_layout(year / "layout.xlsx")
    edit_mail_subject(year / "mailtekster" / "rapport.txt")
    last = year / "runde-4" / "resultat"
    last.mkdir(parents=True)
    shutil.copyfile(year / "master.xlsx", last / "master.xlsx")
    capsys.readouterr()
    following = year.parent / "Budgetopfølgning 2028"
    assert main(["new-year", str(last / "master.xlsx"), "--year", "2028", "--out", str(following)]) == 0
    out = capsys.readouterr().out
    assert "Milepæl 1 for Element 7.01 i 2027." in out and "Milepæl 1 for Element 7.01 i 2028." in out  # what it changed, listed
    assert (following / "layout.xlsx").read_bytes() == (year / "layout.xlsx").read_bytes()
    assert (following / "mailtekster" / "rapport.txt").read_bytes() == (year / "mailtekster" / "rapport.txt").read_bytes()
    assert "2028" in (following / "LÆS MIG.txt").read_text(encoding="utf-8-sig")
    agreement = read_master(following / "master.xlsx")
    assert (agreement.year, agreement.title, agreement.results) == (2028, "Aftale om budget 2028", ())


def test_new_year_refuses_a_year_that_does_not_follow(year, capsys):
    fill_master(year / "master.xlsx", 2027)
    assert main(["new-year", str(year / "master.xlsx"), "--year", "2026", "--out", str(year.parent / "2026")]) == 2
    assert "2027" in capsys.readouterr().err


def test_generate_warns_with_the_cell_when_last_years_title_is_left_in_a_new_master(year, capsys):
    fill_master(year / "master.xlsx", 2027)
    wb = openpyxl.load_workbook(year / "master.xlsx")
    wb["Aftale"]["B3"] = "Aftale om budget 2018"
    wb.save(year / "master.xlsx")
    assert main(["generate", str(year / "master.xlsx"), "--round", "1", "--out", str(year / "runde-1")]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Advarsel:")]
    assert warnings == [
        "Advarsel: Aftale!B3: 'Titel' nævner 2018, men aftalens År er 2027; ret teksten, eller ret År, hvis det er årstallet der er forkert"
    ]
