"""The catalog of everything that can be wrong with a returned workbook.

Problems are data, not exceptions: a bad return becomes rows in the validation
report, with a stable code, a severity, a Danish message and a hint that says what
to do. An *error* rejects the return; a *warning* or *info* does not.
The table in ``docs/problems.md`` is generated from this catalog
(``followup problems --markdown``), and a test fails when the two drift apart.

Codes are an interface: scripts filter ``validation.xlsx`` and ``--json`` by them,
so a code is never renamed or reused for something else; add a new one instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .model import field_words
from .texts import fill


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "Fejl", "warning": "Advarsel", "info": "Info"}[self.value]


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its stable code, how bad it is, what to say and what to do."""

    code: str
    severity: Severity
    message: str  # Danish; placeholders {file} {cell} {element} {field} {expected} {found} {detail}
    hint: str  # to finance, who reads validation.xlsx
    category: str = ""
    advice: str = ""  # to the sender, in the annotated feedback copy; "" = use the hint


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# Categories, in the order the docs show them.
FILE, TEMPLATE, INTEGRITY, VALUES, ACROSS = (
    "Filen",
    "Skabelonen",
    "Låst indhold",
    "Svarene",
    "På tværs af besvarelser",
)
CATEGORIES = (FILE, TEMPLATE, INTEGRITY, VALUES, ACROSS)


def _t(category: str, code: str, severity: Severity, message: str, hint: str) -> ProblemType:
    return ProblemType(code, severity, message, hint, category, ADVICE.get(code, ""))


# What the sender is told in the annotated copy of their own workbook (feedback/): "du", not "afsenderen".
_FRESH = "Udfyld en ny kopi af den skabelon, du fik tilsendt."
ADVICE: dict[str, str] = {
    "wrong-year": "Det er skabelonen for budget {found}; der samles ind for {expected}. Udfyld skabelonen for det rigtige år.",
    "wrong-round": "Det er skabelonen til runde {found}; der samles nu ind til runde {expected}. Udfyld skabelonen til denne runde.",
    "old-template-version": "Du har brugt en ældre udgave af skabelonen. Svarene er læst; brug den nye skabelon næste gang.",
    "old-template-not-migratable": "Du har brugt en ældre udgave af skabelonen, som ikke kan læses sikkert. Udfyld den nye skabelon.",
    "template-outdated": "Skabelonen er lavet før en ændring hos Økonomi. Ingen handling, medmindre andet står her.",
    "element-not-in-template": "Indsats {element} er kommet til, efter skabelonen blev sendt. Økonomi sender en skabelon til den eller skriver svaret ind selv.",
    "element-removed-from-master": "Indsats {element} er udgået, efter skabelonen blev sendt; dens svar er ikke brugt. Ingen handling nødvendig.",
    "template-id-mismatch": "Skabelonen passer ikke til den, der blev sendt ud. " + _FRESH,
    "metadata-changed": "Skabelonens skjulte oplysninger er ændret. " + _FRESH,
    "locked-cell-changed": "Cellen er låst og skal stå som i skabelonen: {expected!r}. Ret den tilbage, eller: " + _FRESH,
    "sheet-added-or-removed": "Projektmappen har fået et ekstra ark eller mistet et. Lad arkene være, som de er i skabelonen.",
    "sheet-renamed": "Arket er omdøbt. Lad arkenes navne være, som de er i skabelonen.",
    "sheet-missing": "Arket med indsatserne mangler. " + _FRESH,
    "sheet-hidden": "Et ark er skjult eller vist. Lad arkene være, som de er i skabelonen.",
    "rows-moved": "Der er indsat, slettet eller sorteret rækker. " + _FRESH + " Lad rækkerne være.",
    "protection-removed": "Arkbeskyttelsen er fjernet. De hvide felter kan udfyldes uden at fjerne den; lad den være slået til.",
    "dropdown-removed": "Rullelisten i cellen ({field}) er forsvundet, typisk efter kopiér/indsæt. Vælg smileyen i listen i stedet for at indsætte.",
    "external-link": "Projektmappen har kæder til andre filer. Indsæt værdier i stedet for kæder.",
    "formulas-outside-cells": "Projektmappen har fået navne eller regler med formler, som skabelonen ikke har. De er fjernet i denne kopi; lad dem være næste gang.",
    "invalid-smiley": "Vælg {field} ({expected}) i listen i cellen.",
    "strict-ooxml": 'Filen er gemt som "Strict Open XML-regneark". Åbn den i Excel, vælg Filer > Gem som, og vælg filtypen "Excel-projektmappe (*.xlsx)".',
    "smiley-normalised": "Værdien er læst som '{expected}'. Vælg næste gang smileyen i listen.",
    "answer-as-shown": "Excel gemte det, du skrev, som tal eller dato; det er taget, som det stod i cellen: '{expected}'. Ingen handling nødvendig.",
    "invisible-characters": "Cellen havde usynlige tegn ({found}); værdien er læst som '{expected}'. Ingen handling nødvendig.",
    "smiley-missing": "Vælg {field} i listen i cellen.",
    "status-text-required": "En gul eller rød {detail} skal forklares: skriv en kort tekst i cellen ({field}).",
    "text-too-long": "Teksten ({field}) er {found} tegn; Excel tillader {expected}. Forkort den.",
    "formula-in-input": "Skriv {field} som almindelig tekst, ikke som formel (begynd ikke med =).",
    "late-return": "Besvarelsen er modtaget efter fristen {expected}. Den er taget med.",
    "conflicting-return": "Indsatsen er også besvaret i {detail} med et andet svar. Aftal med Økonomi, hvilket svar der gælder.",
    "superseded-return": "En nyere udgave af din besvarelse er modtaget og brugt: {detail}.",
    "rejected-return-replaced": "Denne udgave blev afvist, men din rettede udgave ({detail}) er godkendt og brugt. Ingen handling.",
    "newer-return-rejected": "Din nyeste udgave ({detail}) er afvist; denne ældre udgave er brugt indtil videre.",
}


_TYPES = [
    # What the file is, judged by its bytes
    _t(FILE, "not-a-file", E, "{file} er en mappe eller et link, ikke en fil.", "Send selve Excel-filen."),
    _t(FILE, "unreadable-file", E, "{file} kan ikke læses: {detail}.", "Tjek filens rettigheder, eller bed afsenderen sende den igen."),
    _t(
        FILE,
        "file-in-use",
        E,
        "{file} kan ikke læses: filen er åben i et andet program (Excel?); luk den og kør igen.",
        "Luk filen i Excel eller det program, der har den åben, og kør igen. Afsenderen skal ikke gøre noget.",
    ),
    _t(FILE, "empty-file", E, "{file} er tom (0 byte).", "Bed afsenderen sende projektmappen igen; filen er gået tabt undervejs."),
    _t(
        FILE,
        "not-a-workbook",
        E,
        "{file} er ikke en Excel-projektmappe ({detail}).",
        "Bed afsenderen sende den udfyldte skabelon som .xlsx.",
    ),
    _t(
        FILE,
        "csv-file",
        E,
        "{file} er en CSV-/tekstfil, ikke en projektmappe.",
        "CSV mister skabelonen, rullelisterne og låsningen. Bed afsenderen gemme den udfyldte skabelon som Excel-projektmappe (.xlsx).",
    ),
    _t(
        FILE,
        "encrypted-workbook",
        E,
        "{file} er beskyttet med adgangskode og kan ikke åbnes.",
        "Bed afsenderen fjerne adgangskoden (Filer > Info > Beskyt projektmappe > Krypter med adgangskode: slet den) og sende igen.",
    ),
    _t(
        FILE,
        "legacy-xls",
        E,
        "{file} er gemt i det gamle .xls-format.",
        "Bed afsenderen gemme som Excel-projektmappe (.xlsx) og sende igen.",
    ),
    _t(
        FILE,
        "macro-workbook",
        E,
        "{file} er en projektmappe med makroer (.xlsm).",
        "Makroer tages ikke imod. Bed afsenderen gemme som .xlsx uden makroer.",
    ),
    _t(
        FILE, "binary-workbook", E, "{file} er gemt som binær projektmappe (.xlsb).", "Bed afsenderen gemme som Excel-projektmappe (.xlsx)."
    ),
    _t(
        FILE,
        "ods-workbook",
        E,
        "{file} er et OpenDocument-regneark (.ods).",
        "Bed afsenderen gemme som Excel-projektmappe (.xlsx); i LibreOffice: Gem som > Excel 2007-365.",
    ),
    _t(
        FILE,
        "strict-ooxml",
        E,
        "{file} er gemt som Strict Open XML-regneark, som værktøjet ikke kan læse.",
        'Bed afsenderen åbne filen i Excel og gemme den som "Excel-projektmappe (*.xlsx)" (Filer > Gem som > Filtype).',
    ),
    _t(
        FILE,
        "unsafe-workbook",
        E,
        "{file} afvises af sikkerhedshensyn: {detail}.",
        "Filen er usædvanligt stor eller misdannet. Bed afsenderen sende skabelonen igen.",
    ),
    _t(FILE, "broken-workbook", E, "{file} er beskadiget: {detail}.", "Bed afsenderen åbne filen i Excel, gemme den igen og sende den."),
    _t(
        FILE,
        "attachment-not-workbook",
        INFO,
        "E-mailen {file} har en vedhæftet fil, der ikke er en projektmappe: {detail}.",
        "Ingen handling, medmindre afsenderen skulle have vedhæftet skabelonen.",
    ),
    _t(FILE, "no-attachment", W, "E-mailen {file} har ingen vedhæftet projektmappe.", "Bed afsenderen vedhæfte den udfyldte skabelon."),
    _t(
        FILE,
        "unreadable-mail",
        E,
        "E-mailen {file} kan ikke læses: {detail}.",
        "Gem e-mailen igen fra Outlook eller Thunderbird (.msg eller .eml), eller gem den vedhæftede projektmappe og saml den ind direkte.",
    ),
    # Whose template, which round, which version
    _t(
        TEMPLATE,
        "unknown-template",
        E,
        "{file} er ikke en opfølgningsskabelon fra dette værktøj ({detail}).",
        "Bed afsenderen udfylde den skabelon, der blev sendt ud, i stedet for en egen fil.",
    ),
    _t(
        TEMPLATE,
        "wrong-year",
        E,
        "{file} er skabelonen for budget {found}, ikke {expected}.",
        "Send skabelonen for det rigtige år til afsenderen.",
    ),
    _t(
        TEMPLATE,
        "wrong-committee",
        E,
        "{file} er til udvalget '{found}', som ikke står i masterfilen.",
        "Tjek at der samles ind med den rigtige masterfil, eller send den rigtige skabelon.",
    ),
    _t(
        TEMPLATE,
        "wrong-round",
        E,
        "{file} er skabelonen for runde {found}, ikke runde {expected}.",
        "Afsenderen har udfyldt en gammel skabelon. Send skabelonen for denne runde.",
    ),
    _t(
        TEMPLATE,
        "old-template-version",
        W,
        "{file} er lavet med skabelonversion {found}; nu er den {expected}. Svarene er hentet efter indsatsnummer.",
        "Tjek svarene i oversigten; send den nye skabelon næste gang.",
    ),
    _t(
        TEMPLATE,
        "old-template-not-migratable",
        E,
        "{file} er lavet med skabelonversion {found} (nu {expected}), og svarene kan ikke hentes sikkert: {detail}.",
        "Send den nye skabelon til afsenderen, og bed om at få svarene i den.",
    ),
    _t(
        TEMPLATE,
        "template-outdated",
        W,
        "{file} er lavet ud fra en tidligere udgave af masterfilen eller layoutet: {detail}.",
        "Er skabelonens låste indhold uændret, er svarene taget med. Skal ændringen nå afsenderne, så lav og send nye skabeloner.",
    ),
    _t(
        TEMPLATE,
        "element-not-in-template",
        W,
        "{file}: indsats {element} står i masterfilen, men ikke i skabelonen; den er kommet til, efter skabelonen blev lavet.",
        "Svarene på de andre indsatser er taget med. Send en skabelon til indsatsen, eller skriv svaret ind i masterfilen.",
    ),
    _t(
        TEMPLATE,
        "element-removed-from-master",
        INFO,
        "{file}: indsats {element} står i skabelonen, men ikke længere i masterfilen; dens svar er ikke taget med.",
        "Ingen handling nødvendig, medmindre indsatsen skal tilbage i masterfilen.",
    ),
    _t(
        TEMPLATE,
        "unknown-template-id",
        W,
        "{file} har et skabelon-id, som ikke står i manifestet: {found}.",
        "Skabelonen er ikke lavet i denne genereringsmappe. Tjek at den er til denne runde.",
    ),
    _t(
        TEMPLATE,
        "template-id-mismatch",
        E,
        "{file} har skabelon-id {found}, men det id blev lavet til {expected}.",
        "Skabelonen er ændret eller kopieret. Send den oprindelige skabelon igen.",
    ),
    _t(
        TEMPLATE,
        "metadata-changed",
        E,
        "{file}: skabelonens skjulte oplysninger er ændret eller fjernet ({detail}).",
        "Send skabelonen igen, og bed afsenderen ikke ændre skjulte ark.",
    ),
    _t(
        TEMPLATE,
        "properties-removed",
        W,
        "{file}: skabelonens dokumentegenskaber mangler; skabelonen er genkendt på det skjulte ark.",
        "Ingen handling nødvendig.",
    ),
    # What was locked
    _t(
        INTEGRITY,
        "locked-cell-changed",
        E,
        "{file}: den låste celle {cell} (indsats {element}) er ændret.",
        "Forventet: {expected!r}. Fundet: {found!r}. Send skabelonen igen, eller ret cellen tilbage.",
    ),
    _t(
        INTEGRITY,
        "sheet-added-or-removed",
        W,
        "{file}: arkene er ændret ({detail}).",
        "Ekstra ark ignoreres. Bed afsenderen ikke tilføje, omdøbe eller slette ark.",
    ),
    _t(
        INTEGRITY,
        "sheet-renamed",
        W,
        "{file}: arket '{expected}' er omdøbt til '{found}'.",
        "Indholdet er fundet og kontrolleret. Bed afsenderen lade arkenes navne være.",
    ),
    _t(
        INTEGRITY,
        "sheet-missing",
        E,
        "{file}: arket '{expected}' mangler ({detail}).",
        "Arket er slettet eller omdøbt, og indsatserne er ikke fundet på et andet ark. Send skabelonen igen.",
    ),
    _t(
        INTEGRITY,
        "sheet-hidden",
        W,
        "{file}: arket '{detail}' er skjult eller vist i modsætning til skabelonen.",
        "Ingen handling nødvendig; indholdet er kontrolleret.",
    ),
    _t(
        INTEGRITY,
        "rows-moved",
        E,
        "{file}: rækker er indsat, slettet eller sorteret (indsats {element} står i række {found}, forventet {expected}).",
        "Send skabelonen igen, og bed afsenderen ikke indsætte, slette eller sortere rækker.",
    ),
    _t(
        INTEGRITY,
        "protection-removed",
        W,
        "{file}: arkbeskyttelsen på '{detail}' er fjernet.",
        "Indholdet er kontrolleret celle for celle; bed afsenderen lade beskyttelsen være.",
    ),
    _t(
        INTEGRITY,
        "dropdown-removed",
        W,
        "{file}: rullelisten til {field} i {cell} (indsats {element}) er fjernet eller erstattet (fundet: {found}).",
        "Typisk efter kopiér/indsæt. Værdien er kontrolleret; brug listen næste gang.",
    ),
    _t(
        INTEGRITY,
        "external-link",
        W,
        "{file} indeholder eksterne kæder til andre filer.",
        "Kæderne ignoreres. Bed afsenderen indsætte værdier i stedet for kæder.",
    ),
    _t(
        INTEGRITY,
        "formulas-outside-cells",
        W,
        "{file} har formler uden for cellerne, som skabelonen ikke har: {detail}.",
        "Formlerne bruges ikke, og de er fjernet i tilbagemeldingskopien; svarene er læst. Bed afsenderen lade navne og regler være.",
    ),
    # The answers
    _t(
        VALUES,
        "invalid-smiley",
        E,
        "{file}: {field} i {cell} (indsats {element}) indeholder '{found}', som ikke er en gyldig smiley.",
        "Vælg {expected} i listen.",
    ),
    _t(
        VALUES,
        "smiley-normalised",
        W,
        "{file}: {field} i {cell} (indsats {element}) indeholder '{found}'; læst som '{expected}'.",
        "Ingen handling nødvendig; brug listen næste gang.",
    ),
    _t(
        VALUES,
        "invisible-characters",
        INFO,
        "{file}: '{found}' indeholder usynlige tegn og er læst som '{expected}'.",
        "Ingen handling nødvendig; tegnene kommer typisk med ved kopiér/indsæt fra mail eller web.",
    ),
    _t(
        VALUES,
        "answer-as-shown",
        INFO,
        "{file}: {field} i {cell} (indsats {element}) er gemt som tal eller dato ({found}); taget, som Excel viste den: '{expected}'.",
        "Ingen handling nødvendig; tjek i oversigten, at teksten er den, afsenderen mente.",
    ),
    _t(VALUES, "smiley-missing", W, "{file}: indsats {element} mangler {field} i {cell}.", "Bed afsenderen vælge {field} i listen."),
    _t(
        VALUES,
        "status-text-required",
        W,
        "{file}: indsats {element} har {detail} {found}, men {field} i {cell} er tom.",
        "En gul eller rød smiley skal forklares. Bed afsenderen skrive en status.",
    ),
    _t(
        VALUES,
        "text-too-long",
        E,
        "{file}: teksten i {field} i {cell} (indsats {element}) er {found} tegn; Excel tillader {expected}.",
        "Bed afsenderen forkorte teksten.",
    ),
    _t(
        VALUES,
        "formula-in-input",
        E,
        "{file}: {field} i {cell} (indsats {element}) indeholder en formel: {found}.",
        "Skriv statusteksten som almindelig tekst, ikke som formel.",
    ),
    # Across returns
    _t(ACROSS, "duplicate-return", INFO, "{file} er en kopi af {detail}, som allerede er modtaget.", "Ingen handling nødvendig."),
    _t(
        ACROSS,
        "superseded-return",
        W,
        "{file} er erstattet af en nyere udgave af samme skabelon: {detail}.",
        "Den nyeste udgave er brugt; begge er arkiveret.",
    ),
    _t(
        ACROSS,
        "newer-return-rejected",
        W,
        "{file} er brugt, men en nyere udgave fra samme afsender er afvist: {detail}.",
        "Svarene fra den ældre udgave er taget med. Bed afsenderen rette og sende den nye udgave igen.",
    ),
    _t(
        ACROSS,
        "rejected-return-replaced",
        INFO,
        "{file} blev afvist ({found} fejl), men er erstattet af {detail}, som er godkendt.",
        "Ingen handling nødvendig; den afviste fil er arkiveret, og dens fejl tæller ikke længere.",
    ),
    _t(
        ACROSS,
        "conflicting-return",
        E,
        "{file}: indsats {element} er besvaret anderledes ({field}) end i {detail}. Her: {found}.",
        "Ingen af svarene på indsatsen er flettet. Afgør hvilken fil der gælder, og kør igen med --prefer FIL.",
    ),
    _t(
        ACROSS,
        "prefer-not-found",
        W,
        "--prefer {detail} passer ikke på nogen af de indsamlede filer.",
        "Skriv filens navn, som det står i oversigten, eller hele stien.",
    ),
    _t(ACROSS, "late-return", W, "{file} er modtaget {found}, efter fristen {expected}.", "Svarene er taget med; noter forsinkelsen."),
    _t(
        ACROSS,
        "missing-return",
        W,
        "Der er ikke modtaget en godkendt besvarelse fra {detail}.",
        "Send en rykker (followup mail reminders).",
    ),
    _t(
        ACROSS,
        "missing-answer",
        W,
        "Indsats {element} ({detail}) har intet godkendt svar i denne runde.",
        "Send en rykker, eller udfyld svaret i masterfilen.",
    ),
]

CATALOG: dict[str, ProblemType] = {t.code: t for t in _TYPES}


@dataclass(frozen=True)
class Problem:
    """One finding, placed as precisely as it can be: file, committee, element, sheet, cell.

    `expected` and `found` are what the template (or rule) wanted and what the file
    holds, as text; `detail` fills the message where there is no single cell.
    """

    code: str
    file: str = ""
    committee: str = ""
    element: str = ""
    sheet: str = ""
    cell: str = ""
    expected: str = ""
    found: str = ""
    detail: str = ""
    department: str = ""  # the responsible department, when the return or answer is per department
    field: str = ""  # which answer (model.PROGRESS, STATUS, ECONOMY, ECONOMY_STATUS) the problem is about; "" for none
    replaced_by: str = ""  # the accepted return that replaced this problem's (rejected) file: history now, so info

    def __post_init__(self):
        if self.code not in CATALOG:
            raise KeyError(f"unknown problem code {self.code!r}; add it to problems.CATALOG")

    @property
    def type(self) -> ProblemType:
        return CATALOG[self.code]

    @property
    def severity(self) -> Severity:
        return Severity.INFO if self.replaced_by else self.type.severity

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else (self.cell or self.sheet)

    def _fill(self, template: str) -> str:
        values = {
            "file": self.file,
            "cell": self.where or "-",
            "element": self.element or "-",
            "field": self.field_words or "svaret",
            "expected": _short(self.expected),
            "found": _short(self.found),
            "detail": self.detail,
        }
        return fill(template.replace("{expected!r}", "'{expected}'").replace("{found!r}", "'{found}'"), values)

    @property
    def field_words(self) -> str:
        """The answer the problem is about, in Danish words ("smiley for økonomi"); "" for none."""
        return field_words(self.field)

    @property
    def message(self) -> str:
        return self._fill(self.type.message)

    @property
    def hint(self) -> str:
        return self._fill(self.type.hint)

    @property
    def advice(self) -> str:
        """What to tell the sender in the feedback copy (the hint when there is nothing sender-specific)."""
        return self._fill(self.type.advice or self.type.hint)

    def as_dict(self) -> dict:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "file": self.file,
            "committee": self.committee,
            "department": self.department,
            "element": self.element,
            "field": self.field,
            "field_words": self.field_words,
            "sheet": self.sheet,
            "cell": self.cell,
            "expected": self.expected,
            "found": self.found,
            "detail": self.detail,
            "message": self.message,
            "hint": self.hint,
        }


def _short(text: str, limit: int = 120) -> str:
    text = str(text).replace("\n", " ⏎ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_rejecting(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def catalog_markdown() -> str:
    """The docs' table of problem codes, generated so it cannot drift from the code."""
    lines = [
        "# Problem codes",
        "",
        "Generated from `workbook_tools/problems.py` by `followup problems --markdown`; "
        "`tests/test_problems_doc.py` fails when this file is not current.",
        "",
        "Every problem found in a returned workbook is one row in `validation.xlsx` (and in "
        "`followup check` and `--json`): severity, code, file, committee, department, element, field, sheet, cell, "
        "expected, found, message and hint. An **error** rejects the return: none of its answers "
        "are merged, and finance sends the sender the annotated copy from `feedback/`. A "
        "**warning** or **info** does not reject; the answers are merged. `conflicting-return` "
        "holds back only the element in question, until `--prefer FILE` decides.",
        "",
        "In the messages, `{file}`, `{cell}` (as `Sheet!A1`), `{element}`, `{field}` (which answer: "
        "smiley for indsats, status, smiley for økonomi or status økonomi), `{expected}`, "
        "`{found}` and `{detail}` are filled in from the problem. The last column is the comment "
        "on the problem cell in the annotated copy of the sender's own workbook (`feedback/`); where "
        "it is empty, the comment repeats the hint. Files that are not workbooks get no annotated copy.",
    ]
    for category in CATEGORIES:
        lines += [
            "",
            f"## {category}",
            "",
            "| code | severity | message (Danish) | what finance does | what the sender reads in the feedback copy |",
            "| --- | --- | --- | --- | --- |",
        ]
        for t in _TYPES:
            if t.category != category:
                continue
            cells = [c.replace("|", "\\|") for c in (t.message, t.hint, t.advice)]
            lines.append(f"| `{t.code}` | {t.severity.value} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
