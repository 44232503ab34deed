"""Finance keeps the master in Excel; reading it must catch their mistakes by sheet, row and column."""

import zipfile
from datetime import date

import openpyxl
import pytest
from returns_kit import BIFF8_BOF, ods_bytes, ole2, rewrite_zip

from workbook_tools.cli import EXIT_USAGE, main
from workbook_tools.master import ELEMENTS_SHEET, MasterError, read_master, write_master
from workbook_tools.model import Result, Smiley, Source


def test_a_written_master_reads_back_as_the_same_agreement(tmp_path, agreement):
    path = write_master(agreement, tmp_path / "master.xlsx")
    assert read_master(path) == agreement


def test_results_with_provenance_survive_the_round_trip(tmp_path, agreement):
    from datetime import datetime

    with_results = agreement.with_results(
        [
            Result("1.01", 1, Smiley.YELLOW, "=SUM(A1) står som tekst", Smiley.RED, "+45 kr.", Source("a.xlsx", "ab" * 32, datetime(2031, 3, 1, 9, 30), "1", "x@example.invalid")),
            Result("1.02", 1, Smiley.GREEN, "", None, ""),
        ]
    )
    path = write_master(with_results, tmp_path / "master.xlsx")
    assert read_master(path) == with_results


def _edit(path, sheet, edits):
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for ref, value in edits.items():
        ws[ref] = value
    wb.save(path)


def _problems(path):
    with pytest.raises(MasterError) as err:
        read_master(path)
    return [str(p) for p in err.value.problems]


def test_a_duplicate_element_number_is_named_with_both_rows(master):
    _edit(master, ELEMENTS_SHEET, {"A3": "1.01"})
    problems = _problems(master)
    assert problems == ["Indsatser!A3: nummer 1.01 står også i række 2; hvert nummer må kun stå én gang"]


def test_an_element_of_an_unlisted_committee_is_named(master):
    _edit(master, ELEMENTS_SHEET, {"C2": "Udvalg 99"})
    assert _problems(master) == ["Indsatser!C2: indsats 1.01: udvalget 'Udvalg 99' står ikke på arket 'Udvalg'"]


def test_a_round_outside_one_to_four_is_named(master):
    _edit(master, "Runder", {"A3": 7})
    assert _problems(master) == ["Runder!A3: runde 7 findes ikke; brug 1–4"]


def test_a_missing_column_is_named(master):
    _edit(master, ELEMENTS_SHEET, {"C1": "Komité"})
    assert _problems(master) == ["Indsatser!række 1: kolonnen 'Udvalg' mangler i overskriftsrækken"]


def test_a_missing_sheet_is_named(master):
    wb = openpyxl.load_workbook(master)
    del wb["Udvalg"]
    wb.save(master)
    assert _problems(master) == ["Udvalg: arket 'Udvalg' mangler"]


def test_several_mistakes_are_reported_together(master):
    _edit(master, ELEMENTS_SHEET, {"A3": "1.01", "C4": "Udvalg 99"})
    assert len(_problems(master)) == 2


def test_dates_are_read_as_finance_types_them_and_a_missing_year_is_the_agreements(master):
    """The seed writes "4. juli 2018"; a deadline typed without a year belongs to the agreement's year."""
    _edit(master, "Aftale", {_cell_of(master, "Aftale", "Dato"): "4. juli 2031"})
    _edit(master, "Runder", {"C2": "15. marts", "C3": "15-06-2031", "C4": "15. sep. 2031"})

    agreement = read_master(master)
    assert agreement.date == date(2031, 7, 4)
    assert [r.deadline for r in agreement.rounds[:3]] == [date(2031, 3, 15), date(2031, 6, 15), date(2031, 9, 15)]


def test_a_deadline_without_a_day_is_named(master):
    _edit(master, "Runder", {"C2": "marts"})
    assert _problems(master) == ["Runder!C2: 'marts' er ikke en hel dato (skriv fx 4. juli 2031 eller 2031-07-04)"]


def _cell_of(path, sheet: str, key: str) -> str:
    """The value cell beside `key` in the Felt column of a key/value sheet."""
    ws = openpyxl.load_workbook(path)[sheet]
    row = next(r for r in ws.iter_rows() if r[0].value == key)
    return row[1].coordinate


def test_a_malformed_address_is_a_master_error(master):
    _edit(master, "Udvalg", {"D2": "udvalg01 at example"})
    assert _problems(master) == ["Udvalg!D2: 'udvalg01 at example' er ikke en gyldig e-mailadresse"]


@pytest.mark.parametrize(
    "content, what, todo",
    [
        (lambda: b"Nummer;Titel\n", "en tekstfil (måske CSV)", "gem den som Excel-projektmappe (.xlsx)"),
        (lambda: ole2({"Workbook": BIFF8_BOF}), "i det gamle .xls-format", "gem den som Excel-projektmappe (.xlsx)"),
        (ods_bytes, "et OpenDocument-regneark (.ods)", "gem den som Excel-projektmappe (.xlsx)"),
        (lambda: ole2({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": bytes(64)}), "gemt med adgangskode", "Gem en kopi uden adgangskode"),
        (lambda: b"", "tom (0 byte)", "Tag en ny kopi"),
    ],
    ids=["csv", "xls", "ods", "password", "empty"],
)
def test_a_master_that_is_not_an_xlsx_says_what_it_is_and_what_to_do(tmp_path, capsys, content, what, todo):
    bad = tmp_path / "master.xlsx"
    bad.write_bytes(content())

    assert main(["generate", str(bad), "--round", "1", "--out", str(tmp_path / "ud")]) == EXIT_USAGE
    said = capsys.readouterr().err
    assert f"Masterfilen {bad} kan ikke bruges" in said
    assert f"filen er {what}" in said and todo in said
    assert "Traceback" not in said


def test_a_master_with_a_damaged_sheet_names_the_file_and_the_sheet(master, tmp_path, capsys):
    """A sync cut the elements sheet off mid-row: finance is told which file and sheet, not shown a traceback."""
    with zipfile.ZipFile(master) as z:
        elements = next(n for n in z.namelist() if n.startswith("xl/worksheets/") and b">Budgettype<" in z.read(n))
    rewrite_zip(master, **{elements.replace("/", "__").replace(".", "_dot_"): lambda xml: xml[: len(xml) // 2]})

    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path / "ud")]) == EXIT_USAGE
    said = capsys.readouterr().err
    assert f"Masterfilen {master} kan ikke bruges" in said
    assert f"filen kan ikke læses: arket '{ELEMENTS_SHEET}'" in said
    assert "Traceback" not in said
    assert not (tmp_path / "ud").exists(), "nothing is generated from a master that cannot be read"


def test_a_value_typed_far_outside_the_table_is_named_with_the_way_to_find_it(master, tmp_path, capsys):
    """Someone typed in the sheet's last cell. Read as it stands, the sheet would be 17 billion cells:
    the reader would abort the whole program. Finance is told which cell, and how Excel finds it."""
    _edit(master, ELEMENTS_SHEET, {"XFD1048576": "x"})

    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path / "ud")]) == EXIT_USAGE
    said = capsys.readouterr().err
    assert f"Masterfilen {master} kan ikke bruges" in said
    assert f"arket '{ELEMENTS_SHEET}' går til celle XFD1048576" in said
    assert "Ctrl+End" in said
    assert "Traceback" not in said
    assert not (tmp_path / "ud").exists()


def test_a_far_cell_with_only_a_colour_is_no_obstacle(master, agreement):
    """Formatting far away holds no value: the sheet is read as before."""
    wb = openpyxl.load_workbook(master)
    wb[ELEMENTS_SHEET]["XFD1048576"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")
    wb.save(master)

    assert read_master(master) == agreement

