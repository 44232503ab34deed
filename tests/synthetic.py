"""Obviously synthetic agreements ("Udvalg 07", "Element 7.03"): the one builder for the tests and the bench (bench/run.py)."""

from __future__ import annotations

from datetime import date

from workbook_tools.model import (
    Agreement,
    BudgetKind,
    Committee,
    Department,
    Element,
    Result,
    Round,
    Smiley,
    default_round_label,
)

YEAR = 2031


def synthetic_agreement(
    committees: int = 2, elements: int = 3, departments: int = 2, year: int = YEAR, answered_rounds: int = 0
) -> Agreement:
    """`committees` committees "Udvalg 01…", each with `elements` elements "Element 1.01…".

    With `answered_rounds`, every element has a full answer for rounds 1 to that one:
    a later round's history, as the bench times it.
    """
    width = max(2, len(str(committees)))  # "Udvalg 0001" at a thousand, so names sort as numbers
    cs = tuple(
        Committee(f"Udvalg {i:0{width}d}", str(i), f"Område {i:0{width}d}", (f"udvalg{i:0{width}d}@example.invalid",))
        for i in range(1, committees + 1)
    )
    ds = tuple(Department(f"Center {d}", (f"center{d}@example.invalid",)) for d in range(1, departments + 1))
    es = tuple(
        Element(
            number=f"{i}.{j:02d}",
            title=f"Element {i}.{j:02d}",
            committee=cs[i - 1].name,
            budget_kind=BudgetKind.OPERATING if j % 3 else BudgetKind.CAPITAL,
            agreement_text=f"Aftaletekst for element {i}.{j:02d}.\n\nAndet afsnit for {i}.{j:02d}.",
            department=f"Center {(j - 1) % departments + 1}",
            contributors="Center 9" if j % 2 else "",
            supplementary_text=f"Uddybning af {i}.{j:02d}." if j % 2 else "",
            economy_text=f"Der er afsat {j},5 mio. kr. i {year}.",
            milestones=tuple(f"Milepæl {r} for element {i}.{j:02d}" if (r + j) % 4 else "" for r in range(1, 5)),
        )
        for i in range(1, committees + 1)
        for j in range(1, elements + 1)
    )
    rounds = tuple(Round(r, default_round_label(r, year), date(year, 3 * r, 15)) for r in range(1, 5))
    agreement = Agreement(
        year=year,
        title=f"Aftale om budget {year}",
        office="Økonomi (syntetisk)",
        date=date(year, 7, 4),
        phone="0000 0000",
        email="okonomi@example.invalid",
        contact="Kontakt Testperson",
        case_number="00.00.00-S00-0-00",
        guide_progress="Syntetisk læsevejledning om indsats.\n\nAndet afsnit.",
        guide_economy="Syntetisk læsevejledning om økonomi.",
        rounds=rounds,
        committees=cs,
        departments=ds,
        elements=es,
    )
    if not answered_rounds:
        return agreement
    return agreement.with_results([r for n in range(1, answered_rounds + 1) for c in cs for r in synthetic_answers(agreement, c.name, n)])


CYCLE = (Smiley.GREEN, Smiley.YELLOW, Smiley.RED)


def synthetic_answers(agreement: Agreement, committee: str, round_number: int, department: str = "") -> list[Result]:
    """A full, valid set of answers: every smiley chosen, a status text for each element."""
    out = []
    for k, e in enumerate(agreement.elements_of(committee)):
        if department and e.department != department:
            continue
        progress = CYCLE[(k + round_number) % 3]
        economy = Smiley.GREEN if (k + round_number) % 2 else Smiley.RED
        out.append(
            Result(
                element=e.number,
                round=round_number,
                progress=progress,
                status=f"Status for {e.number} i runde {round_number}.",
                economy=economy,
                economy_status=f"Økonomistatus for {e.number} i runde {round_number}.",
            )
        )
    return out
