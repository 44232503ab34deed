"""The consolidated overview finance reads after `collect`: overview.xlsx.

The story: three synthetic committees. Round 1's answers are already in the
master. At round 2 Udvalg 01 returns on time (plus a stale round-1 copy that is
rejected), Udvalg 02 returns after the deadline, Udvalg 03 does not return.
Every number and row below is worked out by hand from the answers in `ROUND_1`
and `ROUND_2`.
"""

import os
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pytest
from fill_kit import fill_template
from python_calamine import CalamineWorkbook
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools.cli import main
from workbook_tools.master import write_master
from workbook_tools.model import Result, Smiley
from workbook_tools.report import changes, excel_text, safe_sheet_name, status_counts, write_overview
from workbook_tools.sheetplan import COL_TEXT, Mode, plan_sheet
from workbook_tools.template import generate_templates
from workbook_tools.texts import Texts, load_texts
from workbook_tools.xlsxio import sha256_of

G, Y, R = Smiley.GREEN, Smiley.YELLOW, Smiley.RED
GREEN, YELLOW, RED = "☺ Grøn", "😐 Gul", "☹ Rød"

# element: (progress, status, economy, economy status)
ROUND_1 = {
    "1.01": (G, "Godt i gang.", G, ""),
    "1.02": (R, "Forsinket.", G, ""),
    "1.03": (Y, "Lidt bagud.", R, "Mangler 0,2 mio. kr."),
    "2.01": (G, "", G, ""),
    "2.02": (R, "Ingen leverandør.", R, ""),
    "2.03": (G, "", G, ""),
    "3.01": (R, "Ikke startet.", G, ""),
    "3.02": (G, "", G, ""),
    "3.03": (Y, "Afventer.", G, ""),
}
ROUND_2 = {
    "1.01": (R, "Leverandøren er gået konkurs.", R, "Merudgift på 1 mio. kr."),
    "1.02": (R, "Forsinket.", G, ""),
    "1.03": (G, "Indhentet.", R, "Mangler 0,2 mio. kr."),
    "2.01": (Y, "Lidt forsinket.", G, ""),
    "2.02": (R, "Stadig ingen leverandør.", G, ""),
    "2.03": (G, "", G, ""),
}
LATE = datetime(2031, 6, 20, 12, 0).timestamp()  # round 2's deadline is 15 June 2031


def answers(table: dict, round_number: int, prefix: str = "") -> list[Result]:
    return [Result(e, round_number, p, s, ec, es) for e, (p, s, ec, es) in table.items() if e.startswith(prefix)]


def rows(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def table(path, sheet, heading_row):
    """The rows of a sheet's table under its heading row, numbers as ints, trailing blanks off."""
    out = []
    for row in rows(path, sheet)[heading_row:]:
        row = [int(v) if isinstance(v, float) and v.is_integer() else v for v in row]
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    return out


@pytest.fixture
def collected(tmp_path, texts):
    """Round 2 collected for three committees as the module docstring tells; returns the out folder."""
    agreement = synthetic_agreement(committees=3, elements=3).with_results(answers(ROUND_1, 1))
    master = write_master(agreement, tmp_path / "master.xlsx")
    made = generate_templates(agreement, 2, tmp_path / "templates", texts)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for m in made:
        if m.committee == "Udvalg 03":
            continue
        prefix = m.committee[-1] + "."
        fill_template(tmp_path / "templates" / m.file, inbox / m.file, agreement, m.committee, 2, answers(ROUND_2, 2, prefix), texts)
        if m.committee == "Udvalg 02":
            os.utime(inbox / m.file, (LATE, LATE))
    stale = generate_templates(agreement, 1, tmp_path / "old", texts, committees=["Udvalg 01"])[0]
    fill_template(
        tmp_path / "old" / stale.file,
        inbox / "gammel_udgave.xlsx",
        agreement,
        "Udvalg 01",
        1,
        synthetic_answers(agreement, "Udvalg 01", 1),
        texts,
    )
    out = tmp_path / "result"
    code = main(["collect", str(master), "--round", "2", "--out", str(out), "--no-pdf", str(inbox)])
    assert code == 1  # the stale copy is rejected
    return out


def test_the_status_sheet_counts_each_committees_smileys_per_round_latest_round_first(collected):
    assert table(collected / "overview.xlsx", "Status", 2) == [
        ["Runde", "Udvalg", "Grøn", "Gul", "Rød", "Mangler", "I alt", "Økonomi: Grøn", "Økonomi: Rød", "Økonomi: Mangler"],
        ["2. budgetopfølgning 2031", "Udvalg 01", 1, 0, 2, 0, 3, 1, 2, 0],
        ["2. budgetopfølgning 2031", "Udvalg 02", 1, 1, 1, 0, 3, 3, 0, 0],
        ["2. budgetopfølgning 2031", "Udvalg 03", 0, 0, 0, 3, 3, 0, 0, 3],
        ["1. budgetopfølgning 2031", "Udvalg 01", 1, 1, 1, 0, 3, 2, 1, 0],
        ["1. budgetopfølgning 2031", "Udvalg 02", 2, 0, 1, 0, 3, 2, 1, 0],
        ["1. budgetopfølgning 2031", "Udvalg 03", 1, 1, 1, 0, 3, 3, 0, 0],
    ]


def test_the_status_chart_stacks_this_rounds_counts_per_committee_in_the_smiley_colours(collected):
    with zipfile.ZipFile(collected / "overview.xlsx") as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert '<c:barDir val="bar"/>' in xml and '<c:grouping val="stacked"/>' in xml
    # Series green, yellow, red, missing over this round's three committees (rows 4-6).
    assert re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", xml) == [f"Status!${c}$4:${c}$6" for c in "CDEF"]
    assert re.findall(r'<a:srgbClr val="([0-9A-F]{6})"/></a:solidFill><a:ln', xml)[:4] == ["63BE7B", "FFEB84", "F8696B", "D9D9D9"]


def test_the_changes_sheet_lists_new_reds_red_streaks_moves_flips_and_copied_texts(collected):
    assert table(collected / "overview.xlsx", "Ændringer", 0)[0] == ["Ændringer fra 1. budgetopfølgning 2031 til 2. budgetopfølgning 2031"]
    assert table(collected / "overview.xlsx", "Ændringer", 2) == [
        ["Ændring", "Udvalg", "Nummer", "Indsats", "Fra", "Til", "Tekst"],
        ["Ny rød", "Udvalg 01", "1.01", "Element 1.01", GREEN, RED],
        ["Rød i 2 runder i træk", "Udvalg 01", "1.02", "Element 1.02", RED, RED],
        ["Rød i 2 runder i træk", "Udvalg 02", "2.02", "Element 2.02", RED, RED],
        ["Smiley på indsats ændret", "Udvalg 01", "1.01", "Element 1.01", GREEN, RED],
        ["Smiley på indsats ændret", "Udvalg 01", "1.03", "Element 1.03", YELLOW, GREEN],
        ["Smiley på indsats ændret", "Udvalg 02", "2.01", "Element 2.01", GREEN, YELLOW],
        ["Smiley på økonomi ændret", "Udvalg 01", "1.01", "Element 1.01", GREEN, RED],
        ["Smiley på økonomi ændret", "Udvalg 02", "2.02", "Element 2.02", RED, GREEN],
        ["Status uændret fra forrige runde", "Udvalg 01", "1.02", "Element 1.02", "", "", "Forsinket."],
        ["Status økonomi uændret fra forrige runde", "Udvalg 01", "1.03", "Element 1.03", "", "", "Mangler 0,2 mio. kr."],
    ]


def test_a_red_streak_counts_every_round_in_a_row():
    a = synthetic_agreement(committees=1, elements=1)
    a = a.with_results([Result("1.01", r, R, f"Runde {r}.") for r in (1, 2, 3)])
    assert [(c.kind, c.rounds) for c in changes(a, 3)] == [("red_streak", 3)]
    assert [(c.kind, c.before, c.after) for c in changes(a, 1)] == [("new_red", None, R)]


def test_the_returns_sheet_sets_expected_against_received_accepted_late_and_missing(collected):
    got = table(collected / "overview.xlsx", "Besvarelser", 0)
    assert got[:5] == [
        ["Udvalg", "Center", "Forventet", "Modtaget", "Godkendt", "For sent", "Mangler", "Indsatser uden svar"],
        ["Udvalg 01", "", 1, 2, 1, 0, 0, 0],
        ["Udvalg 02", "", 1, 1, 1, 1, 0, 0],
        ["Udvalg 03", "", 1, 0, 0, 0, 1, 3],
        ["I alt", "", 3, 3, 2, 1, 1, 3],
    ]
    assert got[6] == ["Modtagne filer"]
    assert got[7][:6] == ["Fil", "Udvalg", "Center", "Modtaget den", "Behandling", "For sent"]
    files = {r[0]: r[1:] for r in got[8:]}
    assert files["inbox/gammel_udgave.xlsx"][3] == "Afvist"
    assert files["inbox/runde-2_Udvalg-01.xlsx"][3] == "Godkendt"
    assert files["inbox/runde-2_Udvalg-02.xlsx"][3:5] == ["Godkendt", "Ja"]
    assert files["inbox/runde-2_Udvalg-02.xlsx"][2].date() == date(2031, 6, 20)


def test_the_sources_sheet_names_file_sha256_and_template_version_of_each_merged_value(collected, tmp_path):
    got = {(r[1], r[3]): r for r in table(collected / "overview.xlsx", "Kilder", 0)[1:]}
    row = got[("1.01", "2. budgetopfølgning 2031")]
    assert row[:6] == ["Udvalg 01", "1.01", "Element 1.01", "2. budgetopfølgning 2031", RED, RED]
    assert row[6:9] == ["Leverandøren er gået konkurs.", "Merudgift på 1 mio. kr.", "inbox/runde-2_Udvalg-01.xlsx"]
    assert row[9] == sha256_of(tmp_path / "inbox" / "runde-2_Udvalg-01.xlsx")
    assert isinstance(row[10], datetime) and row[11] == "1"
    assert got[("1.01", "1. budgetopfølgning 2031")][8] == "(masterfilen)"  # round 1 was typed into the master
    assert ("3.01", "2. budgetopfølgning 2031") not in got


def test_the_overview_sheet_shows_every_round_and_this_rounds_missing_answers_as_ikke_besvaret(collected):
    got = {r[1]: r for r in table(collected / "overview.xlsx", "Oversigt", 0)[1:]}
    assert got["1.01"] == [
        "Udvalg 01",
        "1.01",
        "Element 1.01",
        "Center 1",
        GREEN,
        RED,
        GREEN,
        RED,
        "Leverandøren er gået konkurs.",
        "Merudgift på 1 mio. kr.",
    ]
    assert got["3.01"][:8] == ["Udvalg 03", "3.01", "Element 3.01", "Center 1", RED, "Ikke besvaret", GREEN, "Ikke besvaret"]
    assert got["3.01"][8] == "Ikke startet."  # the latest status so far
    wb = openpyxl.load_workbook(collected / "overview.xlsx")
    ws = wb["Oversigt"]
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    unanswered = next(c for c in ws["F"] if c.value == "Ikke besvaret")
    assert unanswered.font.b and unanswered.font.color.rgb.endswith("C00000"), "stands out"
    assert [ws.title for ws in wb.worksheets] == ["Oversigt", "Status", "Ændringer", "Besvarelser", "Kilder", "Læsevejledning"]


def test_the_reading_guide_sheet_holds_the_guide_and_the_smiley_definitions(collected):
    text = [v for row in rows(collected / "overview.xlsx", "Læsevejledning") for v in row if v]
    assert "Syntetisk læsevejledning om indsats." in text
    i = text.index("Definition af smileys på indsats:")
    assert text[i + 1 : i + 4] == ["☺", "Grøn", "Milepæl er nået"]


def test_english_labels_with_lang_en_and_peoples_texts_as_written(tmp_path, master, round1):
    out = tmp_path / "en"
    assert main(["collect", str(master), "--round", "1", "--out", str(out), "--lang", "en", "--no-pdf", str(round1)]) == 0
    wb = CalamineWorkbook.from_path(str(out / "overview.xlsx"))
    assert wb.sheet_names == ["Overview", "Status", "Changes", "Returns", "Sources", "Reading guide"]
    head = rows(out / "overview.xlsx", "Overview")[0]
    assert head[:5] == ["Committee", "No.", "Element", "Department", "Progress – 1. budgetopfølgning 2031"]
    row = next(r for r in rows(out / "overview.xlsx", "Overview") if r[1] == "1.02")
    assert "☹ Red" in row and "Status for 1.02 i runde 1." in row


TRICKY = ["=SUM(A1)", "+45 12 34 56 78", "-2 mio. kr. i 2032", "@kontakt: se bilag"]


def test_status_texts_that_look_like_formulas_stay_text_in_every_output_workbook(tmp_path, agreement, master, texts):
    made = {m.committee: m for m in generate_templates(agreement, 1, tmp_path / "templates", texts)}
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    tricky = [
        replace(a, status=TRICKY[i], economy_status=TRICKY[(i + 1) % 4]) for i, a in enumerate(synthetic_answers(agreement, "Udvalg 01", 1))
    ]
    fill_template(tmp_path / "templates" / made["Udvalg 01"].file, inbox / "u1.xlsx", agreement, "Udvalg 01", 1, tricky, texts)
    # Udvalg 02 types "=SUM(A1)" over a locked title: rejected, and the validation list quotes it.
    edited = inbox / "u2.xlsx"
    fill_template(
        tmp_path / "templates" / made["Udvalg 02"].file,
        edited,
        agreement,
        "Udvalg 02",
        1,
        synthetic_answers(agreement, "Udvalg 02", 1),
        texts,
    )
    plan = plan_sheet(agreement, agreement.committee("Udvalg 02"), 1, texts, Mode.TEMPLATE)
    wb = openpyxl.load_workbook(edited)
    cell = wb[plan.sheet_name].cell(plan.element_rows["2.01"] + 1, COL_TEXT + 1)
    cell.value, cell.data_type = TRICKY[0], "s"
    wb.save(edited)
    out = tmp_path / "out"
    main(["collect", str(master), "--round", "1", "--out", str(out), "--no-pdf", str(inbox)])

    outputs = [out / "overview.xlsx", out / "master.xlsx", out / "validation.xlsx", out / "reports" / "Udvalg-01.xlsx"]
    for path in outputs:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert "<f>" not in z.read(name).decode(), f"{path.name} {name} holds a formula"
        values = {v for sheet in CalamineWorkbook.from_path(str(path)).sheet_names for row in rows(path, sheet) for v in row}
        expected = TRICKY[:1] if path.name == "validation.xlsx" else TRICKY
        assert set(expected) <= values, f"{path.name} lacks {set(expected) - values}"
    # Where Excel would re-read the text as a formula on editing, the cell carries a quote prefix.
    for path in (out / "overview.xlsx", out / "reports" / "Udvalg-01.xlsx"):
        wb = openpyxl.load_workbook(path)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value in TRICKY]
        assert cells and all(c.quotePrefix for c in cells), path.name


def test_sheet_names_are_made_safe_for_excel():
    assert safe_sheet_name("Ændringer [runde 2]: ny/gammel?*") == "Ændringer runde 2 ny gammel"
    assert safe_sheet_name("'" + "x" * 40 + "'") == "x" * 31
    assert safe_sheet_name("Status", ["status"]) == "Status (2)"
    assert safe_sheet_name("") == "Ark"


def test_sheet_names_edited_by_finance_are_cleaned_before_the_overview_is_written(tmp_path, agreement):
    base = load_texts()
    edited = dict(base.texts)
    edited["ov_sheet_changes"] = ("Ændringer: før/efter [runde]", "Changes")
    edited["ov_sheet_status"] = ("Oversigt", "Status")  # same name as another sheet
    path = write_overview(agreement, 1, Texts(texts=edited, look=base.look), tmp_path / "o.xlsx")
    assert CalamineWorkbook.from_path(str(path)).sheet_names == [
        "Oversigt",
        "Oversigt (2)",
        "Ændringer før efter runde",
        "Kilder",
        "Læsevejledning",
    ]


def test_texts_longer_than_an_excel_cell_are_cut_to_32767_characters(tmp_path):
    a = synthetic_agreement(committees=1, elements=1)
    a = replace(a, elements=(replace(a.elements[0], title="x" * 40_000),))
    path = write_overview(a, 1, load_texts(), tmp_path / "o.xlsx")
    assert len(rows(path, "Oversigt")[1][2]) == 32_767
    cut = excel_text("😐" * 20_000)  # each face is two UTF-16 units, as Excel counts
    assert cut == "😐" * 16_383  # the largest whole number of faces that fits, nothing else


def test_status_counts_of_a_round_nobody_answered_are_all_missing():
    a = synthetic_agreement(committees=2, elements=3)
    assert [(c.committee, c.missing, c.total) for c in status_counts(a, 1)] == [("Udvalg 01", 3, 3), ("Udvalg 02", 3, 3)]
