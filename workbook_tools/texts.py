"""Every fixed text and look of the generated workbooks, editable by finance.

The defaults below are the factory settings. At run time the texts come from the
layout workbook (the year folder's ``layout.xlsx``, else the factory one shipped in the
package, whose source is the repo's ``templates/follow_up_template.xlsx``): its sheet ``Tekster``
(Nøgle | Dansk | English | Forklaring) and ``Udseende`` (Nøgle | Værdi | Forklaring).
Finance changes a heading in Excel and every generated workbook follows, with no
code touched. Keys missing from the file fall back to the defaults here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FollowupError
from .model import SMILEY_LOOKS, Smiley
from .resources import as_path, factory_layout

DEFAULT_LAYOUT = factory_layout()  # packaged: found wherever the tool is installed

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
        "Udfyld de hvide, indrammede felter for {round}: vælg en smiley i listen, og skriv en kort status. "
        "Alt andet er låst. Send skabelonen tilbage senest {deadline}.",
        "Fill in the white, framed cells for {round}: pick a smiley from the list and write a short status. "
        "Everything else is locked. Return the template by {deadline}.",
        "Vejledning øverst i skabelonen, når runden har en frist. Pladsholdere: {round}, {deadline}",
    ),
    "instructions_no_deadline": (
        "Udfyld de hvide, indrammede felter for {round}: vælg en smiley i listen, og skriv en kort status. "
        "Alt andet er låst. Send skabelonen tilbage inden for den aftalte frist.",
        "Fill in the white, framed cells for {round}: pick a smiley from the list and write a short status. "
        "Everything else is locked. Return the template within the agreed deadline.",
        "Vejledning øverst i skabelonen, når runden ingen frist har i masterfilen. Pladsholder: {round}",
    ),
    "final_round": (
        "den endelige opfølgning ({label})",
        "the final follow-up ({label})",
        "Sådan nævnes runde 4 i en sætning, når dens navn i masterfilen kun er en dato (31.12.2018). Pladsholder: {label}",
    ),
    "dated_round": (
        "opfølgningen pr. {label}",
        "the follow-up as of {label}",
        "Sådan nævnes runde 1-3 i en sætning, når dens navn i masterfilen kun er en dato. Pladsholder: {label}",
    ),
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
        "Smileys on finances:",
        "Overskrift over smiley-definitionerne for økonomi",
    ),
    # The reading guide's smiley definitions; the dropdowns' help texts repeat them.
    "guide_progress_green": (
        SMILEY_LOOKS[Smiley.GREEN].progress_guide,
        "Milestone reached",
        "Læsevejledningen: grøn smiley på indsats (gentages i rullelistens hjælpetekst)",
    ),
    "guide_progress_yellow": (
        SMILEY_LOOKS[Smiley.YELLOW].progress_guide,
        "Milestone not fully reached, but the year's overall goal is still realistic",
        "Læsevejledningen: gul smiley på indsats (gentages i rullelistens hjælpetekst)",
    ),
    "guide_progress_red": (
        SMILEY_LOOKS[Smiley.RED].progress_guide,
        "Milestone not reached, and not realistic within the budget period under the present conditions.",
        "Læsevejledningen: rød smiley på indsats (gentages i rullelistens hjælpetekst)",
    ),
    "guide_economy_green": (
        SMILEY_LOOKS[Smiley.GREEN].economy_guide,
        "Budget kept or saving achieved",
        "Læsevejledningen: grøn smiley på økonomi (gentages i rullelistens hjælpetekst)",
    ),
    "guide_economy_red": (
        SMILEY_LOOKS[Smiley.RED].economy_guide,
        "Budget not kept, or the expected saving is not achieved in the period.",
        "Læsevejledningen: rød smiley på økonomi (gentages i rullelistens hjælpetekst)",
    ),
    "date_label": ("Dato:", "Date:", "Kontaktblok"),
    "phone_label": ("Tlf. dir.:", "Phone:", "Kontaktblok"),
    "email_label": ("E-mail:", "E-mail:", "Kontaktblok"),
    "contact_label": ("Kontakt:", "Contact:", "Kontaktblok"),
    "case_label": ("Sagsid:", "Case no.:", "Kontaktblok"),
    "col_time": ("Runde", "Round", "Kolonneoverskrift over runderne"),
    "col_smiley": ("Smiley", "Smiley", "Kolonneoverskrift over smileys"),
    "not_answered": (
        "Ikke besvaret",
        "Not answered",
        "Udvalgsrapport og oversigt: står i stedet for smileys, når en indsats intet godkendt svar har i runden",
    ),
    "department_label": ("Ansvarligt center:", "Responsible department:", "Indsatsblok"),
    "committee_label": ("Ansvarligt udvalg:", "Responsible committee:", "Indsatsblok"),
    "contributors_label": ("Væsentlig bidragsyder:", "Significant contributors:", "Indsatsblok"),
    "milestone_label": ("Milepæl", "Milestone", "Indsatsblok"),
    "status_label": ("Status:", "Status:", "Indsatsblok"),
    "economy_label": ("Økonomi", "Finances", "Indsatsblok"),
    "economy_status_label": ("Status økonomi:", "Finances status:", "Indsatsblok"),
    "budget_Drift": ("Drift", "Operating", "Budgettype"),
    "budget_Anlæg": ("Anlæg", "Capital", "Budgettype"),
    "dropdown_progress_title": ("Smiley på indsats", "Smiley on progress", "Titel på hjælpeteksten ved listen"),
    "dropdown_economy_title": ("Smiley på økonomi", "Smiley on finances", "Titel på hjælpeteksten ved listen"),
    "dropdown_error_title": ("Ugyldig smiley", "Invalid smiley", "Titel på fejlbeskeden"),
    "dropdown_error": (
        "Vælg en af smileyerne i listen: {states}.",
        "Pick one of the smileys in the list: {states}.",
        "Fejlbesked når der tastes andet end listens værdier. Pladsholder: {states}",
    ),
    "sheet_name": ("Opfølgning", "Follow-up", "Navnet på arket med indsatserne"),
    "page_footer": ("Side &P af &N", "Page &P of &N", "Sidefod (Excel-koder: &P = sidenummer, &N = antal sider)"),
    # The consolidated overview (overview.xlsx). Sheet names: at most 31 characters, no [ ] : * ? / \
    "ov_sheet_overview": ("Oversigt", "Overview", "Oversigten: arket med én række pr. indsats"),
    "ov_sheet_status": ("Status", "Status", "Oversigten: arket med optælling og diagram"),
    "ov_sheet_changes": ("Ændringer", "Changes", "Oversigten: arket med ændringer siden forrige runde"),
    "ov_sheet_returns": ("Besvarelser", "Returns", "Oversigten: arket med forventede og modtagne besvarelser"),
    "ov_sheet_sources": ("Kilder", "Sources", "Oversigten: arket med hver værdis kildefil"),
    "ov_sheet_guide": ("Læsevejledning", "Reading guide", "Oversigten: arket med læsevejledningen"),
    "ov_col_committee": ("Udvalg", "Committee", "Oversigten: kolonneoverskrift"),
    "ov_col_number": ("Nummer", "No.", "Oversigten: kolonneoverskrift"),
    "ov_col_element": ("Indsats", "Element", "Oversigten: kolonneoverskrift"),
    "ov_col_department": ("Center", "Department", "Oversigten: kolonneoverskrift"),
    "ov_col_round": ("Runde", "Round", "Oversigten: kolonneoverskrift"),
    "ov_col_progress": ("Indsats – {round}", "Progress – {round}", "Oversigten: smiley på indsats i en runde. Pladsholder: {round}"),
    "ov_col_economy": ("Økonomi – {round}", "Finances – {round}", "Oversigten: smiley på økonomi i en runde. Pladsholder: {round}"),
    "ov_col_latest_status": ("Seneste status", "Latest status", "Oversigten: kolonneoverskrift"),
    "ov_col_latest_economy_status": ("Seneste status økonomi", "Latest finances status", "Oversigten: kolonneoverskrift"),
    "ov_col_progress_smiley": ("Smiley indsats", "Progress smiley", "Oversigten: kolonneoverskrift"),
    "ov_col_economy_smiley": ("Smiley økonomi", "Finances smiley", "Oversigten: kolonneoverskrift"),
    "ov_col_status_text": ("Status", "Status", "Oversigten: kolonneoverskrift (kilder)"),
    "ov_col_economy_status_text": ("Status økonomi", "Finances status", "Oversigten: kolonneoverskrift (kilder)"),
    "ov_missing": ("Mangler", "Missing", "Oversigten: ingen smiley modtaget (vises med gråt)"),
    "ov_missing_meaning": (
        "Indsatsen har ikke fået en godkendt smiley i runden.",
        "No accepted smiley has been received for the element in that round.",
        "Oversigten: læsevejledningens forklaring af 'Mangler'",
    ),
    "ov_total": ("I alt", "Total", "Oversigten: sumrække og -kolonne"),
    "ov_economy_state": ("Økonomi: {state}", "Finances: {state}", "Oversigten: optælling af smileys på økonomi. Pladsholder: {state}"),
    "ov_status_heading": ("Smileys pr. udvalg og runde", "Smileys per committee and round", "Oversigten: overskrift på arket Status"),
    "ov_chart_title": ("Smileys på indsats, {round}", "Progress smileys, {round}", "Oversigten: diagrammets titel. Pladsholder: {round}"),
    "ov_changes_heading": (
        "Ændringer fra {previous} til {round}",
        "Changes from {previous} to {round}",
        "Oversigten: overskrift på arket Ændringer. Pladsholdere: {previous}, {round}",
    ),
    "ov_col_change": ("Ændring", "Change", "Oversigten: kolonneoverskrift"),
    "ov_col_from": ("Fra", "From", "Oversigten: kolonneoverskrift"),
    "ov_col_to": ("Til", "To", "Oversigten: kolonneoverskrift"),
    "ov_col_detail": ("Tekst", "Text", "Oversigten: kolonneoverskrift"),
    "change_new_red": ("Ny rød", "New red", "Oversigten: rød nu, ikke rød i forrige runde"),
    "change_red_streak": (
        "Rød i {rounds} runder i træk",
        "Red for {rounds} rounds in a row",
        "Oversigten: rød igen. Pladsholder: {rounds}",
    ),
    "change_progress": ("Smiley på indsats ændret", "Progress smiley changed", "Oversigten: ændring"),
    "change_economy": ("Smiley på økonomi ændret", "Finances smiley changed", "Oversigten: ændring"),
    "change_status_copied": ("Status uændret fra forrige runde", "Status unchanged from the previous round", "Oversigten: ændring"),
    "change_economy_status_copied": (
        "Status økonomi uændret fra forrige runde",
        "Finances status unchanged from the previous round",
        "Oversigten: ændring",
    ),
    "ov_no_changes": ("Ingen ændringer.", "No changes.", "Oversigten: når intet er ændret"),
    "ov_col_expected": ("Forventet", "Expected", "Oversigten: kolonneoverskrift"),
    "ov_col_received": ("Modtaget", "Received", "Oversigten: kolonneoverskrift"),
    "ov_col_accepted": ("Godkendt", "Accepted", "Oversigten: kolonneoverskrift"),
    "ov_col_late": ("For sent", "Late", "Oversigten: kolonneoverskrift"),
    "ov_col_missing": ("Mangler", "Missing", "Oversigten: kolonneoverskrift"),
    "ov_col_unanswered": ("Indsatser uden svar", "Elements without an answer", "Oversigten: kolonneoverskrift"),
    "ov_unidentified": ("(ukendt udvalg)", "(unknown committee)", "Oversigten: filer, hvis udvalg ikke kunne afgøres"),
    "ov_files_heading": ("Modtagne filer", "Files received", "Oversigten: overskrift over fillisten"),
    "ov_col_file": ("Fil", "File", "Oversigten: kolonneoverskrift"),
    "ov_col_received_at": ("Modtaget den", "Received at", "Oversigten: kolonneoverskrift"),
    "ov_col_outcome": ("Behandling", "Outcome", "Oversigten: kolonneoverskrift"),
    "ov_col_sender": ("Indsendt af", "Sent by", "Oversigten: kolonneoverskrift (hvem der sendte besvarelsen)"),
    "ov_col_sha256": ("SHA-256", "SHA-256", "Oversigten: kolonneoverskrift"),
    "ov_col_template_version": ("Skabelonversion", "Template version", "Oversigten: kolonneoverskrift"),
    "ov_yes": ("Ja", "Yes", "Oversigten: ja"),
    "ov_source_master": ("(masterfilen)", "(the master)", "Oversigten: værdien stod i masterfilen"),
    "return_accepted": ("Godkendt", "Accepted", "Oversigten: besvarelsen er flettet"),
    "return_rejected": ("Afvist", "Rejected", "Oversigten: besvarelsen er afvist"),
    "return_duplicate": ("Kopi", "Duplicate", "Oversigten: samme fil er modtaget før"),
    "return_superseded": ("Erstattet", "Superseded", "Oversigten: en nyere udgave er brugt"),
    "return_conflict": ("Konflikt", "Conflict", "Oversigten: svar holdt tilbage til --prefer"),
    "ov_about": (
        "Arkene: Oversigt har én række pr. indsats med rundernes smileys og seneste status. "
        "Status tæller smileys pr. udvalg og runde. Ændringer viser, hvad der har ændret sig siden "
        "forrige runde: nye røde, indsatser der er røde igen, skift i smileys og statustekster, "
        "der er kopieret uændret. Besvarelser sammenholder forventede og modtagne besvarelser. "
        "Kilder viser for hver værdi, hvilken fil den kom fra (med SHA-256), hvornår den blev "
        "modtaget og med hvilken skabelonversion.",
        "The sheets: Overview has one row per element with each round's smileys and the latest "
        "status. Status counts smileys per committee and round. Changes shows what changed since the "
        "previous round: new reds, elements red again, changed smileys and status texts copied "
        "unchanged. Returns compares expected and received returns. Sources shows, for every value, "
        "the file it came from (with its SHA-256), when it was received and the template version.",
        "Oversigten: forklaring af arkene, nederst i læsevejledningen",
    ),
}


_BARE_DATE = re.compile(r"\d{1,2}\. ?\d{1,2}\. ?\d{2,4}|\d{1,2}[-/]\d{1,2}[-/]\d{2,4}|\d{4}-\d{2}-\d{2}")


def round_phrase(label: str, number: int, texts: Texts | None = None) -> str:
    """A round as a sentence names it: its label, or for a label that is only a date the words around it.

    "Udfyld felterne for 31.12.2018" reads as a date, not as the year's last follow-up:
    round 4 becomes "den endelige opfølgning (31.12.2018)", another round "opfølgningen pr. 30.6.2018".
    """
    label = " ".join(label.split())
    if not _BARE_DATE.fullmatch(label):
        return label
    return (texts or Texts())("final_round" if number == 4 else "dated_round", label=label)


def guide_key(kind: str, state: Smiley) -> str:
    """Text key of the reading guide's definition of `state` on "progress" or "economy"."""
    return f"guide_{kind}_{state.value}"


# key: (value, what it is for)
DEFAULT_LOOK: dict[str, tuple[str, str]] = {
    "font_name": ("Calibri", "Skrifttype"),
    "font_size": ("11", "Skriftstørrelse"),
    "title_size": ("14", "Skriftstørrelse for titlen"),
    "heading_fill": ("#DDEBF7", "Baggrundsfarve for indsatsens overskrift"),
    "input_fill": ("#FFFFFF", "Baggrundsfarve for de indrammede felter, der skal udfyldes"),
    "future_font": ("#8C8C8C", "Skriftfarve for kommende runder"),
    "width_A": ("22", "Bredde af kolonne A (etiketter)"),
    "width_B": ("64", "Bredde af kolonne B (tekster)"),
    "width_C": ("9", "Bredde af kolonne C (Drift/Anlæg)"),
    "width_D": ("24", "Bredde af kolonne D (Tid)"),
    "width_E": ("10", "Bredde af kolonne E (Smiley)"),
    "width_F": ("5", "Bredde af kolonne F (smiley-tegn)"),
}

# What finance may write for each look, to be used as written: a colour, or a number in a
# range the layout holds up in (sizes in points, widths in Excel's character units).
LOOK_NUMBERS: dict[str, tuple[float, float]] = {"font_size": (6, 36), "title_size": (6, 36), **{f"width_{c}": (1, 255) for c in "ABCDEF"}}
LOOK_COLOURS = ("heading_fill", "input_fill", "future_font")
_COLOUR = re.compile(r"#?[0-9A-Fa-f]{6}")


class LayoutError(FollowupError):
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
            text = fill(text, values)
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
        if _COLOUR.fullmatch(value):
            return value if value.startswith("#") else "#" + value
        return DEFAULT_LOOK[key][0]


_PLACEHOLDER = re.compile(r"\{([^{}\s]+)\}")


def fill(text: str, values: dict, unknown: Callable[[str], str] | None = None) -> str:
    """`text` with each {placeholder} replaced by its value, in one pass: the one filler of every text finance may edit.

    str.format would choke on a stray brace typed by finance. A placeholder not in
    `values` is left as written, or `unknown(key)` says what to do (the mail texts
    refuse it, naming the file).
    """

    def one(m: re.Match) -> str:
        key = m.group(1)
        if key in values:
            return str(values[key])
        return unknown(key) if unknown else m.group(0)

    return _PLACEHOLDER.sub(one, text)


def load_texts(path: Path | str | None = None, lang: str = "da") -> Texts:
    """Read the layout workbook (default: the factory one shipped in the package); defaults fill any key it lacks.

    A layout that is named but missing or unreadable is an error, never a quiet return
    to the factory texts: finance's edits in Excel would vanish without a word.
    """
    if not path:
        if not DEFAULT_LAYOUT.is_file():
            raise LayoutError("Standardlayoutet mangler i installationen af workbook_tools; installér programmet igen.")
        with as_path(DEFAULT_LAYOUT) as packaged:
            return load_texts(packaged, lang)
    path = Path(path)
    if path.is_dir():
        raise LayoutError(f"Layoutfilen {path} er en mappe; angiv selve filen (.xlsx).")
    if not path.is_file():
        raise LayoutError(f"Layoutfilen {path} findes ikke.")
    from .sheets import read_sheets

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
    _check_texts(path, texts)
    look = {k: v[0] for k, v in DEFAULT_LOOK.items()}
    for row in sheets.get(LOOK_SHEET, [])[1:]:
        if row and row[0] is not None and str(row[0]).strip() in look:
            value = _cell_text(row, 1)
            if value:
                look[str(row[0]).strip()] = value
    _check_look(path, look)
    return Texts(lang=lang, texts=texts, look=look)


def _check_look(path: Path, look: dict[str, str]) -> None:
    """A size, width or colour that cannot be used is refused, naming the key: left to the default, finance's edit would vanish without a word.

    Sizes and widths may be written with a decimal comma, as Danish Excel shows them.
    """
    problems = []
    for key, (low, high) in LOOK_NUMBERS.items():
        value = look[key].strip()
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            problems.append(f"'{key}' skal være et tal fra {low:g} til {high:g}, ikke '{value}'")
        else:
            look[key] = f"{number:g}"
    for key in LOOK_COLOURS:
        if not _COLOUR.fullmatch(look[key].strip()):
            problems.append(f"'{key}' skal være en farve skrevet som #DDEBF7 (rød, grøn og blå i sekstentalssystemet), ikke '{look[key]}'")
    if problems:
        raise LayoutError(f"Layoutfilen {path} kan ikke bruges: " + "; ".join(problems) + f". Ret arket '{LOOK_SHEET}'.")


# Placeholders the generated workbook cannot do without: the self-check formula counts into {missing}.
REQUIRED_PLACEHOLDERS = {"self_check": ("{missing}", "{total}")}
_BAD_SHEET_CHARS = set("[]:*?/\\")


def _check_texts(path: Path, texts: dict[str, tuple[str, str]]) -> None:
    # An edit that would break every generated workbook is refused here, with the cell to fix.
    problems = []
    for key, needed in REQUIRED_PLACEHOLDERS.items():
        for column, text in zip(("Dansk", "English"), texts[key]):
            missing = [p for p in needed if p not in text]
            if missing:
                problems.append(f"teksten '{key}' i kolonnen {column} skal indeholde {' og '.join(missing)}")
    for column, name in zip(("Dansk", "English"), texts["sheet_name"]):
        if len(name) > 31 or set(name) & _BAD_SHEET_CHARS or name.strip("'") != name:
            problems.append(f"arknavnet '{name}' i kolonnen {column} skal være højst 31 tegn uden [ ] : * ? / \\ og uden ' i enderne")
    if problems:
        raise LayoutError(f"Layoutfilen {path} kan ikke bruges: " + "; ".join(problems) + f". Ret arket '{TEXTS_SHEET}'.")


def _cell_text(row: list, i: int) -> str:
    if i >= len(row) or row[i] is None:
        return ""
    v = row[i]
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def write_layout_file(path: Path | str, danish: dict[str, str] | None = None) -> Path:
    """Write the factory layout workbook that finance may edit in Excel; `danish` replaces some keys' Danish texts.

    The 2018 example ships a layout of its own that quotes the seed's wording where
    the factory text corrects it ("under givende forudsætninger", the column "Tid").
    """
    danish = danish or {}
    unknown = sorted(set(danish) - set(DEFAULT_TEXTS))
    if unknown:
        raise KeyError(f"no such text keys: {unknown}")
    from .atomic import atomic_output
    from .xlsxio import new_workbook

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
            "Denne layoutfil styrer de faste tekster og udseendet i de skabeloner, som "
            "'followup generate' laver, og i de rapporter, som 'followup collect' skriver.",
            "Arket 'Tekster': ret kolonnen Dansk (og English, der bruges med --lang en). "
            "Lad kolonnen Nøgle stå uændret. Tekster i {krøllede parenteser} er pladsholdere, "
            "som udfyldes automatisk; de skal blive stående.",
            "Arket 'Udseende': skrifttype, størrelser, farver (som #RRGGBB) og kolonnebredder.",
            "En nøgle, der slettes eller efterlades tom, får standardværdien.",
            "Gem filen som .xlsx. Brug en anden fil med 'followup generate --layout FIL', og brug den samme fil, "
            "når svarene samles ind ('followup collect --layout FIL'): collect genskaber skabelonens låste indhold ud fra den.",
            "Teksten 'self_check' skal beholde {missing} og {total}; arknavnet ('sheet_name') må højst have 31 tegn og ikke [ ] : * ? / \\.",
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
            ws.write_string(r, 1, danish.get(key, da), wrap)
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
