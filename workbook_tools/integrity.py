"""Find what a sender changed that the template locks: sheets, rows, locked cells and formulas.

Values are compared, not protection flags, so an edit is found even when the
protection was removed and put back. A moved row is one finding, not the hundreds
of cell changes it causes; a master changed after the templates went out is told
apart from a sender's edit by the template's own digest.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from xlsxwriter.utility import xl_rowcol_to_cell

from .migration import holds_digest
from .ooxml import Parts
from .problems import Problem
from .returncheck import Facts, ReturnCheck
from .sheetplan import COL_LABEL, Role, SheetPlan, normalise_value
from .sheetvalues import as_text, heading_rows, split_ref, value_at
from .template import META_SHEET

# The summary sheet of an annotated feedback copy (feedback.py); a copy sent back fixed is still accepted.
FEEDBACK_SHEET = "Tilbagemelding"
# Cells typed outside the template that are listed one by one; the rest are counted in one more problem.
MAX_CELLS_LISTED = 50
# Added names and rules quoted in their one warning; the rest are counted.
MAX_FORMULAS_LISTED = 5

# A sheet's state as the file says it, in the words of Danish Excel (Skjul / Vis); "veryHidden" has no menu.
SHEET_STATE_WORDS = {"visible": "vist", "hidden": "skjult", "veryHidden": "skjult, så det ikke kan vises fra Excels menu"}


def find_sheet(check: ReturnCheck, parts: Parts, book, plan: SheetPlan) -> str:
    """The follow-up sheet's name in this file: the plan's, or the one sheet it was renamed to; "" when missing."""
    if plan.sheet_name in parts.sheet_names:
        return plan.sheet_name
    others = [s for s in parts.sheet_names if s not in (META_SHEET, FEEDBACK_SHEET)]
    holding = []
    for s in others:
        try:
            rows = book.get_sheet_by_name(s).to_python(skip_empty_area=False)
        except Exception:
            continue
        if set(plan.element_rows) <= set(heading_rows(rows)):
            holding.append(s)
    if len(holding) == 1:
        check.problems.append(
            Problem("sheet-renamed", check.name, check.committee, sheet=holding[0], expected=plan.sheet_name, found=holding[0])
        )
        return holding[0]
    found = ", ".join(f"'{s}'" for s in parts.sheet_names) or "ingen ark"
    check.problems.append(
        Problem("sheet-missing", check.name, check.committee, expected=plan.sheet_name, found=found, detail="fandt " + found)
    )
    return ""


def check_sheets(check: ReturnCheck, parts: Parts) -> None:
    """Sheets added, the follow-up sheet hidden, the hidden sheet shown, links to other files: warnings."""
    inc = check.incoming
    add = check.problems.append
    expected = {check.sheet_name, META_SHEET, FEEDBACK_SHEET}
    extra = [s for s in parts.sheet_names if s not in expected]
    if extra:
        add(
            Problem(
                "sheet-added-or-removed",
                inc.name,
                check.committee,
                found=", ".join(extra),
                detail="ekstra ark: " + ", ".join(f"'{s}'" for s in extra),
            )
        )
    state = parts.sheet_states.get(check.sheet_name, "visible")
    if state != "visible":
        add(
            Problem(
                "sheet-hidden",
                inc.name,
                check.committee,
                sheet=check.sheet_name,
                expected=SHEET_STATE_WORDS["visible"],
                found=SHEET_STATE_WORDS.get(state, state),
                detail=check.sheet_name,
            )
        )
    if parts.sheet_states.get(META_SHEET) == "visible":
        add(
            Problem(
                "sheet-hidden",
                inc.name,
                check.committee,
                sheet=META_SHEET,
                expected=SHEET_STATE_WORDS["veryHidden"],
                found=SHEET_STATE_WORDS["visible"],
                detail=META_SHEET,
            )
        )
    if parts.external_links:
        add(Problem("external-link", inc.name, check.committee))
    if parts.added:
        count = len(parts.added)
        found = "1 formel" if count == 1 else f"{count} formler"
        add(Problem("formulas-outside-cells", inc.name, check.committee, found=found, detail=_listed(parts.added)))


def _listed(items: list[str]) -> str:
    """Items as one line: each once, the most repeated first with its count, the first few only (a pasted rule can repeat a thousand times)."""
    counts = Counter(items)
    shown = [item if n == 1 else f"{item} ({n} gange)" for item, n in counts.most_common(MAX_FORMULAS_LISTED)]
    rest = len(counts) - len(shown)
    return "; ".join(shown) + (f" og {rest} mere" if rest else "")


def outdated(check: ReturnCheck, plan: SheetPlan, facts: Facts, values: list[list], made_digest: str) -> bool | None:
    """Was the template made from another master or layout than today's? None when it was not.

    The template carries a digest of its locked content as generated. When that
    differs from today's plan, finance changed the master or the layout after
    sending the templates out. If the return still holds exactly what was generated
    (its content gives the template's own digest), the sender changed nothing:
    True, and the cell-by-cell compare against today's plan is skipped. Otherwise
    False, and the compare runs, with a warning that explains its findings.
    """
    if not made_digest or made_digest == facts.digest:
        return None
    intact = holds_digest(plan, values, made_digest)
    detail = (
        "det låste indhold er uændret, siden skabelonen blev lavet, så svarene er taget med"
        if intact
        else "de låste celler, der afviger, kan skyldes ændringen og ikke afsenderen"
    )
    check.problems.append(Problem("template-outdated", check.name, check.committee, sheet=check.sheet_name, detail=detail))
    return intact


def check_rows(check: ReturnCheck, plan: SheetPlan, facts: Facts, values: list[list]) -> bool:
    """Inserted, deleted or sorted rows: element headings out of place, or labels shifted inside a block.

    A move is reported as one problem per element (or per shift), not as the
    hundreds of locked-cell changes it causes, and stops the cell-by-cell compare:
    False when rows moved.
    """
    sheet = check.sheet_name
    found = heading_rows(values)
    moved = False
    for number, row in plan.element_rows.items():
        actual = found.get(number)
        if actual != row:
            check.problems.append(
                Problem(
                    "rows-moved",
                    check.name,
                    check.committee,
                    element=number,
                    sheet=sheet,
                    cell=xl_rowcol_to_cell(row, COL_LABEL),
                    expected=str(row + 1),
                    found=str(actual + 1) if actual is not None else "mangler",
                )
            )
            moved = True
    if moved:
        return False
    # A row inserted or deleted inside the last element moves no heading; the rows' locked texts show it.
    rows = facts.rows
    for r in range(plan.first_element_row, plan.last_row + 1):
        if _row_matches(rows.get(r, ()), values, r):
            continue
        shift = _shift_at(rows, values, r, plan.last_row)
        if shift:
            moved = r if shift > 0 else r - shift  # the first planned row whose content now stands elsewhere
            check.problems.append(
                Problem(
                    "rows-moved",
                    check.name,
                    check.committee,
                    element=element_at(plan, r),
                    sheet=sheet,
                    cell=xl_rowcol_to_cell(r, COL_LABEL),
                    expected=str(moved + 1),
                    found=str(moved + shift + 1),
                )
            )
            return False
        return True  # an edit, not a shift: the locked-cell compare names it
    return True


def _same(found, norm: str) -> bool:
    # Most cells come back exactly as written; normalise only when they do not.
    return found == norm or normalise_value(found) == norm


def _row_matches(signature: tuple[tuple[int, str], ...], values: list[list], row: int) -> bool:
    return all(_same(value_at(values, row, col), v) for col, v in signature)


def _shift_at(rows: dict[int, tuple], values: list[list], start: int, last: int) -> int:
    """k > 0: k rows inserted at `start`; k < 0: -k rows deleted there. 0: no shift explains it."""
    for k in (1, 2, 3, 4, 5, -1, -2, -3, -4, -5):
        first = start if k > 0 else start - k
        wanted = [(r, sig) for r, sig in rows.items() if first <= r <= last]
        if wanted and all(_row_matches(sig, values, r + k) for r, sig in wanted):
            return k
    return 0


def check_locked(check: ReturnCheck, plan: SheetPlan, facts: Facts, values: list[list], formulas: dict[str, str]) -> None:
    """Every locked cell against what the template held; also content typed outside the plan, and the formulas.

    Values are compared, not protection flags: an edit is found even when the
    protection was removed and put back.
    """
    sheet = check.sheet_name
    planned, norms = facts.planned, facts.norms
    for c in plan.cells:
        if c.role is Role.FIXED:
            found = value_at(values, c.row, c.col)
            if not _same(found, norms[(c.row, c.col)]):
                check.problems.append(
                    Problem("locked-cell-changed", check.name, check.committee, c.element, sheet, c.ref, c.value, as_text(found))
                )
    outside = 0
    for r, row in enumerate(values):
        for col, v in enumerate(row):
            if v in (None, "") or (r, col) in planned:
                continue
            outside += 1
            if outside <= MAX_CELLS_LISTED:
                check.problems.append(
                    Problem(
                        "locked-cell-changed",
                        check.name,
                        check.committee,
                        element_at(plan, r),
                        sheet,
                        xl_rowcol_to_cell(r, col),
                        "",
                        as_text(v),
                    )
                )
            elif outside == MAX_CELLS_LISTED + 1:
                first_unlisted = (r, xl_rowcol_to_cell(r, col))
    if outside > MAX_CELLS_LISTED:  # a paste of thousands of rows is one finding, not thousands
        r, ref = first_unlisted
        more = f"og {outside - MAX_CELLS_LISTED} celler mere med indhold uden for skabelonen"
        check.problems.append(Problem("locked-cell-changed", check.name, check.committee, element_at(plan, r), sheet, ref, "", more))
    check_formulas(check, plan, facts, formulas, values)


def check_formulas(check: ReturnCheck, plan: SheetPlan, facts: Facts, formulas: dict[str, str], values: list[list]) -> None:
    """The template's formulas in place and unchanged, and no formula anywhere else.

    Values cannot show this: a formula overwritten with its own result reads the same.
    """
    sheet = check.sheet_name
    for c, ref in facts.formulas:
        if ref not in formulas:
            # The glyph or self-check formula was overwritten with a value.
            found = as_text(value_at(values, c.row, c.col)) or "(tom)"
            check.problems.append(Problem("locked-cell-changed", check.name, check.committee, c.element, sheet, ref, c.formula, found))
        elif formulas[ref] and _formula_key(formulas[ref]) != _formula_key(c.formula):
            # The template's formula replaced by another one.
            check.problems.append(
                Problem("locked-cell-changed", check.name, check.committee, c.element, sheet, ref, c.formula, "=" + formulas[ref])
            )
    # A formula anywhere else, also one without a cached result, which reads as an empty cell.
    own = facts.own
    reported = {p.cell for p in check.problems if p.code == "locked-cell-changed"}
    for ref, text in formulas.items():
        if ref not in own and ref not in reported:
            _col, r = split_ref(ref)
            check.problems.append(
                Problem(
                    "locked-cell-changed",
                    check.name,
                    check.committee,
                    element_at(plan, r - 1),
                    sheet,
                    ref,
                    "",
                    "=" + (text or "(delt formel)"),
                )
            )


@lru_cache(maxsize=1 << 12)
def _formula_key(formula: str) -> str:
    # Formulas compared as Excel and LibreOffice may write them back: no leading =, no spaces, any case.
    return re.sub(r"\s+", "", formula.lstrip("=")).upper()


def element_at(plan: SheetPlan, row: int) -> str:
    """The element whose block holds `row` (counted from 0); "" above the first."""
    best = ""
    for number, start in plan.element_rows.items():
        if start <= row:
            best = number
    return best
