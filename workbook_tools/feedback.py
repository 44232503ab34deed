"""Annotated copies of returned workbooks, for finance to send back to the sender.

A sender understands "cell E45 is wrong" best in their own workbook. For every
return with a warning or an error this writes a copy of the sender's file into
``<out>/feedback/`` with each problem cell filled in the severity's colour, a
Danish comment on it saying what is wrong and what to do, and a first sheet
``Tilbagemelding`` listing every problem (with links to the cells) and the
verdict. It speaks to the sender ("I", "jeres": each problem's advice) and is signed
by the master's Afsender (``Agreement.office``), who the texts name where the sender
is to write to finance. The original is never opened for writing: the copy is made from the
bytes the check hashed, and skipped if the file has changed since.

The copy is one staff can just fix and send: every locked cell the sender changed
is put back to what the template held (re-derived from the round's sheet plan, as
the check does), their answers stay exactly as typed, and the sheet protection is
as generated (switched on again if it was removed; the password as for the
template, ``FOLLOWUP_SHEET_PASSWORD``). What was put back is listed on the
``Tilbagemelding`` sheet. Comments and fills show on a protected sheet; ``collect``
recognises the ``Tilbagemelding`` sheet as ours and ignores it, so the copy with
its white cells fixed passes. The sender's original is never touched.

The copy goes through openpyxl, which drops formulas' cached results (Excel
recalculates them on opening) and extension parts it does not know; for a
feedback copy that is acceptable, and the copy still reads as the same template.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

from .atomic import atomic_write_bytes
from .danish import quoted, thousands
from .integrity import FEEDBACK_SHEET
from .model import unit_name
from .ooxml import own_name, own_rule, own_validation
from .outfolder import FEEDBACK_SUFFIX, RETIRED_DIR, distinct_feedback_name, feedback_file_name
from .problems import Problem, Severity, afsender_name
from .returncheck import CollectContext, ReturnCheck
from .sheetplan import LINE_POINTS, MAX_ROW_PT, Role, SheetPlan
from .template import META_SHEET, sheet_password
from .xlsxio import deterministic_zip, needs_quote

# The comments' author is the master's Afsender (Agreement.office); this only when the master names none.
COMMENT_AUTHOR = "Budgetopfølgning"
FILL = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C", Severity.INFO: "DDEBF7"}
_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
UNOPENABLE = ("unsafe-workbook", "broken-workbook")
# A committee's return is well under a megabyte unpacked; one this large (a big paste) gets no annotated copy.
MAX_ANNOTATED_BYTES = 8 << 20
# A return whose sheet does not follow this round's plan cannot have its locked cells put back from it.
_NOT_RESTORABLE = frozenset(
    {
        "unknown-template",
        "wrong-year",
        "wrong-committee",
        "wrong-round",
        "old-template-version",
        "old-template-not-migratable",
        "template-outdated",
        "template-id-mismatch",
        "metadata-changed",
        "sheet-missing",
        "rows-moved",
    }
)
# Said after what the copy already put back for the sender (see _done_in_copy).
_RESTORED_DONE = " Ingen handling nødvendig."
_COLUMNS = (("Alvor", 10), ("Celle", 16), ("Indsats", 9), ("Felt", 18), ("Hvad er der galt?", 70), ("Hvad gør I?", 60), ("Kode", 22))


def needs_feedback(check: ReturnCheck, mine: list[Problem]) -> bool:
    """A copy is worth sending when the return is a workbook and has a warning or an error (`mine` are its problems).

    Not for a file refused as unsafe or broken: opening it to annotate it is what the
    refusal protects against, and the sender must send the workbook again anyway.
    """
    if any(p.code in UNOPENABLE for p in mine):
        return False
    return check.kind == "xlsx" and any(p.severity is not Severity.INFO for p in mine)


def feedback_due(checks: list[ReturnCheck], problems: list[Problem]) -> list[tuple[ReturnCheck, list[Problem]]]:
    """Each return that needs an annotated copy, with its own problems.

    The problems are sorted to their files once: early in a round most committees have
    not returned, each with a problem per element, and looking through all of them
    again for every return took seconds.
    """
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    return [(check, mine) for check in checks if needs_feedback(check, mine := by_file.get(check.name, []))]


def write_feedback_copies(
    checks: list[ReturnCheck],
    problems: list[Problem],
    folder: Path | str,
    ctx: CollectContext | None = None,
    office: str | None = None,
) -> tuple[list[Path], list[str]]:
    """One annotated copy per return that needs one. Returns (files written, notes on copies not made).

    With the round's `ctx`, each copy has its locked cells put back from the sheet plan (see `restore_plan`).
    `office` is the master's Afsender, who signs the comments and is named in the advice;
    by default the one in `ctx`'s master, and without either the texts say "os".
    """
    folder = Path(folder)
    if office is None:
        office = ctx.agreement.office if ctx is not None else ""
    written: list[Path] = []
    notes: list[str] = []
    used: set[str] = set()
    for check, mine in feedback_due(checks, problems):
        if _inflated_size(check.incoming.path) > MAX_ANNOTATED_BYTES:  # openpyxl would need minutes and gigabytes
            notes.append(
                f"Ingen kommenteret kopi af {check.name}: filen fylder over {thousands(MAX_ANNOTATED_BYTES >> 20)} MB udpakket. "
                "Send afsenderen fundene på anden måde, fx fra valideringslisten (collect) eller fra udskriften af check."
            )
            continue
        name = feedback_file_name(check.name)
        if name in used:  # two returns with the same name in different folders
            name = distinct_feedback_name(name, check.sha256)
        used.add(name)
        try:
            path = write_feedback(check, mine, folder / name, restore_plan(ctx, check) if ctx is not None else None, office)
        except Exception as exc:  # openpyxl may refuse a file calamine could read
            notes.append(f"Ingen kommenteret kopi af {check.name}: {type(exc).__name__}: {exc}"[:300])
            continue
        if path is None:
            notes.append(f"Ingen kommenteret kopi af {check.name}: filen er ændret, siden den blev kontrolleret.")
        else:
            written.append(path)
    return written, notes


def retire_stale_copies(folder: Path | str, written: list[Path]) -> list[str]:
    """Move the annotated copies an earlier collect left in `folder`, and this one did not write, aside.

    Collect runs again and again as returns come in. A sender who fixes a return sends
    it under the same name, it passes, and the copy listing its old problems would stay
    beside the current ones, ready to be sent by mistake. It goes to `forældede/`, not
    away. Only collect calls this: it sees the whole inbox each time, `check` one file.
    """
    folder = Path(folder)
    keep = {p.name for p in written}
    stale = sorted(p for p in folder.glob(f"*{FEEDBACK_SUFFIX}") if p.is_file() and p.name not in keep)
    if not stale:
        return []
    aside = folder / RETIRED_DIR
    moved, stuck = [], []
    for p in stale:
        try:
            aside.mkdir(exist_ok=True)
            os.replace(p, aside / p.name)
            moved.append(p)
        except OSError:  # open in Excel on Windows, say, or no folder to move it to
            stuck.append(p.name)
    copies = "1 kommenteret kopi" if len(moved) == 1 else f"{thousands(len(moved))} kommenterede kopier"
    notes = [f"{copies} fra en tidligere kørsel passer ikke længere og er flyttet til {aside}."] if moved else []
    if stuck:
        notes.append(
            f"Kommenterede kopier fra en tidligere kørsel, som ikke passer længere, kunne ikke flyttes (er de åbne?): {', '.join(stuck)}. Send dem ikke."
        )
    return notes


def _inflated_size(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as z:
            return sum(info.file_size for info in z.infolist())
    except (OSError, zipfile.BadZipFile):
        return 0


def restore_plan(ctx: CollectContext, check: ReturnCheck) -> SheetPlan | None:
    """The plan a return's locked cells are put back from: its committee's template for this round; None when it is not one."""
    if not check.committee or check.round != ctx.round or any(p.code in _NOT_RESTORABLE for p in check.problems):
        return None
    try:
        return ctx.plan(check.committee, check.department)
    except (LookupError, ValueError):  # a committee no longer in the master
        return None


def write_feedback(
    check: ReturnCheck, problems: list[Problem], out: Path | str, plan: SheetPlan | None = None, office: str = ""
) -> Path | None:
    """Write the annotated copy of one return to `out` (atomically); None if the file changed since the check.

    With `plan` (the template's, see restore_plan) every changed locked cell is put back and protection switched on as generated.
    `office` is the master's Afsender (Agreement.office): the comments' author, and who the texts tell
    the sender to write to; without it the author is COMMENT_AUTHOR and the texts say "os".
    """
    import openpyxl

    data = check.incoming.path.read_bytes()
    if check.sha256 and hashlib.sha256(data).hexdigest() != check.sha256:
        return None
    with warnings.catch_warnings():
        # Silenced on purpose: openpyxl warns, in English, about what it cannot keep of a
        # sender's file ("File contains an invalid specification for …", "Defined names for
        # sheet index … cannot be located", "… extension is not supported and will be
        # removed"). The return was already checked from its own bytes, which report every
        # such change that matters; the copy only carries the notes, so nothing here is for the user.
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(_without_added_names(data)))
    mine = sorted(problems, key=lambda p: _ORDER[p.severity])  # stable: errors first, then as found
    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for p in mine:
        if p.sheet in wb.sheetnames and p.cell:
            by_cell.setdefault((p.sheet, p.cell), []).append(p)
    _formulas_as_text(wb, check, {(p.sheet, p.cell) for p in mine if p.found.startswith("=")})
    restored: dict[str, str] = {}
    if plan is not None and check.sheet_name in wb.sheetnames:
        restored = _restore_locked(wb[check.sheet_name], plan, [p for p in mine if p.sheet == check.sheet_name], sheet_password())
    restored.update(_restore_sheet_states(wb, check, mine))

    def advice(p: Problem) -> str:  # what the sender does; for what the copy already put back, that it is done
        done = _done_in_copy(p, check, restored)
        return done + _RESTORED_DONE if done else p.advice_for(office)

    anchors: dict[tuple[str, str], str] = {}
    for (sheet, ref), found in by_cell.items():
        anchors[(sheet, ref)] = _annotate(wb[sheet], ref, found, advice, office)
    _drop_formulas_outside_cells(wb)
    _summary(wb, check, mine, anchors, advice, restored, office)
    buffer = io.BytesIO()
    wb.save(buffer)
    out = Path(out)
    atomic_write_bytes(out, deterministic_zip(buffer.getvalue(), check.modified))  # the sender's time, not the time of saving
    return out


def _restore_locked(ws, plan: SheetPlan, problems: list[Problem], password: str) -> dict[str, str]:
    """Put every changed locked cell back to the template's content, and the protection on; {cell: what was done, in words}.

    The cells are those the check found changed (`locked-cell-changed`); their content
    comes from the plan: the text, the formula, or nothing where the template had nothing.
    """
    from openpyxl.cell.cell import MergedCell

    planned = {c.ref: c for c in plan.cells}
    done: dict[str, str] = {}
    for p in problems:
        if p.code != "locked-cell-changed" or not p.cell or p.cell in done or not _addressable(ws, p.cell):
            continue
        cell = ws[p.cell]
        if isinstance(cell, MergedCell):
            continue
        c = planned.get(p.cell)
        if c is not None and c.role is Role.INPUT:
            continue
        was = "" if cell.value is None else str(getattr(cell.value, "text", cell.value))
        if c is not None and c.role is Role.FORMULA:
            cell.value, cell.quotePrefix = "=" + c.formula.lstrip("="), False
            done[p.cell] = f"{p.cell} stod {_quoted(was)}; skabelonens formel er sat tilbage."
        elif c is not None and c.value:
            cell.value = c.value
            cell.data_type = "s"
            cell.quotePrefix = needs_quote(c.value)
            done[p.cell] = f"{p.cell} stod {_quoted(was)}; skabelonens tekst er sat tilbage."
        else:
            cell.value = None
            done[p.cell] = f"{p.cell} stod {_quoted(was)}; cellen er tom i skabelonen og er tømt igen."
    if not ws.protection.sheet:
        ws.protection.sheet = True
        # As the template writer: locked and open cells may be selected, row heights changed, nothing else.
        ws.protection.selectLockedCells = ws.protection.selectUnlockedCells = ws.protection.formatRows = False
        if password:
            ws.protection.password = password
        done[""] = "Arkbeskyttelsen var fjernet; den er slået til igen, som i skabelonen."
    return done


def _sheet_key(sheet: str) -> str:
    # A sheet put back as the template has it, in `restored` beside the cells (no cell reference has a colon).
    return "ark:" + sheet


def _done_in_copy(p: Problem, check: ReturnCheck, restored: dict[str, str]) -> str:
    """What the copy already put back for `p`, in words (from `restored`); "" when the sender is to mend it."""
    if p.code == "locked-cell-changed" and p.sheet == check.sheet_name and p.cell:
        return restored.get(p.cell, "")
    if p.code == "sheet-hidden":
        return restored.get(_sheet_key(p.detail), "")
    return ""


def _restore_sheet_states(wb, check: ReturnCheck, problems: list[Problem]) -> dict[str, str]:
    """The follow-up sheet shown and the template's hidden sheet hidden again, as the template has them; {key: what was done}.

    Only for the sheets the check found (`sheet-hidden`): the hidden sheet shown by the
    sender would put the tool's own keys in front of them in the copy.
    """
    done: dict[str, str] = {}
    for p in problems:
        if p.code != "sheet-hidden" or p.detail not in wb.sheetnames:
            continue
        ws = wb[p.detail]
        if p.detail == META_SHEET and ws.sheet_state != "veryHidden":
            ws.sheet_state = "veryHidden"
            done[_sheet_key(p.detail)] = "Skabelonens skjulte ark var vist; det er skjult igen, som i skabelonen."
        elif p.detail == check.sheet_name and ws.sheet_state != "visible":
            ws.sheet_state = "visible"
            done[_sheet_key(p.detail)] = f"Arket {quoted(p.detail)} var skjult; det er vist igen, som i skabelonen."
    return done


def _addressable(ws, ref: str) -> bool:
    # A reference openpyxl can address on this sheet (a problem may name a cell past Excel's last column).
    try:
        ws[ref]
    except (ValueError, IndexError):
        return False
    return True


def _quoted(text: str, limit: int = 80) -> str:
    text = text.replace("\n", " ")
    return quoted(text if len(text) <= limit else text[: limit - 1] + "…") if text else "tom"


def _formulas_as_text(wb, check: ReturnCheck, flagged: set[tuple[str, str]]) -> None:
    """A formula the sender typed stays in the copy as its text, so it never runs when the copy is opened.

    The template's own formulas (the smiley glyphs, the self-check) are kept; any
    other formula was found by the check and is in `flagged`, or sits on another sheet.
    Text that Excel would read as a formula once edited ("=SUM(A1)") gets a quote prefix.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "s" and isinstance(cell.value, str) and needs_quote(cell.value):
                    cell.quotePrefix = True
                if cell.data_type != "f" or (ws.title == check.sheet_name and (ws.title, cell.coordinate) not in flagged):
                    continue
                text = str(getattr(cell.value, "text", None) or cell.value)
                cell.value = text if text.startswith("=") else "=" + text
                cell.data_type = "s"
                cell.quotePrefix = True


_DEFINED_NAME = re.compile(rb"<((?:\w+:)?)definedName\b([^>]*?)(?:/>|>(.*?)</\1definedName\s*>)", re.S)
_NAME_ATTR = re.compile(rb'\sname="([^"]*)"')


def _without_added_names(data: bytes) -> bytes:
    """The return's bytes without the defined names the sender added (see collect.own_name).

    Done on the XML, before openpyxl reads the file: openpyxl refuses a workbook
    whose print-titles name holds a formula, and it keeps any name for the workbook.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        if "xl/workbook.xml" not in src.namelist():
            return data
        xml = src.read("xl/workbook.xml")

        def keep(m: re.Match) -> bytes:
            name = _NAME_ATTR.search(m.group(2))
            text = html.unescape((m.group(3) or b"").decode("utf-8", errors="replace"))
            return m.group(0) if name and own_name(html.unescape(name.group(1).decode("utf-8", errors="replace")), text) else b""

        cleaned = _DEFINED_NAME.sub(keep, xml)
        if cleaned == xml:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info, cleaned if info.filename == "xl/workbook.xml" else src.read(info.filename))
        return out.getvalue()


def _drop_formulas_outside_cells(wb) -> None:
    """Conditional formats and validations the sender added are not carried over (names go before openpyxl reads the file).

    Their formulas would run when the copy is opened (a WEBSERVICE call, say); the
    template's own rules are kept, so the copy still colours and offers its dropdowns.
    """
    from openpyxl.formatting.formatting import ConditionalFormattingList

    for ws in wb.worksheets:
        kept = ConditionalFormattingList()
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                if own_rule(list(rule.formula or [])):
                    kept.add(str(cf.sqref), rule)
        ws.conditional_formatting = kept
        kept_lists = [dv for dv in ws.data_validations.dataValidation if own_validation(dv.type or "", dv.formula1 or "")]
        for dv in kept_lists:
            dv.formula2 = None  # a list has no second bound; a formula planted there goes, the dropdown stays
        ws.data_validations.dataValidation = kept_lists


def _annotate(ws, ref: str, problems: list[Problem], advice: Callable[[Problem], str], office: str = "") -> str:
    """Colour the cell by its worst problem and comment on it, signed by `office`; a merged cell is marked at its top-left.

    `advice` says what the sender does about a problem, or that the copy already put it back.
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    for rng in ws.merged_cells.ranges:
        if ref in rng and ref != rng.start_cell.coordinate:
            ref = rng.start_cell.coordinate
            break
    cell = ws[ref]
    worst = problems[0].severity
    cell.fill = PatternFill("solid", start_color=FILL[worst], end_color=FILL[worst])
    text = "\n\n".join(f"{p.severity.label}: {p.sender_message}\n{advice(p)}" for p in problems)
    if cell.comment is not None and cell.comment.text:
        text = cell.comment.text.rstrip() + "\n\n" + text
    comment = Comment(text[:32_000], office.strip() or COMMENT_AUTHOR)
    comment.width = 320
    comment.height = min(60 + 45 * len(problems), 400)
    cell.comment = comment
    return ref


def _summary(
    wb,
    check: ReturnCheck,
    problems: list[Problem],
    anchors: dict[tuple[str, str], str],
    advice: Callable[[Problem], str],
    restored: dict[str, str],
    office: str = "",
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    if FEEDBACK_SHEET in wb.sheetnames:  # a feedback copy sent back and checked again
        del wb[FEEDBACK_SHEET]
    ws = wb.create_sheet(FEEDBACK_SHEET, 0)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False  # two selected tabs would group the sheets in Excel
    wb.active = 0
    ws.sheet_view.tabSelected = True
    rejected = any(p.severity is Severity.ERROR for p in problems)
    who = unit_name(check.committee, check.department)
    lines = [
        (f"Tilbagemelding på {Path(check.name).name}", Font(bold=True, size=14)),
        (f"Udvalg: {who or 'ukendt'}" + (f"; runde {check.round}" if check.round else ""), None),
        (verdict(check, problems, anchors, restored, office), Font(bold=True, color="9C0006" if rejected else "9C5700")),
        (
            "Hver markeret celle har en kommentar, der forklarer fundet; listen herunder har alle fund."
            if anchors
            else "Listen herunder har alle fund; de gælder hele besvarelsen, ikke en bestemt celle.",
            None,
        ),
    ]
    for r, (text, font) in enumerate(lines, start=1):
        _text(ws, r, 1, text)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(_COLUMNS))
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            ws.cell(r, 1).font = font
    ws.row_dimensions[3].height = 32
    head = len(lines) + 2
    fill = {s: PatternFill("solid", start_color=c, end_color=c) for s, c in FILL.items()}
    for c, (title, width) in enumerate(_COLUMNS, start=1):
        cell = ws.cell(head, c, title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
        ws.column_dimensions[cell.column_letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, p in enumerate(problems, start=head + 1):
        anchor = anchors.get((p.sheet, p.cell))
        where = f"{p.sheet}!{p.cell}" if anchor else (p.sheet if p.sheet == check.sheet_name else "")
        row = (p.severity.label, where, p.element, p.field_words, p.sender_message, advice(p), p.code)
        for c, value in enumerate(row, start=1):
            _text(ws, r, c, value)
            ws.cell(r, c).alignment = wrap
        ws.cell(r, 1).fill = fill[p.severity]
        lines = max(-(-len(str(v)) // max(int(w * 1.1), 1)) for v, (_t, w) in zip(row, _COLUMNS, strict=True))
        ws.row_dimensions[r].height = min(LINE_POINTS * max(lines, 1) + 2, MAX_ROW_PT)
        if anchor:
            link = ws.cell(r, 2)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{p.sheet}'!{anchor}", display=where)
            link.font = Font(color="0563C1", underline="single")
    if restored:
        at = head + len(problems) + 2
        _text(ws, at, 1, "Sat tilbage til skabelonen i denne kopi (jeres svar er ikke ændret):")
        ws.cell(at, 1).font = Font(bold=True)
        for r, line in enumerate(restored.values(), start=at + 1):
            _text(ws, r, 1, line)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(_COLUMNS))
    ws.freeze_panes = ws.cell(head + 1, 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{head}:{head}"


def verdict(
    check: ReturnCheck,
    problems: list[Problem],
    anchors: dict[tuple[str, str], str],
    restored: dict[str, str] | None = None,
    office: str = "",
) -> str:
    """The sheet Tilbagemelding's verdict to the sender: approved or not, why, and what to do now.

    "Ret de røde celler" only when a red cell is left to mend: an error of the whole
    besvarelse (the wrong round, rows moved, a file-level error) has no cell, and a
    locked cell already put back in the copy needs nothing.
    """
    restored = restored or {}
    to = afsender_name(office)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if not errors:
        if any((p.sheet, p.cell) in anchors for p in problems if p.severity is Severity.WARNING):
            return "Besvarelsen er godkendt. Se bemærkningerne i de gule celler, før I udfylder skabelonen næste gang."
        return "Besvarelsen er godkendt. Se bemærkningerne i listen herunder, før I udfylder skabelonen næste gang."
    why = f"Besvarelsen er ikke godkendt, fordi den har {thousands(len(errors))} fejl."
    whole = [p for p in errors if p.code in _NOT_RESTORABLE]  # not this round's skabelon as sent: no edit of the copy mends it
    if whole:
        they = "Fejlen gælder" if len(whole) == 1 else "Fejlene gælder"
        return f"{why} {they} hele besvarelsen og kan ikke rettes i denne kopi. Se i listen herunder, hvad I skal gøre."
    left = [p for p in errors if not _done_in_copy(p, check, restored)]  # what the copy did not put back
    in_cells = [p for p in left if (p.sheet, p.cell) in anchors]
    elsewhere = [p for p in left if (p.sheet, p.cell) not in anchors]
    if in_cells and elsewhere:
        return (
            f"{why} Ret de røde celler i denne kopi, og gør, som listen herunder siger om de fejl, der ikke hører til en celle. "
            f"Send så kopien tilbage til {to}; arket Tilbagemelding må gerne blive stående."
        )
    if in_cells:
        return f"{why} Ret de røde celler i denne kopi, og send den tilbage til {to}; arket Tilbagemelding må gerne blive stående."
    if elsewhere:
        return f"{why} Fejlene hører ikke til en bestemt celle. Se i listen herunder, hvad I skal gøre, og send besvarelsen igen til {to}."
    return f"{why} De låste celler, der var ændret, er sat tilbage i denne kopi. Send kopien tilbage til {to}."


def _text(ws, row: int, col: int, value) -> None:
    """User-derived text stays text: never a formula, and quoted so an edit does not make it one."""
    text = "" if value is None else str(value)
    if not text:
        return
    cell = ws.cell(row, col)
    cell.value = text
    cell.data_type = "s"
    if needs_quote(text):
        cell.quotePrefix = True
