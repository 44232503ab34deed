"""Finance saves the replies from Outlook or Thunderbird in a folder and collects the folder.

The workbooks are taken from the e-mails' attachments, with the sender and the Date header
as provenance; the Date header, not the file's time, decides whether a return was late.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path

import pytest
from fill_kit import fill_template
from msgfile import MsgAttachment, outlook_msg
from python_calamine import CalamineWorkbook
from synthetic import synthetic_answers

from workbook_tools.cli import main
from workbook_tools.danish import long_datetime
from workbook_tools.mailin import expand_inputs
from workbook_tools.master import read_master
from workbook_tools.pipeline import collect_round
from workbook_tools.problems import Problem
from workbook_tools.template import generate_templates

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
CET = timezone(timedelta(hours=1))


def digest_tree(folder: Path) -> dict:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def problem_rows(result: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(result / "validation.xlsx")).get_sheet_by_name("Problemer").to_python()[1:]


@pytest.fixture
def mailed(tmp_path, agreement, master, texts):
    """Round 1 generated and e-mailed: the drafts `followup mail templates` wrote, by committee."""
    generate_templates(agreement, 1, tmp_path / "skabeloner", texts)
    assert main(["mail", "templates", str(master), "--round", "1", "--from", str(tmp_path / "skabeloner")]) == 0
    drafts = {}
    for p in (tmp_path / "skabeloner" / "outbox").glob("*.eml"):
        msg = BytesParser(policy=policy.default).parsebytes(p.read_bytes())
        drafts[msg["To"]] = msg
    return drafts


def filled_from(draft: EmailMessage, tmp_path: Path, agreement, committee: str, texts) -> tuple[str, bytes]:
    """Take the template out of the e-mail and fill it in, as staff do in Excel."""
    part = next(draft.iter_attachments())
    name = part.get_filename()
    template = tmp_path / "staff" / committee / "received.xlsx"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_bytes(part.get_payload(decode=True))
    filled = template.with_name(name)
    fill_template(template, filled, agreement, committee, 1, synthetic_answers(agreement, committee, 1), texts)
    return name, filled.read_bytes()


def reply(draft: EmailMessage, sender: str, date: datetime, files: list[tuple[str, bytes, tuple[str, str]]]) -> bytes:
    """The reply staff send: "SV: …" with the filled workbook attached, built with the stdlib."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = draft["From"]
    msg["Subject"] = "SV: " + draft["Subject"]
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = "<svar-1@example.invalid>"
    msg["In-Reply-To"] = draft["Message-ID"]
    msg.set_content("Hermed vores svar.\n\nMed venlig hilsen\nSøren")
    for name, data, (maintype, subtype) in files:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def test_a_reply_to_the_mailed_template_is_collected_with_its_sender_and_date(tmp_path, agreement, master, texts, mailed, capsys):
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    sent = {}
    for i, committee in enumerate(("Udvalg 01", "Udvalg 02")):
        address = f"udvalg{i + 1:02d}@example.invalid"
        name, data = filled_from(mailed[address], tmp_path, agreement, committee, texts)
        date = datetime(2031, 3, 11 + i, 14, 5, tzinfo=CET)
        sender = f"Søren Ærø <{address}>" if i == 0 else address
        (inbox / f"svar-{i + 1}.eml").write_bytes(reply(mailed[address], sender, date, [(name, data, XLSX)]))
        sent[committee] = (sender, date, name)
    before = digest_tree(inbox)
    result = tmp_path / "resultat"
    assert main(["collect", str(master), "--round", "1", "--out", str(result), str(inbox)]) == 0
    out = capsys.readouterr().out
    assert "indbakke/svar-1.eml › runde-1_Udvalg-01.xlsx" in out and "2 af 2 besvarelser godkendt" in out

    merged = read_master(result / "master.xlsx")
    for committee, (sender, date, name) in sent.items():
        for e in agreement.elements_of(committee):
            source = merged.result(e.number, 1).source
            assert source.sender == sender
            assert source.received == date.replace(tzinfo=None), "the Date header, in the sender's own time"
            assert source.file.endswith(f".eml › {name}")
    answer = synthetic_answers(agreement, "Udvalg 02", 1)[2]
    got = merged.result(answer.element, 1)
    assert (got.progress, got.status, got.economy, got.economy_status) == (
        answer.progress,
        answer.status,
        answer.economy,
        answer.economy_status,
    )
    assert problem_rows(result) == []
    sources = CalamineWorkbook.from_path(str(result / "overview.xlsx")).get_sheet_by_name(texts("ov_sheet_sources")).to_python()
    row = next(r for r in sources if "1.01" in r)
    assert "Søren Ærø <udvalg01@example.invalid>" in row and "indbakke/svar-1.eml › runde-1_Udvalg-01.xlsx" in row
    assert digest_tree(inbox) == before, "nothing is written beside the e-mails"
    index = json.loads((result / "archive" / "round-1" / "index.json").read_text(encoding="utf-8"))
    assert {e["origin"] for e in index} == {
        f"{inbox / 'svar-1.eml'} › runde-1_Udvalg-01.xlsx",
        f"{inbox / 'svar-2.eml'} › runde-1_Udvalg-02.xlsx",
    }
    assert all((result / "archive" / "round-1" / e["copy"]).is_file() for e in index)


def test_the_date_header_decides_lateness_not_the_file_time(tmp_path, agreement, master, texts, mailed):
    deadline = agreement.round(1).deadline  # 15 March 2031
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    name, data = filled_from(mailed["udvalg01@example.invalid"], tmp_path, agreement, "Udvalg 01", texts)
    late = inbox / "sent.eml"
    late.write_bytes(
        reply(mailed["udvalg01@example.invalid"], "udvalg01@example.invalid", datetime(2031, 3, 16, 9, 0, tzinfo=CET), [(name, data, XLSX)])
    )
    early = datetime(2031, 3, 1, tzinfo=UTC).timestamp()
    os.utime(late, (early, early))  # saved long before the deadline; sent after it
    name2, data2 = filled_from(mailed["udvalg02@example.invalid"], tmp_path, agreement, "Udvalg 02", texts)
    on_time = inbox / "i-tide.eml"
    on_time.write_bytes(
        reply(
            mailed["udvalg02@example.invalid"],
            "udvalg02@example.invalid",
            datetime(2031, 3, 15, 23, 30, tzinfo=CET),
            [(name2, data2, XLSX)],
        )
    )
    run = collect_round(master, 1, [inbox], tmp_path / "resultat")
    late_rows = [(p.file, p.message) for p in run.problems if p.code == "late-return"]
    assert [file for file, _ in late_rows] == ["indbakke/sent.eml › runde-1_Udvalg-01.xlsx"]
    assert long_datetime(datetime(2031, 3, 16, 9, 0)) in late_rows[0][1], "the Date header's time, as a message writes a moment"
    assert deadline.isoformat() == "2031-03-15"


def test_one_mail_with_two_workbooks_and_a_pdf(tmp_path, agreement, master, texts, mailed):
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    files = [filled_from(mailed[f"udvalg0{i}@example.invalid"], tmp_path, agreement, f"Udvalg 0{i}", texts) for i in (1, 2)]
    attachments = [(n, d, XLSX) for n, d in files] + [("notat.pdf", b"%PDF-1.7\n...", ("application", "pdf"))]
    (inbox / "samlet.eml").write_bytes(
        reply(mailed["udvalg01@example.invalid"], "sekretariat@example.invalid", datetime(2031, 3, 10, 12, 0, tzinfo=CET), attachments)
    )
    run = collect_round(master, 1, [inbox], tmp_path / "resultat")
    assert [c.name for c in run.checks] == ["indbakke/samlet.eml › runde-1_Udvalg-01.xlsx", "indbakke/samlet.eml › runde-1_Udvalg-02.xlsx"]
    assert all(c.accepted for c in run.checks) and run.exit_code == 0
    infos = [(p.code, p.file, p.severity.value) for p in run.problems if p.code == "attachment-not-workbook"]
    assert infos == [("attachment-not-workbook", "indbakke/samlet.eml", "info")]
    assert "notat.pdf (en PDF-fil)" in next(p for p in run.problems if p.code == "attachment-not-workbook").message


def test_a_mail_without_a_workbook_is_named_in_the_summary_and_the_validation_list(tmp_path, master, mailed, capsys):
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    draft = mailed["udvalg01@example.invalid"]
    (inbox / "glemt.eml").write_bytes(reply(draft, "udvalg01@example.invalid", datetime(2031, 3, 10, 12, 0, tzinfo=CET), []))
    result = tmp_path / "resultat"
    main(["collect", str(master), "--round", "1", "--out", str(result), str(inbox)])
    assert Problem("no-attachment", "indbakke/glemt.eml").message in capsys.readouterr().out
    rows = problem_rows(result)
    assert [r[1] for r in rows if r[2] == "indbakke/glemt.eml"] == ["no-attachment"]


def test_a_forwarded_mail_keeps_the_original_sender_and_date(tmp_path, agreement, master, texts, mailed):
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    name, data = filled_from(mailed["udvalg01@example.invalid"], tmp_path, agreement, "Udvalg 01", texts)
    original = BytesParser(policy=policy.default).parsebytes(
        reply(
            mailed["udvalg01@example.invalid"],
            "Søren Ærø <udvalg01@example.invalid>",
            datetime(2031, 3, 9, 8, 15, tzinfo=CET),
            [(name, data, XLSX)],
        )
    )
    forward = EmailMessage(policy=policy.SMTP)
    forward["From"] = "kollega@example.invalid"
    forward["To"] = "okonomi@example.invalid"
    forward["Subject"] = "VS: svar fra udvalget"
    forward["Date"] = format_datetime(datetime(2031, 3, 20, 10, 0, tzinfo=CET))
    forward.set_content("Se vedhæftede.")
    forward.add_attachment(original)
    (inbox / "videresendt.eml").write_bytes(forward.as_bytes())
    run = collect_round(master, 1, [inbox], tmp_path / "resultat")
    [check] = run.checks
    assert check.accepted
    assert check.incoming.sender == "Søren Ærø <udvalg01@example.invalid>"
    assert check.incoming.received == datetime(2031, 3, 9, 8, 15, tzinfo=CET)
    assert not [p for p in run.problems if p.code == "late-return"]


def test_an_outlook_msg_is_read_with_its_sender_and_send_time(tmp_path, agreement, master, texts, mailed):
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    name, data = filled_from(mailed["udvalg01@example.invalid"], tmp_path, agreement, "Udvalg 01", texts)
    sent = datetime(2031, 3, 12, 13, 45, tzinfo=UTC)
    (inbox / "SV opfølgning.msg").write_bytes(
        outlook_msg(
            subject="SV: 1. budgetopfølgning 2031: skabelon til Udvalg 01",
            sender_name="Søren Ærø",
            sender_email="udvalg01@example.invalid",
            to=[("Økonomi", "okonomi@example.invalid")],
            attachments=[
                MsgAttachment(name, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                MsgAttachment("image001.png", b"\x89PNG\r\n\x1a\n", "image/png", hidden=True),
            ],
            sent=sent,
            received=sent + timedelta(minutes=1),
            body="Hermed vores svar.",
        )
    )
    result = tmp_path / "resultat"
    assert main(["collect", str(master), "--round", "1", "--out", str(result), str(inbox)]) == 0
    merged = read_master(result / "master.xlsx")
    source = merged.result("1.01", 1).source
    assert source.file == "indbakke/SV opfølgning.msg › runde-1_Udvalg-01.xlsx"
    assert source.sender == "Søren Ærø <udvalg01@example.invalid>"
    assert source.received is not None and source.received.date().isoformat() == "2031-03-12"
    rows = problem_rows(result)
    assert [r[1] for r in rows if r[2].startswith("indbakke/SV")] == [], "the signature picture is not a finding"


def test_the_date_header_of_an_outlook_msg_wins_over_its_properties(tmp_path, agreement, texts, mailed):
    name, data = filled_from(mailed["udvalg01@example.invalid"], tmp_path, agreement, "Udvalg 01", texts)
    headers = "Received: from mx.example.invalid\r\nFrom: =?utf-8?q?S=C3=B8ren_=C3=86r=C3=B8?= <soren@example.invalid>\r\nDate: Mon, 17 Mar 2031 08:00:00 +0100\r\nSubject: SV\r\n\r\n"
    msg = tmp_path / "svar.msg"
    msg.write_bytes(
        outlook_msg(
            "SV",
            "Andet navn",
            "andet@example.invalid",
            [("Økonomi", "okonomi@example.invalid")],
            [MsgAttachment(name, data)],
            sent=datetime(2031, 3, 1, tzinfo=UTC),
            headers=headers,
        )
    )
    with expand_inputs([msg]) as found:
        [inc] = found.incoming
        assert inc.sender == "Søren Ærø <soren@example.invalid>"
        assert inc.received == datetime(2031, 3, 17, 8, 0, tzinfo=CET)
        assert inc.path.read_bytes() == data


def test_a_broken_msg_and_a_stray_text_file_are_named_not_fatal(tmp_path, master, round1):
    (round1 / "ødelagt.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (round1 / "kvittering.msg").write_text("not an outlook message")
    whole = outlook_msg(
        "SV", "Søren Ærø", "udvalg01@example.invalid", [("Økonomi", "okonomi@example.invalid")], [MsgAttachment("svar.xlsx", b"PK" * 2500)]
    )
    (round1 / "afkortet.msg").write_bytes(whole[: len(whole) // 2])  # an Outlook message, cut off halfway
    run = collect_round(master, 1, [round1], tmp_path / "resultat")
    unreadable = sorted((p.file, p.detail) for p in run.problems if p.code == "unreadable-mail")
    assert unreadable == [
        ("returns/afkortet.msg", "den er beskadiget eller ikke en Outlook-meddelelse, der kan læses"),
        ("returns/kvittering.msg", "filen er ikke en Outlook-meddelelse"),
        ("returns/ødelagt.msg", "filen er ikke en Outlook-meddelelse"),
    ], "why, in Danish: never the reader's own English, nor a system error for a broken file"
    assert sum(1 for c in run.checks if c.accepted) == 2, "the good returns beside them still merge"


def test_attachments_are_read_from_a_private_temp_folder_that_is_removed_afterwards(tmp_path, agreement, master, texts, mailed):
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    name, data = filled_from(mailed["udvalg01@example.invalid"], tmp_path, agreement, "Udvalg 01", texts)
    (inbox / "svar.eml").write_bytes(
        reply(mailed["udvalg01@example.invalid"], "udvalg01@example.invalid", datetime(2031, 3, 10, tzinfo=CET), [(name, data, XLSX)])
    )
    with expand_inputs([inbox]) as found:
        [inc] = found.incoming
        assert inbox not in inc.path.parents and tmp_path not in inc.path.parents
        assert oct(inc.path.parent.parent.stat().st_mode & 0o777) == "0o700"
        assert inc.name == "svar.eml › " + name
    assert not inc.path.exists()
    run = collect_round(master, 1, [inbox], tmp_path / "resultat")
    assert run.checks[0].accepted and not run.checks[0].incoming.path.exists()
    assert sorted(p.name for p in inbox.iterdir()) == ["svar.eml"]
