"""`followup new-year`: next year's master from this year's, checked as finance would check it."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from synthetic import synthetic_agreement

from workbook_tools import yearfolder
from workbook_tools.danish import long_date
from workbook_tools.demo import run_demo
from workbook_tools.master import MasterError, read_master, write_master
from workbook_tools.model import Agreement, Committee, Element, Result, Round, Smiley
from workbook_tools.newyear import (
    NewYearError,
    new_year_lines,
    replace_year,
    roll_over,
    write_new_year,
)
from workbook_tools.pipeline import generate_round
from workbook_tools.resources import factory_layout, factory_mail_texts
from workbook_tools.yearfolder import LAYOUT_NAME

# --- from the demo's merged master ---------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory) -> Path:
    """The example's master after rounds 1 and 2 were collected: it has results to clear."""
    out = tmp_path_factory.mktemp("demo")
    run_demo(out, pdf=False)
    master = out / "round-2" / "master.xlsx"
    assert read_master(master).results, "the demo's round-2 master should hold results"
    return master


@pytest.fixture(scope="module")
def rolled(demo_master, tmp_path_factory):
    out = tmp_path_factory.mktemp("aar-2019")
    return write_new_year(demo_master, 2019, out), out


def test_the_new_master_is_2019_with_everything_but_the_results(demo_master, rolled):
    result, out = rolled
    old, new = read_master(demo_master), read_master(out / "master.xlsx")
    assert new == result.agreement
    assert new.year == 2019 and new.results == ()
    assert new.committees == old.committees and new.departments == old.departments
    assert [e.number for e in new.elements] == [e.number for e in old.elements]
    assert [(e.title, e.agreement_text, e.economy_text) for e in new.elements] == [
        (e.title, e.agreement_text, e.economy_text) for e in old.elements
    ]
    assert (new.office, new.phone, new.email, new.contact, new.case_number) == (
        old.office, old.phone, old.email, old.contact, old.case_number,
    )  # fmt: skip
    assert [r.label for r in new.rounds] == [
        "1. budgetopfølgning 2019",
        "2. budgetopfølgning 2019",
        "3. budgetopfølgning 2019",
        "31.12.2019",
    ]
    assert new.title == "Aftale om budget 2019"
    assert new.date == date(2019, 7, 4)
    assert "2018" not in new.guide_progress and "2018" not in new.guide_economy
    assert "31. december 2019" in new.guide_progress
    assert result.written == [out / "master.xlsx"] and result.dropped == []


def test_every_change_and_mention_names_the_cell_finance_finds_it_in(rolled):
    result, out = rolled
    wb = openpyxl.load_workbook(out / "master.xlsx")

    def cell(place):
        sheet, ref = place.split("!")
        return wb[sheet][ref].value

    assert cell("Aftale!B3") == "Aftale om budget 2019"
    for c in result.changes:
        value = cell(c.place)
        shown = long_date(value.date()) if isinstance(value, datetime) else str(value)
        assert shown == c.new, c.place
    for m in result.mentions:
        assert cell(m.place) == m.text
    assert {c.place for c in result.changes if c.element} >= {"Indsatser!L4", "Indsatser!J6"}  # 5.08.1 round 3, 5.08.3 round 1


def _strings(path: Path) -> list[tuple[str, str]]:
    """Every text a reader can meet in a workbook: cells, dropdown prompts and messages, headers."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            out += [(f"{ws.title}!{c.coordinate}", c.value) for c in row if isinstance(c.value, str)]
        for dv in ws.data_validations.dataValidation:
            out += [(f"{ws.title} dropdown", t) for t in (dv.prompt, dv.promptTitle, dv.error, dv.errorTitle) if t]
        for hf in (ws.oddHeader, ws.oddFooter):
            out += [(f"{ws.title} sidehoved", t) for t in (hf.left.text, hf.center.text, hf.right.text) if t]
    return out


def test_round_one_templates_name_2018_only_in_texts_listed_for_finance(rolled, tmp_path):
    result, out = rolled
    made = generate_round(out / "master.xlsx", 1, tmp_path / "skabeloner")
    assert made
    a = result.agreement
    rewritten = {a.title, a.guide_progress, a.guide_economy, *(r.label for r in a.rounds)}
    milestones = {m for e in a.elements for m in e.milestones if m}
    for m in made:
        texts = _strings(tmp_path / "skabeloner" / m.file)
        assert any("Aftale om budget 2019" in t for _, t in texts)
        assert sum("2018" in t for _, t in texts) >= 5  # the example's agreement texts do name 2018
        for where, text in texts:
            if "2018" not in text:
                continue
            listed = [x for x in result.mentions if x.text == text or text in x.text]
            assert listed, f"{where} nævner 2018, men står ikke blandt de tekster, finance skal læse: {text[:100]!r}"
            assert text not in rewritten, where
            if text in milestones:  # a milestone keeps 2018 only as one end of a period ("i 2018-2019")
                assert "2018-2019" in text and "2018" not in text.replace("2018-2019", ""), where
    fields = {(x.element, x.field) for x in result.mentions}
    assert ("5.13", "Økonomi") in fields and ("5.10", "Milepæl 1") in fields
    assert not any(x.field in ("Titel", "Læsevejledning indsats", "Læsevejledning økonomi") and not x.element for x in result.mentions)


def test_the_lines_say_what_was_written_changed_and_left_to_read(rolled):
    result, out = rolled
    lines = new_year_lines(result)
    assert lines[0] == f"Masterfilen for 2019 er skrevet: {out / 'master.xlsx'}"
    assert "9 indsatser er ført over til 2019; resultaterne er ikke ført med." in lines
    assert '  Aftale!B3 (Titel): "Aftale om budget 2018" → "Aftale om budget 2019"' in lines
    assert '  Runder!B5 (Betegnelse runde 4): "31.12.2018" → "31.12.2019"' in lines
    heading = lines.index("Disse tekster nævner stadig 2018; læs dem igennem:")
    assert '  Indsatser!I10 (indsats 5.13, Økonomi): "Der er afsat 1,8 mio. kr. i 2018"' in lines[heading:]
    assert all(len(line) < 250 for line in lines)  # the reading guides are shortened around the year


# --- only the open indsatser ------------------------------------------------------------------


def _answered(number: str, round_number: int, progress: Smiley | None, economy: Smiley | None) -> Result:
    return Result(number, round_number, progress, "Status (syntetisk).", economy, "")


def _udvalg_07() -> Agreement:
    """Udvalg 07 with indsatser 7.01–7.06, each with its own history of answers."""
    base = synthetic_agreement(committees=1, elements=1)
    elements = tuple(Element(f"7.0{i}", f"Indsats 7.0{i} (syntetisk)", "Udvalg 07") for i in range(1, 7))
    g, y, r = Smiley.GREEN, Smiley.YELLOW, Smiley.RED
    results = (
        _answered("7.01", 1, y, g), _answered("7.01", 2, g, g),  # done in its latest round
        _answered("7.02", 1, g, g), _answered("7.02", 2, g, r),  # economy went red
        _answered("7.03", 1, r, r), _answered("7.03", 3, g, g),  # done; round 2 skipped
        # 7.04: never answered
        _answered("7.05", 2, g, None),  # no economy smiley: not green on both
        _answered("7.06", 1, g, g), Result("7.06", 2),  # an empty row is no answer
    )  # fmt: skip
    return replace(base, committees=(Committee("Udvalg 07", "7"),), elements=elements, results=results)


def test_only_open_leaves_out_what_was_green_on_both_in_its_latest_round():
    result = roll_over(_udvalg_07(), 2032, only_open=True)
    assert result.dropped == ["7.01", "7.03", "7.06"]
    assert [e.number for e in result.agreement.elements] == ["7.02", "7.04", "7.05"]
    assert result.agreement.results == ()
    assert result.agreement.committees == (Committee("Udvalg 07", "7"),)
    assert (
        "3 indsatser er udeladt med --only-open, fordi de fik Grøn på både indsats og økonomi i seneste runde: 7.01, 7.03, 7.06"
        in new_year_lines(result)
    )


def test_without_only_open_every_indsats_is_carried_over():
    result = roll_over(_udvalg_07(), 2032)
    assert len(result.agreement.elements) == 6 and result.dropped == []


# --- the year in texts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Aftale om budget 2018", "Aftale om budget 2019"),
        ("31.12.2018", "31.12.2019"),
        ("pr. 1. oktober 2018.", "pr. 1. oktober 2019."),
        ("2018-budgettet", "2019-budgettet"),
        ("frist 2018-12-31", "frist 2019-12-31"),
        ("i marts 2018 og i 2018-2019", "i marts 2019 og i 2018-2019"),
        # periods stay as adopted: "2019-2019" would read oddly, "2019-2020" changes the agreement
        ("indsatsplan i 2018-2019", "indsatsplan i 2018-2019"),
        ("perioden 2017–2018", "perioden 2017–2018"),
        ("skoleåret 2018/19", "skoleåret 2018/19"),
        ("2018 - 2021", "2018 - 2021"),
        # not the year
        ("sag 12018", "sag 12018"),
        ("42018,5 kr.", "42018,5 kr."),
        ("2018,5 mio. kr.", "2018,5 mio. kr."),
        ("budget2018", "budget2018"),
        # other years stay
        ("realiseres først fra 2019", "realiseres først fra 2019"),
        ("fra 2017", "fra 2017"),
    ],
)
def test_only_the_old_year_standing_alone_is_replaced(text, expected):
    assert replace_year(text, 2018, 2019) == expected


def _with_texts(milestone: str, economy: str):
    a = synthetic_agreement(committees=1, elements=1, year=2018)
    e = replace(a.elements[0], milestones=(milestone, "", "", ""), economy_text=economy)
    return replace(a, elements=(e,))


def test_a_period_in_a_milestone_is_kept_and_listed_and_agreement_texts_are_only_listed():
    result = roll_over(_with_texts("Plan for 2018-2019 er vedtaget i 2018.", "Der er afsat 2,5 mio. kr. i 2018."), 2019)
    e = result.agreement.elements[0]
    assert e.milestones[0] == "Plan for 2018-2019 er vedtaget i 2019."
    assert e.economy_text == "Der er afsat 2,5 mio. kr. i 2018."
    assert {(m.place, m.element, m.field) for m in result.mentions} == {
        ("Indsatser!J2", "1.01", "Milepæl 1"),
        ("Indsatser!I2", "1.01", "Økonomi"),
    }


def test_more_than_one_year_on_replaces_the_old_year_and_lists_the_skipped_one():
    a = synthetic_agreement(committees=1, elements=1, year=2018)
    a = replace(a, rounds=(Round(1, "1. budgetopfølgning 2018", date(2018, 2, 28)), *a.rounds[1:]))
    a = replace(a, elements=(replace(a.elements[0], milestones=("Klar i 2018, drift fra 2019.", "", "", "")),))
    result = roll_over(a, 2020)
    assert result.agreement.title == "Aftale om budget 2020"
    assert result.agreement.rounds[0] == Round(1, "1. budgetopfølgning 2020", date(2020, 2, 28))
    assert result.agreement.elements[0].milestones[0] == "Klar i 2020, drift fra 2019."
    assert ("Aftale!B2", "2018", "2020") in {(c.place, c.old, c.new) for c in result.changes}
    lines = new_year_lines(result)
    assert "Bemærk: masterfilen springer 2019 over; 2018 er skiftet direkte til 2020." in lines
    assert "Disse tekster nævner stadig 2018 eller 2019; læs dem igennem:" in lines
    assert any(m.field == "Milepæl 1" for m in result.mentions)


def test_deadlines_and_date_move_on_by_the_years_leap_day_to_the_28th():
    a = synthetic_agreement(committees=1, elements=1, year=2024)
    a = replace(a, date=date(2024, 2, 29), rounds=(Round(1, "Første runde", date(2024, 3, 15)),))
    result = roll_over(a, 2025)
    assert result.agreement.date == date(2025, 2, 28)
    assert result.agreement.rounds == (Round(1, "Første runde", date(2025, 3, 15)),)
    assert ("Runder!C2", "15. marts 2024", "15. marts 2025") in {(c.place, c.old, c.new) for c in result.changes}


@pytest.mark.parametrize("year", [2018, 2017, 1899, 2201])
def test_a_year_that_is_not_after_the_masters_is_refused_in_danish(year):
    with pytest.raises(ValueError, match="år"):
        roll_over(synthetic_agreement(committees=1, elements=1, year=2018), year)


# --- the folders ------------------------------------------------------------------------------


@pytest.fixture
def old_folder(tmp_path) -> Path:
    folder = tmp_path / "Budgetopfølgning 2031"
    write_master(synthetic_agreement(committees=1, elements=2), folder / "master.xlsx")
    return folder


def test_a_folder_that_already_holds_a_master_is_refused_unless_overwrite(old_folder, tmp_path):
    new = tmp_path / "Budgetopfølgning 2032"
    write_new_year(old_folder / "master.xlsx", 2032, new)
    with pytest.raises(NewYearError, match="--overwrite") as refused:
        write_new_year(old_folder / "master.xlsx", 2032, new)
    assert str(new) in str(refused.value)
    assert read_master(write_new_year(old_folder / "master.xlsx", 2032, new, overwrite=True).written[0]).year == 2032


def test_the_old_masters_own_folder_is_refused(old_folder):
    before = (old_folder / "master.xlsx").read_bytes()
    for target in (old_folder, old_folder / ".." / old_folder.name):
        with pytest.raises(NewYearError, match="gamle masterfil"):
            write_new_year(old_folder / "master.xlsx", 2032, target, overwrite=True)
    assert (old_folder / "master.xlsx").read_bytes() == before


def test_layout_and_mail_texts_beside_the_old_master_come_along(old_folder, tmp_path):
    (old_folder / "layout.xlsx").write_bytes(b"layout (syntetisk)")
    (old_folder / "mailtekster").mkdir()
    (old_folder / "mailtekster" / "skabelon.txt").write_text("Kære udvalg (syntetisk)", encoding="utf-8")
    new = tmp_path / "ny"
    result = write_new_year(old_folder / "master.xlsx", 2032, new)
    assert result.written == [new / "master.xlsx", new / "layout.xlsx", new / "mailtekster"]
    assert (new / "layout.xlsx").read_bytes() == b"layout (syntetisk)"
    assert (new / "mailtekster" / "skabelon.txt").read_text(encoding="utf-8") == "Kære udvalg (syntetisk)"
    assert f"Kopieret fra den gamle mappe: {new / 'layout.xlsx'}" in new_year_lines(result)


def test_a_layout_already_in_the_new_folder_is_kept(old_folder, tmp_path):
    (old_folder / "layout.xlsx").write_bytes(b"sidste aar")
    new = tmp_path / "ny"
    new.mkdir()
    (new / "layout.xlsx").write_bytes(b"redigeret til i aar")
    result = write_new_year(old_folder / "master.xlsx", 2032, new)
    assert (new / "layout.xlsx").read_bytes() == b"redigeret til i aar"
    assert result.kept == [new / "layout.xlsx"] and result.written == [new / "master.xlsx"]


def test_a_broken_old_master_is_reported_as_a_master_error(tmp_path):
    (tmp_path / "gammel").mkdir()
    (tmp_path / "gammel" / "master.xlsx").write_bytes(b"ikke en projektmappe")
    with pytest.raises(MasterError):
        write_new_year(tmp_path / "gammel" / "master.xlsx", 2032, tmp_path / "ny")
    assert not (tmp_path / "ny" / "master.xlsx").exists()


def test_an_unedited_earlier_factory_text_becomes_todays_and_an_edited_one_stays(old_folder, tmp_path, monkeypatch):
    """Copied forward year after year, an untouched mail text would keep last version's wording for ever."""
    earlier = "Emne: {runde}: skabelon\n\nHermed skabelonen til {runde} af {aftale}.\n"  # the shape of an older factory text
    monkeypatch.setitem(yearfolder.EARLIER_FACTORY, "skabelon.txt", frozenset({hashlib.sha256(earlier.encode()).hexdigest()}))
    (old_folder / "mailtekster").mkdir()
    (old_folder / "mailtekster" / "skabelon.txt").write_text(earlier, encoding="utf-8")
    (old_folder / "mailtekster" / "rykker.txt").write_text(earlier + "Rettet af økonomi (syntetisk).\n", encoding="utf-8")
    new = tmp_path / "ny"
    result = write_new_year(old_folder / "master.xlsx", 2032, new)
    assert (new / "mailtekster" / "skabelon.txt").read_bytes() == factory_mail_texts().joinpath("skabelon.txt").read_bytes()
    assert (new / "mailtekster" / "rykker.txt").read_text(encoding="utf-8").endswith("Rettet af økonomi (syntetisk).\n")
    assert result.refreshed == [new / "mailtekster" / "skabelon.txt"]
    assert f"Standardens nye udgave (den gamle var ikke rettet): {new / 'mailtekster' / 'skabelon.txt'}" in new_year_lines(result)


def test_the_earlier_factory_files_are_not_todays():
    today = {LAYOUT_NAME: factory_layout().read_bytes(), **{i.name: i.read_bytes() for i in factory_mail_texts().iterdir()}}
    for name, hashes in yearfolder.EARLIER_FACTORY.items():
        assert hashlib.sha256(today[name]).hexdigest() not in hashes, f"today's {name} is listed as an earlier one"
