"""The catalog of everything that can be wrong with a returned workbook.

Problems are data, not exceptions: a bad return (a besvarelse) becomes rows in the
validation report, with a stable code, a severity (Fejl, Advarsel, Info) and three Danish
texts, each for one reader: a neutral message saying what is wrong, a hint saying what
finance does, and advice saying what the sender does (in the kommenteret kopi, "I" and
"jeres"). An *error* rejects the return; a *warning* or *info* does not.
The table in ``docs/problems.md`` is generated from this catalog
(``followup problems --markdown``), and a test fails when the two drift apart.

Codes are an interface: scripts filter ``validation.xlsx`` and ``--json`` by them,
so a code is never renamed or reused for something else; add a new one instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .danish import listed, quoted, thousands
from .model import field_words
from .texts import fill


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "Fejl", "warning": "Advarsel", "info": "Info"}[self.value]


class Reader(Enum):
    """Who reads a text: every text of the catalog is written for one of them (see TEXT_READERS)."""

    FINANCE = "finance"  # runs the tool and reads validation.xlsx: "Bed afsenderen …", "Kør igen …"
    SENDER = "sender"  # filled in the skabelon and reads the kommenteret kopi: "I", "jeres", never "du"
    ANYONE = "anyone"  # shown to both: says what is wrong, to no one in particular


# The reader of each text of a ProblemType. The message stands in validation.xlsx and in the kommenteret kopi.
TEXT_READERS: dict[str, Reader] = {"message": Reader.ANYONE, "hint": Reader.FINANCE, "advice": Reader.SENDER}

# The master's Afsender (finance) in a text to the sender: always after a word that takes an object
# ("med {afsender}", "til {afsender}"), so that "os" reads as well as "Økonomi og Styring".
AFSENDER = "{afsender}"
UNNAMED_AFSENDER = "os"

_CI, _CS = re.IGNORECASE, 0
_SINGULAR_YOU = [(r"\b(du|din|dit|dine|dig)\b", _CI)]  # staff are addressed as a group: "I", "jeres"
_PLURAL_YOU = [(r"(?<![\w-])I\b", _CS), (r"\b(jer|jeres)\b", _CI)]  # so a sentence never starts with the preposition "I"
_FINANCE_ONLY = [  # finance's people, files, folders and commands: nothing the sender has or does
    (r"\bafsender\w*", _CI),
    (r"\bBed\b", _CS),
    (r"validation\.xlsx", _CI),
    (r"valideringslist", _CI),
    (r"--prefer", _CI),
    (r"\bkør\b", _CI),
    (r"\bmasterfil", _CI),
    (r"\boversigten\b", _CI),
    (r"\bmanifest", _CI),
    (r"\bfollowup\b", _CI),
    (r"\brykker", _CI),
    (r"\b(skabelon|resultat)mapp", _CI),
    (r"\budbakk", _CI),
]
_SENDER_ONLY = [(r"\bvælg\b", _CI)]  # a smiley is chosen in the skabelon's list by the sender, never by finance
_HARD_CODED = [(r"\bØkonomi\b", _CS)]  # finance is the master's Afsender, never a name in the code
_NAMES_AFSENDER = [(re.escape(AFSENDER), _CS)]
_RULES: dict[Reader, list[tuple[str, int]]] = {
    Reader.SENDER: _SINGULAR_YOU + _FINANCE_ONLY + _HARD_CODED,
    Reader.FINANCE: _SINGULAR_YOU + _PLURAL_YOU + _SENDER_ONLY + _HARD_CODED + _NAMES_AFSENDER,
    Reader.ANYONE: _SINGULAR_YOU + _PLURAL_YOU + _SENDER_ONLY + [(r"\bBed\b", _CS), (r"\bkør\b", _CI)] + _HARD_CODED + _NAMES_AFSENDER,
}


def misaddressed(text: str, reader: Reader) -> list[str]:
    """The words in `text` that speak to someone other than `reader` (or name finance in code); [] when it is right.

    For the sender: no "du", nothing of finance's (afsenderen, "Bed …", validation.xlsx,
    --prefer, "kør", masterfilen, oversigten …); finance as ``{afsender}`` only. For finance:
    no "I"/"jeres"/"du", no "Vælg" (the sender's part), no ``{afsender}``. For anyone: neither.
    """
    plain = text.replace(AFSENDER, "") if reader is Reader.SENDER else text
    return [m.group(0) for pattern, flags in _RULES[reader] for m in re.finditer(pattern, plain, flags)]


def afsender_name(office: str = "") -> str:
    """How a text to the sender names finance: the master's Afsender (`office`), or "os" when the master names none."""
    return office.strip() or UNNAMED_AFSENDER


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its stable code, how bad it is, what is wrong, and what each reader does about it.

    Each text has its reader (TEXT_READERS): `message` is neutral, `hint` speaks to
    finance, `advice` to the sender in the plural ("I", "jeres"); none falls back on another.
    """

    code: str
    severity: Severity
    message: str  # neutral, Danish; placeholders {file} {cell} {element} {field} {expected} {found} {detail}
    hint: str  # to finance, who reads validation.xlsx and runs the tool
    advice: str  # to the sender, in the kommenteret kopi (and reminders); may name finance as {afsender}
    category: str = ""
    numbers: tuple[str, ...] = ()  # placeholders holding a count, written with Danish thousands separators
    choices: tuple[str, ...] = ()  # placeholders holding "Grøn / Gul / Rød", written "Grøn, Gul eller Rød"

    def __post_init__(self):
        for name in TEXT_READERS:
            if not getattr(self, name).strip():
                raise ValueError(f"{self.code}: every problem needs a {name}")

    def texts(self) -> list[tuple[str, str, Reader]]:
        """(name, text, reader) for each of the type's texts."""
        return [(name, getattr(self, name), reader) for name, reader in TEXT_READERS.items()]


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


def _t(category: str, code: str, severity: Severity, message: str, hint: str, advice: str, **formats) -> ProblemType:
    return ProblemType(code, severity, message, hint, advice, category, **formats)


_FRESH = "Udfyld en ny kopi af den skabelon, I fik tilsendt, og send den."
_AS_XLSX = "Gem filen som Excel-projektmappe (.xlsx) med Filer > Gem som > Filtype, og send den igen."
_NOTHING = "Ingen handling nødvendig."

_TYPES = [
    # What the file is, judged by its bytes
    _t(
        FILE,
        "not-a-file",
        E,
        "{file} er ikke en almindelig fil: {detail}.",
        "Saml selve Excel-filen ind i stedet, og kør igen.",
        "Send besvarelsen som selve Excel-filen, ikke som en mappe eller et link.",
    ),
    _t(
        FILE,
        "unreadable-file",
        E,
        "{file} kan ikke læses: {detail}.",
        "Tjek filens rettigheder, eller bed afsenderen sende den igen.",
        "Filen kunne ikke læses. Send besvarelsen igen til {afsender}.",
    ),
    _t(
        FILE,
        "file-in-use",
        E,
        "{file} kan ikke læses, fordi filen er åben i et andet program (Excel?).",
        "Luk filen i Excel eller det program, der har den åben, og kør igen. Afsenderen skal ikke gøre noget.",
        _NOTHING,
    ),
    _t(
        FILE,
        "empty-file",
        E,
        "{file} er tom (0 byte).",
        "Filen er gået tabt undervejs. Bed afsenderen sende besvarelsen igen.",
        "Filen var tom, da den kom frem. Send besvarelsen igen.",
    ),
    _t(
        FILE,
        "not-a-workbook",
        E,
        "{file} er ikke en Excel-projektmappe ({detail}).",
        "Bed afsenderen sende den udfyldte skabelon som Excel-projektmappe (.xlsx).",
        "Send den udfyldte skabelon som Excel-projektmappe (.xlsx).",
    ),
    _t(
        FILE,
        "csv-file",
        E,
        "{file} er en CSV-/tekstfil, ikke en Excel-projektmappe.",
        "CSV mister skabelonen, rullelisterne og låsningen. Bed afsenderen gemme den udfyldte skabelon som Excel-projektmappe (.xlsx).",
        "En CSV-fil mister skabelonen, rullelisterne og låsningen. " + _AS_XLSX,
    ),
    _t(
        FILE,
        "encrypted-workbook",
        E,
        "{file} er beskyttet med adgangskode og kan ikke åbnes.",
        "Bed afsenderen fjerne adgangskoden (Filer > Oplysninger > Beskyt projektmappe > Kryptér med adgangskode: slet den) og sende igen.",
        "Fjern adgangskoden i Excel med Filer > Oplysninger > Beskyt projektmappe > Kryptér med adgangskode (slet koden), og send besvarelsen igen.",
    ),
    _t(
        FILE,
        "legacy-xls",
        E,
        "{file} er gemt i det gamle .xls-format.",
        "Bed afsenderen gemme som Excel-projektmappe (.xlsx) og sende igen.",
        _AS_XLSX,
    ),
    _t(
        FILE,
        "macro-workbook",
        E,
        "{file} er en Excel-projektmappe med makroer (.xlsm).",
        "Makroer tages ikke imod. Bed afsenderen gemme som Excel-projektmappe (.xlsx) uden makroer.",
        "Filer med makroer tages ikke imod. " + _AS_XLSX,
    ),
    _t(
        FILE,
        "binary-workbook",
        E,
        "{file} er gemt som binær Excel-projektmappe (.xlsb).",
        "Bed afsenderen gemme som Excel-projektmappe (.xlsx) og sende igen.",
        _AS_XLSX,
    ),
    _t(
        FILE,
        "ods-workbook",
        E,
        "{file} er et OpenDocument-regneark (.ods).",
        "Bed afsenderen gemme som Excel-projektmappe (.xlsx); i LibreOffice med Filer > Gem som > Excel 2007-365.",
        "Gem filen som Excel-projektmappe (.xlsx), i LibreOffice med Filer > Gem som > Excel 2007-365, og send den igen.",
    ),
    _t(
        FILE,
        "strict-ooxml",
        E,
        "{file} er gemt som Strict Open XML-regneark, som værktøjet ikke kan læse.",
        "Bed afsenderen åbne filen i Excel og gemme den som »Excel-projektmappe (*.xlsx)« (Filer > Gem som > Filtype).",
        "Filen er gemt som »Strict Open XML-regneark«. Åbn den i Excel, vælg Filer > Gem som og filtypen »Excel-projektmappe (*.xlsx)«, og send den igen.",
    ),
    _t(
        FILE,
        "unsafe-workbook",
        E,
        "{file} afvises af sikkerhedshensyn: {detail}.",
        "Filen er usædvanligt stor eller misdannet og er ikke åbnet. Bed afsenderen sende besvarelsen igen, udfyldt i skabelonen.",
        "Filen er usædvanligt stor eller misdannet og er ikke åbnet. Send besvarelsen igen, udfyldt i den skabelon, I fik tilsendt.",
    ),
    _t(
        FILE,
        "broken-workbook",
        E,
        "{file} er beskadiget: {detail}.",
        "Bed afsenderen åbne filen i Excel, gemme den igen og sende den.",
        "Åbn besvarelsen i Excel, gem den igen, og send den.",
    ),
    _t(
        FILE,
        "attachment-not-workbook",
        INFO,
        "E-mailen {file} har en vedhæftet fil, der ikke er en Excel-projektmappe: {detail}.",
        "Ingen handling, medmindre afsenderen skulle have vedhæftet sin besvarelse.",
        "Ingen handling nødvendig, medmindre filen skulle have været jeres besvarelse. Send den i så fald som Excel-projektmappe (.xlsx).",
    ),
    _t(
        FILE,
        "no-attachment",
        W,
        "E-mailen {file} har ingen vedhæftet Excel-projektmappe.",
        "Bed afsenderen vedhæfte den udfyldte skabelon.",
        "Send e-mailen igen med den udfyldte skabelon vedhæftet.",
    ),
    _t(
        FILE,
        "unreadable-mail",
        E,
        "E-mailen {file} kan ikke læses: {detail}.",
        "Gem e-mailen igen fra Outlook eller Thunderbird (.msg eller .eml), eller gem den vedhæftede besvarelse og saml den ind direkte.",
        "E-mailen kunne ikke læses. Send besvarelsen igen som vedhæftet fil til {afsender}.",
    ),
    # Whose template, which round, which version
    _t(
        TEMPLATE,
        "unknown-template",
        E,
        "{file} er ikke en opfølgningsskabelon fra dette værktøj ({detail}).",
        "Bed afsenderen udfylde den skabelon, der blev sendt ud, i stedet for en egen fil.",
        "Filen er ikke en skabelon fra {afsender}. " + _FRESH,
    ),
    _t(
        TEMPLATE,
        "wrong-year",
        E,
        "{file} er skabelonen for budget {found}, ikke {expected}.",
        "Send skabelonen for det rigtige år til afsenderen.",
        "Det er skabelonen for budget {found}; der samles ind for budget {expected}. Udfyld skabelonen for budget {expected}, og send den.",
    ),
    _t(
        TEMPLATE,
        "wrong-committee",
        E,
        "{file} er til udvalget »{found}«, som ikke står i masterfilen.",
        "Tjek, at der samles ind med den rigtige masterfil, eller send afsenderen den rigtige skabelon.",
        "Skabelonen er til et udvalg (»{found}«), som ikke er med i denne opfølgning. Spørg {afsender}, hvilken skabelon I skal udfylde.",
    ),
    _t(
        TEMPLATE,
        "wrong-round",
        E,
        "{file} er skabelonen til runde {found}, ikke runde {expected}.",
        "Afsenderen har udfyldt skabelonen til en anden runde. Send skabelonen til denne runde.",
        "Det er skabelonen til runde {found}; der samles nu ind til runde {expected}. Udfyld skabelonen til runde {expected}, og send den.",
    ),
    _t(
        TEMPLATE,
        "old-template-version",
        W,
        "{file} er lavet med skabelonversion {found}; nu er den {expected}. Svarene er hentet efter indsatsnummer.",
        "Tjek svarene i oversigten; send den nye skabelon næste gang.",
        "I har brugt en ældre udgave af skabelonen. Svarene er læst; brug den nye skabelon næste gang.",
    ),
    _t(
        TEMPLATE,
        "old-template-not-migratable",
        E,
        "{file} er lavet med skabelonversion {found} (nu {expected}), og svarene kan ikke hentes sikkert: {detail}.",
        "Send den nye skabelon til afsenderen, og bed om at få svarene i den.",
        "I har brugt en ældre udgave af skabelonen, som ikke kan læses sikkert. Udfyld den nye skabelon, og send den.",
    ),
    _t(
        TEMPLATE,
        "template-outdated",
        W,
        "{file} er lavet ud fra en tidligere udgave af masterfilen eller layoutet: {detail}.",
        "Er skabelonens låste indhold uændret, er svarene taget med. Skal ændringen nå afsenderne, så lav og send nye skabeloner.",
        "Skabelonen blev lavet før en ændring hos {afsender}. Ingen handling nødvendig, medmindre I får en ny skabelon.",
    ),
    _t(
        TEMPLATE,
        "element-not-in-template",
        W,
        "{file}: indsats {element} står i masterfilen, men ikke i skabelonen; den er kommet til, efter skabelonen blev lavet.",
        "Svarene på de andre indsatser er taget med. Send en skabelon til indsatsen, eller skriv svaret ind i masterfilen.",
        "Indsats {element} er kommet til, efter skabelonen blev sendt, og står ikke i jeres skabelon. I hører fra {afsender} om, hvordan den skal besvares.",
    ),
    _t(
        TEMPLATE,
        "element-removed-from-master",
        INFO,
        "{file}: indsats {element} står i skabelonen, men ikke længere i masterfilen; dens svar er ikke taget med.",
        "Ingen handling nødvendig, medmindre indsatsen skal tilbage i masterfilen.",
        "Indsats {element} er udgået, efter skabelonen blev sendt; svaret på den er ikke brugt. " + _NOTHING,
    ),
    _t(
        TEMPLATE,
        "unknown-template-id",
        W,
        "{file} har et skabelon-id, som ikke står i manifestet: {found}.",
        "Skabelonen er ikke lavet i denne skabelonmappe. Tjek, at den er til denne runde.",
        "Skabelonen kendes ikke fra denne runde. Tjek, at I har udfyldt den skabelon, I fik tilsendt til runden.",
    ),
    _t(
        TEMPLATE,
        "template-id-mismatch",
        E,
        "{file} har skabelon-id {found}, men det id blev lavet til {expected}.",
        "Skabelonen er ændret eller kopieret fra en anden skabelon. Send den oprindelige skabelon til afsenderen igen.",
        "Skabelonen er ændret eller kopieret fra en anden skabelon. " + _FRESH,
    ),
    _t(
        TEMPLATE,
        "metadata-changed",
        E,
        "{file}: skabelonens skjulte oplysninger er ændret eller fjernet ({detail}).",
        "Send skabelonen igen, og bed afsenderen ikke ændre skjulte ark.",
        "Skabelonens skjulte oplysninger er ændret. " + _FRESH + " Lad de skjulte ark være.",
    ),
    _t(
        TEMPLATE,
        "properties-removed",
        W,
        "{file}: skabelonens dokumentegenskaber mangler; skabelonen er genkendt på det skjulte ark.",
        _NOTHING,
        _NOTHING,
    ),
    # What was locked
    _t(
        INTEGRITY,
        "locked-cell-changed",
        E,
        "{file}: den låste celle {cell} (indsats {element}) er ændret.",
        "Forventet: »{expected}«. Fundet: »{found}«. Send skabelonen igen, eller bed afsenderen rette cellen tilbage.",
        "Cellen er låst og skal stå som i skabelonen: »{expected}«. Ret den tilbage, eller udfyld en ny kopi af den skabelon, I fik tilsendt, og send den.",
    ),
    _t(
        INTEGRITY,
        "sheet-added-or-removed",
        W,
        "{file}: arkene er ændret ({detail}).",
        "Ekstra ark ignoreres. Bed afsenderen ikke tilføje, omdøbe eller slette ark.",
        "Der er tilføjet eller slettet et ark i besvarelsen. Lad arkene være, som de er i skabelonen.",
    ),
    _t(
        INTEGRITY,
        "sheet-renamed",
        W,
        "{file}: arket »{expected}« er omdøbt til »{found}«.",
        "Indholdet er fundet og kontrolleret. Bed afsenderen lade arkenes navne være.",
        "Arket er omdøbt. Lad arkenes navne være, som de er i skabelonen.",
    ),
    _t(
        INTEGRITY,
        "sheet-missing",
        E,
        "{file}: arket »{expected}« mangler ({detail}).",
        "Arket er slettet eller omdøbt, og indsatserne er ikke fundet på et andet ark. Send skabelonen til afsenderen igen.",
        "Arket med indsatserne mangler. " + _FRESH,
    ),
    _t(
        INTEGRITY,
        "sheet-hidden",
        W,
        "{file}: arket »{detail}« er skjult eller vist i modsætning til skabelonen.",
        "Ingen handling nødvendig; indholdet er kontrolleret.",
        "Et ark er skjult eller vist i modsætning til skabelonen. Lad arkene være, som de er i skabelonen.",
    ),
    _t(
        INTEGRITY,
        "rows-moved",
        E,
        "{file}: rækker er indsat, slettet eller sorteret (indsats {element} står i række {found}, forventet {expected}).",
        "Send skabelonen igen, og bed afsenderen ikke indsætte, slette eller sortere rækker.",
        "Der er indsat, slettet eller sorteret rækker. " + _FRESH + " Lad rækkerne være.",
    ),
    _t(
        INTEGRITY,
        "protection-removed",
        W,
        "{file}: arkbeskyttelsen på »{detail}« er fjernet.",
        "Indholdet er kontrolleret celle for celle. Bed afsenderen lade beskyttelsen være.",
        "Arkbeskyttelsen er fjernet. De hvide felter kan udfyldes, uden at den fjernes; lad den være slået til.",
    ),
    _t(
        INTEGRITY,
        "dropdown-removed",
        W,
        "{file}: rullelisten til {field} i {cell} (indsats {element}) er fjernet eller erstattet (fundet: {found}).",
        "Typisk efter kopiér/indsæt. Værdien er kontrolleret. Bed afsenderen bruge rullelisten næste gang.",
        "Rullelisten i cellen ({field}) er forsvundet, typisk efter kopiér/indsæt. Vælg smileyen i listen i stedet for at indsætte den.",
    ),
    _t(
        INTEGRITY,
        "external-link",
        W,
        "{file} indeholder eksterne kæder til andre filer.",
        "Kæderne ignoreres. Bed afsenderen indsætte værdier i stedet for kæder.",
        "Besvarelsen har kæder til andre filer. Indsæt værdier i stedet for kæder.",
    ),
    _t(
        INTEGRITY,
        "formulas-outside-cells",
        W,
        "{file} har formler uden for cellerne, som skabelonen ikke har: {detail}.",
        "Formlerne bruges ikke, og de er fjernet i den kommenterede kopi; svarene er læst. Bed afsenderen lade navne og regler være.",
        "Besvarelsen har fået navne eller regler med formler, som skabelonen ikke har. De er fjernet i denne kopi; lad dem være næste gang.",
    ),
    # The answers
    _t(
        VALUES,
        "invalid-smiley",
        E,
        "{file}: {field} i {cell} (indsats {element}) indeholder »{found}«, som ikke er en gyldig smiley.",
        "Send den kommenterede kopi, så afsenderen kan vælge {expected} i listen.",
        "Vælg {field} ({expected}) i listen i cellen.",
        choices=("expected",),
    ),
    _t(
        VALUES,
        "smiley-normalised",
        W,
        "{file}: {field} i {cell} (indsats {element}) indeholder »{found}«; læst som »{expected}«.",
        "Ingen handling nødvendig; værdien er læst. Bed afsenderen bruge listen næste gang.",
        "Værdien er læst som »{expected}«. Vælg smileyen i listen næste gang.",
    ),
    _t(
        VALUES,
        "invisible-characters",
        INFO,
        "{file}: »{found}« indeholder usynlige tegn og er læst som »{expected}«.",
        "Ingen handling nødvendig; tegnene kommer typisk med ved kopiér/indsæt fra mail eller web.",
        "Cellen havde usynlige tegn ({found}); værdien er læst som »{expected}«. " + _NOTHING,
    ),
    _t(
        VALUES,
        "answer-as-shown",
        INFO,
        "{file}: {field} i {cell} (indsats {element}) er gemt som tal eller dato ({found}); taget, som Excel viste den: »{expected}«.",
        "Ingen handling nødvendig; tjek i oversigten, at teksten er den, afsenderen mente.",
        "Excel gemte det, I skrev, som tal eller dato; det er taget, som det stod i cellen: »{expected}«. " + _NOTHING,
    ),
    _t(
        VALUES,
        "smiley-missing",
        W,
        "{file}: indsats {element} mangler {field} i {cell}.",
        "Bed afsenderen vælge {field} i listen.",
        "Vælg {field} ({expected}) i listen i cellen.",
        choices=("expected",),
    ),
    _t(
        VALUES,
        "status-text-required",
        W,
        "{file}: indsats {element} har {detail} {found}, men {field} i {cell} er tom.",
        "En gul eller rød smiley skal forklares. Bed afsenderen skrive en statustekst.",
        "En gul eller rød {detail} skal forklares: skriv en kort statustekst i cellen ({field}).",
    ),
    _t(
        VALUES,
        "text-too-long",
        E,
        "{file}: teksten i {field} i {cell} (indsats {element}) er {found} tegn; Excel tillader {expected}.",
        "Bed afsenderen forkorte teksten.",
        "Teksten ({field}) er {found} tegn; Excel tillader {expected}. Forkort den.",
        numbers=("found", "expected"),
    ),
    _t(
        VALUES,
        "formula-in-input",
        E,
        "{file}: {field} i {cell} (indsats {element}) indeholder en formel: {found}.",
        "Bed afsenderen skrive teksten som almindelig tekst, ikke som formel.",
        "Skriv {field} som almindelig tekst, ikke som formel (begynd ikke med =).",
    ),
    # Across returns
    _t(
        ACROSS,
        "duplicate-return",
        INFO,
        "{file} er en kopi af {detail}, som allerede er modtaget.",
        _NOTHING,
        "Besvarelsen var allerede modtaget. " + _NOTHING,
    ),
    _t(
        ACROSS,
        "superseded-return",
        W,
        "{file} er erstattet af en nyere udgave af samme skabelon: {detail}.",
        "Den nyeste udgave er brugt; begge er arkiveret.",
        "En nyere udgave af jeres besvarelse er modtaget og brugt: {detail}. " + _NOTHING,
    ),
    _t(
        ACROSS,
        "newer-return-rejected",
        W,
        "{file} er brugt, men en nyere udgave af samme skabelon er afvist: {detail}.",
        "Svarene fra den ældre udgave er taget med. Bed afsenderen rette den nye udgave og sende den igen.",
        "Jeres nyeste udgave ({detail}) er ikke godkendt; denne ældre udgave er brugt indtil videre. Ret fejlene i den nyeste udgave, og send den igen.",
    ),
    _t(
        ACROSS,
        "rejected-return-replaced",
        INFO,
        "{file} blev afvist ({found} fejl), men er erstattet af {detail}, som er godkendt.",
        "Ingen handling nødvendig; den afviste fil er arkiveret, og dens fejl tæller ikke længere.",
        "Denne udgave blev ikke godkendt, men jeres rettede udgave ({detail}) er godkendt og brugt. " + _NOTHING,
        numbers=("found",),
    ),
    _t(
        ACROSS,
        "conflicting-return",
        E,
        "{file}: indsats {element} er besvaret anderledes ({field}) end i {detail}. Her: {found}.",
        "Ingen af svarene på indsatsen er flettet. Afgør, hvilken besvarelse der gælder, og kør igen med --prefer FIL.",
        "Indsatsen er også besvaret i {detail} med et andet svar. Aftal med {afsender}, hvilket svar der gælder.",
    ),
    _t(
        ACROSS,
        "prefer-not-found",
        W,
        "--prefer {detail} passer ikke på nogen af de indsamlede filer.",
        "Skriv filens navn, som det står i oversigten, eller hele stien.",
        _NOTHING,
    ),
    _t(
        ACROSS,
        "late-return",
        W,
        "{file} er modtaget {found}, efter fristen {expected}.",
        "Svarene er taget med; notér forsinkelsen.",
        "Besvarelsen er modtaget efter fristen {expected}. Den er taget med; send den inden fristen næste gang.",
    ),
    _t(
        ACROSS,
        "missing-return",
        W,
        "Der er ikke modtaget en godkendt besvarelse fra {detail}.",
        "Send en rykker (followup mail reminders).",
        "Der er ikke modtaget en godkendt besvarelse fra jer. Udfyld skabelonen, og send den til {afsender}.",
    ),
    _t(
        ACROSS,
        "missing-answer",
        W,
        "Indsats {element} ({detail}) har intet godkendt svar i denne runde.",
        "Send en rykker, eller udfyld svaret i masterfilen.",
        "Indsats {element} har intet godkendt svar i denne runde. Udfyld svaret i skabelonen, og send besvarelsen til {afsender}.",
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

    def _fill(self, template: str, office: str = "") -> str:
        t = self.type
        values = {
            "file": self.file,
            "cell": self.where or "-",
            "element": self.element or "-",
            "field": self.field_words or "svaret",
            "expected": _short(self.expected),
            "found": _short(self.found),
            "detail": self.detail,
            "afsender": afsender_name(office),
        }
        for key in t.numbers:
            values[key] = _number(values[key])
        for key in t.choices:
            values[key] = _choices(values[key])
        # A quoted value: »Grøn«, and "(tom)" rather than »«.
        template = _QUOTED.sub(lambda m: quoted(values[m.group(1)]) if values.get(m.group(1)) else "(tom)", template)
        return fill(template, values)

    @property
    def field_words(self) -> str:
        """The answer the problem is about, in Danish words ("smiley for økonomi"); "" for none."""
        return field_words(self.field)

    @property
    def message(self) -> str:
        """What is wrong, to anyone (validation.xlsx, the command line)."""
        return self._fill(self.type.message)

    @property
    def sender_message(self) -> str:
        """What is wrong, as the sender reads it in their own file (the kommenteret kopi): without finance's path to it.

        The catalog's messages lead with the file: "{file}: indsats 1.02 …" becomes
        "Indsats 1.02 …", and "{file} er modtaget …" becomes "Besvarelsen er modtaget …".
        """
        template = self.type.message
        if template.startswith(_FILE_COLON):
            text = self._fill(template[len(_FILE_COLON) :])
            return text[:1].upper() + text[1:]
        if template.startswith(_FILE_SPACE):
            return self._fill("Besvarelsen " + template[len(_FILE_SPACE) :])
        return self.message

    @property
    def hint(self) -> str:
        """What finance does (validation.xlsx, the command line)."""
        return self._fill(self.type.hint)

    @property
    def advice(self) -> str:
        """What the sender does, finance named "os" (see advice_for)."""
        return self.advice_for()

    def advice_for(self, office: str = "") -> str:
        """What the sender does, as the kommenteret kopi and reminders say it.

        `office` is the master's Afsender (Agreement.office), put where the text names
        finance; without one, the text says "os".
        """
        return self._fill(self.type.advice, office)

    def as_dict(self, office: str = "") -> dict:
        """Every field as text; "advice" is the sender's text, with finance named `office` (the master's Afsender) or "os"."""
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
            "advice": self.advice_for(office),
        }


_QUOTED = re.compile(r"»\{(\w+)\}«")
# How a message leads with the file it is about (see Problem.sender_message).
_FILE_COLON, _FILE_SPACE = "{file}: ", "{file} "


def _number(text: str) -> str:
    # A count as Danish writes it: 32.767; anything else as it is.
    return thousands(int(text)) if text.isdigit() else text


def _choices(text: str) -> str:
    # "Grøn / Gul / Rød" as a Danish list: "Grøn, Gul eller Rød".
    items = [x.strip() for x in text.split(" / ") if x.strip()]
    return listed(items, "eller") if len(items) > 1 else text


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
        "Every problem found in a returned workbook (a *besvarelse*) is one row in `validation.xlsx` "
        "(and in `followup check` and `--json`): severity, code, file, committee, department, element, field, "
        "sheet, cell, expected, found, message and hint; `--json` and `problems.json` also carry the advice. "
        "A **Fejl** (`error`) rejects the besvarelse: none of its answers are merged, and finance sends the "
        "sender the *kommenteret kopi* from `feedback/`. An **Advarsel** (`warning`) or **Info** (`info`) "
        "does not reject; the answers are merged. `conflicting-return` holds back only the indsats in "
        "question, until `--prefer FILE` decides.",
        "",
        "Each problem has three texts, each for one reader: the message (neutral: what is wrong), "
        "the hint (to finance, who runs the tool and reads `validation.xlsx`) and the advice (to the "
        'sender, in the plural "I"/"jeres", on the problem cell and the sheet »Tilbagemelding« of '
        "the kommenteret kopi of their own workbook). No text falls back on another; "
        "`tests/test_problems.py` checks that each speaks to its reader. "
        "In the texts, `{file}`, `{cell}` (as `Sheet!A1`), `{element}`, `{field}` (which answer: "
        "smiley på indsats, statustekst, smiley på økonomi or statustekst for økonomi), `{expected}`, "
        "`{found}` and `{detail}` are filled in from the problem; `{afsender}` is the master's Afsender "
        '(finance\'s own name), or "os" when the master names none. '
        "Files that are not workbooks get no kommenteret kopi.",
    ]
    for category in CATEGORIES:
        lines += [
            "",
            f"## {category}",
            "",
            "| code | severity | message (Danish) | what finance does | what the sender reads in the kommenteret kopi |",
            "| --- | --- | --- | --- | --- |",
        ]
        for t in _TYPES:
            if t.category != category:
                continue
            cells = [c.replace("|", "\\|") for c in (t.message, t.hint, t.advice)]
            lines.append(f"| `{t.code}` | {t.severity.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
