"""The problem catalog: stable codes, each with a Danish message and a hint, documented from the code."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from workbook_tools.cli import main
from workbook_tools.problems import CATALOG, CATEGORIES, Problem, Severity, catalog_markdown

DOC = ROOT / "docs" / "problems.md"


def test_docs_problems_md_is_current():
    assert DOC.read_text(encoding="utf-8") == catalog_markdown(), "run: followup problems --markdown > docs/problems.md"


def test_the_cli_prints_the_same_table(capsys):
    assert main(["problems", "--markdown"]) == 0
    assert capsys.readouterr().out == DOC.read_text(encoding="utf-8")


def test_every_code_is_kebab_case_with_a_severity_a_danish_message_a_hint_and_a_category():
    for code, t in CATALOG.items():
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", code), code
        assert isinstance(t.severity, Severity)
        assert t.message.strip() and t.hint.strip(), code
        assert t.category in CATEGORIES, code
        assert re.search(r"[æøå]|\b(er|ikke|og|har|den|det)\b", t.message + t.hint), f"{code}: not Danish?"
        placeholders = set(re.findall(r"\{(\w+)\}", t.message + t.hint))
        assert placeholders <= {"file", "cell", "element", "field", "expected", "found", "detail"}, code
        advice_placeholders = set(re.findall(r"\{(\w+)\}", t.advice))
        assert advice_placeholders <= {"file", "cell", "element", "field", "expected", "found", "detail", "afsender"}, code
        assert "!r}" not in t.message + t.hint + t.advice, code
        assert code in DOC.read_text(encoding="utf-8")


def test_every_code_the_package_reports_is_in_the_catalog_and_every_catalog_code_is_reported_somewhere():
    sources = {p: p.read_text(encoding="utf-8") for p in (ROOT / "workbook_tools").glob("*.py") if p.name != "problems.py"}
    text = "\n".join(sources.values())
    used = set(re.findall(r'Problem\(\s*"([a-z0-9-]+)"', text))
    assert used <= set(CATALOG), used - set(CATALOG)
    unused = {code for code in CATALOG if f'"{code}"' not in text}
    assert unused == set(), f"catalog codes no code reports: {unused}"


def test_a_problem_fills_its_message_and_hint_and_refuses_an_unknown_code():
    p = Problem("locked-cell-changed", "svar.xlsx", "Udvalg 01", "1.02", "Opfølgning", "B45", "Milepæl 1", "Ændret")
    assert p.message == "svar.xlsx: den låste celle Opfølgning!B45 (indsats 1.02) er ændret."
    assert p.hint.startswith("Forventet: »Milepæl 1«. Fundet: »Ændret«.")
    assert p.as_dict()["severity"] == "error" and p.where == "Opfølgning!B45"
    with pytest.raises(KeyError, match="no-such-code"):
        Problem("no-such-code")
