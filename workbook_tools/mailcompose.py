"""The messages of a round, composed from the master and the folder a step wrote: templates, reports, reminders, the overview.

Templates come from generate's folder (its manifest says which file is whose), the
reports and reminders from collect's folder. A reminder says exactly what is missing
or wrong, from collect's ``problems.json`` (never from the spreadsheet made for people),
with the annotated copy from ``feedback/`` attached where collect made one. What
cannot be composed (a unit without an address, a missing file) is listed, not raised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from email.utils import parseaddr
from pathlib import Path

from .committee_report import report_file_name
from .danish import quoted, thousands
from .mail import OVERVIEW, REMINDERS, REPORTS, TEMPLATES, Composed, MailError, Outgoing
from .mailtexts import MailText, common_values
from .master import AGREEMENT_FIELDS, EMAIL_ADDRESS
from .merge import REJECTED
from .model import PROGRESS, Agreement, field_words, unit_name
from .outfolder import (
    FEEDBACK_DIR,
    OVERVIEW_NAME,
    PROBLEMS_NAME,
    REPORTS_DIR,
    VALIDATION_NAME,
    distinct_feedback_name,
    feedback_file_name,
    sent_name,
)
from .problems import Problem, Severity
from .results import CollectResults, ResultsError, read_problems
from .template import MANIFEST_NAME, ManifestError, load_manifest
from .xlsxio import sha256_of


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
    where = quoted("Centre") if department else quoted("Udvalg")
    return f"{unit}: ingen e-mailadresse; skriv den i kolonnen {quoted('E-mail')} på arket {where} i masterfilen."


def compose_templates(
    agreement: Agreement, round_number: int, folder: Path | str, text: MailText, only: list[str] | None = None
) -> Composed:
    """One message per generated template of the round, to its committee or department."""
    folder = Path(folder)
    manifest = folder / MANIFEST_NAME
    if not folder.is_dir():
        raise MailError(f"skabelonmappen {folder} findes ikke. Angiv den mappe, som followup generate skrev skabelonerne i.")
    if not manifest.is_file():
        raise MailError(
            f"{folder} er ikke en skabelonmappe: {manifest} findes ikke. Kør først: followup generate MASTER --round {round_number} --out {folder}"
        )
    try:
        entries = load_manifest(manifest)
    except ManifestError as exc:
        raise MailError(str(exc)) from None
    latest: dict[str, dict] = {}
    for e in entries:
        if int(e.get("round", 0)) == round_number and (
            e["file"] not in latest or e.get("generated_at", "") >= latest[e["file"]].get("generated_at", "")
        ):
            latest[e["file"]] = e
    if not latest:
        raise MailError(
            f"{manifest} har ingen skabeloner til runde {round_number}. Kør followup generate med --round {round_number} først."
        )
    out = Composed()
    order = _committee_order(agreement)
    for entry in sorted(latest.values(), key=lambda e: (order.get(e["committee"], len(order)), e.get("department", ""))):
        committee, department = entry["committee"], entry.get("department", "")
        unit = unit_name(committee, department)
        if only and committee not in only:
            continue
        if committee not in order:
            out.skipped.append(f"{entry['file']}: udvalget {quoted(committee)} står ikke i masterfilen; skabelonen er ikke sendt.")
            continue
        path = folder / entry["file"]
        if not path.is_file():
            out.skipped.append(f"{unit}: skabelonen {path} findes ikke; lav den igen med followup generate.")
            continue
        if entry.get("sha256") and sha256_of(path) != entry["sha256"]:
            out.skipped.append(
                f"{unit}: skabelonen {path.name} er ændret, efter followup generate lavede den; lav den igen med followup generate."
            )
            continue
        to = _addresses_of(agreement, committee, department)
        if not to:
            out.skipped.append(_no_address(unit, department))
            continue
        values = common_values(agreement, round_number) | {
            "udvalg": committee,
            "center": department,
            "modtager": unit,
            "filer": _files_list([path]),
        }
        subject, body = text.fill(values)
        out.messages.append(
            Outgoing(
                TEMPLATES, round_number, committee, department, to, subject, body, (path,), stem=agreement.file_stem(committee, department)
            )
        )
    return out


def _committee_order(agreement: Agreement) -> dict[str, int]:
    """Each committee's place in the master: messages go out, and are listed, in that order."""
    return {c.name: i for i, c in enumerate(agreement.committees)}


# What a committee's report mail carries unless finance says otherwise: the PDF, which every
# member can open; where collect made none (no LibreOffice), the Word document, then the workbook.
ATTACH_DEFAULT = ("pdf",)
ATTACH_FALLBACK = ("pdf", "docx", "xlsx")


def report_files(agreement: Agreement, folder: Path | str, committee: str, attach: tuple[str, ...] = ATTACH_DEFAULT) -> tuple[Path, ...]:
    """The committee's report files in a collect folder to attach: the formats in `attach` that collect made.

    When none of them is there, the first that is, in the order PDF, Word, workbook:
    a committee gets its report in some form rather than a mail without it.
    """
    stem = Path(folder) / REPORTS_DIR / report_file_name(agreement, committee)
    chosen = tuple(p for p in (stem.with_suffix("." + f) for f in attach) if p.is_file())
    return chosen or next(((p,) for p in (stem.with_suffix("." + f) for f in ATTACH_FALLBACK) if p.is_file()), ())


def incomplete_committees(agreement: Agreement, results: CollectResults) -> dict[str, str]:
    """Committees whose round is not complete, each with why in finance's words; a committee not named is complete.

    Complete means every element of the committee has an accepted answer this round, the rule
    collect's ``missing-answer`` follows: nothing came, what came was rejected, or some elements lack one.
    """
    unanswered: dict[str, set[str]] = {}
    for row in results.problems:
        if row.get("code") == "missing-answer":
            unanswered.setdefault(row.get("committee", "").strip(), set()).add(row.get("element", ""))
    rejected = {r.get("committee", "") for r in results.returns if r.get("status") == REJECTED}
    why: dict[str, str] = {}
    for c in agreement.committees:
        total = len(agreement.elements_of(c.name))
        missing = len(unanswered.get(c.name, set()))
        if not missing:
            continue
        if missing < total:
            why[c.name] = f"{thousands(missing)} af {thousands(total)} indsatser mangler svar"
        elif c.name in rejected:
            why[c.name] = "besvarelsen er afvist"
        else:
            why[c.name] = "ingen besvarelse modtaget"
    return why


def compose_reports(
    agreement: Agreement,
    round_number: int,
    folder: Path | str,
    text: MailText,
    only: list[str] | None = None,
    include_incomplete: bool = False,
    attach: tuple[str, ...] = ATTACH_DEFAULT,
) -> Composed:
    """Each committee its report (the PDF, or the formats in `attach`), by default only where the round is complete.

    A committee with elements left unanswered is held back with the reason (its report says
    "Ikke besvaret" there); `include_incomplete` sends its report as it is.
    """
    folder = Path(folder)
    if not (folder / REPORTS_DIR).is_dir():
        raise MailError(
            f"{folder} er ikke en resultatmappe: {folder / REPORTS_DIR} findes ikke. Angiv den resultatmappe, som followup collect skrev i."
        )
    incomplete = {}
    if not include_incomplete:
        try:
            incomplete = incomplete_committees(agreement, collect_results(folder, round_number))
        except MailError as exc:
            raise MailError(
                f"{exc} Uden den kan det ikke ses, hvilke udvalg der har svaret; send alle udvalgsrapporter, som de er, med --include-incomplete."
            ) from None
    out = Composed()
    for c in agreement.committees:
        if only and c.name not in only:
            continue
        if c.name in incomplete:
            out.held.append(f"{c.name}: {incomplete[c.name]}")
            continue
        files = report_files(agreement, folder, c.name, attach)
        if not files:
            if agreement.elements_of(c.name):
                out.skipped.append(
                    f"{c.name}: ingen udvalgsrapport ({report_file_name(agreement, c.name)}) i {folder / REPORTS_DIR}; kør followup collect igen."
                )
            continue
        if not c.emails:
            out.skipped.append(_no_address(c.name, ""))
            continue
        values = common_values(agreement, round_number) | {"udvalg": c.name, "modtager": c.name, "filer": _files_list(files)}
        subject, body = text.fill(values)
        out.messages.append(Outgoing(REPORTS, round_number, c.name, "", c.emails, subject, body, files, stem=agreement.file_stem(c.name)))
    if not out.messages and not out.skipped and not out.held:
        raise MailError(f"der er ingen udvalgsrapporter i {folder / REPORTS_DIR}; kør followup collect igen med --out {folder}.")
    return out


# ---------------------------------------------------------------- reminders


@dataclass
class _Due:
    committee: str
    department: str
    missing: bool = False
    findings: dict[str, list[dict]] = field(default_factory=dict)  # file -> its errors and warnings, in collect's order
    rejected: set[str] = field(default_factory=set)  # the files among them that were not accepted
    unanswered: list[dict] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # returns whose annotated copy goes along


def collect_results(folder: Path | str, round_number: int) -> CollectResults:
    """What collect found in the round, from problems.json in its folder; MailError (with what to do) when it cannot be used."""
    folder = Path(folder)
    path = folder / PROBLEMS_NAME
    if not path.is_file():
        again = f"{path} findes ikke; kør followup collect igen med --out {folder}"
        if (folder / VALIDATION_NAME).is_file():  # only looked for, to say why: the list made for people is never read
            raise MailError(
                f"{again}. Resultatmappen er lavet af en ældre version af followup, som kun skrev valideringslisten ({VALIDATION_NAME}); "
                f"nu læses, hvem der har svaret, fra {PROBLEMS_NAME}."
            )
        raise MailError(f"{again}, eller angiv den resultatmappe, som followup collect skrev i.")
    try:
        results = read_problems(path)
    except ResultsError as exc:
        raise MailError(str(exc)) from None
    if results.round != round_number:
        raise MailError(
            f"resultatmappen {folder} er fra runde {results.round}, ikke runde {round_number}. Angiv resultatmappen for runde {round_number}, eller ret --round."
        )
    return results


def _severity(row: dict) -> Severity | None:
    try:
        return Severity(row.get("severity", ""))
    except ValueError:
        return None


def feedback_copy(folder: Path, file: str, sha256: str = "") -> Path | None:
    """The annotated copy collect wrote of the return shown as `file` (feedback/…_tilbagemelding.xlsx), if there is one."""
    name = feedback_file_name(file)
    candidates = [distinct_feedback_name(name, sha256)] if sha256 else []
    for candidate in candidates + [name]:
        path = folder / FEEDBACK_DIR / candidate
        if path.is_file():
            return path
    return None


def due_reminders(agreement: Agreement, rows: list[dict], senders: dict[str, str] | None = None) -> tuple[list[_Due], list[str]]:
    """Who must be reminded and of what, from collect's problems (problems.json, as Problem.as_dict); and rows that name no one.

    A unit is reminded when its return is missing or was rejected (collect then lists it as
    missing) or when an accepted return left elements without an answer. The reminder carries
    every error and warning of the unit's returns, so one round trip fixes everything; a rejected
    return that a later accepted one replaced is not brought up again.
    """
    senders = senders or {}
    noted: dict[tuple[str, str], list[str]] = {}  # (committee, element) -> returns with a finding on it
    committees = _committee_order(agreement)
    dues: dict[tuple[str, str], _Due] = {}
    findings: dict[tuple[str, str], dict[str, list[dict]]] = {}
    erroneous: set[str] = set()
    unanswered: dict[str, list[dict]] = {}
    split: set[str] = set()
    orphans: list[str] = []
    for row in rows:
        code, committee, file = row.get("code", ""), row.get("committee", "").strip(), row.get("file", "").strip()
        department = row.get("department", "").strip()  # collect names the department of every per-department finding
        severity = _severity(row)
        if code != "missing-answer" and committee and department:
            split.add(committee)
        if file and row.get("element") and severity is not Severity.INFO:
            noted.setdefault((committee, row["element"]), []).append(file)
        if code == "missing-return":
            if committee not in committees:
                continue
            dues.setdefault((committee, department), _Due(committee, department)).missing = True
        elif code == "missing-answer":
            if committee in committees:
                unanswered.setdefault(committee, []).append(row)
        elif file and severity in (Severity.ERROR, Severity.WARNING):
            if committee not in committees:
                if severity is Severity.ERROR:
                    said = str(row.get("message") or "").strip().rstrip(".")
                    orphans.append(said if file in said else f"{file}: {said or row.get('code', '')}")
                continue
            if severity is Severity.ERROR:
                erroneous.add(file)
            findings.setdefault((committee, department), {}).setdefault(file, []).append(row)
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
    for unit, files in findings.items():
        due = dues.get(unit) or dues.get((unit[0], ""))
        if due is None:
            continue  # nothing is due: accepted, at most with warnings that need no answer now
        for file, file_rows in files.items():
            if file in erroneous and not due.missing:
                continue  # a later return from the same unit was accepted
            due.findings.setdefault(file, []).extend(file_rows)
            if file in erroneous:
                due.rejected.add(file)
            _add_file(due, file, senders)
    ordered = sorted(dues.values(), key=lambda d: (committees[d.committee], d.department))
    return ordered, orphans


def _add_file(due: _Due, file: str, senders: dict[str, str]) -> None:
    if file not in due.files:
        due.files.append(file)
    sender = senders.get(file, "")
    if sender and sender not in due.senders:
        due.senders.append(sender)


def reminder_lines(due: _Due, agreement: Agreement, returns: Iterable[str] = ()) -> str:
    """The {mangler} list: what the unit must do, per return under the name its sender gave it, grouped by element.

    Each problem is told as collect's advice to the sender ("I"/"jeres"), with the field's
    words and the cell; never finance's folders, template ids or the codes. `returns` are the
    round's returns as collect names them (with finance's folders): one named in an advice is
    called by the name its sender gave it (sent_name).
    """
    titles = {e.number: e.title for e in agreement.elements}
    order = {e.number: i for i, e in enumerate(agreement.elements)}
    renames = [(f, sent) for f in sorted({*returns, *due.findings}, key=lambda f: (-len(f), f)) if f and (sent := sent_name(f)) != f]
    lines: list[str] = []
    if due.missing and not due.rejected:
        lines.append("- Send jeres besvarelse: vi har ikke modtaget den udfyldte skabelon fra jer.")
    covered: set[str] = set()
    for file, rows in due.findings.items():
        if file in due.rejected:
            lines.append(f"- Ret besvarelsen {quoted(sent_name(file))}, som ikke kunne godkendes:")
        else:
            lines.append(f"- Ret dette i besvarelsen {quoted(sent_name(file))}, som ellers er godkendt:")
        groups: dict[str, list[dict]] = {}
        for row in rows:
            groups.setdefault(row.get("element", ""), []).append(row)
        covered.update(groups)
        for element in sorted(groups, key=lambda n: (n != "", order.get(n, len(order)), n)):
            lines.append(f"    {_element_name(element, titles)}:" if element else "    Hele besvarelsen:")
            lines.extend(f"      • {_finding_line(row, renames)}" for row in groups[element])
    progress = field_words(PROGRESS)
    for row in due.unanswered:
        number = row.get("element", "")
        if number in covered:
            continue  # the problem that left it unanswered is listed above, with what to do
        lines.append(f"- {_element_name(number, titles)}: {progress} mangler. Vælg {progress} i listen, og skriv en kort status.")
    return "\n".join(lines)


def _element_name(number: str, titles: dict[str, str]) -> str:
    title = titles.get(number, "")
    return f"Indsats {number}{' ' + title if title else ''}"


def _finding_line(row: dict, renames: list[tuple[str, str]]) -> str:
    # One problem as the sender reads it: how bad, which answer and cell, then what to do.
    severity = "Advarsel" if _severity(row) is Severity.WARNING else "Fejl"
    words = row.get("field_words") or field_words(row.get("field", ""))
    head = f"{severity}, {words}" if words else severity
    if row.get("cell"):
        head += f" (celle {row['cell']})"
    text = _advice(row)
    for file, sent in renames:  # a return named in the advice: the sender's own name for it, longest first
        text = text.replace(file, sent)
    return f"{head}: {text[:1].upper()}{text[1:]}"


_PROBLEM_FIELDS = tuple(f.name for f in fields(Problem) if f.name != "code")


def _advice(row: dict) -> str:
    """What the sender should do about one row of problems.json: its "advice", or for an older file the catalog's."""
    advice = str(row.get("advice") or "").strip()
    if advice:
        return advice
    try:
        return Problem(code=row["code"], **{k: str(row.get(k) or "") for k in _PROBLEM_FIELDS}).advice.strip()
    except (KeyError, TypeError):  # a code this version does not know
        return str(row.get("message") or row.get("code") or "").strip()


def _reminder_identity(due: _Due, copies: tuple[Path, ...]) -> str:
    """What a reminder is about, for the send log: the same findings are the same reminder, however they are worded."""
    keys = ("code", "element", "field", "sheet", "cell", "expected", "found", "detail")
    what = {
        "missing": due.missing,
        "findings": {f: [[str(r.get(k) or "") for k in keys] for r in rows] for f, rows in due.findings.items()},
        "rejected": sorted(due.rejected),
        "unanswered": [r.get("element", "") for r in due.unanswered],
        "copies": [p.name for p in copies],  # which copies go along; collect run again rewrites their bytes
    }
    return json.dumps(what, ensure_ascii=False, sort_keys=True)


def compose_reminders(
    agreement: Agreement, round_number: int, folder: Path | str, text: MailText, only: list[str] | None = None
) -> Composed:
    """A reminder to each committee or department whose return is missing, rejected or incomplete."""
    folder = Path(folder)
    results = collect_results(folder, round_number)
    index = {r.get("file", ""): r for r in results.returns}
    dues, orphans = due_reminders(agreement, results.problems, {f: r.get("sender", "") or "" for f, r in index.items()})
    out = Composed()
    for o in orphans:
        out.skipped.append(f"{o}. Filen kan ikke knyttes til et udvalg, så der laves ingen rykker; skriv selv til afsenderen.")
    for due in dues:
        if only and due.committee not in only:
            continue
        unit = unit_name(due.committee, due.department)
        to = _addresses_of(agreement, due.committee, due.department)
        if not to:
            out.skipped.append(_no_address(unit, due.department))
            continue
        copies = tuple(p for p in (feedback_copy(folder, f, index.get(f, {}).get("sha256", "")) for f in due.files) if p)
        listing = reminder_lines(due, agreement, index)
        if copies:
            listing += "\n\nVedhæftet er en kommenteret kopi af jeres besvarelse, hvor de celler, der skal rettes, er markeret."
        addressed = {t.casefold() for t in to}
        cc = tuple(a for a in (parseaddr(s)[1] for s in due.senders) if EMAIL_ADDRESS.match(a) and a.casefold() not in addressed)
        values = common_values(agreement, round_number) | {
            "udvalg": due.committee,
            "center": due.department,
            "modtager": unit,
            "mangler": listing,
        }
        subject, body = text.fill(values)
        out.messages.append(
            Outgoing(
                REMINDERS,
                round_number,
                due.committee,
                due.department,
                to,
                subject,
                body,
                copies,
                cc,
                identity=_reminder_identity(due, copies),
                stem=agreement.file_stem(due.committee, due.department),
            )
        )
    return out


# ---------------------------------------------------------------- the overview

OVERVIEW_STEM = "alle-udvalg"  # the overview's .eml in the outbox: oversigt-runde-N_alle-udvalg.eml
OVERVIEW_UNIT = "Oversigten"  # how the command's summary and the send log name the overview's message


def overview_recipients(agreement: Agreement, to: list[str] | None = None) -> tuple[str, ...]:
    """Who gets the overview: `to` (--to) when given, else the master's "Oversigt sendes til"; MailError for a bad address."""
    given = [p.strip() for a in to or [] for p in re.split(r"[;,]", a) if p.strip()]
    addresses = given or [p.strip() for p in agreement.overview_to.split(";") if p.strip()]
    for a in addresses:
        if not EMAIL_ADDRESS.match(a):
            raise MailError(
                f"{quoted(a)} er ikke en gyldig e-mailadresse. Ret den efter --to eller i rækken {quoted(AGREEMENT_FIELDS['overview_to'])} "
                f"på arket {quoted('Aftale')} i masterfilen."
            )
    return tuple(dict.fromkeys(addresses))


def compose_overview(
    agreement: Agreement, round_number: int, folder: Path | str, text: MailText, only: list[str] | None = None, to: list[str] | None = None
) -> Composed:
    """One message with collect's overview.xlsx, as collect wrote it, to the finance committee or management."""
    folder = Path(folder)
    overview = folder / OVERVIEW_NAME
    if not overview.is_file():
        raise MailError(
            f"oversigten ({OVERVIEW_NAME}) findes ikke i {folder}. Angiv den resultatmappe, som followup collect skrev i, "
            f"eller kør followup collect med --out {folder}."
        )
    collect_results(folder, round_number)  # the folder is this round's, or say so
    out = Composed()
    recipients = overview_recipients(agreement, to)
    if not recipients:
        out.skipped.append(
            f"oversigten: ingen modtagere; skriv adresserne i rækken {quoted(AGREEMENT_FIELDS['overview_to'])} på arket {quoted('Aftale')} "
            "i masterfilen, eller brug --to ADRESSE."
        )
        return out
    values = common_values(agreement, round_number) | {"modtager": ", ".join(recipients), "filer": _files_list([overview])}
    subject, body = text.fill(values)
    out.messages.append(Outgoing(OVERVIEW, round_number, OVERVIEW_UNIT, "", recipients, subject, body, (overview,), stem=OVERVIEW_STEM))
    return out


COMPOSERS = {TEMPLATES: compose_templates, REPORTS: compose_reports, REMINDERS: compose_reminders, OVERVIEW: compose_overview}
