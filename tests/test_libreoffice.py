"""The template in the hands of a person using a real spreadsheet program: LibreOffice Calc.

One headless soffice serves the whole module; `lo_user.py`, run by the system Python
(the only one that can import uno), opens a copy of a generated template in it, types
like a person, prints and saves. What LibreOffice saved then goes through
`followup collect`, exactly as a return by e-mail would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLE
from python_calamine import CalamineWorkbook
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools.cli import main
from workbook_tools.master import read_master, write_master
from workbook_tools.model import ECONOMY_STATES, PROGRESS_STATES, SMILEY_LOOKS, Smiley
from workbook_tools.results import read_problems
from workbook_tools.sheetplan import ECONOMY, ECONOMY_STATUS, PROGRESS, STATUS, Mode, Role, plan_sheet
from workbook_tools.template import META_SHEET, template_file_name, write_template
from workbook_tools.texts import guide_key, load_texts

SHEET = "Opfølgning"
ROUND = 2
COMMITTEE = "Udvalg 01"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A master with round 1 answered, and its round-2 template for one committee."""
    folder = tmp_path_factory.mktemp("world")
    agreement = synthetic_agreement()
    agreement = agreement.with_results([r for c in agreement.committees for r in synthetic_answers(agreement, c.name, 1)])
    master = write_master(agreement, folder / "master.xlsx")
    texts = load_texts()
    template = folder / template_file_name(agreement, COMMITTEE, ROUND)
    write_template(agreement, agreement.committee(COMMITTEE), ROUND, template, texts)
    plan = plan_sheet(agreement, agreement.committee(COMMITTEE), ROUND, texts, Mode.TEMPLATE)
    inputs = {(c.element, c.field): c.ref for c in plan.inputs()}
    answers = synthetic_answers(agreement, COMMITTEE, ROUND)
    return {
        "folder": folder,
        "agreement": agreement,
        "master": master,
        "texts": texts,
        "template": template,
        "plan": plan,
        "inputs": inputs,
        "answers": answers,
        "self_check": next(c.ref for c in plan.cells if c.style == "selfcheck"),
        "glyph": {c.row: c.ref for c in plan.cells if c.style == "glyph" and c.role is Role.FORMULA},
    }


def typed_answers(world, elements=None) -> dict[str, str]:
    """The answers as a person types them: words in the smiley cells, sentences in the status cells."""
    cells = {}
    for a in world["answers"]:
        if elements is not None and a.element not in elements:
            continue
        cells[world["inputs"][(a.element, PROGRESS)]] = a.progress.label
        cells[world["inputs"][(a.element, STATUS)]] = a.status
        cells[world["inputs"][(a.element, ECONOMY)]] = a.economy.label
        cells[world["inputs"][(a.element, ECONOMY_STATUS)]] = a.economy_status
    return cells


def locked_cells(world) -> dict[str, str]:
    """Cells a person might try to change: the title, a milestone, last round's status, a hidden mark."""
    plan = world["plan"]
    milestone = next(c for c in plan.cells if c.field == "milestone" and c.round == ROUND and c.value)
    earlier = next(c for c in plan.cells if c.field == STATUS and c.round == ROUND - 1 and c.value)
    mark = next(c for c in plan.cells if c.style == "mark")
    title = next(c for c in plan.cells if c.style == "title")
    return {c.ref: c.value for c in (title, milestone, earlier, mark)}


@pytest.fixture(scope="module")
def filled(office, world):
    """A person opens the template in LibreOffice, tries a few things, fills it in and saves it as .xlsx."""
    copy = office.copy(world["template"], "template.xlsx")
    saved = office.workdir / "filled.xlsx"
    first = world["answers"][0].element
    first_progress = world["inputs"][(first, PROGRESS)]
    steps = office.run(
        copy,
        [
            {"do": "inspect"},
            {"do": "read", "cells": [world["self_check"]]},
            {"do": "pdf", "to": str(office.workdir / "empty.pdf")},
            {"do": "type", "cells": {first_progress: "Blå"}},
            {"do": "type", "cells": {ref: "ændret" for ref in locked_cells(world)}},
            {"do": "type", "cells": typed_answers(world, {first})},
            {"do": "read", "cells": [world["self_check"]]},
            {"do": "type", "cells": typed_answers(world)},
            {"do": "read", "cells": [world["self_check"], *world["glyph"].values()]},
            {"do": "pdf", "to": str(office.workdir / "filled.pdf")},
            {"do": "save", "to": str(saved)},
            {"do": "reopen", "file": str(saved)},
            {"do": "inspect"},
        ],
    )
    names = (
        "opened",
        "self_check_on_open",
        "empty_pdf",
        "not_in_list",
        "locked",
        "first_element",
        "self_check_after_one",
        "all",
        "after_all",
        "filled_pdf",
        "save",
        "reopen",
        "reopened",
    )
    return {"file": saved, **dict(zip(names, steps, strict=True))}


def sheets_of(inspection) -> dict[str, dict]:
    return {s["name"]: s for s in inspection["sheets"]}


def test_libreoffice_opens_the_template_with_every_sheet_protected_and_the_metadata_out_of_sight(filled):
    sheets = sheets_of(filled["opened"])
    assert [name for name, s in sheets.items() if s["visible"]] == [SHEET]
    assert all(s["protected"] for s in sheets.values()), sheets
    assert META_SHEET in sheets and not sheets[META_SHEET]["visible"]


def test_only_this_rounds_status_and_smiley_cells_are_unlocked(filled, world):
    unlocked = set(sheets_of(filled["opened"])[SHEET]["unlocked"])
    assert unlocked == set(world["inputs"].values())
    elements = {a.element for a in world["answers"]}
    assert {e for e, _ in world["inputs"]} == elements
    assert len(unlocked) == 4 * len(elements)


def test_a_person_can_type_in_every_unlocked_cell_but_not_in_a_locked_one(filled, world):
    written = {**filled["first_element"]["cells"], **filled["all"]["cells"]}
    assert {ref: r["result"] for ref, r in written.items()} == {ref: "written" for ref in typed_answers(world)}
    assert {ref: r["now"] for ref, r in written.items()} == typed_answers(world)
    locked = filled["locked"]["cells"]
    assert {ref: r["result"] for ref, r in locked.items()} == {ref: "locked" for ref in locked_cells(world)}
    assert {ref: r["now"] for ref, r in locked.items()} == locked_cells(world), "a refused entry leaves the cell as it was"


def test_a_word_not_in_the_smiley_list_is_refused(filled):
    (result,) = filled["not_in_list"]["cells"].values()
    assert result == {"result": "not-in-list", "now": ""}


def test_the_dropdowns_offer_exactly_the_smiley_words_after_libreoffice_saved_the_file(filled, world):
    rules = sheets_of(filled["reopened"])[SHEET]["rules"]
    texts = world["texts"]
    for (_element, field), ref in world["inputs"].items():
        rule = rules[ref]
        if field in (STATUS, ECONOMY_STATUS):
            assert rule is None, (ref, rule)
            continue
        states = PROGRESS_STATES if field == PROGRESS else ECONOMY_STATES
        kind = "progress" if field == PROGRESS else "economy"
        assert rule["type"] == "LIST" and rule["items"] == [s.label for s in states], (ref, rule)
        assert rule["alert"] == "STOP" and rule["show_error"] and rule["show_input"]
        for s in states:
            assert f"{s.label}: {texts(guide_key(kind, s))}" in rule["input_message"]
    assert set(sheets_of(filled["reopened"])[SHEET]["unlocked"]) == set(world["inputs"].values())


def test_the_saved_file_keeps_protection_and_list_rules_as_excel_reads_them(filled, world):
    wb = openpyxl.load_workbook(filled["file"])
    ws = wb[SHEET]
    assert ws.protection.sheet
    lists = {}
    for dv in ws.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            lists[ref] = (dv.type, dv.formula1, dv.errorStyle or "stop")
    for (_element, field), ref in world["inputs"].items():
        if field == PROGRESS:
            assert lists[ref] == ("list", '"Grøn,Gul,Rød"', "stop")
        elif field == ECONOMY:
            assert lists[ref] == ("list", '"Grøn,Rød"', "stop")
    assert wb[META_SHEET].sheet_state in ("hidden", "veryHidden")


def test_the_self_check_shows_its_starting_value_on_open_and_recounts_as_smileys_are_chosen(filled, world):
    ref = world["self_check"]
    assert filled["self_check_on_open"]["cells"][ref] == "3 af 3 indsatser mangler smiley"
    assert filled["self_check_after_one"]["cells"][ref] == "2 af 3 indsatser mangler smiley"
    assert filled["after_all"]["cells"][ref] == "0 af 3 indsatser mangler smiley"


def test_a_chosen_smiley_shows_its_face_beside_the_word(filled, world):
    shown = filled["after_all"]["cells"]
    for a in world["answers"]:
        for field, state in ((PROGRESS, a.progress), (ECONOMY, a.economy)):
            row = int(re.sub(r"\D", "", world["inputs"][(a.element, field)])) - 1
            assert shown[world["glyph"][row]] == SMILEY_LOOKS[state].glyph


def test_a_chosen_smiley_prints_in_its_colour(filled, world, tmp_path):
    """Conditional formatting, judged on LibreOffice's print: each chosen state adds its colour."""
    before = colour_pixels(filled["empty_pdf"]["saved"], tmp_path / "before")
    after = colour_pixels(filled["filled_pdf"]["saved"], tmp_path / "after")
    chosen = {s: 0 for s in Smiley}
    for a in world["answers"]:
        chosen[a.progress] += 1
        chosen[a.economy] += 1
    for state, n in chosen.items():
        if n:
            assert after[state] > before[state] + 150 * n, (state, before[state], after[state])


def colour_pixels(pdf: str, prefix: Path) -> dict[Smiley, int]:
    subprocess.run(["pdftoppm", "-r", "40", pdf, str(prefix)], check=True, timeout=60)
    counts = {s: 0 for s in Smiley}
    for page in sorted(prefix.parent.glob(prefix.name + "*.ppm")):
        data = page.read_bytes()
        pixels = data[_ppm_header_length(data) :]
        for s in Smiley:
            counts[s] += pixels.count(bytes.fromhex(SMILEY_LOOKS[s].colour.lstrip("#")))
    return counts


def _ppm_header_length(data: bytes) -> int:
    # "P6\n<w> <h>\n255\n": three whitespace-separated fields after the magic number
    fields, i = 0, 2
    while fields < 3:
        while data[i : i + 1].isspace():
            i += 1
        while not data[i : i + 1].isspace():
            i += 1
        fields += 1
    return i + 1


def test_a_return_filled_in_libreoffice_is_accepted_and_its_answers_reach_the_overview(filled, world, tmp_path, capsys):
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    shutil.copyfile(filled["file"], inbox / template_file_name(world["agreement"], COMMITTEE, ROUND))
    out = tmp_path / "resultat"
    code = main(["collect", "--no-pdf", str(world["master"]), "--round", str(ROUND), "--out", str(out), str(inbox)])
    report = capsys.readouterr().out
    assert code == 0, report
    # What LibreOffice writes of its own (its print-titles name, a 0 as each dropdown's second bound) is no warning.
    returned = template_file_name(world["agreement"], COMMITTEE, ROUND)
    assert [row["code"] for row in read_problems(out / "problems.json").problems if row["file"].endswith(returned)] == [], report
    merged = read_master(out / "master.xlsx")
    for a in world["answers"]:
        got = merged.result(a.element, ROUND)
        assert (got.progress, got.status, got.economy, got.economy_status) == (a.progress, a.status, a.economy, a.economy_status)
    overview = "\n".join(str(v) for row in _first_sheet(out / "overview.xlsx") for v in row)
    for a in world["answers"]:
        assert a.status in overview


def _first_sheet(path: Path) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(wb.sheet_names[0]).to_python()


@pytest.mark.parametrize("protect_again", [True, False], ids=["protected-again", "left-unprotected"])
def test_a_milestone_edited_with_the_protection_removed_in_libreoffice_is_rejected_naming_the_cell(
    office, world, tmp_path, capsys, protect_again
):
    milestone = next(c for c in world["plan"].cells if c.field == "milestone" and c.round == ROUND and c.value)
    copy = office.copy(world["template"], "template.xlsx")
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    saved = inbox / template_file_name(world["agreement"], COMMITTEE, ROUND)
    office.run(
        copy,
        [
            {"do": "type", "cells": typed_answers(world)},
            {"do": "unprotect_and_edit", "cells": {milestone.ref: "Milepælen er nået før tid"}, "protect_again": protect_again},
            {"do": "save", "to": str(saved)},
        ],
    )
    code = main(
        ["collect", "--no-pdf", str(world["master"]), "--round", str(ROUND), "--out", str(tmp_path / "resultat"), "--json", str(inbox)]
    )
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert code == 1
    changed = [p for p in problems if p["code"] == "locked-cell-changed"]
    assert [(p["sheet"], p["cell"], p["element"], p["found"]) for p in changed] == [
        (SHEET, milestone.ref, milestone.element, "Milepælen er nået før tid")
    ]
    assert any(p["code"] == "protection-removed" for p in problems) is not protect_again
    assert read_master(tmp_path / "resultat" / "master.xlsx").result(milestone.element, ROUND) is None


ELEMENT_HEADING = re.compile(r"^\s*(\d+(?:\.\d+)+)\.\s", re.MULTILINE)


@pytest.mark.parametrize("case", ["example-2018", "synthetic"])
def test_the_printed_template_keeps_each_element_on_one_page(office, tmp_path, case):
    """LibreOffice's own print: every element starts and ends on the same page, none continues overleaf."""
    if case == "example-2018":
        agreement = read_master(EXAMPLE / "master.xlsx")
    else:
        agreement = synthetic_agreement(committees=1, elements=12)
    committee = agreement.committees[0]
    template = tmp_path / "template.xlsx"
    write_template(agreement, committee, ROUND, template, load_texts())
    pdf = office.workdir / f"{case}.pdf"
    office.run(office.copy(template, "print.xlsx"), [{"do": "pdf", "to": str(pdf)}])
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    economy_label = load_texts()("economy_status_label")
    seen = []
    for number, page in enumerate(pages, start=1):
        headings = list(ELEMENT_HEADING.finditer(page))
        lead = page[: headings[0].start()] if headings else page
        assert economy_label not in lead, f"page {number} continues an element from the page before"
        for k, h in enumerate(headings):
            block = page[h.start() : headings[k + 1].start() if k + 1 < len(headings) else len(page)]
            assert block.count(economy_label) == ROUND, f"element {h.group(1)} is split after page {number}"
            seen.append(h.group(1))
    assert seen == [e.number for e in agreement.elements_of(committee.name)]
    assert len(pages) > 1
