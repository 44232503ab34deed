"""A return made from an earlier master: finance added or removed an element after the templates went out.

The example's round-2 return was made before element 5.14 was added (or 5.13
removed). Intact against its own template, its answers for the elements it shares
with today's master are taken; only a return changed since its generation is rejected.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT
from returns_kit import edit

from workbook_tools.master import read_master, write_master
from workbook_tools.pipeline import collect_round
from workbook_tools.sheetplan import COL_TEXT
from workbook_tools.sheetvalues import heading_rows

EXAMPLE = ROOT / "examples" / "budget-2018"
RETURNS = EXAMPLE / "returns" / "round-2"
SHARED = ["5.01", "5.02", "5.08.1", "5.08.2", "5.08.3", "5.09", "5.10", "5.11"]


@pytest.fixture(scope="module")
def round2_master(tmp_path_factory) -> Path:
    """The master after round 1, as the demo makes it."""
    out = tmp_path_factory.mktemp("round-1")
    collect_round(EXAMPLE / "master.xlsx", 1, [EXAMPLE / "returns" / "round-1"], out, pdf=False)
    return out / "master.xlsx"


def _changed_master(round2_master: Path, tmp_path: Path, change: str) -> Path:
    a = read_master(round2_master)
    if change == "add":
        added = replace(a.elements[-1], number="5.14", title="Ny indsats aftalt midt i runden")
        a = replace(a, elements=(*a.elements, added))
    else:
        a = replace(
            a, elements=tuple(e for e in a.elements if e.number != "5.13"), results=tuple(r for r in a.results if r.element != "5.13")
        )
    return write_master(a, tmp_path / "master.xlsx")


def _round2(master: Path, returns: Path, out: Path):
    run = collect_round(master, 2, [returns], out, pdf=False)
    (check,) = run.checks
    return run, check


def _answered(master: Path) -> set[str]:
    return {r.element for r in read_master(master).results if r.round == 2 and r.progress}


def test_an_element_added_after_the_templates_went_out_is_a_warning_and_the_shared_answers_are_merged(round2_master, tmp_path):
    run, check = _round2(_changed_master(round2_master, tmp_path, "add"), RETURNS, tmp_path / "out")
    assert run.exit_code == 0 and check.accepted
    added = [p for p in check.problems if p.code == "element-not-in-template"]
    assert [(p.element, p.severity.value) for p in added] == [("5.14", "warning")]
    assert "skabelon" in added[0].hint
    assert not [p for p in check.problems if p.code in ("rows-moved", "locked-cell-changed")]
    assert sorted(r.element for r in check.results) == sorted([*SHARED, "5.13"])
    assert _answered(tmp_path / "out" / "master.xlsx") == {*SHARED, "5.13"}


def test_an_element_removed_after_the_templates_went_out_has_its_answers_left_out_and_listed(round2_master, tmp_path):
    run, check = _round2(_changed_master(round2_master, tmp_path, "remove"), RETURNS, tmp_path / "out")
    assert run.exit_code == 0 and check.accepted
    removed = [p for p in check.problems if p.code == "element-removed-from-master"]
    assert [(p.element, p.severity.value) for p in removed] == [("5.13", "info")]
    assert not [p for p in check.problems if p.code in ("rows-moved", "locked-cell-changed")]
    assert sorted(r.element for r in check.results) == sorted(SHARED)
    assert _answered(tmp_path / "out" / "master.xlsx") == set(SHARED)


@pytest.mark.parametrize("change", ["add", "remove"])
def test_a_return_changed_since_its_own_generation_is_still_rejected(round2_master, tmp_path, change):
    returns = tmp_path / "returns"
    returns.mkdir()
    (source,) = RETURNS.glob("*.xlsx")
    tampered = shutil.copy(source, returns / source.name)

    def retitle(wb):
        ws = wb.worksheets[0]
        rows = heading_rows([[c.value for c in row] for row in ws.iter_rows()])
        ws.cell(rows["5.01"] + 1, COL_TEXT + 1, "En anden titel")

    edit(Path(tampered), retitle)
    run, check = _round2(_changed_master(round2_master, tmp_path, change), returns, tmp_path / "out")
    assert not check.accepted and run.exit_code == 1
    assert not [p for p in check.problems if p.code in ("element-not-in-template", "element-removed-from-master")]


def test_with_a_manifest_the_id_of_a_return_made_before_an_element_was_added_still_holds(agreement, texts, tmp_path):
    from returns_kit import Kit

    kit = Kit(tmp_path / "then", agreement, texts)
    path = kit.filled()
    made = kit.check(path)
    entry = {"template_id": made.template_id, "committee": "Udvalg 01", "department": "", "round": 1, "digest": kit.plan().locked_digest()}
    mine = [e for e in agreement.elements if e.committee == "Udvalg 01"]
    added = replace(mine[-1], number=mine[-1].number + ".9", title="Kommet til siden")
    later = Kit(tmp_path / "now", replace(agreement, elements=(*agreement.elements, added)), texts)

    check = later.check(path, manifest={made.template_id: entry})
    assert check.accepted, [(p.code, p.detail) for p in check.problems]
    assert [(p.code, p.element) for p in check.problems if p.severity.value != "info"] == [
        ("template-outdated", ""),
        ("element-not-in-template", added.number),
    ]
    assert {r.element for r in check.results} == {e.number for e in mine}
