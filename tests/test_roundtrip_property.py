"""Any status text and any allowed smiley come out of `collect` exactly as they were entered.

A return is filled the way staff fill it (`fill.fill_template`, through openpyxl,
escaping what Excel escapes), collected, and then read back where people read it:
the merged master (`read_master`), the overview (python-calamine) and the
committee report (the text under "Status:", over as many rows as it needs).

What is left out, and why:
* lone surrogates (U+D800–U+DFFF): no UTF-8 file, xlsx included, can hold one;
* NUL and the noncharacters U+FFFE, U+FFFF: Excel has no such character in a cell
  (CHAR(0) is an error; the noncharacters are not allowed in XML and no reader decodes them);
* in the property only, texts of blanks alone (" ", "\\n"): openpyxl without lxml writes
  them without xml:space="preserve", so the return itself would hold an empty text.
  Excel writes the attribute; `test_a_text_of_blanks_alone_as_excel_writes_it_is_kept`
  covers that case with the XML Excel writes. Also left out: texts that openpyxl cannot
  write whole, over 32,767 characters once each control character is escaped as _xHHHH_.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from fill_kit import answer_cells, as_excel_stores, fill_template
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from returns_kit import rewrite_zip
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools.master import read_master, write_master
from workbook_tools.model import ECONOMY_STATES, EXCEL_CELL_LIMIT, PROGRESS_STATES, SMILEY_LOOKS
from workbook_tools.pipeline import collect_round
from workbook_tools.template import write_template
from workbook_tools.texts import load_texts

COMMITTEE = "Udvalg 01"
CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff")
PREFIXES = ("", "=", "+", "-", "@", "=SUM(A1)", '=HYPERLINK("http://example.invalid")', "_x0041_", "_x005F_x000D_", "\r\n", "  ")


def utf16_cut(text: str, units: int) -> str:
    """`text` cut to `units` UTF-16 units, as Excel counts, never inside a surrogate pair."""
    return text.encode("utf-16-le", "surrogatepass")[: 2 * units].decode("utf-16-le", "ignore")


@st.composite
def status_texts(draw) -> str:
    """Short texts of any characters, with a leading = + - @ often; now and then one of up to 32,767 units."""
    text = draw(st.sampled_from(PREFIXES)) + draw(st.text(alphabet=CHARS, max_size=120))
    if text and draw(st.integers(0, 9)) == 0:
        text = utf16_cut(text * (EXCEL_CELL_LIMIT // len(text) + 1), draw(st.integers(1_000, EXCEL_CELL_LIMIT)))
    return text


class Round:
    """A master and a generated template, made once; each example fills, collects and reads back."""

    def __init__(self, folder: Path):
        self.texts = load_texts()
        self.agreement = synthetic_agreement(committees=1, elements=2)
        self.master = write_master(self.agreement, folder / "master.xlsx")
        self.template = folder / "template.xlsx"
        write_template(self.agreement, self.agreement.committee(COMMITTEE), 1, self.template, self.texts)

    def collect(self, answers, folder: Path, change=None):
        ret = folder / "svar.xlsx"
        fill_template(self.template, ret, self.agreement, COMMITTEE, 1, answers, self.texts)
        if change:
            change(ret)
        run = collect_round(self.master, 1, [ret], folder / "ud", pdf=False, jobs=1)
        return run, folder / "ud"


@pytest.fixture(scope="module")
def round_one(tmp_path_factory):
    return Round(tmp_path_factory.mktemp("roundtrip"))


def overview_row(out: Path, texts, element: str) -> dict[str, object]:
    rows = CalamineWorkbook.from_path(str(out / "overview.xlsx")).get_sheet_by_name(texts("ov_sheet_overview")).to_python()
    return dict(zip(rows[0], next(r for r in rows if r[1] == element), strict=True))


def report_status(out: Path, texts, element: str) -> str | None:
    """The text under "Status:" of the element's first round in the committee report, joined over its rows."""
    book = CalamineWorkbook.from_path(str(out / "reports" / "Udvalg-01.xlsx"))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    start = next(i for i, r in enumerate(rows) if r[0] == f"{element}.")
    for i in range(start + 1, len(rows)):
        if rows[i][0] == texts("status_label"):
            pieces = [rows[i][1]]
            for r in rows[i + 1 :]:
                if r[0] or not r[1]:
                    break
                pieces.append(r[1])  # a text taller than a row goes on in the rows below
            return "".join(pieces)
        if rows[i][0] == texts("economy_label"):
            return None  # no status row: the round has no status text
    return None


def smiley_shown(state, texts) -> str:
    """This round's smiley cell in the overview: the face and word, or "Ikke besvaret" where none was given."""
    return f"{SMILEY_LOOKS[state].glyph} {state.label}" if state else texts("not_answered")


def assert_round_trip(round_one: Round, statuses: list[str], progress, economy) -> None:
    texts = round_one.texts
    answers = synthetic_answers(round_one.agreement, COMMITTEE, 1)
    given = [
        replace(answers[0], status=statuses[0], economy_status=statuses[1], progress=progress, economy=economy),
        replace(answers[1], status=statuses[2], economy_status=statuses[3]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        run, out = round_one.collect(given, Path(tmp))
        assert {p.code for p in run.problems if p.file} <= {"status-text-required", "smiley-missing"}, run.problems
        master = read_master(out / "master.xlsx")
        for a in given:
            got = master.result(a.element, 1)
            if a.is_empty:
                assert got is None
                continue
            assert (got.status, got.economy_status) == (a.status, a.economy_status), "the master holds the texts exactly"
            assert (got.progress, got.economy) == (a.progress, a.economy)
            row = overview_row(out, texts, a.element)
            assert row[texts("ov_col_latest_status")] == (a.status if a.status.strip() else "")
            assert row[texts("ov_col_latest_economy_status")] == (a.economy_status if a.economy_status.strip() else "")
            label = round_one.agreement.round(1).label
            assert row[texts("ov_col_progress", round=label)] == smiley_shown(a.progress, texts)
            assert row[texts("ov_col_economy", round=label)] == smiley_shown(a.economy, texts)
            assert report_status(out, texts, a.element) == (a.status or None), "the report holds the status exactly"


def _texts_storable_by_openpyxl(statuses: list[str]) -> bool:
    # blanks alone lose their xml:space (see the module docstring), and openpyxl writes at most
    # 32,767 characters counted after escaping, where each control character takes seven
    return all((s == "" or s.strip()) and len(as_excel_stores(s)) <= EXCEL_CELL_LIMIT for s in statuses)


@settings(
    max_examples=35,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(
    statuses=st.lists(status_texts(), min_size=4, max_size=4),
    progress=st.sampled_from([None, *PROGRESS_STATES]),
    economy=st.sampled_from([None, *ECONOMY_STATES]),
)
@example(statuses=["=SUM(A1)", "+1+1", "@foo", "-2"], progress=PROGRESS_STATES[1], economy=ECONOMY_STATES[1])
@example(
    statuses=["  Første linje\r\nAnden linje  ", "æøå 😐👍🏽\n\nslut\n", "_x0041_ _x005F_x0041_", "tab\there\x01\x1f"],
    progress=None,
    economy=None,
)
def test_any_status_text_and_smiley_come_out_exactly_as_entered(round_one, statuses, progress, economy):
    assume(_texts_storable_by_openpyxl(statuses))
    assert_round_trip(round_one, statuses, progress, economy)


def test_a_text_of_excels_full_32767_characters_comes_out_whole(round_one):
    longest = utf16_cut("=Status æøå 😐 med\nlinjeskift og emoji 👍🏽. " * 1200, EXCEL_CELL_LIMIT)
    assert len(longest.encode("utf-16-le")) // 2 == EXCEL_CELL_LIMIT
    assert_round_trip(round_one, [longest, longest[::-1].lstrip(), "kort", ""], PROGRESS_STATES[2], ECONOMY_STATES[0])


def test_one_character_more_than_excel_allows_is_refused_not_cut(round_one, tmp_path):
    """20,000 emoji are 40,000 characters to Excel: LibreOffice can save them, Excel cannot hold them."""
    answers = synthetic_answers(round_one.agreement, COMMITTEE, 1)
    too_long = "😐" * 20_000
    run, _out = round_one.collect([replace(answers[0], status=too_long), answers[1]], tmp_path)
    refused = [p for p in run.problems if p.code == "text-too-long"]
    assert [(p.element, p.found) for p in refused] == [("1.01", "40000")]


def test_a_text_of_blanks_alone_as_excel_writes_it_is_kept(round_one, tmp_path):
    """Excel marks a text of blanks alone xml:space="preserve"; the blanks come out as they went in."""
    answers = synthetic_answers(round_one.agreement, COMMITTEE, 1)
    ref = answer_cells(round_one.agreement, COMMITTEE, 1, round_one.texts)[1][("1.02", "status")]

    def as_excel_writes(path: Path) -> None:
        import re

        rewrite_zip(
            path,
            xl__worksheets__sheet1_dot_xml=lambda x: re.sub(
                rf'(<c r="{ref}"[^>]*><is><t)>PLADS(</t>)'.encode(), rb'\1 xml:space="preserve">   \2', x
            ),
        )

    run, out = round_one.collect([answers[0], replace(answers[1], status="PLADS")], tmp_path, change=as_excel_writes)
    assert read_master(out / "master.xlsx").result("1.02", 1).status == "   "
    assert [p.code for p in run.problems if p.file] == ["status-text-required"], (
        "blanks explain nothing, so a red smiley still asks for a text"
    )
