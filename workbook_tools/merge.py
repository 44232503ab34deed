"""Merge validated returns into one round's results.

Pure over the checks: no file is read or written here, so finance's own scripts
and the tests can call it with any list of :class:`~workbook_tools.returncheck.ReturnCheck`.

Only what validated is merged. The rules, in order:

1. The same file twice (same bytes) is merged once; the copy is *info*.
2. Two different versions of the same template from the same sender: the newer by
   document time wins, the older is *superseded* (a warning); both stay archived.
   If the newer one was rejected, the older accepted one is used and finance is told.
3. Returns from different templates or senders (per-department workbooks, a
   forwarded copy) that answer the same element differently are a *conflict*: that
   element is merged from neither until finance names the file to trust
   (``--prefer FILE``). Their other answers still merge.
4. A rejected return is *replaced* when a return of the same committee (and
   department) that is newer is accepted: its problems are history (info), one
   info line says by which file, and it no longer counts as rejected.
5. Whoever (committee or department) and whatever (element) has no accepted answer
   is listed as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .danish import long_datetime
from .deadline import local_time
from .model import ECONOMY, ECONOMY_STATUS, PROGRESS, STATUS, Agreement, Result, unit_name
from .problems import Problem, Severity
from .returncheck import ReturnCheck

ACCEPTED = "accepted"
REJECTED = "rejected"
DUPLICATE = "duplicate"
SUPERSEDED = "superseded"
CONFLICT = "conflict"

_FIELDS = (
    (PROGRESS, "Smiley indsats"),
    (STATUS, "Status"),
    (ECONOMY, "Smiley økonomi"),
    (ECONOMY_STATUS, "Status økonomi"),
)


@dataclass
class MergeOutcome:
    results: list[Result] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # return name -> one of the states above
    expected_units: list[tuple[str, str]] = field(default_factory=list)  # (committee, department)
    accepted_units: set[tuple[str, str]] = field(default_factory=set)
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # element -> return names
    replaced: dict[str, str] = field(default_factory=dict)  # rejected return name -> the accepted return that replaced it


def _values(r: Result) -> dict[str, object]:
    return {PROGRESS: r.progress, STATUS: r.status.strip(), ECONOMY: r.economy, ECONOMY_STATUS: r.economy_status.strip()}


def _answer(r: Result) -> tuple:
    return tuple(_values(r).values())


def _show(field_name: str, value) -> str:
    if value is None or value == "":
        return "(tom)"
    if field_name in (PROGRESS, ECONOMY):
        return value.label
    text = str(value)
    return f"'{text if len(text) <= 60 else text[:59] + '…'}'"


def _describe(r: Result, fields: list[str]) -> str:
    labels = dict(_FIELDS)
    values = _values(r)
    return "; ".join(f"{labels[f]} {_show(f, values[f])}" for f in fields)


def _utc(t: datetime | None) -> datetime:
    # A time to compare by: none is the earliest, one without a zone is taken as UTC.
    if t is None:
        return datetime.min.replace(tzinfo=UTC)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _time(check: ReturnCheck) -> datetime:
    return _utc(check.document_time)


def match_prefer(prefer: list[str], checks: list[ReturnCheck]) -> tuple[set[str], list[str]]:
    """Which returns `--prefer` names: by name as shown, by path, or by a file name that is unique.

    Returns (matched return names, prefer entries that matched nothing).
    """
    matched: set[str] = set()
    unmatched: list[str] = []
    for pref in prefer:
        p = Path(pref)
        hits = [c.name for c in checks if c.name == pref or c.incoming.origin == pref or _same_file(c.incoming.path, p)]
        if not hits:
            hits = [c.name for c in checks if Path(c.name).name == p.name]
            if len(hits) > 1:
                hits = []
        if hits:
            matched.update(hits)
        else:
            unmatched.append(pref)
    return matched, unmatched


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.resolve() == b.resolve()
    except OSError:
        return False


def merge_returns(
    agreement: Agreement,
    round_number: int,
    checks: list[ReturnCheck],
    prefer: list[str] | None = None,
    expected_units: list[tuple[str, str]] | None = None,
) -> MergeOutcome:
    """Decide which answers count, and say why for every return that does not."""
    out = MergeOutcome()
    prefer_names, unmatched = match_prefer(list(prefer or []), checks)
    for pref in unmatched:
        out.problems.append(Problem("prefer-not-found", detail=pref))
    for c in checks:
        out.status[c.name] = ACCEPTED if c.accepted else REJECTED
    live = [c for c in checks if c.accepted]

    # The same template twice: identical bytes, or another version from the same hand.
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
                out.problems.append(
                    Problem(
                        "duplicate-return",
                        c.name,
                        c.committee,
                        department=c.department,
                        found=c.sha256[:16],
                        detail=seen_sha[c.sha256].name,
                    )
                )
            else:
                seen_sha[c.sha256] = c
                distinct.append(c)
        by_author: dict[str, list[ReturnCheck]] = {}
        for c in distinct:
            by_author.setdefault(c.author, []).append(c)
        for versions in by_author.values():
            preferred = [v for v in versions if v.name in prefer_names]
            newest = preferred[-1] if preferred else versions[-1]
            for old in versions:
                if old is not newest:
                    out.status[old.name] = SUPERSEDED
                    out.problems.append(_beside("superseded-return", old, newest))
            kept.append(newest)

    # A newer version from the same sender that was rejected: the older one stands, but say so.
    for bad in checks:
        if bad.accepted or not bad.template_id:
            continue
        for c in kept:
            if c.template_id == bad.template_id and c.author == bad.author and _time(bad) > _time(c):
                out.problems.append(_beside("newer-return-rejected", c, bad))

    # Per element: every kept return that answers it must agree, or one be preferred.
    answers: dict[str, list[tuple[ReturnCheck, Result]]] = {}
    for c in kept:
        for r in c.results:
            if not r.is_empty:
                answers.setdefault(r.element, []).append((c, r))
    merged: list[Result] = []
    for element, given in answers.items():
        if len({_answer(r) for _, r in given}) == 1:
            merged.append(given[-1][1])
            continue
        preferred = [(c, r) for c, r in given if c.name in prefer_names]
        if preferred:
            merged.append(preferred[-1][1])
            continue
        differing = [f for f, _label in _FIELDS if len({_values(r)[f] for _, r in given}) > 1]
        out.conflicts[element] = [c.name for c, _ in given]
        for c, r in given:
            out.status[c.name] = CONFLICT
            others = "; ".join(f"{o.name} ({_describe(orr, differing)})" for o, orr in given if o is not c)
            out.problems.append(
                Problem(
                    "conflicting-return",
                    c.name,
                    c.committee,
                    element,
                    c.sheet_name,
                    c.cells.get((element, differing[0]), ""),
                    found=_describe(r, differing),
                    detail=others,
                    department=c.department,
                    field=differing[0],
                )
            )
    out.results = merged
    for c in kept:
        if out.status[c.name] in (ACCEPTED, CONFLICT):
            out.accepted_units.add((c.committee, c.department))
    _replace_rejected(out, checks, kept)

    # Who and what is missing; an answer already in the master for this round counts.
    if expected_units is None:
        expected_units = infer_expected_units(agreement, checks)
    out.expected_units = expected_units
    for committee, department in expected_units:
        if (committee, department) not in out.accepted_units and not _covered(committee, department, out.accepted_units):
            who = unit_name(committee, department)
            out.problems.append(Problem("missing-return", committee=committee, department=department, detail=who))
    answered = {r.element for r in merged if r.progress is not None}
    answered |= {r.element for r in agreement.results if r.round == round_number and r.progress is not None}
    for e in agreement.elements:
        if e.number not in answered and e.number not in out.conflicts:
            out.problems.append(
                Problem("missing-answer", committee=e.committee, element=e.number, department=e.department, detail=e.committee)
            )
    return out


def _replace_rejected(out: MergeOutcome, checks: list[ReturnCheck], kept: list[ReturnCheck]) -> None:
    # A rejected return followed by an accepted one of the same committee and department: the fixed one counts.
    for bad in checks:
        if bad.accepted or not bad.committee:
            continue
        newer = [
            c
            for c in kept
            if out.status[c.name] in (ACCEPTED, CONFLICT)
            and (c.committee, c.department) == (bad.committee, bad.department)
            and _later(c, bad)
        ]
        if not newer:
            continue
        by = newer[-1]
        out.status[bad.name] = SUPERSEDED
        out.replaced[bad.name] = by.name
        errors = sum(1 for p in bad.problems if p.severity is Severity.ERROR)
        out.problems.append(
            Problem("rejected-return-replaced", bad.name, bad.committee, department=bad.department, found=str(errors), detail=by.name)
        )


def _later(a: ReturnCheck, b: ReturnCheck) -> bool:
    # By document time, then by arrival: two files saved in the same minute are told apart by when they came.
    return (_time(a), _utc(a.incoming.received)) > (_time(b), _utc(b.incoming.received))


def _beside(code: str, check: ReturnCheck, other: ReturnCheck) -> Problem:
    # A problem of `check` against another version of its template, `other`: each named with its time.
    return Problem(
        code, check.name, check.committee, department=check.department, expected=_stamp(other), found=_stamp(check), detail=other.name
    )


def _stamp(check: ReturnCheck) -> str:
    t = check.document_time
    return f"{check.name} ({long_datetime(local_time(t))})" if t else check.name


def _covered(committee: str, department: str, accepted: set[tuple[str, str]]) -> bool:
    # A committee-wide return covers its departments.
    return bool(department) and (committee, "") in accepted


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
