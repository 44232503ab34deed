"""Sending through SMTP: the settings, the password, and a send log so that a rerun sends only what did not go.

Settings come from the command line, else the environment (FOLLOWUP_SMTP_*), else
an INI file's [smtp] section. The password comes from FOLLOWUP_SMTP_PASSWORD or a
prompt, is used for the login and is never written anywhere (a config file holding
one is refused). Each delivery is logged as a JSON line in the outbox's send log,
and a copy of the sent message kept in ``sendt/``.
"""

from __future__ import annotations

import base64
import configparser
import errno
import getpass
import json
import os
import smtplib
import socket
import ssl
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .atomic import atomic_write_bytes
from .danish import quoted, thousands
from .mail import MailError, Outgoing, SendError
from .mailoutbox import to_email

SENT_DIR = "sendt"
SEND_LOG = "sendlog.jsonl"
SECURITY = ("none", "starttls", "ssl")


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
CONFIG_KEYS = ("host", "port", "user", "security", "from_address")  # what the [smtp] section may hold


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
        raise MailError(
            f"konfigurationsfilen {path} indeholder en adgangskode. Slet den; brug miljøvariablen {ENV['password']} eller tast den, når du bliver spurgt."
        )
    unknown = sorted(set(values) - set(CONFIG_KEYS))
    if unknown:
        raise MailError(f"konfigurationsfilen {path} har ukendte nøgler: {', '.join(unknown)} (kendte: {', '.join(CONFIG_KEYS)}).")
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
        raise MailError(f"sikkerheden {quoted(security)} findes ikke; brug none, starttls eller ssl.")
    raw_port = pick(port, "port")
    try:
        port_number = int(raw_port) if raw_port not in (None, "") else DEFAULT_PORTS[security]
    except ValueError:
        raise MailError(f"SMTP-porten {quoted(str(raw_port))} er ikke et tal.") from None
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
        raise MailError(
            f"adgangskoden til {settings.user} mangler: sæt miljøvariablen {ENV['password']}, eller kør kommandoen i en terminal og tast den."
        )
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


def pending(
    messages: list[Outgoing], log_path: Path | str, resend: bool = False
) -> tuple[list[tuple[Outgoing, tuple[str, ...]]], list[Outgoing]]:
    """The messages still to send, each with the recipients it has yet to reach; and those the log says were sent."""
    delivered = {} if resend else read_send_log(log_path)
    todo, already = [], []
    for m in messages:
        done = delivered.get(m.key, set())
        remaining = tuple(a for a in m.recipients if a.casefold() not in done)
        if remaining:
            todo.append((m, remaining))
        else:
            already.append(m)
    return todo, already


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
            "Tjek --smtp-host og --smtp-port, eller skriv meddelelserne til udbakken uden --send."
        ) from None
    try:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.user:
            _login(smtp, settings.user, password or "")
    except smtplib.SMTPAuthenticationError:
        smtp.close()
        raise SendError(
            f"SMTP-serveren {settings.where} afviste brugernavnet {settings.user} eller adgangskoden. Intet er sendt."
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        smtp.close()
        raise SendError(f"SMTP-serveren {settings.where} kunne ikke sætte forbindelsen op ({_reason(exc)}). Intet er sendt.") from None
    return smtp


class _Said(smtplib.SMTPNotSupportedError):
    """Refused for a reason we say ourselves, in Danish."""


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
        raise _Said("serveren tilbyder ikke AUTH PLAIN, som kræves for æøå i brugernavn eller adgangskode")
    smtp.login(user, password)


def _reason(exc: BaseException) -> str:
    """Why the server or the network said no, in Danish; the server's own reply is quoted as it came."""
    if isinstance(exc, _Said):
        return str(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _refusals(exc.recipients)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"serveren svarede {quoted(f'{exc.smtp_code} {text}'.strip())}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "serveren lukkede forbindelsen"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        said = str(exc)
        if "STARTTLS" in said.upper():
            return "serveren tilbyder ikke STARTTLS; prøv --ssl, eller spørg IT, hvilken kryptering den bruger"
        return "serveren understøtter ikke det, der blev bedt om"
    if isinstance(exc, smtplib.SMTPException):
        if "authentication" in str(exc).lower():  # smtplib: "No suitable authentication method found."
            return "serveren tilbyder ingen måde at logge ind på, som kan bruges"
        return "SMTP-fejl"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "serverens certifikat kunne ikke godkendes"
    if isinstance(exc, ssl.SSLError):
        return "krypteringen kunne ikke sættes op; tjek --starttls og --ssl"
    if isinstance(exc, socket.gaierror):
        return "serveren kunne ikke findes; tjek navnet"
    if isinstance(exc, ConnectionRefusedError):
        return "serveren afviste forbindelsen; tjek navn og port"
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return "forbindelsen blev afbrudt"
    if isinstance(exc, TimeoutError):  # socket.timeout too
        return "serveren svarede ikke i tide"
    if isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "serveren kan ikke nås fra dette netværk"
    if isinstance(exc, OSError) and exc.errno:
        return f"netværksfejl nr. {exc.errno}"
    return "ukendt fejl"


def _refusal(response) -> str:
    code, text = response
    return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"


def _refusals(recipients: dict) -> str:
    """The recipients the server refused, each with its reply as it came."""
    return "; ".join(f"{a}: {quoted(_refusal(r))}" for a, r in recipients.items())


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
    todo, already = pending(messages, log_path, resend)
    report = SendReport(already=already)
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
                    report.failed.append((m, reason if reason.startswith("forbindelsen") else f"forbindelsen blev afbrudt ({reason})"))
                    report.not_tried.extend(x for x, _ in todo[i + 1 :])
                    report.stopped = (
                        f"forbindelsen til {settings.where} blev afbrudt efter {thousands(i)} af {thousands(len(todo))} meddelelser"
                    )
                    break
                report.failed.append((m, ("alle modtagere afvist: " if refusals else "") + reason))
                _reset(smtp)
                continue
            delivered = [a for a in remaining if a not in refused]
            status = "partial" if refused else "sent"
            _log(log_path, entry | {"status": status, "delivered": delivered, "refused": {a: _refusal(r) for a, r in refused.items()}})
            atomic_write_bytes(outbox / SENT_DIR / m.file_name, msg.as_bytes())
            if refused:
                report.failed.append((m, "afvist for " + _refusals(refused)))
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


def configured_from_address(given: str | None, config: Path | str | None = None, environ: dict[str, str] | None = None) -> str | None:
    """--from-address, else FOLLOWUP_MAIL_FROM, else from_address in the config file; None: use the master's."""
    env = os.environ if environ is None else environ
    if given:
        return given
    if env.get(ENV["from_address"]):
        return env[ENV["from_address"]]
    return read_config(config or env.get(ENV["config"])).get("from_address") or None
