"""The committee report as a Word document and as an accessible PDF made from it.

What the committee secretariat needs: the seed document itself, every sentence of
it, as a .docx they can add a line to; and a PDF the municipality may publish, which
a screen reader can follow: its language and title known, headings to jump between,
tables with header cells, and every smiley said in words.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace

import pikepdf
import pytest
from conftest import EXAMPLE_LAYOUT, soffice_or_skip
from docx import Document
from docx.table import Table, _Cell
from office import needed_or_skip
from seed_text import SEED_PATH, normalise, seed_sentences
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools import report_documents
from workbook_tools.demo import run_demo
from workbook_tools.master import read_master
from workbook_tools.model import Result, Smiley
from workbook_tools.report_documents import CALC, WRITER, write_report_documents
from workbook_tools.report_docx import report_docx_name, smiley_png, write_report_docx
from workbook_tools.report_pdf import WRITER_PDF_FILTER, writer_missing
from workbook_tools.sheetplan import latest_economy
from workbook_tools.texts import guide_key, load_texts

COMMITTEE = "Erhvervs- og Beskæftigelsesudvalget"
SEED_TITLE = "Anden opfølgning på Aftale om budget 2018 for Erhvervs- og Beskæftigelsesudvalget"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def seed_world(tmp_path_factory):
    """The demo's round-2 master (the seed's data) and its report as .docx, as the seed's committee gets it."""
    out = tmp_path_factory.mktemp("demo")
    run_demo(out, pdf=False)
    agreement = read_master(out / "round-2" / "master.xlsx")
    texts = load_texts(EXAMPLE_LAYOUT)  # the seed's wording, as the demo uses it
    docx = write_report_docx(agreement, agreement.committee(COMMITTEE), 2, texts, out / "report" / "seed.docx")
    return {"agreement": agreement, "texts": texts, "docx": docx, "dir": out}


@pytest.fixture(scope="module")
def seed_pdf(seed_world, tmp_path_factory):
    """The round-2 report's .docx and its tagged PDF, written as collect would (write_report_documents)."""
    program = soffice_or_skip()
    needed_or_skip(not writer_missing(program), "LibreOffice Writer (apt-get install libreoffice-writer-nogui)")
    folder = tmp_path_factory.mktemp("reports")
    made = write_report_documents(seed_world["agreement"], [COMMITTEE], 2, seed_world["texts"], folder, ("docx", "pdf"))
    assert made.note == "" and made.failed == [] and made.route == WRITER, made
    pdf = folder / f"{seed_world['agreement'].file_stem(COMMITTEE)}.pdf"
    assert made.pdfs == [pdf] and made.docx == [folder / report_docx_name(seed_world["agreement"], COMMITTEE)]
    return pdf


def document_texts(path) -> list[str]:
    """Every paragraph of the document, table cells included (a merged cell once), in reading order."""
    doc = Document(str(path))
    out = []
    for block in doc.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for tc in row._tr.tc_lst:
                    out.extend(p.text for p in _Cell(tc, block).paragraphs)
        else:
            out.append(block.text)
    return [t for t in out if t.strip()]


def cell_texts(table: Table, row: int) -> list[str]:
    """The texts of a table row's cells, a merged cell once."""
    return [_Cell(tc, table).text for tc in table.rows[row]._tr.tc_lst]


def document_xml(path, part="word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode()


# The .docx


@pytest.mark.skipif(SEED_PATH is None, reason="the seed text (shared/seed) is not available")
def test_the_demos_round_2_document_holds_every_sentence_of_the_seed_under_its_title(seed_world):
    texts = document_texts(seed_world["docx"])
    assert texts[0] == SEED_TITLE
    shown = normalise(" ".join(texts))
    fragments = seed_sentences(SEED_PATH)
    assert len(fragments) > 100
    assert [f for f in fragments if f not in shown] == []


def test_each_element_is_a_table_headed_like_the_seed_with_every_round_so_far_and_the_economy(seed_world):
    doc = Document(str(seed_world["docx"]))
    tables = doc.tables
    elements = seed_world["agreement"].elements_of(COMMITTEE)
    assert len(tables) == len(elements)
    block = tables[1]  # 5.02. Dialog med erhvervslivet
    head = cell_texts(block, 0)
    assert head == ["5.02. Dialog med erhvervslivet", "Drift", "Tid", "Smiley"]  # the seed's heading, from the example's layout
    assert block.rows[0].cells[0].paragraphs[0].style.name == "Heading 3"
    rows = [cell_texts(block, i) for i in range(len(block.rows))]
    assert [
        "Milepæl",
        "Erhvervs- og Beskæftigelsesudvalget har drøftet mulige nye tiltag.",
        "1. budgetopfølgning 2018",
        "\u00a0Rød",
    ] in rows
    assert rows[rows.index(["Milepæl", elements[1].milestone(2), "2. budgetopfølgning 2018", "\u00a0Gul"]) + 1][0] == "Status:"
    assert ["Milepæl", "", "3. budgetopfølgning 2018", ""] in rows  # a later round: its milestone, no smiley yet
    assert rows[-2:] == [["Økonomi", ""], ["Status økonomi:", "", "2. budgetopfølgning 2018", "\u00a0Rød"]]


def test_the_document_uses_word_styles_a4_a_numbered_footer_and_danish(seed_world):
    doc = Document(str(seed_world["docx"]))
    styles = [p.style.name for p in doc.paragraphs if p.text.strip()]
    assert styles[:2] == ["Title", "Heading 2"] and styles.count("Title") == 1
    assert "5. Erhverv og Beskæftigelse" in [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    footer = section.footer._element.xml
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer and "Side " in footer and " af " in footer
    assert doc.core_properties.title == SEED_TITLE and doc.core_properties.language == "da-DK"
    assert 'w:lang w:val="da-DK"' in document_xml(seed_world["docx"], "word/styles.xml")
    assert '<w:themeFontLang w:val="da-DK"' in document_xml(seed_world["docx"], "word/settings.xml")


def test_an_elements_block_keeps_to_one_page_and_its_header_row_repeats(seed_world):
    doc = Document(str(seed_world["docx"]))
    for table in doc.tables:
        rows = table._tbl.tr_lst
        assert rows[0].trPr.find(f"{W}tblHeader") is not None
        assert all(r.trPr.find(f"{W}cantSplit") is not None for r in rows)
        kept = [all(p.pPr is not None and p.pPr.keepNext_val for p in r.iter(f"{W}p")) for r in rows]
        assert kept == [True] * (len(rows) - 1) + [False]


def test_every_smiley_is_a_picture_with_its_meaning_as_alternative_text_and_its_word_beside_it(seed_world):
    agreement, texts = seed_world["agreement"], seed_world["texts"]
    xml = document_xml(seed_world["docx"])
    alts = re.findall(r'<wp:docPr id="\d+" name="[^"]*" descr="([^"]*)"', xml)
    assert alts == expected_alts(agreement, texts)
    assert "Grøn smiley: Milepæl er nået" in alts
    ids = re.findall(r'<wp:docPr id="(\d+)"', xml)
    assert len(set(ids)) == len(ids)
    doc = Document(str(seed_world["docx"]))
    for table in doc.tables:
        for row in table.rows:
            cell = _Cell(row._tr.tc_lst[-1], table)
            if cell._tc.xpath(".//w:drawing"):
                assert cell.text.strip() in ("Grøn", "Gul", "Rød")  # the word beside the picture


def test_word_would_open_the_document_without_repair(seed_world):
    """Checked against the Office 2016 schemas by openxml-audit (the Open XML SDK's validator, in Python): no findings."""
    audit = pytest.importorskip("openxml_audit")
    found = audit.OpenXmlValidator(file_format=audit.FileFormat.OFFICE_2016, max_errors=0).validate(seed_world["docx"]).errors
    assert [str(e) for e in found] == []


def test_the_smiley_pictures_are_small_pngs_drawn_the_same_every_time():
    for state in Smiley:
        png = smiley_png(state)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
        assert int.from_bytes(png[16:20], "big") == 64 and len(png) < 4000
    assert len({smiley_png(s) for s in Smiley}) == 3


def test_the_same_report_comes_out_byte_for_byte_the_same(seed_world, tmp_path):
    agreement, texts = seed_world["agreement"], seed_world["texts"]
    committee = agreement.committee(COMMITTEE)
    first = seed_world["docx"].read_bytes()
    other = synthetic_agreement(committees=2, elements=2)
    write_report_docx(other, other.committees[1], 1, texts, tmp_path / "other.docx")
    again = write_report_docx(agreement, committee, 2, texts, tmp_path / "again.docx").read_bytes()
    assert again == first
    with zipfile.ZipFile(tmp_path / "again.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
        assert "<dcterms:created" in core and "2018-07-04T00:00:00Z" in core
        assert not any(n.startswith(("docProps/thumbnail", "customXml")) for n in z.namelist())


def test_text_a_word_document_cannot_hold_is_left_out_not_a_crash(tmp_path, texts):
    a = synthetic_agreement(committees=1, elements=1)
    e = a.elements[0]
    a = replace(a, elements=(replace(e, title="Titel\x01 med styretegn", agreement_text="Linje 1\r\nlinje 2\x0b"),))
    a = a.with_results([Result(e.number, 1, Smiley.GREEN, "Status med \x00nul & <tegn>", Smiley.RED, "")])
    path = write_report_docx(a, a.committees[0], 1, texts, tmp_path / "r.docx")
    shown = "\n".join(document_texts(path))
    assert "Titel med styretegn" in shown and "Status med nul & <tegn>" in shown and "Linje 1\nlinje 2" in shown


def test_the_economy_shown_is_the_latest_answered():
    results = {("1", 1): Result("1", 1, economy=Smiley.RED, economy_status="Før"), ("1", 2): Result("1", 2, progress=Smiley.GREEN)}
    assert latest_economy(results, "1", 2).economy_status == "Før"
    assert latest_economy(results, "1", 1).round == 1 and latest_economy(results, "2", 2) is None


def test_only_the_formats_asked_for_are_written(tmp_path, texts):
    a = synthetic_agreement(committees=3, elements=2)
    made = write_report_documents(a, None, 1, texts, tmp_path, ("xlsx", "docx"))
    assert [p.name for p in made.docx] == [report_docx_name(a, c.name) for c in a.committees]
    assert made.pdfs == [] and made.route == "" and sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in made.docx)
    with pytest.raises(ValueError, match="ukendt rapportformat: odt"):
        write_report_documents(a, None, 1, texts, tmp_path, ("odt",))


def test_without_libreoffice_the_documents_are_written_and_the_note_says_why_there_is_no_pdf(tmp_path, texts, monkeypatch):
    monkeypatch.setattr(report_documents, "find_soffice", lambda: None)
    a = synthetic_agreement(committees=2, elements=1)
    made = write_report_documents(a, None, 1, texts, tmp_path, ("docx", "pdf"))
    assert len(made.docx) == 2 and made.pdfs == [] and len(made.failed) == 2
    assert made.note.startswith("PDF: LibreOffice er ikke installeret") and "libreoffice-writer-nogui" in made.note


def test_writer_is_known_missing_only_where_calc_is_installed_without_it(tmp_path):
    program = tmp_path / "program" / "soffice"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    assert not writer_missing(str(program))  # an unknown layout: Writer is assumed, the conversion will tell
    (program.parent / "libsclo.so").write_bytes(b"")
    assert writer_missing(str(program))
    (program.parent / "libswlo.so").write_bytes(b"")
    assert not writer_missing(str(program))


def test_the_export_asks_libreoffice_for_tagged_pdf_ua_with_the_title_shown():
    assert WRITER_PDF_FILTER.startswith("pdf:writer_pdf_Export:{")
    for option in ("UseTaggedPDF", "PDFUACompliance", "DisplayPDFDocumentTitle", "ExportBookmarks"):
        assert f'"{option}":{{"type":"boolean","value":"true"}}' in WRITER_PDF_FILTER


# The PDF


def structure(pdf: pikepdf.Pdf) -> list[dict]:
    """The structure tree as nested dicts {type, alt, scope, kids}, custom types mapped to standard ones (RoleMap)."""
    root = pdf.Root.StructTreeRoot
    role_map = {str(k).lstrip("/"): str(v).lstrip("/") for k, v in root.get("/RoleMap", {}).items()}

    def kids(node) -> list[dict]:
        items = node if isinstance(node, pikepdf.Array) else [node]
        out = []
        for item in items:
            if isinstance(item, pikepdf.Dictionary) and "/S" in item:
                kind = str(item.S).lstrip("/")
                attributes = item.get("/A", pikepdf.Array())
                attributes = attributes if isinstance(attributes, pikepdf.Array) else [attributes]
                scope = next((str(a.Scope).lstrip("/") for a in attributes if isinstance(a, pikepdf.Dictionary) and "/Scope" in a), "")
                kind = role_map.get(kind, kind)
                out.append({"type": kind, "alt": str(item.get("/Alt", "")), "scope": scope, "kids": kids(item.get("/K", pikepdf.Array()))})
        return out

    return kids(root.K)


def walk(nodes: list[dict]):
    for n in nodes:
        yield n
        yield from walk(n["kids"])


def test_the_pdf_opens_with_the_title_in_danish_and_is_marked_tagged_and_pdf_ua(seed_pdf):
    with pikepdf.open(seed_pdf) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "da-DK"
        assert str(pdf.docinfo.Title) == SEED_TITLE
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        meta = pdf.open_metadata()
        assert meta.get("dc:title") == SEED_TITLE
        assert meta.get("pdfuaid:part") == "1"  # LibreOffice's PDF/UA mode marks the file as PDF/UA-1


def test_the_pdf_structure_has_one_h1_a_heading_and_a_table_with_header_cells_per_element(seed_pdf, seed_world):
    elements = seed_world["agreement"].elements_of(COMMITTEE)
    with pikepdf.open(seed_pdf) as pdf:
        tree = structure(pdf)
    nodes = list(walk(tree))
    assert [n["type"] for n in nodes].count("H1") == 1
    assert [n["type"] for n in nodes].count("H2") == 2  # Læsevejledning, 5. Erhverv og Beskæftigelse
    tables = [n for n in nodes if n["type"] == "Table"]
    assert len(tables) == len(elements)
    for table in tables:
        head = table["kids"][0]
        assert head["type"] == "TR" and [(c["type"], c["scope"]) for c in head["kids"]] == [("TH", "Column")] * 4
        assert [k["type"] for k in head["kids"][0]["kids"]] == ["H3"]  # the element's heading, in its header cell
        assert {c["type"] for row in table["kids"][1:] for c in row["kids"]} == {"TD"}


def test_everything_on_the_pdfs_pages_is_tagged_content_or_marked_as_page_furniture(seed_pdf):
    """PDF/UA: a screen reader meets every text and line through the tags, or knows to pass it by (the footer)."""
    painting = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Tj", "TJ", "'", '"', "Do", "sh"}
    loose = []
    with pikepdf.open(seed_pdf) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            depth = 0
            for _operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                depth += 1 if op in ("BDC", "BMC") else -1 if op == "EMC" else 0
                if depth == 0 and op in painting:
                    loose.append((number, op))
    assert loose == []


def test_every_picture_in_the_pdf_is_a_figure_with_the_smileys_meaning_as_alt_text(seed_pdf, seed_world):
    with pikepdf.open(seed_pdf) as pdf:
        figures = [n for n in walk(structure(pdf)) if n["type"] == "Figure"]
    assert [f["alt"] for f in figures] == expected_alts(seed_world["agreement"], seed_world["texts"])
    assert all(f["alt"] for f in figures)


def pdf_text(pdf, *options: str) -> str:
    needed_or_skip(shutil.which("pdftotext") is not None, "pdftotext (apt-get install poppler-utils)")
    return normalise(subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True).stdout)


def test_pdftotext_reads_the_element_blocks_in_the_seeds_order(seed_pdf, seed_world):
    elements = seed_world["agreement"].elements_of(COMMITTEE)
    if SEED_PATH is not None:  # the seed's own order
        seed_order = re.findall(r"(?m)^[ \t]*(\d+\.\d+(?:\.\d+)*)\.[ \t]", SEED_PATH.read_text(encoding="utf-8"))
        assert [e.number for e in elements] == seed_order
    for options in ((), ("-raw",)):  # as laid out on the page, and in the order the PDF draws it
        text = pdf_text(seed_pdf, *options)
        starts = [text.find(normalise(f"{e.number}. {e.title}")) for e in elements]
        assert -1 not in starts and starts == sorted(starts), options
        for e, start, end in zip(elements, starts, starts[1:] + [len(text)]):
            first_words = normalise(e.agreement_text)[:60]
            assert start < text.find(first_words, start) < end, (e.number, options)  # each element's text in its own block


@pytest.mark.skipif(SEED_PATH is None, reason="the seed text (shared/seed) is not available")
def test_the_pdf_holds_every_sentence_of_the_seed_in_the_order_it_is_drawn(seed_pdf):
    # -raw: the content stream's order, cell by cell. pdftotext's page layout would join
    # the lines of two cells side by side (a milestone and its round label). Where a line
    # ends at a hyphen ("18-" / "til", "pensions-" / "udgifter") no text can tell a real
    # hyphen from a word broken: compared without hyphens.
    def joined(text: str) -> str:
        return re.sub(r"-\s*", "", text)

    text = joined(pdf_text(seed_pdf, "-raw"))
    assert [f for f in seed_sentences(SEED_PATH) if joined(f) not in text] == []


def test_without_writer_the_pdf_comes_from_the_workbook_by_calc_and_the_note_says_so_once(tmp_path, texts, monkeypatch):
    soffice_or_skip()
    monkeypatch.setattr(report_documents, "writer_missing", lambda program: True)
    a = synthetic_agreement(committees=1, elements=2)
    a = a.with_results(synthetic_answers(a, a.committees[0].name, 1))
    made = write_report_documents(a, None, 1, texts, tmp_path, ("docx", "pdf"))
    assert made.route == CALC and [p.name for p in made.pdfs] == [f"{a.file_stem(a.committees[0].name)}.pdf"]
    assert made.note.count("Writer er ikke installeret") == 1 and "libreoffice-writer-nogui" in made.note
    with pikepdf.open(made.pdfs[0]) as pdf:
        assert pdf.pdf_version  # a PDF all the same


def expected_alts(agreement, texts) -> list[str]:
    """The alternative texts the report should carry, in reading order: the legend's, then each element's smileys."""
    alts = [f"{s.label} smiley" for s in (Smiley.GREEN, Smiley.YELLOW, Smiley.RED, Smiley.GREEN, Smiley.RED)]
    results = agreement.results_index()
    for e in agreement.elements_of(COMMITTEE):
        for r in (1, 2):
            res = results.get((e.number, r))
            if res and res.progress:
                alts.append(f"{res.progress.label} smiley: {texts(guide_key('progress', res.progress))}")
        latest = latest_economy(results, e.number, 2)
        if latest and latest.economy:
            alts.append(f"{latest.economy.label} smiley: {texts(guide_key('economy', latest.economy))}")
    return alts


def test_a_hundred_documents_are_written_in_seconds(tmp_path, texts):
    """A thousand committees' Word reports must not hold up collect (measured: ~20 ms each)."""
    import time

    a = synthetic_agreement(committees=100, elements=10)
    a = a.with_results([r for c in a.committees for r in synthetic_answers(a, c.name, 1)])
    start = time.perf_counter()
    made = write_report_documents(a, None, 1, texts, tmp_path, ("docx",), sync=False)
    took = time.perf_counter() - start
    assert len(made.docx) == 100
    assert took < 30, f"{took:.1f} s for 100 documents"


def test_collect_writes_the_report_formats_finance_picks(tmp_path, master, round1, capsys):
    from workbook_tools.cli import main

    def formats(folder):
        return sorted({p.suffix for p in (folder / "reports").iterdir() if not p.name.startswith(".")})

    assert main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "alle"), "--no-pdf", str(round1)]) == 0
    assert formats(tmp_path / "alle") == [".docx", ".xlsx"]
    assert main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "word"), "--report-format", "docx", str(round1)]) == 0
    assert formats(tmp_path / "word") == [".docx"]
    assert main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "ark"), "--report-format", "xlsx", str(round1)]) == 0
    assert formats(tmp_path / "ark") == [".xlsx"]
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "x"), "--report-format", "word", str(round1)])
    assert stopped.value.code == 2
    assert "vælg blandt xlsx, docx, pdf" in capsys.readouterr().err
