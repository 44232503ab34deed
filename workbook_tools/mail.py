"""E-mail out: templates to the departments, reports to the committees, reminders.

Messages are composed from the master (who gets what), the folder a round's step
wrote (the generation folder's manifest, the collect folder's reports and
validation list) and an editable Danish text per kind of message (the year
folder's ``mailtekster/*.txt``, else the factory texts shipped in the package). By default they are written as ``.eml`` files to an
outbox, to be opened in Outlook or Thunderbird and checked before anything leaves;
:func:`send` hands them to an SMTP server and keeps a send log, so that a rerun after
a failure sends only what did not get through.

The SMTP password is taken from the environment or a prompt, used for the login
and never written anywhere.
"""

from __future__ import annotations

import base64
import configparser
import getpass
import hashlib
import json
import mimetypes
import os
import re
import smtplib
import ssl
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from .collect import Incoming, ReturnCheck
from .committee_report import REPORTS_DIR, report_file_name
from .feedback import FEEDBACK_DIR, distinct_feedback_name, feedback_name
from .master import EMAIL_ADDRESS
from .model import Agreement, unit_name, unit_stem
from .pipeline import ARCHIVE_DIR
from .problems import Severity
from .report import VALIDATION_COLUMNS, VALIDATION_NAME
from .resources import factory_mail_texts
from .template import MANIFEST_NAME, ManifestError, load_manifest
from .texts import long_date
from .xlsxio import atomic_write_bytes, read_sheets, sha256_of

TEXTS_DIR = factory_mail_texts()  # packaged: found wherever the tool is installed
TEMPLATES, REPORTS, REMINDERS = "templates", "reports", "reminders"
TEXT_FILES = {TEMPLATES: "skabelon.txt", REPORTS: "rapport.txt", REMINDERS: "rykker.txt"}
OUTBOX_PREFIX = {TEMPLATES: "skabelon", REPORTS: "rapport", REMINDERS: "rykker"}
OUTBOX_NAME = "outbox"
SENT_DIR = "sendt"
SEND_LOG = "sendlog.jsonl"
VALIDATION_SHEET = "Problemer"
MIME_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".pdf": "application/pdf",
    ".csv": "text/csv",
}
PLACEHOLDERS = (
    "runde", "rundenummer", "udvalg", "center", "modtager", "frist", "aftale", "år",
    "kontakt", "kontakt_navn", "kontakt_email", "kontakt_telefon", "afsender", "sagsid",
    "filer", "mangler",
)  # fmt: skip
SECURITY = ("none", "starttls", "ssl")
_PLACEHOLDER = re.compile(r"\{([^{}\s]+)\}")


class MailError(Exception):
    """The messages cannot be composed as asked: a missing folder, text or address."""


class SendError(MailError):
    """The SMTP server could not be reached or refused us; what was sent is in the send log."""


# ---------------------------------------------------------------- texts


@dataclass(frozen=True)
class MailText:
    """An editable subject and body with {placeholders}, read from a .txt file."""

    subject: str
    body: str
    source: str

    def fill(self, values: dict[str, str]) -> tuple[str, str]:
        """(subject, body) with the placeholders filled; the subject kept to one line."""
        subject = " ".join(_fill(self.subject, values, self.source).split())
        return subject, _fill(self.body, values, self.source).rstrip() + "\n"


def _fill(text: str, values: dict[str, str], source: str) -> str:
    def one(m: re.Match) -> str:
        key = m.group(1)
        if key not in values:
            known = ", ".join("{" + k + "}" for k in PLACEHOLDERS)
            raise MailError(f"mailteksten {source} bruger pladsholderen {{{key}}}, som ikke findes. Brug en af: {known}.")
        return values[key]

    return _PLACEHOLDER.sub(one, text)


def load_mail_text(kind: str, folder: Path | str | None = None) -> MailText:
    """The text for one kind of message: from `folder` if it has the file, else the factory one.

    A file that is there but cannot be read is an error, never a quiet return to the
    factory text: finance's edit would be lost without a word.
    """
    name = TEXT_FILES[kind]
    if folder:
        folder = Path(folder)
        if not folder.is_dir():
            raise MailError(f"mappen med mailtekster {folder} findes ikke.")
        own = folder / name
        if own.exists():
            return parse_mail_text(_read_text_file(own), str(own))
    packaged = TEXTS_DIR.joinpath(name)
    if not packaged.is_file():
        raise MailError(f"mailteksten {name} mangler i installationen af workbook_tools; installér programmet igen, eller angiv --mail-texts MAPPE.")
    return parse_mail_text(packaged.read_text(encoding="utf-8-sig"), f"standardteksten {name}")


def _read_text_file(path: Path) -> str:
    """A mail text as finance saved it: UTF-8 (with or without BOM), or Windows' own ANSI (cp1252) from Notepad."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise MailError(f"mailteksten {path} er en mappe, ikke en fil.") from None
    except OSError as exc:
        raise MailError(f"mailteksten {path} kan ikke læses ({exc.strerror or exc}).") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise MailError(f"mailteksten {path} kan ikke læses som tekst; gem den i Notesblok som UTF-8.") from None


def parse_mail_text(text: str, source: str = "mailteksten") -> MailText:
    """'Emne: …' on the first line after the leading # comments, a blank line, then the body."""
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    if not lines or not re.match(r"(?i)^(emne|subject)\s*:", lines[0]):
        raise MailError(f"{source}: første linje skal være emnet, fx 'Emne: {{runde}} for {{modtager}}'.")
    subject = lines[0].split(":", 1)[1].strip()
    body = "\n".join(lines[1:]).strip("\n")
    if not subject:
        raise MailError(f"{source}: emnet er tomt.")
    return MailText(subject, body, source)


def common_values(agreement: Agreement, round_number: int) -> dict[str, str]:
    """Placeholders every message shares: the round, the deadline and whom to ask."""
    r = agreement.round(round_number)
    contact_bits = [b for b in (agreement.email, f"tlf. {agreement.phone}" if agreement.phone else "") if b]
    who = agreement.contact or agreement.office or "Økonomi"
    contact = f"{who} ({', '.join(contact_bits)})" if contact_bits else who
    return {
        "runde": r.label,
        "rundenummer": str(round_number),
        "frist": long_date(r.deadline) if r.deadline else "den aftalte frist",
        "aftale": agreement.title,
        "år": str(agreement.year),
        "kontakt": contact,
        "kontakt_navn": agreement.contact,
        "kontakt_email": agreement.email,
        "kontakt_telefon": agreement.phone,
        "afsender": agreement.office or agreement.contact or "Økonomi",
        "sagsid": agreement.case_number,
        "udvalg": "",
        "center": "",
        "modtager": "",
        "filer": "",
        "mangler": "",
    }


# ---------------------------------------------------------------- composing


@dataclass(frozen=True)
class Outgoing:
    """One message to send: to whom, what it says, what it carries."""

    kind: str
    round: int
    committee: str
    department: str
    to: tuple[str, ...]
    subject: str
    body: str
    attachments: tuple[Path, ...] = ()
    cc: tuple[str, ...] = ()
    identity: str = ""  # what a reminder says is missing; stands in for its attachments in the key
    stem: str = ""  # the unit's file name (Agreement.file_stem): two units never share an .eml

    @property
    def unit(self) -> str:
        return unit_name(self.committee, self.department)

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.to + self.cc))

    @property
    def key(self) -> str:
        """Identifies the message in the send log by what it carries, not by its wording."""
        parts = [self.kind, str(self.round), self.committee, self.department, self.identity]
        if not self.identity:
            parts += [f"{p.name}:{sha256_of(p)}" for p in self.attachments]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]

    @property
    def file_name(self) -> str:
        return f"{OUTBOX_PREFIX[self.kind]}-runde-{self.round}_{self.stem or unit_stem(self.committee, self.department)}.eml"


@dataclass
class Composed:
    """The messages of one command, and what could not be composed and why."""

    messages: list[Outgoing] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _files_list(paths) -> str:
    return "\n".join(f"- {p.name}" for p in paths)


def _addresses_of(agreement: Agreement, committee: str, department: str) -> tuple[str, ...]:
    if department:
        for d in agreement.departments:
            if d.name == department:
                return d.emails
        return ()
    return agreement.committee(committee).emails


def _no_address(unit: str, department: str) -> str:
    where = "arket 'Centre'" if department else "arket 'Udvalg'"
    return f"{unit}: ingen e-mailadresse; skriv den i kolonnen E-mail på {where} i masterfilen."


def compose_templates(agreement: Agreement, round_number: int, folder: Path | str, text: MailText, only: list[str] | None = None) -> Composed:
    """One message per generated template of the round, to its committee or department."""
    folder = Path(folder)
    manifest = folder / MANIFEST_NAME
    if not folder.is_dir():
        raise MailError(f"mappen {folder} findes ikke. Angiv mappen, som followup generate skrev skabelonerne i.")
    if not manifest.is_file():
        raise MailError(f"{manifest} findes ikke. Kør først: followup generate MASTER --round {round_number} --out {folder}")
    try:
        entries = load_manifest(manifest)
    except ManifestError as exc:
        raise MailError(str(exc)) from None
    latest: dict[str, dict] = {}
    for e in entries:
        if int(e.get("round", 0)) == round_number and (e["file"] not in latest or e.get("generated_at", "") >= latest[e["file"]].get("generated_at", "")):
            latest[e["file"]] = e
    if not latest:
        raise MailError(f"{manifest} har ingen skabeloner til runde {round_number}. Kør followup generate med --round {round_number}.")
    out = Composed()
    committees = {c.name for c in agreement.committees}
    for entry in sorted(latest.values(), key=lambda e: (_committee_order(agreement, e["committee"]), e.get("department", ""))):
        committee, department = entry["committee"], entry.get("department", "")
        unit = unit_name(committee, department)
        if only and committee not in only:
            continue
        if committee not in committees:
            out.skipped.append(f"{entry['file']}: udvalget '{committee}' står ikke i masterfilen; ikke sendt.")
            continue
        path = folder / entry["file"]
        if not path.is_file():
            out.skipped.append(f"{unit}: skabelonen {path} findes ikke; kør followup generate igen.")
            continue
        if entry.get("sha256") and sha256_of(path) != entry["sha256"]:
            out.skipped.append(f"{unit}: {path.name} er ændret, efter den blev lavet; lav den igen med followup generate.")
            continue
        to = _addresses_of(agreement, committee, department)
        if not to:
            out.skipped.append(_no_address(unit, department))
            continue
        values = common_values(agreement, round_number) | {"udvalg": committee, "center": department, "modtager": unit, "filer": _files_list([path])}
        subject, body = text.fill(values)
        out.messages.append(Outgoing(TEMPLATES, round_number, committee, department, to, subject, body, (path,), stem=agreement.file_stem(committee, department)))
    return out


def _committee_order(agreement: Agreement, name: str) -> int:
    for i, c in enumerate(agreement.committees):
        if c.name == name:
            return i
    return len(agreement.committees)


def report_files(agreement: Agreement, folder: Path | str, committee: str) -> tuple[Path, ...]:
    """The committee's report in a collect folder: reports/<slug>.xlsx and, where made, .pdf."""
    xlsx = Path(folder) / REPORTS_DIR / report_file_name(agreement, committee)
    return tuple(p for p in (xlsx, xlsx.with_suffix(".pdf")) if p.is_file())


def compose_reports(agreement: Agreement, round_number: int, folder: Path | str, text: MailText, only: list[str] | None = None) -> Composed:
    """Each committee its report (xlsx, and the PDF where one was made)."""
    folder = Path(folder)
    if not (folder / REPORTS_DIR).is_dir():
        raise MailError(f"{folder / REPORTS_DIR} findes ikke. Angiv mappen, som followup collect skrev rapporterne i.")
    out = Composed()
    for c in agreement.committees:
        if only and c.name not in only:
            continue
        files = report_files(agreement, folder, c.name)
        if not files:
            if agreement.elements_of(c.name):
                out.skipped.append(f"{c.name}: ingen rapport i {folder / REPORTS_DIR} ({report_file_name(agreement, c.name)}); ikke sendt.")
            continue
        if not c.emails:
            out.skipped.append(_no_address(c.name, ""))
            continue
        values = common_values(agreement, round_number) | {"udvalg": c.name, "modtager": c.name, "filer": _files_list(files)}
        subject, body = text.fill(values)
        out.messages.append(Outgoing(REPORTS, round_number, c.name, "", c.emails, subject, body, files, stem=agreement.file_stem(c.name)))
    if not out.messages and not out.skipped:
        raise MailError(f"der er ingen rapporter i {folder / REPORTS_DIR}.")
    return out


# ---------------------------------------------------------------- reminders


@dataclass
class _Due:
    committee: str
    department: str
    missing: bool = False
    rejected: dict[str, list[dict]] = field(default_factory=dict)  # file -> its error rows
    unanswered: list[dict] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # returns whose annotated copy goes along


def read_validation(path: Path | str) -> list[dict]:
    """The rows of collect's validation.xlsx, keyed as a Problem's fields ("code", "committee" …).

    The headings are Danish and finance may reorder the columns; they are mapped
    back through the same table that wrote them.
    """
    path = Path(path)
    if not path.is_file():
        raise MailError(f"{path} findes ikke. Kør først followup collect med --out {path.parent}.")
    try:
        sheets = read_sheets(path)
    except Exception as exc:
        raise MailError(f"{path} kan ikke læses: {exc}") from None
    rows = sheets.get(VALIDATION_SHEET) or next(iter(sheets.values()), [])
    if not rows:
        return []
    key_of = {heading: key for heading, key, _width in VALIDATION_COLUMNS}
    keys = [key_of.get(str(h or "").strip(), "") for h in rows[0]]
    for heading, key, _width in VALIDATION_COLUMNS:
        if key in _NEEDED_COLUMNS and key not in keys:
            raise MailError(f"{path} har ikke kolonnen '{heading}'; er det valideringslisten fra followup collect?")
    return [{k: ("" if v is None else str(v)) for k, v in zip(keys, row) if k} for row in rows[1:] if any(v not in (None, "") for v in row)]


_NEEDED_COLUMNS = ("severity", "code", "file", "committee")


def _severity(label: str) -> Severity | None:
    for s in Severity:
        if label.strip().casefold() in (s.label.casefold(), s.value):
            return s
    return None


def _archive_index(folder: Path, round_number: int) -> dict[str, dict]:
    # collect's archive index: file -> where it came from (sender, SHA-256)
    path = folder / ARCHIVE_DIR / f"round-{round_number}" / "index.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return {e["file"]: e for e in entries if isinstance(e, dict) and e.get("file")}
    except (OSError, ValueError):
        return {}


def feedback_copy(folder: Path, file: str, sha256: str = "") -> Path | None:
    """The annotated copy collect wrote of a return (feedback/…_tilbagemelding.xlsx), if there is one."""
    name = feedback_name(ReturnCheck(Incoming(Path(file), file)))
    candidates = [distinct_feedback_name(name, sha256)] if sha256 else []
    for candidate in candidates + [name]:
        path = folder / FEEDBACK_DIR / candidate
        if path.is_file():
            return path
    return None


def due_reminders(agreement: Agreement, round_number: int, rows: list[dict], senders: dict[str, str] | None = None) -> tuple[list[_Due], list[str]]:
    """Who must be reminded and of what, from the validation rows; and rows that name no one.

    A unit is reminded when its return is missing or was rejected (collect then lists it as
    missing) or when an accepted return left elements without an answer.
    """
    senders = senders or {}
    noted: dict[tuple[str, str], list[str]] = {}  # (committee, element) -> returns with a finding on it
    committees = {c.name for c in agreement.committees}
    dues: dict[tuple[str, str], _Due] = {}
    rejected: dict[tuple[str, str], dict[str, list[dict]]] = {}
    unanswered: dict[str, list[dict]] = {}
    split: set[str] = set()
    orphans: list[str] = []
    for row in rows:
        code, committee, file = row.get("code", ""), row.get("committee", "").strip(), row.get("file", "").strip()
        department = row.get("department", "").strip()  # collect names the department of every per-department finding
        if code != "missing-answer" and committee and department:
            split.add(committee)
        if file and row.get("element") and _severity(row.get("severity", "")) is not Severity.INFO:
            noted.setdefault((committee, row["element"]), []).append(file)
        if code == "missing-return":
            if committee not in committees:
                continue
            dues.setdefault((committee, department), _Due(committee, department)).missing = True
        elif code == "missing-answer":
            if committee in committees:
                unanswered.setdefault(committee, []).append(row)
        elif file and _severity(row.get("severity", "")) is Severity.ERROR:
            if committee not in committees:
                orphans.append(f"{file}: {row.get('message', '')}")
                continue
            unit = (committee, department)
            rejected.setdefault(unit, {}).setdefault(file, []).append(row)
    for unit, files in rejected.items():
        due = dues.get(unit) or dues.get((unit[0], ""))
        if due is None:
            continue  # a later return from the same unit was accepted
        for file, file_rows in files.items():
            due.rejected.setdefault(file, []).extend(file_rows)
            _add_file(due, file, senders)
    departments = {e.number: e.department for e in agreement.elements}
    for committee, answer_rows in unanswered.items():
        for row in answer_rows:
            department = departments.get(row.get("element", ""), "") if committee in split else ""
            if (committee, department) in dues or (committee, "") in dues:
                continue  # the whole return is missing; no need to list its elements
            key = (committee, department)
            due = dues.get(key)
            if due is None:
                due = dues[key] = _Due(committee, department)
            due.unanswered.append(row)
            for file in noted.get((committee, row.get("element", "")), []):
                _add_file(due, file, senders)
    ordered = sorted(dues.values(), key=lambda d: (_committee_order(agreement, d.committee), d.department))
    return ordered, orphans


def _add_file(due: _Due, file: str, senders: dict[str, str]) -> None:
    if file not in due.files:
        due.files.append(file)
    sender = senders.get(file, "")
    if sender and sender not in due.senders:
        due.senders.append(sender)


def reminder_lines(due: _Due, agreement: Agreement) -> str:
    """The {mangler} list: exactly what is missing or wrong, one line per thing."""
    titles = {e.number: e.title for e in agreement.elements}
    lines: list[str] = []
    unit = unit_name(due.committee, due.department)
    if due.missing and not due.rejected:
        lines.append(f"- Vi har ikke modtaget den udfyldte skabelon fra {unit}.")
    for file, rows in due.rejected.items():
        lines.append(f"- Filen «{file}» kunne ikke godkendes:")
        for row in rows:
            text = row.get("message", "").strip() or row.get("code", "")
            extra = []
            if row.get("expected") and row["expected"] not in text:
                extra.append(f"forventet: '{row['expected']}'")
            if row.get("found") and row["found"] not in text:
                extra.append(f"fundet: '{row['found']}'")
            lines.append(f"    • {text}" + (f" ({'; '.join(extra)})" if extra else ""))
    for row in due.unanswered:
        number = row.get("element", "")
        title = titles.get(number, "")
        lines.append(f"- Indsats {number}{' ' + title if title else ''}: intet godkendt svar (smiley mangler).")
    return "\n".join(lines)


def compose_reminders(agreement: Agreement, round_number: int, folder: Path | str, text: MailText, only: list[str] | None = None) -> Composed:
    """A reminder to each committee or department whose return is missing, rejected or incomplete."""
    folder = Path(folder)
    rows = read_validation(folder / VALIDATION_NAME)
    index = _archive_index(folder, round_number)
    dues, orphans = due_reminders(agreement, round_number, rows, {f: e.get("sender", "") for f, e in index.items()})
    out = Composed()
    for o in orphans:
        out.skipped.append(f"kan ikke knyttes til et udvalg, så ingen rykker: {o}")
    for due in dues:
        if only and due.committee not in only:
            continue
        unit = unit_name(due.committee, due.department)
        to = _addresses_of(agreement, due.committee, due.department)
        if not to:
            out.skipped.append(_no_address(unit, due.department))
            continue
        copies = tuple(p for p in (feedback_copy(folder, f, index.get(f, {}).get("sha256", "")) for f in due.files) if p)
        listing = reminder_lines(due, agreement)
        if copies:
            listing += "\n\nVedhæftet er en kopi af jeres fil, hvor de berørte celler er markeret og kommenteret."
        cc = tuple(a for a in (parseaddr(s)[1] for s in due.senders) if EMAIL_ADDRESS.match(a) and a.casefold() not in {t.casefold() for t in to})
        values = common_values(agreement, round_number) | {"udvalg": due.committee, "center": due.department, "modtager": unit, "mangler": listing}
        subject, body = text.fill(values)
        out.messages.append(
            Outgoing(REMINDERS, round_number, due.committee, due.department, to, subject, body, copies, cc, identity=listing, stem=agreement.file_stem(due.committee, due.department))
        )
    return out


# ---------------------------------------------------------------- MIME


def sender_address(agreement: Agreement, from_address: str | None) -> str:
    """The From address: --from-address, else the agreement's e-mail."""
    address = (from_address or agreement.email or "").strip()
    if not address:
        raise MailError("der er ingen afsenderadresse. Angiv --from-address, eller skriv E-mail på arket 'Aftale' i masterfilen.")
    if not EMAIL_ADDRESS.match(address):
        raise MailError(f"afsenderadressen '{address}' er ikke en gyldig e-mailadresse.")
    return address


def to_email(out: Outgoing, sender: str, display_name: str = "", reply_to: str = "", draft: bool = False, now: datetime | None = None) -> EmailMessage:
    """The message as MIME: UTF-8 text, æøå in headers and file names encoded per RFC 2047/2231."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = Address(display_name=display_name, addr_spec=sender) if display_name else sender
    msg["To"] = ", ".join(out.to)
    if out.cc:
        msg["Cc"] = ", ".join(out.cc)
    if reply_to and reply_to.casefold() != sender.casefold():
        msg["Reply-To"] = reply_to
    msg["Subject"] = out.subject
    msg["Date"] = format_datetime((now or datetime.now(UTC)).astimezone())
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    if draft:
        msg["X-Unsent"] = "1"  # Outlook opens the file as a draft, ready to send
    msg.set_content(out.body, subtype="plain", charset="utf-8", cte="quoted-printable")
    for path in out.attachments:
        mime = MIME_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return msg


def write_outbox(messages: list[Outgoing], outbox: Path | str, sender: str, display_name: str = "", reply_to: str = "") -> list[Path]:
    """Write each message as an .eml draft in the outbox, to be checked before sending."""
    outbox = Path(outbox)
    written = []
    for out in messages:
        msg = to_email(out, sender, display_name, reply_to, draft=True)
        written.append(atomic_write_bytes(outbox / out.file_name, msg.as_bytes()))
    return written


# ---------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. The password is never part of this."""

    host: str
    port: int
    user: str = ""
    security: str = "none"  # none | starttls | ssl
    timeout: float = 30.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


ENV = {
    "host": "FOLLOWUP_SMTP_HOST",
    "port": "FOLLOWUP_SMTP_PORT",
    "user": "FOLLOWUP_SMTP_USER",
    "security": "FOLLOWUP_SMTP_SECURITY",
    "config": "FOLLOWUP_SMTP_CONFIG",
    "password": "FOLLOWUP_SMTP_PASSWORD",
    "from_address": "FOLLOWUP_MAIL_FROM",
}
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


_CONFIG_SHAPE = "Den skal have sektionen [smtp] øverst og linjer som host = smtp.kommune.dk"


def _config_place(exc: configparser.Error) -> str:
    """Where configparser stopped, in Danish: its own message is English and spans several lines."""
    line = getattr(exc, "lineno", None)
    if not line and getattr(exc, "errors", None):  # a ParsingError lists (line, text) of each line it could not read
        line = exc.errors[0][0]
    return f" (linje {line})" if line else ""


def read_config(path: Path | str | None) -> dict[str, str]:
    """The [smtp] section of an INI file: host, port, user, security, from_address."""
    if not path:
        return {}
    path = Path(path)
    if not path.is_file():
        raise MailError(f"konfigurationsfilen {path} findes ikke.")
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise MailError(f"konfigurationsfilen {path} kan ikke læses{_config_place(exc)}. {_CONFIG_SHAPE}") from None
    if not parser.has_section("smtp"):
        raise MailError(f"konfigurationsfilen {path} har ingen sektion [smtp].")
    values = dict(parser.items("smtp"))
    if "password" in values:
        raise MailError(f"konfigurationsfilen {path} indeholder en adgangskode. Slet den; brug miljøvariablen {ENV['password']} eller tast den, når du bliver spurgt.")
    unknown = sorted(set(values) - {"host", "port", "user", "security", "from_address"})
    if unknown:
        raise MailError(f"konfigurationsfilen {path} har ukendte nøgler: {', '.join(unknown)} (kendte: host, port, user, security, from_address).")
    return values


def smtp_settings(
    host: str | None = None,
    port: int | None = None,
    user: str | None = None,
    security: str | None = None,
    config: Path | str | None = None,
    environ: dict[str, str] | None = None,
) -> SmtpSettings:
    """Settings from the command line, else the environment, else the config file."""
    env = os.environ if environ is None else environ
    cfg = read_config(config or env.get(ENV["config"]))

    def pick(given, key):
        if given not in (None, ""):
            return given
        return env.get(ENV[key]) or cfg.get(key) or None

    host = pick(host, "host")
    if not host:
        raise MailError(f"angiv SMTP-serveren med --smtp-host (eller {ENV['host']}, eller host i konfigurationsfilen).")
    security = (pick(security, "security") or "none").strip().lower()
    if security not in SECURITY:
        raise MailError(f"sikkerhed '{security}' findes ikke; brug none, starttls eller ssl.")
    raw_port = pick(port, "port")
    try:
        port_number = int(raw_port) if raw_port not in (None, "") else DEFAULT_PORTS[security]
    except ValueError:
        raise MailError(f"SMTP-porten '{raw_port}' er ikke et tal.") from None
    if not 0 < port_number < 65536:
        raise MailError(f"SMTP-porten {port_number} findes ikke (1–65535).")
    user = pick(user, "user") or ""
    if user and security == "none" and host not in ("localhost", "127.0.0.1", "::1"):
        raise MailError("adgangskoden ville blive sendt ukrypteret. Brug --starttls eller --ssl.")
    return SmtpSettings(host=host, port=port_number, user=user, security=security)


def smtp_password(settings: SmtpSettings, environ: dict[str, str] | None = None, prompt=getpass.getpass) -> str | None:
    """The password for settings.user: from FOLLOWUP_SMTP_PASSWORD, else asked for on the terminal."""
    if not settings.user:
        return None
    env = os.environ if environ is None else environ
    if env.get(ENV["password"]):
        return env[ENV["password"]]
    if not sys.stdin or not sys.stdin.isatty():
        raise MailError(f"adgangskoden til {settings.user} mangler: sæt miljøvariablen {ENV['password']}, eller kør kommandoen i en terminal og tast den.")
    return prompt(f"Adgangskode til {settings.user} på {settings.host}: ")


@dataclass
class SendReport:
    """What happened to each message of one `--send`."""

    sent: list[Outgoing] = field(default_factory=list)
    already: list[Outgoing] = field(default_factory=list)
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)
    not_tried: list[Outgoing] = field(default_factory=list)
    stopped: str = ""

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_tried or self.stopped)


def read_send_log(path: Path | str) -> dict[str, set[str]]:
    """Message key -> the addresses it has been delivered to, from the JSON lines log."""
    delivered: dict[str, set[str]] = {}
    path = Path(path)
    if not path.is_file():
        return delivered
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("status") in ("sent", "partial"):
            delivered.setdefault(entry.get("key", ""), set()).update(a.casefold() for a in entry.get("delivered", []))
    return delivered


def _log(path: Path, entry: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def pending(messages: list[Outgoing], log_path: Path | str, resend: bool = False) -> list[tuple[Outgoing, tuple[str, ...]]]:
    """Each message with the recipients it still has to reach (empty: already sent)."""
    delivered = {} if resend else read_send_log(log_path)
    out = []
    for m in messages:
        done = delivered.get(m.key, set())
        out.append((m, tuple(a for a in m.recipients if a.casefold() not in done)))
    return out


def _connect(settings: SmtpSettings, password: str | None) -> smtplib.SMTP:
    context = ssl.create_default_context()
    try:
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(
            f"kan ikke forbinde til SMTP-serveren {settings.where} ({_reason(exc)}). Intet er sendt. "
            "Tjek --smtp-host og --smtp-port, eller skriv beskederne til udbakken uden --send."
        ) from None
    try:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.user:
            _login(smtp, settings.user, password or "")
    except smtplib.SMTPAuthenticationError:
        smtp.close()
        raise SendError(f"SMTP-serveren {settings.where} afviste brugernavnet {settings.user} eller adgangskoden. Intet er sendt.") from None
    except (OSError, smtplib.SMTPException) as exc:
        smtp.close()
        raise SendError(f"SMTP-serveren {settings.where} kunne ikke sætte forbindelsen op ({_reason(exc)}). Intet er sendt.") from None
    return smtp


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    # AUTH PLAIN in UTF-8 where offered (smtplib's own login is ASCII only, and tries every
    # mechanism in turn); else smtplib's choice.
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" in smtp.esmtp_features.get("auth", "").upper().split():
        token = base64.b64encode(b"\0" + user.encode("utf-8") + b"\0" + password.encode("utf-8")).decode("ascii")
        code, response = smtp.docmd("AUTH", "PLAIN " + token)
        if code not in (235, 503):  # 503: already authenticated
            raise smtplib.SMTPAuthenticationError(code, response)
        return
    if not (user + password).isascii():
        raise smtplib.SMTPNotSupportedError("serveren tilbyder ikke AUTH PLAIN, som kræves for æøå i brugernavn eller adgangskode")
    smtp.login(user, password)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{a}: {_refusal(r)}" for a, r in exc.recipients.items())
    return str(exc) or type(exc).__name__


def _refusal(response) -> str:
    code, text = response
    return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"


def send(
    messages: list[Outgoing],
    settings: SmtpSettings,
    outbox: Path | str,
    sender: str,
    password: str | None = None,
    display_name: str = "",
    reply_to: str = "",
    resend: bool = False,
) -> SendReport:
    """Send through SMTP, logging each delivery; what the log says was delivered is not sent again.

    A refused message or recipient is logged and the rest still go; a lost connection
    stops the run, and running it again sends what is left.
    """
    outbox = Path(outbox)
    log_path = outbox / SEND_LOG
    report = SendReport()
    todo = []
    for m, remaining in pending(messages, log_path, resend):
        (todo.append((m, remaining)) if remaining else report.already.append(m))
    if not todo:
        return report
    smtp = _connect(settings, password)
    try:
        for i, (m, remaining) in enumerate(todo):
            msg = to_email(m, sender, display_name, reply_to)
            entry = {
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
                "key": m.key,
                "kind": m.kind,
                "round": m.round,
                "unit": m.unit,
                "subject": m.subject,
                "message_id": msg["Message-ID"],
                "attachments": [p.name for p in m.attachments],
                "server": settings.where,
            }
            try:
                refused = smtp.send_message(msg, from_addr=sender, to_addrs=list(remaining))
            except (smtplib.SMTPException, OSError) as exc:
                reason = _reason(exc)
                refusals = {a: _refusal(r) for a, r in getattr(exc, "recipients", {}).items()}
                _log(log_path, entry | {"status": "failed", "delivered": [], "error": reason, "refused": refusals})
                if _connection_lost(exc):
                    report.failed.append((m, f"forbindelsen blev afbrudt ({reason})"))
                    report.not_tried.extend(x for x, _ in todo[i + 1 :])
                    report.stopped = f"forbindelsen til {settings.where} blev afbrudt efter {i} af {len(todo)} beskeder"
                    break
                report.failed.append((m, ("alle modtagere afvist: " if refusals else "") + reason))
                _reset(smtp)
                continue
            delivered = [a for a in remaining if a not in refused]
            status = "partial" if refused else "sent"
            _log(log_path, entry | {"status": status, "delivered": delivered, "refused": {a: _refusal(r) for a, r in refused.items()}})
            atomic_write_bytes(outbox / SENT_DIR / m.file_name, msg.as_bytes())
            if refused:
                report.failed.append((m, "afvist for " + "; ".join(f"{a}: {_refusal(r)}" for a, r in refused.items())))
            else:
                report.sent.append(m)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return report


def _connection_lost(exc: BaseException) -> bool:
    # A dropped line, or the server saying 421 (closing down); anything else refused one message.
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    return not isinstance(exc, smtplib.SMTPException)  # a socket error


def _reset(smtp: smtplib.SMTP) -> None:
    try:
        smtp.rset()
    except (OSError, smtplib.SMTPException):
        pass


# ---------------------------------------------------------------- the commands


@dataclass
class MailRun:
    """What one `followup mail …` did, for the CLI's summary and for tests."""

    kind: str
    composed: Composed
    outbox: Path
    written: list[Path] = field(default_factory=list)
    report: SendReport | None = None
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        if self.composed.skipped:
            return 1
        return 0 if self.dry_run or self.report is None or self.report.ok else 1


COMPOSERS = {TEMPLATES: compose_templates, REPORTS: compose_reports, REMINDERS: compose_reminders}


def run_mail(
    kind: str,
    agreement: Agreement,
    round_number: int,
    folder: Path | str,
    outbox: Path | str | None = None,
    from_address: str | None = None,
    texts: Path | str | None = None,
    only: list[str] | None = None,
    smtp: SmtpSettings | None = None,
    password: str | None = None,
    dry_run: bool = False,
    resend: bool = False,
) -> MailRun:
    """Compose one kind of message; then list it (dry run), write the outbox, or send (smtp given)."""
    sender = sender_address(agreement, from_address)
    unknown = [name for name in only or [] if name not in {c.name for c in agreement.committees}]
    if unknown:
        raise MailError(f"udvalget '{unknown[0]}' står ikke i masterfilen (--only). Udvalgene er: " + ", ".join(c.name for c in agreement.committees) + ".")
    text = load_mail_text(kind, texts)
    composed = COMPOSERS[kind](agreement, round_number, folder, text, only)
    outbox = Path(outbox) if outbox else Path(folder) / OUTBOX_NAME
    run = MailRun(kind, composed, outbox, dry_run=dry_run)
    display, reply_to = agreement.office, agreement.email
    if dry_run:
        if smtp is not None:
            run.report = SendReport()
            for m, remaining in pending(composed.messages, outbox / SEND_LOG, resend):
                (run.report.not_tried if remaining else run.report.already).append(m)
        return run
    if smtp is None:
        run.written = write_outbox(composed.messages, outbox, sender, display, reply_to)
    else:
        run.report = send(composed.messages, smtp, outbox, sender, password, display, reply_to, resend)
    return run


def configured_from_address(given: str | None, config: Path | str | None = None, environ: dict[str, str] | None = None) -> str | None:
    """--from-address, else FOLLOWUP_MAIL_FROM, else from_address in the config file; None: use the master's."""
    env = os.environ if environ is None else environ
    if given:
        return given
    if env.get(ENV["from_address"]):
        return env[ENV["from_address"]]
    return read_config(config or env.get(ENV["config"])).get("from_address") or None


def describe(m: Outgoing) -> list[str]:
    """The lines the CLI prints for one message."""
    lines = [f"  {m.unit}", f"    Til: {', '.join(m.to)}"]
    if m.cc:
        lines.append(f"    Cc: {', '.join(m.cc)}")
    lines.append(f"    Emne: {m.subject}")
    if m.attachments:
        lines.append(f"    Vedhæftet: {', '.join(p.name for p in m.attachments)}")
    return lines


def summary_lines(run: MailRun) -> list[str]:
    """What the command tells finance: each message, where it went, and what did not go."""
    lines: list[str] = []
    messages = run.composed.messages
    report = run.report
    if not messages:
        lines.append("Ingen beskeder at sende.")
    elif run.dry_run:
        lines.append("--dry-run: intet er skrevet eller sendt.")
        if report is None:
            lines.append(f"Ville skrive {len(messages)} besked(er) i udbakken {run.outbox}:")
            for m in messages:
                lines.extend(describe(m))
        else:
            lines.append(f"Ville sende {len(report.not_tried)} besked(er):")
            for m in report.not_tried:
                lines.extend(describe(m))
    elif report is None:
        lines.append(f"{len(messages)} besked(er) skrevet i udbakken {run.outbox}:")
        for m in messages:
            lines.extend(describe(m))
        lines.append("Åbn dem i Outlook eller Thunderbird, og tjek dem. Send dem derfra, eller kør kommandoen igen med --send.")
    else:
        if report.sent:
            lines.append(f"Sendt: {len(report.sent)} besked(er).")
            for m in report.sent:
                lines.extend(describe(m))
    if report is not None and not run.dry_run:
        for m, reason in report.failed:
            lines.append(f"Ikke sendt: {m.unit}: {reason}")
        for m in report.not_tried:
            lines.append(f"Ikke sendt: {m.unit}: ikke forsøgt")
        if report.stopped:
            lines.append(f"Afbrudt: {report.stopped}.")
        if report.failed or report.not_tried:
            lines.append(f"Kør kommandoen igen for at sende resten; det, der er sendt, står i {run.outbox / SEND_LOG} og sendes ikke igen.")
    if report is not None and report.already:
        lines.append(f"Allerede sendt ifølge {run.outbox / SEND_LOG} ({len(report.already)}): " + ", ".join(m.unit for m in report.already) + ". Brug --resend for at sende igen.")
    if run.composed.skipped:
        lines.append("Ikke med:")
        lines.extend(f"  {s}" for s in run.composed.skipped)
    return lines
