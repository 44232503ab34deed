"""Tell whose return a workbook is: its committee, round and template, from the hidden sheet and the properties.

Every template carries who it was made for twice: on its hidden sheet and in its
document properties. A return is placed by them, and refused when they disagree,
name another year, committee or round, or (with a generation manifest) carry a
template id that was not made for this unit with this content.
"""

from __future__ import annotations

import re

from .migration import holds_digest, plan_as_made
from .model import show_invisible, unit_name, without_invisible
from .ooxml import Parts
from .problems import Problem
from .returncheck import CollectContext, ReturnCheck
from .sheetplan import SheetPlan
from .sheetvalues import as_text
from .template import META_KEYS, META_SHEET, META_WORDS, PROPERTY_PREFIX, TEMPLATE_VERSION, TOOL_NAME


def read_meta(book) -> dict[str, str] | None:
    """The hidden sheet's key -> value rows, as text; None when the workbook has no such sheet."""
    if META_SHEET not in book.sheet_names:
        return None
    meta = {}
    for row in book.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False):
        if len(row) >= 2 and row[0] not in (None, ""):
            meta[str(row[0])] = as_text(row[1])
    return meta


def identify(check: ReturnCheck, parts: Parts, book, ctx: CollectContext) -> dict | None:
    """Whose template is this? From the hidden sheet, cross-checked with the properties.

    Fills in the check's committee, department, round, year, template id and version;
    returns the template's own identity, or None when the return cannot be placed.
    """
    inc = check.incoming
    add = check.problems.append
    meta = read_meta(book)
    props = {k[len(PROPERTY_PREFIX) :]: "" if v == "-" else v for k, v in parts.properties.items() if k.startswith(PROPERTY_PREFIX)}
    if meta is None and not props:
        add(Problem("unknown-template", inc.name, detail="ingen skabelonoplysninger i filen"))
        return None
    if meta is not None and meta.get("tool") != TOOL_NAME and props.get("tool") != TOOL_NAME:
        add(Problem("unknown-template", inc.name, detail="skabelonoplysningerne er ikke fra workbook_tools"))
        return None
    if meta is None:
        add(Problem("sheet-added-or-removed", inc.name, sheet=META_SHEET, detail=f"det skjulte ark '{META_SHEET}' er slettet"))
        identity = props
    else:
        identity = meta
        if not props:
            add(Problem("properties-removed", inc.name, expected=PROPERTY_PREFIX + "*", found="ingen"))
        else:
            differing = [k for k in META_KEYS if k in props and _norm_meta(props[k]) != _norm_meta(meta.get(k, ""))]
            if differing:
                add(
                    Problem(
                        "metadata-changed",
                        inc.name,
                        sheet=META_SHEET,
                        expected="; ".join(f"{META_WORDS[k]}: {_norm_meta(props[k])}" for k in differing),
                        found="; ".join(f"{META_WORDS[k]}: {_norm_meta(meta.get(k, ''))}" for k in differing),
                        detail="det skjulte ark og dokumentegenskaberne er uenige om " + ", ".join(META_WORDS[k] for k in differing),
                    )
                )
                return None
    check.committee = identity.get("committee", "")
    check.department = identity.get("department", "")
    check.template_id = identity.get("template_id", "")
    check.template_version = _norm_meta(identity.get("template_version", ""))
    try:
        check.year = int(float(identity.get("year", "0") or 0))
        check.round = int(float(identity.get("round", "0") or 0))
    except ValueError:
        add(Problem("metadata-changed", inc.name, sheet=META_SHEET, detail="år eller runde er ikke et tal"))
        return None
    a = ctx.agreement
    ok = True
    if check.year != a.year:
        add(Problem("wrong-year", inc.name, check.committee, expected=str(a.year), found=str(check.year)))
        ok = False
    names = {c.name for c in a.committees}
    if check.committee not in names:
        # A committee name that differs only by invisible characters or odd spaces is that committee.
        plain = {without_invisible(n).strip(): n for n in names}
        seen = without_invisible(check.committee).strip()
        if seen in plain:
            add(
                Problem(
                    "invisible-characters",
                    inc.name,
                    plain[seen],
                    sheet=META_SHEET,
                    expected=plain[seen],
                    found=show_invisible(check.committee),
                )
            )
            check.committee = plain[seen]
    if check.committee not in names:
        add(Problem("wrong-committee", inc.name, check.committee, found=show_invisible(check.committee)))
        ok = False
    elif check.department and check.department not in {e.department for e in a.elements_of(check.committee)}:
        add(Problem("wrong-committee", inc.name, check.committee, found=unit_name(check.committee, check.department)))
        ok = False
    if check.round != ctx.round:
        add(Problem("wrong-round", inc.name, check.committee, expected=str(ctx.round), found=str(check.round)))
        ok = False
    return identity if ok else None


def _norm_meta(value: str) -> str:
    # LibreOffice writes numeric-looking properties back as floats ("3" -> "3.0")
    v = (value or "").strip()
    if v == "-":
        return ""
    if re.fullmatch(r"-?\d+\.0+", v):
        return v.split(".")[0]
    return v


def check_template_id(check: ReturnCheck, ctx: CollectContext, plan: SheetPlan, values: list[list]) -> None:
    """With a generation manifest: the id must be one we made, for this unit and round, with this content."""
    if not ctx.manifest:
        return
    entry = ctx.manifest.get(check.template_id)
    if entry is None:
        check.problems.append(
            Problem("unknown-template-id", check.name, check.committee, sheet=META_SHEET, found=check.template_id or "(tomt)")
        )
        return
    try:
        entry_round = int(float(entry.get("round", 0)))
    except (TypeError, ValueError):
        entry_round = 0
    same_unit = (
        entry.get("committee") == check.committee and (entry.get("department") or "") == check.department and entry_round == check.round
    )
    same_content = True
    if check.template_version == TEMPLATE_VERSION and entry.get("digest") and entry["digest"] != ctx.facts(plan).digest:
        # The master changed since generation: the return must still hold what that id was made with.
        same_content = holds_digest(plan, values, entry["digest"])
        if not same_content:  # or an element was added or removed since: its own layout must give it
            made = plan_as_made(ctx, plan, values)
            same_content = made is not None and holds_digest(made, values, entry["digest"])
    if not same_unit or not same_content:
        made_for = unit_name(entry.get("committee") or "?", entry.get("department", "")) + f", runde {entry_round}"
        check.problems.append(
            Problem("template-id-mismatch", check.name, check.committee, sheet=META_SHEET, expected=made_for, found=check.template_id)
        )
