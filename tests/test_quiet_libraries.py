"""No library's own warning reaches the screen: a Strict Open XML return gets its own problem, an odd one prints nothing.

Excel's "Strict Open XML Spreadsheet" keeps the parts of an .xlsx in other
namespaces; it is told as what it is, with the fix, not as a deleted sheet.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from returns_kit import edit

from workbook_tools.filekind import sniff_workbook_kind
from workbook_tools.pipeline import collect_round
from workbook_tools.sheetplan import COL_TEXT
from workbook_tools.sheetvalues import heading_rows

EXAMPLE = ROOT / "examples" / "budget-2018"
(RETURN_1,) = (EXAMPLE / "returns" / "round-1").glob("*.xlsx")
# What Excel's "Strict Open XML Spreadsheet" writes instead of the transitional namespaces.
STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
}


def _rewrite(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, change(info.filename, zin.read(info)))
    return dst


def strict_copy(src: Path, dst: Path) -> Path:
    """A return as Excel saves it with "Strict Open XML Spreadsheet"."""

    def change(name: str, data: bytes) -> bytes:
        if name.endswith((".xml", ".rels")):
            for a, b in STRICT.items():
                data = data.replace(a, b)
            if name == "xl/workbook.xml":
                data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
        return data

    return _rewrite(src, dst, change)


def _collect(master: Path, round_number: int, inbox: Path, out: Path) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        "-m",
        "workbook_tools",
        "collect",
        "--round",
        str(round_number),
        "--out",
        str(out),
        "--no-pdf",
        str(master),
        str(inbox),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=out.parent)


def test_a_strict_open_xml_return_gets_its_own_problem_with_the_fix(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = strict_copy(RETURN_1, inbox / RETURN_1.name)
    assert sniff_workbook_kind(path) == "strict"
    run = collect_round(EXAMPLE / "master.xlsx", 1, [inbox], tmp_path / "out", pdf=False)
    (check,) = run.checks
    assert [(p.code, p.severity.value) for p in check.problems] == [("strict-ooxml", "error")]
    assert "Excel-projektmappe (*.xlsx)" in check.problems[0].hint


def test_a_strict_return_prints_nothing_from_a_library(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    strict_copy(RETURN_1, inbox / RETURN_1.name)
    done = _collect(EXAMPLE / "master.xlsx", 1, inbox, tmp_path / "out")
    assert done.returncode == 1
    assert "er gemt som Strict Open XML-regneark" in done.stdout, done.stdout
    assert done.stderr == ""


@pytest.fixture(scope="module")
def round2_master(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("round-1")
    collect_round(EXAMPLE / "master.xlsx", 1, [EXAMPLE / "returns" / "round-1"], out, pdf=False)
    return out / "master.xlsx"


def test_an_odd_return_that_gets_an_annotated_copy_prints_nothing_from_openpyxl(round2_master, tmp_path):
    """A layout name for a sheet that is not there: openpyxl says so on stderr, in English, unless told not to."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (source,) = (EXAMPLE / "returns" / "round-2").glob("*.xlsx")
    edited = shutil.copy(source, tmp_path / source.name)

    def retitle(wb):  # an error, so that an annotated copy is made through openpyxl
        ws = wb.worksheets[0]
        ws.cell(heading_rows([[c.value for c in row] for row in ws.iter_rows()])["5.01"] + 1, COL_TEXT + 1, "En anden titel")

    edit(Path(edited), retitle)
    name = b'<definedName name="_xlnm.Print_Area" localSheetId="7">\'Opf\xc3\xb8lgning\'!$A$1:$F$10</definedName>'

    def odd(filename: str, data: bytes) -> bytes:
        if filename != "xl/workbook.xml":
            return data
        if b"</definedNames>" in data:
            return data.replace(b"</definedNames>", name + b"</definedNames>")
        return data.replace(b"</sheets>", b"</sheets><definedNames>" + name + b"</definedNames>")

    _rewrite(Path(edited), inbox / source.name, odd)
    done = _collect(round2_master, 2, inbox, tmp_path / "out")
    assert done.returncode == 1
    assert list((tmp_path / "out" / "feedback").glob("*.xlsx")), "no annotated copy: the openpyxl path was not taken"
    assert done.stderr == ""
