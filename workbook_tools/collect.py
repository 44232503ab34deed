"""Check one returned workbook, step by step, as a careful finance officer would.

What the file really is, whose template it is, whether anything locked was
changed (even with the protection removed and put back), and whether the answers
are valid: :func:`check_return` runs those steps in order, each from its own
module, and stops at the first that leaves nothing more to check. The template
is re-derived from the master, so collecting needs no generation folder.

Nothing here raises for a bad file: everything wrong becomes a
:class:`~workbook_tools.problems.Problem`. Input files are only ever read, and
each is read once into memory: the bytes that are hashed are the bytes checked.
Values come from python-calamine; protection, validations and formulas from a
targeted scan of a few XML parts. No openpyxl here: it is twenty times slower.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace

from .answers import read_answers
from .deadline import check_late
from .filekind import sniff_bytes
from .identity import check_template_id, identify
from .inbox import Incoming, brief_error, kind_problem, read_return
from .integrity import check_formulas, check_locked, check_rows, check_sheets, find_sheet, outdated
from .migration import from_earlier_master, holds_digest, migrate, plan_as_made
from .ooxml import number_format, read_parts, text_length
from .problems import Problem
from .protection import check_protection
from .returncheck import CollectContext, Facts, ReturnCheck
from .sheetvalues import as_shown
from .template import META_SHEET, TEMPLATE_VERSION
from .zipguard import check_zip_limits


def check_return(incoming: Incoming, ctx: CollectContext) -> ReturnCheck:
    """Check one returned workbook. Never raises: a failure becomes a problem."""
    check = ReturnCheck(incoming=incoming)
    try:
        _check(check, ctx)
    except Exception as exc:  # a reader library choking on a hostile file
        check.problems.append(Problem("broken-workbook", incoming.name, check.committee, detail=brief_error(exc)))
        check.results = []
    if check.department:  # every finding of a per-department return names its department
        check.problems = [p if p.department else replace(p, department=check.department) for p in check.problems]
    return check


def _check(check: ReturnCheck, ctx: CollectContext) -> None:
    inc = check.incoming
    add = check.problems.append
    # What the file is: read once, hashed, judged by its bytes, screened before any parser.
    data = read_return(inc)
    if isinstance(data, Problem):
        add(data)
        return
    check.sha256 = hashlib.sha256(data).hexdigest()
    check.kind = sniff_bytes(data)
    not_ours = kind_problem(check.kind, data, inc.name)
    if not_ours is not None:
        add(not_ours)
        return
    members: dict[str, bytes] = {}  # every part, inflated once by the limit check and read from here
    unsafe = check_zip_limits(io.BytesIO(data), keep=members)
    if unsafe:
        add(Problem("unsafe-workbook", inc.name, detail=unsafe))
        return
    parts = read_parts(members, unscanned=META_SHEET)
    check.modified, check.modified_by = parts.modified, parts.modified_by

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    # Whose it is, and which sheet holds the answers.
    identity = identify(check, parts, book, ctx)
    if identity is None:
        return
    plan = ctx.plan(check.committee, check.department)
    sheet = find_sheet(check, parts, book, plan)
    if not sheet:
        return
    check.sheet_name = sheet
    values = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    check_sheets(check, parts)
    check_template_id(check, ctx, plan, values)
    # Nothing locked changed: rows, locked cells, formulas (an older version: its answers found by number).
    formulas = parts.formula_cells.get(sheet, {})
    answered = plan  # the plan whose elements get a result
    if check.template_version == TEMPLATE_VERSION:
        facts = ctx.facts(plan)
        cells = facts.inputs
        digest = identity.get("digest", "")
        matches = facts.matches(values)
        made = None if matches or digest == facts.digest else plan_as_made(ctx, plan, values)
        if matches:
            check_formulas(check, plan, facts, formulas, values)
        elif made is not None and holds_digest(made, values, digest):
            # Made before finance added or removed an element, and intact: the shared elements' answers count.
            outdated(check, made, facts, values, digest)
            cells, answered = from_earlier_master(check, ctx, plan, made)
            check_formulas(check, made, Facts(made), formulas, values)
        elif not outdated(check, plan, facts, values, digest):
            if not check_rows(check, plan, facts, values):
                return
            check_locked(check, plan, facts, values, formulas)
    else:
        cells = migrate(check, ctx, plan, values)
        if cells is None:
            return
    check_protection(check, parts, cells)
    # The answers, and when they came.
    read_answers(
        check,
        ctx,
        answered,
        values,
        cells,
        formulas,
        lambda ref: text_length(members, parts, sheet, ref),
        lambda ref, value: as_shown(value, number_format(members, parts, sheet, ref)),
    )
    check_late(check, ctx)
