"""Generate the locked follow-up workbooks that staff fill in Excel.

A template is a :class:`~workbook_tools.sheetplan.SheetPlan` drawn with xlsxwriter,
plus what makes it safe to hand out and possible to recognise when it comes back:
sheet protection with only the current round's inputs unlocked, smiley dropdowns
with a STOP alert, a hidden metadata sheet and custom document properties that
carry the template's identity and a digest of its locked content.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from .atomic import atomic_output, atomic_write_bytes, read_cause
from .danish import listed
from .errors import FollowupError
from .fastxlsx import FastWorkbook, Formula, set_rows, write_cells
from .model import ECONOMY_STATES, PROGRESS_STATES, SMILEY_LOOKS, Agreement, Committee, Smiley
from .sheetplan import (
    COL_GLYPH,
    COL_MARK,
    COL_SMILEY,
    NOT_ANSWERED_FILL,
    NOT_ANSWERED_FONT,
    PRINT_MARGINS,
    PROGRESS,
    Mode,
    Role,
    SheetPlan,
    plan_sheet,
)
from .texts import Texts, guide_key
from .xlsxio import QUOTED_STARTS, sha256_of

TEMPLATE_VERSION = "1"
TOOL_NAME = "workbook_tools"
META_SHEET = "_followup"
MANIFEST_NAME = "manifest.json"
PROPERTY_PREFIX = "followup_"
# Keys of the identity block, in the hidden sheet and (prefixed) in the custom properties.
META_KEYS = (
    "tool",
    "year",
    "committee",
    "department",
    "round",
    "template_version",
    "template_id",
    "generated_at",
    "digest",
)
# The keys as a message names them to a person (the keys themselves stay as written in the file).
META_WORDS = {
    "tool": "værktøj",
    "year": "år",
    "committee": "udvalg",
    "department": "center",
    "round": "runde",
    "template_version": "skabelonversion",
    "template_id": "skabelon-id",
    "generated_at": "dannet",
    "digest": "kontrolsum",
}


@dataclass(frozen=True)
class GeneratedTemplate:
    """One entry of the generation manifest."""

    file: str
    template_id: str
    committee: str
    department: str
    round: int
    year: int
    template_version: str
    digest: str
    generated_at: str
    sha256: str


class TemplateError(FollowupError):
    """The templates cannot be generated as asked; the message says what to fix."""


# Where the sheet protection's password comes from when `generate --password` gives none.
SHEET_PASSWORD_ENV = "FOLLOWUP_SHEET_PASSWORD"


def sheet_password(given: str | None = None) -> str:
    """The sheet protection's password: `given` (generate --password), else $FOLLOWUP_SHEET_PASSWORD, else none ("").

    The one place it is looked up: the templates are protected with it, and a kommenteret
    kopi whose protection the sender removed gets it back with the same password.
    """
    return given or os.environ.get(SHEET_PASSWORD_ENV) or ""


def template_file_name(agreement: Agreement, committee: str, round_number: int, department: str = "") -> str:
    return f"runde-{round_number}_{agreement.file_stem(committee, department)}.xlsx"


def generate_templates(
    agreement: Agreement,
    round_number: int,
    out_dir: Path | str,
    texts: Texts,
    per: str = "committee",
    password: str | None = None,
    committees: list[str] | None = None,
    progress=None,
) -> list[GeneratedTemplate]:
    """Write one template per committee (or department) and the manifest beside them.

    Raises TemplateError, before writing anything, when the request cannot be met.
    """
    units = list(_units(agreement, per, committees))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    made: list[GeneratedTemplate] = []
    for i, (committee, department) in enumerate(units):
        path = out_dir / template_file_name(agreement, committee.name, round_number, department)
        made.append(write_template(agreement, committee, round_number, path, texts, department, password))
        if progress:
            progress(i + 1, len(units))
    write_manifest(out_dir, made)
    return made


def _units(agreement: Agreement, per: str, only: list[str] | None):
    if per not in ("committee", "department"):
        raise TemplateError(f"skabeloner laves pr. udvalg (committee) eller pr. center (department), ikke pr. '{per}'.")
    if per == "department":
        # A department-less element would land in no department's workbook, or in all of them.
        orphans = [e.number for e in agreement.elements if not e.department and (not only or e.committee in only)]
        if orphans:
            raise TemplateError(
                "--per department kræver et ansvarligt center for hver indsats; uden center: "
                + ", ".join(orphans)
                + ". Udfyld kolonnen 'Ansvarligt center' på arket 'Indsatser' i masterfilen, eller lav skabeloner pr. udvalg."
            )
    for committee in agreement.committees:
        if only and committee.name not in only:
            continue
        elements = agreement.elements_of(committee.name)
        if not elements:
            continue
        if per == "department":
            departments = sorted({e.department for e in elements})
            for d in departments:
                yield committee, d
        else:
            yield committee, ""


def write_template(
    agreement: Agreement,
    committee: Committee,
    round_number: int,
    path: Path | str,
    texts: Texts,
    department: str = "",
    password: str | None = None,
    template_id: str | None = None,
    generated_at: str | None = None,
) -> GeneratedTemplate:
    """Write one locked template; ids and time may be fixed for reproducible tests."""
    plan = plan_sheet(agreement, committee, round_number, texts, Mode.TEMPLATE, department)
    meta = {
        "tool": TOOL_NAME,
        "year": str(agreement.year),
        "committee": committee.name,
        "department": department,
        "round": str(round_number),
        "template_version": TEMPLATE_VERSION,
        "template_id": template_id or uuid.uuid4().hex,
        "generated_at": generated_at or datetime.now(UTC).replace(microsecond=0).isoformat(),
        "digest": plan.locked_digest(),
    }
    path = Path(path)
    with atomic_output(path) as tmp:
        wb = FastWorkbook(tmp)
        draw_plan(wb, plan, texts, password=password)
        _write_meta(wb, meta, plan, password)
        wb.close()
    return GeneratedTemplate(
        file=path.name,
        template_id=meta["template_id"],
        committee=committee.name,
        department=department,
        round=round_number,
        year=agreement.year,
        template_version=TEMPLATE_VERSION,
        digest=meta["digest"],
        generated_at=meta["generated_at"],
        sha256=sha256_of(path),
    )


_SPECS: dict[tuple, dict[str, dict]] = {}


def style_specs(texts: Texts) -> dict[str, dict]:
    """The format spec of every style key, built once per look and shared: do not change them.

    Hundreds of workbooks of a round share one look, so the specs are the same for
    every one of them; only the formats made from them belong to a workbook.
    """
    key = tuple(texts.look.items())
    if key not in _SPECS:
        _SPECS[key] = _build_specs(texts)
    return _SPECS[key]


def _build_specs(texts: Texts) -> dict[str, dict]:
    font = {"font_name": texts.look.get("font_name") or "Calibri", "font_size": texts.number("font_size")}
    heading_fill = texts.colour("heading_fill")
    base = {**font, "valign": "top", "text_wrap": True}
    specs: dict[str, dict] = {
        "title": {**base, "bold": True, "font_size": texts.number("title_size")},
        "instructions": {**base, "italic": True, "font_color": "#1F4E79"},
        "selfcheck": {**base, "bold": True, "font_color": "#C00000"},
        "heading2": {**base, "bold": True, "font_size": texts.number("font_size") + 1},
        "paragraph": base,
        "legend_text": {**base, "valign": "vcenter"},
        "bold": {**base, "bold": True},
        "heading": {**base, "bold": True, "bg_color": heading_fill, "bottom": 1},
        "label": {**base, "bold": True},
        "text": base,
        "future": {**base, "font_color": texts.colour("future_font")},
        "future_label": {**base, "bold": True, "font_color": texts.colour("future_font")},
        "input_text": {**base, "locked": False, "bg_color": texts.colour("input_fill"), "border": 1, "border_color": "#7F7F7F"},
        "input_smiley": {
            **base,
            "locked": False,
            "bg_color": texts.colour("input_fill"),
            "border": 1,
            "border_color": "#7F7F7F",
            "align": "center",
            "bold": True,
        },
        "smiley": {**base, "align": "center"},
        "not_answered": {
            **base,
            "align": "center",
            "bold": True,
            "italic": True,
            "font_color": NOT_ANSWERED_FONT,
            "bg_color": NOT_ANSWERED_FILL,
            "border": 1,
            "border_color": NOT_ANSWERED_FONT,
        },
        "glyph": {**base, "align": "center", "valign": "vcenter", "font_size": texts.number("font_size") + 3},
        "mark": {**font},
    }
    for s, look in SMILEY_LOOKS.items():
        specs[f"smiley_{s.value}"] = {**base, "align": "center", "bold": True, "bg_color": look.colour, "font_color": look.font_colour}
        specs[f"glyph_{s.value}"] = {
            **base,
            "align": "center",
            "font_size": texts.number("font_size") + 3,
            "bg_color": look.colour,
            "font_color": look.font_colour,
        }
        specs[f"legend_{s.value}"] = {
            **base,
            "align": "center",
            "valign": "vcenter",
            "font_size": texts.number("font_size") + 5,
            "bg_color": look.colour,
            "font_color": look.font_colour,
        }
    return specs


def column_widths(texts: Texts) -> list[float]:
    """Widths of columns A–F from the layout, the one place finance sets them."""
    return [texts.number(f"width_{c}") for c in "ABCDEF"]


class _Formats(dict):
    """style key -> the workbook's format for it, made on first use.

    Made in the order the cells first use them, so a workbook's styles (and its
    bytes) do not depend on which formats an earlier workbook needed.
    """

    def __init__(self, wb, specs: dict[str, dict], quote: bool):
        super().__init__()
        self.wb = wb
        self.specs = specs
        self.quote = quote

    def __missing__(self, style: str):
        spec = dict(self.specs.get(style, self.specs["text"]))
        if self.quote:
            spec["quote_prefix"] = True
        fmt = self[style] = self.wb.add_format(spec)
        return fmt


class Styles:
    """A workbook's formats for the plan's style keys, as typed and with a quote prefix."""

    def __init__(self, wb, texts: Texts):
        self.wb = wb
        specs = style_specs(texts)
        self.plain = _Formats(wb, specs, quote=False)
        self.quoted = _Formats(wb, specs, quote=True)

    def conditional(self, state: Smiley):
        look = SMILEY_LOOKS[state]
        return self.wb.add_format({"bg_color": look.colour, "font_color": look.font_colour})


def draw_plan(wb, plan: SheetPlan, texts: Texts, password: str | None = None, protect: bool = True):
    """Draw a planned sheet: cells, merges, widths, heights, dropdowns, colours, print setup."""
    styles = Styles(wb, texts)
    ws = wb.add_worksheet(plan.sheet_name)
    for i, width in enumerate(column_widths(texts)):
        ws.set_column(i, i, width)
    ws.set_column(COL_MARK, COL_MARK, 3, None, {"hidden": True})
    set_rows(ws, plan.row_heights)
    first_input = _draw_cells(ws, plan.cells, styles, texts)
    if plan.mode is Mode.TEMPLATE and plan.last_row > plan.first_element_row:
        first = plan.first_element_row
        for state in PROGRESS_STATES:
            ws.conditional_format(
                first,
                COL_SMILEY,
                plan.last_row,
                COL_GLYPH,
                {
                    "type": "formula",
                    "criteria": f'=${xl_col_to_name(COL_SMILEY)}{first + 1}="{state.label}"',
                    "format": styles.conditional(state),
                },
            )
    if first_input is not None:
        ws.activate()
        ws.set_selection(first_input.row, first_input.col, first_input.row, first_input.col)
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(**PRINT_MARGINS)
    ws.repeat_rows(0)
    ws.set_footer("&C" + texts("page_footer"))
    ws.hide_gridlines(2)
    if plan.page_breaks:
        ws.set_h_pagebreaks(plan.page_breaks)
    if protect:
        ws.protect(password or "", {"select_locked_cells": True, "select_unlocked_cells": True, "format_rows": True})
    return ws


def _draw_cells(ws, cells, styles: Styles, texts: Texts):
    """Write every planned cell; returns the first input cell, or None.

    The loop runs for every cell of hundreds of workbooks, so it looks each format
    up by style key once and hands the writer all cells in one call. A merged range
    is its first cell plus blanks in its format, as merge_range writes it.
    """
    plain, quoted = styles.plain, styles.quoted
    FORMULA, INPUT = Role.FORMULA, Role.INPUT  # looked up once, not per cell
    out: list[tuple] = []
    add = out.append
    merges: list[tuple] = []
    inputs = []
    for c in cells:
        value, role, row, col = c.value, c.role, c.row, c.col
        if value[:1] in QUOTED_STARTS and role is not FORMULA:  # needs_quote(value), inlined
            fmt = quoted[c.style]
        else:
            fmt = plain[c.style]
        if c.merge_to > col:
            merges.append((row, col, row, c.merge_to, fmt))
            out += [(row, k, fmt, "") for k in range(col + 1, c.merge_to + 1)]
        add((row, col, fmt, Formula(c.formula, value) if role is FORMULA else value))
        if role is INPUT:
            inputs.append(c)
    write_cells(ws, out, merges)
    validations: dict[str, dict] = {}  # one dropdown's options per kind, the same for all its cells
    for c in inputs:
        if c.states:
            if c.field not in validations:
                validations[c.field] = _dropdown_options(c.field, texts)
            ws.data_validation(c.row, c.col, c.row, c.col, validations[c.field])
    return inputs[0] if inputs else None


def _dropdown_options(field: str, texts: Texts) -> dict:
    """The list validation of a smiley input cell: its words, the reading guide and a STOP alert."""
    progress = field == PROGRESS
    states = PROGRESS_STATES if progress else ECONOMY_STATES
    words = [s.label for s in states]
    kind = "progress" if progress else "economy"
    guide = "\n".join(f"{s.label}: {texts(guide_key(kind, s))}" for s in states)
    return {
        "validate": "list",
        "source": words,
        "input_title": texts("dropdown_progress_title" if progress else "dropdown_economy_title")[:32],
        "input_message": _fit(guide, 255),
        "error_title": texts("dropdown_error_title")[:32],
        "error_message": _fit(texts("dropdown_error", states=listed(words, "or" if texts.lang == "en" else "eller")), 255),
        "error_type": "stop",
        "ignore_blank": True,
    }


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _write_meta(wb, meta: dict, plan: SheetPlan, password: str | None) -> None:
    ws = wb.add_worksheet(META_SHEET)
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 70)
    for r, key in enumerate(META_KEYS):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, meta[key])
    ws.write_string(len(META_KEYS), 0, "elements")
    ws.write_string(len(META_KEYS), 1, ",".join(plan.element_rows))
    ws.protect(password or "")
    ws.very_hidden()
    for key in META_KEYS:
        wb.set_custom_property(PROPERTY_PREFIX + key, meta[key] or "-")


def write_manifest(out_dir: Path, made: list[GeneratedTemplate]) -> Path:
    """Merge this run's templates into the folder's manifest (id -> what was generated)."""
    path = out_dir / MANIFEST_NAME
    entries = {e["template_id"]: e for e in read_manifest(path)}
    for m in made:
        entries[m.template_id] = asdict(m)
    data = json.dumps(sorted(entries.values(), key=lambda e: (e["round"], e["file"], e["generated_at"])), ensure_ascii=False, indent=2)
    return atomic_write_bytes(path, data.encode("utf-8"))


class ManifestError(FollowupError):
    """A manifest finance pointed to cannot be used; the message says which file and why."""


def load_manifest(path: Path | str) -> list[dict]:
    """The entries of a manifest that was asked for: a missing or broken one is an error, never none.

    `collect --manifest` checks every return's template id against it; read as empty,
    that check would be skipped without a word. A folder stands for the manifest.json in it.
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    made_by = "det skal være manifest.json, som followup generate skrev i skabelonmappen"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"Manifestet {path} findes ikke; {made_by}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        cause = read_cause(exc) if isinstance(exc, OSError) else "teksten er ikke UTF-8"
        raise ManifestError(f"Manifestet {path} kan ikke læses ({cause}).") from None
    except ValueError as exc:
        raise ManifestError(f"Manifestet {path} er ikke gyldig JSON (linje {getattr(exc, 'lineno', '?')}); {made_by}.") from None
    entries = [d for d in data if isinstance(d, dict) and "template_id" in d] if isinstance(data, list) else []
    if not entries:
        raise ManifestError(f"Manifestet {path} nævner ingen skabeloner; {made_by}.")
    return entries


def read_manifest(path: Path | str) -> list[dict]:
    """A folder's manifest, for adding a new run's templates to it: one that cannot be read counts as empty."""
    try:
        return load_manifest(path)
    except ManifestError:
        return []
