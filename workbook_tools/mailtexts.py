"""The mails' editable texts: a subject and a body per kind of message, with {placeholders}.

Finance edits them in Notepad: the year folder's ``mailtekster/*.txt``, else the
factory texts shipped in the package. A text that is there but cannot be read, or
uses a placeholder that does not exist, is an error naming the file, never a quiet
return to the factory text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .atomic import read_cause
from .danish import long_date, quoted
from .mail import OVERVIEW, REMINDERS, REPORTS, TEMPLATES, MailError
from .model import Agreement
from .resources import factory_mail_texts
from .texts import fill, round_phrase

TEXTS_DIR = factory_mail_texts()  # packaged: found wherever the tool is installed
TEXT_FILES = {TEMPLATES: "skabelon.txt", REPORTS: "rapport.txt", REMINDERS: "rykker.txt", OVERVIEW: "oversigt.txt"}
PLACEHOLDERS = (
    "runde", "rundenummer", "udvalg", "center", "modtager", "svarfrist", "frist", "aftale", "år",
    "kontakt", "kontakt_navn", "kontakt_email", "kontakt_telefon", "afsender", "sagsid",
    "filer", "mangler",
)  # fmt: skip
NO_DEADLINE = "den aftalte frist"  # {frist} when the round has none: only texts written before {svarfrist} use it
AS_SOON_AS_POSSIBLE = "hurtigst muligt"  # {svarfrist} when there is no deadline, or it has passed


@dataclass(frozen=True)
class MailText:
    """An editable subject and body with {placeholders}, read from a .txt file."""

    subject: str
    body: str
    source: str

    def fill(self, values: dict[str, str]) -> tuple[str, str]:
        """(subject, body) with the placeholders filled; the subject kept to one line and begun with a capital.

        A round without a deadline: the texts written before {svarfrist} (a year folder's
        ``mailtekster/`` keeps them) read "senest {frist}" as {svarfrist} and lose the
        sentence "Fristen … {frist}.", rather than saying "senest den aftalte frist".
        """
        subject_text, body_text = self.subject, self.body
        if values.get("frist") == NO_DEADLINE:
            subject_text, body_text = _without_deadline(subject_text), _without_deadline(body_text)
        subject = " ".join(_fill(subject_text, values, self.source).split())
        subject = subject[:1].upper() + subject[1:]  # round 4: "Den endelige opfølgning (31.12.2031): …"
        return subject, _fill(body_text, values, self.source).rstrip() + "\n"


_DEADLINE_SENTENCE = re.compile(r"Fristen[^.\n{}]*\{frist\}\.[ \t]*\n?")


def _without_deadline(text: str) -> str:
    # The older factory texts' two ways of giving the deadline, said without one.
    return _DEADLINE_SENTENCE.sub("", text.replace("senest {frist}", "{svarfrist}"))


def _fill(text: str, values: dict[str, str], source: str) -> str:
    def unknown(key: str) -> str:
        known = ", ".join("{" + k + "}" for k in PLACEHOLDERS)
        raise MailError(f"mailteksten {source} bruger pladsholderen {{{key}}}, som ikke findes. Brug en af: {known}.")

    return fill(text, values, unknown)


def load_mail_text(kind: str, folder: Path | str | None = None) -> MailText:
    """The text for one kind of message: from `folder` if it has the file, else the factory one.

    A file that is there but cannot be read is an error, never a quiet return to the
    factory text: finance's edit would be lost without a word.
    """
    name = TEXT_FILES[kind]
    if folder:
        folder = Path(folder)
        if not folder.is_dir():
            raise MailError(f"mappen med mailtekster {folder} findes ikke; ret stien efter --mail-texts.")
        own = folder / name
        if own.exists():
            return parse_mail_text(_read_text_file(own), str(own))
    packaged = TEXTS_DIR.joinpath(name)
    if not packaged.is_file():
        raise MailError(
            f"mailteksten {name} mangler i installationen af workbook_tools; installér programmet igen, eller angiv --mail-texts MAPPE."
        )
    return parse_mail_text(packaged.read_text(encoding="utf-8-sig"), f"standardteksten {name}")


def _read_text_file(path: Path) -> str:
    """A mail text as finance saved it: UTF-8 (with or without BOM), or Windows' own ANSI (cp1252) from Notepad."""
    try:
        data = path.read_bytes()
    except OSError as exc:  # a folder by that name too: read_cause says so
        raise MailError(f"mailteksten {path} kan ikke læses ({read_cause(exc)}).") from None
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
        raise MailError(f"{source}: første linje skal være emnet, fx {quoted('Emne: {runde} for {modtager}')}.")
    subject = lines[0].split(":", 1)[1].strip()
    body = "\n".join(lines[1:]).strip("\n")
    if not subject:
        raise MailError(f"{source}: emnet er tomt.")
    return MailText(subject, body, source)


def answer_by(deadline: date | None, today: date | None = None) -> str:
    """{svarfrist}: "senest 15. marts 2031", or "hurtigst muligt" when there is no deadline or it has passed.

    Reads right after "svar" in a subject and at the end of "send den …". Pure, for texts.py to take over.
    """
    if deadline is None or deadline < (today or date.today()):
        return AS_SOON_AS_POSSIBLE
    return f"senest {long_date(deadline)}"


def common_values(agreement: Agreement, round_number: int, today: date | None = None) -> dict[str, str]:
    """Placeholders every message shares: the round, the deadline and whom to ask."""
    r = agreement.round(round_number)
    sender = agreement.office or agreement.contact or agreement.email
    contact_bits = [b for b in (agreement.email, f"tlf. {agreement.phone}" if agreement.phone else "") if b]
    who = agreement.contact or agreement.office
    if who:
        contact = f"{who} ({', '.join(contact_bits)})" if contact_bits else who
    else:
        contact = ", ".join(contact_bits)
    return dict.fromkeys(PLACEHOLDERS, "") | {  # the message's own ({udvalg}, {filer} …) are filled by its composer
        "runde": round_phrase(r.label, round_number),
        "rundenummer": str(round_number),
        "svarfrist": answer_by(r.deadline, today),
        "frist": long_date(r.deadline) if r.deadline else NO_DEADLINE,
        "aftale": agreement.title,
        "år": str(agreement.year),
        "kontakt": contact,
        "kontakt_navn": agreement.contact,
        "kontakt_email": agreement.email,
        "kontakt_telefon": agreement.phone,
        "afsender": sender,
        "sagsid": agreement.case_number,
    }
