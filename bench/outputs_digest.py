"""A digest of every file the tool writes for the example and a small bench round, to prove a refactor changed no byte.

    python bench/outputs_digest.py DIR > before.txt     # on the old code
    python bench/outputs_digest.py DIR > after.txt      # on the new code
    diff before.txt after.txt                           # nothing: the outputs are the same

Runs `followup demo --no-pdf` (the 2018 example, rounds 1-3) and the bench's synthetic
round 2 (30 committees, fixed content) into DIR, then prints one line per file:
its path under DIR and its SHA-256. PDFs are left out (LibreOffice stamps them), and
so is what records the moment of the run (the archive index, the send logs).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARYING = {".pdf"}
VARYING_NAMES = {"index.json", "sendlog.jsonl", ".pdf-kilder.json"}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "workbook_tools", "demo", "--no-pdf", "--out", str(out / "demo")], check=True, stdout=subprocess.DEVNULL)
    bench = [sys.executable, str(ROOT / "bench" / "run.py"), "--committees", "30", "--elements", "8", "--round", "2", "--skip-naive", "--keep", str(out / "bench")]
    subprocess.run(bench, check=True, stdout=subprocess.DEVNULL)
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        if path.suffix in VARYING or path.name in VARYING_NAMES:
            continue
        print(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(out).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
