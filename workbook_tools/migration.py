"""Read a return made from an older template version by element number, or say why that is not safe.

A template version changes its layout; finance may still receive last version's
templates. Their answers are found by each element's number and labels instead of
by cell, and only when every element and this round's rows are found without doubt:
anything less could put an answer on the wrong element, so the return is refused.

A template made from an earlier master, before finance added or removed an
element, is matched by element number too: its own layout is rebuilt from the
return's element blocks and must give the template's digest
(:func:`plan_as_made`, :func:`holds_digest`); then the answers of the elements it
shares with today's master are read (:func:`from_earlier_master`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from .model import ECONOMY_STATES, PROGRESS_STATES, Element
from .problems import Problem
from .returncheck import CollectContext, ReturnCheck
from .sheetplan import (
    COL_LABEL,
    COL_SMILEY,
    COL_TEXT,
    COL_TIME,
    ECONOMY,
    ECONOMY_STATUS,
    PROGRESS,
    STATUS,
    Mode,
    PlannedCell,
    Role,
    SheetPlan,
    content_digest,
    normalise_value,
    plan_sheet,
)
from .sheetvalues import heading_rows, value_at
from .template import TEMPLATE_VERSION

# An element's number as a heading shows it ("1.01", "5.08.2"), its full stop taken off.
ELEMENT_NUMBER = re.compile(r"\d+(\.\d+)+")


def migrate(check: ReturnCheck, ctx: CollectContext, plan: SheetPlan, values: list[list]) -> list[PlannedCell] | None:
    """An older template version: find the answers by element number, or reject with the reason.

    Safe means: the version is older than ours, every element of the plan is there
    under its number with its title, no element the master does not know, and this
    round's milestone row (with its milestone text), status row and economy row
    are found by their labels. Anything less and the answers could land on the
    wrong element, so the return is rejected.
    """
    cells, reason = _locate_inputs_by_number(plan, values, ctx)
    version = check.template_version or "?"
    if reason is None and not (version.isdigit() and int(version) < int(TEMPLATE_VERSION)):
        reason = "versionen er nyere end værktøjets eller ukendt"
    if reason is not None:
        check.problems.append(
            Problem(
                "old-template-not-migratable",
                check.name,
                check.committee,
                sheet=check.sheet_name,
                expected=TEMPLATE_VERSION,
                found=version,
                detail=reason,
            )
        )
        return None
    check.migrated = True
    check.problems.append(
        Problem("old-template-version", check.name, check.committee, sheet=check.sheet_name, expected=TEMPLATE_VERSION, found=version)
    )
    return cells


def _locate_inputs_by_number(plan: SheetPlan, values: list[list], ctx: CollectContext) -> tuple[list[PlannedCell], str | None]:
    """For an older template layout: each element's input cells found by its number and labels."""
    headings = heading_rows(values)
    agreement = ctx.agreement
    round_label = agreement.round(ctx.round).label
    milestone, status = ctx.texts("milestone_label"), ctx.texts("status_label")
    economy_status = ctx.texts("economy_status_label")
    by_number = {e.number: e for e in agreement.elements}
    extra = sorted(n for n in headings if n not in plan.element_rows and ELEMENT_NUMBER.fullmatch(n))
    if extra:
        return [], "indsats " + ", ".join(extra) + " står ikke i masterfilen for dette udvalg"
    missing = [n for n in plan.element_rows if n not in headings]
    if missing:
        return [], "indsats " + ", ".join(missing) + " findes ikke"
    cells: list[PlannedCell] = []
    for number in plan.element_rows:
        start = headings[number]
        element = by_number[number]
        if normalise_value(value_at(values, start, COL_TEXT)) != normalise_value(element.title):
            return [], f"indsats {number} har en anden titel end i masterfilen"
        end = min([r for r in headings.values() if r > start] + [len(values)])
        found: dict[str, PlannedCell] = {}
        for r in range(start + 1, end):
            label, when = normalise_value(value_at(values, r, COL_LABEL)), normalise_value(value_at(values, r, COL_TIME))
            if when != round_label:
                continue
            if label in (milestone, economy_status) and (PROGRESS if label == milestone else ECONOMY) in found:
                return [], f"indsats {number} har to rækker for {round_label}"
            if label == milestone:
                if normalise_value(value_at(values, r, COL_TEXT)) != normalise_value(element.milestone(ctx.round)):
                    return [], f"milepælen for indsats {number} er ikke den samme som i masterfilen"
                found[PROGRESS] = PlannedCell(
                    r, COL_SMILEY, "", "input_smiley", Role.INPUT, number, PROGRESS, ctx.round, states=PROGRESS_STATES
                )
                if normalise_value(value_at(values, r + 1, COL_LABEL)) == status:
                    found[STATUS] = PlannedCell(r + 1, COL_TEXT, "", "input_text", Role.INPUT, number, STATUS, ctx.round)
            elif label == economy_status:
                found[ECONOMY] = PlannedCell(
                    r, COL_SMILEY, "", "input_smiley", Role.INPUT, number, ECONOMY, ctx.round, states=ECONOMY_STATES
                )
                found[ECONOMY_STATUS] = PlannedCell(r, COL_TEXT, "", "input_text", Role.INPUT, number, ECONOMY_STATUS, ctx.round)
        if len(found) != 4:
            missing = [f for f in (PROGRESS, STATUS, ECONOMY, ECONOMY_STATUS) if f not in found]
            return [], f"felterne {', '.join(missing)} for indsats {number} er ikke fundet"
        cells.extend(found[f] for f in (PROGRESS, STATUS, ECONOMY, ECONOMY_STATUS))
    return cells, None


def plan_as_made(ctx: CollectContext, plan: SheetPlan, values: list[list]) -> SheetPlan | None:
    """The plan of the template this return was made from, when finance has since added or removed elements.

    The elements are the return's own, in its order, each laid out as its block in
    the return shows (with or without agreement and supplementary text); the rest of
    the sheet as today's master gives it. None when the return holds the same
    elements as today's plan: then no element changed and this does not apply. Only
    the cells' places matter here; whether the return is intact is for the
    template's digest to say (:func:`holds_digest`).
    """
    headings = {n: r for n, r in heading_rows(values).items() if ELEMENT_NUMBER.fullmatch(n)}
    numbers = sorted(headings, key=headings.get)
    if not numbers or set(numbers) == set(plan.element_rows):
        return None
    elements = tuple(_element_in_return(values, headings[n], n, plan) for n in numbers)
    made = replace(ctx.agreement, elements=elements)
    return plan_sheet(made, ctx.agreement.committee(plan.committee), ctx.round, ctx.texts, Mode.TEMPLATE, plan.department, measure=False)


def _element_in_return(values: list[list], heading: int, number: str, plan: SheetPlan) -> Element:
    # Only the block's rows matter for the places of its cells: an unlabelled text row after
    # the heading is the agreement text, one after the three label rows the supplementary text.
    def unlabelled_text(row: int) -> str:
        return "x" if value_at(values, row, COL_LABEL) is None and value_at(values, row, COL_TEXT) is not None else ""

    agreement_text = unlabelled_text(heading + 1)
    supplementary = unlabelled_text(heading + 1 + (1 if agreement_text else 0) + 3)
    return Element(
        number,
        str(value_at(values, heading, COL_TEXT) or ""),
        plan.committee,
        agreement_text=agreement_text,
        department=plan.department,
        supplementary_text=supplementary,
    )


def holds_digest(plan: SheetPlan, values: list[list], digest: str) -> bool:
    """Does the return hold, in the plan's locked cells, exactly the content the digest was made of?"""
    return bool(digest) and content_digest((c.ref, value_at(values, c.row, c.col)) for c in plan.fixed()) == digest


def from_earlier_master(check: ReturnCheck, ctx: CollectContext, plan: SheetPlan, made: SheetPlan) -> tuple[list[PlannedCell], SheetPlan]:
    """A return intact against its template from an earlier master: the input cells of the elements both share.

    An element added to the master since is not in the template (a warning: send a
    template for it, or type its answers into the master); one removed since has its
    answers left out (info). Returns the input cells to read and the plan whose
    elements get a result.
    """
    today = set(plan.element_rows)
    for number in plan.element_rows:
        if number not in made.element_rows:
            check.problems.append(Problem("element-not-in-template", check.name, check.committee, element=number, sheet=check.sheet_name))
    for number in made.element_rows:
        if number not in today:
            check.problems.append(
                Problem("element-removed-from-master", check.name, check.committee, element=number, sheet=check.sheet_name)
            )
    shared = replace(made, element_rows={n: r for n, r in made.element_rows.items() if n in today})
    return [c for c in made.inputs() if c.element in today], shared
