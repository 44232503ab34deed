"""Read a return's answers as the sender meant them: smileys, status texts and their length.

A smiley is read tolerantly (the glyph and the word together, any case) but only
as one of the states its cell allows; a text exactly as typed, up to Excel's limit.
A yellow or red smiley needs its status text. Each element's answers become a
:class:`~workbook_tools.model.Result` with where it came from.
"""

from __future__ import annotations

from collections.abc import Callable

from .model import EXCEL_CELL_LIMIT, SMILEY_LOOKS, Result, Smiley, Source, field_words, parse_smiley, show_invisible, without_invisible
from .problems import Problem
from .returncheck import CollectContext, ReturnCheck
from .sheetplan import ECONOMY, ECONOMY_STATUS, PROGRESS, STATUS, PlannedCell, SheetPlan
from .sheetvalues import as_text, value_at


def read_smiley(text: str) -> tuple[Smiley | None, bool]:
    """A smiley cell read tolerantly: the model's variants, plus glyph and word together ("☺ Grøn")."""
    state, exact = parse_smiley(text)
    if state is None and text.strip():
        words = without_invisible(text).split()
        states = {parse_smiley(w)[0] for w in words}
        if len(words) > 1 and len(states) == 1 and None not in states:
            return states.pop(), False
    return state, exact


def excel_length(text: str) -> int:
    """Characters as Excel counts them (LEN): UTF-16 units, so an emoji counts two."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def read_answers(
    check: ReturnCheck,
    ctx: CollectContext,
    plan: SheetPlan,
    values: list[list],
    cells: list[PlannedCell],
    formulas: dict[str, str],
    full_length: Callable[[str], int] | None = None,
    shown: Callable[[str, object], str] | None = None,
) -> None:
    """Every input cell read into the check's results, each unusable answer a problem.

    `full_length(ref)` gives a text's real length when calamine cut it at Excel's limit;
    `shown(ref, value)` a number or date typed in a text cell as Excel showed it
    (its number format applied), taken as the text with an info problem.
    """
    add = check.problems.append
    sheet = check.sheet_name
    answers: dict[str, dict] = {}
    unusable: set[tuple[str, str]] = set()  # text cells already reported: no second problem for them

    def where(c: PlannedCell, ref: str) -> dict:  # made only for a problem: most cells have none
        return dict(file=check.name, committee=check.committee, element=c.element, sheet=sheet, cell=ref, field=c.field)

    for c in cells:
        ref = c.ref
        raw = value_at(values, c.row, c.col)
        check.cells[(c.element, c.field)] = ref
        if ref in formulas:
            add(Problem("formula-in-input", found="=" + (formulas[ref] or "(delt formel)"), **where(c, ref)))
            unusable.add((c.element, c.field))
            continue
        a = answers.setdefault(c.element, {})
        text = as_text(raw)
        if c.states:
            state, exact = read_smiley(text)
            if state is not None and state in c.states:
                if not exact:
                    # Only invisible characters or odd spaces around the exact word: noted, nothing to do.
                    plain = without_invisible(text)
                    code = "invisible-characters" if plain != text and plain.strip() == state.label else "smiley-normalised"
                    add(Problem(code, expected=state.label, found=show_invisible(text), **where(c, ref)))
                a[c.field] = state
                continue
            allowed = " / ".join(s.label for s in c.states)
            if state is None and not without_invisible(text).strip():
                add(Problem("smiley-missing", expected=allowed, found=show_invisible(text) or "(tom)", **where(c, ref)))
            else:
                add(Problem("invalid-smiley", expected=allowed, found=show_invisible(text), **where(c, ref)))
        else:
            if shown is not None and raw is not None and not isinstance(raw, str):
                # Excel made a number or date of what was typed: take what the sender saw, and say so.
                text = shown(ref, raw)
                add(Problem("answer-as-shown", expected=text, found=as_text(raw), **where(c, ref)))
            # UTF-16 units are at most twice the characters: only a long text needs counting.
            length = excel_length(text) if 2 * len(text) > EXCEL_CELL_LIMIT else len(text)
            if len(text) >= EXCEL_CELL_LIMIT and full_length is not None:
                length = max(length, full_length(ref))  # calamine cuts text at Excel's limit
            if length > EXCEL_CELL_LIMIT:
                add(Problem("text-too-long", expected=str(EXCEL_CELL_LIMIT), found=str(length), **where(c, ref)))
                unusable.add((c.element, c.field))
                continue
            a[c.field] = text  # exactly as entered: line breaks, blanks and all
    source = Source(
        file=check.name,
        sha256=check.sha256,
        received=check.incoming.received,
        template_version=check.template_version,
        sender=check.incoming.sender,
    )
    for number in plan.element_rows:
        a = answers.get(number, {})
        if ctx.require_status:
            for smiley_field, text_field in ((PROGRESS, STATUS), (ECONOMY, ECONOMY_STATUS)):
                state = a.get(smiley_field)
                if state in (Smiley.YELLOW, Smiley.RED) and not a.get(text_field, "").strip() and (number, text_field) not in unusable:
                    add(
                        Problem(
                            "status-text-required",
                            check.name,
                            check.committee,
                            number,
                            sheet,
                            check.cells.get((number, text_field), ""),
                            expected="en statustekst",
                            found=SMILEY_LOOKS[state].label_da,
                            detail=field_words(smiley_field),
                            field=text_field,
                        )
                    )
        check.results.append(
            Result(
                element=number,
                round=ctx.round,
                progress=a.get(PROGRESS),
                status=a.get(STATUS, ""),
                economy=a.get(ECONOMY),
                economy_status=a.get(ECONOMY_STATUS, ""),
                source=source,
            )
        )
