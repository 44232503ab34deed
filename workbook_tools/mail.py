"""E-mail out, the shared part: the three kinds of message, what one message is, and the errors.

`followup mail templates|reports|reminders|overview` composes messages from the master (who
gets what), the folder a round's step wrote (generate's manifest, collect's reports,
problems.json and feedback copies) and an editable Danish text per kind (the year
folder's ``mailtekster/*.txt``, else the factory texts shipped in the package). By
default they are written as ``.eml`` files to an outbox, to be opened in Outlook or
Thunderbird and checked before anything leaves; with SMTP they are sent and a send
log kept, so that a rerun after a failure sends only what did not get through. The
SMTP password is taken from the environment or a prompt, used for the login and
never written anywhere.

One module per step, each building on this one:

- :mod:`.mailtexts`: the editable texts and their placeholders;
- :mod:`.mailcompose`: the messages of each kind, from the master and a step's folder;
- :mod:`.mailoutbox`: a message as MIME, and the outbox of ``.eml`` drafts;
- :mod:`.mailsend`: SMTP settings and password, sending, the send log;
- :mod:`.mailrun`: one ``followup mail …`` as a library call (:func:`~.mailrun.run_mail`);
- :mod:`.mailsummary`: what the command tells finance.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import FollowupError
from .model import unit_name, unit_stem
from .xlsxio import sha256_of

TEMPLATES, REPORTS, REMINDERS, OVERVIEW = "templates", "reports", "reminders", "overview"
OUTBOX_PREFIX = {TEMPLATES: "skabelon", REPORTS: "rapport", REMINDERS: "rykker", OVERVIEW: "oversigt"}


class MailError(FollowupError):
    """The messages cannot be composed as asked: a missing folder, text or address."""


class SendError(MailError):
    """The SMTP server could not be reached or refused us; what was sent is in the send log."""


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
    identity: str = ""  # what a reminder is about (its findings, not their wording); stands in for its attachments in the key
    stem: str = ""  # the unit's file name (Agreement.file_stem): two units never share an .eml

    @property
    def unit(self) -> str:
        return unit_name(self.committee, self.department)

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.to + self.cc))

    @cached_property  # hashes the attachments: once, though the send log is searched and written with it
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
    held: list[str] = field(default_factory=list)  # left out on purpose (a report of an incomplete round), with the reason
