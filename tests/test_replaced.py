"""A rejected return that the committee has since fixed and sent again is history, not a problem (issue 18, part 5).

The corrected return is accepted; the earlier rejected one is "erstattet af" it in the
screen summary, problems.json and the archive's index, its errors become one info
line, and collect ends with exit 0. The summary tells missing, rejected and accepted
with warnings apart.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from returns_kit import cell_of, edit, set_core

from workbook_tools.cli import main
from workbook_tools.merge import SUPERSEDED, merge_returns

SHEET = "Opfølgning"


def at(hour: int) -> datetime:
    return datetime(2031, 3, 10, hour, 0, tzinfo=UTC)


def a_rejected_return(kit, name: str, hour: int, committee: str = "Udvalg 01"):
    milestone = cell_of(kit.plan(committee), f"{committee[-1]}.01", "milestone", 1)

    def edit_milestone(wb):
        wb[SHEET].protection.sheet = False
        wb[SHEET][milestone] = "Ændret"

    return set_core(edit(kit.filled(name, committee=committee), edit_milestone), modified=at(hour))


def test_a_rejected_return_followed_by_an_accepted_one_is_replaced_and_collect_ends_with_exit_0(kit, master, tmp_path, capsys):
    a_rejected_return(kit, "første.xlsx", 9)
    set_core(kit.filled("rettet.xlsx"), modified=at(10))
    kit.filled(committee="Udvalg 02")
    out = tmp_path / "ud"

    code = main(["collect", "--no-pdf", str(master), "--round", "1", "--out", str(out), str(kit.returns)])
    screen = capsys.readouterr().out

    assert code == 0
    line = next(x for x in screen.splitlines() if x.startswith("returns/første.xlsx"))
    assert "erstattet af returns/rettet.xlsx" in line
    assert "afvist" not in line and "Afvist:" not in screen and "Mangler:" not in screen
    doc = json.loads((out / "problems.json").read_text(encoding="utf-8"))
    mine = [p for p in doc["problems"] if p["file"] == "returns/første.xlsx"]
    assert {p["severity"] for p in mine} == {"info"}, "its problems are history: info"
    assert {p["code"] for p in mine} >= {"locked-cell-changed", "rejected-return-replaced"}
    assert next(p for p in mine if p["code"] == "rejected-return-replaced")["detail"] == "returns/rettet.xlsx"
    assert {r["file"]: r["status"] for r in doc["returns"]}["returns/første.xlsx"] == SUPERSEDED
    index = json.loads((out / "archive" / "round-1" / "index.json").read_text(encoding="utf-8"))
    entry = next(e for e in index if e["file"] == "returns/første.xlsx")
    assert entry["replaced_by"] == "returns/rettet.xlsx" and entry["label"] == "erstattet af returns/rettet.xlsx"
    assert not (out / "feedback" / "første_tilbagemelding.xlsx").exists(), "nothing to send back for a replaced return"


def test_a_rejected_return_newer_than_the_accepted_one_still_counts(kit, agreement):
    set_core(kit.filled("rettet.xlsx"), modified=at(9))
    a_rejected_return(kit, "senere.xlsx", 10)
    out = merge_returns(agreement, 1, [kit.check(kit.returns / "rettet.xlsx"), kit.check(kit.returns / "senere.xlsx")])
    assert out.replaced == {} and out.status["senere.xlsx"] == "rejected"


def test_the_summary_tells_missing_rejected_and_accepted_with_warnings_apart(kit, master, tmp_path, capsys):
    a_rejected_return(kit, "afvist.xlsx", 9, committee="Udvalg 02")
    path = kit.filled("advarsel.xlsx")
    progress = cell_of(kit.plan(), "1.01", "progress", 1)
    edit(path, lambda wb: wb[SHEET].__setitem__(progress, "rød"))

    code = main(["collect", "--no-pdf", str(master), "--round", "1", "--out", str(tmp_path / "ud"), str(kit.returns)])
    screen = capsys.readouterr().out

    assert code == 1
    assert "Godkendt med advarsler: Udvalg 01 (returns/advarsel.xlsx)" in screen
    assert "Afvist: Udvalg 02 (modtaget, men ikke godkendt: returns/afvist.xlsx)" in screen
    assert "Mangler: Udvalg 02" not in screen


def test_a_committee_that_sent_nothing_is_missing(kit, master, tmp_path, capsys):
    kit.filled(committee="Udvalg 01")
    main(["collect", "--no-pdf", str(master), "--round", "1", "--out", str(tmp_path / "ud"), str(kit.returns)])
    assert "Mangler: Udvalg 02 (intet modtaget)" in capsys.readouterr().out
