"""Benchmark: generate and collect a round at scale, against the floor of reading xlsx.

    python bench/run.py --committees 1000 --elements 50 --returns 1000 [--round N] [--jobs N] [--keep DIR]

Builds an obviously synthetic master ("Udvalg 0001", "Element 1.01"; with --round N,
answers for the rounds before N as well), generates every template of round N, fills R returns the way staff would (values only, in the unlocked cells),
then times on the same files:

* generate, and its floor: a minimal xlsxwriter script writing the same cells;
* collect (validate + merge + all reports), and its floor: python-calamine reading
  every cell value of every return;
* the naive way: pandas.read_excel(engine="openpyxl") of every return, concatenated;
* peak resident memory of collect (measured in a child process).

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the one synthetic agreement, shared with the tests

from synthetic import YEAR, synthetic_agreement  # noqa: E402

from workbook_tools.master import write_master  # noqa: E402
from workbook_tools.model import (  # noqa: E402
    Agreement,
    Smiley,
)
from workbook_tools.sheetplan import ECONOMY, ECONOMY_STATUS, PROGRESS, STATUS, Mode, plan_sheet  # noqa: E402
from workbook_tools.template import template_file_name  # noqa: E402
from workbook_tools.texts import load_texts  # noqa: E402

STATES = (Smiley.GREEN, Smiley.YELLOW, Smiley.RED)


def synthetic_master(committees: int, elements: int, answered_rounds: int = 0) -> Agreement:
    """The tests' synthetic agreement at scale, with every element answered in rounds 1..answered_rounds (a later round's history)."""
    return synthetic_agreement(committees, elements, departments=4, year=YEAR, answered_rounds=answered_rounds)


def answers_for(plan) -> dict[str, str]:
    """A1 ref -> value a person would type, for every input cell of the plan."""
    values = {}
    for k, c in enumerate(plan.inputs()):
        n = int(c.element.split(".")[-1])
        if c.field == PROGRESS:
            values[c.ref] = STATES[n % 3].label
        elif c.field == ECONOMY:
            values[c.ref] = (Smiley.GREEN if n % 2 else Smiley.RED).label
        elif c.field == STATUS:
            values[c.ref] = f"Syntetisk status for {c.element}: arbejdet følger planen, nr. {k}."
        elif c.field == ECONOMY_STATUS:
            values[c.ref] = f"Syntetisk økonomistatus for {c.element}."
    return values


_CELL = re.compile(rb'<c r="([A-Z]+\d+)"([^>]*?)(/>|>.*?</c>)', re.S)


def fill_values(template: Path, out: Path, values: dict[str, str]) -> None:
    """Type values into the unlocked cells: the cell's own XML gets an inline string, nothing else changes."""
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":

                def put(m):
                    ref = m.group(1).decode()
                    if ref not in values:
                        return m.group(0)
                    style = re.search(rb's="\d+"', m.group(2))
                    s = b" " + style.group(0) if style else b""
                    text = escape(values[ref]).encode("utf-8")
                    return b'<c r="' + m.group(1) + b'"' + s + b' t="inlineStr"><is><t xml:space="preserve">' + text + b"</t></is></c>"

                data = _CELL.sub(put, data)
            zout.writestr(info, data)


def floor_generate(agreement: Agreement, round_number: int, texts, out_dir: Path) -> None:
    """The least any generator must do: write the same cells with xlsxwriter, nothing more."""
    import xlsxwriter

    for c in agreement.committees:
        plan = plan_sheet(agreement, c, round_number, texts, Mode.TEMPLATE)
        wb = xlsxwriter.Workbook(str(out_dir / template_file_name(agreement, c.name, round_number)), {"strings_to_formulas": False})
        ws = wb.add_worksheet(plan.sheet_name)
        for cell in plan.cells:
            if cell.value:
                ws.write_string(cell.row, cell.col, cell.value)
        wb.close()


def floor_collect(files: list[Path]) -> int:
    from python_calamine import CalamineWorkbook

    n = 0
    for f in files:
        wb = CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            n += len(wb.get_sheet_by_name(name).to_python())
    return n


def naive(files: list[Path]) -> int:
    import pandas as pd

    frames = [pd.read_excel(f, engine="openpyxl", header=None) for f in files]
    return len(pd.concat(frames, ignore_index=True))


def timed(fn, *args):
    t = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t, result


COLLECT_CHILD = """
import functools, json, resource, sys, time
sys.path.insert(0, {root!r})
import workbook_tools.pipeline as pipeline
phases = {{}}

def timed_phase(name, fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - t
    return run

for name in {phases!r}:
    if hasattr(pipeline, name):
        setattr(pipeline, name, timed_phase(name, getattr(pipeline, name)))
t = time.perf_counter()
run = pipeline.collect_round({master!r}, {round_number}, [{returns!r}], {out!r}, **{kwargs!r})
elapsed = time.perf_counter() - t
# Linux carries a process's peak over exec, so ru_maxrss here would start at the size of
# the bench process that started this one; VmHWM is this program's own peak.
try:
    self_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({{"seconds": elapsed, "rss_kb": max(self_kb, kids_kb), "accepted": sum(c.accepted for c in run.checks),
                  "problems": len(run.problems), "phases": {{k: round(v, 3) for k, v in phases.items()}}}}))
"""
# The steps of collect_round timed separately (each is looked up in workbook_tools.pipeline).
COLLECT_PHASES = (
    "read_master",
    "check_all",
    "merge_returns",
    "write_round_files",
    "write_validation",
    "write_problems",
    "write_report_documents",
    "write_feedback_copies",
    "archive_returns",
)


def collect_in_child(master: Path, round_number: int, returns: Path, out: Path, jobs: int | None) -> dict:
    import inspect

    from workbook_tools.pipeline import collect_round

    params = inspect.signature(collect_round).parameters
    kwargs = {}
    if "jobs" in params:
        kwargs["jobs"] = jobs
    if "pdf" in params:
        kwargs["pdf"] = False
    if "report_formats" in params:  # the report workbooks, as every earlier figure measured; .docx adds ~40 ms a committee
        kwargs["report_formats"] = ("xlsx",)
    code = COLLECT_CHILD.format(
        root=str(ROOT),
        master=str(master),
        round_number=round_number,
        returns=str(returns),
        out=str(out),
        kwargs=kwargs,
        phases=COLLECT_PHASES,
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"collect failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--committees", type=int, default=100)
    p.add_argument("--elements", type=int, default=50)
    p.add_argument("--returns", type=int, default=None, help="how many committees return (default: all)")
    p.add_argument(
        "--round",
        type=int,
        default=1,
        choices=range(1, 5),
        help="the round to generate and collect; the rounds before it are answered in the master (default: 1)",
    )
    p.add_argument("--jobs", type=int, default=None, help="worker processes for collect (default: all cores)")
    p.add_argument("--keep", type=Path, help="leave master.xlsx and returns/ here for re-timing")
    p.add_argument("--skip-naive", action="store_true", help="skip the slow pandas/openpyxl baseline")
    args = p.parse_args(argv)
    returns_n = min(args.returns or args.committees, args.committees)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="followup-bench-"))
    if args.keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    texts = load_texts()
    t0 = time.perf_counter()
    agreement = synthetic_master(args.committees, args.elements, args.round - 1)
    master = write_master(agreement, work / "master.xlsx")
    build_master_s = time.perf_counter() - t0

    from workbook_tools.pipeline import generate_round

    templates = work / "templates"
    generate_s, _ = timed(generate_round, master, args.round, templates)
    floor_dir = Path(tempfile.mkdtemp(prefix="followup-floor-"))
    generate_floor_s, _ = timed(floor_generate, agreement, args.round, texts, floor_dir)
    shutil.rmtree(floor_dir)

    returns = work / "returns"
    returns.mkdir()
    t0 = time.perf_counter()
    files = []
    for c in agreement.committees[:returns_n]:
        plan = plan_sheet(agreement, c, args.round, texts, Mode.TEMPLATE)
        name = template_file_name(agreement, c.name, args.round)
        fill_values(templates / name, returns / name, answers_for(plan))
        files.append(returns / name)
    fill_s = time.perf_counter() - t0
    if not args.keep:
        shutil.rmtree(templates)

    collect_floor_s, _ = timed(floor_collect, files)
    out = work / "out"
    child = collect_in_child(master, args.round, returns, out, args.jobs)
    collect_s = child["seconds"]
    naive_s = None if args.skip_naive else timed(naive, files)[0]

    result = {
        "returns": returns_n,
        "committees": args.committees,
        "elements_per_committee": args.elements,
        "round": args.round,
        "jobs": args.jobs or os.cpu_count(),
        "generate_s": round(generate_s, 3),
        "generate_floor_s": round(generate_floor_s, 3),
        "collect_s": round(collect_s, 3),
        "collect_floor_s": round(collect_floor_s, 3),
        "naive_s": round(naive_s, 3) if naive_s is not None else None,
        "peak_rss_mb": round(child["rss_kb"] / 1024, 1),
        "accepted": child["accepted"],
        "collect_phases_s": child["phases"],
        "mean_return_kb": round(sum(f.stat().st_size for f in files) / len(files) / 1024, 1),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
    }
    rows = [
        ("build master (setup)", build_master_s, None),
        ("fill returns (setup)", fill_s, None),
        ("generate", generate_s, generate_floor_s),
        ("generate floor (xlsxwriter, same cells)", generate_floor_s, None),
        ("collect (validate+merge+reports)", collect_s, collect_floor_s),
        ("collect floor (calamine, all values)", collect_floor_s, None),
    ]
    if naive_s is not None:
        rows.append(("naive pandas+openpyxl", naive_s, collect_s))
    print(
        f"\n{returns_n} returns × {args.elements} elements, {args.committees} committees, round {args.round}, jobs={result['jobs']}, "
        f"{result['mean_return_kb']} KB a return, Python {result['python']}, {result['cores']} cores"
    )
    print(f"{'step':<42}{'seconds':>10}{'ratio':>10}")
    for name, secs, base in rows:
        ratio = f"{secs / base:.2f}×" if base else ""
        print(f"{name:<42}{secs:>10.3f}{ratio:>10}")
    print(f"{'peak RSS of collect':<42}{result['peak_rss_mb']:>9.1f}M")
    print("collect, step by step: " + ", ".join(f"{name} {secs:.2f} s" for name, secs in child["phases"].items()))
    print(f"accepted {child['accepted']} of {returns_n}; {child['problems']} problems reported")
    if args.keep:
        print(f"kept: {work}/master.xlsx and {work}/returns/")
    else:
        shutil.rmtree(work)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
