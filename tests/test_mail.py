"""Finance e-mails templates, reports and reminders: first to an outbox to check, then through SMTP.

The SMTP tests talk to a real server (aiosmtpd) on 127.0.0.1, started here on a free port.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, replace
from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from fill_kit import fill_template
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools.cli import main
from workbook_tools.mail import REMINDERS, TEMPLATES, MailError
from workbook_tools.mailsend import SEND_LOG
from workbook_tools.mailtexts import parse_mail_text
from workbook_tools.master import write_master
from workbook_tools.sheetplan import Mode, Role, plan_sheet
from workbook_tools.template import generate_templates, template_file_name

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DANISH = {
    "Udvalg 01": "Børne- og Ungeudvalget",
    "Udvalg 02": "Ældre- og Sundhedsudvalget",
    "Udvalg 03": "Klima-, Miljø- og Erhvervsudvalget",
}


def danish_agreement(committees: int = 3):
    """The synthetic agreement with committee names full of æøå; Ældre… has two addresses."""
    a = synthetic_agreement(committees=committees)
    names = {k: v for k, v in DANISH.items() if k in {c.name for c in a.committees}}
    cs = tuple(replace(c, name=names[c.name]) for c in a.committees)
    cs = tuple(replace(c, emails=("aeldre@example.invalid", "sundhed@example.invalid")) if c.name.startswith("Ældre") else c for c in cs)
    es = tuple(replace(e, committee=names[e.committee]) for e in a.elements)
    return replace(a, committees=cs, elements=es)


def parse(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


def attachments(msg) -> dict[str, tuple[str, bytes]]:
    return {part.get_filename(): (part.get_content_type(), part.get_payload(decode=True)) for part in msg.iter_attachments()}


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def log_lines(outbox: Path) -> list[dict]:
    path = outbox / SEND_LOG
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


# ---------------------------------------------------------------- a real SMTP server on 127.0.0.1


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self):
        return parse(self.data)


class Mailbox:
    """An SMTP handler that keeps what it receives, and can refuse or hang up when told."""

    def __init__(self):
        self.delivered: list[Delivered] = []
        self.refuse_recipients: set[str] = set()
        self.refuse_messages: set[int] = set()  # 1-based numbers of DATA attempts answered 554
        self.hang_up_after: int | None = None  # close the connection once this many are delivered
        self.attempts = 0
        self.logins: list[tuple[str, str]] = []

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.hang_up_after is not None and len(self.delivered) >= self.hang_up_after:
            server.transport.close()
            return "421 4.3.2 Serveren lukker"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_recipients:
            return "550 5.1.1 Modtageren findes ikke"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts in self.refuse_messages:
            return "554 5.6.0 Beskeden er afvist"
        self.delivered.append(Delivered(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            login, password = (v.decode("utf-8") if isinstance(v, bytes) else v for v in (auth_data.login, auth_data.password))
            self.logins.append((login, password))
            if password == "hemmelig-æøå-42":
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)  # the server answers 535


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box.authenticate, auth_require_tls=False)
    controller.start()
    box.port = port
    yield box
    controller.stop()


# ---------------------------------------------------------------- set-up


@pytest.fixture
def danish(tmp_path, texts):
    """A master with æøå committee names, and round 1's templates generated in tmp/skabeloner."""
    agreement = danish_agreement()
    master = write_master(agreement, tmp_path / "master.xlsx")
    generate_templates(agreement, 1, tmp_path / "skabeloner", texts)
    return agreement, master, tmp_path / "skabeloner"


def mail_args(kind: str, master: Path, folder: Path, *extra: str, round_number: int = 1) -> list[str]:
    """The command line of `followup mail KIND` for a round, from the folder a step wrote."""
    return ["mail", kind, str(master), "--round", str(round_number), "--from", str(folder), *extra]


def send_args(port: int, *extra: str) -> list[str]:
    return ["--send", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), *extra]


# ---------------------------------------------------------------- outbox


def test_mail_templates_writes_one_draft_per_committee_with_its_template_attached(danish, capsys):
    agreement, master, folder = danish
    assert main(mail_args("templates", master, folder)) == 0
    outbox = folder / "outbox"
    drafts = sorted(outbox.glob("*.eml"))
    assert [p.name for p in drafts] == [
        "skabelon-runde-1_Børne-og-Ungeudvalget.eml",
        "skabelon-runde-1_Klima-Miljø-og-Erhvervsudvalget.eml",
        "skabelon-runde-1_Ældre-og-Sundhedsudvalget.eml",
    ]
    msg = parse((outbox / "skabelon-runde-1_Ældre-og-Sundhedsudvalget.eml").read_bytes())
    assert msg["To"] == "aeldre@example.invalid, sundhed@example.invalid"
    assert msg["From"].addresses[0].addr_spec == "okonomi@example.invalid"
    assert msg["Subject"] == "1. budgetopfølgning 2031: skabelon til Ældre- og Sundhedsudvalget – svar senest 15. marts 2031"
    assert msg["X-Unsent"] == "1", "Outlook opens the draft ready to send"
    assert msg["Message-ID"] and msg["Date"]
    name = template_file_name(agreement, "Ældre- og Sundhedsudvalget", 1)
    assert attachments(msg) == {name: (XLSX, (folder / name).read_bytes())}
    text = body(msg)
    assert "Kære Ældre- og Sundhedsudvalget" in text
    assert "senest 15. marts 2031" in text
    assert "Kontakt Testperson (okonomi@example.invalid, tlf. 0000 0000)" in text
    assert "- " + name in text
    out = capsys.readouterr().out
    assert "3 meddelelser skrevet i udbakken" in out and "Til: aeldre@example.invalid, sundhed@example.invalid" in out
    assert not (outbox / SEND_LOG).exists(), "nothing has been sent"


def test_the_raw_draft_encodes_æøå_in_the_subject_and_the_file_name(danish):
    _, master, folder = danish
    main(mail_args("templates", master, folder))
    raw = (folder / "outbox" / "skabelon-runde-1_Børne-og-Ungeudvalget.eml").read_bytes()
    assert raw.isascii(), "7-bit clean: æøå only as RFC 2047 / RFC 2231 / quoted-printable"
    assert b"=?utf-8?" in raw
    assert b"filename*=utf-8''runde-1_B%C3%B8rne-og-Ungeudvalget.xlsx" in raw


def test_per_department_templates_go_to_the_department_addresses(tmp_path, texts):
    agreement = synthetic_agreement()
    master = write_master(agreement, tmp_path / "master.xlsx")
    generate_templates(agreement, 1, tmp_path / "sk", texts, per="department")
    assert main(mail_args("templates", master, tmp_path / "sk")) == 0
    drafts = {p.name: parse(p.read_bytes()) for p in (tmp_path / "sk" / "outbox").glob("*.eml")}
    msg = drafts["skabelon-runde-1_Udvalg-01_Center-2.eml"]  # named as the workbook it carries
    assert msg["To"] == "center2@example.invalid"
    assert msg["Subject"].startswith("1. budgetopfølgning 2031: skabelon til Udvalg 01 – Center 2")
    assert list(attachments(msg)) == ["runde-1_Udvalg-01_Center-2.xlsx"]
    assert len(drafts) == 4


def test_dry_run_lists_the_messages_and_writes_nothing(danish, capsys):
    _, master, folder = danish
    assert main(mail_args("templates", master, folder, "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "--dry-run: intet er skrevet eller sendt" in out
    assert "Ville skrive 3 meddelelser" in out and "Emne: 1. budgetopfølgning 2031: skabelon til Børne- og Ungeudvalget" in out
    assert not (folder / "outbox").exists()


def test_a_committee_without_an_address_is_named_and_the_others_still_go(tmp_path, texts, capsys):
    agreement = synthetic_agreement()
    agreement = replace(agreement, committees=(replace(agreement.committees[0], emails=()), agreement.committees[1]))
    master = write_master(agreement, tmp_path / "master.xlsx")
    generate_templates(agreement, 1, tmp_path / "sk", texts)
    assert main(mail_args("templates", master, tmp_path / "sk")) == 1
    out = capsys.readouterr().out
    assert "Udvalg 01: ingen e-mailadresse; skriv den i kolonnen »E-mail« på arket »Udvalg« i masterfilen." in out
    assert [p.name for p in (tmp_path / "sk" / "outbox").glob("*.eml")] == ["skabelon-runde-1_Udvalg-02.eml"]


def test_a_folder_without_a_manifest_is_a_clear_usage_error(tmp_path, master, capsys):
    (tmp_path / "tom").mkdir()
    assert main(mail_args("templates", master, tmp_path / "tom")) == 2
    err = capsys.readouterr().err
    assert "manifest.json findes ikke. Kør først: followup generate" in err and "Traceback" not in err


def test_finance_can_edit_the_text_and_an_unknown_placeholder_is_named(danish, capsys):
    _, master, folder = danish
    own = folder.parent / "tekster"
    own.mkdir()
    (own / "skabelon.txt").write_text(
        "Emne: Husk {runde} – {udvalg}\n\nHej {modtager}, frist {frist}. {{ikke en pladsholder}}\n", encoding="utf-8"
    )
    assert main(mail_args("templates", master, folder, "--mail-texts", str(own))) == 0
    msg = parse((folder / "outbox" / "skabelon-runde-1_Børne-og-Ungeudvalget.eml").read_bytes())
    assert msg["Subject"] == "Husk 1. budgetopfølgning 2031 – Børne- og Ungeudvalget"
    assert body(msg) == "Hej Børne- og Ungeudvalget, frist 15. marts 2031. {{ikke en pladsholder}}\n"
    (own / "skabelon.txt").write_text("Emne: {runde}\n\nHej {navn}\n", encoding="utf-8")
    assert main(mail_args("templates", master, folder, "--mail-texts", str(own))) == 2
    assert "bruger pladsholderen {navn}, som ikke findes" in capsys.readouterr().err


def test_the_shipped_texts_have_a_subject_and_only_known_placeholders():
    from workbook_tools.mailtexts import PLACEHOLDERS, TEXT_FILES, TEXTS_DIR, load_mail_text

    for kind, name in TEXT_FILES.items():
        text = load_mail_text(kind)
        subject, filled = text.fill(dict.fromkeys(PLACEHOLDERS, "X"))
        assert subject and "{" not in subject + filled, name
        assert (TEXTS_DIR / name).is_file()
    with pytest.raises(MailError, match="første linje skal være emnet"):
        parse_mail_text("Hej\n\nmed dig")


# The factory texts before {svarfrist}: year folders made then keep them in mailtekster/.
OLD_TEMPLATE_TEXT = """Emne: {runde}: skabelon til {modtager} – svar senest {frist}

Kære {modtager}

Hermed skabelonen til {runde} af {aftale}.
send den som vedhæftet fil som svar på denne mail senest {frist}.
"""
OLD_REMINDER_TEXT = """Emne: Rykker: {runde} for {modtager}

Kære {modtager}

Vi mangler stadig et godkendt svar fra jer til {runde} af {aftale}.
Fristen for runden er {frist}.

Det mangler eller er galt:
{mangler}
"""


def _round_4(deadline=None):
    a = synthetic_agreement()
    return replace(a, rounds=tuple(replace(r, label="31.12.2031", deadline=deadline) if r.number == 4 else r for r in a.rounds))


def test_round_4_named_by_its_date_reads_as_the_final_follow_up_in_subject_and_text():
    from workbook_tools.mailtexts import common_values, load_mail_text, round_phrase

    assert round_phrase("31.12.2018", 4) == "den endelige opfølgning (31.12.2018)"
    assert round_phrase("2. budgetopfølgning 2018", 2) == "2. budgetopfølgning 2018"
    values = common_values(_round_4(date(2031, 12, 15)), 4, today=date(2031, 12, 1)) | {"modtager": "Udvalg 01", "udvalg": "Udvalg 01"}
    subject, text = load_mail_text(TEMPLATES).fill(values)
    assert subject == "Den endelige opfølgning (31.12.2031): skabelon til Udvalg 01 – svar senest 15. december 2031"
    assert "Hermed skabelonen til den endelige opfølgning (31.12.2031), hvor vi følger op på Aftale om budget 2031." in text
    subject, text = load_mail_text(REMINDERS).fill(values)
    assert subject == "Rykker: den endelige opfølgning (31.12.2031) for Udvalg 01"
    assert " af Aftale" not in text, "a round is not 'of' an agreement"


def test_a_round_without_a_deadline_or_past_it_asks_for_an_answer_as_soon_as_possible(tmp_path):
    from workbook_tools.mailtexts import common_values, load_mail_text, parse_mail_text

    values = common_values(_round_4(), 4) | {"modtager": "Udvalg 01", "udvalg": "Udvalg 01", "mangler": "- x"}
    subject, text = load_mail_text(TEMPLATES).fill(values)
    assert subject.endswith("– svar hurtigst muligt") and "som svar på denne mail hurtigst muligt." in " ".join(text.split())
    assert "frist" not in subject + text.replace("svarfrist", "")
    late = common_values(_round_4(date(2031, 12, 15)), 4, today=date(2031, 12, 16))
    assert late["svarfrist"] == "hurtigst muligt" and late["frist"] == "15. december 2031"

    # A year folder's older texts: "senest {frist}" and "Fristen for runden er {frist}." read right without a deadline.
    subject, text = parse_mail_text(OLD_TEMPLATE_TEXT).fill(values)
    assert subject.endswith("– svar hurtigst muligt") and text.endswith("som svar på denne mail hurtigst muligt.\n")
    _, text = parse_mail_text(OLD_REMINDER_TEXT).fill(values)
    assert "frist" not in text and "Aftale om budget 2031.\n\nDet mangler" in text
    dated = common_values(synthetic_agreement(), 1, today=date(2031, 3, 1)) | {"modtager": "Udvalg 01", "mangler": "- x"}
    assert "Fristen for runden er 15. marts 2031." in parse_mail_text(OLD_REMINDER_TEXT).fill(dated)[1], "with a date, as before"


def test_a_reminder_from_an_older_problems_json_without_advice_tells_the_sender_what_to_do(tmp_path):
    from workbook_tools.mailcompose import due_reminders, reminder_lines
    from workbook_tools.problems import Problem

    agreement = synthetic_agreement()
    found = Problem("smiley-missing", "indbakke/svar.xlsx", "Udvalg 01", "1.02", "Opfølgning", "E45", field="progress")
    row = found.as_dict() | {"severity": "error"}
    del row["advice"]  # problems.json written before collect added the sender's text
    missing = Problem("missing-return", committee="Udvalg 01", detail="Udvalg 01").as_dict()
    dues, _ = due_reminders(agreement, [row, missing])
    text = reminder_lines(dues[0], agreement)
    assert "- Ret besvarelsen »svar.xlsx«, som ikke kunne godkendes:" in text
    assert f"(celle E45): {found.advice}" in text and "indbakke" not in text
    assert found.hint not in text, "what finance does stays with finance"


def test_reports_go_to_each_committee_as_pdf_or_what_collect_made(danish, capsys):
    agreement, master, folder = danish
    result = folder.parent / "resultat"
    (result / "reports").mkdir(parents=True)
    (result / "reports" / "Børne-og-Ungeudvalget.xlsx").write_bytes(b"PK\x03\x04 rapport 1")
    (result / "reports" / "Børne-og-Ungeudvalget.pdf").write_bytes(b"%PDF-1.7 rapport 1")
    (result / "reports" / "Ældre-og-Sundhedsudvalget.xlsx").write_bytes(b"PK\x03\x04 rapport 2")
    assert main(mail_args("reports", master, result)) == 2
    assert "--include-incomplete" in capsys.readouterr().err  # no problems.json: who answered cannot be known
    assert main(mail_args("reports", master, result, "--include-incomplete")) == 1
    out = capsys.readouterr().out
    assert "Klima-, Miljø- og Erhvervsudvalget: ingen udvalgsrapport" in out
    msg = parse((result / "outbox" / "rapport-runde-1_Børne-og-Ungeudvalget.eml").read_bytes())
    assert msg["To"] == "udvalg01@example.invalid"
    assert msg["Subject"] == "1. budgetopfølgning 2031: udvalgsrapport for Børne- og Ungeudvalget"
    assert attachments(msg) == {"Børne-og-Ungeudvalget.pdf": ("application/pdf", b"%PDF-1.7 rapport 1")}  # the PDF by default
    msg2 = parse((result / "outbox" / "rapport-runde-1_Ældre-og-Sundhedsudvalget.eml").read_bytes())
    assert list(attachments(msg2)) == ["Ældre-og-Sundhedsudvalget.xlsx"]  # no PDF made: what there is
    assert main(mail_args("reports", master, result, "--include-incomplete", "--resend", "--attach", "xlsx,pdf")) == 1
    msg = parse((result / "outbox" / "rapport-runde-1_Børne-og-Ungeudvalget.eml").read_bytes())
    assert attachments(msg) == {
        "Børne-og-Ungeudvalget.xlsx": (XLSX, b"PK\x03\x04 rapport 1"),
        "Børne-og-Ungeudvalget.pdf": ("application/pdf", b"%PDF-1.7 rapport 1"),
    }


# ---------------------------------------------------------------- reminders


def _edit_locked_milestone(path: Path, agreement, committee: str, texts) -> str:
    plan = plan_sheet(agreement, agreement.committee(committee), 1, texts, Mode.TEMPLATE)
    cell = next(c for c in plan.cells if c.role is Role.FIXED and c.element and c.value.startswith("Milepæl 1"))
    wb = openpyxl.load_workbook(path)
    wb[plan.sheet_name][cell.ref] = "Milepælen er flyttet"
    wb.save(path)
    return f"{plan.sheet_name}!{cell.ref}"


def test_reminders_list_exactly_what_is_missing_or_wrong_per_committee(tmp_path, texts, capsys):
    agreement = synthetic_agreement(committees=3)
    master = write_master(agreement, tmp_path / "master.xlsx")
    made = generate_templates(agreement, 1, tmp_path / "sk", texts)
    returns = tmp_path / "indbakke"
    returns.mkdir()
    for m in made[:2]:
        answers = synthetic_answers(agreement, m.committee, 1)
        if m.committee == "Udvalg 01":
            answers[1] = replace(answers[1], progress=None)  # one smiley left out
        fill_template(tmp_path / "sk" / m.file, returns / m.file, agreement, m.committee, 1, answers, texts)
    where = _edit_locked_milestone(returns / made[1].file, agreement, "Udvalg 02", texts)
    result = tmp_path / "resultat"
    assert main(["collect", str(master), "--round", "1", "--out", str(result), str(returns)]) == 1
    capsys.readouterr()

    assert main(mail_args("reminders", master, result)) == 0
    drafts = {p.name: parse(p.read_bytes()) for p in (result / "outbox").glob("*.eml")}
    assert sorted(drafts) == ["rykker-runde-1_Udvalg-01.eml", "rykker-runde-1_Udvalg-02.eml", "rykker-runde-1_Udvalg-03.eml"]

    incomplete = body(drafts["rykker-runde-1_Udvalg-01.eml"])
    assert "- Ret dette i besvarelsen »runde-1_Udvalg-01.xlsx«, som ellers er godkendt:" in incomplete
    assert "    Indsats 1.02 Element 1.02:\n      • Advarsel, smiley på indsats (celle " in incomplete, "the element, in its field's words"
    assert "1.01" not in incomplete and "1.03" not in incomplete

    rejected = drafts["rykker-runde-1_Udvalg-02.eml"]
    assert rejected["To"] == "udvalg02@example.invalid"
    assert rejected["Subject"] == "Rykker: 1. budgetopfølgning 2031 for Udvalg 02"
    text = body(rejected)
    assert "- Ret besvarelsen »runde-1_Udvalg-02.xlsx«, som ikke kunne godkendes:" in text and "indbakke" not in text, (
        "the sender's name, not finance's folder"
    )
    locked = next(line for line in text.splitlines() if f"(celle {where.split('!')[1]})" in line)
    assert locked.lstrip().startswith("• Fejl") and "Cellen er låst og skal stå som i skabelonen: »Milepæl 1" in locked, locked
    assert "Det skal I gøre:" in text and "Det mangler eller er galt" not in text

    assert list(attachments(rejected)) == ["runde-1_Udvalg-02_tilbagemelding.xlsx"], "the annotated copy goes along"
    assert list(attachments(drafts["rykker-runde-1_Udvalg-01.eml"])) == ["runde-1_Udvalg-01_tilbagemelding.xlsx"]
    assert "Vedhæftet er en kommenteret kopi af jeres besvarelse" in text

    missing = body(drafts["rykker-runde-1_Udvalg-03.eml"])
    assert not attachments(drafts["rykker-runde-1_Udvalg-03.eml"])
    assert "- Send jeres besvarelse: vi har ikke modtaget den udfyldte skabelon fra jer." in missing
    assert "senest 15. marts 2031." in missing and "den aftalte frist" not in missing

    assert main(mail_args("reports", master, result, "--include-incomplete")) == 0
    report = parse((result / "outbox" / "rapport-runde-1_Udvalg-01.eml").read_bytes())
    got = attachments(report)
    # The PDF collect made, byte for byte; without LibreOffice, the Word report instead.
    pdf = result / "reports" / "Udvalg-01.pdf"
    expected = (
        ("Udvalg-01.pdf", "application/pdf", pdf) if pdf.is_file() else ("Udvalg-01.docx", DOCX, result / "reports" / "Udvalg-01.docx")
    )
    assert got == {expected[0]: (expected[1], expected[2].read_bytes())}, "the report collect wrote"


def test_reminders_without_collects_results_say_which_command_to_run(tmp_path, master, capsys):
    (tmp_path / "r").mkdir()
    assert main(mail_args("reminders", master, tmp_path / "r")) == 2
    assert "problems.json findes ikke; kør followup collect igen med --out" in capsys.readouterr().err


def test_reminders_from_a_folder_an_older_version_wrote_say_why_and_what_to_do(tmp_path, master, capsys):
    """Before problems.json, collect wrote only validation.xlsx; the reminders do not read that list made for people."""
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "validation.xlsx").write_bytes(b"")
    assert main(mail_args("reminders", master, tmp_path / "r")) == 2
    err = capsys.readouterr().err
    assert "kør followup collect igen" in err and "ældre version af followup, som kun skrev valideringslisten (validation.xlsx)" in err


# ---------------------------------------------------------------- SMTP


def test_send_delivers_to_the_right_recipients_with_æøå_and_identical_attachments(danish, smtp_server, capsys):
    agreement, master, folder = danish
    assert main(mail_args("templates", master, folder, *send_args(smtp_server.port))) == 0
    got = {d.message["Subject"]: d for d in smtp_server.delivered}
    assert len(got) == 3
    for c in agreement.committees:
        subject = f"1. budgetopfølgning 2031: skabelon til {c.name} – svar senest 15. marts 2031"
        d = got[subject]
        assert d.mail_from == "okonomi@example.invalid"
        assert d.rcpt_tos == list(c.emails)
        name = template_file_name(agreement, c.name, 1)
        assert attachments(d.message) == {name: (XLSX, (folder / name).read_bytes())}
        assert "X-Unsent" not in d.message
    log = log_lines(folder / "outbox")
    assert [e["status"] for e in log] == ["sent"] * 3
    assert sorted(a for e in log for a in e["delivered"]) == sorted(a for c in agreement.committees for a in c.emails)
    assert len(list((folder / "outbox" / "sendt").glob("*.eml"))) == 3
    assert "Sendt: 3 meddelelser." in capsys.readouterr().out

    assert main(mail_args("templates", master, folder, *send_args(smtp_server.port))) == 0
    assert len(smtp_server.delivered) == 3, "a rerun sends nothing that was sent"
    assert "Allerede sendt" in capsys.readouterr().out


def test_server_down_is_a_clear_error_and_nothing_is_logged_as_sent(danish, capsys):
    _, master, folder = danish
    port = free_port()
    code = main(mail_args("templates", master, folder, *send_args(port)))
    out, err = capsys.readouterr()
    assert code == 1
    assert f"Fejl: kan ikke forbinde til SMTP-serveren 127.0.0.1:{port} (serveren afviste forbindelsen" in err and "Intet er sendt" in err
    assert "Errno" not in err and "refused" not in err, "the system's English stays out"
    assert "Traceback" not in out + err
    assert not [e for e in log_lines(folder / "outbox") if e["status"] in ("sent", "partial")]


def test_a_message_refused_halfway_is_sent_by_the_rerun_and_only_it(danish, smtp_server, capsys):
    _, master, folder = danish
    smtp_server.refuse_messages = {2}
    args = mail_args("templates", master, folder, *send_args(smtp_server.port))
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "Ikke sendt: Ældre- og Sundhedsudvalget: serveren svarede »554 5.6.0 Beskeden er afvist«" in out
    assert "Kør kommandoen igen for at sende resten" in out
    first = [d.message["Subject"] for d in smtp_server.delivered]
    assert len(first) == 2

    smtp_server.refuse_messages = set()
    assert main(args) == 0
    second = [d.message["Subject"] for d in smtp_server.delivered[2:]]
    assert len(second) == 1 and "Ældre- og Sundhedsudvalget" in second[0]
    assert [e["status"] for e in log_lines(folder / "outbox")] == ["sent", "failed", "sent", "sent"]


def test_a_server_that_hangs_up_after_one_message_gets_the_rest_on_the_rerun(danish, smtp_server, capsys):
    _, master, folder = danish
    smtp_server.hang_up_after = 1
    args = mail_args("templates", master, folder, *send_args(smtp_server.port))
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "Afbrudt:" in out and "efter 1 af 3 meddelelser" in out
    assert len(smtp_server.delivered) == 1

    smtp_server.hang_up_after = None
    assert main(args) == 0
    subjects = [d.message["Subject"] for d in smtp_server.delivered]
    assert len(subjects) == 3 and len(set(subjects)) == 3, "each committee got its template exactly once"


def test_a_refused_recipient_is_retried_alone(danish, smtp_server, capsys):
    _, master, folder = danish
    smtp_server.refuse_recipients = {"sundhed@example.invalid"}
    args = mail_args("templates", master, folder, *send_args(smtp_server.port))
    assert main(args) == 1
    assert "afvist for sundhed@example.invalid: »550 5.1.1 Modtageren findes ikke«" in capsys.readouterr().out
    assert sorted(a for d in smtp_server.delivered for a in d.rcpt_tos) == [
        "aeldre@example.invalid",
        "udvalg01@example.invalid",
        "udvalg03@example.invalid",
    ]

    smtp_server.refuse_recipients = set()
    assert main(args) == 0
    retry = smtp_server.delivered[3:]
    assert [d.rcpt_tos for d in retry] == [["sundhed@example.invalid"]]
    assert retry[0].message["To"] == "aeldre@example.invalid, sundhed@example.invalid"


def test_the_password_comes_from_the_environment_and_is_written_nowhere(danish, smtp_server, monkeypatch, tmp_path, capsys):
    _, master, folder = danish
    monkeypatch.setenv("FOLLOWUP_SMTP_PASSWORD", "hemmelig-æøå-42")
    monkeypatch.setenv("FOLLOWUP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FOLLOWUP_SMTP_PORT", str(smtp_server.port))
    assert main(mail_args("templates", master, folder, "--send", "--smtp-user", "okonomi")) == 0
    assert smtp_server.logins == [("okonomi", "hemmelig-æøå-42")]
    assert len(smtp_server.delivered) == 3
    secret = "hemmelig-æøå-42".encode()
    for p in tmp_path.rglob("*"):
        if p.is_file():
            assert secret not in p.read_bytes(), p
    out, err = capsys.readouterr()
    assert "hemmelig" not in out + err


def test_a_wrong_password_sends_nothing(danish, smtp_server, monkeypatch, capsys):
    _, master, folder = danish
    monkeypatch.setenv("FOLLOWUP_SMTP_PASSWORD", "forkert")
    assert main(mail_args("templates", master, folder, *send_args(smtp_server.port, "--smtp-user", "okonomi"))) == 1
    assert "afviste brugernavnet okonomi eller adgangskoden. Intet er sendt." in capsys.readouterr().err
    assert smtp_server.delivered == []


def test_a_password_in_the_config_file_is_refused(danish, tmp_path, capsys):
    _, master, folder = danish
    config = tmp_path / "smtp.ini"
    config.write_text("[smtp]\nhost = 127.0.0.1\npassword = hemmelig\n", encoding="utf-8")
    assert main(mail_args("templates", master, folder, "--send", "--smtp-config", str(config))) == 2
    assert "indeholder en adgangskode. Slet den" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content, line", [("host = 127.0.0.1\n", 1), ("[smtp]\nhost = 127.0.0.1\nsmtp.kommune.dk\n", 3)], ids=["no-section", "stray-line"]
)
def test_a_config_file_that_cannot_be_read_names_the_line_and_its_shape(danish, tmp_path, capsys, content, line):
    _, master, folder = danish
    config = tmp_path / "smtp.ini"
    config.write_text(content, encoding="utf-8")
    assert main(mail_args("templates", master, folder, "--send", "--smtp-config", str(config))) == 2
    err = capsys.readouterr().err
    assert f"konfigurationsfilen {config} kan ikke læses (linje {line})" in err
    assert "[smtp]" in err and "uventet" not in err and len(err.strip().splitlines()) == 1


def test_the_config_file_gives_host_port_and_sender(danish, smtp_server, tmp_path, monkeypatch):
    _, master, folder = danish
    for name in ("FOLLOWUP_SMTP_HOST", "FOLLOWUP_SMTP_PORT", "FOLLOWUP_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "smtp.ini"
    config.write_text(f"[smtp]\nhost = 127.0.0.1\nport = {smtp_server.port}\nfrom_address = budget@example.invalid\n", encoding="utf-8")
    assert main(mail_args("templates", master, folder, "--send", "--smtp-config", str(config), "--only", "Børne- og Ungeudvalget")) == 0
    assert [d.mail_from for d in smtp_server.delivered] == ["budget@example.invalid"]
    msg = smtp_server.delivered[0].message
    assert msg["Reply-To"] == "okonomi@example.invalid", "replies go to the agreement's address"


def test_a_login_over_an_unencrypted_line_is_refused(danish, capsys):
    _, master, folder = danish
    args = mail_args("templates", master, folder, "--send", "--smtp-host", "smtp.example.invalid", "--smtp-user", "okonomi")
    assert main(args) == 2
    assert "ukrypteret. Brug --starttls eller --ssl" in capsys.readouterr().err


def test_send_dry_run_lists_only_what_is_not_yet_sent(danish, smtp_server, capsys):
    _, master, folder = danish
    args = mail_args("templates", master, folder, *send_args(smtp_server.port))
    assert main([*args, "--only", "Børne- og Ungeudvalget"]) == 0
    capsys.readouterr()
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Ville sende 2 meddelelser" in out and "Allerede sendt" in out
    assert len(smtp_server.delivered) == 1


def test_the_same_reminder_is_not_sent_twice_unless_asked(tmp_path, texts, smtp_server, capsys):
    agreement = synthetic_agreement()
    master = write_master(agreement, tmp_path / "master.xlsx")
    generate_templates(agreement, 1, tmp_path / "sk", texts)
    empty = tmp_path / "tom"
    empty.mkdir()
    main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "r"), str(empty)])
    args = mail_args("reminders", master, tmp_path / "r", *send_args(smtp_server.port))
    assert main(args) == 0 and len(smtp_server.delivered) == 2
    assert main(args) == 0 and len(smtp_server.delivered) == 2
    assert main([*args, "--resend"]) == 0 and len(smtp_server.delivered) == 4


def test_a_renamed_rejected_department_return_is_in_that_departments_reminder(tmp_path, texts):
    """Staff rename files ("svar.xlsx"); the reminder must still name the rejected return and why."""
    from workbook_tools.mailcompose import collect_results, due_reminders
    from workbook_tools.pipeline import collect_round

    agreement = synthetic_agreement(committees=1, elements=4, departments=2)
    master = write_master(agreement, tmp_path / "master.xlsx")
    made = generate_templates(agreement, 1, tmp_path / "skabeloner", texts, per="department")
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    for m in made:
        answers = synthetic_answers(agreement, m.committee, 1, m.department)
        name = "svar.xlsx" if m.department == "Center 2" else m.file
        fill_template(tmp_path / "skabeloner" / m.file, inbox / name, agreement, m.committee, 1, answers, texts, m.department)
    # Center 2's sender also changed a milestone: the return is rejected.
    plan = plan_sheet(agreement, agreement.committees[0], 1, texts, Mode.TEMPLATE, "Center 2")
    milestone = next(c for c in plan.cells if c.field == "milestone" and c.role is Role.FIXED and c.value)
    wb = openpyxl.load_workbook(inbox / "svar.xlsx")
    wb[plan.sheet_name][milestone.ref] = "Ændret af afsenderen"
    wb.save(inbox / "svar.xlsx")

    run = collect_round(master, 1, [inbox], tmp_path / "ud", pdf=False)
    assert [c.department for c in run.checks if not c.accepted] == ["Center 2"]
    dues, orphans = due_reminders(agreement, collect_results(tmp_path / "ud", 1).problems)
    by_unit = {(d.committee, d.department): d for d in dues}
    assert set(by_unit) == {("Udvalg 01", "Center 2")} and orphans == []
    due = by_unit[("Udvalg 01", "Center 2")]
    assert due.missing
    assert due.rejected == {"indbakke/svar.xlsx"} and list(due.findings) == ["indbakke/svar.xlsx"]
    assert [row["code"] for row in due.findings["indbakke/svar.xlsx"]] == ["locked-cell-changed"]


def test_reminders_come_from_problems_json_whatever_finance_does_to_validation_xlsx(tmp_path, capsys):
    """Finance sorts, edits and deletes rows in validation.xlsx, or the file itself; reminders read collect's problems.json."""
    agreement = synthetic_agreement()
    master = write_master(agreement, tmp_path / "master.xlsx")
    empty = tmp_path / "tom"
    empty.mkdir()
    assert main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "r"), str(empty)]) == 0
    (tmp_path / "r" / "validation.xlsx").unlink()
    capsys.readouterr()
    assert main(mail_args("reminders", master, tmp_path / "r")) == 0
    reminders = sorted((tmp_path / "r" / "outbox").glob("rykker-*.eml"))
    assert [p.name for p in reminders] == ["rykker-runde-1_Udvalg-01.eml", "rykker-runde-1_Udvalg-02.eml"]
    assert "vi har ikke modtaget den udfyldte skabelon fra jer." in body(parse(reminders[0].read_bytes()))


def test_reminders_refuse_problems_json_of_another_round_or_not_collects(tmp_path, capsys):
    agreement = synthetic_agreement()
    master = write_master(agreement, tmp_path / "master.xlsx")
    empty = tmp_path / "tom"
    empty.mkdir()
    main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "r"), str(empty)])
    capsys.readouterr()
    assert main(mail_args("reminders", master, tmp_path / "r", round_number=2)) == 2
    assert "er fra runde 1, ikke runde 2" in capsys.readouterr().err
    (tmp_path / "r" / "problems.json").write_text("{ikke json", encoding="utf-8")
    assert main(mail_args("reminders", master, tmp_path / "r")) == 2
    assert "problems.json er ikke gyldig JSON (linje 1); kør followup collect igen" in capsys.readouterr().err
    (tmp_path / "r" / "problems.json").write_text("[]", encoding="utf-8")
    assert main(mail_args("reminders", master, tmp_path / "r")) == 2
    assert "er ikke en problemliste fra followup collect" in capsys.readouterr().err
