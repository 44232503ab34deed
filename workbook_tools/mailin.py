"""E-mail in: returned workbooks straight from saved e-mails (.eml, Outlook .msg).

Finance saves the replies from Outlook or Thunderbird into a folder and collects the
folder; nobody saves attachments one by one. Each e-mail is opened, its workbook
attachments are written to a private temporary folder (never beside the input) and
handed to the collector as :class:`~workbook_tools.inbox.Incoming` items named
like ``svar.eml › runde-1_Udvalg-01.xlsx``, with the e-mail's sender and its Date
header as provenance: the Date header, not the file's time, decides whether a
return was late. Attachments that are not workbooks, and e-mails without one,
become problems in the validation list, not errors.
"""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from .atomic import read_cause
from .danish import thousands
from .deadline import local_time
from .filekind import OLE2_MAGIC, WORKBOOK_KINDS, attachment_words, sniff_bytes, sniff_workbook_kind
from .inbox import MAIL_SUFFIXES, WORKBOOK_SUFFIXES, Incoming, discover, file_received
from .outfolder import MAIL_PATH_ARROW as ARROW
from .problems import Problem
from .shownames import distinct, once

MAX_MAIL_BYTES = 200 * 1024 * 1024
MAX_DEPTH = 4  # e-mails attached to e-mails, as a forward does
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]?")


@dataclass
class MailInputs:
    """The workbooks to check (from files and from e-mails), and what was wrong with the e-mails.

    The extracted attachments live in a private temporary folder until :meth:`close`
    (or until this object is gone).
    """

    incoming: list[Incoming] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory | None = None
    _files: int = 0

    def new_folder(self) -> Path:
        """A fresh private folder for one attachment, so that equal names never collide."""
        self._files += 1
        folder = self.folder() / f"{self._files:04d}"
        folder.mkdir(mode=0o700)
        return folder

    def folder(self) -> Path:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="followup-mail-")
        return Path(self._tmp.name)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> MailInputs:
        return self

    def __exit__(self, *_) -> None:
        self.close()


@dataclass(frozen=True)
class _Context:
    display: str  # the e-mail's name as the user sees it
    origin: str  # the e-mail's path (and the way into an attached e-mail)
    sender: str
    received: datetime | None


def mail_kind(path: Path) -> str | None:
    """'eml', 'msg', 'broken-msg' (named .msg, but not one) or None for a file that is not a saved e-mail.

    Judged by content first: a workbook named .eml is a workbook. A symbolic link is left
    to the collector, which refuses it.
    """
    if path.is_symlink():
        return None
    kind = sniff_workbook_kind(path)
    if kind == "msg":
        return "msg"
    if kind in WORKBOOK_KINDS or kind in ("folder", "missing", "empty", "encrypted", "xls"):
        return None
    suffix = path.suffix.lower()
    if suffix == ".eml" and kind in ("text", "binary"):
        return "eml"
    if suffix == ".msg":
        return "broken-msg"
    if kind == "text" and suffix not in WORKBOOK_SUFFIXES and _looks_like_rfc822(path):
        return "eml"
    return None


def _looks_like_rfc822(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError:
        return False
    block = head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lines = block.splitlines()
    if not lines or not _HEADER_LINE.match(lines[0]):
        return False
    names = {ln.split(b":", 1)[0].strip().lower() for ln in lines if _HEADER_LINE.match(ln)}
    return b"from" in names and bool(names & {b"date", b"message-id", b"mime-version"})


def expand_inputs(paths: list[Path | str], name_of: Callable[[Path], str] | None = None) -> MailInputs:
    """Every workbook to collect: plain files as they are, saved e-mails opened into their attachments.

    A path given twice (or a file given and also found in a folder given) is one
    return, taken once. Each return's shown name is unique (shownames.distinct).
    """
    name_of = name_of or (lambda p: p.name)
    out = MailInputs()
    for p in once(discover(paths)):
        kind = mail_kind(p)
        if kind is None:
            out.incoming.append(Incoming(p, name_of(p), file_received(p), origin=str(p)))
            continue
        display = name_of(p)
        if kind == "broken-msg":
            out.problems.append(Problem("unreadable-mail", display, detail="filen er ikke en Outlook-meddelelse"))
            continue
        read_mail(p, kind, display, out)
    out.incoming = distinct(out.incoming)
    return out


def read_mail(path: Path, kind: str, display: str, into: MailInputs) -> None:
    """Add the workbook attachments of one saved e-mail to `into`; problems for the rest."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        into.problems.append(Problem("unreadable-mail", display, detail=read_cause(exc)))
        return
    if size > MAX_MAIL_BYTES:
        into.problems.append(
            Problem("unreadable-mail", display, detail=f"e-mailen fylder {thousands(size)} byte (højst {thousands(MAX_MAIL_BYTES)})")
        )
        return
    before = len(into.incoming)
    try:
        if kind == "msg":
            _read_msg_file(path, display, str(path), into, 0, file_received(path))
        else:
            _read_eml_file(path, display, str(path), into, 0, file_received(path))
    except Exception as exc:  # a hostile or broken file must not stop the collection
        del into.incoming[before:]
        into.problems.append(Problem("unreadable-mail", display, detail=_mail_error(exc, kind)))
        return
    if len(into.incoming) == before:
        into.problems.append(Problem("no-attachment", display))


def _mail_error(exc: Exception, kind: str) -> str:
    """Why a saved e-mail could not be opened, in Danish: the readers' own messages are English.

    Only an OSError the system raised (with an errno) is about the file system; olefile's
    errors are OSErrors too, about a broken .msg.
    """
    if isinstance(exc, OSError) and (exc.errno or getattr(exc, "winerror", None)):
        return read_cause(exc)
    what = "Outlook-meddelelse" if kind == "msg" else "e-mail"
    return f"den er beskadiget eller ikke en {what}, der kan læses"


# ---------------------------------------------------------------- .eml


def _read_eml_file(path: Path, display: str, origin: str, into: MailInputs, depth: int, fallback: datetime | None) -> None:
    with open(path, "rb") as fh:
        msg = BytesParser(policy=policy.default).parse(fh)
    _read_eml(msg, display, origin, into, depth, fallback)


def _read_eml(msg: EmailMessage, display: str, origin: str, into: MailInputs, depth: int, fallback: datetime | None) -> None:
    ctx = _Context(display, origin, eml_sender(msg), eml_date(msg) or fallback)
    names: dict[str, int] = {}
    for part in _attachment_parts(msg):
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, EmailMessage) and depth < MAX_DEPTH:
                label = _unique(part.get_filename() or _subject_name(inner), names)
                _read_eml(inner, display + ARROW + label, origin + ARROW + label, into, depth + 1, ctx.received)
            continue
        data = part.get_payload(decode=True) or b""
        name = part.get_filename() or ""
        _take(name, data, ctx, into, depth, names)


def _attachment_parts(msg: EmailMessage) -> Iterator[EmailMessage]:
    # The leaves that are files: anything named or marked as an attachment, and attached
    # e-mails; not the text and HTML bodies, nor the inline pictures of a signature.
    if msg.get_content_type() == "message/rfc822" and msg.is_multipart():
        yield msg
        return
    if msg.is_multipart():
        for sub in msg.iter_parts():
            yield from _attachment_parts(sub)
        return
    disposition = msg.get_content_disposition()
    filename = msg.get_filename()
    if disposition == "inline" and msg.get_content_maintype() == "image":
        return
    if filename or disposition == "attachment":
        yield msg


def eml_sender(msg: EmailMessage) -> str:
    """The From header as "Name <address>", or the address alone."""
    try:
        header = msg["From"]
        addresses = getattr(header, "addresses", ()) if header is not None else ()
    except Exception:  # a malformed header the parser kept as a defect
        addresses = ()
    if addresses:
        a = addresses[0]
        return f"{a.display_name} <{a.addr_spec}>" if a.display_name else a.addr_spec
    name, address = parseaddr(str(msg.get("From", "")))
    return f"{name} <{address}>" if name and address else address


def eml_date(msg: EmailMessage) -> datetime | None:
    """The Date header as a datetime in the sender's time zone, or None when absent or unreadable."""
    try:
        header = msg["Date"]
    except Exception:
        return None
    if header is None:
        return None
    value = getattr(header, "datetime", None)
    if isinstance(value, datetime):
        return value
    try:
        return parsedate_to_datetime(str(header))
    except (TypeError, ValueError, IndexError):
        return None


def _subject_name(msg) -> str:
    subject = str(msg.get("Subject", "") or "").strip()
    return (subject[:60] or "videresendt e-mail") + ".eml"


# ---------------------------------------------------------------- .msg


@contextlib.contextmanager
def _quiet_extract_msg() -> Iterator[None]:
    logger = logging.getLogger("extract_msg")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read_msg_file(path: Path, display: str, origin: str, into: MailInputs, depth: int, fallback: datetime | None) -> None:
    import extract_msg
    from extract_msg.enums import ErrorBehavior

    behaviour = ErrorBehavior.ATTACH_SUPPRESS_ALL | ErrorBehavior.RTFDE | ErrorBehavior.STANDARDS_VIOLATION
    with _quiet_extract_msg():
        msg = extract_msg.openMsg(str(path), strict=False, errorBehavior=behaviour)
        try:
            _read_msg(msg, display, origin, into, depth, fallback)
        finally:
            msg.close()


def _read_msg(msg, display: str, origin: str, into: MailInputs, depth: int, fallback: datetime | None) -> None:
    from extract_msg.enums import AttachmentType

    ctx = _Context(display, origin, msg_sender(msg), msg_date(msg) or fallback)
    names: dict[str, int] = {}
    for att in getattr(msg, "attachments", []) or []:
        kind = getattr(att, "type", None)
        if kind in (AttachmentType.MSG, AttachmentType.SIGNED_EMBEDDED):
            inner = att.data
            if depth < MAX_DEPTH and inner is not None:
                label = _unique(f"{getattr(att, 'displayName', '') or getattr(inner, 'subject', '') or 'videresendt e-mail'}.msg", names)
                _read_msg(inner, display + ARROW + label, origin + ARROW + label, into, depth + 1, ctx.received)
            continue
        name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or getattr(att, "name", None) or ""
        data = att.data if isinstance(getattr(att, "data", None), bytes) else None
        if data is None:
            into.problems.append(Problem("attachment-not-workbook", display, detail=f"{name or 'uden navn'} (kan ikke læses)"))
            continue
        if getattr(att, "hidden", False) and (getattr(att, "mimetype", "") or "").startswith("image/"):
            continue  # a signature picture
        _take(name, data, ctx, into, depth, names)


def msg_sender(msg) -> str:
    """Outlook's sender: the transport header's From where the message has one, else its properties."""
    header = _msg_header(msg, "From")
    if header:
        name, address = parseaddr(header)
        return f"{name} <{address}>" if name and address else address or header
    return (getattr(msg, "sender", None) or "").strip()


def msg_date(msg) -> datetime | None:
    """The Date header of an Outlook message, else the time it was sent, else when it arrived."""
    header = _msg_header(msg, "Date")
    if header:
        try:
            return parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            pass
    for attr in ("date", "receivedTime"):  # Outlook keeps these in UTC; show them in the municipality's time
        value = getattr(msg, attr, None)
        if isinstance(value, datetime):
            return local_time(value)
    return None


def _msg_header(msg, name: str) -> str:
    text = getattr(msg, "headerText", None)
    if not text:
        return ""
    if text.startswith("Microsoft Mail Internet Headers Version 2.0"):
        text = text[43:].lstrip()
    parsed = BytesParser(policy=policy.default).parsebytes(text.encode("utf-8", "replace"), headersonly=True)
    try:
        value = parsed[name]
    except Exception:
        return ""
    return str(value) if value is not None else ""


# ---------------------------------------------------------------- attachments


def _unique(name: str, seen: dict[str, int]) -> str:
    n = seen.get(name, 0) + 1
    seen[name] = n
    if n == 1:
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem} ({n}).{ext}" if dot and stem else f"{name} ({n})"


def safe_file_name(name: str) -> str:
    """An attachment's name as a plain file name: no folders, no control characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base).strip(" .")
    return base[:120] or "vedhæftet"


def _take(name: str, data: bytes, ctx: _Context, into: MailInputs, depth: int, names: dict[str, int]) -> None:
    label = _unique(name or "vedhæftet", names)
    path = into.new_folder() / safe_file_name(name or "vedhæftet")
    path.write_bytes(data)
    display = ctx.display + ARROW + label
    origin = ctx.origin + ARROW + label
    nested = mail_kind(path) if path.suffix.lower() in MAIL_SUFFIXES or data[:8] == OLE2_MAGIC else None
    if nested in ("eml", "msg") and depth < MAX_DEPTH:
        reader = _read_msg_file if nested == "msg" else _read_eml_file
        reader(path, display, origin, into, depth + 1, ctx.received)
        return
    kind = sniff_bytes(data)  # the bytes in hand, not read back from disk
    if kind in WORKBOOK_KINDS or path.suffix.lower() in WORKBOOK_SUFFIXES:
        into.incoming.append(Incoming(path, display, ctx.received, ctx.sender, origin))
    else:
        into.problems.append(Problem("attachment-not-workbook", ctx.display, detail=f"{label} ({attachment_words(kind, data)})"))
