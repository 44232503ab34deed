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
            Result(
                "1.01",
                1,
                Smiley.YELLOW,
                "=SUM(A1) står som tekst",
                Smiley.RED,
                "+45 kr.",
                Source("a.xlsx", "ab" * 32, datetime(2031, 3, 1, 9, 30), "1", "x@example.invalid"),
            ),
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
        (
            lambda: ole2({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": bytes(64)}),
            "gemt med adgangskode",
            "Gem en kopi uden adgangskode",
        ),
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


# Warnings: what finance should look at, though the run goes on.


def _warnings(path) -> list[str]:
    found = []
    read_master(path, warnings=found)
    return [str(w) for w in found]


def _udvalg_07(tmp_path, year: int = 2031, numbers=("7.01", "7.02", "7.03"), milestones=None, results=()):
    """A master of one obviously synthetic committee, "Udvalg 07", with the elements `numbers`;
    `milestones` replaces the last element's four milestones."""
    from dataclasses import replace

    from synthetic import synthetic_agreement

    a = synthetic_agreement(committees=7, elements=len(numbers), year=year)
    ours = [e for e in a.elements if e.committee == "Udvalg 07"]
    elements = [replace(e, number=n, title=f"Element {n}") for e, n in zip(ours, numbers, strict=True)]
    if milestones is not None:
        elements[-1] = replace(elements[-1], milestones=milestones)
    a = replace(a, committees=a.committees[6:], elements=tuple(elements), results=tuple(results))
    return write_master(a, tmp_path / "master.xlsx")


def test_a_master_copied_from_2018_into_2027_warns_where_2018_still_stands(tmp_path):
    """The 2027 master was made from the 2018 example: År was changed, the title and the guide were not."""
    master = _udvalg_07(tmp_path, year=2027)
    _edit(master, "Aftale", {"B3": "Aftale om budget 2018", "B10": "Opfølgningen på Aftale om budget 2018 sker ved, at der gives smileys."})

    assert _warnings(master) == [
        "Aftale!B3: 'Titel' nævner 2018, men aftalens År er 2027; ret teksten, eller ret År, hvis det er årstallet der er forkert",
        "Aftale!B10: 'Læsevejledning indsats' nævner 2018, men aftalens År er 2027; ret teksten, eller ret År, hvis det er årstallet der er forkert",
    ]
    assert read_master(master).title == "Aftale om budget 2018", "a warning does not stop the run nor change the text"


def test_a_round_label_left_at_last_years_date_is_named(tmp_path):
    master = _udvalg_07(tmp_path, year=2027)
    _edit(master, "Runder", {"B5": "31.12.2018"})
    assert _warnings(master) == [
        "Runder!B5: betegnelsen for runde 4 nævner 2018, men aftalens År er 2027; ret teksten, eller ret År, hvis det er årstallet der er forkert"
    ]


def test_a_round_label_excel_made_into_a_date_is_read_as_shown_and_named_once(tmp_path):
    """The label is read for the round and again for its years: one cell, one warning."""
    from datetime import datetime

    master = _udvalg_07(tmp_path, year=2027)
    wb = openpyxl.load_workbook(master)
    cell = wb["Runder"]["B5"]
    cell.value, cell.number_format = datetime(2027, 12, 31), "dd-mm-yyyy"
    wb.save(master)
    assert _warnings(master) == [
        "Runder!B5: cellen rummer et tal eller en dato, ikke tekst; den er læst, som Excel viser den: »31-12-2027«"
    ]
    assert read_master(master).rounds[3].label == "31-12-2027"


@pytest.mark.parametrize(
    "milestone, named",
    [
        ("Besparelsen realiseres først fra 2019.", None),
        ("Indsatsen evalueres i 2018 og videreføres i budgetperioden 2019-2021.", None),
        ("Analysen er forelagt udvalget pr. 31.12.2018.", None),
        ("Sag 20161234 er afsluttet, og der er brugt 2,5 mio. kr.", None),
        ("Som i 2016 er analysen forelagt udvalget.", "2016"),
        ("Planen fra 2016-2017 er forelagt udvalget pr. 1. oktober 2017.", "2016 og 2017"),
        ("Indsatsen er fuldt indfaset i 2025.", "2025"),
    ],
    ids=["next-year", "budget-period", "date", "longer-number", "earlier-year", "two-earlier-years", "beyond-the-budget-period"],
)
def test_a_milestone_may_name_the_budget_period_but_not_an_earlier_or_far_later_year(tmp_path, milestone, named):
    """A 2018 master may say "realiseres først fra 2019" (the seed's own milestones reach 2020):
    the year and its three overslagsår. An earlier year, or one beyond, is named with the cell."""
    master = _udvalg_07(tmp_path, year=2018, milestones=("", milestone, "", ""))
    expected = (
        []
        if named is None
        else [
            f"Indsatser!K4: Milepæl 2 for indsats 7.03 nævner {named}, men aftalens År er 2018; "
            "ret teksten, eller ret År, hvis det er årstallet der er forkert"
        ]
    )
    assert _warnings(master) == expected


def test_the_2018_example_master_is_read_without_warnings():
    from conftest import EXAMPLE

    assert _warnings(EXAMPLE / "master.xlsx") == []


def test_an_element_number_stored_as_the_number_7_1_is_read_as_7_1_and_named_as_maybe_7_10(tmp_path):
    """Finance typed 7.10 in a General-formatted cell; Excel kept the number 7.1. The zero cannot be
    put back, so finance is told which cell and how to type it so it stays."""
    master = _udvalg_07(tmp_path, numbers=("7.09", "7.10", "7.11"))
    _edit(master, ELEMENTS_SHEET, {"A3": 7.1})

    found = []
    agreement = read_master(master, warnings=found)
    assert [e.number for e in agreement.elements] == ["7.09", "7.1", "7.11"]
    assert [str(w) for w in found] == [
        "Indsatser!A3: nummeret står som tallet 7.1; stod der 7.10, er nullet tabt. Formatér kolonnen Nummer som Tekst og skriv nummeret igen"
    ]


@pytest.mark.parametrize("typed, read", [(7.01, "7.01"), (7.13, "7.13"), (7, "7"), (7.0, "7")])
def test_an_element_number_stored_as_a_number_with_nothing_lost_is_read_as_typed_without_a_warning(tmp_path, typed, read):
    master = _udvalg_07(tmp_path, numbers=("7.50", "7.02", "7.03"))
    _edit(master, ELEMENTS_SHEET, {"A2": typed})

    found = []
    agreement = read_master(master, warnings=found)
    assert [e.number for e in agreement.elements] == [read, "7.02", "7.03"]
    assert found == []


def test_an_element_number_excel_made_into_a_date_is_an_error_naming_the_cell(tmp_path):
    """Danish Excel turns a typed 7.01 into 7 January: which number was meant is a guess, so the run stops."""
    master = _udvalg_07(tmp_path)
    _edit(master, ELEMENTS_SHEET, {"A2": date(2031, 1, 7)})

    assert _problems(master) == [
        "Indsatser!A2: nummeret står som datoen 7. januar 2031; Excel gør et nummer som 7.01 til en dato. "
        "Formatér kolonnen Nummer som Tekst, og skriv nummeret igen"
    ]


def test_a_result_stored_as_the_same_number_as_its_element_still_belongs_to_it(tmp_path):
    """Both Nummer columns are read the same way: 7.1 in Resultater is the element stored as 7.1,
    and only the element's own cell is warned about."""
    master = _udvalg_07(
        tmp_path, numbers=("7.09", "7.10", "7.11"), results=[Result("7.10", 1, Smiley.GREEN, "Status for 7.10.", Smiley.GREEN, "")]
    )
    _edit(master, ELEMENTS_SHEET, {"A3": 7.1})
    _edit(master, "Resultater", {"A2": 7.1})

    found = []
    agreement = read_master(master, warnings=found)
    assert agreement.result("7.1", 1).status == "Status for 7.10."
    assert [w.cell for w in found] == ["A3"]


def test_warnings_found_before_an_error_are_still_handed_back(tmp_path):
    """Finance fixes both in one pass: the title's old year and the unknown committee."""
    master = _udvalg_07(tmp_path, year=2027)
    _edit(master, "Aftale", {"B3": "Aftale om budget 2018"})
    _edit(master, ELEMENTS_SHEET, {"C2": "Udvalg 99"})

    found = []
    with pytest.raises(MasterError):
        read_master(master, warnings=found)
    assert [f"{w.sheet}!{w.cell}" for w in found] == ["Aftale!B3"]
