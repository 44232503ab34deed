"""Rebuild docs/img/report.png: pages 1 and 2 of the round-2 committee report PDF that `followup demo` makes.

    python docs/img/make_report_png.py

Runs the demo (the 2018 example, rounds 1 and 2) into a scratch folder; its round-2
report PDF is made by LibreOffice Writer from the Word report. Renders the first two
pages with pdftoppm and sets them side by side, as make_template_png.py does.
Needs soffice (with Writer) and pdftoppm on PATH.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_template_png import ROOT, first_two_pages_as_png  # noqa: E402

OUT = HERE / "report.png"
REPORT = Path("round-2") / "reports" / "Erhvervs-og-Beskæftigelsesudvalget.pdf"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from workbook_tools.demo import run_demo

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run_demo(folder / "demo")
        pdf = folder / "demo" / REPORT
        if not pdf.is_file():
            raise SystemExit("the demo made no PDF: is LibreOffice (with Writer) installed?")
        first_two_pages_as_png(pdf, OUT)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
