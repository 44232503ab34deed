"""Excel would open every kind of workbook the tool writes without offering to repair it.

Each kind is made the way the tool makes it (generate, collect, `followup init`, the
layout file) and checked by openxml-audit, a pure-Python port of the Open XML SDK's
validator, against the Office 2016 schemas: zero errors. Its notes on inline strings
are information, not errors.

One finding is the validator's, not ours: the feedback copy is saved by openpyxl,
which writes a <font>'s children in the order ECMA-376 Part 1 declares them in sml.xsd
(name, charset, family, b, i, …). There CT_Font is
``<xsd:choice maxOccurs="unbounded">``: any order is valid. The SDK's data, which
openxml-audit ships (data/openxml/schemas/schemas_openxmlformats_org_spreadsheetml_2006_main.json,
type ``x:CT_Font/x:font``), models it as a fixed sequence (b, i, strike, …, sz, color,
name, family, charset, scheme) and reports every openpyxl font. The same false positive
is known from the SDK's own tracker (dotnet/Open-XML-SDK#737, "the same is for x:font")
and from OfficeCLI#295 (an openpyxl file Excel opened without complaint). The test
proves it is only that: put into the SDK's order, the copy's fonts pass, and nothing
else in the file is reported.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openxml_audit import FileFormat, OpenXmlValidator, ValidationError, ValidationSeverity
from returns_kit import Kit, cell_of, edit
from synthetic import synthetic_agreement

from workbook_tools.master import write_master
from workbook_tools.pipeline import collect_round, generate_round
from workbook_tools.texts import load_texts, write_layout_file
from workbook_tools.yearfolder import write_blank_master

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# CT_Font's children in the order of the SDK's sequence (the validator's schema data, x:CT_Font/x:font).
SDK_FONT_ORDER = [
    "b",
    "i",
    "strike",
    "condense",
    "extend",
    "outline",
    "shadow",
    "u",
    "vertAlign",
    "sz",
    "color",
    "name",
    "family",
    "charset",
    "scheme",
]
KINDS = [
    "template per committee",
    "template per department",
    "committee report",
    "overview",
    "validation",
    "master after collect",
    "master from followup init",
    "layout file",
    "feedback copy",
]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """One workbook of every kind, made as the commands make them; a collect with a good and a faulty return."""
    tmp = tmp_path_factory.mktemp("openxml")
    agreement = synthetic_agreement()
    master = write_master(agreement, tmp / "master.xlsx")
    by_committee = generate_round(master, 1, tmp / "per-committee")
    by_department = generate_round(master, 1, tmp / "per-department", per="department")
    kit = Kit(tmp / "kit", agreement, load_texts())
    kit.filled("udvalg-01.xlsx", committee="Udvalg 01")
    smiley = cell_of(kit.plan("Udvalg 02"), "2.02", "economy", 1)
    edit(kit.filled("udvalg-02.xlsx", committee="Udvalg 02"), lambda wb: wb["Opfølgning"].__setitem__(smiley, "Blå"))
    out = tmp / "out"
    collect_round(master, 1, [kit.returns], out, pdf=False)
    feedback = sorted((out / "feedback").glob("*_tilbagemelding.xlsx"))
    assert len(feedback) == 1, "the faulty return gets its annotated copy"
    return {
        "template per committee": tmp / "per-committee" / by_committee[0].file,
        "template per department": tmp / "per-department" / by_department[0].file,
        "committee report": sorted((out / "reports").glob("*.xlsx"))[0],
        "overview": out / "overview.xlsx",
        "validation": out / "validation.xlsx",
        "master after collect": out / "master.xlsx",
        "master from followup init": write_blank_master(tmp / "blank" / "master.xlsx", 2031, "Aftale om budget 2031"),
        "layout file": write_layout_file(tmp / "layout.xlsx"),
        "feedback copy": feedback[0],
    }


@functools.cache
def validator() -> OpenXmlValidator:
    return OpenXmlValidator(file_format=FileFormat.OFFICE_2016, max_errors=0)


def errors(path: Path) -> list[ValidationError]:
    return [e for e in validator().validate(path).errors if e.severity is ValidationSeverity.ERROR]


@pytest.mark.parametrize("kind", KINDS)
def test_excel_would_open_it_without_repair(written, kind, tmp_path):
    path = written[kind]
    if kind == "feedback copy":
        # openpyxl's font order is valid ECMA-376 (see the module docstring); check the rest.
        path = fonts_in_sdk_order(path, tmp_path / path.name)
    found = validator().validate(path).errors
    assert [str(e) for e in found if e.severity is ValidationSeverity.ERROR] == []
    # Besides: only the note that Excel moves inline strings into a shared-strings table when it next
    # saves the file. A rewrite on saving, not a repair on opening; the lean writer writes them on purpose.
    assert {e.id for e in found} <= {"Excel_InlineStrCells"}


def test_the_feedback_copys_only_errors_are_openpyxls_font_order(written, tmp_path):
    """Errors before the fonts are reordered, none after: the validator's CT_Font sequence is all it objects to."""
    copy = written["feedback copy"]
    before = errors(copy)
    assert before, "openpyxl's font order is no longer reported: the validator knows CT_Font is a choice; drop the reordering"
    assert all(e.part_uri == "/xl/styles.xml" and re.search(r"/font\[\d+\]$", e.path) and e.node in SDK_FONT_ORDER for e in before), [
        str(e) for e in before
    ]
    assert errors(fonts_in_sdk_order(copy, tmp_path / copy.name)) == []


def fonts_in_sdk_order(path: Path, out: Path) -> Path:
    """A copy of `path` whose <font> elements in styles.xml hold the same children in the SDK's order, nothing else changed."""
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename == "xl/styles.xml":
                data = _reorder_fonts(data)
            z.writestr(info, data)
    out.write_bytes(buf.getvalue())
    return out


def _reorder_fonts(styles: bytes) -> bytes:
    root = etree.fromstring(styles)
    for font in root.iter(f"{{{MAIN}}}font"):
        children = list(font)
        names = [etree.QName(c).localname for c in children]
        assert set(names) <= set(SDK_FONT_ORDER) and len(names) == len(set(names)), names  # only order can differ
        font[:] = sorted(children, key=lambda c: SDK_FONT_ORDER.index(etree.QName(c).localname))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
