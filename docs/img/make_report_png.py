"""Rebuild docs/img/report.png: pages 1 and 2 of the round-2 committee report PDF that `followup demo` makes.

    python docs/img/make_report_png.py

Runs the demo (the 2018 example, rounds 1 and 2) into a scratch folder; its round-2
report PDF is made by LibreOffice Writer from the Word report. Renders the first two
pages with pdftoppm and sets them side by side, as make_template_png.py does.
Needs soffice (with Writer) and pdftoppm on PATH.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_template_png import DPI, ROOT, read_ppm, side_by_side, write_png  # noqa: E402

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
        subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "2", str(pdf), str(folder / "page")], check=True, timeout=120)
        pages = [read_ppm(p) for p in sorted(folder.glob("page-*.ppm"))]
        write_png(OUT, *side_by_side(pages))
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
