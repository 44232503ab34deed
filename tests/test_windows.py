"""Finance runs followup on Windows PCs: the platform's ways, tested here on Linux.

Each Windows branch is small and chosen in one place per module (`_WINDOWS`,
`PLATFORM`), so these tests switch it and check what the branch does: where
LibreOffice is looked for, how soffice is started and ended, what an open file in
Excel means. Worker processes are started with spawn, Windows' only way, and must
find exactly what fork finds. Files and folders are named as finance names them:
with spaces and æøå.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import followup_command, soffice_or_skip
from fill_kit import fill_template
from python_calamine import CalamineWorkbook
from returns_kit import Kit, cell_of, edit
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools import inbox, inuse, libreoffice, workers
from workbook_tools.cli import main
from workbook_tools.inbox import Incoming, discover, file_received
from workbook_tools.inuse import OutputInUse, outputs_in_use, owner_file_names
from workbook_tools.libreoffice import convert_to_pdf, find_soffice, install_hint, soffice_candidates
from workbook_tools.master import read_master, write_master
from workbook_tools.outfolder import MASTER_NAME, OVERVIEW_NAME, VALIDATION_NAME
from workbook_tools.pipeline import check_all, collect_round

SHEET = "Opfølgning"


# --- LibreOffice found where Windows installs it ---------------------------------------------


def test_on_windows_libreoffice_is_looked_for_on_path_and_then_in_the_program_folders():
    environ = {"ProgramFiles": r"C:\Program Files", "ProgramFiles(x86)": r"C:\Program Files (x86)", "ProgramW6432": r"C:\Program Files"}
    assert soffice_candidates("win32", environ) == [
        "soffice",
        "libreoffice",
        r"C:\Program Files\LibreOffice\program\soffice.exe",
        r"C:\Program Files\LibreOffice\program\soffice.com",
        r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
        r"C:\Program Files (x86)\LibreOffice\program\soffice.com",
    ]


def test_a_32_bit_python_on_64_bit_windows_still_finds_the_64_bit_libreoffice():
    # There ProgramFiles is the x86 folder; ProgramW6432 names the real one.
    environ = {
        "ProgramFiles": r"C:\Program Files (x86)",
        "ProgramFiles(x86)": r"C:\Program Files (x86)",
        "ProgramW6432": r"C:\Program Files",
    }
    found = soffice_candidates("win32", environ)
    assert r"C:\Program Files\LibreOffice\program\soffice.exe" in found
    assert len(found) == len(set(found)) == 6


def test_without_the_program_folder_variables_windows_looks_in_the_usual_folders():
    assert soffice_candidates("win32", {})[2:4] == [
        r"C:\Program Files\LibreOffice\program\soffice.exe",
        r"C:\Program Files\LibreOffice\program\soffice.com",
    ]


def test_macos_looks_in_applications_and_linux_on_path_only():
    assert soffice_candidates("darwin", {}) == ["soffice", "libreoffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice"]
    assert soffice_candidates("linux", {"ProgramFiles": r"C:\Program Files"}) == ["soffice", "libreoffice"]


def test_find_soffice_takes_the_first_candidate_that_is_there(tmp_path, monkeypatch):
    installed = tmp_path / "Program Files" / "LibreOffice" / "program" / "soffice"
    installed.parent.mkdir(parents=True)
    installed.write_text("#!/bin/sh\n")
    installed.chmod(0o755)
    monkeypatch.delenv("FOLLOWUP_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(
        libreoffice,
        "soffice_candidates",
        lambda platform, environ: ["soffice", "libreoffice", str(tmp_path / "nowhere" / "soffice"), str(installed)],
    )
    assert find_soffice() == str(installed)
    monkeypatch.setenv("FOLLOWUP_SOFFICE", str(tmp_path / "given"))
    assert find_soffice() is None, "a FOLLOWUP_SOFFICE that is not there is not passed over for another LibreOffice"


def test_the_missing_libreoffice_note_gives_the_hint_for_the_platform(tmp_path, monkeypatch):
    report = tmp_path / "Udvalg-01.xlsx"
    report.write_bytes(b"PK")
    monkeypatch.setenv("FOLLOWUP_SOFFICE", str(tmp_path / "ikke-her" / "soffice.exe"))
    monkeypatch.setattr(libreoffice, "PLATFORM", "linux")
    linux = convert_to_pdf([report], tmp_path / "out").note
    assert (
        linux
        == "PDF: LibreOffice er ikke installeret, så rapporterne er kun skrevet som .xlsx (apt-get install libreoffice-calc-nogui giver PDF)."
    )
    monkeypatch.setattr(libreoffice, "PLATFORM", "win32")
    windows = convert_to_pdf([report], tmp_path / "out").note
    assert "installér LibreOffice fra libreoffice.org eller sæt FOLLOWUP_SOFFICE til soffice.exe" in windows
    assert "apt-get" not in windows and windows.startswith("PDF: LibreOffice er ikke installeret")
    assert install_hint("darwin").startswith("installér LibreOffice fra libreoffice.org")


# --- soffice started and ended without POSIX process groups -----------------------------------


def test_on_windows_soffice_gets_a_new_process_group_instead_of_a_session(monkeypatch):
    monkeypatch.setattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200, raising=False)  # Windows' value
    assert libreoffice._group_options(True) == {"creationflags": 0x200}
    assert libreoffice._group_options(False) == {"start_new_session": True}


def test_on_windows_soffice_is_ended_with_its_children_by_taskkill(monkeypatch):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    ran = []

    def taskkill(cmd, **kw):  # what taskkill /F /T does to the tree; here the tree is one process
        ran.append(cmd)
        proc.kill()

    monkeypatch.setattr(libreoffice, "_WINDOWS", True)
    monkeypatch.setattr(libreoffice.subprocess, "run", taskkill)
    libreoffice._end_group(proc)
    assert ran == [["taskkill", "/F", "/T", "/PID", str(proc.pid)]]
    assert proc.poll() is not None
    libreoffice._end_group(proc)  # ended already: taskkill is not asked about a process id that may be another's
    assert len(ran) == 1


def test_without_taskkill_windows_still_ends_soffice_itself(monkeypatch):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])

    def no_taskkill(cmd, **kw):
        raise FileNotFoundError(2, "taskkill")

    monkeypatch.setattr(libreoffice, "_WINDOWS", True)
    monkeypatch.setattr(libreoffice.subprocess, "run", no_taskkill)
    libreoffice._end_group(proc)
    assert proc.poll() is not None


def test_glibc_is_asked_for_freed_memory_on_linux_only(monkeypatch):
    asked = []

    class Glibc:
        def malloc_trim(self, pad):
            asked.append(("malloc_trim", pad))

    monkeypatch.setattr(workers.ctypes, "CDLL", lambda name: asked.append(name) or Glibc())
    monkeypatch.setattr(workers, "_LINUX", False)
    workers.return_freed_memory()
    assert asked == []
    monkeypatch.setattr(workers, "_LINUX", True)
    workers.return_freed_memory()
    assert asked == ["libc.so.6", ("malloc_trim", 0)], "on Linux: glibc by its fixed name, asked to hand back all it can"


# --- worker processes started with spawn --------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("spawn", "spawn"),
        (" Spawn ", "spawn"),
        ("forkserver", "forkserver"),
        ("fork", "fork"),
        ("", "fork"),
        ("vfork", "fork"),
        ("thread", "fork"),
    ],
)
def test_the_start_method_is_chosen_by_followup_start_method_and_a_wrong_one_is_passed_over(monkeypatch, given, expected):
    monkeypatch.setenv(workers.START_METHOD_ENV, given)
    assert workers.start_method() == expected


def test_without_fork_the_start_method_is_spawn(monkeypatch):
    monkeypatch.setattr(workers.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setenv(workers.START_METHOD_ENV, "fork")
    assert workers.start_method() == "spawn"


@pytest.fixture
def returns_of_ten(tmp_path, texts):
    """Ten committees' returns: most fine, one with a locked cell changed, one without a smiley, two that are no workbook."""
    agreement = synthetic_agreement(committees=10, elements=2)
    kit = Kit(tmp_path, agreement, texts)
    for k, c in enumerate(agreement.committees):
        answers = synthetic_answers(agreement, c.name, 1)
        if k == 4:
            answers[0] = replace(answers[0], progress=None, status="")
        path = kit.filled(committee=c.name, answers=answers)
        if k == 2:
            milestone = cell_of(kit.plan(c.name), agreement.elements_of(c.name)[1].number, "milestone", 1)

            def change(wb, milestone=milestone):
                ws = wb[SHEET]
                ws.protection.sheet = False
                ws[milestone] = "Rettet af centret"
                ws.protection.sheet = True

            edit(path, change)
    (kit.returns / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (kit.returns / "notes.txt.xlsx").write_text("a note\n")
    master = write_master(agreement, tmp_path / MASTER_NAME)
    return kit, master


def findings(checks) -> list:
    """Every problem as finance reads it, and whether each return was accepted."""
    return [([(p.code, p.file, p.element, p.cell, p.severity.value) for p in c.problems], c.accepted) for c in checks]


def pools_started(monkeypatch) -> list[str]:
    """The start method of every worker pool started from now on."""
    methods: list[str] = []
    real = workers.ProcessPoolExecutor

    def recording(*a, **kw):
        methods.append(kw["mp_context"].get_start_method())
        return real(*a, **kw)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", recording)
    return methods


def test_spawned_workers_find_exactly_what_forked_workers_find(returns_of_ten, monkeypatch):
    kit, _master = returns_of_ten
    incoming = [Incoming(p, p.name, file_received(p)) for p in sorted(kit.returns.iterdir())]
    assert len(incoming) == 12
    methods = pools_started(monkeypatch)
    monkeypatch.setenv(workers.START_METHOD_ENV, "fork")
    forked = check_all(incoming, kit.ctx(), jobs=2)
    monkeypatch.setenv(workers.START_METHOD_ENV, "spawn")
    spawned = check_all(incoming, kit.ctx(), jobs=2)
    assert methods == ["fork", "spawn"], "both runs really went through worker processes, started each way"
    assert findings(spawned) == findings(forked)
    assert [c.results for c in spawned] == [c.results for c in forked]
    codes = {p[0] for problems, _ in findings(forked) for p in problems}
    assert {"locked-cell-changed", "smiley-missing", "broken-workbook", "not-a-workbook"} <= codes
    assert sum(ok for _, ok in findings(forked)) == 9


def test_a_whole_collect_with_spawn_writes_what_a_collect_with_fork_writes(returns_of_ten, tmp_path, monkeypatch):
    kit, master = returns_of_ten
    methods = pools_started(monkeypatch)
    monkeypatch.setenv(workers.START_METHOD_ENV, "fork")
    forked = collect_round(master, 1, [kit.returns], tmp_path / "fork", jobs=2, pdf=False)
    monkeypatch.setenv(workers.START_METHOD_ENV, "spawn")
    spawned = collect_round(master, 1, [kit.returns], tmp_path / "spawn", jobs=2, pdf=False)
    assert methods == ["fork"] * 3 + ["spawn"] * 3, "the checks, the workbooks and the Word reports all went to worker processes"
    assert findings(spawned.checks) == findings(forked.checks)
    assert spawned.problems == forked.problems
    assert spawned.exit_code == forked.exit_code == 1
    for name in (MASTER_NAME, OVERVIEW_NAME, VALIDATION_NAME, "reports/Udvalg-03.xlsx", "reports/Udvalg-03.docx"):
        assert (tmp_path / "spawn" / name).read_bytes() == (tmp_path / "fork" / name).read_bytes(), name


def test_python_m_workbook_tools_runs_collect_with_spawned_workers(returns_of_ten, tmp_path):
    kit, master = returns_of_ten
    env = dict(os.environ, FOLLOWUP_START_METHOD="spawn")
    done = subprocess.run(
        followup_command("collect", master, "--round", "1", "--out", tmp_path / "ud", "--jobs", "2", "--no-pdf", "--json", kit.returns),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    expected = collect_round(master, 1, [kit.returns], tmp_path / "i-processen", jobs=1, pdf=False)
    assert [(p["code"], p["file"], p["element"], p["cell"], p["severity"]) for p in doc["problems"]] == [
        (p.code, p.file, p.element, p.cell, p.severity.value) for p in expected.problems
    ]
    assert (tmp_path / "ud" / MASTER_NAME).read_bytes() == (tmp_path / "i-processen" / MASTER_NAME).read_bytes()


# --- returns open in Excel ---------------------------------------------------------------------------


def test_owner_files_and_the_systems_own_files_in_an_inbox_are_no_returns(tmp_path):
    inbox = tmp_path / "indbakke"
    (inbox / "Udvalg 01").mkdir(parents=True)
    real = ["runde-1_Udvalg-01.xlsx", "Udvalg 01/svar æøå.xlsx"]
    for name in real:
        (inbox / name).write_bytes(b"PK")
    passed_over = [
        "~$runde-1_Udvalg-01.xlsx",  # Excel has the return open
        "~$ar æøå.xlsx",  # Excel's owner file for a longer name: the first two letters replaced
        ".~lock.runde-1_Udvalg-01.xlsx#",  # LibreOffice has it open
        "Thumbs.db",
        "Udvalg 01/desktop.ini",
        "Udvalg 01/THUMBS.DB",
        ".DS_Store",
    ]
    for name in passed_over:
        (inbox / name).write_bytes(b"\x00" * 165)
    assert sorted(discover([inbox])) == sorted(inbox / name for name in real)
    given = [inbox / "Thumbs.db", inbox / "~$runde-1_Udvalg-01.xlsx"]
    assert discover(given) == given, "named on the command line, a file is checked as given"


def test_a_return_given_by_name_that_is_an_owner_file_is_checked_as_today(tmp_path, texts):
    agreement = synthetic_agreement()
    kit = Kit(tmp_path, agreement, texts)
    owner = kit.returns / "~$runde-1_Udvalg-01.xlsx"
    owner.write_bytes(excel_owner_file())
    assert [p.code for p in kit.check(owner).problems] == ["not-a-workbook"]


def sharing_violation(path) -> PermissionError:
    """What Windows raises when a program (Excel) holds the file: winerror 32, ERROR_SHARING_VIOLATION."""
    exc = PermissionError(13, "Processen kan ikke få adgang til filen, fordi den bruges af en anden proces", str(path))
    exc.winerror = 32
    return exc


def test_a_return_excel_holds_open_on_windows_says_so_and_what_to_do(tmp_path, texts, monkeypatch):
    kit = Kit(tmp_path, synthetic_agreement(), texts)
    held = kit.filled()

    def locked_open(path, *a, **kw):
        if Path(path) == held:
            raise sharing_violation(path)
        return open(path, *a, **kw)

    monkeypatch.setattr(inbox, "open", locked_open, raising=False)
    monkeypatch.setattr(inuse, "_WINDOWS", True)
    check = kit.check(held)
    assert [(p.code, p.severity.value) for p in check.problems] == [("file-in-use", "error")]
    assert check.problems[0].message == f"{held.name} kan ikke læses, fordi filen er åben i et andet program (Excel?)."
    assert not check.accepted and not check.sha256


def test_a_permission_error_on_linux_is_still_a_matter_of_rights(tmp_path, texts, monkeypatch):
    kit = Kit(tmp_path, synthetic_agreement(), texts)
    held = kit.filled()

    def refused(path, *a, **kw):
        raise sharing_violation(path)

    monkeypatch.setattr(inbox, "open", refused, raising=False)
    assert [p.code for p in kit.check(held).problems] == ["unreadable-file"]


# --- outputs open in Excel -------------------------------------------------------------------------


def test_owner_file_names_are_those_excel_and_libreoffice_write():
    assert owner_file_names("overview.xlsx") == ["~$overview.xlsx", "~$erview.xlsx", ".~lock.overview.xlsx#"]
    assert owner_file_names("ab.xlsx") == ["~$ab.xlsx", ".~lock.ab.xlsx#"]


def excel_owner_file(user: str = "Søren Sørensen") -> bytes:
    """An owner file as Excel writes it: the user's name, once in the ANSI code page and once in UTF-16, 165 bytes."""
    ansi = user.encode("cp1252")
    wide = user.encode("utf-16-le")
    return (bytes([len(user)]) + ansi.ljust(53, b" ") + bytes([len(user), 0]) + wide.ljust(109, b" ")).ljust(165, b"\x00")[:165]


def libreoffice_lock_file(user: str = "Søren Sørensen") -> bytes:
    return f",{user},PC-ØKONOMI-07,07.03.2031 10:15,file:///C:/Users/soren/AppData/Roaming/LibreOffice/4;".encode()


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every output's bytes and modification time: the proof that nothing was replaced."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not inuse.is_owner_file(p.name)
    }


@pytest.fixture
def collected(tmp_path, master, round1):
    """A round collected once (no PDFs): the outputs a second collect would replace."""
    out = tmp_path / "resultat"
    assert collect_round(master, 1, [round1], out, pdf=False).exit_code == 0
    return master, [round1], out


def test_an_overview_open_in_libreoffice_stops_collect_before_any_output_is_replaced(collected, tmp_path, capsys):
    soffice = soffice_or_skip()
    master, inputs, out = collected
    before = snapshot(out)
    proc = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profil').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            str(out / OVERVIEW_NAME),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **libreoffice._group_options(libreoffice._WINDOWS),
    )
    lock = out / ".~lock.overview.xlsx#"
    try:
        deadline = time.monotonic() + 90
        while not lock.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert lock.exists(), "LibreOffice wrote its lock file beside the overview it opened"
        assert outputs_in_use([out / MASTER_NAME, out / OVERVIEW_NAME]) == [out / OVERVIEW_NAME]
        with pytest.raises(OutputInUse) as raised:
            collect_round(master, 1, inputs, out, pdf=True)
        assert raised.value.paths == [out / OVERVIEW_NAME]
        assert str(raised.value).startswith("luk overview.xlsx i LibreOffice og kør igen")
        assert snapshot(out) == before
        assert main(["collect", str(master), "--round", "1", "--out", str(out), "--no-pdf", *map(str, inputs)]) == 2
        assert "luk overview.xlsx i LibreOffice og kør igen" in capsys.readouterr().err
        assert snapshot(out) == before
    finally:
        libreoffice._end_group(proc)


def test_an_excel_owner_file_beside_an_output_stops_collect_and_names_every_open_file(collected):
    master, inputs, out = collected
    (out / "~$overview.xlsx").write_bytes(excel_owner_file())
    (out / "reports" / "~$valg-02.xlsx").write_bytes(excel_owner_file())  # Udvalg-02.xlsx, its first two letters replaced
    before = snapshot(out)
    with pytest.raises(OutputInUse) as raised:
        collect_round(master, 1, inputs, out, pdf=False)
    assert raised.value.paths == [out / OVERVIEW_NAME, out / "reports" / "Udvalg-02.xlsx"]
    message = str(raised.value)
    assert message.startswith("luk overview.xlsx og Udvalg-02.xlsx i Excel og kør igen")
    assert "Intet er skrevet" in message and "slet ~$overview.xlsx og ~$valg-02.xlsx" in message
    assert snapshot(out) == before
    (out / "~$overview.xlsx").unlink()
    (out / "reports" / "~$valg-02.xlsx").unlink()
    assert collect_round(master, 1, inputs, out, pdf=False).exit_code == 0
    assert (out / MASTER_NAME).stat().st_mtime_ns != before[MASTER_NAME][1], "closed, the run goes through"


def test_a_libreoffice_lock_file_beside_a_report_pdf_counts_only_when_pdfs_are_made(collected):
    master, inputs, out = collected
    (out / "reports" / "Udvalg-01.pdf").write_bytes(b"%PDF-1.7 from an earlier run")
    (out / "reports" / ".~lock.Udvalg-01.pdf#").write_bytes(libreoffice_lock_file())
    with pytest.raises(OutputInUse) as raised:
        collect_round(master, 1, inputs, out, pdf=True)
    assert raised.value.paths == [out / "reports" / "Udvalg-01.pdf"]
    assert collect_round(master, 1, inputs, out, pdf=False).exit_code == 0


def test_an_owner_file_left_beside_an_output_not_yet_written_stops_nothing(collected):
    master, inputs, out = collected
    (out / "reports" / "~$Udvalg-03.xlsx").write_bytes(excel_owner_file())  # no committee 3: a crash's leftover
    assert outputs_in_use([out / "reports" / "Udvalg-03.xlsx", out / "ny mappe" / OVERVIEW_NAME]) == []
    assert collect_round(master, 1, inputs, out, pdf=False).exit_code == 0


def test_on_windows_an_output_that_cannot_be_opened_for_writing_is_in_use(tmp_path, monkeypatch):
    held, free, new = tmp_path / "overview.xlsx", tmp_path / "master.xlsx", tmp_path / "validation.xlsx"
    held.write_bytes(b"PK")
    free.write_bytes(b"PK")
    opened = []

    def windows_open(path, mode="r", *a, **kw):
        opened.append((Path(path).name, mode))
        if Path(path) == held:
            raise sharing_violation(path)
        return open(path, mode, *a, **kw)

    monkeypatch.setattr(inuse, "open", windows_open, raising=False)
    assert outputs_in_use([held, free, new]) == []  # not Windows: an open file can be replaced
    monkeypatch.setattr(inuse, "_WINDOWS", True)
    assert outputs_in_use([held, free, new]) == [held]
    assert ("overview.xlsx", "r+b") in opened
    assert held.read_bytes() == free.read_bytes() == b"PK" and not new.exists(), "looking changes nothing"


# --- Danish letters and spaces in every name ----------------------------------------------------


def danish_agreement():
    """Two committees named as a municipality names them, with æøå."""
    base = synthetic_agreement(committees=2, elements=2)
    names = {"Udvalg 01": "Børne- og Ungeudvalget", "Udvalg 02": "Økonomi- og Erhvervsudvalget (Å)"}
    committees = tuple(replace(c, name=names[c.name]) for c in base.committees)
    elements = tuple(replace(e, committee=names[e.committee]) for e in base.elements)
    return replace(base, committees=committees, elements=elements)


def test_a_round_in_folders_and_files_named_with_spaces_and_danish_letters(tmp_path, texts, capsys):
    year = tmp_path / "Budgetopfølgning 2031"
    agreement = danish_agreement()
    master = write_master(agreement, year / "Masterfil for året æøå.xlsx")
    templates = year / "Runde 1" / "Skabeloner til udvalg"
    assert main(["generate", str(master), "--round", "1", "--out", str(templates)]) == 0
    inbox = year / "Runde 1" / "Indbakke æøå"
    (inbox / "Fra Økonomi").mkdir(parents=True)
    made = sorted(templates.glob("*.xlsx"))
    assert [p.name for p in made] == ["runde-1_Børne-og-Ungeudvalget.xlsx", "runde-1_Økonomi-og-Erhvervsudvalget-Å.xlsx"]
    targets = [inbox / "Svar fra Børne- og Ungeudvalget æøå.xlsx", inbox / "Fra Økonomi" / "Økonomiudvalgets svar (rettet) å.xlsx"]
    for template, target, c in zip(made, targets, agreement.committees, strict=True):
        fill_template(template, target, agreement, c.name, 1, synthetic_answers(agreement, c.name, 1), texts)
    out = year / "Runde 1" / "Resultat æøå"
    pdf = ["--no-pdf"] if find_soffice() is None else []
    capsys.readouterr()
    assert main(["collect", str(master), "--round", "1", "--out", str(out), *pdf, str(inbox)]) == 0, capsys.readouterr()
    merged = read_master(out / MASTER_NAME)
    for c in agreement.committees:
        for answer in synthetic_answers(agreement, c.name, 1):
            got = merged.result(answer.element, 1)
            assert (got.progress, got.status) == (answer.progress, answer.status)
    assert merged.result("2.01", 1).source.file == "Indbakke æøå/Fra Økonomi/Økonomiudvalgets svar (rettet) å.xlsx"
    reports = sorted(p.name for p in (out / "reports").glob("*.xlsx"))
    assert reports == ["Børne-og-Ungeudvalget.xlsx", "Økonomi-og-Erhvervsudvalget-Å.xlsx"]
    if not pdf:
        assert sorted(p.name for p in (out / "reports").glob("*.pdf")) == [r.replace(".xlsx", ".pdf") for r in reports]
    rows = CalamineWorkbook.from_path(str(out / VALIDATION_NAME)).get_sheet_by_index(0).to_python()
    assert not any("Fejl" in row for row in rows)
    index = json.loads(next((out / "archive").rglob("index.json")).read_text(encoding="utf-8"))
    assert sorted(e["file"] for e in index) == [
        "Indbakke æøå/Fra Økonomi/Økonomiudvalgets svar (rettet) å.xlsx",
        "Indbakke æøå/Svar fra Børne- og Ungeudvalget æøå.xlsx",
    ]
    assert all(e["accepted"] and e["copy"] for e in index)
