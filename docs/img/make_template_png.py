"""Rebuild docs/img/template.png: the 2018 example's round-2 template as LibreOffice prints it.

    python docs/img/make_template_png.py

Generates the template (round 1 answered, so its smileys show in colour), prints it
to PDF with headless LibreOffice, renders the first two pages with pdftoppm and sets
them side by side: page 1 holds the header and reading guide, page 2 the first
element with this round's input boxes. Needs soffice and pdftoppm on PATH.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).with_name("template.png")
DPI = 70
GAP = 12  # pixels between the pages
BACKGROUND = (0xD9, 0xD9, 0xD9)

sys.path.insert(0, str(ROOT))
from workbook_tools.template import write_template  # noqa: E402
from workbook_tools.texts import load_texts  # noqa: E402


def seed_data():
    spec = importlib.util.spec_from_file_location("seed_data", ROOT / "examples" / "budget-2018" / "seed_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def to_pdf(xlsx: Path, folder: Path) -> Path:
    profile = (folder / "profile").as_uri()
    cmd = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(xlsx)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=120)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    pdf = folder / (xlsx.stem + ".pdf")
    if not pdf.is_file():  # soffice exits 0 even when the conversion failed
        raise SystemExit(f"LibreOffice did not print {xlsx}")
    return pdf


def read_ppm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    fields, i = [], 2
    while len(fields) < 3:
        while data[i : i + 1].isspace():
            i += 1
        start = i
        while not data[i : i + 1].isspace():
            i += 1
        fields.append(int(data[start:i]))
    width, height, _ = fields
    return width, height, data[i + 1 : i + 1 + width * height * 3]


def write_png(path: Path, width: int, height: int, rgb: bytes) -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride : (y + 1) * stride] for y in range(height))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    path.write_bytes(png)


def side_by_side(pages: list[tuple[int, int, bytes]]) -> tuple[int, int, bytes]:
    height = max(h for _, h, _ in pages) + 2 * GAP
    width = sum(w for w, _, _ in pages) + GAP * (len(pages) + 1)
    fill = bytes(BACKGROUND)
    rows = []
    for y in range(height):
        row = bytearray(fill * GAP)
        for w, h, rgb in pages:
            py = y - GAP
            row += rgb[py * w * 3 : (py + 1) * w * 3] if 0 <= py < h else fill * w
            row += fill * GAP
        rows.append(bytes(row))
    return width, height, b"".join(rows)


def first_two_pages_as_png(pdf: Path, out: Path) -> None:
    """Pages 1 and 2 of `pdf`, rendered by pdftoppm and set side by side in `out` (shared with make_report_png.py)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "2", str(pdf), str(Path(tmp) / "page")], check=True, timeout=120)
        write_png(out, *side_by_side([read_ppm(p) for p in sorted(Path(tmp).glob("page-*.ppm"))]))


def main() -> None:
    for tool in ("soffice", "pdftoppm"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed")
    seed = seed_data()
    agreement = seed.AGREEMENT.with_results(seed.RETURNS[1])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        xlsx = folder / "template.xlsx"
        write_template(
            agreement, agreement.committees[0], 2, xlsx, load_texts(), template_id="readme", generated_at="2018-05-15T08:00:00+00:00"
        )
        first_two_pages_as_png(to_pdf(xlsx, folder), OUT)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
