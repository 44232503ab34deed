"""One `followup mail …` as a library call: compose one kind of message, then list it, write the outbox, or send it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .danish import quoted
from .mail import OVERVIEW, REPORTS, Composed, MailError
from .mailcompose import COMPOSERS
from .mailoutbox import OUTBOX_NAME, sender_address, write_outbox
from .mailsend import SEND_LOG, SendReport, SmtpSettings, pending, send
from .mailtexts import load_mail_text
from .model import Agreement


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
    include_incomplete: bool = False,
    to: list[str] | None = None,
    attach: tuple[str, ...] | None = None,
) -> MailRun:
    """Compose one kind of message; then list it (dry run), write the outbox, or send (smtp given)."""
    sender = sender_address(agreement, from_address)
    names = {c.name for c in agreement.committees}
    unknown = [name for name in only or [] if name not in names]
    if unknown:
        raise MailError(
            f"udvalget {quoted(unknown[0])} efter --only står ikke i masterfilen. Udvalgene er: "
            + ", ".join(quoted(c.name) for c in agreement.committees)
            + "."
        )
    text = load_mail_text(kind, texts)
    report_options = {"include_incomplete": include_incomplete} | ({"attach": tuple(attach)} if attach else {})
    options = {REPORTS: report_options, OVERVIEW: {"to": to}}.get(kind, {})
    composed = COMPOSERS[kind](agreement, round_number, folder, text, only, **options)
    outbox = Path(outbox) if outbox else Path(folder) / OUTBOX_NAME
    run = MailRun(kind, composed, outbox, dry_run=dry_run)
    display, reply_to = agreement.office, agreement.email
    if dry_run:
        if smtp is not None:
            todo, already = pending(composed.messages, outbox / SEND_LOG, resend)
            run.report = SendReport(already=already, not_tried=[m for m, _ in todo])
        return run
    if smtp is None:
        run.written = write_outbox(composed.messages, outbox, sender, display, reply_to)
    else:
        run.report = send(composed.messages, smtp, outbox, sender, password, display, reply_to, resend)
    return run
