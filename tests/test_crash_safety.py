"""A killed `collect` loses nothing: every output is its previous complete version or its new one.

Finance runs `followup collect` on a laptop that can lose power, or presses Ctrl+C
twice, or the IT department's tooling kills it. Here the command line runs in its
own process group and the whole group is killed with SIGKILL (no chance to clean
up) at moments spread over its run. After every kill each file under a final name
must open and be byte for byte either what the previous collect wrote or what an
uninterrupted collect writes; only files named like ``.~name.xlsx.tmp`` may be
half-written. A run without a kill afterwards gives exactly the uninterrupted output.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT, followup_command
from fill_kit import fill_template
from python_calamine import CalamineWorkbook
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools.master import write_master
from workbook_tools.template import generate_templates

KILLS = 20  # moments, one in each twentieth of the run
SEED_ENV = "FOLLOWUP_KILL_SEED"  # set to replay a failing run


def is_temp(path: Path) -> bool:
    # A temp file, or the lock a run holds on --out while it runs (workbook_tools.outlock), left by a kill.
    return (path.name.startswith(".~") and path.name.endswith(".tmp")) or path.name.startswith(".followup-lock")


def finals(folder: Path) -> dict[str, bytes]:
    """Every file under a final name, by its path relative to `folder`."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not is_temp(p)}


def temps(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and is_temp(p)}


def collect_command(master: Path, out: Path, inputs: list[Path], pdf: bool = False) -> list[str]:
    no_pdf = [] if pdf else ["--no-pdf"]
    return followup_command("collect", master, "--round", "1", "--out", out, *no_pdf, "--quiet", *inputs)


def start(cmd: list[str], stderr=subprocess.DEVNULL) -> subprocess.Popen:
    """The command in a process group of its own, so that the workers it starts are killed with it."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)


def run(cmd: list[str]) -> float:
    """Run to the end; the seconds it took."""
    began = time.perf_counter()
    proc = start(cmd, stderr=subprocess.PIPE)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode in (0, 1), err.decode()
    return time.perf_counter() - began


def make_round(root: Path, committees: int):
    """A master with `committees` committees and their returns (every fourth leaves a smiley out): half in the inbox, half to come."""
    from workbook_tools.texts import load_texts

    texts = load_texts()
    agreement = synthetic_agreement(committees=committees, elements=4)
    master = write_master(agreement, root / "master.xlsx")
    made = generate_templates(agreement, 1, root / "templates", texts)
    halves = [root / "inbox" / "first", root / "later" / "second"]
    for h in halves:
        h.mkdir(parents=True)
    for k, m in enumerate(made):
        answers = synthetic_answers(agreement, m.committee, 1)
        if k % 4 == 0:  # a warning, so that an annotated copy is written too
            answers[0] = replace(answers[0], economy=None)
        fill_template(root / "templates" / m.file, halves[k % 2] / m.file, agreement, m.committee, 1, answers, texts)
    return root, master, halves


@pytest.fixture(scope="module")
def round_one(tmp_path_factory):
    """48 committees: half their returns in the inbox, half to come."""
    return make_round(tmp_path_factory.mktemp("crash"), 48)


def check_consistent(out: Path, versions: list[dict[str, bytes]], where: str) -> None:
    """Every final file is one of the complete versions, and opens; anything else is a temp file."""
    for rel, data in finals(out).items():
        assert any(v.get(rel) == data for v in versions), f"{where}: {rel} is neither its previous nor its new version"
        if rel.endswith(".xlsx"):
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
            if rel.startswith("archive/"):
                assert hashlib.sha256(data).hexdigest().startswith(Path(rel).stem), f"{where}: {rel} is not the file it is named after"
        elif rel.endswith(".json"):
            json.loads(data)
        assert data, f"{where}: {rel} is empty"


def test_collect_killed_at_any_moment_leaves_complete_files_and_a_rerun_gives_the_same_bytes(round_one, tmp_path):
    root, master, (first, second) = round_one
    inbox = first.parent

    # What the previous collect left (half the returns had come in), and what an uninterrupted one writes now.
    out = tmp_path / "resultat"
    run(collect_command(master, out, [inbox]))
    previous = finals(out)
    second.rename(inbox / second.name)
    reference = tmp_path / "reference"
    seconds = run(collect_command(master, reference, [inbox]))
    assert not temps(reference) and not temps(out), "a normal run leaves no temp files behind"
    new = finals(reference)
    assert {"master.xlsx", "overview.xlsx", "validation.xlsx"} <= set(new)
    assert sum(k.startswith("reports/") and k.endswith(".xlsx") for k in new) == 48 and any(k.startswith("feedback/") for k in new)
    assert previous["master.xlsx"] != new["master.xlsx"], "the two versions must differ, or the test could not tell them apart"

    seed = int(os.environ.get(SEED_ENV) or time.time_ns() % 2**32)
    rng = random.Random(seed)
    moments = [(i + rng.random()) / KILLS * seconds * 0.9 for i in range(KILLS)]  # a warm run is a little faster
    killed = 0
    for at in moments:
        proc = start(collect_command(master, out, [inbox]))
        time.sleep(at)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
        check_consistent(out, [previous, new], f"{SEED_ENV}={seed}, killed after {at:.2f} s")
    assert killed >= KILLS // 2, f"only {killed} of {KILLS} runs were still running when killed; the moments are not spread over the run"

    left = temps(out)
    run(collect_command(master, out, [inbox]))
    after = finals(out)
    assert set(after) == set(new), f"{SEED_ENV}={seed}"
    for rel, data in new.items():
        assert after[rel] == data, f"{SEED_ENV}={seed}: {rel} differs from the uninterrupted run"
    assert temps(out) <= left, "the run after the kills leaves no temp files of its own"


PDF_KILLS = 5  # each run starts LibreOffice: fewer, longer runs


def test_with_pdfs_a_killed_collect_leaves_complete_files_and_a_rerun_gives_the_same_bytes(tmp_path):
    """The PDF path too: LibreOffice's dates and random /ID are normalised (pdfstamp), so a rerun's PDFs are the clean run's bytes."""
    from conftest import soffice_or_skip

    soffice_or_skip()
    root, master, (first, second) = make_round(tmp_path / "round", 4)
    inbox = first.parent
    out = tmp_path / "resultat"
    run(collect_command(master, out, [inbox], pdf=True))
    previous = finals(out)
    second.rename(inbox / second.name)
    reference = tmp_path / "reference"
    seconds = run(collect_command(master, reference, [inbox], pdf=True))
    new = finals(reference)
    assert sum(k.endswith(".pdf") for k in new) == 4, "LibreOffice made a PDF of every report"

    seed = int(os.environ.get(SEED_ENV) or time.time_ns() % 2**32)
    rng = random.Random(seed)
    killed = 0
    for i in range(PDF_KILLS):
        at = (i + rng.random()) / PDF_KILLS * seconds * 0.9
        proc = start(collect_command(master, out, [inbox], pdf=True))
        time.sleep(at)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # LibreOffice runs in a group of its own and ends by itself
            killed += 1
        proc.wait(timeout=60)
        check_consistent(out, [previous, new], f"{SEED_ENV}={seed}, killed after {at:.2f} s")
    assert killed >= PDF_KILLS // 2, f"only {killed} of {PDF_KILLS} runs were still running when killed"

    run(collect_command(master, out, [inbox], pdf=True))
    after = finals(out)
    assert set(after) == set(new), f"{SEED_ENV}={seed}"
    assert [rel for rel, data in new.items() if after[rel] != data] == [], f"{SEED_ENV}={seed}: differs from the uninterrupted run"
