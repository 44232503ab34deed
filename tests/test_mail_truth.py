"""A round as it really goes: one committee answers well, one sends a faulty return, one never answers.

What finance sends must tell the truth about it: only the complete committee's report goes by
default, the others are named with the reason; the reports and the overview say "Ikke besvaret"
where no answer came; the reminder to the faulty committee lists every problem, grouped by
element, under the file name the sender used; and the overview goes to those who steer, as
collect wrote it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from email import policy
from email.parser import BytesParser

import openpyxl
import pytest
from fill_kit import fill_template
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools.cli import main
from workbook_tools.master import write_master
from workbook_tools.model import FIELD_WORDS, PROGRESS, STATUS, Smiley
from workbook_tools.sheetplan import Mode, Role, plan_sheet
from workbook_tools.template import generate_templates
from workbook_tools.texts import load_texts

NOT_ANSWERED = "Ikke besvaret"


def parse(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


def attachments(msg) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in msg.iter_attachments()}


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


@pytest.fixture(scope="module")
def round_folder(tmp_path_factory):
    """Round 1 collected: Udvalg 01 answered in full, Udvalg 02 rejected with three kinds of mistake, Udvalg 03 silent."""
    tmp = tmp_path_factory.mktemp("truth")
    texts = load_texts()
    agreement = synthetic_agreement(committees=3)
    master = write_master(agreement, tmp / "master.xlsx")
    made = {m.committee: m for m in generate_templates(agreement, 1, tmp / "sk", texts)}
    inbox = tmp / "indbakke"
    inbox.mkdir()
    fill_template(
        tmp / "sk" / made["Udvalg 01"].file,
        inbox / made["Udvalg 01"].file,
        agreement,
        "Udvalg 01",
        1,
        synthetic_answers(agreement, "Udvalg 01", 1),
        texts,
    )
    answers = synthetic_answers(agreement, "Udvalg 02", 1)
    answers[0] = replace(answers[0], progress=None)  # a progress smiley left out
    answers[1] = replace(answers[1], progress=Smiley.YELLOW, status="")  # yellow without a status text
    faulty = inbox / made["Udvalg 02"].file
    fill_template(tmp / "sk" / made["Udvalg 02"].file, faulty, agreement, "Udvalg 02", 1, answers, texts)
    plan = plan_sheet(agreement, agreement.committee("Udvalg 02"), 1, texts, Mode.TEMPLATE)
    locked = next(c for c in plan.cells if c.role is Role.FIXED and c.element == "2.03" and c.field == "title")
    wb = openpyxl.load_workbook(faulty)
    wb[plan.sheet_name][locked.ref] = "Titlen er ændret"
    wb.save(faulty)
    result = tmp / "resultat"
    assert main(["collect", str(master), "--round", "1", "--out", str(result), str(inbox), "--quiet"]) == 1
    return agreement, master, result


def _mail(kind: str, master, result, *extra: str) -> int:
    return main(["mail", kind, str(master), "--round", "1", "--from", str(result), *extra])


def test_reports_go_only_to_the_complete_committee_and_the_others_are_named_with_the_reason(round_folder, tmp_path, capsys):
    agreement, master, result = round_folder
    capsys.readouterr()
    assert _mail("reports", master, result, "--dry-run") == 0
    dry = capsys.readouterr().out
    assert "Ville skrive 1 meddelelse" in dry
    assert "Udvalg 02: besvarelsen er afvist" in dry and "Udvalg 03: ingen besvarelse modtaget" in dry

    assert _mail("reports", master, result, "--outbox", str(tmp_path / "standard")) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "standard").glob("*.eml")) == ["rapport-runde-1_Udvalg-01.eml"]
    assert "Holdt tilbage, fordi udvalget ikke har svar på alle indsatser" in out
    assert "  Udvalg 02: besvarelsen er afvist" in out and "  Udvalg 03: ingen besvarelse modtaget" in out

    assert _mail("reports", master, result, "--outbox", str(tmp_path / "alle"), "--include-incomplete") == 0
    assert len(list((tmp_path / "alle").glob("*.eml"))) == 3


def test_a_committee_with_some_elements_unanswered_is_held_with_the_count(round_folder):
    from workbook_tools.mailcompose import incomplete_committees
    from workbook_tools.results import CollectResults

    agreement = round_folder[0]
    rows = [{"code": "missing-answer", "committee": "Udvalg 01", "element": "1.02"}]
    assert incomplete_committees(agreement, CollectResults(1, [], rows)) == {"Udvalg 01": "1 af 3 indsatser mangler svar"}


def test_the_silent_committees_report_says_ikke_besvaret_for_every_element_in_xlsx_and_pdf(round_folder):
    agreement, _, result = round_folder
    elements = [e.number for e in agreement.elements_of("Udvalg 03")]
    ws = openpyxl.load_workbook(result / "reports" / "Udvalg-03.xlsx").worksheets[0]
    said = [c for row in ws.iter_rows() for c in row if c.value == NOT_ANSWERED]
    assert len(said) == 2 * len(elements), "progress and economy of every element"
    assert all(c.font.b and c.font.color.rgb.endswith("C00000") for c in said), "in a style that stands out"
    good = openpyxl.load_workbook(result / "reports" / "Udvalg-01.xlsx").worksheets[0]
    assert not [c for row in good.iter_rows() for c in row if c.value == NOT_ANSWERED]

    pdf = result / "reports" / "Udvalg-03.pdf"
    if not pdf.is_file() or not shutil.which("pdftotext"):
        pytest.skip("no PDF made (LibreOffice missing) or no pdftotext")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    parts = re.split(r"(\d\.\d\d)\. Element \1 ", text)  # each element's block starts at its heading row
    blocks = dict(zip(parts[1::2], parts[2::2]))
    assert list(blocks) == elements
    for number, block in blocks.items():
        assert block.count(NOT_ANSWERED) == 2, number


def test_the_overview_says_ikke_besvaret_for_the_unanswered_elements(round_folder):
    agreement, _, result = round_folder
    ws = openpyxl.load_workbook(result / "overview.xlsx").worksheets[0]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    for e in agreement.elements:
        answered = e.committee == "Udvalg 01"
        assert (NOT_ANSWERED in rows[e.number]) is not answered, e.number


def test_the_reminder_to_the_faulty_committee_lists_every_problem_by_element_under_the_senders_file_name(round_folder, tmp_path):
    agreement, master, result = round_folder
    assert _mail("reminders", master, result, "--outbox", str(tmp_path / "ud"), "--only", "Udvalg 02") == 0
    msg = parse((tmp_path / "ud" / "rykker-runde-1_Udvalg-02.eml").read_bytes())
    text = body(msg)
    assert "indbakke" not in text and "indbakke" not in " ".join(attachments(msg)), "finance's folder stays with finance"
    assert "- Ret besvarelsen »runde-1_Udvalg-02.xlsx«, som ikke kunne godkendes:" in text
    listing = text.split("- Ret besvarelsen »runde-1_Udvalg-02.xlsx«", 1)[1]
    blocks = re.split(r"\n    Indsats (\d\.\d\d) Element \1:\n", listing)
    by_element = dict(zip(blocks[1::2], blocks[2::2]))
    assert list(by_element) == ["2.01", "2.02", "2.03"], "grouped by element, in the agreement's order"
    assert FIELD_WORDS[PROGRESS][0] in by_element["2.01"], "the missing progress smiley, in its field's words"
    assert FIELD_WORDS[STATUS][0] in by_element["2.02"] and "gul eller rød" in by_element["2.02"], "the yellow without a text"
    assert "Cellen er låst" in by_element["2.03"] and "»Element 2.03«" in by_element["2.03"], "what the locked cell must say"
    for advice in by_element.values():
        assert not re.search(r"\b[0-9a-f]{16,}\b", advice), "no template ids or hashes"
        assert "afsenderen" not in advice and "Bed " not in advice, "to the sender, not finance's hint"
    assert list(attachments(msg)) == ["runde-1_Udvalg-02_tilbagemelding.xlsx"]
    assert (result / "feedback" / "runde-1_Udvalg-02_tilbagemelding.xlsx").is_file(), "collect names the copy by the same rule"


def test_the_overview_goes_to_those_who_steer_byte_for_byte_as_collect_wrote_it(round_folder, tmp_path, capsys):
    agreement, master, result = round_folder
    outbox = tmp_path / "ud"
    args = ["--outbox", str(outbox)]
    assert _mail("overview", master, result, *args) == 1, "no one to send it to"
    assert "Oversigt sendes til" in capsys.readouterr().out

    assert _mail("overview", master, result, *args, "--to", "direktion@example.invalid", "--to", "okonomiudvalg@example.invalid") == 0
    drafts = list(outbox.glob("*.eml"))
    assert [p.name for p in drafts] == ["oversigt-runde-1_alle-udvalg.eml"]
    msg = parse(drafts[0].read_bytes())
    assert msg["To"] == "direktion@example.invalid, okonomiudvalg@example.invalid"
    assert msg["Subject"] == "1. budgetopfølgning 2031: oversigt over opfølgningen på Aftale om budget 2031"
    assert attachments(msg) == {"overview.xlsx": (result / "overview.xlsx").read_bytes()}
    assert "Ikke besvaret" in body(msg)

    steering = write_master(
        replace(agreement, overview_to="direktion@example.invalid; borgmester@example.invalid"), tmp_path / "master.xlsx"
    )
    assert _mail("overview", steering, result, "--outbox", str(tmp_path / "fra-master"), "--dry-run") == 0
    assert "Til: direktion@example.invalid, borgmester@example.invalid" in capsys.readouterr().out
    assert not (tmp_path / "fra-master").exists()


def test_the_overviews_recipients_are_a_row_on_the_agreement_sheet_and_old_masters_still_read(tmp_path):
    from workbook_tools.master import read_master
    from workbook_tools.yearfolder import write_blank_master

    agreement = replace(synthetic_agreement(), overview_to="direktion@example.invalid; okonomiudvalg@example.invalid")
    path = write_master(agreement, tmp_path / "master.xlsx")
    assert read_master(path).overview_to == agreement.overview_to
    wb = openpyxl.load_workbook(path)
    ws = wb["Aftale"]
    ws.delete_rows(next(c.row for c in ws["A"] if c.value == "Oversigt sendes til"))
    wb.save(tmp_path / "gammel.xlsx")
    assert read_master(tmp_path / "gammel.xlsx").overview_to == "", "a master from before the row"

    blank = write_blank_master(tmp_path / "ny.xlsx", 2031, "")
    row = next(r for r in openpyxl.load_workbook(blank)["Aftale"].iter_rows(values_only=True) if r[0] == "Oversigt sendes til")
    assert "followup mail overview" in row[2]
