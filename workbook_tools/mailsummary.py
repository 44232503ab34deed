"""What `followup mail` tells finance: each message, where it went, what did not go, and what to do about it."""

from __future__ import annotations

from .danish import thousands
from .mail import Outgoing
from .mailrun import MailRun
from .mailsend import SEND_LOG


def messages(n: int) -> str:
    """ "1 meddelelse", "3 meddelelser": the word Danish Outlook uses for an e-mail."""
    return f"{thousands(n)} {'meddelelse' if n == 1 else 'meddelelser'}"


def describe(m: Outgoing) -> list[str]:
    """The lines the CLI prints for one message."""
    lines = [f"  {m.unit}", f"    Til: {', '.join(m.to)}"]
    if m.cc:
        lines.append(f"    Cc: {', '.join(m.cc)}")
    lines.append(f"    Emne: {m.subject}")
    if m.attachments:
        lines.append(f"    Vedhæftet: {', '.join(p.name for p in m.attachments)}")
    return lines


def _described(heading: str, listed: list[Outgoing]) -> list[str]:
    """A heading, then each message as describe() tells it."""
    return [heading, *(line for m in listed for line in describe(m))]


def summary_lines(run: MailRun) -> list[str]:
    """What the command tells finance: each message, where it went, and what did not go."""
    lines: list[str] = []
    composed = run.composed.messages
    report = run.report
    log = run.outbox / SEND_LOG
    if not composed:
        lines.append("Ingen meddelelser at skrive eller sende.")
    elif run.dry_run:
        lines.append("--dry-run: intet er skrevet eller sendt.")
        if report is None:
            lines += _described(f"Ville skrive {messages(len(composed))} i udbakken {run.outbox}:", composed)
        else:
            lines += _described(f"Ville sende {messages(len(report.not_tried))}:", report.not_tried)
    elif report is None:
        lines += _described(f"{messages(len(composed))} skrevet i udbakken {run.outbox}:", composed)
        lines.append("Åbn dem i Outlook eller Thunderbird, og tjek dem. Send dem derfra, eller kør kommandoen igen med --send.")
    elif report.sent:
        lines += _described(f"Sendt: {messages(len(report.sent))}.", report.sent)
    if report is not None and not run.dry_run:
        for m, reason in report.failed:
            lines.append(f"Ikke sendt: {m.unit}: {reason}")
        for m in report.not_tried:
            lines.append(f"Ikke sendt: {m.unit}: ikke forsøgt, fordi forbindelsen blev afbrudt")
        if report.stopped:
            lines.append(f"Afbrudt: {report.stopped}.")
        if report.failed or report.not_tried:
            lines.append(f"Kør kommandoen igen for at sende resten; det, der er sendt, står i sendeloggen {log} og sendes ikke igen.")
    if report is not None and report.already:
        lines.append(
            f"Allerede sendt ifølge sendeloggen {log} ({thousands(len(report.already))}): "
            + ", ".join(m.unit for m in report.already)
            + ". Brug --resend for at sende dem igen."
        )
    if run.composed.held:
        lines.append("Holdt tilbage, fordi udvalget ikke har svar på alle indsatser (send dem alligevel med --include-incomplete):")
        lines.extend(f"  {s}" for s in run.composed.held)
    if run.composed.skipped:
        lines.append("Ikke med:")
        lines.extend(f"  {s}" for s in run.composed.skipped)
    return lines
