"""The example data (examples/budget-2018/seed_data.py) is a complete, faithful
transcription of the seed report."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

try:
    from seed_text import (
        SEED_PATH,
        normalise,
        seed_sentences,
        seed_smiley_guide,
        seed_smileys,
        split_fragments,
    )
except ImportError:  # tests/ imported as a package
    from tests.seed_text import (
        SEED_PATH,
        normalise,
        seed_sentences,
        seed_smiley_guide,
        seed_smileys,
        split_fragments,
    )

from workbook_tools.model import (
    ECONOMY_STATES,
    PROGRESS_STATES,
    SMILEY_LOOKS,
    Agreement,
    BudgetKind,
    Result,
    Smiley,
)
from workbook_tools.texts import guide_key, load_texts

REPO = Path(__file__).resolve().parents[1]
SEED_DATA = REPO / "examples" / "budget-2018" / "seed_data.py"
# The example's own layout: the factory texts, with the seed's wording where the seed's differs.
EXAMPLE_TEXTS = load_texts(REPO / "examples" / "budget-2018" / "layout.xlsx")


def guide(state: Smiley, kind: str) -> str:
    """The reading guide's definition of `state` on "progress" or "economy", as the example's layout writes it."""
    if kind == "economy" and state not in ECONOMY_STATES:
        return ""
    return EXAMPLE_TEXTS(guide_key(kind, state))


ORDINALS_DA = {1: "Første", 2: "Anden", 3: "Tredje", 4: "Endelig"}
MONTHS_DA = ("januar februar marts april maj juni juli august september oktober november december").split()
HEADINGS = ("Læsevejledning", "Definition af smileys på indsats:", "Definition af smileys på økonomi")


def _load_seed_data():
    spec = importlib.util.spec_from_file_location("budget_2018_seed_data", SEED_DATA)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


data = _load_seed_data()
AGREEMENT: Agreement = data.AGREEMENT
RETURNS: dict[int, list[Result]] = data.RETURNS


@pytest.fixture(scope="module")
def seed() -> Path:
    if SEED_PATH is None:
        pytest.skip(
            "seed report not found: set FOLLOWUP_SEED or place it at ../shared/seed/000_b414e4a587953cae.txt next to the repository"
        )
    if not Path(SEED_PATH).is_file():
        pytest.skip(f"seed report not found at FOLLOWUP_SEED={SEED_PATH}")
    return Path(SEED_PATH)


def danish_date(d) -> str:
    return f"{d.day}. {MONTHS_DA[d.month - 1]} {d.year}"


def data_texts() -> list[str]:
    """Every text of the example data, as the element blocks and returns carry them."""
    texts: list[str] = []
    for e in AGREEMENT.elements:
        texts += [e.agreement_text, e.contributors, e.supplementary_text, e.economy_text]
        texts += list(e.milestones)
    for results in RETURNS.values():
        for r in results:
            texts += [r.status, r.economy_status]
    return [t for t in texts if t]


def report_texts() -> list[str]:
    """All text a report of round 2 for the committee shows, header fields included."""
    a = AGREEMENT
    texts: list[str] = []
    for c in a.committees:
        texts += [f"{ORDINALS_DA[2]} opfølgning på {a.title} for {c.name}", c.name, c.area]
        texts.append(f"{c.section}. {c.area}")
    texts += list(HEADINGS)
    texts += [a.title, a.guide_progress, a.guide_economy]
    for state in SMILEY_LOOKS:
        texts += [guide(state, "progress"), guide(state, "economy")]
    texts += [a.office, a.office.upper(), a.phone, a.email, a.contact, a.case_number]
    texts.append(danish_date(a.date))
    texts += [r.label for r in a.rounds]
    texts += [d.name for d in a.departments]
    for e in a.elements:
        texts += [f"{e.number}. {e.title}", e.committee, e.department, e.budget_kind.value]
    texts += data_texts()
    return [t for t in texts if t]


def test_nine_elements_in_seed_order():
    assert [e.number for e in AGREEMENT.elements] == [
        "5.01",
        "5.02",
        "5.08.1",
        "5.08.2",
        "5.08.3",
        "5.09",
        "5.10",
        "5.11",
        "5.13",
    ]
    for e in AGREEMENT.elements:
        assert e.committee == "Erhvervs- og Beskæftigelsesudvalget"
        assert e.budget_kind is BudgetKind.OPERATING
        assert len(e.milestones) == 4
        assert e.department in {d.name for d in AGREEMENT.departments}


def test_header_and_rounds():
    a = AGREEMENT
    assert (a.year, a.title, a.office) == (2018, "Aftale om budget 2018", "Økonomi og Styring")
    assert danish_date(a.date) == "4. juli 2018"
    assert [r.label for r in a.rounds] == [
        "1. budgetopfølgning 2018",
        "2. budgetopfølgning 2018",
        "3. budgetopfølgning 2018",
        "31.12.2018",
    ]
    assert [r.number for r in a.rounds] == [1, 2, 3, 4]
    assert all(r.deadline is None for r in a.rounds)
    assert a.results == ()
    assert [c.name for c in a.committees] == ["Erhvervs- og Beskæftigelsesudvalget"]


def test_every_round_1_and_2_result_has_both_smileys():
    assert sorted(RETURNS) == [1, 2]
    numbers = [e.number for e in AGREEMENT.elements]
    for round_number, results in RETURNS.items():
        assert [r.element for r in results] == numbers
        for r in results:
            assert r.round == round_number
            assert r.progress in PROGRESS_STATES, (r.element, round_number)
            assert r.economy in ECONOMY_STATES, (r.element, round_number)
    assert isinstance(data.SMILEY_NOTE, str) and data.SMILEY_NOTE


def test_every_seed_fragment_is_in_the_data(seed):
    fragments = seed_sentences(seed)
    assert len(fragments) > 100
    everything = normalise("\n\n".join(report_texts()))
    missing = [f for f in fragments if f not in everything]
    assert not missing, "seed text missing from the example data:\n" + "\n".join(missing)


def test_no_data_text_is_foreign_to_the_seed(seed):
    seed_text = normalise(seed.read_text(encoding="utf-8"))
    foreign = [f for t in data_texts() for f in split_fragments(normalise(t)) if f not in seed_text]
    foreign += [t for t in (AGREEMENT.guide_progress, AGREEMENT.guide_economy) if normalise(t) not in seed_text]
    assert not foreign, "text not in the seed:\n" + "\n".join(foreign)


def test_smileys_match_the_symbols_the_seed_kept(seed):
    # The reading guide fixes what each Wingdings symbol means.
    seed_guide = seed_smiley_guide(seed)
    meaning = {}
    for glyph, definitions in seed_guide.items():
        states = [s for s in SMILEY_LOOKS if guide(s, "progress") == definitions[0]]
        assert len(states) == 1, f"reading-guide text matches no smiley: {definitions[0]!r}"
        meaning[glyph] = states[0]
    assert set(meaning.values()) == {Smiley.GREEN, Smiley.YELLOW, Smiley.RED}

    shown = {key: meaning[g] for key, g in seed_smileys(seed).items()}
    assert shown == data.SMILEYS_FROM_SEED
    index = {(r.element, r.round): r for rs in RETURNS.values() for r in rs}
    for (element, round_number, kind), state in shown.items():
        assert getattr(index[(element, round_number)], kind) is state, (element, round_number, kind)
    # Every other smiley is marked as illustrative.
    for r in index.values():
        for kind in ("progress", "economy"):
            key = (r.element, r.round, kind)
            assert key in data.SMILEYS_FROM_SEED or key in data.ILLUSTRATIVE_SMILEYS, key


def rebuilt_seed() -> str:
    """The seed's text rebuilt from the data by its layout: the header, then per
    element "Milepæl ‹milestone› [Status: ‹status›] ‹round label›" for the four
    rounds and "Økonomi ‹text› [Status: ‹economy status›]" (round 2's, the report's)."""
    a = AGREEMENT
    (c,) = a.committees
    states = (Smiley.GREEN, Smiley.YELLOW, Smiley.RED)
    parts = [
        f"{ORDINALS_DA[2]} opfølgning på {a.title} for {c.name}",
        "Læsevejledning",
        a.guide_progress,
        "Definition af smileys på indsats:",
        *[guide(s, "progress") for s in states],
        a.guide_economy,
        "Definition af smileys på økonomi",
        *[guide(s, "economy") for s in states],
        a.office.upper(),
        f"Dato: {danish_date(a.date)}",
        f"Tlf. dir.: {a.phone}",
        f"E-mail: {a.email}",
        f"Kontakt: {a.contact}",
        f"Sagsid: {a.case_number}",
        f"{c.section}. {c.area}",
    ]
    index = {(r.element, r.round): r for rs in RETURNS.values() for r in rs}
    for e in a.elements_of(c.name):
        parts += [
            f"{e.number}. {e.title}",
            f"Drift {EXAMPLE_TEXTS('col_time')} Smiley",
            e.agreement_text,
            f"Ansvarligt center: {e.department}",
            f"Ansvarligt udvalg: {e.committee}",
            f"Væsentlig bidragsyder: {e.contributors}",
            e.supplementary_text,
        ]
        for n in (1, 2, 3, 4):
            r = index.get((e.number, n))
            parts.append(f"Milepæl {e.milestone(n)}")
            if r and r.status:
                parts.append(f"Status: {r.status}")
            parts.append(a.round(n).label)
        parts.append(f"Økonomi {e.economy_text}")
        r2 = index.get((e.number, 2))
        if r2 and r2.economy_status:
            parts.append(f"Status: {r2.economy_status}")
    return normalise("\n".join(p for p in parts if p))


def test_data_laid_out_by_the_reading_rule_rebuilds_the_seed(seed):
    """Every text sits in the right field and round: laid out the way the PDF reads,
    the data gives the seed's text word for word (smiley symbols and page marker aside)."""
    expected = normalise(seed.read_text(encoding="utf-8")).split()
    got = rebuilt_seed().split()
    for i, (g, x) in enumerate(zip(got, expected)):
        if g != x:
            pytest.fail(
                f"word {i}: data has {g!r}, seed has {x!r}\n"
                f"  data: …{' '.join(got[max(0, i - 12) : i + 8])}…\n"
                f"  seed: …{' '.join(expected[max(0, i - 12) : i + 8])}…"
            )
    assert len(got) == len(expected)
