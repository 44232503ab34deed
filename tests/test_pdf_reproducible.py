"""A collect with PDFs gives the same bytes twice: LibreOffice's dates and random /ID are normalised.

LibreOffice stamps every PDF with the moment it made it and a random identifier; the
tool dates each PDF with the fixed date of all its outputs and identifies it by a hash
of its content, in place (every value keeps its length), so the PDF stays valid.
"""

from __future__ import annotations

from datetime import datetime

import pikepdf
from conftest import soffice_or_skip

from workbook_tools.pdfstamp import reproducible_pdf
from workbook_tools.pipeline import collect_round
from workbook_tools.xlsxio import FIXED_CREATED


def files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_clean_collects_with_pdfs_write_every_file_byte_for_byte_the_same(master, round1, tmp_path):
    soffice_or_skip()
    first, second = tmp_path / "first", tmp_path / "second"
    collect_round(master, 1, [round1], first, jobs=1)
    collect_round(master, 1, [round1], second, jobs=1)
    a, b = files(first), files(second)
    pdfs = [k for k in a if k.endswith(".pdf")]
    assert pdfs, "LibreOffice made no PDF"
    assert set(a) == set(b)
    assert [k for k in a if a[k] != b[k]] == []
    for rel in pdfs:
        with pikepdf.open(first / rel) as pdf:
            assert pdf.check_pdf_syntax() == [] and pdf.get_warnings() == [], rel
            assert str(pdf.docinfo["/CreationDate"]).startswith("D:20000101000000")
            ident = bytes(pdf.trailer.ID[0])
            assert ident == bytes(pdf.trailer.ID[1]) and ident != bytes(len(ident))


def test_the_stamp_keeps_every_length_so_the_cross_reference_offsets_hold():
    made = (
        b"%PDF-1.7\n1 0 obj<</CreationDate(D:20261206223757+01'00')/ModDate(D:20261206223757+01'00')>>endobj\n"
        b"2 0 obj<</Length 60>>stream\n<xmp:CreateDate>2026-12-06T22:37:57+01:00</xmp:CreateDate>\nendstream endobj\n"
        b"trailer<</ID [ <8651EB1BA3C42F71BECA70D068F6DBBC>\n<8651EB1BA3C42F71BECA70D068F6DBBC> ]\n/DocChecksum /DCD3B18C95BC05916E4BC6FD3D7A2270>>\n%%EOF\n"
    )
    again = made.replace(b"223757", b"101010").replace(b"22:37:57", b"10:10:10").replace(b"8651EB", b"123456")
    fixed = reproducible_pdf(made, FIXED_CREATED)
    assert len(fixed) == len(made)
    assert fixed == reproducible_pdf(again, FIXED_CREATED), "the dates and the random id are all that differed"
    assert b"(D:20000101000000+01'00')" in fixed and b"<xmp:CreateDate>2000-01-01T00:00:00+01:00<" in fixed
    assert reproducible_pdf(made.replace(b"obj<<", b"obj<< "), FIXED_CREATED) != fixed, "other content gives another /ID"
    assert reproducible_pdf(made, datetime(2031, 3, 1)) != fixed
