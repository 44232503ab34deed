"""Merging across returns: copies, newer versions, conflicts, --prefer and who is missing.

The returns are real files made by code; merge_returns itself reads none of them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from returns_kit import cell_of, edit, set_core
from synthetic import synthetic_answers

from workbook_tools.cli import main
from workbook_tools.master import read_master
from workbook_tools.merge import CONFLICT, DUPLICATE, SUPERSEDED, merge_returns
from workbook_tools.model import Smiley

SHEET = "Opfølgning"


def merged(outcome) -> dict[str, tuple]:
    return {r.element: (r.progress, r.status, r.economy, r.economy_status, r.source.file) for r in outcome.results}


def problems(outcome, *codes) -> list[tuple]:
    return [(p.code, p.file, p.element) for p in outcome.problems if not codes or p.code in codes]


def answers_with(agreement, committee="Udvalg 01", department="", **changes):
    out = []
    for a in synthetic_answers(agreement, committee, 1, department):
        out.append(replace(a, **changes.get(a.element, {})))
    return out


def at(hour: int) -> datetime:
    return datetime(2031, 3, 10, hour, 0, tzinfo=UTC)


def test_the_same_file_twice_is_merged_once_and_the_copy_is_info(kit, agreement):
    first = kit.filled("a.xlsx")
    copy = kit.returns / "b-kopi.xlsx"
    copy.write_bytes(first.read_bytes())
    checks = [kit.check(first), kit.check(copy)]
    out = merge_returns(agreement, 1, checks)
    assert problems(out, "duplicate-return") == [("duplicate-return", "b-kopi.xlsx", "")]
    assert out.problems[0].severity.value == "info"
    assert out.status == {"a.xlsx": "accepted", "b-kopi.xlsx": DUPLICATE}
    assert {f for *_, f in merged(out).values()} == {"a.xlsx"}


def test_a_newer_version_from_the_same_sender_wins_by_document_time_not_by_name(kit, agreement):
    new_answers = answers_with(agreement, **{"1.02": {"progress": Smiley.GREEN, "status": "Nu er milepælen nået."}})
    newer = set_core(kit.filled("a-rettet.xlsx", answers=new_answers, author="Anna"), modified=at(11))
    older = set_core(kit.filled("b-første.xlsx", author="Anna"), modified=at(9))
    out = merge_returns(agreement, 1, [kit.check(newer), kit.check(older)])
    assert problems(out) == [("superseded-return", "b-første.xlsx", ""), ("missing-return", "", "")] + [
        ("missing-answer", "", n) for n in ("2.01", "2.02", "2.03")
    ]
    assert out.problems[0].severity.value == "warning" and out.problems[0].detail == "a-rettet.xlsx"
    assert out.status["b-første.xlsx"] == SUPERSEDED
    assert merged(out)["1.02"][:2] == (Smiley.GREEN, "Nu er milepælen nået.")
    assert {f for *_, f in merged(out).values()} == {"a-rettet.xlsx"}


def test_when_the_newer_version_is_rejected_the_older_one_counts_and_finance_is_told(kit, agreement):
    plan = kit.plan()
    milestone = cell_of(plan, "1.01", "milestone", 1)
    older = set_core(kit.filled("v1.xlsx", author="Anna"), modified=at(9))

    def break_it(wb):
        wb[SHEET].protection.sheet = False
        wb[SHEET][milestone] = "rettet"

    newer = set_core(edit(kit.filled("v2.xlsx", author="Anna"), break_it), modified=at(11))
    checks = [kit.check(older), kit.check(newer)]
    assert [c.accepted for c in checks] == [True, False]
    out = merge_returns(agreement, 1, checks)
    assert problems(out, "newer-return-rejected", "superseded-return") == [("newer-return-rejected", "v1.xlsx", "")]
    assert out.problems[0].detail == "v2.xlsx"
    assert {f for *_, f in merged(out).values()} == {"v1.xlsx"}


def test_a_forwarded_copy_answering_differently_is_a_conflict_side_by_side_and_neither_is_merged(kit, agreement):
    plan = kit.plan()
    own = kit.filled("udvalg.xlsx", author="Anna")
    forwarded = kit.filled(
        "videresendt.xlsx", author="Bo", answers=answers_with(agreement, **{"1.02": {"progress": Smiley.GREEN, "status": "Alt er fint."}})
    )
    out = merge_returns(agreement, 1, [kit.check(own), kit.check(forwarded)])
    conflict = [p for p in out.problems if p.code == "conflicting-return"]
    progress = cell_of(plan, "1.02", "progress", 1)
    assert [(p.file, p.element, p.where) for p in conflict] == [
        ("udvalg.xlsx", "1.02", f"{SHEET}!{progress}"),
        ("videresendt.xlsx", "1.02", f"{SHEET}!{progress}"),
    ]
    assert conflict[0].found == "Smiley indsats Rød; Status 'Status for 1.02 i runde 1.'"
    assert conflict[0].detail == "videresendt.xlsx (Smiley indsats Grøn; Status 'Alt er fint.')"
    assert all(p.severity.value == "error" for p in conflict)
    assert "1.02" not in merged(out) and out.conflicts == {"1.02": ["udvalg.xlsx", "videresendt.xlsx"]}
    assert {"1.01", "1.03"} <= set(merged(out)), "the answers both agree on are merged"
    assert out.status == {"udvalg.xlsx": CONFLICT, "videresendt.xlsx": CONFLICT}
    assert not any(p.code == "missing-answer" and p.element == "1.02" for p in out.problems)

    resolved = merge_returns(agreement, 1, [kit.check(own), kit.check(forwarded)], prefer=["videresendt.xlsx"])
    assert not problems(resolved, "conflicting-return")
    assert merged(resolved)["1.02"][:2] == (Smiley.GREEN, "Alt er fint.")


def test_a_department_workbook_that_disagrees_with_the_committee_workbook_conflicts_on_that_element_only(kit, agreement):
    committee = kit.filled("udvalg.xlsx", author="Anna")
    center_1 = kit.filled(
        "center-1.xlsx",
        department="Center 1",
        author="Carl",
        answers=answers_with(agreement, department="Center 1", **{"1.03": {"economy": Smiley.RED, "economy_status": "Overskredet."}}),
    )
    out = merge_returns(agreement, 1, [kit.check(committee), kit.check(center_1)])
    assert problems(out, "conflicting-return") == [
        ("conflicting-return", "udvalg.xlsx", "1.03"),
        ("conflicting-return", "center-1.xlsx", "1.03"),
    ]
    assert set(merged(out)) == {"1.01", "1.02"}  # 1.01 agrees in both; 1.02 only in the committee's


def test_prefer_names_a_file_by_its_shown_name_or_path_and_an_unknown_name_is_reported(kit, agreement):
    own = kit.filled("udvalg.xlsx", author="Anna")
    forwarded = kit.filled("videresendt.xlsx", author="Bo", answers=answers_with(agreement, **{"1.01": {"progress": Smiley.RED}}))
    checks = [kit.check(own), kit.check(forwarded)]
    by_path = merge_returns(agreement, 1, checks, prefer=[str(forwarded)])
    assert merged(by_path)["1.01"][0] is Smiley.RED
    unknown = merge_returns(agreement, 1, checks, prefer=["findes-ikke.xlsx"])
    assert problems(unknown, "prefer-not-found") == [("prefer-not-found", "", "")]
    assert "findes-ikke.xlsx" in unknown.problems[0].message
    assert problems(unknown, "conflicting-return")


def test_committees_and_elements_without_an_accepted_answer_are_missing(kit, agreement):
    half = answers_with(agreement, **{"1.03": {"progress": None, "economy": None, "status": "", "economy_status": ""}})
    out = merge_returns(agreement, 1, [kit.check(kit.filled(answers=half))])
    assert problems(out, "missing-return", "missing-answer") == [
        ("missing-return", "", ""),
        ("missing-answer", "", "1.03"),
        ("missing-answer", "", "2.01"),
        ("missing-answer", "", "2.02"),
        ("missing-answer", "", "2.03"),
    ]
    missing = next(p for p in out.problems if p.code == "missing-return")
    assert (missing.committee, missing.detail) == ("Udvalg 02", "Udvalg 02")
    assert {p.committee for p in out.problems if p.code == "missing-answer"} == {"Udvalg 01", "Udvalg 02"}


def test_an_answer_already_in_the_master_for_this_round_is_not_missing(kit, agreement):
    earlier = replace(agreement, results=tuple(synthetic_answers(agreement, "Udvalg 02", 1)))
    out = merge_returns(earlier, 1, [kit.check(kit.filled())])
    assert problems(out, "missing-answer") == []


def test_a_committee_split_per_department_expects_each_department(kit, agreement):
    only_center_1 = kit.filled("center-1.xlsx", department="Center 1")
    out = merge_returns(agreement, 1, [kit.check(only_center_1)])
    assert [p.detail for p in out.problems if p.code == "missing-return"] == ["Udvalg 01 – Center 2", "Udvalg 02"]


def test_merge_reads_no_files(kit, agreement):
    checks = [kit.check(kit.filled())]
    for p in kit.returns.iterdir():
        p.unlink()
    assert len(merge_returns(agreement, 1, checks).results) == 3


def test_end_to_end_a_conflict_exits_1_prefer_resolves_it_and_every_version_is_archived(kit, agreement, master, tmp_path, capsys):
    kit.filled(committee="Udvalg 02")
    set_core(kit.filled("udvalg-01.xlsx", author="Anna"), modified=at(9))
    set_core(
        kit.filled("udvalg-01-rettet.xlsx", author="Anna", answers=answers_with(agreement, **{"1.01": {"status": "Rettet."}})),
        modified=at(10),
    )
    forwarded = answers_with(agreement, **{"1.01": {"status": "Rettet."}, "1.02": {"progress": Smiley.GREEN}})
    kit.filled("videresendt.xlsx", author="Bo", answers=forwarded)
    args = ["collect", str(master), "--round", "1", str(kit.returns)]
    assert main(args + ["--out", str(tmp_path / "ud1")]) == 1
    out = capsys.readouterr().out
    assert "konflikt" in out and "erstattet" in out
    assert main(args + ["--out", str(tmp_path / "ud2"), "--prefer", "videresendt.xlsx"]) == 0
    master2 = read_master(tmp_path / "ud2" / "master.xlsx")
    assert master2.result("1.02", 1).progress is Smiley.GREEN
    assert master2.result("1.01", 1).status == "Rettet."
    index = json.loads((tmp_path / "ud2" / "archive" / "round-1" / "index.json").read_text())
    assert {(e["file"], e["status"]) for e in index} == {
        ("returns/runde-1_Udvalg-02.xlsx", "accepted"),
        ("returns/udvalg-01.xlsx", "superseded"),
        ("returns/udvalg-01-rettet.xlsx", "accepted"),
        ("returns/videresendt.xlsx", "accepted"),
    }
    assert all((tmp_path / "ud2" / "archive" / "round-1" / e["copy"]).is_file() for e in index)
