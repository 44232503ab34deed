"""Merge validated returns into one round's results.

Only what validated is merged. The same template sent twice is merged once; a
newer copy from the same sender replaces an older one; two returns that answer
the same element differently hold that element back until finance picks one
(``--prefer FILE``). Whatever has no accepted answer is listed as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from .collect import ReturnCheck
from .model import Agreement, Result
from .problems import Problem

ACCEPTED = "accepted"
REJECTED = "rejected"
DUPLICATE = "duplicate"
SUPERSEDED = "superseded"
CONFLICT = "conflict"


@dataclass
class MergeOutcome:
    results: list[Result] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # return name -> one of the states above
    expected_units: list[tuple[str, str]] = field(default_factory=list)  # (committee, department)
    received_units: set[tuple[str, str]] = field(default_factory=set)
    accepted_units: set[tuple[str, str]] = field(default_factory=set)
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # element -> return names


def _answer(r: Result) -> tuple:
    return (r.progress, r.status.strip(), r.economy, r.economy_status.strip())


def _time(check: ReturnCheck) -> datetime:
    t = check.document_time
    if t is None:
        return datetime.min.replace(tzinfo=UTC)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def merge_returns(
    agreement: Agreement,
    round_number: int,
    checks: list[ReturnCheck],
    prefer: list[str] | None = None,
    expected_units: list[tuple[str, str]] | None = None,
) -> MergeOutcome:
    """Decide which answers count, and say why for every return that does not."""
    out = MergeOutcome()
    prefer_names = set(prefer or [])
    for c in checks:
        out.status[c.name] = ACCEPTED if c.accepted else REJECTED
        if c.committee:
            out.received_units.add((c.committee, c.department))
    live = [c for c in checks if c.accepted]

    # The same template twice: identical bytes, or an older copy from the same hand.
    by_id: dict[str, list[ReturnCheck]] = {}
    for c in live:
        by_id.setdefault(c.template_id or c.sha256, []).append(c)
    kept: list[ReturnCheck] = []
    for group in by_id.values():
        group.sort(key=lambda c: (_time(c), c.name))
        seen_sha: dict[str, ReturnCheck] = {}
        distinct = []
        for c in group:
            if c.sha256 in seen_sha:
                out.status[c.name] = DUPLICATE
                out.problems.append(Problem("duplicate-return", c.name, c.committee, detail=seen_sha[c.sha256].name))
            else:
                seen_sha[c.sha256] = c
                distinct.append(c)
        by_author: dict[str, list[ReturnCheck]] = {}
        for c in distinct:
            by_author.setdefault(c.modified_by, []).append(c)
        for versions in by_author.values():
            newest = versions[-1]
            preferred = [v for v in versions if v.name in prefer_names]
            if preferred:
                newest = preferred[-1]
            for old in versions:
                if old is not newest:
                    out.status[old.name] = SUPERSEDED
                    out.problems.append(Problem("superseded-return", old.name, old.committee, detail=newest.name))
            kept.append(newest)

    # Per element: every kept return that answers it must agree, or one be preferred.
    answers: dict[str, list[tuple[ReturnCheck, Result]]] = {}
    for c in kept:
        for r in c.results:
            if not r.is_empty:
                answers.setdefault(r.element, []).append((c, r))
    merged: list[Result] = []
    for element, given in answers.items():
        distinct_answers = {_answer(r) for _, r in given}
        if len(distinct_answers) == 1:
            merged.append(given[-1][1])
            continue
        preferred = [(c, r) for c, r in given if c.name in prefer_names]
        if preferred:
            merged.append(preferred[-1][1])
            continue
        names = [c.name for c, _ in given]
        out.conflicts[element] = names
        for c, _ in given:
            out.status[c.name] = CONFLICT
            others = ", ".join(n for n in names if n != c.name)
            out.problems.append(Problem("conflicting-return", c.name, c.committee, element, detail=f"{c.name} og {others}"))
    out.results = merged
    for c in kept:
        if out.status[c.name] in (ACCEPTED, CONFLICT):
            out.accepted_units.add((c.committee, c.department))

    # Who and what is missing.
    if expected_units is None:
        expected_units = infer_expected_units(agreement, checks)
    out.expected_units = expected_units
    for committee, department in expected_units:
        if (committee, department) not in out.accepted_units and not _covered(committee, department, out.accepted_units):
            who = committee + (f" – {department}" if department else "")
            out.problems.append(Problem("missing-return", committee=committee, detail=who))
    answered = {r.element for r in merged if r.progress is not None}
    for e in agreement.elements:
        if e.number not in answered and e.number not in out.conflicts:
            out.problems.append(Problem("missing-answer", committee=e.committee, element=e.number, detail=e.committee))
    return out


def _covered(committee: str, department: str, accepted: set[tuple[str, str]]) -> bool:
    # A committee-wide return covers its departments, and all departments cover the committee.
    if department:
        return (committee, "") in accepted
    return False


def infer_expected_units(agreement: Agreement, checks: list[ReturnCheck]) -> list[tuple[str, str]]:
    """Per committee, unless returns show that a committee was split per department."""
    split = {c.committee for c in checks if c.department}
    units = []
    for committee in agreement.committees:
        elements = agreement.elements_of(committee.name)
        if not elements:
            continue
        if committee.name in split:
            units.extend((committee.name, d) for d in sorted({e.department for e in elements}))
        else:
            units.append((committee.name, ""))
    return units
