"""The catalog of everything that can be wrong with a returned workbook.

Problems are data, not exceptions: a bad return becomes rows in the validation
report, with a stable code, a severity, a Danish message and a hint that says what
to do. An *error* rejects the return; a *warning* or *info* does not.
The table in ``docs/problems.md`` is generated from this catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "Fejl", "warning": "Advarsel", "info": "Info"}[self.value]


@dataclass(frozen=True)
class ProblemType:
    code: str
    severity: Severity
    message: str  # Danish; placeholders {file} {cell} {element} {expected} {found} {detail}
    hint: str


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_TYPES = [
    # What the file is
    ProblemType("not-a-file", E, "{file} er en mappe eller et link, ikke en fil.", "Send selve Excel-filen."),
    ProblemType("unreadable-file", E, "{file} kan ikke læses: {detail}.", "Tjek filens rettigheder, eller bed afsenderen sende den igen."),
    ProblemType("empty-file", E, "{file} er tom (0 byte).", "Bed afsenderen sende projektmappen igen; filen er gået tabt undervejs."),
    ProblemType("not-a-workbook", E, "{file} er ikke en Excel-projektmappe ({detail}).", "Bed afsenderen sende den udfyldte skabelon som .xlsx."),
    ProblemType("encrypted-workbook", E, "{file} er beskyttet med adgangskode og kan ikke åbnes.", "Bed afsenderen fjerne adgangskoden (Filer > Info > Beskyt projektmappe) og sende igen."),
    ProblemType("legacy-xls", E, "{file} er gemt i det gamle .xls-format.", "Bed afsenderen gemme som Excel-projektmappe (.xlsx) og sende igen."),
    ProblemType("macro-workbook", E, "{file} er en projektmappe med makroer (.xlsm).", "Makroer tages ikke imod. Bed afsenderen gemme som .xlsx uden makroer."),
    ProblemType("binary-workbook", E, "{file} er gemt som binær projektmappe (.xlsb).", "Bed afsenderen gemme som Excel-projektmappe (.xlsx)."),
    ProblemType("ods-workbook", E, "{file} er et OpenDocument-regneark (.ods).", "Bed afsenderen gemme som Excel-projektmappe (.xlsx); i LibreOffice: Gem som > Excel 2007-365."),
    ProblemType("unsafe-workbook", E, "{file} afvises af sikkerhedshensyn: {detail}.", "Filen er usædvanligt stor eller misdannet. Bed afsenderen sende skabelonen igen."),
    ProblemType("broken-workbook", E, "{file} er beskadiget: {detail}.", "Bed afsenderen åbne filen i Excel, gemme den igen og sende den."),
    ProblemType("attachment-not-workbook", INFO, "E-mailen {file} har en vedhæftet fil, der ikke er en projektmappe: {detail}.", "Ingen handling, medmindre afsenderen skulle have vedhæftet skabelonen."),
    ProblemType("no-attachment", W, "E-mailen {file} har ingen vedhæftet projektmappe.", "Bed afsenderen vedhæfte den udfyldte skabelon."),
    # Whose and which template
    ProblemType("unknown-template", E, "{file} er ikke en opfølgningsskabelon fra dette værktøj ({detail}).", "Bed afsenderen udfylde den skabelon, der blev sendt ud, i stedet for en egen fil."),
    ProblemType("wrong-year", E, "{file} er skabelonen for budget {found}, ikke {expected}.", "Send skabelonen for det rigtige år til afsenderen."),
    ProblemType("wrong-committee", E, "{file} er til udvalget '{found}', som ikke står i masterfilen.", "Tjek at der samles ind med den rigtige masterfil, eller send den rigtige skabelon."),
    ProblemType("wrong-round", E, "{file} er skabelonen for runde {found}, ikke runde {expected}.", "Afsenderen har udfyldt en gammel skabelon. Send skabelonen for denne runde."),
    ProblemType("old-template-version", W, "{file} er lavet med skabelonversion {found}; nu er den {expected}. Svarene er hentet efter indsatsnummer.", "Tjek svarene i oversigten; send den nye skabelon næste gang."),
    ProblemType("unknown-template-id", W, "{file} har et skabelon-id, som ikke står i manifestet: {found}.", "Skabelonen er ikke lavet i denne genereringsmappe. Tjek at den er til denne runde."),
    ProblemType("template-id-mismatch", E, "{file} har skabelon-id {found}, men indholdet passer ikke til det, der blev lavet med det id.", "Skabelonen er ændret eller kopieret. Send den oprindelige skabelon igen."),
    ProblemType("metadata-changed", E, "{file}: skabelonens skjulte oplysninger er ændret eller fjernet ({detail}).", "Send skabelonen igen, og bed afsenderen ikke ændre skjulte ark."),
    ProblemType("properties-removed", W, "{file}: skabelonens dokumentegenskaber mangler; skabelonen er genkendt på det skjulte ark.", "Ingen handling nødvendig."),
    # Integrity
    ProblemType("locked-cell-changed", E, "{file}: den låste celle {cell} (indsats {element}) er ændret.", "Forventet: {expected!r}. Fundet: {found!r}. Send skabelonen igen, eller ret cellen tilbage."),
    ProblemType("sheet-added-or-removed", W, "{file}: arkene er ændret ({detail}).", "Ekstra ark ignoreres. Bed afsenderen ikke tilføje, omdøbe eller slette ark."),
    ProblemType("sheet-missing", E, "{file}: arket '{expected}' mangler ({detail}).", "Arket er slettet eller omdøbt. Send skabelonen igen."),
    ProblemType("sheet-hidden", W, "{file}: arket '{detail}' er skjult eller vist i modsætning til skabelonen.", "Ingen handling nødvendig; indholdet er kontrolleret."),
    ProblemType("rows-moved", E, "{file}: rækker er indsat, slettet eller sorteret (indsats {element} står i række {found}, forventet {expected}).", "Send skabelonen igen, og bed afsenderen ikke indsætte, slette eller sortere rækker."),
    ProblemType("protection-removed", W, "{file}: arkbeskyttelsen på '{detail}' er fjernet.", "Indholdet er kontrolleret celle for celle; bed afsenderen lade beskyttelsen være."),
    ProblemType("dropdown-removed", W, "{file}: rullelisten i {cell} (indsats {element}) er fjernet eller ændret.", "Typisk efter kopiér/indsæt. Værdien er kontrolleret; brug listen næste gang."),
    ProblemType("external-link", W, "{file} indeholder eksterne kæder til andre filer.", "Kæderne ignoreres. Bed afsenderen indsætte værdier i stedet for kæder."),
    # Values
    ProblemType("invalid-smiley", E, "{file}: {cell} (indsats {element}) indeholder '{found}', som ikke er en gyldig smiley.", "Vælg {expected} i listen."),
    ProblemType("smiley-normalised", W, "{file}: {cell} (indsats {element}) indeholder '{found}'; læst som '{expected}'.", "Ingen handling nødvendig; brug listen næste gang."),
    ProblemType("smiley-missing", W, "{file}: indsats {element} mangler smiley i {cell}.", "Bed afsenderen vælge en smiley for indsatsen."),
    ProblemType("status-text-required", W, "{file}: indsats {element} har smiley {found}, men ingen statustekst i {cell}.", "En gul eller rød smiley skal forklares. Bed afsenderen skrive en status."),
    ProblemType("text-too-long", E, "{file}: teksten i {cell} (indsats {element}) er {found} tegn; Excel tillader {expected}.", "Bed afsenderen forkorte teksten."),
    ProblemType("formula-in-input", E, "{file}: {cell} (indsats {element}) indeholder en formel: {found}.", "Skriv statusteksten som almindelig tekst, ikke som formel."),
    # Across returns
    ProblemType("duplicate-return", INFO, "{file} er en kopi af {detail}, som allerede er modtaget.", "Ingen handling nødvendig."),
    ProblemType("superseded-return", W, "{file} er erstattet af en nyere udgave af samme skabelon: {detail}.", "Den nyeste udgave er brugt; begge er arkiveret."),
    ProblemType("conflicting-return", E, "{file}: indsats {element} er besvaret forskelligt i {detail}.", "Afgør hvilken fil der gælder, og kør igen med --prefer FIL."),
    ProblemType("late-return", W, "{file} er modtaget {found}, efter fristen {expected}.", "Svarene er taget med; noter forsinkelsen."),
    ProblemType("missing-return", W, "Der er ikke modtaget en godkendt besvarelse fra {detail}.", "Send en rykker (followup mail reminders)."),
    ProblemType("missing-answer", W, "Indsats {element} ({detail}) har intet godkendt svar i denne runde.", "Send en rykker, eller udfyld svaret i masterfilen."),
]

CATALOG: dict[str, ProblemType] = {t.code: t for t in _TYPES}


@dataclass(frozen=True)
class Problem:
    """One finding, placed as precisely as it can be: file, committee, element, sheet, cell."""

    code: str
    file: str = ""
    committee: str = ""
    element: str = ""
    sheet: str = ""
    cell: str = ""
    expected: str = ""
    found: str = ""
    detail: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def type(self) -> ProblemType:
        return CATALOG[self.code]

    @property
    def severity(self) -> Severity:
        return self.type.severity

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else (self.cell or self.sheet)

    def _fill(self, template: str) -> str:
        values = {
            "file": self.file,
            "cell": self.where or "-",
            "element": self.element or "-",
            "expected": _short(self.expected),
            "found": _short(self.found),
            "detail": self.detail,
        }
        text = template.replace("{expected!r}", "'{expected}'").replace("{found!r}", "'{found}'")
        for k, v in values.items():
            text = text.replace("{" + k + "}", str(v))
        return text

    @property
    def message(self) -> str:
        return self._fill(self.type.message)

    @property
    def hint(self) -> str:
        return self._fill(self.type.hint)

    def as_dict(self) -> dict:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "file": self.file,
            "committee": self.committee,
            "element": self.element,
            "sheet": self.sheet,
            "cell": self.cell,
            "expected": self.expected,
            "found": self.found,
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
        "Generated from `workbook_tools/problems.py` by `followup problems --markdown`; a test keeps it current.",
        "An **error** rejects the return (none of its answers are merged); a **warning** or **info** does not.",
        "",
        "| code | severity | message (Danish) | what to do |",
        "| --- | --- | --- | --- |",
    ]
    for t in _TYPES:
        msg = t.message.replace("|", "\\|")
        hint = t.hint.replace("|", "\\|")
        lines.append(f"| `{t.code}` | {t.severity.value} | {msg} | {hint} |")
    return "\n".join(lines) + "\n"
