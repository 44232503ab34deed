"""`followup demo`: one whole follow-up year on the 2018 example shipped in the package, rounds 1 to 3."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import FollowupError
from .outfolder import MASTER_NAME, OVERVIEW_NAME, REPORTS_DIR
from .pipeline import collect_round, generate_round
from .resources import EXAMPLE, as_path, data
from .yearfolder import LAYOUT_NAME


class DemoError(FollowupError):
    """The example to run cannot be found."""


@dataclass
class DemoRun:
    """What the demo made: its exit code (as collect's) and the lines to show."""

    exit_code: int = 0
    lines: list[str] = field(default_factory=list)


def run_demo(out: Path | str, example: Path | None = None, pdf: bool = True) -> DemoRun:
    """Generate round 1, collect its returns, generate round 2 from that, collect, generate round 3.

    The example ships inside the package, so the demo runs from any folder of an
    installed tool; `example` names another copy (a folder with master.xlsx and
    returns/round-N/). Each collect also writes the committee reports
    (<out>/round-N/reports/), as PDF too with `pdf` when LibreOffice is installed:
    round 2's is the seed document.
    """
    if example is not None:
        if not (Path(example) / MASTER_NAME).is_file():
            raise DemoError(
                f"eksemplet findes ikke: {Path(example) / MASTER_NAME} mangler. Angiv mappen med master.xlsx og returns/, eller udelad --example."
            )
        return _run(Path(example), Path(out), pdf, str(example))
    with as_path(data().joinpath(EXAMPLE)) as packaged:
        return _run(packaged, Path(out), pdf, "det medfølgende eksempel")


def _run(example: Path, out: Path, pdf: bool, shown: str) -> DemoRun:
    master = example / MASTER_NAME
    # The example's own layout quotes the seed's wording where the factory texts differ from it.
    layout = example / LAYOUT_NAME if (example / LAYOUT_NAME).is_file() else None
    run = DemoRun(lines=[f"Eksempel: {shown} (Aftale om budget 2018, Erhvervs- og Beskæftigelsesudvalget)"])
    for round_number in (1, 2):
        folder = out / f"round-{round_number}"
        made = generate_round(master, round_number, folder / "templates", layout=layout)
        returns = example / "returns" / f"round-{round_number}"
        collected = collect_round(master, round_number, [returns], folder, layout=layout, pdf=pdf)
        run.exit_code = max(run.exit_code, collected.exit_code)
        accepted = sum(1 for c in collected.checks if c.accepted)
        run.lines.append(
            f"Runde {round_number}: {len(made)} skabelon i {folder / 'templates'}; "
            f"{accepted} af {len(collected.checks)} besvarelser godkendt; oversigten: {folder / OVERVIEW_NAME}; "
            f"rapporter: {folder / REPORTS_DIR}"
        )
        run.lines.extend(collected.notes)
        master = folder / MASTER_NAME
    made = generate_round(master, 3, out / "round-3" / "templates", layout=layout)
    run.lines.append(f"Runde 3: {len(made)} skabelon klar til udsendelse i {out / 'round-3' / 'templates'}")
    run.lines.append(f"Masterfilen efter runde 2: {master}")
    documents = sorted(p for p in (out / "round-2" / REPORTS_DIR).glob("*.*") if not p.name.startswith("."))
    if documents:
        run.lines.append("Udvalgsrapporten efter runde 2 (som i eksemplets egen rapport): " + ", ".join(str(p) for p in documents))
    return run
