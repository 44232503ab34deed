"""Every problem about an answer names which of the four it is, in every place finance and the sender read it.

One return with one slip per answer kind (issue 18, part 2): a progress smiley not
chosen, a red progress smiley without its status, an economy smiley pasted as "Blå",
a red economy smiley without its economy status. The message, validation.xlsx's
"Felt" column and problems.json must each say which answer it is.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from python_calamine import CalamineWorkbook
from returns_kit import cell_of, edit
from synthetic import synthetic_answers

from workbook_tools.cli import main
from workbook_tools.model import ECONOMY, ECONOMY_STATUS, FIELD_WORDS, PROGRESS, STATUS, Smiley, field_words
from workbook_tools.problems import Problem

SHEET = "Opfølgning"


def test_one_place_has_the_words_of_each_field_in_danish_and_english():
    # The glossary's words: "smiley på indsats" / "smiley på økonomi", "statustekst".
    assert FIELD_WORDS[PROGRESS] == ("smiley på indsats", "progress smiley")
    assert FIELD_WORDS[STATUS] == ("statustekst", "status text")
    assert FIELD_WORDS[ECONOMY] == ("smiley på økonomi", "finances smiley")
    assert FIELD_WORDS[ECONOMY_STATUS] == ("statustekst for økonomi", "finances status text")
    assert field_words(ECONOMY, "en") == "finances smiley" and field_words("") == ""
    assert Problem("smiley-missing", "a.xlsx", element="6.04", sheet=SHEET, cell="E79", field=ECONOMY).message == (
        "a.xlsx: indsats 6.04 mangler smiley på økonomi i Opfølgning!E79."
    )


@pytest.fixture
def collected(kit, agreement, master, tmp_path):
    plan = kit.plan()
    answers = {a.element: a for a in synthetic_answers(agreement, "Udvalg 01", 1)}
    answers["1.01"] = replace(answers["1.01"], progress=None)
    answers["1.02"] = replace(answers["1.02"], progress=Smiley.RED, status="")
    answers["1.03"] = replace(answers["1.03"], economy=Smiley.RED, economy_status="")
    path = kit.filled("svar.xlsx", answers=list(answers.values()))
    blue = cell_of(plan, "1.02", ECONOMY, 1)
    edit(path, lambda wb: wb[SHEET].__setitem__(blue, "Blå"))
    out = tmp_path / "ud"
    assert main(["collect", "--no-pdf", str(master), "--round", "1", "--out", str(out), str(kit.returns)]) == 1
    cells = {
        PROGRESS: ("smiley-missing", "1.01", cell_of(plan, "1.01", PROGRESS, 1)),
        STATUS: ("status-text-required", "1.02", cell_of(plan, "1.02", STATUS, 1)),
        ECONOMY: ("invalid-smiley", "1.02", blue),
        ECONOMY_STATUS: ("status-text-required", "1.03", cell_of(plan, "1.03", ECONOMY_STATUS, 1)),
    }
    return out, cells


@pytest.mark.parametrize("field", [PROGRESS, STATUS, ECONOMY, ECONOMY_STATUS])
def test_the_message_the_validation_list_and_problems_json_name_the_field(collected, field):
    out, cells = collected
    code, element, cell = cells[field]
    words = FIELD_WORDS[field][0]

    doc = json.loads((out / "problems.json").read_text(encoding="utf-8"))
    (row,) = [p for p in doc["problems"] if p["code"] == code and p["element"] == element and p["cell"] == cell]
    assert row["field"] == field and row["field_words"] == words
    assert f"{words} i {SHEET}!{cell}" in row["message"] or f"men {words} i {SHEET}!{cell} er tom" in row["message"]
    for other in set(FIELD_WORDS) - {field}:
        assert FIELD_WORDS[other][0] + " i" not in row["message"].replace(words + " i", "")

    rows = CalamineWorkbook.from_path(str(out / "validation.xlsx")).get_sheet_by_name("Problemer").to_python()
    head = rows[0]
    felt, kode, celle, besked = (head.index(h) for h in ("Felt", "Kode", "Celle", "Besked"))
    (line,) = [r for r in rows[1:] if r[kode] == code and r[celle] == cell]
    assert line[felt] == words
    assert line[besked] == row["message"]


def test_the_economy_smiley_is_never_called_just_a_smiley(collected):
    out, cells = collected
    doc = json.loads((out / "problems.json").read_text(encoding="utf-8"))
    red = next(p for p in doc["problems"] if p["field"] == ECONOMY_STATUS)
    assert red["message"].endswith(
        f"indsats 1.03 har smiley på økonomi Rød, men statustekst for økonomi i {SHEET}!{cells[ECONOMY_STATUS][2]} er tom."
    )


@pytest.mark.parametrize("field", [PROGRESS, STATUS, ECONOMY, ECONOMY_STATUS])
def test_the_reminder_names_the_field_of_each_problem(collected, master, field):
    import email
    from email import policy

    out, cells = collected
    code, element, cell = cells[field]
    assert main(["mail", "reminders", str(master), "--round", "1", "--from", str(out)]) == 0
    (message,) = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in (out / "outbox").glob("*Udvalg-01*.eml")]
    body = message.get_body(("plain",)).get_content()
    lines = [line for line in body.splitlines() if cell in line]
    assert lines, body
    assert any(FIELD_WORDS[field][0] in line for line in lines), lines
