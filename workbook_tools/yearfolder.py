"""A finance year in a folder: the master, with the layout and mail texts beside it.

Finance keeps one folder per year on a shared drive ("Budgetopfølgning 2027/"):
the master, the layout they edit in Excel and the mail texts they edit in Notepad.
Every command looks for the layout and the texts beside the master it is given (or
a few folders up, since a round's merged master lives in the round's result folder
inside the year folder), so an edit made there is used without an option on every
call. `followup init` makes such a folder from nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import atomic_output, atomic_write_bytes
from .errors import FollowupError
from .master import (
    AGREEMENT_COLUMNS,
    AGREEMENT_FIELDS,
    AGREEMENT_SHEET,
    COMMITTEES_SHEET,
    DEPARTMENTS_SHEET,
    ELEMENT_COLUMNS,
    ELEMENTS_SHEET,
    RESULT_COLUMNS,
    RESULT_WIDTHS,
    RESULTS_SHEET,
    ROUNDS_SHEET,
    SHEET_COLUMNS,
)
from .model import ROUNDS, BudgetKind, Smiley, default_round_label
from .outfolder import MASTER_NAME
from .resources import copy_tree, factory_layout, factory_mail_texts
from .xlsxio import new_workbook

LAYOUT_NAME = "layout.xlsx"
MAIL_TEXTS_DIR = "mailtekster"
README_NAME = "LÆS MIG.txt"
# How far above the master the year folder may be: runde-2/resultat/master.xlsx sits two below it.
LEVELS_UP = 3


class YearFolderError(FollowupError):
    """The year folder cannot be made as asked."""


@dataclass(frozen=True)
class YearFiles:
    """The layout and mail texts a command uses; None means the factory ones in the package."""

    layout: Path | None = None
    mail_texts: Path | None = None
    lines: tuple[str, ...] = ()


def files_for(
    master: Path, layout: Path | None = None, mail_texts: Path | None = None, wants: tuple[str, ...] = ("layout", "mail")
) -> YearFiles:
    """The layout and mail texts for a command on `master`: the options if given, else the year folder's.

    The year folder is the master's own folder or one a few levels above it that
    holds `layout.xlsx` or `mailtekster/`. A file found there is used even when it
    cannot be read (the loader then says why), never passed over for the factory one.
    Each choice that is not the factory default gets a line saying so; `wants` names
    what the command uses ("layout", "mail"), so it speaks only of those.
    """
    layout, layout_line = _choose(master, layout, LAYOUT_NAME, "Layout", "--layout") if "layout" in wants else (layout, "")
    mail_texts, mail_line = (
        _choose(master, mail_texts, MAIL_TEXTS_DIR, "Mailtekster", "--mail-texts") if "mail" in wants else (mail_texts, "")
    )
    return YearFiles(layout, mail_texts, tuple(line for line in (layout_line, mail_line) if line))


def _choose(master: Path, given: Path | None, name: str, what: str, option: str) -> tuple[Path | None, str]:
    if given is not None:
        return given, f"{what}: {given} ({option})"
    found = _nearest(master, name)
    return found, (f"{what}: {found} (fra årsmappen)" if found else "")


def _nearest(master: Path, name: str) -> Path | None:
    folder = Path(master).absolute().parent
    for candidate in [folder, *folder.parents][: LEVELS_UP + 1]:
        if (candidate / name).exists():
            return candidate / name
    return None


@dataclass
class NewFolder:
    """What `followup init` wrote, and what it found there already and left alone."""

    folder: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def init_year_folder(folder: Path | str, year: int, title: str | None = None, force: bool = False) -> NewFolder:
    """Make a year folder finance can work in: an empty master, the layout, the mail texts, a read-me.

    An existing folder with anything in it is refused unless `force`; even then a
    file already there is kept, never overwritten: it may be this year's work.
    """
    if not 1900 <= year <= 2200:
        raise YearFolderError(f"året skal være et årstal som 2027, ikke {year}.")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise YearFolderError(f"{folder} er en fil; angiv en mappe.")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise YearFolderError(
            f"mappen {folder} er ikke tom. Vælg en ny mappe, eller brug --force for at tilføje de filer, der mangler (intet bliver overskrevet)."
        )
    title = (title or "").strip() or f"Aftale om budget {year}"
    folder.mkdir(parents=True, exist_ok=True)
    made = NewFolder(folder)
    _unless_there(folder / MASTER_NAME, lambda p: write_blank_master(p, year, title), made)
    complete = add_missing_files(folder, year, title)
    made.written += complete.written
    made.kept += complete.kept
    return made


def add_missing_files(folder: Path, year: int, title: str) -> NewFolder:
    """The factory layout, mail texts and read-me, each written only where the folder lacks it.

    `init` uses it after the blank master; `new-year` after carrying over last year's
    own files, so a new year folder is always complete and never loses an edited file.
    """
    made = NewFolder(folder)
    _unless_there(folder / LAYOUT_NAME, lambda p: atomic_write_bytes(p, factory_layout().read_bytes()), made)
    texts = folder / MAIL_TEXTS_DIR
    for item in sorted(factory_mail_texts().iterdir(), key=lambda i: i.name):
        if item.name.endswith(".txt"):
            _unless_there(texts / item.name, lambda p, item=item: copy_tree(item, p), made)
    _unless_there(folder / README_NAME, lambda p: atomic_write_bytes(p, read_me(year, title).encode("utf-8-sig")), made)
    return made


# The factory's layout and mail texts as earlier versions shipped them, by SHA-256. A year
# folder's copy with these bytes was never edited: the next year gets today's factory file.
# When a release changes one of them, add the hash of the version it replaces here.
EARLIER_FACTORY: dict[str, frozenset[str]] = {
    LAYOUT_NAME: frozenset({"195b25eecfa984e5086a0cf22fe493f41a403c17afecf2bb33c7fc3cbd758294"}),
    "oversigt.txt": frozenset({"9144a0d655123e1ceeb57c192b51084bacc0f68021f4143ab3f3dba0cfd06ddf"}),
    "rapport.txt": frozenset({"f4e1bd23b2153d329ed13b88969d9d72e1f7f878691ef8ca332c3fcc5665db48"}),
    "rykker.txt": frozenset({"e17837f9fb8048bec362f1cd545340fb09dfc96a14df27bc7db25c885807ad36"}),
    "skabelon.txt": frozenset({"6ce98a49bb47b089e96fbe0b41492b94063f33de3af73a877cb431339e4d984b"}),
}


def refresh_unedited(folder: Path) -> list[Path]:
    """Give `folder` today's factory layout and mail texts where its own are an earlier factory file, unedited; the files replaced.

    Copied forward year after year, an untouched layout or mail text would keep an old
    wording for ever; one finance has edited, by a single character, is theirs and stays.
    """
    current = {LAYOUT_NAME: factory_layout(), **{i.name: i for i in factory_mail_texts().iterdir() if i.name.endswith(".txt")}}
    replaced = []
    for path in [folder / LAYOUT_NAME, *sorted((folder / MAIL_TEXTS_DIR).glob("*.txt"))]:
        earlier = EARLIER_FACTORY.get(path.name, frozenset())
        if path.is_file() and path.name in current and hashlib.sha256(path.read_bytes()).hexdigest() in earlier:
            atomic_write_bytes(path, current[path.name].read_bytes())
            replaced.append(path)
    return replaced


def _unless_there(path: Path, write, made: NewFolder) -> None:
    if path.exists():
        made.kept.append(path)
    else:
        write(path)
        made.written.append(path)


def guide_progress(year: int, title: str) -> str:
    """The seed's reading guide on progress, for another year: a start finance edits."""
    return (
        f"Opfølgningen på {title} sker ved, at der gives smileys, på henholdsvis indsats og økonomi. "
        "Der følges op på aftalen fire gange årligt. Dette sker i forbindelse med de tre budgetopfølgninger "
        f"samt en endelig opfølgning pr. 31. december {year}. Denne læsevejledning skal skabe klarhed over, "
        "hvordan de indsatte smileys skal forstås.\n\n"
        "Status på indsats gives ved at følge op på de opsatte milepæle ved budgetopfølgningerne. Milepæle er de "
        "nødvendige skridt, der skal tages for at nå frem til det endelige mål, som vil være det pågældende "
        "delelement i budgetaftalen."
    )


GUIDE_ECONOMY = (
    "Der gives én samlet smiley-status på økonomi ved hver opfølgning. Hvis der er ændringer til økonomien i "
    "forhold til det vedtagne budget, skal det indgå i budgetopfølgningen, hvor der anvises en alternativ "
    "finansiering. Opfølgningen på økonomien vil herefter være i forhold til den eventuelle ændrede økonomi, "
    "som godkendt af Kommunalbestyrelsen."
)

# What each field and column is for, shown as a note on its heading: finance fills the master
# in Excel and never reads our docs.
FIELD_HELP = {
    "År": "Aftalens år, fx 2027. Skal stå.",
    "Titel": "Aftalens navn, som det står i rapporternes titel.",
    "Afsender": "Økonomiafdelingens navn, fx »Økonomi og Styring«. Står i rapportens kontaktblok, under mails og som forfatter til kommentarerne i de kommenterede kopier.",
    "Dato": "Rapportens dato, fx 4. juli 2027.",
    "Telefon": "Kontaktpersonens direkte telefonnummer.",
    "E-mail": "Økonomis e-mailadresse; mails sendes fra den.",
    "Kontakt": "Kontaktpersonens navn.",
    "Sagsid": "Sagens nummer i sagssystemet.",
    "Læsevejledning indsats": "Læsevejledningen over smileys på indsats, øverst i skabeloner og rapporter.",
    "Læsevejledning økonomi": "Læsevejledningen over smileys på økonomi.",
    "Oversigt sendes til": "Hvem oversigten (overview.xlsx) sendes til med followup mail overview, fx økonomiudvalget eller direktionen; flere adresser adskilles med ;. Kan stå tom.",
}
COLUMN_HELP = {
    (ROUNDS_SHEET, "Runde"): "1, 2, 3 eller 4.",
    (ROUNDS_SHEET, "Betegnelse"): "Rundens navn i skabeloner og rapporter, fx 2. budgetopfølgning 2027.",
    (ROUNDS_SHEET, "Frist"): "Svarfristen, fx 15. marts 2027. Kan stå tom.",
    (COMMITTEES_SHEET, "Udvalg"): "Udvalgets fulde navn. Hvert udvalg får sin egen skabelon og rapport.",
    (COMMITTEES_SHEET, "Nummer"): "Afsnittets nummer i aftalen, fx 5.",
    (COMMITTEES_SHEET, "Område"): "Afsnittets overskrift, fx Erhverv og Beskæftigelse.",
    (COMMITTEES_SHEET, "E-mail"): "Hvem skabelon og rapport sendes til; flere adresser adskilles med ;",
    (DEPARTMENTS_SHEET, "Center"): "Et ansvarligt center (kun nødvendigt ved skabeloner pr. center).",
    (DEPARTMENTS_SHEET, "E-mail"): "Centrets adresser; flere adskilles med ;",
    (ELEMENTS_SHEET, "Nummer"): "Indsatsens nummer, fx 5.01 eller 5.08.1. Kolonnen er formateret som tekst, så 3.10 bliver stående.",
    (ELEMENTS_SHEET, "Titel"): "Indsatsens titel.",
    (ELEMENTS_SHEET, "Udvalg"): "Vælg udvalget i listen (navnene fra arket Udvalg).",
    (ELEMENTS_SHEET, "Budgettype"): "Drift eller Anlæg.",
    (ELEMENTS_SHEET, "Aftaletekst"): "Aftalens tekst om indsatsen.",
    (ELEMENTS_SHEET, "Milepæl 1"): "Milepælen for 1. runde; tilsvarende Milepæl 2–4.",
    (RESULTS_SHEET, "Nummer"): "Udfyldes af followup collect. Ret kun her, hvis et svar skal skrives ind i hånden.",
}
TEXT_COLUMNS = {ELEMENTS_SHEET: ("Nummer",), COMMITTEES_SHEET: ("Nummer",), RESULTS_SHEET: ("Nummer",)}
LAST_ROW = 1_048_575  # dropdowns and text format for the whole column: finance adds rows as they come


def write_blank_master(path: Path, year: int, title: str) -> Path:
    """A master with every sheet and heading, ready to fill in Excel, and nothing to delete first.

    Dropdowns where a wrong word would stop generate (committee, budget type, round,
    smiley), element numbers formatted as text (3.10 must not become 3.1), and a note
    on each heading saying what goes there.
    """
    with atomic_output(path) as tmp:
        wb = new_workbook(tmp)
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "valign": "top"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        text = wb.add_format({"num_format": "@", "valign": "top"})
        note = wb.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        dated = wb.add_format({"num_format": "d. mmmm yyyy", "align": "left", "valign": "top"})

        ws = wb.add_worksheet(AGREEMENT_SHEET)
        for c, (h, w) in enumerate(zip((*AGREEMENT_COLUMNS, "Forklaring"), (24, 90, 60), strict=True)):
            ws.write_string(0, c, h, head)
            ws.set_column(c, c, w, wrap)
        values = {
            "År": year,
            "Titel": title,
            "Læsevejledning indsats": guide_progress(year, title),
            "Læsevejledning økonomi": GUIDE_ECONOMY,
        }
        for r, key in enumerate(AGREEMENT_FIELDS.values(), start=1):
            ws.write_string(r, 0, key)
            value = values.get(key)
            if isinstance(value, int):
                ws.write_number(r, 1, value)
            elif value:
                ws.write_string(r, 1, value, wrap)
            elif key == "Dato":
                ws.write_blank(r, 1, None, dated)
            ws.write_string(r, 2, FIELD_HELP.get(key, ""), note)
        ws.freeze_panes(1, 1)

        widths = {
            ROUNDS_SHEET: (8, 30, 18),
            COMMITTEES_SHEET: (40, 10, 30, 50),
            DEPARTMENTS_SHEET: (40, 50),
            ELEMENTS_SHEET: (10, 36, 36, 12, 60, 24, 24, 50, 40, 40, 40, 40, 40),
            RESULTS_SHEET: RESULT_WIDTHS,
        }
        sheets = {}
        for name, sheet_widths in widths.items():
            sheet = wb.add_worksheet(name)
            sheets[name] = sheet
            for c, (h, w) in enumerate(zip(SHEET_COLUMNS[name], sheet_widths, strict=True)):
                sheet.set_column(c, c, w, text if h in TEXT_COLUMNS.get(name, ()) else wrap)
                sheet.write_string(0, c, h, head)
                if (name, h) in COLUMN_HELP:
                    sheet.write_comment(0, c, COLUMN_HELP[name, h], {"x_scale": 2, "y_scale": 1.2})
            sheet.freeze_panes(1, 0)

        rounds = sheets[ROUNDS_SHEET]
        for n in ROUNDS:
            rounds.write_number(n, 0, n)
            rounds.write_string(n, 1, default_round_label(n, year))
            rounds.write_blank(n, 2, None, dated)
        _choices(rounds, 0, {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 4}, "Runde", "Skriv 1, 2, 3 eller 4.")
        _choices(
            sheets[ELEMENTS_SHEET],
            ELEMENT_COLUMNS.index("Udvalg"),
            {"validate": "list", "source": f"='{COMMITTEES_SHEET}'!$A$2:$A$2000"},
            "Udvalg",
            "Vælg et udvalg fra arket Udvalg.",
        )
        _choices(
            sheets[ELEMENTS_SHEET],
            ELEMENT_COLUMNS.index("Budgettype"),
            {"validate": "list", "source": [k.value for k in BudgetKind]},
            "Budgettype",
            "Vælg Drift eller Anlæg.",
        )
        results = sheets[RESULTS_SHEET]
        _choices(
            results,
            RESULT_COLUMNS.index("Runde"),
            {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 4},
            "Runde",
            "Skriv 1, 2, 3 eller 4.",
        )
        _choices(
            results,
            RESULT_COLUMNS.index("Smiley indsats"),
            {"validate": "list", "source": [s.label for s in Smiley]},
            "Smiley",
            "Vælg en smiley.",
        )
        economy = [s.label for s in Smiley if s is not Smiley.YELLOW]
        _choices(results, RESULT_COLUMNS.index("Smiley økonomi"), {"validate": "list", "source": economy}, "Smiley", "Vælg en smiley.")
        wb.close()
    return path


def _choices(sheet, col: int, rule: dict, title: str, message: str) -> None:
    """A dropdown or range rule on a whole column below its heading, with Excel's error box in Danish."""
    sheet.data_validation(1, col, LAST_ROW, col, {**rule, "error_title": title, "error_message": message})


def read_me(year: int, title: str) -> str:
    """The year folder's LÆS MIG.txt: what is here and the commands of a round, in order."""
    lines = f"""Budgetopfølgning {year} – {title}

Denne mappe er årets opfølgning. Her ligger:
  {MASTER_NAME}      masterfilen: aftalen, udvalgene, indsatserne og svarene. Udfyld den i Excel.
  {LAYOUT_NAME}      faste tekster og udseende i skabeloner og rapporter. Ret dem i Excel.
  {MAIL_TEXTS_DIR}\\      teksterne i mails til udvalgene. Ret dem i Notesblok.
Programmet bruger selv layout og mailtekster fra denne mappe.

Sådan kører en runde (her runde 1; kommandoerne skrives i en kommandoprompt i denne mappe):
  1. Udfyld {MASTER_NAME}: arkene Aftale, Runder, Udvalg og Indsatser. Hver overskrift har en note.
  2. followup generate {MASTER_NAME} --round 1 --out runde-1\\skabeloner
  3. followup mail templates {MASTER_NAME} --round 1 --from runde-1\\skabeloner
  4. Gem besvarelserne (de udfyldte skabeloner, eller mailene med dem) i runde-1\\indbakke, og kør:
     followup collect {MASTER_NAME} --round 1 --out runde-1\\resultat runde-1\\indbakke
  5. followup mail reminders {MASTER_NAME} --round 1 --from runde-1\\resultat
     followup mail reports {MASTER_NAME} --round 1 --from runde-1\\resultat
  6. Næste runde tager udgangspunkt i runde-1\\resultat\\{MASTER_NAME}, som indeholder svarene.

Næste år: followup new-year "{MASTER_NAME}" --year {year + 1} --out "..\\Budgetopfølgning {year + 1}"
Hjælp til hver kommando: followup KOMMANDO --help
"""
    return lines.replace("\n", "\r\n")  # Notepad on older Windows shows a bare LF as one long line
