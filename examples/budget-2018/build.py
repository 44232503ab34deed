"""Build the example's master.xlsx and the returned workbooks from seed_data.py.

    python examples/budget-2018/build.py

The returns are made the way staff make them: the tool generates the round's
template, and the seed's answers are typed into its unlocked cells (through
openpyxl, a second writer). Round 2's template shows round 1's answers.

The package ships a copy for `followup demo` (workbook_tools/data/example-2018/);
this script refreshes it, and tests/test_yearfolder.py checks the two agree.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGED = HERE.parent.parent / "workbook_tools" / "data" / "example-2018"
_spec = importlib.util.spec_from_file_location("seed_data", HERE / "seed_data.py")
seed_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed_data)

sys.path.insert(0, str(HERE.parent.parent / "tests"))  # the tests' kit that types answers as staff do
from fill_kit import fill_template  # noqa: E402

from workbook_tools.master import write_master  # noqa: E402
from workbook_tools.template import template_file_name, write_template  # noqa: E402
from workbook_tools.texts import load_texts, write_layout_file  # noqa: E402

# Fixed identities keep the committed files reproducible.
GENERATED = {1: "2018-03-01T08:00:00+00:00", 2: "2018-05-15T08:00:00+00:00"}


def build() -> None:
    agreement = seed_data.AGREEMENT
    layout = write_layout_file(HERE / "layout.xlsx", danish=seed_data.SEED_WORDING)
    texts = load_texts(layout)
    write_master(agreement, HERE / "master.xlsx")
    planned = agreement
    for round_number, answers in sorted(seed_data.RETURNS.items()):
        committee = agreement.committees[0]
        folder = HERE / "returns" / f"round-{round_number}"
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            template = Path(tmp) / "template.xlsx"
            write_template(
                planned,
                committee,
                round_number,
                template,
                texts,
                template_id=f"budget-2018-{committee.section}-round-{round_number}",
                generated_at=GENERATED[round_number],
            )
            out = folder / template_file_name(agreement, committee.name, round_number)
            fill_template(template, out, planned, committee.name, round_number, answers, texts, author="Arbejdsmarked")
        _fix_times(out)
        planned = planned.with_results(answers)
        print(f"wrote {out.relative_to(HERE)}")
    print(f"wrote master.xlsx ({len(agreement.elements)} elements)")
    shutil.rmtree(PACKAGED, ignore_errors=True)
    shutil.copytree(HERE, PACKAGED, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    print(f"copied to {PACKAGED.relative_to(HERE.parent.parent)} for followup demo")


def _fix_times(path: Path) -> None:
    # openpyxl stamps the save time; pin it so a rebuild gives the same bytes.
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.properties.created = datetime(2018, 1, 1)
    wb.save(path)
    # openpyxl writes the time of saving as "modified" whatever is set: pinned in the zip itself,
    # with each member's own date, so a rebuild gives the same bytes.
    with zipfile.ZipFile(path) as z:
        members = [(info.filename, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2018-06-01T00:00:00Z", data)
            z.writestr(zipfile.ZipInfo(name, date_time=(2018, 6, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    build()
