"""Whatever arrives, `collect` answers with a specific problem, keeps going and changes nothing.

The corpus (tests/badfiles.py) holds every kind of bad input we know of. Each kind
is checked on its own in a forked process, the way `collect` checks it (saved
e-mails opened, every file sniffed, checked and merged), and that process is
measured: under 10 seconds and 500 MB per file, no traceback, the specific code.
Then the whole corpus goes through the real command line beside a good return,
which must still be merged, and every input must be byte-identical afterwards.
"""

from __future__ import annotations

import faulthandler
import hashlib
import io
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import olefile  # noqa: F401  imported before forking: the unprivileged child may not read site-packages
import openpyxl
import pytest
import python_calamine  # noqa: F401
from badfiles import GOOD_ANSWERS_FOR, KINDS, SECRET, Corpus, Kind, member, members_of, raw_zip
from conftest import ROOT
from danish_words import english_leaks, shown_text
from python_calamine import CalamineWorkbook
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools import extent, integrity, ooxml, zipguard
from workbook_tools.collect import check_return
from workbook_tools.inbox import Incoming
from workbook_tools.mailin import expand_inputs
from workbook_tools.master import read_master, write_master
from workbook_tools.merge import merge_returns
from workbook_tools.pipeline import archive_returns
from workbook_tools.problems import CATALOG
from workbook_tools.returncheck import CollectContext
from workbook_tools.template import read_manifest
from workbook_tools.texts import load_texts

LIMIT_SECONDS = 10.0
LIMIT_BYTES = 500 * 2**20
HANG_SECONDS = 60.0  # a child still running after this is a hang, and is killed
NOBODY = 65534
ACROSS = {"missing-return", "missing-answer"}  # about the round as a whole, not about a file


@dataclass
class Outcome:
    """What checking one kind's folder gave, and what it cost."""

    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (code, file, severity)
    accepted: list[bool] = field(default_factory=list)
    answers: int = 0  # answers taken from accepted returns
    seconds: float = 0.0
    rss_bytes: int = 0  # growth of the process's peak resident memory (Python and native code alike)
    error: str = ""  # a traceback, a crash or a hang

    @property
    def codes(self) -> list[str]:
        return [code for code, _file, _sev in self.problems]


def _rss_now() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _check_folder(folder: Path, ctx: CollectContext) -> Outcome:
    """What `collect` does with one folder, short of writing: open e-mails, check every file, merge."""
    out = Outcome()
    inbox = expand_inputs([folder], lambda p: str(p.relative_to(folder)))
    try:
        checks = [check_return(inc, ctx) for inc in inbox.incoming]
        merged = merge_returns(ctx.agreement, ctx.round, checks, expected_units=[])
    finally:
        inbox.close()
    problems = inbox.problems + [p for c in checks for p in c.problems] + merged.problems
    out.problems = [(p.code, p.file, p.severity.value) for p in problems if p.code not in ACROSS]
    out.accepted = [c.accepted for c in checks]
    out.answers = sum(len([r for r in c.results if not r.is_empty]) for c in checks if c.accepted)
    return out


def _child(conn, job, folder: Path, ctx: CollectContext, nobody: bool) -> None:
    faulthandler.disable()  # a native crash is reported by the parent, in one line
    try:
        if nobody and os.geteuid() == 0:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        base = _rss_now()
        start = time.perf_counter()
        out = job(folder, ctx)
        out.seconds = time.perf_counter() - start
        out.rss_bytes = max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base)
    except BaseException:
        out = Outcome(error=traceback.format_exc())
    conn.send(out)
    conn.close()
    os._exit(0)


def check_kind(folder: Path, ctx: CollectContext, nobody: bool = False, job=_check_folder) -> Outcome:
    """Check one kind's folder in a forked process: measured alone, and a crash or hang cannot take the test run down."""
    mp = multiprocessing.get_context("fork")
    parent, child = mp.Pipe(duplex=False)
    proc = mp.Process(target=_child, args=(child, job, folder, ctx, nobody))
    proc.start()
    child.close()
    got = None
    if parent.poll(HANG_SECONDS):
        try:
            got = parent.recv()
        except EOFError:  # the child died without a word: a native crash
            pass
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    if got is None:
        how = f"hung for over {HANG_SECONDS:.0f} s" if proc.exitcode in (None, -9) else f"died with exit code {proc.exitcode}"
        return Outcome(error=f"the check {how}")
    return got


def digest_tree(folder: Path) -> dict[str, str]:
    """Every entry under `folder`: file contents hashed, links by target, others by type."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in sorted(dirs + files):
            p = Path(root) / name
            rel = str(p.relative_to(folder))
            st = p.lstat()
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_file() and st.st_mode & 0o444:
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() + f":{st.st_mode:o}:{st.st_mtime_ns}"
            else:
                out[rel] = f"mode:{st.st_mode:o}:{st.st_mtime_ns}"
    return out


@pytest.fixture(scope="module")
def corpus():
    """The corpus, built once, in a folder an unprivileged user can enter, with a good return beside it."""
    root = Path(tempfile.mkdtemp(prefix="followup-corpus-"))
    try:
        root.chmod(0o755)
        agreement = synthetic_agreement()
        c = Corpus(root, agreement, load_texts())
        c.master = write_master(agreement, root / "master.xlsx")
        c.inbox = root / "inbox"
        for kind in KINDS:
            folder = c.inbox / kind.name
            folder.mkdir(parents=True)
            kind.make(c, folder)
        (root / "good").mkdir()
        c.good_return = c.good_file(root / "good", "runde-1_Udvalg-02.xlsx", committee=GOOD_ANSWERS_FOR, author="Udvalg 02")
        for p in [root, *root.rglob("*")]:
            if p.is_dir() and not p.is_symlink() and p.stat().st_mode & 0o777:  # mode 000 is a kind of its own
                p.chmod(0o755)
        yield c
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def ctx(corpus):
    manifest = {e["template_id"]: e for e in read_manifest(corpus.manifest)}
    return CollectContext(read_master(corpus.master), 1, load_texts(), manifest=manifest)


@pytest.fixture(scope="module")
def outcomes(corpus, ctx):
    return {kind.name: check_kind(corpus.inbox / kind.name, ctx, kind.nobody) for kind in KINDS}


def _as_root_unprivileged(kind: Kind) -> bool:
    return kind.nobody and os.geteuid() == 0


# --- each kind on its own --------------------------------------------------------------------


def test_the_corpus_holds_over_40_kinds_each_naming_a_catalogued_code():
    assert len(KINDS) >= 40
    assert len({k.name for k in KINDS}) == len(KINDS)
    assert all(k.code is None or k.code in CATALOG for k in KINDS)
    assert len({k.code for k in KINDS}) >= 30, "the corpus exercises most of the catalogue, not one code forty times"


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_each_bad_input_gets_its_specific_code_no_traceback_and_stays_within_bounds(kind, outcomes):
    got = outcomes[kind.name]
    assert got.error == "", f"{kind.what}: {got.error}"
    if kind.code is None:
        assert got.codes == [], kind.what
    else:
        assert kind.code in got.codes, f"{kind.what}: expected {kind.code}, got {got.problems}"
    if kind.code != "broken-workbook":
        assert "broken-workbook" not in got.codes, f"{kind.what} deserves a specific code: {got.problems}"
    if kind.code == "no-attachment":
        assert got.accepted == [], "an e-mail without a workbook gives nothing to check"
    else:
        assert got.accepted and all(got.accepted) == kind.accepted, got.problems
        assert (got.answers > 0) == kind.accepted, "an accepted return's answers count; a rejected one's do not"
    assert got.seconds < LIMIT_SECONDS, f"{kind.what}: {got.seconds:.1f} s"
    assert got.rss_bytes < LIMIT_BYTES, f"{kind.what}: {got.rss_bytes / 2**20:.0f} MB"


def test_the_bounds_are_measured_for_real(outcomes):
    """The largest file the limits let through really costs time and memory: the meter is not stuck at zero."""
    big = outcomes["million-rows-extra-sheet"]
    assert big.seconds > 0.2 and big.rss_bytes > 20 * 2**20, big
    assert outcomes["empty"].rss_bytes < 20 * 2**20


def test_a_reader_that_crashes_is_caught_by_the_harness_not_passed(corpus, ctx):
    """python-calamine handed the last-cell file without the limits: a native abort, which the harness reports."""

    def unguarded(folder: Path, _ctx) -> Outcome:
        (path,) = folder.iterdir()
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Opfølgning").to_python(skip_empty_area=False)
        return Outcome()

    got = check_kind(corpus.inbox / "last-cell", ctx, job=unguarded)
    assert "died" in got.error


# --- the parsers ----------------------------------------------------------------------------


def test_defusedxml_guards_openpyxl_and_the_collectors_own_xml_parsing():
    from defusedxml import EntitiesForbidden

    assert openpyxl.xml.DEFUSEDXML is True, "openpyxl parses untrusted XML safely only with defusedxml installed"
    laughs = b'<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>'
    with pytest.raises(EntitiesForbidden):
        ooxml.SafeET.fromstring(laughs)


def test_only_parts_the_dtd_screen_can_read_reach_the_fast_parser():
    """The collector parses with the standard C parser only UTF-8 parts, which check_zip_limits screens for a DTD."""
    from defusedxml import EntitiesForbidden

    doc = '<?xml version="1.0" encoding="{}"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'
    for part in (
        doc.format("UTF-16").encode("utf-16"),
        doc.format("ISO-8859-1").encode("latin-1"),
        doc.format("windows-1252").encode("cp1252"),
    ):
        with pytest.raises(EntitiesForbidden):
            ooxml.parse_xml(part)
    assert ooxml.parse_xml(b'<?xml version="1.0" encoding="UTF-8"?><r>x</r>').text == "x"


def test_limits_refuse_before_any_parser_sees_the_part(corpus):
    """check_zip_limits alone names every container trick; no XML parser runs to find them."""
    for name in (
        "zip-bomb",
        "zip-lying-size",
        "zip-lying-strings",
        "zip-many",
        "zip-huge-directory",
        "zip-duplicate",
        "zip-encrypted-member",
        "zip-bzip2",
        "laughs-workbook",
        "laughs-sheet",
        "xxe-sheet",
        "xxe-properties",
        "million-rows",
        "last-cell",
        "last-cell-odd-part",
    ):
        (path,) = (p for p in (corpus.inbox / name).iterdir())
        assert zipguard.check_zip_limits(path), name
    assert zipguard.check_zip_limits(corpus.good_return) is None


def test_a_member_is_never_inflated_past_its_declared_size(corpus):
    """A header that says 1 kB over a stream of 100 MB: refused after reading 1 kB + 1 byte, in a few milliseconds."""
    (path,) = (corpus.inbox / "zip-lying-strings").iterdir()
    start = time.perf_counter()
    reason = zipguard.check_zip_limits(path)
    assert "mere udpakket" in reason and "sharedStrings" in reason
    assert time.perf_counter() - start < 0.5


def test_a_sheet_beyond_the_cell_limit_is_refused_and_one_within_it_loads(tmp_path, corpus):
    parts = members_of(corpus.good())
    sheet = next(m for m in parts if m.name == "xl/worksheets/sheet1.xml")
    xml = zipfile.ZipFile(io.BytesIO(corpus.good())).read(sheet.name)
    _tags, rows, cols = extent.scan_extent(xml)
    assert (rows, cols) == _calamine_shape(corpus.good_return, "Opfølgning")
    limit = zipguard.MAX_SHEET_CELLS
    inside = xml.replace(b"</sheetData>", b'<row r="%d"><c r="G%d"><v>1</v></c></row></sheetData>' % (limit // 7, limit // 7))
    outside = xml.replace(b"</sheetData>", b'<row r="%d"><c r="H%d"><v>1</v></c></row></sheetData>' % (limit // 7, limit // 7))
    for body, refused in ((inside, False), (outside, True)):
        path = tmp_path / f"{refused}.xlsx"
        path.write_bytes(raw_zip([member(m.name, body) if m.name == sheet.name else m for m in parts]))
        assert bool(zipguard.check_zip_limits(path)) is refused
        if not refused:
            assert _calamine_shape(path, "Opfølgning") == (limit // 7, 7)


def _calamine_shape(path: Path, sheet: str) -> tuple[int, int]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return len(rows), max(len(r) for r in rows)


# --- the whole corpus, as finance runs it ---------------------------------------------------


def _run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    return subprocess.run(
        [sys.executable, "-m", "workbook_tools", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout
    )


def _problem_rows(out: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(out / "validation.xlsx")).get_sheet_by_name("Problemer").to_python()[1:]


def _all_bytes(folder: Path):
    """Every output file's bytes, and the parts of every workbook the tool wrote (the archive holds the inputs as they came)."""
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        yield p, data
        if p.suffix == ".xlsx" and "archive" not in p.relative_to(folder).parts:
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    yield p / name, z.read(name)


def test_the_whole_corpus_beside_a_good_return_merges_the_good_one_names_every_bad_one_and_changes_nothing(corpus, tmp_path):
    before = digest_tree(corpus.root)
    out = tmp_path / "resultat"
    started = time.perf_counter()
    done = _run(
        "collect",
        str(corpus.master),
        "--round",
        "1",
        "--out",
        str(out),
        "--manifest",
        str(corpus.manifest),
        "--no-pdf",
        str(corpus.inbox),
        str(corpus.good_return),
    )
    seconds = time.perf_counter() - started

    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr and "uventet fejl" not in done.stderr, done.stderr
    assert digest_tree(corpus.root) == before, "every input is byte-identical afterwards (and no file was added beside them)"

    merged = read_master(out / "master.xlsx")
    for a in synthetic_answers(corpus.agreement, GOOD_ANSWERS_FOR, 1):
        got = merged.result(a.element, 1)
        assert (got.progress, got.status, got.economy, got.economy_status) == (a.progress, a.status, a.economy, a.economy_status)
        assert got.source.file.endswith(corpus.good_return.name)

    rows = _problem_rows(out)
    for kind in KINDS:
        mine = [(r[0], r[1]) for r in rows if str(r[2]).startswith(f"inbox/{kind.name}/")]
        if _as_root_unprivileged(kind):
            continue  # root reads a chmod-000 file; test_each_bad_input… checks it as an unprivileged user
        if kind.code is None:
            assert all(sev != "Fejl" for sev, _code in mine), (kind.name, mine)
        else:
            assert kind.code in {code for _sev, code in mine}, (kind.name, mine)
    # Every message about every hostile file reads as Danish: on the screen, in the list, in the kommenteret kopi.
    theirs = tuple(
        t for e in corpus.agreement.elements for t in (e.title, e.agreement_text, e.supplementary_text, e.economy_text, *e.milestones) if t
    )
    assert english_leaks(done.stdout + done.stderr, theirs) == []
    for path in [out / "validation.xlsx", *(out / "feedback").glob("*.xlsx")]:
        assert english_leaks(shown_text(path), theirs) == [], (path.name[-40:], english_leaks(shown_text(path), theirs))
    for path, data in _all_bytes(out):
        assert SECRET.encode() not in data, f"{path} holds what an external entity pointed at"
    assert SECRET not in done.stdout
    assert not [p for p in out.rglob("*") if p.name.startswith(".~")], "no temp files are left behind"
    assert seconds < 180, f"the whole corpus took {seconds:.0f} s"


def test_followup_check_on_the_whole_corpus_answers_every_file_and_changes_nothing(corpus):
    before = digest_tree(corpus.root)
    done = _run("check", str(corpus.master), "--round", "1", "--json", str(corpus.inbox))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    doc = json.loads(done.stdout)
    checked = {r["file"].split("/")[1] for r in doc["returns"]} | {p["file"].split("/")[1] for p in doc["problems"]}
    assert checked == {k.name for k in KINDS}, "every kind of input is answered"
    assert digest_tree(corpus.root) == before


def test_a_return_that_changes_or_vanishes_after_its_check_is_not_archived_as_if_checked(corpus, ctx, tmp_path):
    """The archive keeps the bytes that were checked, under their hash, or nothing; collect goes on either way."""
    changed, gone = tmp_path / "rettet.xlsx", tmp_path / "slettet.xlsx"
    changed.write_bytes(corpus.good())
    gone.write_bytes(corpus.good(committee="Udvalg 02"))
    checks = [check_return(Incoming(p, p.name), ctx) for p in (changed, gone)]
    changed.write_bytes(changed.read_bytes() + b"\0")
    gone.unlink()
    index = json.loads(archive_returns(checks, tmp_path / "archive", 1).read_text())
    assert [(e["file"], e["copy"]) for e in index] == [("rettet.xlsx", ""), ("slettet.xlsx", "")]
    assert all("ikke arkiveret" in e["note"] for e in index)
    assert [p.name for p in (tmp_path / "archive" / "round-1").iterdir()] == ["index.json"]


def test_the_guarantees_doc_lists_every_kind_of_the_corpus_with_its_code():
    doc = (ROOT / "docs" / "guarantees.md").read_text(encoding="utf-8")
    for kind in KINDS:
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{kind.name}` |")), None)
        assert row, f"docs/guarantees.md has no row for {kind.name}"
        assert (f"`{kind.code}`" if kind.code else "(none)") in row, row
        assert row.rstrip(" |").split("|")[-1].strip().startswith("yes" if kind.accepted else "no"), row
    assert f"{zipguard.MAX_SHEET_CELLS:,}" in doc and "defusedxml" in doc


def test_a_paste_of_thousands_of_rows_is_fifty_findings_and_one_count_not_thousands(outcomes):
    got = outcomes["pasted-rows"]
    assert got.codes.count("locked-cell-changed") == integrity.MAX_CELLS_LISTED + 1
