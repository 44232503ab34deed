"""The committee report's accessible PDF: its Word document exported by LibreOffice Writer as tagged PDF.

A report the municipality publishes with a meeting's agenda falls under the Danish
web accessibility act (EN 301 549 / WCAG 2.1 AA). Writer keeps what the Word
document (:mod:`report_docx`) says about itself: the language, the title, the
headings (H1 for the title, H2, H3 for each element), the tables with their header
row (TH) and each smiley's alternative text (Figure /Alt). The export options ask
for tagged PDF with LibreOffice's PDF/UA mode, the title shown as the window title
and bookmarks from the headings; see docs/reports.md for what is and is not checked.

The conversion is :func:`libreoffice.convert_to_pdf`'s, with its own profile,
scratch folder, timeout and process-group kill; only the filter differs. A
LibreOffice without Writer (Debian's libreoffice-calc-nogui alone) cannot read a
.docx: :func:`writer_missing` says so before a run is spent finding out.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from .libreoffice import PLATFORM, Conversion, convert_to_pdf, install_hint

# LibreOffice's PDF export options (filter data), by the names of its PDF export dialog.
PDF_EXPORT_OPTIONS = {
    "UseTaggedPDF": True,  # a structure tree: headings, tables, figures, reading order
    "PDFUACompliance": True,  # PDF/UA-1: marks the file as such and has LibreOffice check what it can
    "DisplayPDFDocumentTitle": True,  # the viewer's window shows the title, not the file name
    "ExportBookmarks": True,  # the headings as the PDF's outline
}
# --convert-to with the options as JSON, as LibreOffice reads them since 7.4.
WRITER_PDF_FILTER = "pdf:writer_pdf_Export:" + json.dumps(
    {name: {"type": "boolean", "value": "true" if on else "false"} for name, on in PDF_EXPORT_OPTIONS.items()}, separators=(",", ":")
)
WRITER_INSTALL_HINT = "apt-get install libreoffice-writer-nogui"
# Writer's and Calc's libraries as LibreOffice installs them on Linux, Windows and macOS.
_WRITER_LIBRARIES = ("libswlo.so", "swlo.dll", "libswlo.dylib")
_CALC_LIBRARIES = ("libsclo.so", "sclo.dll", "libsclo.dylib")


def convert_reports_to_pdf(
    files: list[Path | str], out_dir: Path | str, timeout: float | None = None, soffice: str | None = None
) -> Conversion:
    """Tagged PDF of each Word report in `files`, into `out_dir` (same stem, .pdf), in one Writer run.

    A PDF made from the very same document by the same LibreOffice with the same
    options is kept (see convert_to_pdf's `reuse`). Never raises for a missing
    LibreOffice or a failed conversion: the result says what happened.
    """
    return convert_to_pdf(files, out_dir, timeout=timeout, soffice=soffice, reuse=True, pdf_filter=WRITER_PDF_FILTER)


def writer_missing(program: str) -> bool:
    """True when the LibreOffice of `program` surely has no Writer: Calc's library is installed beside it and Writer's is not.

    Where neither is found (another layout, a wrapper script, a build that merges its
    libraries) Writer is assumed to be there, and a failed conversion tells.
    """
    try:
        real = os.path.realpath(shutil.which(program) or program)
    except (OSError, TypeError):
        return False
    here = Path(real).parent
    folders = [here, here.parent / "Frameworks"]  # macOS keeps the libraries apart from the program

    def has(names: tuple[str, ...]) -> bool:
        return any((folder / name).is_file() for folder in folders for name in names)

    return has(_CALC_LIBRARIES) and not has(_WRITER_LIBRARIES)


def writer_install_hint(platform: str = PLATFORM) -> str:
    """How to get Writer on the system finance runs: on Debian its own package, elsewhere LibreOffice itself."""
    return WRITER_INSTALL_HINT if platform.startswith("linux") else install_hint(platform)
