"""A feedback copy staff can just fix and send (issue 18, part 3).

A return with a locked cell edited (protection removed, then put back) and a smiley
left empty gets a copy with the locked cell back as generated, the answers as typed,
the protection on, and a line saying what was put back. Filled in real LibreOffice in
its open cells only, the copy passes `followup check`; the original is untouched.
"""

from __future__ import annotations

import json
from dataclasses import replace

import openpyxl
from returns_kit import cell_of, edit
from synthetic import synthetic_answers

from workbook_tools.cli import main
from workbook_tools.feedback import restore_plan, write_feedback
from workbook_tools.integrity import FEEDBACK_SHEET
from workbook_tools.model import PROGRESS, STATUS
from workbook_tools.xlsxio import sha256_of

SHEET = "Opfølgning"


def test_the_copy_puts_the_locked_cell_back_keeps_the_answers_and_switches_protection_on(kit, agreement, tmp_path):
    plan = kit.plan()
    milestone = cell_of(plan, "1.02", "milestone", 1)
    status = cell_of(plan, "1.01", STATUS, 1)
    outside = "Z3"

    def tamper(wb):
        ws = wb[SHEET]
        ws.protection.sheet = False
        ws[milestone] = "Anlægsbevilling 7,0 mio. kr."
        ws[outside] = "egen note"
        ws[status] = "  Som skrevet,\nmed linjeskift  "

    path = edit(kit.filled("svar.xlsx"), tamper)
    before = sha256_of(path)
    ctx = kit.ctx()
    check = kit.check(path)
    assert {p.code for p in check.problems} >= {"locked-cell-changed", "protection-removed"}
    copy = write_feedback(check, check.problems, tmp_path / "svar_tilbagemelding.xlsx", restore_plan(ctx, check))

    assert sha256_of(path) == before
    ws = openpyxl.load_workbook(copy)[SHEET]
    assert ws[milestone].value == next(c.value for c in plan.cells if c.ref == milestone)
    assert ws[outside].value is None
    assert ws[status].value == "  Som skrevet,\nmed linjeskift  ", "answers stay exactly as typed"
    assert ws.protection.sheet
    assert "skabelonens tekst er sat tilbage" in ws[milestone].comment.text
    summary = [" ".join(str(v) for v in row if v) for row in openpyxl.load_workbook(copy)[FEEDBACK_SHEET].iter_rows(values_only=True)]
    assert f"{milestone} stod »Anlægsbevilling 7,0 mio. kr.«; skabelonens tekst er sat tilbage." in summary
    assert summary[2].startswith("Besvarelsen er ikke godkendt") and "røde celler" not in summary[2], "nothing red is left to mend"
    assert "sat tilbage i denne kopi" in summary[2]
    assert any("Arkbeskyttelsen var fjernet" in line for line in summary)
    again = kit.check(copy)
    assert [p.code for p in again.problems if p.severity.value != "info"] == []
    assert again.accepted


def test_a_copy_filled_in_libreoffice_in_its_open_cells_only_passes_check(office, kit, agreement, master, tmp_path, capsys):
    plan = kit.plan()
    milestone = cell_of(plan, "1.02", "milestone", 1)
    empty = cell_of(plan, "1.01", PROGRESS, 1)
    answers = {a.element: a for a in synthetic_answers(agreement, "Udvalg 01", 1)}
    answers["1.01"] = replace(answers["1.01"], progress=None)
    filled = kit.filled("ren.xlsx", answers=list(answers.values()))
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    sent = inbox / "svar.xlsx"
    # The sender removes the protection in Calc, edits a milestone and protects the sheet again.
    office.run(
        office.copy(filled, "ren.xlsx"),
        [
            {"do": "unprotect_and_edit", "cells": {milestone: "Anlægsbevilling 7,0 mio. kr."}, "protect_again": True},
            {"do": "save", "to": str(sent)},
        ],
    )
    original = sha256_of(sent)
    back = tmp_path / "tilbage"
    assert main(["check", str(master), "--round", "1", "--feedback", str(back), "--json", str(sent)]) == 1
    found = {(p["code"], p["cell"]) for r in json.loads(capsys.readouterr().out)["returns"] for p in r["problems"]}
    assert ("locked-cell-changed", milestone) in found and ("smiley-missing", empty) in found
    (copy,) = back.glob("*_tilbagemelding.xlsx")
    assert sha256_of(sent) == original, "the sender's file is untouched"

    fixed = tmp_path / "rettet.xlsx"
    steps = office.run(
        office.copy(copy, "kopi.xlsx"),
        [
            {"do": "inspect"},
            {"do": "type", "cells": {milestone: "forsøg"}},
            {"do": "type", "cells": {empty: "Grøn"}},
            {"do": "save", "to": str(fixed)},
        ],
    )
    sheets = {s["name"]: s for s in steps[0]["sheets"]}
    assert sheets[SHEET]["protected"], "the copy comes protected"
    assert steps[1]["cells"][milestone]["result"] == "locked", "a locked cell refuses the entry"
    assert steps[2]["cells"][empty]["result"] == "written"

    code = main(["check", str(master), "--round", "1", "--json", str(fixed)])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0, [p["message"] for r in doc["returns"] for p in r["problems"]]
