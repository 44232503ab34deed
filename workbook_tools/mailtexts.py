"""The mails' editable texts: a subject and a body per kind of message, with {placeholders}.

Finance edits them in Notepad: the year folder's ``mailtekster/*.txt``, else the
factory texts shipped in the package. A text that is there but cannot be read, or
uses a placeholder that does not exist, is an error naming the file, never a quiet
return to the factory text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .mail import OVERVIEW, REMINDERS, REPORTS, TEMPLATES, MailError
from .model import Agreement
from .resources import factory_mail_texts
from .texts import fill, long_date

TEXTS_DIR = factory_mail_texts()  # packaged: found wherever the tool is installed
TEXT_FILES = {TEMPLATES: "skabelon.txt", REPORTS: "rapport.txt", REMINDERS: "rykker.txt", OVERVIEW: "oversigt.txt"}
PLACEHOLDERS = (
    "runde", "rundenummer", "udvalg", "center", "modtager", "frist", "aftale", "år",
    "kontakt", "kontakt_navn", "kontakt_email", "kontakt_telefon", "afsender", "sagsid",
    "filer", "mangler",
)  # fmt: skip


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
            raise MailError(f"mappen med mailtekster {folder} findes ikke.")
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
