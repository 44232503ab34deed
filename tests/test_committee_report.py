"""The committee report: the seed document, made by `collect` for every committee.

What a committee member checks: it says the same as the report they know, every
sentence of it; it reads in order, a whole element to a page; nothing is cut off;
it cannot be edited by accident; and it comes as PDF.
"""

import importlib.util
import random
import re
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import EXAMPLE, soffice_or_skip
from python_calamine import CalamineWorkbook
from seed_text import SEED_PATH, normalise, seed_sentences
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools.cli import main
from workbook_tools.committee_report import (
    report_page_breaks,
    write_committee_pdfs,
    write_committee_report,
    write_committee_reports,
)
from workbook_tools.libreoffice import convert_to_pdf
from workbook_tools.master import read_master
from workbook_tools.sheetplan import COL_TEXT, SheetPlan, plan_sheet
from workbook_tools.sheetplan import Mode as PlanMode
from workbook_tools.textmetrics import text_width, wrapped_lines
from workbook_tools.texts import load_texts

SEED_TITLE = "Anden opfølgning på Aftale om budget 2018 for Erhvervs- og Beskæftigelsesudvalget"
REPORT_NAME = "Erhvervs-og-Beskæftigelsesudvalget"


def cell_texts(path) -> list[str]:
    """Every non-empty cell of the report's sheet, row by row, as a reader meets them."""
    wb = CalamineWorkbook.from_path(str(path))
    sheet = wb.get_sheet_by_name(wb.sheet_names[0])
    return [str(v) for row in sheet.to_python() for v in row if v not in ("", None)]


def sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


@pytest.fixture(scope="module")
def demo_round_2(tmp_path_factory):
    """`followup demo` without PDF; the round-2 report is the seed document."""
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--no-pdf"]) == 0
    return out / "round-2"


@pytest.mark.skipif(SEED_PATH is None, reason="the seed text (shared/seed) is not available")
def test_the_demos_round_2_report_holds_every_sentence_of_the_seed_under_its_title(demo_round_2):
    report = demo_round_2 / "reports" / f"{REPORT_NAME}.xlsx"
    texts = cell_texts(report)
    assert texts[0] == SEED_TITLE
    shown = normalise(" ".join(texts))
    fragments = seed_sentences(SEED_PATH)
    assert len(fragments) > 100
    missing = [f for f in fragments if f not in shown]
    assert missing == []


def test_each_element_shows_every_round_so_far_with_its_smiley_and_the_economy_row(demo_round_2):
    texts = cell_texts(demo_round_2 / "reports" / f"{REPORT_NAME}.xlsx")
    start = texts.index("5.02.")
    block = texts[start : texts.index("5.08.1.")]
    assert block[:5] == ["5.02.", "Dialog med erhvervslivet", "Drift", "Tid", "Smiley"]
    i = block.index("1. budgetopfølgning 2018")
    assert block[i + 1 : i + 4] == ["Rød", "☹", "Status:"]
    i = block.index("2. budgetopfølgning 2018")
    assert block[i + 1 : i + 4] == ["Gul", "😐", "Status:"]
    assert block[-5:] == ["Økonomi", "Status økonomi:", "2. budgetopfølgning 2018", "Rød", "☹"]
    assert "3. budgetopfølgning 2018" in block and "31.12.2018" in block  # later milestones are shown


def test_the_report_is_protected_a4_numbered_and_breaks_pages_only_between_elements(demo_round_2):
    path = demo_round_2 / "reports" / f"{REPORT_NAME}.xlsx"
    xml = sheet_xml(path)
    assert re.search(r'<sheetProtection[^>]*sheet="1"', xml)
    assert 'paperSize="9"' in xml and 'orientation="portrait"' in xml
    assert "fitToPage" not in xml, "Excel ignores page breaks when fitting to page"
    assert re.search(r'<pageSetup[^>]*scale="\d+"', xml)
    assert "Side &amp;P" in xml
    assert 'showGridLines="0"' in xml and "gridLines=" not in xml
    agreement = read_master(demo_round_2 / "master.xlsx")
    plan = plan_sheet(agreement, agreement.committees[0], 2, load_texts(), PlanMode.REPORT)
    starts = set(plan.element_rows.values()) | {plan.first_element_row - 2}  # or the section heading
    breaks = [int(b) for b in re.findall(r'<brk id="(\d+)"', xml)]  # the 0-based row that starts a page
    assert breaks and set(breaks) <= starts


def test_an_element_that_does_not_fit_the_rest_of_the_page_starts_a_new_one():
    # Header rows 1-9 (270 points; the title row 0 is part of every page), elements at rows 10, 20 and 30.
    plan = SheetPlan("S", "U", "", 1, PlanMode.REPORT, element_rows={"1": 10, "2": 20, "3": 30}, first_element_row=10, last_row=45)
    heights = {r: 30.0 for r in range(45)}  # elements of 300, 300 and 450 points
    assert report_page_breaks(plan, heights, capacity=1000.0) == [30]
    assert report_page_breaks(plan, heights, capacity=350.0) == [10, 20, 30, 41]  # element 3 is taller than a page
    tall = {**heights, **{r: 120.0 for r in range(20, 30)}}  # element 2 (1,200 points) is taller than a page
    assert report_page_breaks(plan, tall, capacity=1000.0) == [20, 28]  # 8 rows fill a page


def test_wrapping_counts_lines_at_word_boundaries():
    assert wrapped_lines("", 100, 11) == 1
    assert wrapped_lines("kort", 100, 11) == 1
    assert wrapped_lines("a\n\nb", 100, 11) == 3
    assert wrapped_lines("ord " * 50, 100, 11) > wrapped_lines("ord " * 50, 300, 11) >= 3


def refilled_lines(text: str, width: float, size: float, bold: bool) -> int:
    """The plain meaning of wrapping: fill each line with words while the line's text fits."""
    lines = 0
    for para in text.split("\n"):
        lines, line = lines + 1, ""
        for word in para.split():
            if line and text_width(f"{line} {word}", size, bold) > width:
                lines, line = lines + 1, word
            else:
                line = f"{line} {word}" if line else word
    return lines


def test_wrapping_without_measuring_short_texts_counts_as_filling_line_by_line():
    # wrapped_lines skips texts too short to wrap whatever they say, and remembers word widths.
    # Words here are narrower than the cell; a wider one breaks anywhere, which this does not model.
    rnd = random.Random(6)
    letters = "aiklmwW@ÆøåüØ.,-0123 \t"
    for _ in range(3000):
        words = ["".join(rnd.choice(letters) for _ in range(rnd.randint(1, 7))) for _ in range(rnd.randint(0, 30))]
        text = "".join(w + rnd.choice([" ", " ", "  ", "\n"]) for w in words)
        width, size, bold = rnd.uniform(110, 500), rnd.choice([11.0, 12.0, 16.0]), rnd.random() < 0.5
        assert wrapped_lines(text, width, size, bold) == refilled_lines(text, width, size, bold), (text, width, size, bold)


def test_a_report_comes_out_the_same_whatever_was_written_before(tmp_path, texts):
    a = synthetic_agreement(committees=3, elements=3)
    a = a.with_results([r for c in a.committees for r in synthetic_answers(a, c.name, 1)])
    first = write_committee_report(a, a.committees[0], 1, texts, tmp_path / "first.xlsx").read_bytes()
    write_committee_reports(a, 1, texts, tmp_path / "all")
    assert write_committee_report(a, a.committees[0], 1, texts, tmp_path / "again.xlsx").read_bytes() == first


def test_english_reports_have_english_labels_and_keep_peoples_texts(tmp_path, texts):
    a = synthetic_agreement(committees=1, elements=2)
    a = a.with_results([replace(r, status="Status skrevet på dansk.") for r in synthetic_answers(a, "Udvalg 01", 1)])
    path = write_committee_report(a, a.committees[0], 1, texts.in_lang("en"), tmp_path / "r.xlsx")
    shown = cell_texts(path)
    assert shown[0] == "First follow-up on Aftale om budget 2031 for Udvalg 01"
    assert {"Reading guide", "Milestone", "Status:", "Responsible department:", "Operating"} <= set(shown)
    assert "Status skrevet på dansk." in shown and "Milepæl 1 for element 1.01" in shown


def test_one_report_per_committee_with_elements_named_after_the_committee(tmp_path, texts):
    a = synthetic_agreement(committees=3, elements=2)
    a = replace(a, elements=tuple(e for e in a.elements if e.committee != "Udvalg 02"))
    paths = write_committee_reports(a, 1, texts, tmp_path)
    assert [p.name for p in paths] == ["Udvalg-01.xlsx", "Udvalg-03.xlsx"]


def test_collect_without_libreoffice_writes_the_workbooks_and_says_so(tmp_path, master, round1, capsys, monkeypatch):
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # a machine where LibreOffice is not installed
    monkeypatch.delenv("FOLLOWUP_SOFFICE", raising=False)
    code = main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "out"), str(round1)])
    assert code == 0
    assert "LibreOffice er ikke installeret" in capsys.readouterr().out
    # The Word reports need no LibreOffice; only their PDF does.
    assert sorted(p.name for p in (tmp_path / "out" / "reports").iterdir()) == [
        "Udvalg-01.docx",
        "Udvalg-01.xlsx",
        "Udvalg-02.docx",
        "Udvalg-02.xlsx",
    ]


# --- With LibreOffice --------------------------------------------------------------------------

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>')


def pdf_pages(pdf) -> list[list[tuple[float, float, str]]]:
    """Per page: (x, y, word) of every word, from pdftotext's bounding boxes."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [[(float(x), float(y), w) for x, y, w in _WORD.findall(page)] for page in html.split("<page ")[1:]]


def squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def assert_reads_whole(pdf, plan, taller_than_a_page=()):
    """No text cut and no element split, checked on the words of the PDF.

    Column B (the texts) is read top to bottom, page by page; every text of that
    column must appear in it unbroken. A row too low for its text loses lines or
    runs into the next row, and either breaks this. In column A, every element
    heading must be followed on its own page by the element's last label,
    "Status økonomi:", unless the element is known to be taller than a page.
    """
    pages = pdf_pages(pdf)
    words = [w for page in pages for w in page]
    first_row = min(plan.element_rows.values())
    title, kind = (next(c.value for c in plan.cells if c.row == first_row and c.col == col) for col in (COL_TEXT, COL_TEXT + 1))
    y = next(wy for _x, wy, w in words if w == title.split()[0])
    b_left = min(x for x, wy, w in words if abs(wy - y) < 1 and w == title.split()[0])
    c_left = min(x for x, wy, w in words if abs(wy - y) < 1 and w == kind)

    def column(page, lo, hi):
        return [w for x, _y, w in sorted((p for p in page if lo <= p[0] < hi), key=lambda p: (round(p[1], 1), p[0]))]

    column_b = squash("".join(w for page in pages for w in column(page, b_left - 1, c_left - 1)))
    texts = [c.value for c in plan.cells if c.col == COL_TEXT and c.merge_to < 0 and c.value]
    cut = [t[:60] for t in texts if squash(t) not in column_b]
    assert cut == [], f"text cut or overlapping in {pdf.name}"
    heading = re.compile(r"\d+(\.\d+)+\.")
    for page in pages:
        labels = column(page, 0, b_left - 1)
        starts = [i for i, w in enumerate(labels) if heading.fullmatch(w)] + [len(labels)]
        for i, j in zip(starts, starts[1:]):
            if labels[i][:-1] not in taller_than_a_page:
                assert "økonomi:" in labels[i:j], f"element {labels[i]} is split across pages in {pdf.name}"


def load_seed_data():
    spec = importlib.util.spec_from_file_location("seed_data", EXAMPLE / "seed_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_makes_the_round_2_report_as_pdf_whole_and_numbered(tmp_path):
    soffice_or_skip()
    assert main(["demo", "--out", str(tmp_path)]) == 0
    folder = tmp_path / "round-2" / "reports"
    pdf = folder / f"{REPORT_NAME}.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    pages = pdf_pages(pdf)
    first = " ".join(w for _x, _y, w in pages[0])
    assert first.startswith(SEED_TITLE) and "Side 1 af" in first
    # The demo's PDF is made from the Word report; the workbook's own PDF (the route without
    # Writer) must read whole too.
    agreement = read_master(tmp_path / "round-2" / "master.xlsx")
    conversion = write_committee_pdfs(agreement, 2, load_texts(), tmp_path / "calc")
    assert conversion.failed == []
    assert_reads_whole(conversion.pdfs[0], plan_sheet(agreement, agreement.committees[0], 2, load_texts(), PlanMode.REPORT))


def test_long_texts_of_many_elements_are_neither_cut_nor_split_in_the_pdf(tmp_path, texts):
    soffice_or_skip()
    seed = load_seed_data()
    paragraphs = [p for e in seed.ELEMENTS for p in f"{e.agreement_text}\n\n{e.supplementary_text}".split("\n\n") if p.strip()]
    a = synthetic_agreement(committees=2, elements=7)
    elements = []
    for k, e in enumerate(a.elements):
        take = [paragraphs[(k * 3 + j) % len(paragraphs)] for j in range(1 + k % 3)]
        title = e.title + (" – en titel der er så lang, at den må brydes over to linjer i overskriften" if k % 4 == 0 else "")
        elements.append(
            replace(
                e, title=title, agreement_text="\n\n".join(take), milestones=tuple(paragraphs[(k + r) % len(paragraphs)] for r in range(4))
            )
        )
    # One agreement text far taller than the 409 points a row can be: it goes on over several rows.
    elements[1] = replace(elements[1], agreement_text="\n\n".join(paragraphs[:12]))
    a = replace(a, elements=tuple(elements))
    results = [
        replace(r, status=paragraphs[i % len(paragraphs)]) for c in a.committees for i, r in enumerate(synthetic_answers(a, c.name, 1))
    ]
    a = a.with_results(results)
    conversion = write_committee_pdfs(a, 1, texts, tmp_path)
    assert conversion.failed == [] and len(conversion.pdfs) == 2
    xlsx = write_committee_reports(a, 1, texts, tmp_path)
    for committee, path in zip(a.committees, xlsx):
        assert_reads_whole(path.with_suffix(".pdf"), plan_sheet(a, committee, 1, texts, PlanMode.REPORT), {elements[1].number})
    assert normalise(elements[1].agreement_text) in normalise(" ".join(cell_texts(xlsx[0])))


def test_run_again_only_the_reports_that_changed_are_converted_to_pdf_again(tmp_path, texts):
    """Collect runs again as returns come in; LibreOffice is a quarter of a second a report."""
    soffice_or_skip()
    a = synthetic_agreement(committees=3, elements=2)
    a = a.with_results([r for c in a.committees for r in synthetic_answers(a, c.name, 1)])
    first = write_committee_pdfs(a, 1, texts, tmp_path)
    assert len(first.pdfs) == 3 and first.kept == []
    made = {p.name: p.read_bytes() for p in first.pdfs}

    again = write_committee_pdfs(a, 1, texts, tmp_path)
    assert again.pdfs == [] and sorted(p.name for p in again.kept) == sorted(made)
    assert {p.name: p.read_bytes() for p in again.kept} == made

    changed = a.with_results([replace(a.result("2.01", 1), status="Ændret status for 2.01, sendt igen.")])
    (tmp_path / "Udvalg-03.pdf").unlink()  # and one PDF deleted by hand
    third = write_committee_pdfs(changed, 1, texts, tmp_path)
    assert sorted(p.name for p in third.pdfs) == ["Udvalg-02.pdf", "Udvalg-03.pdf"]
    assert [p.name for p in third.kept] == ["Udvalg-01.pdf"]
    assert "Ændret status for 2.01" in " ".join(w for page in pdf_pages(tmp_path / "Udvalg-02.pdf") for _x, _y, w in page)


def test_one_libreoffice_run_converts_the_good_files_and_names_the_bad_one(tmp_path, texts):
    soffice_or_skip()
    a = synthetic_agreement(committees=2, elements=1)
    good = write_committee_reports(a, 1, texts, tmp_path / "in")
    bad = tmp_path / "in" / "ødelagt.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    result = convert_to_pdf([*good, bad], tmp_path / "out")
    assert [p.name for p in result.pdfs] == ["Udvalg-01.pdf", "Udvalg-02.pdf"]
    assert result.failed == [bad] and "ødelagt.xlsx" in result.note
    assert not list((tmp_path / "in").glob("*.pdf")) and not list((tmp_path / "in").glob(".~lock*"))


def test_a_hanging_libreoffice_is_stopped_with_all_its_processes_and_said_so(tmp_path, texts):
    # A stand-in for a soffice that never finishes: it starts a child, as oosplash starts soffice.bin.
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {tmp_path / 'child.pid'}\nsleep 60\n")
    fake.chmod(0o755)
    report = write_committee_reports(synthetic_agreement(committees=1, elements=1), 1, texts, tmp_path / "in")
    result = convert_to_pdf(report, tmp_path / "out", timeout=1, soffice=str(fake))
    assert result.pdfs == [] and result.failed == report
    assert "stoppet efter 1 sekunder" in result.note
    child = int((tmp_path / "child.pid").read_text())
    assert _ended(child), f"the child {child} of the stopped soffice is still running"


def _ended(pid: int, within: float = 10.0) -> bool:
    """Whether process `pid` is gone or a zombie within `within` seconds.

    The SIGKILL to the group is sent before convert_to_pdf returns, but the kernel ends a
    process that is not ours (the grandchild, reparented to init) a moment later, and init
    reaps it when it gets to it: right after the kill /proc can still show it sleeping, or
    lose it between two reads. Unkilled it sleeps 60 s, so the wait cannot hide a survivor.
    """
    import time

    deadline = time.monotonic() + within
    while True:
        try:
            # /proc/PID/stat: "PID (comm) STATE ..."; comm may hold spaces, never ") ".
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][:1]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
