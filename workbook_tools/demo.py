"""`followup demo`: one whole follow-up year on the bundled 2018 example, rounds 1 to 3."""

from __future__ import annotations

from pathlib import Path

from .committee_report import REPORTS_DIR
from .pipeline import MASTER_NAME, collect_round, generate_round
from .report import OVERVIEW_NAME

EXAMPLE = Path("examples") / "budget-2018"


def find_example(given: Path | None) -> Path:
    candidates = [given] if given else [Path.cwd() / EXAMPLE, Path(__file__).resolve().parent.parent / EXAMPLE]
    for c in candidates:
        if c and (c / MASTER_NAME).is_file():
            return c
    from .cli import UsageError

    where = given or EXAMPLE
    raise UsageError(f"eksemplet findes ikke i {where}. Kør fra projektets mappe, eller angiv --example MAPPE.")


def run_demo(out: Path | str, example: Path | None = None, pdf: bool = True) -> int:
    """Generate round 1, collect its returns, generate round 2 from that, collect, generate round 3.

    Each collect also writes the committee reports (<out>/round-N/reports/), as PDF too with `pdf`
    when LibreOffice is installed: round 2's is the seed document.
    """
    example = find_example(example)
    out = Path(out)
    master = example / MASTER_NAME
    lines = [f"Eksempel: {example} (Aftale om budget 2018, Erhvervs- og Beskæftigelsesudvalget)"]
    worst = 0
    for round_number in (1, 2):
        folder = out / f"round-{round_number}"
        made = generate_round(master, round_number, folder / "templates")
        returns = example / "returns" / f"round-{round_number}"
        run = collect_round(master, round_number, [returns], folder, pdf=pdf)
        worst = max(worst, run.exit_code)
        accepted = sum(1 for c in run.checks if c.accepted)
        lines.append(
            f"Runde {round_number}: {len(made)} skabelon i {folder / 'templates'}; "
            f"{accepted} af {len(run.checks)} svar godkendt; oversigt: {folder / OVERVIEW_NAME}; "
            f"rapporter: {folder / REPORTS_DIR}"
        )
        lines.extend(run.notes)
        master = folder / MASTER_NAME
    made = generate_round(master, 3, out / "round-3" / "templates")
    lines.append(f"Runde 3: {len(made)} skabelon klar til udsendelse i {out / 'round-3' / 'templates'}")
    lines.append(f"Masterfilen efter runde 2: {master}")
    print("\n".join(lines))
    return worst
