"""What `followup mail` tells finance: each message, where it went, and what did not go."""

from __future__ import annotations

from .mail import Outgoing
from .mailrun import MailRun
from .mailsend import SEND_LOG


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
        lines.append(
            f"Allerede sendt ifølge {run.outbox / SEND_LOG} ({len(report.already)}): "
            + ", ".join(m.unit for m in report.already)
            + ". Brug --resend for at sende igen."
        )
    if run.composed.held:
        lines.append("Holdt tilbage, fordi runden ikke er komplet (send dem alligevel med --include-incomplete):")
        lines.extend(f"  {s}" for s in run.composed.held)
    if run.composed.skipped:
        lines.append("Ikke med:")
        lines.extend(f"  {s}" for s in run.composed.skipped)
    return lines
