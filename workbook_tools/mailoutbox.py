"""A message as MIME, and the outbox: each message an .eml draft to check in Outlook or Thunderbird before it goes.

UTF-8 text, æøå in headers and attachment names encoded as the RFCs say; Outlook
opens a draft (``X-Unsent: 1``) ready to send.
"""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from .atomic import atomic_write_bytes
from .danish import quoted
from .mail import MailError, Outgoing
from .master import EMAIL_ADDRESS
from .model import Agreement

OUTBOX_NAME = "outbox"
MIME_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".csv": "text/csv",
}


def sender_address(agreement: Agreement, from_address: str | None) -> str:
    """The From address: --from-address, else the agreement's e-mail."""
    address = (from_address or agreement.email or "").strip()
    if not address:
        raise MailError(
            f"der er ingen afsenderadresse. Angiv --from-address, eller skriv den i rækken {quoted('E-mail')} på arket {quoted('Aftale')} i masterfilen."
        )
    if not EMAIL_ADDRESS.match(address):
        raise MailError(
            f"afsenderadressen {quoted(address)} er ikke en gyldig e-mailadresse; ret den efter --from-address eller på arket {quoted('Aftale')}."
        )
    return address


def to_email(
    out: Outgoing, sender: str, display_name: str = "", reply_to: str = "", draft: bool = False, now: datetime | None = None
) -> EmailMessage:
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
