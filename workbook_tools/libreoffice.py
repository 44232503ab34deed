"""Turn workbooks into PDF with LibreOffice headless, when it is installed.

The committees receive PDF; finance should not have to print each report by hand.
LibreOffice is optional: without it `collect` still writes every workbook and says
plainly that the PDFs are missing and why. Four habits make the conversion safe to
run unattended (see shared/EXCEL_NOTES.md):

* every run gets its own LibreOffice profile, so two runs never collide;
* soffice runs in its own process group, which is ended as a whole on timeout
  (POSIX: a session killed with killpg; Windows: a new process group ended with
  ``taskkill /T``, see ``_group_options`` and ``_end_group``);
* ``--convert-to`` exits 0 even when it fails, so each PDF is checked on disk;
* LibreOffice works on copies in a scratch folder: a killed soffice leaves lock
  files beside what it opened, never beside the reports.

All files go through one soffice call: starting LibreOffice is the slow part.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PureWindowsPath

from .atomic import atomic_output, atomic_write_bytes, read_cause
from .pdfstamp import reproducible_pdf
from .xlsxio import FIXED_CREATED, sha256_of

SOFFICE_ENV = "FOLLOWUP_SOFFICE"
# Seconds for the whole batch: LibreOffice's start, then a generous time per file.
START_TIMEOUT, PER_FILE_TIMEOUT = 60.0, 3.0
INSTALL_HINT = "apt-get install libreoffice-calc-nogui"
# The one place this module asks which system it runs on (finance runs Windows; CI Linux).
PLATFORM = sys.platform
_WINDOWS = PLATFORM == "win32"


# Beside the PDFs: which source (by hash) and which LibreOffice made each one (see convert_to_pdf's `reuse`).
PDF_SOURCES = ".pdf-kilder.json"


@dataclass
class Conversion:
    """What a conversion produced: the PDFs, the files that failed, and a note for people.

    `kept` are PDFs already made from the very same source by the same LibreOffice, left as they were.
    """

    pdfs: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)
    note: str = ""
    kept: list[Path] = field(default_factory=list)


def find_soffice() -> str | None:
    """The soffice program: $FOLLOWUP_SOFFICE if set, else the first of `soffice_candidates` that is there."""
    given = os.environ.get(SOFFICE_ENV)
    if given:
        return given if os.access(given, os.X_OK) else None
    for candidate in soffice_candidates(PLATFORM, os.environ):
        found = shutil.which(candidate) if os.path.basename(candidate) == candidate else _program_at(candidate)
        if found:
            return found
    return None


def soffice_candidates(platform: str, environ: Mapping[str, str]) -> list[str]:
    """Where soffice may be, in order: names to look up on PATH, then the install folders of `platform`.

    On Windows LibreOffice's installer does not put soffice on PATH, so finance would
    otherwise get no PDFs on a PC where LibreOffice is installed. A pure function of
    its arguments, so the Windows and macOS lists are tested on Linux.
    """
    names = ["soffice", "libreoffice"]
    if platform == "win32":
        # ProgramW6432 is the 64-bit folder also when a 32-bit Python sees "Program Files (x86)" as ProgramFiles.
        roots = [environ.get(v) for v in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")]
        roots = [r for r in dict.fromkeys(roots) if r] or [r"C:\Program Files", r"C:\Program Files (x86)"]
        return names + [
            str(PureWindowsPath(root, "LibreOffice", "program", exe)) for root in roots for exe in ("soffice.exe", "soffice.com")
        ]
    if platform == "darwin":
        return names + ["/Applications/LibreOffice.app/Contents/MacOS/soffice"]
    return names


def install_hint(platform: str) -> str:
    """How to get LibreOffice, in words that fit the system finance runs on."""
    if platform == "win32":
        return f"installér LibreOffice fra libreoffice.org eller sæt {SOFFICE_ENV} til soffice.exe"
    if platform == "darwin":
        return f"installér LibreOffice fra libreoffice.org eller sæt {SOFFICE_ENV} til soffice"
    return INSTALL_HINT


def _program_at(path: str) -> str | None:
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def convert_to_pdf(
    files: list[Path | str],
    out_dir: Path | str,
    timeout: float | None = None,
    soffice: str | None = None,
    reuse: bool = False,
    pdf_filter: str = "pdf",
    stamp: datetime = FIXED_CREATED,
) -> Conversion:
    """Convert `files` to PDF in `out_dir` (same stem, .pdf) with one LibreOffice run.

    `pdf_filter` is what ``--convert-to`` gets: plain "pdf", or a filter with its options
    (report_pdf's tagged Writer export). A PDF made with other options is not reused.
    Each PDF is dated `stamp` (by default the fixed date of every workbook the tool
    writes) and identified by a hash of its content, so that a rerun gives the same bytes.

    With `reuse`, a PDF in `out_dir` made from a byte-identical source by the same
    LibreOffice is kept instead of made again (`Conversion.kept`). Collect runs
    again and again as returns come in, its reports come out byte for byte the same
    when nothing changed, and LibreOffice takes about a quarter of a second a report:
    at a thousand committees that is minutes for nothing. Never raises for a missing
    LibreOffice or a failed conversion: the result says what happened, in Danish,
    for the command's summary.
    """
    files = [Path(f) for f in files]
    out_dir = Path(out_dir)
    result = Conversion()
    if not files:
        return result
    stems = [f.stem for f in files]
    if len(set(stems)) != len(stems):
        raise ValueError("to filer med samme navn kan ikke konverteres i samme kørsel")
    program = soffice or find_soffice()
    if not program:
        result.failed = files
        result.note = (
            f"PDF: LibreOffice er ikke installeret, så rapporterne er kun skrevet som .xlsx ({hint_for_pdf(install_hint(PLATFORM))})."
        )
        return result
    sources = _read_sources(out_dir) if reuse else {}
    made_by = _converter_stamp(program) + ("" if pdf_filter == "pdf" else f" {pdf_filter}") + f" dateret {stamp:%Y%m%d%H%M%S}"
    keys = {f.stem + ".pdf": f"{sha256_of(f)} {made_by}" for f in files} if reuse else {}
    todo = []
    for f in files:
        pdf = out_dir / (f.stem + ".pdf")
        if reuse and sources.get(pdf.name) == keys[pdf.name] and _is_pdf(pdf):
            result.kept.append(pdf)
        else:
            todo.append(f)
    _convert(todo, out_dir, timeout, program, result, pdf_filter, stamp)
    if reuse:
        made = {p.name for p in result.pdfs} | {p.name for p in result.kept}
        _write_sources(out_dir, {**{k: v for k, v in sources.items() if (out_dir / k).is_file()}, **{name: keys[name] for name in made}})
    return result


def _convert(
    files: list[Path],
    out_dir: Path,
    timeout: float | None,
    program: str,
    result: Conversion,
    pdf_filter: str = "pdf",
    stamp: datetime = FIXED_CREATED,
) -> None:
    """One soffice run for `files`; the PDFs and failures go into `result`."""
    if not files:
        return
    # ignore_cleanup_errors: on Windows a soffice just ended may hold its copies a moment longer.
    with tempfile.TemporaryDirectory(prefix="followup-soffice-", ignore_cleanup_errors=True) as scratch:
        scratch = Path(scratch)
        inbox, outbox, profile = scratch / "in", scratch / "out", scratch / "profile"
        inbox.mkdir()
        outbox.mkdir()
        copies = []
        for f in files:
            copy = inbox / f.name
            shutil.copyfile(f, copy)
            copies.append(copy)
        cmd = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            pdf_filter,
            "--outdir",
            str(outbox),
            *map(str, copies),
        ]
        error = _run(cmd, timeout or START_TIMEOUT + PER_FILE_TIMEOUT * len(files), scratch)
        out_dir.mkdir(parents=True, exist_ok=True)
        for f in files:
            made = outbox / (f.stem + ".pdf")
            if _is_pdf(made):
                target = out_dir / made.name
                with atomic_output(target) as tmp:
                    tmp.write_bytes(reproducible_pdf(made.read_bytes(), stamp))  # the same bytes on every rerun
                result.pdfs.append(target)
            else:
                result.failed.append(f)
    if result.failed:
        names = ", ".join(f.name for f in result.failed)
        result.note = (
            f"PDF: LibreOffice kunne ikke lave PDF af {names}" + (f" ({error})" if error else "") + ". Projektmapperne er skrevet."
        )


def hint_for_pdf(hint: str, what: str = "PDF") -> str:
    """An install hint (see install_hint) in a sentence about getting `what`: "apt-get install … giver PDF" on Linux,
    "installér LibreOffice … for at få PDF" elsewhere."""
    return f"{hint} giver {what}" if hint.startswith("apt-get ") else f"{hint} for at få {what}"


def _converter_stamp(program: str) -> str:
    """Which LibreOffice: its program file as installed (an upgrade changes it), without starting it."""
    try:
        real = os.path.realpath(shutil.which(program) or program)
        st = os.stat(real)
    except (OSError, TypeError):
        return program
    return f"{real}:{st.st_size}:{st.st_mtime_ns}"


def _read_sources(out_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((out_dir / PDF_SOURCES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every PDF is made again
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(data, dict) else {}


def _write_sources(out_dir: Path, sources: dict[str, str]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out_dir / PDF_SOURCES, json.dumps(dict(sorted(sources.items())), indent=1).encode("utf-8"))


def _run(cmd: list[str], timeout: float, cwd: Path) -> str:
    """Run soffice in its own process group; return a short reason when it did not end well."""
    env = dict(os.environ, HOME=str(cwd), TZ="UTC")  # nothing of LibreOffice's lands in the user's home; dates in UTC, one length all year
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **_group_options(_WINDOWS))
    except OSError as exc:
        return f"kunne ikke starte {cmd[0]}: {read_cause(exc)}"
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_group(proc)
        return f"stoppet efter {timeout:.0f} sekunder"
    finally:
        _end_group(proc)  # oosplash may leave soffice.bin behind; end the whole group
    if proc.returncode != 0:
        tail = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"soffice sluttede med kode {proc.returncode} {tail[0]}".strip()
    return ""


def _group_options(windows: bool) -> dict:
    """Popen's way to give soffice a process group of its own, so that all of it can be ended together.

    start_new_session exists on POSIX only; Windows has CREATE_NEW_PROCESS_GROUP instead.
    """
    if windows:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _end_group(proc: subprocess.Popen) -> None:
    """End soffice and every process it started: on Windows the process tree, elsewhere the process group."""
    if _WINDOWS:
        _end_tree_windows(proc)
    else:
        _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _end_tree_windows(proc: subprocess.Popen) -> None:
    """taskkill /T ends soffice.exe with the soffice.bin it started (Windows has no killpg).

    Nothing to do once soffice.exe has ended: it waits for soffice.bin. Without
    taskkill (a locked-down PC), at least soffice.exe itself is ended.
    """
    if proc.poll() is not None:
        return
    try:
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    except (OSError, subprocess.SubprocessError):
        proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False
