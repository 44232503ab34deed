"""The tool as finance has it: a wheel installed into a fresh environment, run from a year folder far from our checkout.

Nothing here runs from the source tree: the wheel is built from a copy of the
project, installed without its dependencies into a new environment that borrows the
test environment's packages (no network), and every command is that environment's
own `followup`, started in a folder outside the repository.
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from conftest import ROOT
from fill_kit import answer_cells
from python_calamine import CalamineWorkbook
from year_kit import EDITED_HEADING, EDITED_SUBJECT, edit_layout, edit_mail_subject, fill_master

from workbook_tools.master import read_master
from workbook_tools.sheetplan import ECONOMY, ECONOMY_STATUS, PROGRESS, STATUS
from workbook_tools.texts import load_texts

SECONDS = 300
BIN = "Scripts" if os.name == "nt" else "bin"


def run(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=SECONDS, env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode in ok, f"{cmd} exited {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh environment with the wheel installed; returns its `followup` program."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "demo-output"),
    )
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(work / "dist"), str(source)], work)
    wheel = next((work / "dist").glob("workbook_tools-*.whl"))
    env = work / "env"
    run([sys.executable, "-m", "venv", "--without-pip", str(env)], work)
    python = env / BIN / ("python.exe" if os.name == "nt" else "python")
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work).stdout.strip())
    # Installed before the borrowed packages are on its path: pip would else see the test
    # environment's own workbook_tools there and install nothing.
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--ignore-installed", "--no-deps", "--no-index", "--quiet"]
    run([*pip, str(wheel)], work)
    # The dependencies come from the test environment, after the new environment's own packages.
    borrowed = [p for p in sys.path if p.endswith("site-packages")]
    (site / "borrowed-from-tests.pth").write_text("\n".join(borrowed) + "\n", encoding="utf-8")
    where = run([str(python), "-c", "import workbook_tools; print(workbook_tools.__file__)"], work).stdout.strip()
    assert Path(where).is_relative_to(env), f"workbook_tools came from {where}, not the fresh install"
    return env / BIN / "followup"


def test_the_installed_demo_runs_from_any_folder(installed, tmp_path):
    elsewhere = tmp_path / "et andet sted"
    elsewhere.mkdir()
    done = run([str(installed), "demo", "--out", "demo", "--no-pdf"], elsewhere)
    assert "Runde 2: 1 skabelon" in done.stdout
    assert (elsewhere / "demo" / "round-2" / "reports" / "Erhvervs-og-Beskæftigelsesudvalget.xlsx").is_file()


def test_a_year_from_init_to_mails_with_the_installed_tool(installed, tmp_path, office):
    drive = tmp_path / "fællesdrev"
    drive.mkdir()
    run([str(installed), "init", "Budgetopfølgning 2027", "--year", "2027"], drive)
    year = drive / "Budgetopfølgning 2027"
    fill_master(year / "master.xlsx", 2027)
    edit_layout(year / "layout.xlsx")
    edit_mail_subject(year / "mailtekster" / "rapport.txt")

    made = run([str(installed), "generate", "master.xlsx", "--round", "1", "--out", "runde-1/skabeloner"], year).stdout
    assert "Layout:" in made and "(fra årsmappen)" in made
    templates = sorted((year / "runde-1" / "skabeloner").glob("*.xlsx"))
    assert [t.name for t in templates] == ["runde-1_Udvalg-07.xlsx", "runde-1_Udvalg-08.xlsx"]
    shown = [str(v) for row in CalamineWorkbook.from_path(str(templates[0])).get_sheet_by_name("Opfølgning").to_python() for v in row]
    assert EDITED_HEADING in shown  # the layout edited in the year folder, visibly used

    # Udvalg 07 fills its template in LibreOffice, picking from the dropdowns; Udvalg 08 never answers.
    agreement = read_master(year / "master.xlsx")
    sheet, cells = answer_cells(agreement, "Udvalg 07", 1, load_texts(year / "layout.xlsx"))
    typed = {}
    for element in agreement.elements_of("Udvalg 07"):
        typed[cells[element.number, PROGRESS]] = "Grøn"
        typed[cells[element.number, STATUS]] = f"Status for {element.title}."
        typed[cells[element.number, ECONOMY]] = "Grøn"
        typed[cells[element.number, ECONOMY_STATUS]] = "Økonomien holder."
    inbox = year / "runde-1" / "indbakke"
    inbox.mkdir()
    copy = office.copy(templates[0], templates[0].name)
    steps = office.run(copy, [{"do": "type", "cells": typed}, {"do": "save", "to": str(inbox / templates[0].name)}], sheet=sheet)
    assert {v["result"] for v in steps[0]["cells"].values()} == {"written"}

    collected = run(
        [str(installed), "collect", "master.xlsx", "--round", "1", "--out", "runde-1/resultat", "--no-pdf", "runde-1/indbakke"], year
    )
    assert "1 af 1 besvarelser godkendt" in collected.stdout
    merged = read_master(year / "runde-1" / "resultat" / "master.xlsx")
    assert {r.element for r in merged.results} == {e.number for e in agreement.elements_of("Udvalg 07")}

    for kind in ("reports", "reminders"):
        mailed = run([str(installed), "mail", kind, "master.xlsx", "--round", "1", "--from", "runde-1/resultat"], year).stdout
        assert "Mailtekster:" in mailed and "(fra årsmappen)" in mailed
    outbox = year / "runde-1" / "resultat" / "outbox"
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(outbox.glob("*.eml"))]
    subjects = [m["Subject"] for m in messages]
    edited = EDITED_SUBJECT.removeprefix("Emne: ").split(" – ")[0]
    assert any(s.startswith(edited) for s in subjects), subjects  # the mail text edited in the year folder
    reminders = [m for m in messages if "udvalg08@example.invalid" in m["To"] and not m["Subject"].startswith(edited)]
    assert reminders, "Udvalg 08, which never answered, gets a reminder"
