"""Every fixed text and look of the generated workbooks, editable by finance.

The defaults below are the factory settings. At run time the texts come from the
layout workbook (``templates/follow_up_template.xlsx``): its sheet ``Tekster``
(Nøgle | Dansk | English | Forklaring) and ``Udseende`` (Nøgle | Værdi | Forklaring).
Finance changes a heading in Excel and every generated workbook follows, with no
code touched. Keys missing from the file fall back to the defaults here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

DEFAULT_LAYOUT = Path(__file__).resolve().parent.parent / "templates" / "follow_up_template.xlsx"

TEXTS_SHEET = "Tekster"
LOOK_SHEET = "Udseende"
GUIDE_SHEET = "Vejledning"

# key: (Danish, English, what it is for)
DEFAULT_TEXTS: dict[str, tuple[str, str, str]] = {
    "title": (
        "{ordinal} opfølgning på {agreement} for {committee}",
        "{ordinal} follow-up on {agreement} for {committee}",
        "Titel øverst. Pladsholdere: {ordinal}, {agreement}, {committee}",
    ),
    "ordinal_1": ("Første", "First", "Ordenstal for runde 1 i titlen"),
    "ordinal_2": ("Anden", "Second", "Ordenstal for runde 2 i titlen"),
    "ordinal_3": ("Tredje", "Third", "Ordenstal for runde 3 i titlen"),
    "ordinal_4": ("Endelig", "Final", "Ordenstal for runde 4 i titlen"),
    "instructions": (
        "Udfyld de hvide felter for {round}: vælg en smiley i listen og skriv en kort status. "
        "Alt andet er låst. Send projektmappen tilbage senest {deadline}.",
        "Fill in the white cells for {round}: pick a smiley from the list and write a short status. "
        "Everything else is locked. Return the workbook by {deadline}.",
        "Vejledning øverst i skabelonen. Pladsholdere: {round}, {deadline}",
    ),
    "no_deadline": ("den aftalte frist", "the agreed deadline", "Bruges når runden ikke har en frist"),
    "self_check": (
        "{missing} af {total} indsatser mangler smiley",
        "{missing} of {total} elements lack a smiley",
        "Selvtjek i skabelonen (beregnes af Excel). Pladsholdere: {missing}, {total}",
    ),
    "guide_heading": ("Læsevejledning", "Reading guide", "Overskrift over læsevejledningen"),
    "guide_progress_heading": (
        "Definition af smileys på indsats:",
        "Smileys on progress:",
        "Overskrift over smiley-definitionerne for indsats",
    ),
    "guide_economy_heading": (
        "Definition af smileys på økonomi",
        "Smileys on economy:",
        "Overskrift over smiley-definitionerne for økonomi",
    ),
    "date_label": ("Dato:", "Date:", "Kontaktblok"),
    "phone_label": ("Tlf. dir.:", "Phone:", "Kontaktblok"),
    "email_label": ("E-mail:", "E-mail:", "Kontaktblok"),
    "contact_label": ("Kontakt:", "Contact:", "Kontaktblok"),
    "case_label": ("Sagsid:", "Case no.:", "Kontaktblok"),
    "col_time": ("Tid", "Round", "Kolonneoverskrift over runderne"),
    "col_smiley": ("Smiley", "Smiley", "Kolonneoverskrift over smileys"),
    "department_label": ("Ansvarligt center:", "Responsible department:", "Indsatsblok"),
    "committee_label": ("Ansvarligt udvalg:", "Responsible committee:", "Indsatsblok"),
    "contributors_label": ("Væsentlig bidragsyder:", "Significant contributors:", "Indsatsblok"),
    "milestone_label": ("Milepæl", "Milestone", "Indsatsblok"),
    "status_label": ("Status:", "Status:", "Indsatsblok"),
    "economy_label": ("Økonomi", "Economy", "Indsatsblok"),
    "economy_status_label": ("Status økonomi:", "Economy status:", "Indsatsblok"),
    "budget_Drift": ("Drift", "Operating", "Budgettype"),
    "budget_Anlæg": ("Anlæg", "Capital", "Budgettype"),
    "dropdown_progress_title": ("Smiley på indsats", "Smiley on progress", "Titel på hjælpeteksten ved listen"),
    "dropdown_economy_title": ("Smiley på økonomi", "Smiley on economy", "Titel på hjælpeteksten ved listen"),
    "dropdown_error_title": ("Ugyldig smiley", "Invalid smiley", "Titel på fejlbeskeden"),
    "dropdown_error": (
        "Vælg en af smileyerne i listen: {states}.",
        "Pick one of the smileys in the list: {states}.",
        "Fejlbesked når der tastes andet end listens værdier. Pladsholder: {states}",
    ),
    "sheet_name": ("Opfølgning", "Follow-up", "Navnet på arket med indsatserne"),
    "page_footer": ("Side &P", "Page &P", "Sidefod (Excel-koder: &P = sidenummer)"),
}

# key: (value, what it is for)
DEFAULT_LOOK: dict[str, tuple[str, str]] = {
    "font_name": ("Calibri", "Skrifttype"),
    "font_size": ("11", "Skriftstørrelse"),
    "title_size": ("14", "Skriftstørrelse for titlen"),
    "heading_fill": ("#DDEBF7", "Baggrundsfarve for indsatsens overskrift"),
    "input_fill": ("#FFFFFF", "Baggrundsfarve for felter der skal udfyldes"),
    "locked_fill": ("#F2F2F2", "Baggrundsfarve for låste felter"),
    "future_font": ("#8C8C8C", "Skriftfarve for kommende runder"),
    "width_A": ("22", "Bredde af kolonne A (etiketter)"),
    "width_B": ("64", "Bredde af kolonne B (tekster)"),
    "width_C": ("9", "Bredde af kolonne C (Drift/Anlæg)"),
    "width_D": ("24", "Bredde af kolonne D (Tid)"),
    "width_E": ("10", "Bredde af kolonne E (Smiley)"),
    "width_F": ("5", "Bredde af kolonne F (smiley-tegn)"),
}

DANISH_MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def long_date(d: date | None, lang: str = "da") -> str:
    """The seed's way of writing a date: "4. juli 2018" (English: "4 July 2018")."""
    if d is None:
        return ""
    if lang == "en":
        return f"{d.day} {ENGLISH_MONTHS[d.month - 1]} {d.year}"
    return f"{d.day}. {DANISH_MONTHS[d.month - 1]} {d.year}"


class LayoutError(Exception):
    """The layout workbook cannot be used."""


@dataclass(frozen=True)
class Texts:
    """The fixed texts and look for one run, in one language."""

    lang: str = "da"
    texts: dict[str, tuple[str, str]] = field(default_factory=lambda: {k: (v[0], v[1]) for k, v in DEFAULT_TEXTS.items()})
    look: dict[str, str] = field(default_factory=lambda: {k: v[0] for k, v in DEFAULT_LOOK.items()})

    def __call__(self, key: str, **values) -> str:
        da, en = self.texts.get(key) or DEFAULT_TEXTS[key][:2]
        text = en if self.lang == "en" and en else da
        if values:
            text = _fill(text, values)
        return text

    def in_lang(self, lang: str) -> Texts:
        return Texts(lang=lang, texts=self.texts, look=self.look)

    def number(self, key: str) -> float:
        try:
            return float(self.look.get(key) or DEFAULT_LOOK[key][0])
        except ValueError:
            return float(DEFAULT_LOOK[key][0])

    def colour(self, key: str) -> str:
        value = (self.look.get(key) or "").strip()
        if re.fullmatch(r"#?[0-9A-Fa-f]{6}", value):
            return value if value.startswith("#") else "#" + value
        return DEFAULT_LOOK[key][0]


def _fill(text: str, values: dict) -> str:
    # str.format would choke on a stray brace typed by finance; replace known placeholders only.
    for k, v in values.items():
        text = text.replace("{" + k + "}", str(v))
    return text


def load_texts(path: Path | str | None = None, lang: str = "da") -> Texts:
    """Read the layout workbook; defaults fill any key it lacks."""
    path = Path(path) if path else DEFAULT_LAYOUT
    if not path.is_file():
        if path == DEFAULT_LAYOUT:
            return Texts(lang=lang)
        raise LayoutError(f"Layoutfilen {path} findes ikke.")
    from .xlsxio import read_sheets

    try:
        sheets = read_sheets(path, only={TEXTS_SHEET, LOOK_SHEET})
    except Exception as exc:
        raise LayoutError(f"Layoutfilen {path} kan ikke læses: {exc}") from None
    if TEXTS_SHEET not in sheets:
        raise LayoutError(f"Layoutfilen {path} har ikke arket '{TEXTS_SHEET}'.")
    texts = {k: (v[0], v[1]) for k, v in DEFAULT_TEXTS.items()}
    for row in sheets[TEXTS_SHEET][1:]:
        if not row or row[0] is None:
            continue
        key = str(row[0]).strip()
        if key in texts:
            da = _cell_text(row, 1)
            en = _cell_text(row, 2)
            texts[key] = (da if da else texts[key][0], en if en else texts[key][1])
    look = {k: v[0] for k, v in DEFAULT_LOOK.items()}
    for row in sheets.get(LOOK_SHEET, [])[1:]:
        if row and row[0] is not None and str(row[0]).strip() in look:
            value = _cell_text(row, 1)
            if value:
                look[str(row[0]).strip()] = value
    return Texts(lang=lang, texts=texts, look=look)


def _cell_text(row: list, i: int) -> str:
    if i >= len(row) or row[i] is None:
        return ""
    v = row[i]
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def write_layout_file(path: Path | str) -> Path:
    """Write the factory layout workbook that finance may edit in Excel."""
    from .xlsxio import atomic_output, new_workbook

    path = Path(path)
    with atomic_output(path) as tmp:
        wb = new_workbook(tmp)
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        note = wb.add_format({"text_wrap": True, "valign": "top", "font_color": "#595959", "italic": True})
        guide = wb.add_worksheet(GUIDE_SHEET)
        guide.set_column(0, 0, 110)
        lines = [
            "Layout for opfølgningsskabeloner og rapporter",
            "",
            "Denne projektmappe styrer de faste tekster og udseendet i de skabeloner, som "
            "'followup generate' laver, og i de rapporter, som 'followup collect' skriver.",
            "Arket 'Tekster': ret kolonnen Dansk (og English, der bruges med --lang en). "
            "Lad kolonnen Nøgle stå uændret. Tekster i {krøllede parenteser} er pladsholdere, "
            "som udfyldes automatisk; de skal blive stående.",
            "Arket 'Udseende': skrifttype, størrelser, farver (som #RRGGBB) og kolonnebredder.",
            "En nøgle, der slettes eller efterlades tom, får standardværdien.",
            "Gem filen som .xlsx. Brug en anden fil med 'followup generate --layout FIL'.",
            "",
            "Bemærk: arkbeskyttelsen i skabelonerne beskytter mod fejl, ikke mod angreb. "
            "'followup collect' kontrollerer derfor selv alle låste celler.",
        ]
        bold = wb.add_format({"bold": True, "font_size": 14})
        for i, line in enumerate(lines):
            guide.write_string(i, 0, line, bold if i == 0 else wrap)
        ws = wb.add_worksheet(TEXTS_SHEET)
        for c, (h, w) in enumerate((("Nøgle", 26), ("Dansk", 70), ("English", 60), ("Forklaring", 50))):
            ws.write_string(0, c, h, head)
            ws.set_column(c, c, w)
        for r, (key, (da, en, why)) in enumerate(DEFAULT_TEXTS.items(), start=1):
            ws.write_string(r, 0, key)
            ws.write_string(r, 1, da, wrap)
            ws.write_string(r, 2, en, wrap)
            ws.write_string(r, 3, why, note)
        ws.freeze_panes(1, 1)
        ws2 = wb.add_worksheet(LOOK_SHEET)
        for c, (h, w) in enumerate((("Nøgle", 20), ("Værdi", 20), ("Forklaring", 50))):
            ws2.write_string(0, c, h, head)
            ws2.set_column(c, c, w)
        for r, (key, (value, why)) in enumerate(DEFAULT_LOOK.items(), start=1):
            ws2.write_string(r, 0, key)
            ws2.write_string(r, 1, value)
            ws2.write_string(r, 2, why, note)
        ws2.freeze_panes(1, 1)
        wb.close()
    return path
