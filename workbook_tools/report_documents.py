"""A run's committee reports as Word documents and accessible PDF: what `collect` writes after the workbooks.

:func:`write_report_documents` writes ``reports/<committee>.docx`` (:mod:`report_docx`)
and its tagged PDF ``reports/<committee>.pdf`` (:mod:`report_pdf`) for every committee
with elements, as finance chose them (``formats``). Where LibreOffice has no Writer the
PDF is made the way it was before, from the report workbook by Calc, and the note
says so once: a PDF a committee can read beats none, and finance learns what to install.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .committee_report import report_committees, write_committee_pdfs
from .libreoffice import Conversion, find_soffice, hint_for_pdf
from .model import Agreement, Committee
from .report_docx import report_docx_name, write_report_docx
from .report_pdf import convert_reports_to_pdf, writer_install_hint, writer_missing
from .texts import Texts
from .workers import map_in_processes

REPORT_FORMATS = ("xlsx", "docx", "pdf")  # the workbook is the pipeline's own (committee_report)
WRITER, CALC = "writer", "calc"  # how the PDFs were made


@dataclass
class ReportDocuments:
    """What write_report_documents made: the Word documents, the PDFs (and how), what failed, and a note for people."""

    docx: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # PDFs already made from the same document, left as they were
    failed: list[Path] = field(default_factory=list)  # PDFs that could not be made
    route: str = ""  # WRITER, CALC, or "" when no PDF was asked for or none could be made
    note: str = ""

    @property
    def written(self) -> list[Path]:
        """Every file this run wrote or kept, as the collect summary lists them."""
        return [*self.docx, *self.pdfs, *self.kept]


def write_report_documents(
    agreement: Agreement,
    committees: list[str] | None,
    round_number: int,
    texts: Texts,
    folder: Path | str,
    formats: tuple[str, ...] | list[str] | set[str] = ("docx", "pdf"),
    timeout: float | None = None,
    jobs: int | None = 1,
    sync: bool = True,
    soffice: str | None = None,
) -> ReportDocuments:
    """The reports of `committees` (None: all with elements) after `round_number` in `folder`, in `formats`.

    "docx" writes the Word documents; "pdf" the tagged PDF made from them (from a
    scratch copy when "docx" is not asked for); "xlsx" is left to the caller, who
    writes the workbooks. `sync=False` leaves flushing the documents to the caller.
    """
    unknown = set(formats) - set(REPORT_FORMATS)
    if unknown:
        raise ValueError(f"ukendt rapportformat: {', '.join(sorted(unknown))} (kendte: {', '.join(REPORT_FORMATS)})")
    folder = Path(folder)
    chosen = report_committees(agreement, committees)
    result = ReportDocuments()
    if "docx" in formats:
        result.docx = _write_all(agreement, round_number, texts, folder, chosen, jobs, sync)
    if "pdf" not in formats or not chosen:
        return result
    program = soffice or find_soffice()
    if not program:
        result.failed = _pdfs(agreement, folder, chosen)
        result.note = f"PDF: LibreOffice er ikke installeret, så rapporterne er skrevet uden PDF ({hint_for_pdf(writer_install_hint())})."
        return result
    if writer_missing(program):
        return _by_calc(result, agreement, round_number, texts, folder, chosen, timeout, jobs)
    if result.docx:
        conversion = convert_reports_to_pdf(result.docx, folder, timeout=timeout, soffice=program)
    else:
        with tempfile.TemporaryDirectory(prefix="followup-docx-") as scratch:
            sources = _write_all(agreement, round_number, texts, Path(scratch), chosen, jobs, sync=False)
            conversion = convert_reports_to_pdf(sources, folder, timeout=timeout, soffice=program)
    result.pdfs, result.kept, result.route, result.note = conversion.pdfs, conversion.kept, WRITER, conversion.note
    result.failed = _failed_pdfs(folder, conversion)
    return result


def _by_calc(
    result: ReportDocuments, agreement, round_number, texts, folder: Path, chosen: list[Committee], timeout, jobs
) -> ReportDocuments:
    """Today's PDF, from the report workbook by Calc, when Writer is missing: said once, with what to install."""
    conversion = write_committee_pdfs(agreement, round_number, texts, folder, [c.name for c in chosen], timeout=timeout, jobs=jobs)
    result.pdfs, result.kept, result.route = conversion.pdfs, conversion.kept, CALC
    result.failed = _failed_pdfs(folder, conversion)
    result.note = (
        "PDF: LibreOffice Writer er ikke installeret, så PDF'erne er lavet af regnearksudgaven af rapporterne, "
        f"uden overskrifter og alternativ tekst til skærmlæsere ({hint_for_pdf(writer_install_hint(), 'den tilgængelige PDF')})."
    )
    if conversion.note:
        result.note += " " + conversion.note
    return result


def _failed_pdfs(folder: Path, conversion: Conversion) -> list[Path]:
    """The PDFs a conversion could not make, by the names they would have had in `folder`."""
    return [folder / f"{f.stem}.pdf" for f in conversion.failed]


def _pdfs(agreement: Agreement, folder: Path, chosen: list[Committee]) -> list[Path]:
    return [folder / f"{agreement.file_stem(c.name)}.pdf" for c in chosen]


def _write_all(agreement, round_number, texts, folder: Path, chosen: list[Committee], jobs, sync) -> list[Path]:
    return map_in_processes(_write_one, (agreement, round_number, texts, folder, sync), chosen, jobs=jobs)


def _write_one(shared, committee: Committee) -> Path:
    agreement, round_number, texts, folder, sync = shared
    return write_report_docx(agreement, committee, round_number, texts, folder / report_docx_name(agreement, committee.name), sync=sync)
