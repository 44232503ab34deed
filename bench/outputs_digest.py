"""A digest of every file the tool writes for the example and a small bench round, to prove a refactor changed no byte.

    python bench/outputs_digest.py DIR > before.txt     # on the old code
    python bench/outputs_digest.py DIR > after.txt      # on the new code, same DIR
    diff before.txt after.txt                           # nothing: the outputs are the same

Runs `followup demo --no-pdf` (the 2018 example, rounds 1-3) and `followup collect`
of the bench's synthetic round 2 (30 committees) into DIR, then prints one line per
file: its path under DIR and its SHA-256. The bench's returns are made once, in
DIR/inputs, and reused by every later run: a template carries a fresh id each time
it is generated, by design, so generated templates (and their manifests) are left
out, and so are PDFs (LibreOffice stamps them) and what records the moment of the
run (the archive index, the send logs).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARYING = {".pdf"}
VARYING_NAMES = {"index.json", "sendlog.jsonl", ".pdf-kilder.json", "manifest.json"}
FOLLOWUP = [sys.executable, "-m", "workbook_tools"]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    inputs = out / "inputs"
    if not (inputs / "returns").is_dir():
        bench = [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--committees",
            "30",
            "--elements",
            "8",
            "--round",
            "2",
            "--skip-naive",
            "--keep",
            str(inputs),
        ]
        subprocess.run(bench, check=True, stdout=subprocess.DEVNULL)
    outputs = out / "outputs"
    shutil.rmtree(outputs, ignore_errors=True)
    quiet = {"check": False, "stdout": subprocess.DEVNULL}
    subprocess.run([*FOLLOWUP, "demo", "--no-pdf", "--out", str(outputs / "demo")], **quiet)
    subprocess.run(
        [
            *FOLLOWUP,
            "collect",
            "--no-pdf",
            "--quiet",
            str(inputs / "master.xlsx"),
            "--round",
            "2",
            "--out",
            str(outputs / "bench"),
            str(inputs / "returns"),
        ],
        **quiet,
    )
    for path in sorted(p for p in outputs.rglob("*") if p.is_file()):
        if path.suffix in VARYING or path.name in VARYING_NAMES or "templates" in path.relative_to(outputs).parts:
            continue
        print(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(outputs).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
