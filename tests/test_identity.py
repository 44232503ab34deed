"""A return is its path as given, never its file name: two returns never share a status.

Two inbox folders each holding a file of the same name (one good, one broken) get
their own verdicts, shown with enough of the path to tell them apart in the summary,
validation list, problems.json, feedback names and archive index; the same file given
twice is one return, not a copy of itself that leaves its committee "missing".
"""

from __future__ import annotations

import json
import shutil

import openpyxl

from workbook_tools.outfolder import ARCHIVE_DIR, FEEDBACK_DIR, PROBLEMS_NAME
from workbook_tools.pipeline import collect_round, summary_rows
from workbook_tools.sheetplan import Mode, Role, plan_sheet
from workbook_tools.shownames import distinct, shown_names


def returns_of(round1):
    return sorted(round1.glob("*.xlsx"))


def test_the_same_file_given_twice_is_one_return_and_no_committee_is_missing(master, round1, tmp_path):
    good = returns_of(round1)
    run = collect_round(master, 1, [good[0], good[0], round1 / ".." / round1.name / good[0].name, *good[1:]], tmp_path / "out", pdf=False)
    assert [c.name for c in run.checks] == [p.name for p in good]
    assert [run.status(c) for c in run.checks] == ["accepted"] * len(good)
    assert not [p for p in run.problems if p.code in ("missing-return", "duplicate-return")]
    assert run.exit_code == 0


def test_two_files_of_one_name_in_two_folders_get_their_own_verdicts_everywhere(master, round1, tmp_path):
    good = returns_of(round1)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(good[0], a / "svar.xlsx")
    (b / "svar.xlsx").write_bytes(b"not a workbook at all")
    out = tmp_path / "out"
    run = collect_round(master, 1, [a / "svar.xlsx", b / "svar.xlsx", *good[1:]], out, pdf=False)

    shown = {c.name: run.status(c) for c in run.checks}
    assert shown["a/svar.xlsx"] == "accepted" and shown["b/svar.xlsx"] == "rejected"
    assert not [p for p in run.problems if p.code == "missing-return"]
    assert {p.file for p in run.problems if p.code == "not-a-workbook"} == {"b/svar.xlsx"}
    rows = {r[0]: r[2] for r in summary_rows(run)}
    assert rows["a/svar.xlsx"] == "godkendt" and rows["b/svar.xlsx"] == "afvist"

    ledger = {r["file"]: r["status"] for r in json.loads((out / PROBLEMS_NAME).read_text(encoding="utf-8"))["returns"]}
    assert ledger["a/svar.xlsx"] == "accepted" and ledger["b/svar.xlsx"] == "rejected"
    index = {e["file"]: e["status"] for e in json.loads(next((out / ARCHIVE_DIR).rglob("index.json")).read_text(encoding="utf-8"))}
    assert index["a/svar.xlsx"] == "accepted" and index["b/svar.xlsx"] != "accepted"
    feedback = sorted(p.name for p in (out / FEEDBACK_DIR).glob("*.xlsx"))
    assert not [n for n in feedback if n.startswith("svar")], "the good one needs no copy, and bytes that are no workbook get none"


def test_two_faulty_returns_of_one_name_each_get_their_own_annotated_copy(master, round1, tmp_path, agreement, texts):
    good = returns_of(round1)
    plan = plan_sheet(agreement, agreement.committees[0], 1, texts, Mode.TEMPLATE)
    milestone = next(c for c in plan.cells if c.field == "milestone" and c.role is Role.FIXED and c.value)
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        folder.mkdir()
        wb = openpyxl.load_workbook(good[0])
        wb[plan.sheet_name][milestone.ref] = f"Ændret i {folder.name}"
        wb.save(folder / "svar.xlsx")
    out = tmp_path / "out"
    run = collect_round(master, 1, [folder / "svar.xlsx" for folder in folders], out, pdf=False)
    a, b = run.checks
    assert (a.name, b.name) == ("a/svar.xlsx", "b/svar.xlsx") and not a.accepted and not b.accepted
    copies = sorted(p.name for p in (out / FEEDBACK_DIR).glob("*.xlsx"))
    assert copies == sorted(["svar_tilbagemelding.xlsx", f"svar_{b.sha256[:8]}_tilbagemelding.xlsx"]), "one each, neither over the other"


def test_two_inbox_folders_of_the_same_name_show_the_folder_above(master, round1, tmp_path):
    good = returns_of(round1)
    first, second = tmp_path / "x" / "indbakke", tmp_path / "y" / "indbakke"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    shutil.copy(good[0], first / "runde-1.xlsx")
    (second / "runde-1.xlsx").write_bytes(b"PK\x03\x04 broken")
    run = collect_round(master, 1, [first, second, *good[1:]], tmp_path / "out", pdf=False)
    shown = {c.name: run.status(c) for c in run.checks}
    assert shown["x/indbakke/runde-1.xlsx"] == "accepted" and shown["y/indbakke/runde-1.xlsx"] == "rejected"
    assert not [p for p in run.problems if p.code == "missing-return"]


def test_shown_names_stay_short_where_unique_and_grow_only_where_needed(tmp_path):
    from pathlib import Path

    paths = [Path("/r/a/svar.xlsx"), Path("/r/b/svar.xlsx"), Path("/r/b/andet.xlsx"), Path("/r/c/SVAR.xlsx")]
    assert shown_names(paths, paths) == {paths[0]: "a/svar.xlsx", paths[1]: "b/svar.xlsx", paths[2]: "andet.xlsx", paths[3]: "c/SVAR.xlsx"}


def test_names_equal_after_everything_are_numbered(tmp_path):
    from workbook_tools.inbox import Incoming

    items = [Incoming(tmp_path / f"{i}.xlsx", "mail.eml → svar.xlsx") for i in range(3)]
    assert [i.name for i in distinct(items)] == ["mail.eml → svar.xlsx", "mail.eml → svar (2).xlsx", "mail.eml → svar (3).xlsx"]
