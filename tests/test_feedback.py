"""The annotated copy finance sends back: the sender's own workbook, problems marked and explained."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from returns_kit import HIDING_PLACES, cell_of, edit, found, hide_formula

from workbook_tools.feedback import COMMENT_AUTHOR, FILL, write_feedback, write_feedback_copies
from workbook_tools.integrity import FEEDBACK_SHEET
from workbook_tools.model import ECONOMY, STATUS, field_words
from workbook_tools.pipeline import collect_round
from workbook_tools.problems import AFSENDER, Problem, Reader, Severity, misaddressed
from workbook_tools.xlsxio import sha256_of

SHEET = "Opfølgning"
OFFICE = "Økonomi og Styring"


def fill_of(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill and cell.fill.fill_type == "solid" else ""


def a_bad_return(kit):
    """Protection off, a milestone edited, a word that is no smiley, yellow without a status text."""
    plan = kit.plan()
    refs = {
        "milestone": cell_of(plan, "1.02", "milestone", 1),
        "smiley": cell_of(plan, "1.03", "economy", 1),
        "status": cell_of(plan, "1.01", "status", 1),  # 1.01 is yellow in the synthetic answers
    }

    def staff(wb):
        ws = wb[SHEET]
        ws.protection.sheet = False
        ws[refs["milestone"]] = "Milepælen er flyttet"
        ws[refs["smiley"]] = "Blå"
        ws[refs["status"]] = None
        ws.protection.sheet = True

    return edit(kit.filled("udvalg-01.xlsx"), staff), refs


def test_a_rejected_return_gets_an_annotated_copy_and_the_original_is_untouched(kit, tmp_path):
    path, refs = a_bad_return(kit)
    before = sha256_of(path)
    check = kit.check(path)
    assert [p[0] for p in found(check)] == ["locked-cell-changed", "invalid-smiley", "status-text-required"]

    written, notes = write_feedback_copies([check], check.problems, tmp_path / "feedback", office=OFFICE)
    assert notes == []
    assert [p.name for p in written] == ["udvalg-01_tilbagemelding.xlsx"]
    assert sha256_of(path) == before, "the original is never modified"

    wb = openpyxl.load_workbook(written[0])
    assert wb.sheetnames[0] == FEEDBACK_SHEET and wb.active.title == FEEDBACK_SHEET
    ws = wb[SHEET]
    assert ws.protection.sheet, "protection is kept as the sender left it"
    assert fill_of(ws[refs["milestone"]]) == FILL[Severity.ERROR]
    assert fill_of(ws[refs["smiley"]]) == FILL[Severity.ERROR]
    assert fill_of(ws[refs["status"]]) == FILL[Severity.WARNING]
    comment = ws[refs["smiley"]].comment
    assert comment.author == OFFICE, "signed by the master's Afsender"
    economy = field_words(ECONOMY)
    assert comment.text == (
        f"Fejl: {economy[:1].upper()}{economy[1:]} i Opfølgning!{refs['smiley']} (indsats 1.03) indeholder »Blå«, som ikke er en gyldig smiley."
        f"\nVælg {economy} (Grøn eller Rød) i listen i cellen."
    )
    assert "skal stå som i skabelonen: »Milepæl 1 for element 1.02«" in ws[refs["milestone"]].comment.text
    assert ws["A1"].comment is None, "only problem cells are marked"

    summary = [[c.value for c in row] for row in wb[FEEDBACK_SHEET].iter_rows()]
    assert summary[2][0] == (
        f"Besvarelsen er ikke godkendt, fordi den har 2 fejl. Ret de røde celler i denne kopi, og send den tilbage til {OFFICE}; "
        "arket Tilbagemelding må gerne blive stående."
    )
    assert not any("AFVIST" in str(v) for row in summary for v in row), "no shouting at the sender"
    heads = next(row for row in summary if row[0] == "Alvor")
    assert heads[5] == "Hvad gør I?"
    table = [row for row in summary if row[-1] in ("locked-cell-changed", "invalid-smiley", "status-text-required")]
    assert [(r[0], r[1], r[2], r[3]) for r in table] == [
        ("Fejl", f"{SHEET}!{refs['milestone']}", "1.02", None),
        ("Fejl", f"{SHEET}!{refs['smiley']}", "1.03", economy),
        ("Advarsel", f"{SHEET}!{refs['status']}", "1.01", field_words(STATUS)),
    ]
    link = next(c for row in wb[FEEDBACK_SHEET].iter_rows() for c in row if c.value == f"{SHEET}!{refs['smiley']}")
    assert link.hyperlink.location == f"'{SHEET}'!{refs['smiley']}"


def test_the_copy_still_opens_and_still_reads_as_the_same_return(kit, tmp_path):
    path, _refs = a_bad_return(kit)
    check = kit.check(path)
    copy = write_feedback(check, check.problems, tmp_path / "kopi.xlsx")
    assert CalamineWorkbook.from_path(str(copy)).sheet_names == [FEEDBACK_SHEET, SHEET, "_followup"]
    again = kit.check(copy)
    assert found(again) == found(check)


def test_a_sender_who_fixes_the_white_cells_in_the_copy_can_send_it_back_and_it_passes(kit, tmp_path):
    plan = kit.plan()
    ref = cell_of(plan, "1.03", "economy", 1)

    def paste_word(wb):
        wb[SHEET][ref] = "Blå"

    bad = edit(kit.filled("svar.xlsx"), paste_word)
    check = kit.check(bad)
    copy = write_feedback(check, check.problems, tmp_path / "svar_tilbagemelding.xlsx")

    def fix(wb):
        wb[SHEET][ref] = "Grøn"

    fixed = edit(copy, fix, kit.returns / "svar-rettet.xlsx")
    again = kit.check(fixed)
    assert found(again) == []
    assert again.accepted


def test_a_return_with_only_warnings_gets_a_copy_that_says_it_was_accepted(kit, tmp_path):
    plan = kit.plan()
    ref = cell_of(plan, "1.02", "progress", 1)
    path = edit(kit.filled("svar.xlsx"), lambda wb: wb[SHEET].__setitem__(ref, "rød"))
    check = kit.check(path)
    assert found(check) == [("smiley-normalised", f"{SHEET}!{ref}", "1.02")]
    copy = write_feedback(check, check.problems, tmp_path / "kopi.xlsx")
    wb = openpyxl.load_workbook(copy)
    assert wb[FEEDBACK_SHEET]["A3"].value == (
        "Besvarelsen er godkendt. Se bemærkningerne i de gule celler, før I udfylder skabelonen næste gang."
    )
    assert fill_of(wb[SHEET][ref]) == FILL[Severity.WARNING]
    assert wb[SHEET][ref].comment.author == COMMENT_AUTHOR, "no Afsender given: a neutral author, never a name from the code"


def test_a_problem_on_a_merged_cell_is_marked_at_its_top_left_and_one_without_a_cell_only_in_the_list(kit, tmp_path):
    path = kit.filled("svar.xlsx")
    check = kit.check(path)
    title_part = Problem("locked-cell-changed", check.name, "Udvalg 01", "", SHEET, "B1", "", "x")  # B1 lies in the title's A1:F1
    whole = Problem("protection-removed", check.name, "Udvalg 01", sheet=SHEET, detail=SHEET)
    copy = write_feedback(check, [title_part, whole], tmp_path / "kopi.xlsx")
    wb = openpyxl.load_workbook(copy)
    assert "B1" in wb[SHEET]["A1"].comment.text
    codes = [row[-1].value for row in wb[FEEDBACK_SHEET].iter_rows()]
    assert "protection-removed" in codes


def test_collect_writes_copies_only_for_workbooks_with_warnings_or_errors(kit, master, tmp_path):
    kit.filled("ren.xlsx", author="Ren Afsender")  # another hand: not an older version of the bad one
    bad, _ = a_bad_return(kit)
    (kit.returns / "ikke-en-projektmappe.xlsx").write_text("hej")
    before = {p.name: sha256_of(p) for p in kit.returns.iterdir()}
    run = collect_round(master, 1, [kit.returns], tmp_path / "ud")
    assert sorted(p.name for p in (tmp_path / "ud" / "feedback").iterdir()) == ["udvalg-01_tilbagemelding.xlsx"]
    assert any(p.name == "udvalg-01_tilbagemelding.xlsx" for p in run.written)
    assert {p.name: sha256_of(p) for p in kit.returns.iterdir()} == before


def test_a_copy_that_no_longer_fits_is_moved_aside_when_the_sender_has_fixed_the_return(kit, master, tmp_path):
    """Collect runs again as returns come in: the old copy listing fixed problems must not be sent by mistake."""
    bad, _ = a_bad_return(kit)
    out = tmp_path / "ud"
    collect_round(master, 1, [kit.returns], out, pdf=False)
    old_copy = out / "feedback" / "udvalg-01_tilbagemelding.xlsx"
    assert old_copy.is_file()
    bad.unlink()
    kit.filled("udvalg-01.xlsx")  # sent again, fixed, under the same name

    run = collect_round(master, 1, [kit.returns], out, pdf=False)
    assert run.rejected == []
    assert [p.name for p in (out / "feedback").glob("*.xlsx")] == []
    assert (out / "feedback" / "forældede" / old_copy.name).is_file(), "moved aside, not deleted"
    assert any("passer ikke længere" in n and "forældede" in n for n in run.notes)


def test_a_copy_that_cannot_be_moved_aside_is_named_and_the_run_still_ends(kit, master, tmp_path):
    bad, _ = a_bad_return(kit)
    out = tmp_path / "ud"
    collect_round(master, 1, [kit.returns], out, pdf=False)
    (out / "feedback" / "forældede").write_text("en fil, hvor mappen skulle være")
    bad.unlink()
    kit.filled("udvalg-01.xlsx")

    run = collect_round(master, 1, [kit.returns], out, pdf=False)
    assert any("kunne ikke flyttes" in n and "udvalg-01_tilbagemelding.xlsx" in n and "Send dem ikke" in n for n in run.notes)
    assert (out / "master.xlsx").is_file() and run.written


def test_a_file_changed_after_it_was_checked_gets_no_copy(kit, tmp_path):
    path, _ = a_bad_return(kit)
    check = kit.check(path)
    path.write_bytes(path.read_bytes() + b"\x00")
    written, notes = write_feedback_copies([check], check.problems, tmp_path / "feedback")
    assert written == [] and "ændret" in notes[0]


def test_feedback_names_are_the_senders_file_name_without_finances_folders():
    from workbook_tools.outfolder import distinct_feedback_name, feedback_file_name

    assert feedback_file_name("indbakke/Udvalg 01/svar.xlsx") == "svar_tilbagemelding.xlsx"
    assert (
        feedback_file_name("round-1/runde-1_Udvalg-02.xlsx")
        == feedback_file_name("indbakke/runde-1_Udvalg-02.xlsx")
        == "runde-1_Udvalg-02_tilbagemelding.xlsx"
    )
    assert feedback_file_name("e-mail.eml › svar.xlsx") == "svar_tilbagemelding.xlsx"
    assert feedback_file_name("?.xlsx") == "besvarelse_tilbagemelding.xlsx"
    assert distinct_feedback_name("svar_tilbagemelding.xlsx", "0123456789abcdef") == "svar_01234567_tilbagemelding.xlsx"


def test_user_text_in_the_summary_never_becomes_a_formula(kit, tmp_path):
    path = kit.filled("svar.xlsx")
    check = kit.check(path)
    evil = Problem("late-return", "svar.xlsx", "Udvalg 01", element='=HYPERLINK("http://x")', found="=1+1", expected="2031-03-15")
    copy = write_feedback(check, [evil], tmp_path / "kopi.xlsx")
    wb = openpyxl.load_workbook(copy)
    message = next(c for row in wb[FEEDBACK_SHEET].iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert message.data_type == "s" and message.quotePrefix
    assert all(c.data_type == "s" for row in wb[FEEDBACK_SHEET].iter_rows() for c in row if c.value)


def test_followup_check_says_why_it_made_no_annotated_copy(kit, master, tmp_path, capsys, monkeypatch):
    from workbook_tools import feedback
    from workbook_tools.cli import main

    path = kit.filled("stor.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Noter")["A1"] = "et ekstra ark: en advarsel, så afsenderen skal have en kopi"
    wb.save(path)
    monkeypatch.setattr(feedback, "MAX_ANNOTATED_BYTES", 1_000)  # stands in for a workbook of many megabytes
    code = main(["check", str(master), "--round", "1", "--feedback", str(tmp_path / "tilbage"), str(path)])
    out = capsys.readouterr().out
    assert code == 0  # a warning does not reject
    assert "Ingen kommenteret kopi af stor.xlsx: filen fylder over" in out
    assert "validation.xlsx" not in out, "check writes no validation.xlsx"
    assert not (tmp_path / "tilbage").exists() or not any((tmp_path / "tilbage").iterdir())


_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>.*?</(?:\w+:)?t>", re.S)


def rules_and_dropdowns(path) -> tuple[list, list]:
    ws = openpyxl.load_workbook(path)[SHEET]
    rules = sorted((str(cf.sqref), tuple(r.formula or ())) for cf in ws.conditional_formatting for r in cf.rules)
    dropdowns = sorted((str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation)
    return rules, dropdowns


# openpyxl says so when it drops the x14 rule; that drop is how the copy leaves it out.
@pytest.mark.filterwarnings("ignore:Conditional Formatting extension is not supported:UserWarning")
@pytest.mark.parametrize("place", sorted(HIDING_PLACES))
def test_a_formula_hidden_outside_the_cells_is_reported_and_left_out_of_the_copy_which_keeps_the_templates_rules(kit, tmp_path, place):
    clean = kit.filled("udvalg-01.xlsx")
    planted = hide_formula(clean, place, tmp_path / f"plantet-{place}.xlsx")
    check = kit.check(planted)
    [warning] = [p for p in check.problems if p.code == "formulas-outside-cells"]
    assert f"example.invalid/{place}" in warning.message, "the warning quotes the formula, so finance sees what it calls"
    assert check.accepted, "the answers still count"

    copy = write_feedback(check, check.problems, tmp_path / "kopi.xlsx")
    with zipfile.ZipFile(copy) as z:
        # The summary and comments quote the formula as text (<t>); anywhere else it would run.
        kept = [name for name in z.namelist() if f"example.invalid/{place}".encode() in _TEXT.sub(b"", z.read(name))]
    assert kept == [], f"the copy would still run the sender's formula from {kept}"
    assert rules_and_dropdowns(copy) == rules_and_dropdowns(clean), "the copy still colours the smileys and offers their lists"
    assert not any(p.code == "formulas-outside-cells" for p in kit.check(copy).problems), "sent back, the copy is clean"


def summary_rows(copy) -> list[list]:
    return [[c.value for c in row] for row in openpyxl.load_workbook(copy)[FEEDBACK_SHEET].iter_rows()]


def test_an_error_of_the_whole_besvarelse_is_not_sent_to_red_cells_that_are_not_there(kit, tmp_path):
    path = kit.filled("svar.xlsx")
    check = kit.check(path)
    wrong_round = Problem("wrong-round", check.name, "Udvalg 01", expected="2", found="1")
    summary = summary_rows(write_feedback(check, [wrong_round], tmp_path / "kopi.xlsx"))
    assert summary[2][0] == (
        "Besvarelsen er ikke godkendt, fordi den har 1 fejl. Fejlen gælder hele besvarelsen og kan ikke rettes i denne kopi. "
        "Se i listen herunder, hvad I skal gøre."
    )
    assert summary[3][0] == "Listen herunder har alle fund; de gælder hele besvarelsen, ikke en bestemt celle."
    row = next(r for r in summary if r[-1] == "wrong-round")
    assert row[5] == "Det er skabelonen til runde 1; der samles nu ind til runde 2. Udfyld skabelonen til runde 2, og send den."

    conflict = Problem("conflicting-return", check.name, "Udvalg 01", "1.01", detail="andet-svar.xlsx")
    summary = summary_rows(write_feedback(check, [conflict], tmp_path / "kopi2.xlsx", office=OFFICE))
    assert "røde celler" not in summary[2][0]
    assert summary[2][0].endswith(
        f"Fejlene hører ikke til en bestemt celle. Se i listen herunder, hvad I skal gøre, og send besvarelsen igen til {OFFICE}."
    )
    row = next(r for r in summary if r[-1] == "conflicting-return")
    assert row[5] == f"Indsatsen er også besvaret i andet-svar.xlsx med et andet svar. Aftal med {OFFICE}, hvilket svar der gælder."


def test_without_a_named_afsender_the_copy_says_os_and_never_a_name_from_the_code(kit, tmp_path):
    path = kit.filled("svar.xlsx")
    check = kit.check(path)
    conflict = Problem("conflicting-return", check.name, "Udvalg 01", "1.01", detail="andet-svar.xlsx")
    summary = summary_rows(write_feedback(check, [conflict], tmp_path / "kopi.xlsx"))
    assert summary[2][0].endswith("send besvarelsen igen til os.")
    assert next(r for r in summary if r[-1] == "conflicting-return")[5].endswith("Aftal med os, hvilket svar der gælder.")
    assert not any("Økonomi" in str(v) for row in summary for v in row)


def test_every_text_of_the_copy_speaks_to_the_sender(kit, tmp_path):
    path, refs = a_bad_return(kit)
    check = kit.check(path)
    copy = write_feedback(check, check.problems, tmp_path / "kopi.xlsx", office=OFFICE)
    wb = openpyxl.load_workbook(copy)
    summary = [[c.value for c in row] for row in wb[FEEDBACK_SHEET].iter_rows()]
    head = next(i for i, row in enumerate(summary) if row[0] == "Alvor")
    to_sender = [summary[2][0], summary[3][0]] + [row[5] for row in summary[head + 1 :] if row[5]]
    to_sender += [c.comment.text.split("\n", 1)[1] for row in wb[SHEET].iter_rows() for c in row if c.comment is not None]
    assert len(to_sender) >= 7
    for text in to_sender:
        assert misaddressed(text.replace(OFFICE, AFSENDER), Reader.SENDER) == [], text


def test_collect_signs_the_copy_with_the_masters_afsender(kit, agreement, master, tmp_path):
    a_bad_return(kit)
    collect_round(master, 1, [kit.returns], tmp_path / "ud", pdf=False)
    wb = openpyxl.load_workbook(tmp_path / "ud" / "feedback" / "udvalg-01_tilbagemelding.xlsx")
    assert agreement.office
    authors = {c.comment.author for row in wb[SHEET].iter_rows() for c in row if c.comment is not None}
    assert authors == {agreement.office}
    assert wb[FEEDBACK_SHEET]["A3"].value.endswith(f"send den tilbage til {agreement.office}; arket Tilbagemelding må gerne blive stående.")


def test_the_templates_hidden_sheet_shown_by_the_sender_is_hidden_again_in_the_copy(kit, tmp_path):
    from workbook_tools.template import META_SHEET

    def show(wb):
        wb[META_SHEET].sheet_state = "visible"

    path = edit(kit.filled("svar.xlsx"), show)
    check = kit.check(path)
    assert [p.code for p in check.problems] == ["sheet-hidden"]
    copy = write_feedback(check, check.problems, tmp_path / "kopi.xlsx")
    wb = openpyxl.load_workbook(copy)
    assert wb[META_SHEET].sheet_state == "veryHidden", "the tool's own keys are not shown to the sender"
    row = next(r for r in summary_rows(copy) if r[-1] == "sheet-hidden")
    assert row[5] == "Skabelonens skjulte ark var vist; det er skjult igen, som i skabelonen. Ingen handling nødvendig."
    assert not any(p.code == "sheet-hidden" for p in kit.check(copy).problems)


def test_the_sender_reads_about_their_besvarelse_not_finances_path_to_it(kit, tmp_path):
    check = kit.check(kit.filled("svar.xlsx"))
    late = Problem("late-return", "indbakke/udvalg 01/svar.xlsx", "Udvalg 01", found="16. marts 2031 kl. 00.30", expected="15. marts 2031")
    wb = openpyxl.load_workbook(write_feedback(check, [late], tmp_path / "kopi.xlsx"))
    shown = [c.value for row in wb[FEEDBACK_SHEET].iter_rows() for c in row if isinstance(c.value, str)]
    assert "Besvarelsen er modtaget 16. marts 2031 kl. 00.30, efter fristen 15. marts 2031." in shown
    assert not any("indbakke/" in v for v in shown)
