"""The round's jobs as library calls: generate, collect, and the bundled demo.

The CLI is a thin layer over these; finance's own scripts may call them too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from .atomic import atomic_write_bytes, flush_to_disk, output_errors
from .collect import check_return
from .committee_report import report_committees, report_file_name, write_committee_report
from .feedback import feedback_due, retire_stale_copies, write_feedback_copies
from .inbox import Incoming
from .inuse import OutputInUse, outputs_in_use
from .mailin import expand_inputs
from .master import read_master
from .masterpatch import write_merged_master
from .merge import ACCEPTED, CONFLICT, DUPLICATE, REJECTED, SUPERSEDED, MergeOutcome, merge_returns
from .model import Agreement, unit_name
from .outfolder import ARCHIVE_DIR, FEEDBACK_DIR, MASTER_NAME, OVERVIEW_NAME, PROBLEMS_NAME, REPORTS_DIR, VALIDATION_NAME
from .outlock import output_lock
from .problems import Problem, Severity, is_rejecting
from .progress import Progress, phase
from .report import write_overview, write_validation
from .report_documents import REPORT_FORMATS, write_report_documents
from .results import write_problems
from .returncheck import CollectContext, ReturnCheck
from .shownames import shown_name_of
from .template import GeneratedTemplate, generate_templates, load_manifest
from .texts import load_texts
from .workers import frozen_heap, map_in_processes

# What became of a return in the merge, in the words of the console table and --json's "label".
STATUS_LABELS = {ACCEPTED: "godkendt", REJECTED: "afvist", DUPLICATE: "kopi", SUPERSEDED: "erstattet", CONFLICT: "konflikt"}


@dataclass
class CollectRun:
    """Everything one `collect` produced: for the CLI's summary, `--json` (as_dict) and tests."""

    agreement: Agreement
    round: int
    checks: list[ReturnCheck]
    outcome: MergeOutcome
    problems: list[Problem]
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[ReturnCheck]:
        """Returns not accepted, leaving out those a later accepted return of the same committee replaced."""
        return [c for c in self.checks if not c.accepted and c.name not in self.outcome.replaced]

    @property
    def exit_code(self) -> int:
        conflicts = any(p.code == "conflicting-return" for p in self.outcome.problems)
        return 1 if self.rejected or conflicts else 0

    def status(self, check: ReturnCheck) -> str:
        """What the merge made of the return: accepted, rejected, duplicate, superseded or conflict."""
        return self.outcome.status.get(check.name, ACCEPTED)

    def as_dict(self) -> dict:
        """The run as data, as `collect --json` prints it (keys in docs/results.md).

        Each return is ReturnCheck.as_dict() with its `status` and that status's Danish
        `label`; `problems` are all of the run's, in validation.xlsx's order.
        """
        return {
            "round": self.round,
            "exit_code": self.exit_code,
            "returns": [
                c.as_dict() | {"status": self.status(c), "label": STATUS_LABELS.get(self.status(c), self.status(c))} for c in self.checks
            ],
            "problems": [p.as_dict() for p in self.problems],
            "written": [str(p) for p in self.written],
            "notes": list(self.notes),
        }


@dataclass
class CheckRun:
    """What one `followup check` found: for the CLI, `check --json` (as_dict) and tests.

    `problems` are those with the inputs themselves (an e-mail without a workbook, one
    that cannot be read); each return's own problems are in its check.
    """

    round: int
    checks: list[ReturnCheck]
    problems: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # annotated copies, when asked for
    notes: list[str] = field(default_factory=list)  # copies that could not be made
    office: str = ""  # the master's Afsender: who the advice to the sender names

    @property
    def exit_code(self) -> int:
        """0 when there was something to check and nothing is rejected; 1 otherwise."""
        return 0 if self.checks and all(c.accepted for c in self.checks) and not is_rejecting(self.problems) else 1

    def as_dict(self) -> dict:
        """The run as data, as `check --json` prints it (keys in docs/results.md)."""
        return {
            "round": self.round,
            "exit_code": self.exit_code,
            "returns": [c.as_dict() for c in self.checks],
            "problems": [p.as_dict() for p in self.problems],
            "written": [str(p) for p in self.written],
            "notes": list(self.notes),
        }


def generate_round(
    master: Path | str,
    round_number: int,
    out_dir: Path | str,
    layout: Path | str | None = None,
    per: str = "committee",
    password: str | None = None,
    progress: Progress | None = None,
    warnings: list | None = None,
) -> list[GeneratedTemplate]:
    """One locked workbook per committee (or department) for the round; `warnings` collects what in the master looks wrong but does not stop it."""
    agreement = read_master(master, warnings=warnings)
    texts = load_texts(layout)
    with output_errors(out_dir):
        return generate_templates(agreement, round_number, out_dir, texts, per=per, password=password, progress=progress)


def collect_round(
    master: Path | str,
    round_number: int,
    inputs: list[Path | str],
    out_dir: Path | str,
    layout: Path | str | None = None,
    lang: str = "da",
    manifest: Path | str | None = None,
    prefer: list[str] | None = None,
    dry_run: bool = False,
    require_status: bool = True,
    progress: Progress | None = None,
    jobs: int | None = None,
    pdf: bool = True,
    report_formats: tuple[str, ...] = REPORT_FORMATS,
) -> CollectRun:
    """Check every return, merge the accepted ones, write master, overview, the problems (validation.xlsx and problems.json) and reports.

    Each committee's report is written in `report_formats`: the workbook (xlsx), the
    Word document (docx) and its accessible PDF (pdf, when LibreOffice is installed);
    `pdf=False` leaves the PDF out whatever the formats say.
    """
    formats = tuple(f for f in report_formats if pdf or f != "pdf")
    with _writing(out_dir, dry_run) as lock_notes:  # held from the first read to the last write
        ctx = _context(master, round_number, layout, manifest, require_status)
        with frozen_heap(), expand_inputs(inputs, shown_name_of(inputs)) as inbox:
            run = _collect(ctx, inbox, out_dir, lang, prefer, dry_run, progress, jobs, formats, source=Path(master))
        run.notes.extend(lock_notes)
        return run


@contextlib.contextmanager
def _writing(out_dir, dry_run: bool):
    # One collect at a time into `out_dir` (outlock), and a failed write there said as such (OutputError); yields the lock's note.
    if dry_run:
        yield []
        return
    made = not Path(out_dir).exists()
    try:
        with output_errors(out_dir), output_lock(out_dir) as lock:
            yield [lock.note] if lock.note else []
    except BaseException:
        if made:  # a run stopped before writing (a master or manifest it cannot use) leaves no folder behind
            with contextlib.suppress(OSError):
                Path(out_dir).rmdir()
        raise


def _context(master, round_number: int, layout, manifest, require_status: bool) -> CollectContext:
    """What every check of a round needs: the master, the layout's texts, the manifest if given."""
    ctx = CollectContext(read_master(master), round_number, load_texts(layout), require_status=require_status)
    if manifest:
        ctx.manifest = {e["template_id"]: e for e in load_manifest(manifest)}
    return ctx


def _collect(
    ctx: CollectContext,
    inbox,
    out_dir,
    lang,
    prefer,
    dry_run,
    progress: Progress | None,
    jobs,
    formats: tuple[str, ...],
    source: Path | None = None,
) -> CollectRun:
    # Saved e-mails (.eml, .msg) were opened into their workbook attachments, in a private temp folder
    # that lives as long as `inbox`.
    agreement, round_number, texts = ctx.agreement, ctx.round, ctx.texts
    checks = check_all(inbox.incoming, ctx, jobs=jobs, progress=progress)
    outcome = merge_returns(agreement, round_number, checks, prefer=prefer)
    # A replaced return's own problems are history: kept, with their codes, as info.
    replaced = outcome.replaced
    problems = inbox.problems + [replace(p, replaced_by=replaced[c.name]) if c.name in replaced else p for c in checks for p in c.problems]
    problems += outcome.problems
    merged = agreement.with_results(outcome.results)
    run = CollectRun(merged, round_number, checks, outcome, problems)
    run.notes.extend(p.message for p in inbox.problems if p.severity is not Severity.INFO)
    out_dir = Path(out_dir)
    if dry_run:
        run.notes.extend(dry_run_notes(run, agreement, out_dir))
        return run
    out_dir.mkdir(parents=True, exist_ok=True)
    refuse_outputs_in_use(round_outputs(merged, out_dir, formats))
    texts = texts.in_lang(lang)
    (master_path, master_notes), overview_path, *reports = write_round_files(
        merged, round_number, texts, out_dir, checks, outcome, jobs, phase(progress, "Rapporter"), reports="xlsx" in formats, source=source
    )
    run.notes.extend(master_notes)
    rows = [p.as_dict() for p in problems]  # once, for the list finance reads and the one programs read
    run.written.extend([master_path, overview_path, write_validation(problems, out_dir / VALIDATION_NAME, rows)])
    run.written.extend([write_problems(out_dir / PROBLEMS_NAME, round_number, checks, rows, outcome.status), *reports])
    documents = [f for f in formats if f in ("docx", "pdf")]
    if documents:
        made = write_report_documents(merged, None, round_number, texts, out_dir / REPORTS_DIR, formats=documents, jobs=jobs, sync=False)
        run.written.extend([*made.docx, *made.pdfs])
        if made.note:
            run.notes.append(made.note)
        if made.kept:
            run.notes.append(f"PDF: {len(made.kept)} rapport(er) er uændrede siden sidste kørsel og har beholdt deres PDF.")
    copies, notes = write_feedback_copies(checks, problems, out_dir / FEEDBACK_DIR, ctx)
    run.written.extend(copies)
    run.notes.extend(notes)
    run.notes.extend(retire_stale_copies(out_dir / FEEDBACK_DIR, copies))
    # Last: its flush, before the index, also makes durable the reports and copies written without a flush each.
    run.written.append(archive_returns(checks, out_dir / ARCHIVE_DIR, round_number, outcome.status, outcome.replaced))
    return run


def round_outputs(merged: Agreement, out_dir: Path, formats: tuple[str, ...] = REPORT_FORMATS) -> list[Path]:
    """The files a collect replaces that finance opens: master, overview, validation list, each committee's report in each format."""
    reports = [out_dir / REPORTS_DIR / report_file_name(merged, c.name) for c in report_committees(merged)]
    return [
        out_dir / MASTER_NAME,
        out_dir / OVERVIEW_NAME,
        out_dir / VALIDATION_NAME,
        *(r.with_suffix("." + f) for f in formats for r in reports),
    ]


def refuse_outputs_in_use(paths: list[Path]) -> None:
    """Raise OutputInUse before anything is written when Excel (or another program) has one of `paths` open.

    Found halfway, the run would leave a new master beside an old overview (Windows
    refuses to replace an open file), or the program would later save its old copy
    over the new one.
    """
    busy = outputs_in_use(paths)
    if busy:
        raise OutputInUse(busy)


def write_round_files(
    merged: Agreement,
    round_number: int,
    texts,
    out_dir: Path,
    checks,
    outcome: MergeOutcome,
    jobs: int | None = None,
    progress: Progress | None = None,
    reports: bool = True,
    source: Path | None = None,
) -> list:
    """The master, the overview and every committee's report, side by side in worker processes.

    They are independent files made from the same merged agreement, and at a
    thousand committees the reports alone take longer than the rest: the master and
    the overview go first, to one worker each, while the others start on the reports.
    Returns [(master, notes), overview, *reports in committee order]; `reports=False` when
    finance asked for no report workbooks. The master is `source` (finance's master)
    with its results brought up to date (masterpatch), the notes say what was not kept.
    """
    tasks = [(MASTER_NAME, source), (OVERVIEW_NAME, None)] + [(REPORTS_DIR, c) for c in (report_committees(merged) if reports else [])]
    shared = (merged, round_number, texts, out_dir, checks, outcome)
    return map_in_processes(_write_round_file, shared, tasks, jobs=jobs, chunk=1, progress=progress)


def _write_round_file(shared, task):
    merged, round_number, texts, out_dir, checks, outcome = shared
    kind, committee = task
    if kind == MASTER_NAME:
        return write_merged_master(merged, out_dir / MASTER_NAME, committee)  # here `committee` is the source master
    if kind == OVERVIEW_NAME:
        return write_overview(merged, round_number, texts, out_dir / OVERVIEW_NAME, checks, outcome)
    return write_committee_report(
        merged, committee, round_number, texts, out_dir / REPORTS_DIR / report_file_name(merged, committee.name), sync=False
    )


def check_files(
    master: Path | str,
    round_number: int,
    paths: list[Path | str],
    layout: Path | str | None = None,
    manifest: Path | str | None = None,
    require_status: bool = True,
    feedback_dir: Path | str | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> CheckRun:
    """Check returns against the master without merging or writing anything else (`followup check`).

    For finance on one file, and for staff before they send. Saved e-mails are
    opened into their attachments as `collect` does. The run holds each return's
    check, the problems with the e-mails themselves, and the annotated copies
    written when `feedback_dir` is given (with notes on copies that could not be made).
    """
    ctx = _context(master, round_number, layout, manifest, require_status)
    with frozen_heap(), expand_inputs(paths, shown_name_of(paths)) as inbox:
        run = CheckRun(
            round_number, check_all(inbox.incoming, ctx, jobs=jobs, progress=progress), list(inbox.problems), office=ctx.agreement.office
        )
        if feedback_dir is not None:
            with output_errors(feedback_dir):
                run.written, run.notes = write_feedback_copies(run.checks, [p for c in run.checks for p in c.problems], feedback_dir, ctx)
        return run


def dry_run_notes(run: CollectRun, before: Agreement, out_dir: Path) -> list[str]:
    """What `collect` would write, and how the master would change, without writing it."""
    old = before.results_index()
    new = changed = 0
    for r in run.outcome.results:
        prior = old.get((r.element, r.round))
        if prior is None:
            new += 1
        elif (prior.progress, prior.status, prior.economy, prior.economy_status) != (r.progress, r.status, r.economy, r.economy_status):
            changed += 1
    copies = len(feedback_due(run.checks, run.problems))
    archived = len({c.sha256 for c in run.checks if c.sha256})
    return [
        "--dry-run: intet er skrevet. Uden --dry-run ville collect skrive:",
        f"  {out_dir / MASTER_NAME}: {new} nye og {changed} ændrede svar (smileys og statustekster) for runde {run.round}",
        f"  {out_dir / OVERVIEW_NAME}",
        f"  {out_dir / VALIDATION_NAME} og {PROBLEMS_NAME}: {len(run.problems)} problem(er)",
        f"  {out_dir / FEEDBACK_DIR}: {copies} kommenteret(e) kopi(er) til afsenderne",
        f"  {out_dir / ARCHIVE_DIR}: {archived} arkiveret(e) fil(er)",
    ]


def _check_one(ctx: CollectContext, incoming: Incoming) -> ReturnCheck:
    return check_return(incoming, ctx)


def check_all(
    incoming: list[Incoming], ctx: CollectContext, jobs: int | None = None, progress: Progress | None = None
) -> list[ReturnCheck]:
    """Check every return, spread over `jobs` processes (default: all cores), in input order."""
    return map_in_processes(_check_one, ctx, incoming, jobs=jobs, progress=progress)


def archive_returns(
    checks: list[ReturnCheck],
    archive: Path,
    round_number: int,
    status: dict[str, str] | None = None,
    replaced: dict[str, str] | None = None,
) -> Path:
    """Keep a copy of every processed return, named by its SHA-256, with an index of where it came from.

    Every return is kept, also the rejected, superseded and duplicate ones: finance
    can always show what was received. `status` (from the merge) says what became of each;
    `replaced` names the accepted return that replaced a rejected one ("erstattet af FILE").
    """
    folder = archive / f"round-{round_number}"
    folder.mkdir(parents=True, exist_ok=True)
    index = []
    for c in checks:
        entry = {
            "file": c.name,
            "origin": c.incoming.origin,
            "sha256": c.sha256,
            "received": c.incoming.received.isoformat() if c.incoming.received else "",
            "sender": c.incoming.sender,
            "committee": c.committee,
            "accepted": c.accepted,
            "status": (status or {}).get(c.name, ACCEPTED if c.accepted else REJECTED),
        }
        if c.name in (replaced or {}):
            entry["replaced_by"] = replaced[c.name]
            entry["label"] = _replaced_label(replaced[c.name])
        if c.sha256:
            target = folder / f"{c.sha256[:16]}{c.incoming.path.suffix.lower() or '.bin'}"
            try:
                # A copy of another size is not the file (a power cut before the last flush can leave one empty).
                if not (target.exists() and target.stat().st_size == c.incoming.path.stat().st_size):
                    data = c.incoming.path.read_bytes()  # read once: the bytes hashed are the bytes kept
                    if hashlib.sha256(data).hexdigest() != c.sha256:  # the archive keeps what was checked, or nothing
                        raise ValueError("changed")
                    atomic_write_bytes(target, data, sync=False)  # flushed with the rest at the end of the run
                entry["copy"] = target.name
            except (OSError, ValueError):
                entry["copy"] = ""
                entry["note"] = "filen er ændret eller væk, siden den blev kontrolleret; den er ikke arkiveret"
        index.append(entry)
    flush_to_disk()  # the copies, before the index that names them
    path = folder / "index.json"
    atomic_write_bytes(path, json.dumps(index, ensure_ascii=False, indent=2).encode("utf-8"))
    return path


def standing_lines(run: CollectRun) -> list[str]:
    """Each committee (or department) not simply done, for the screen summary: accepted with warnings,
    rejected (a file came, none accepted) and missing (nothing came)."""
    lines = []
    warned = {p.file for p in run.problems if p.severity is Severity.WARNING and p.file}
    for c in run.checks:
        if run.status(c) == ACCEPTED and c.name in warned:
            lines.append(f"Godkendt med advarsler: {unit_name(c.committee, c.department) or '-'} ({c.name})")
    rejected = run.rejected
    for p in run.outcome.problems:
        if p.code != "missing-return":
            continue
        came = [c.name for c in rejected if c.committee == p.committee and (not p.department or c.department == p.department)]
        if came:
            lines.append(f"Afvist: {p.detail} (modtaget, men ikke godkendt: {', '.join(came)})")
        else:
            lines.append(f"Mangler: {p.detail} (intet modtaget)")
    return lines


def summary_rows(run: CollectRun) -> list[tuple[str, str, str, str]]:
    """(file, committee, status, problems) per return, for the console table."""
    shown: dict[str, list[Problem]] = {}  # each return's problems that are not info, gathered in one pass
    for p in run.problems:
        if p.severity is not Severity.INFO:
            shown.setdefault(p.file, []).append(p)
    rows = []
    for c in run.checks:
        status = run.status(c)
        mine = shown.get(c.name, [])
        first = mine[0].message if mine else ""
        if len(mine) > 1:
            first += f" (+{len(mine) - 1} mere)"
        label = STATUS_LABELS.get(status, status)
        if c.name in run.outcome.replaced:
            label = _replaced_label(run.outcome.replaced[c.name])
        rows.append((c.name, c.committee or "-", label, first))
    return rows


def _replaced_label(by: str) -> str:
    # A rejected return replaced by a later accepted one, as the console table and the archive's index say it.
    return f"erstattet af {by}"
