"""The locked template: what finance generates and staff fill.

Golden files (tests/golden/) hold the parts of the .xlsx that make a template
locked, normalised and reviewed; rebuild them after an intended change with

    UPDATE_GOLDEN=1 python -m pytest tests/test_template.py -k golden

and read the diff before committing it.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from fill_kit import fill_template
from openpyxl.workbook.protection import hash_password
from python_calamine import CalamineWorkbook
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools.cli import main
from workbook_tools.master import read_master, write_master
from workbook_tools.sheetplan import (
    ECONOMY,
    LINE_POINTS,
    MAX_FORMULA_CHARS,
    PROGRESS,
    Mode,
    Role,
    page_points,
    plan_sheet,
)
from workbook_tools.template import (
    META_KEYS,
    META_SHEET,
    PROPERTY_PREFIX,
    generate_templates,
    read_manifest,
    template_file_name,
    write_template,
)
from workbook_tools.texts import DEFAULT_LAYOUT, LOOK_SHEET, TEXTS_SHEET, load_texts

GOLDEN = Path(__file__).with_name("golden")
SHEET = "Opfølgning"
FIXED_ID = "0" * 32
FIXED_TIME = "2031-05-01T08:00:00+00:00"


@pytest.fixture
def answered(agreement):
    """The synthetic agreement after round 1 was collected: round 2 shows round 1 read-only."""
    return agreement.with_results([r for c in agreement.committees for r in synthetic_answers(agreement, c.name, 1)])


def template_for(agreement, path, texts, round_number=2, **kw):
    write_template(agreement, agreement.committee("Udvalg 01"), round_number, path, texts, **kw)
    return path


def plan_for(agreement, texts, round_number=2, department=""):
    return plan_sheet(agreement, agreement.committee("Udvalg 01"), round_number, texts, Mode.TEMPLATE, department)


def sheet_values(path, sheet=SHEET):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def all_text(path, sheet=SHEET) -> str:
    return "\n".join(str(v) for row in sheet_values(path, sheet) for v in row if v not in ("", None))


# -- what staff see -------------------------------------------------------------------------


def test_earlier_rounds_are_shown_from_the_master_and_later_milestones_greyed(answered, texts, tmp_path):
    path = template_for(answered, tmp_path / "t.xlsx", texts)
    plan = plan_for(answered, texts)
    ws = openpyxl.load_workbook(path)[SHEET]
    for a in synthetic_answers(answered, "Udvalg 01", 1):
        status = next(c for c in plan.cells if c.element == a.element and c.field == "status" and c.round == 1)
        smiley = next(c for c in plan.cells if c.element == a.element and c.field == PROGRESS and c.round == 1)
        assert ws[status.ref].value == a.status and ws[status.ref].protection.locked
        assert ws[smiley.ref].value == a.progress.label and ws[smiley.ref].protection.locked
    future = [c for c in plan.cells if c.field == "milestone" and c.round > 2 and c.value]
    assert future
    for c in future:
        assert ws[c.ref].value == c.value
        assert ws[c.ref].font.color.rgb.endswith(texts.colour("future_font").lstrip("#").upper())
    assert not any(c.round > 2 and c.role is Role.INPUT for c in plan.cells)


def test_each_element_is_laid_out_as_the_seed_does(answered, texts, tmp_path):
    path = template_for(answered, tmp_path / "t.xlsx", texts)
    rows = sheet_values(path)
    plan = plan_for(answered, texts)
    e = answered.elements_of("Udvalg 01")[0]
    start = plan.element_rows[e.number]
    assert rows[start][:5] == [f"{e.number}.", e.title, "Drift", "Runde", "Smiley"]
    block = "\n".join(str(v) for row in rows[start : start + 20] for v in row if v)
    for text in (
        e.agreement_text,
        "Ansvarligt center:",
        e.department,
        "Ansvarligt udvalg:",
        e.committee,
        "Væsentlig bidragsyder:",
        e.supplementary_text,
        "Milepæl",
        e.milestone(1),
        "Status:",
        "Økonomi",
        e.economy_text,
        "Status økonomi:",
        "1. budgetopfølgning 2031",
        "2. budgetopfølgning 2031",
        "3. budgetopfølgning 2031",
        "31.12.2031",
    ):
        assert text in block, text
    header = "\n".join(str(v) for row in rows[:start] for v in row if v)
    for text in (
        "Anden opfølgning på Aftale om budget 2031 for Udvalg 01",
        "Læsevejledning",
        "Milepæl er nået",
        "Budgettet er overholdt eller besparelsen er opnået",
        "ØKONOMI (SYNTETISK)",
        "4. juli 2031",
        "00.00.00-S00-0-00",
    ):
        assert text in header, text


def test_only_this_rounds_status_and_smiley_cells_are_unlocked_and_every_sheet_is_protected(answered, texts, tmp_path):
    path = template_for(answered, tmp_path / "t.xlsx", texts)
    wb = openpyxl.load_workbook(path)
    assert all(ws.protection.sheet for ws in wb.worksheets)
    ws = wb[SHEET]
    unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
    plan = plan_for(answered, texts)
    assert unlocked == {c.ref for c in plan.inputs()}
    assert {(c.field, c.round) for c in plan.inputs()} == {("progress", 2), ("status", 2), ("economy", 2), ("economy_status", 2)}
    assert ws.protection.selectUnlockedCells is False and ws.protection.formatRows is False, "staff may select and resize rows"
    assert ws.column_dimensions["G"].hidden
    assert wb[META_SHEET].sheet_state == "veryHidden"


def test_the_template_carries_its_identity_in_properties_and_the_hidden_sheet(answered, texts, tmp_path):
    path = template_for(answered, tmp_path / "t.xlsx", texts, template_id=FIXED_ID, generated_at=FIXED_TIME)
    plan = plan_for(answered, texts)
    meta = {row[0]: row[1] for row in sheet_values(path, META_SHEET)}
    with zipfile.ZipFile(path) as z:
        custom = ET.fromstring(z.read("docProps/custom.xml"))
    props = {p.get("name"): "".join(p.itertext()) for p in custom}
    expected = {
        "tool": "workbook_tools",
        "year": "2031",
        "committee": "Udvalg 01",
        "department": "",
        "round": "2",
        "template_version": "1",
        "template_id": FIXED_ID,
        "generated_at": FIXED_TIME,
        "digest": plan.locked_digest(),
    }
    assert {k: meta[k] for k in META_KEYS} == expected
    assert {k: props[PROPERTY_PREFIX + k] for k in META_KEYS} == {k: v or "-" for k, v in expected.items()}
    assert meta["elements"] == "1.01,1.02,1.03"


def test_generate_writes_a_manifest_of_every_template(answered, texts, tmp_path):
    made = generate_templates(answered, 2, tmp_path, texts)
    manifest = read_manifest(tmp_path / "manifest.json")
    assert sorted(e["template_id"] for e in manifest) == sorted(m.template_id for m in made)
    for e in manifest:
        assert (tmp_path / e["file"]).is_file() and e["round"] == 2 and len(e["digest"]) == 64


def test_the_self_check_formula_counts_elements_missing_either_smiley_and_starts_at_all(answered, texts, tmp_path):
    plan = plan_for(answered, texts)
    cell = next(c for c in plan.cells if c.style == "selfcheck")
    assert cell.value == "3 af 3 indsatser mangler smiley"
    smileys = [c.ref for c in plan.inputs() if c.states]
    assert all(f'{ref}=""' in cell.formula for ref in smileys)
    assert cell.formula.count("OR(") == 3
    path = template_for(answered, tmp_path / "t.xlsx", texts)
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert f"<v>{cell.value}</v>" in sheet, "the cached result is written for programs that do not recalculate on load"


def test_a_committee_too_large_for_one_formula_still_gets_a_self_check(texts):
    big = synthetic_agreement(committees=1, elements=400)
    plan = plan_sheet(big, big.committees[0], 1, texts, Mode.TEMPLATE)
    cell = next(c for c in plan.cells if c.style == "selfcheck")
    assert len(cell.formula) < 8192 and "SUMPRODUCT" in cell.formula
    assert len("".join(f'OR({c.ref}="")' for c in plan.inputs() if c.states)) > MAX_FORMULA_CHARS


def test_the_dropdowns_hold_the_words_and_repeat_the_reading_guide(answered, texts, tmp_path):
    path = template_for(answered, tmp_path / "t.xlsx", texts)
    ws = openpyxl.load_workbook(path)[SHEET]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    for c in plan_for(answered, texts).inputs():
        if not c.states:
            assert c.ref not in rules
            continue
        dv = rules[c.ref]
        assert dv.type == "list" and dv.errorStyle in (None, "stop") and dv.showErrorMessage and dv.showInputMessage
        if c.field == PROGRESS:
            assert dv.formula1 == '"Grøn,Gul,Rød"'
            assert "Gul: Milepæl er ikke fuldt nået" in dv.prompt
        else:
            assert c.field == ECONOMY and dv.formula1 == '"Grøn,Rød"'
            assert dv.prompt.startswith("Grøn: Budgettet er overholdt")


def test_the_template_prints_on_a4_fitted_to_width_with_title_rows_page_numbers_and_element_breaks(texts, tmp_path):
    agreement = synthetic_agreement(committees=1, elements=12)
    path = template_for(agreement, tmp_path / "t.xlsx", texts)
    ws = openpyxl.load_workbook(path)[SHEET]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0  # 1 wide (the default), any number tall
    assert ws.print_title_rows.replace("$", "") == "1:1"
    assert "&P" in ws.oddFooter.center.text
    assert not ws.sheet_view.showGridLines
    plan = plan_for(agreement, texts)
    assert plan.page_breaks and [b.id for b in ws.row_breaks.brk] == plan.page_breaks
    assert set(plan.page_breaks[1:]) <= set(plan.element_rows.values())


def test_page_breaks_fall_before_an_element_and_no_element_that_fits_a_page_crosses_one(texts):
    agreement = synthetic_agreement(committees=1, elements=14)
    long = [replace(e, agreement_text="Syntetisk aftaletekst. " * (20 + 15 * (i % 4))) for i, e in enumerate(agreement.elements)]
    agreement = replace(agreement, elements=tuple(long))
    plan = plan_sheet(agreement, agreement.committees[0], 3, texts, Mode.TEMPLATE)
    heights = [plan.row_heights.get(r, LINE_POINTS) for r in range(plan.last_row + 1)]
    capacity = page_points(texts)
    starts = sorted(plan.element_rows.values())
    assert plan.page_breaks and set(plan.page_breaks) <= set(starts) | {starts[0] - 2}
    pages = [0, *plan.page_breaks, plan.last_row + 1]
    for first, end in zip(pages, pages[1:]):
        title = heights[0] if first else 0
        assert title + sum(heights[first:end]) <= capacity, f"page starting at row {first + 1} overflows"


# -- finance's layout file -------------------------------------------------------------------


def edited_layout(tmp_path, edits: dict[str, str]) -> Path:
    copy = tmp_path / "layout.xlsx"
    shutil.copyfile(DEFAULT_LAYOUT, copy)
    wb = openpyxl.load_workbook(copy)
    ws = wb[TEXTS_SHEET]
    rows = {row[0].value: row[1] for row in ws.iter_rows(min_row=2)}
    for key, text in edits.items():
        rows[key].value = text
    wb.save(copy)
    return copy


def test_a_heading_edited_in_the_layout_file_shows_in_every_generated_workbook_and_collects(master, agreement, texts, tmp_path, capsys):
    layout = edited_layout(
        tmp_path, {"guide_heading": "Sådan læses skemaet (syntetisk)", "guide_progress_green": "Syntetisk: milepælen er nået"}
    )
    out = tmp_path / "skabeloner"
    assert main(["generate", str(master), "--round", "1", "--out", str(out), "--layout", str(layout)]) == 0
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == 2
    for f in files:
        text = all_text(f)
        assert "Sådan læses skemaet (syntetisk)" in text and "Læsevejledning" not in text
        assert "Syntetisk: milepælen er nået" in text
        rules = openpyxl.load_workbook(f)[SHEET].data_validations.dataValidation
        assert any("Grøn: Syntetisk: milepælen er nået" in dv.prompt for dv in rules)
    custom = load_texts(layout)
    returns = tmp_path / "indbakke"
    for c in agreement.committees:
        name = template_file_name(agreement, c.name, 1)
        fill_template(out / name, returns / name, agreement, c.name, 1, synthetic_answers(agreement, c.name, 1), custom)
    capsys.readouterr()
    code = main(
        ["collect", "--no-pdf", str(master), "--round", "1", "--out", str(tmp_path / "resultat"), "--layout", str(layout), str(returns)]
    )
    assert code == 0, capsys.readouterr().out


def test_a_layout_file_that_is_not_a_workbook_is_refused_in_one_line(master, tmp_path, capsys):
    bad = tmp_path / "layout.xlsx"
    bad.write_text("Nøgle;Dansk\n")
    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path / "ud"), "--layout", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fejl: Layoutfilen") and "Traceback" not in err
    assert "filen er en tekstfil (måske CSV)" in err and "gem den som Excel-projektmappe (.xlsx)" in err
    assert not (tmp_path / "ud").exists()


def edited_look(tmp_path, edits: dict[str, str]) -> Path:
    copy = tmp_path / "layout.xlsx"
    shutil.copyfile(DEFAULT_LAYOUT, copy)
    wb = openpyxl.load_workbook(copy)
    rows = {row[0].value: row[1] for row in wb[LOOK_SHEET].iter_rows(min_row=2)}
    for key, value in edits.items():
        rows[key].value = value
    wb.save(copy)
    return copy


def test_a_look_that_cannot_be_used_is_refused_naming_each_key_rather_than_silently_left_out(master, tmp_path, capsys):
    layout = edited_look(tmp_path, {"width_B": "bred", "heading_fill": "lyseblå", "font_size": "0"})
    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path / "ud"), "--layout", str(layout)]) == 2
    err = capsys.readouterr().err
    assert "'width_B' skal være et tal fra 1 til 255, ikke 'bred'" in err
    assert "'heading_fill' skal være en farve skrevet som #DDEBF7" in err and "'lyseblå'" in err
    assert "'font_size' skal være et tal fra 6 til 36, ikke '0'" in err
    assert f"Ret arket '{LOOK_SHEET}'" in err and "Traceback" not in err
    assert not (tmp_path / "ud").exists()


def test_a_width_written_with_a_decimal_comma_is_used(master, agreement, tmp_path):
    layout = edited_look(tmp_path, {"width_B": "70,5"})
    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path / "ud"), "--layout", str(layout)]) == 0
    ws = openpyxl.load_workbook(tmp_path / "ud" / template_file_name(agreement, "Udvalg 01", 1)).worksheets[0]
    assert ws.column_dimensions["B"].width == pytest.approx(70.5, abs=0.75)


def test_a_layout_text_without_its_placeholder_is_refused_naming_the_key(master, tmp_path, capsys):
    layout = edited_layout(tmp_path, {"self_check": "Husk alle smileys"})
    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path / "ud"), "--layout", str(layout)]) == 2
    err = capsys.readouterr().err
    assert "'self_check'" in err and "{missing}" in err and "Traceback" not in err


def test_the_bundled_layout_file_matches_the_factory_defaults(tmp_path):
    """templates/follow_up_template.xlsx is regenerated with `followup layout` when defaults change."""
    fresh = tmp_path / "layout.xlsx"
    assert main(["layout", str(fresh)]) == 0
    assert load_texts(DEFAULT_LAYOUT) == load_texts(fresh)


def test_followup_layout_never_writes_over_an_edited_layout_unless_told(tmp_path, capsys):
    edited = edited_layout(tmp_path, {"guide_heading": "Vores egen overskrift"})
    before = edited.read_bytes()

    assert main(["layout", str(edited)]) == 2
    assert "findes allerede" in capsys.readouterr().err and edited.read_bytes() == before
    assert main(["layout", "--overwrite", str(edited)]) == 0
    assert load_texts(edited) == load_texts(DEFAULT_LAYOUT)


# -- password, per department, determinism ---------------------------------------------------


def test_a_sheet_password_from_the_environment_protects_every_sheet(master, agreement, tmp_path, monkeypatch):
    monkeypatch.setenv("FOLLOWUP_SHEET_PASSWORD", "syntetisk-kode")
    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path)]) == 0
    wb = openpyxl.load_workbook(tmp_path / template_file_name(agreement, "Udvalg 01", 1))
    assert {ws.protection.password for ws in wb.worksheets} == {hash_password("syntetisk-kode")}


def test_per_department_makes_one_workbook_per_department_and_collect_merges_them_back(master, agreement, texts, tmp_path, capsys):
    out = tmp_path / "skabeloner"
    assert main(["generate", str(master), "--round", "1", "--out", str(out), "--per", "department"]) == 0
    expected = {template_file_name(agreement, c.name, 1, d) for c in agreement.committees for d in ("Center 1", "Center 2")}
    assert {p.name for p in out.glob("*.xlsx")} == expected
    returns = tmp_path / "indbakke"
    for c in agreement.committees:
        for d in ("Center 1", "Center 2"):
            name = template_file_name(agreement, c.name, 1, d)
            mine = {e.number for e in agreement.elements_of(c.name) if e.department == d}
            numbers = {row[0][:-1] for row in sheet_values(out / name) if row[0] and re.fullmatch(r"\d+\.\d+\.", str(row[0]))}
            assert numbers == mine, name
            fill_template(out / name, returns / name, agreement, c.name, 1, synthetic_answers(agreement, c.name, 1, d), texts, department=d)
    capsys.readouterr()
    assert main(["collect", "--no-pdf", str(master), "--round", "1", "--out", str(tmp_path / "resultat"), str(returns)]) == 0
    merged = read_master(tmp_path / "resultat" / "master.xlsx")
    for c in agreement.committees:
        for a in synthetic_answers(agreement, c.name, 1):
            got = merged.result(a.element, 1)
            assert (got.progress, got.status, got.economy, got.economy_status) == (a.progress, a.status, a.economy, a.economy_status)


def test_per_department_refuses_an_element_without_a_department_before_writing_anything(agreement, tmp_path, capsys):
    orphaned = replace(agreement, elements=tuple(replace(e, department="") if e.number == "2.02" else e for e in agreement.elements))
    master = write_master(orphaned, tmp_path / "master.xlsx")
    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path / "ud"), "--per", "department"]) == 2
    err = capsys.readouterr().err
    assert "uden center: 2.02" in err and "Ansvarligt center" in err and "Traceback" not in err
    assert not (tmp_path / "ud").exists()


def test_the_same_master_round_and_layout_give_the_same_bytes(answered, texts, tmp_path):
    a = template_for(answered, tmp_path / "a.xlsx", texts, template_id=FIXED_ID, generated_at=FIXED_TIME)
    b = template_for(
        read_master(write_master(answered, tmp_path / "m.xlsx")),
        tmp_path / "b.xlsx",
        load_texts(),
        template_id=FIXED_ID,
        generated_at=FIXED_TIME,
    )
    assert a.read_bytes() == b.read_bytes()


def test_two_generations_differ_only_in_template_id_and_generation_time(answered, texts, tmp_path):
    a = template_for(answered, tmp_path / "a.xlsx", texts)
    b = template_for(answered, tmp_path / "b.xlsx", texts, generated_at="2031-05-02T09:30:00+00:00")
    meta_a, meta_b = ({r[0]: r[1] for r in sheet_values(p, META_SHEET)} for p in (a, b))
    assert meta_a["template_id"] != meta_b["template_id"]
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.namelist() == zb.namelist()
        differing = {n for n in za.namelist() if za.read(n) != zb.read(n)}
        # Only the identity differs: in the custom properties and in the hidden metadata sheet
        # (the second sheet, written with inline strings). With the volatile values masked, equal.
        assert differing <= {"docProps/custom.xml", "xl/worksheets/sheet2.xml"}
        for part in differing:
            texts_ab = [_masked(z.read(part).decode(), m) for z, m in ((za, meta_a), (zb, meta_b))]
            assert texts_ab[0] == texts_ab[1]


def _masked(xml: str, meta: dict) -> str:
    return xml.replace(meta["template_id"], "TEMPLATE-ID").replace(meta["generated_at"], "GENERATED-AT")


# -- golden files: the parts that make a template locked -------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _local(el: ET.Element) -> ET.Element:
    """A copy without namespaces, attributes sorted: the XlsxWriter way of comparing parts."""
    out = ET.Element(el.tag.split("}")[-1], {k.split("}")[-1]: v for k, v in sorted(el.attrib.items())})
    out.text = el.text.strip() if el.text and el.text.strip() else None
    out.extend(_local(child) for child in el)
    return out


def locking_parts(path: Path) -> dict[str, ET.Element]:
    """Sheet states, sheet protection, data validations and the unlocked cell styles with their cells."""
    with zipfile.ZipFile(path) as z:
        workbook = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        styles = ET.fromstring(z.read("xl/styles.xml"))
        targets = {r.get("Id"): "xl/" + r.get("Target").lstrip("/").removeprefix("xl/") for r in rels}
        sheets = [(s.get("name"), ET.fromstring(z.read(targets[s.get(f"{_REL}id")]))) for s in workbook.iter(f"{_MAIN}sheet")]
    states = ET.Element("sheets")
    states.extend(_local(s) for s in workbook.iter(f"{_MAIN}sheet"))
    protection, validations = ET.Element("sheetProtections"), ET.Element("dataValidations")
    for name, xml in sheets:
        for p in xml.iter(f"{_MAIN}sheetProtection"):
            protection.append(_local(p))
            protection[-1].set("sheet-name", name)
        for dv in xml.iter(f"{_MAIN}dataValidation"):
            validations.append(_local(dv))
            validations[-1].set("sheet-name", name)
    xfs = list(styles.find(f"{_MAIN}cellXfs"))
    parts = {tag: list(styles.find(f"{_MAIN}{tag}s")) for tag in ("font", "fill", "border")}
    unlocked = ET.Element("unlockedStyles")
    for index, xf in enumerate(xfs):
        lock = xf.find(f"{_MAIN}protection")
        if lock is None or lock.get("locked") != "0":
            continue
        entry = _local(xf)
        for key in ("fontId", "fillId", "borderId", "xfId"):
            entry.attrib.pop(key, None)  # indexes shift with unrelated styles; show what they point at
        for tag in ("font", "fill", "border"):
            entry.insert(0, _local(parts[tag][int(xf.get(f"{tag}Id"))]))
        for name, xml in sheets:
            cells = [c.get("r") for c in xml.iter(f"{_MAIN}c") if c.get("s") == str(index)]
            if cells:
                ET.SubElement(entry, "cells", {"sheet-name": name}).text = " ".join(cells)
        unlocked.append(entry)
    return {"sheets": states, "sheet_protection": protection, "data_validations": validations, "unlocked_styles": unlocked}


def _pretty(el: ET.Element) -> str:
    ET.indent(el)
    return ET.tostring(el, encoding="unicode") + "\n"


# case -> (write_template options, parts compared); with a password only the protection differs.
GOLDEN_CASES = {
    "round-2": ({}, ("sheets", "sheet_protection", "data_validations", "unlocked_styles")),
    "round-2-password": ({"password": "syntetisk-kode"}, ("sheet_protection",)),
}


@pytest.mark.parametrize("case", list(GOLDEN_CASES))
def test_golden_locking_parts(case, answered, texts, tmp_path):
    options, compared = GOLDEN_CASES[case]
    path = template_for(answered, tmp_path / "t.xlsx", texts, template_id=FIXED_ID, generated_at=FIXED_TIME, **options)
    parts = locking_parts(path)
    for part in compared:
        got = _pretty(parts[part])
        golden = GOLDEN / case / f"{part}.xml"
        if os.environ.get("UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(got, encoding="utf-8")
        assert golden.is_file(), f"{golden} is missing; run with UPDATE_GOLDEN=1 to write it"
        expected = golden.read_text(encoding="utf-8")
        if got != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True), str(golden), "generated"))
            pytest.fail(f"{part} differs from the reviewed golden file:\n{diff}")


def test_golden_files_say_what_locks_the_template():
    """The reviewed reference itself: protection on, four inputs per element unlocked, lists of words."""
    root = GOLDEN / "round-2"
    protection = ET.parse(root / "sheet_protection.xml").getroot()
    assert [p.get("sheet-name") for p in protection] == [SHEET, META_SHEET] and all(p.get("sheet") == "1" for p in protection)
    states = {s.get("name"): s.get("state") for s in ET.parse(root / "sheets.xml").getroot()}
    assert states == {SHEET: None, META_SHEET: "veryHidden"}
    lists = [dv.findtext("formula1") for dv in ET.parse(root / "data_validations.xml").getroot()]
    assert sorted(set(lists)) == ['"Grøn,Gul,Rød"', '"Grøn,Rød"'] and len(lists) == 6
    cells = " ".join(c.text for c in ET.parse(root / "unlocked_styles.xml").getroot().iter("cells")).split()
    assert len(cells) == len(set(cells)) == 12
