"""The follow-up practice as plain data.

Everything else in the package works on these dataclasses: the master reader
fills them, the template and report writers draw them, the collector compares
returns against them. Nothing here touches a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum
from functools import cached_property

ROUNDS = (1, 2, 3, 4)
EXCEL_CELL_LIMIT = 32_767


class Smiley(Enum):
    """A follow-up verdict. Stored in workbooks as its Danish word, never as an emoji."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def look(self) -> SmileyLook:
        return SMILEY_LOOKS[self]

    @property
    def label(self) -> str:
        """The Danish word staff pick in the dropdown."""
        return self.look.label_da

    def label_in(self, lang: str) -> str:
        return self.look.label_en if lang == "en" else self.look.label_da


@dataclass(frozen=True)
class SmileyLook:
    """How a smiley state reads and looks; the one place for its words, glyph and colour."""

    label_da: str
    label_en: str
    glyph: str
    colour: str  # fill colour, hex RGB
    font_colour: str
    progress_guide: str  # reading-guide definition on progress ("indsats")
    economy_guide: str  # reading-guide definition on economy ("økonomi"); "" if not allowed


SMILEY_LOOKS: dict[Smiley, SmileyLook] = {
    Smiley.GREEN: SmileyLook(
        label_da="Grøn",
        label_en="Green",
        glyph="☺",
        colour="#63BE7B",
        font_colour="#006100",
        progress_guide="Milepæl er nået",
        economy_guide="Budgettet er overholdt eller besparelsen er opnået",
    ),
    Smiley.YELLOW: SmileyLook(
        label_da="Gul",
        label_en="Yellow",
        glyph="😐",
        colour="#FFEB84",
        font_colour="#9C5700",
        progress_guide="Milepæl er ikke fuldt nået, men det er fortsat realistisk, at det samlede mål for året nås",
        economy_guide="",
    ),
    Smiley.RED: SmileyLook(
        label_da="Rød",
        label_en="Red",
        glyph="☹",
        colour="#F8696B",
        font_colour="#9C0006",
        progress_guide=(
            "Milepæl er ikke nået, og det er ikke realistisk at nå milepæl inden for budgetperioden under de givne forudsætninger."
        ),
        economy_guide="Budgettet er ikke overholdt eller den forventede besparelse opnås ikke i perioden.",
    ),
}

PROGRESS_STATES: tuple[Smiley, ...] = (Smiley.GREEN, Smiley.YELLOW, Smiley.RED)
ECONOMY_STATES: tuple[Smiley, ...] = (Smiley.GREEN, Smiley.RED)

# Harmless ways people write a state; the collector accepts them with a warning.
_SMILEY_ALIASES: dict[str, Smiley] = {}
for _s, _look in SMILEY_LOOKS.items():
    for _word in (_look.label_da, _look.label_en, _s.value, _look.glyph):
        _SMILEY_ALIASES[_word.casefold()] = _s
_SMILEY_ALIASES.update(
    {
        "groen": Smiley.GREEN,
        "gron": Smiley.GREEN,
        "rod": Smiley.RED,
        "roed": Smiley.RED,
        "🙂": Smiley.GREEN,
        "😀": Smiley.GREEN,
        "😊": Smiley.GREEN,
        "🙁": Smiley.RED,
        "☹️": Smiley.RED,
        "☺️": Smiley.GREEN,
    }
)


# Characters a person cannot see in a cell, pasted in from mail, web pages and Word:
# spaces that are not plain spaces become one, the rest are dropped (a zero-width
# joiner only outside emoji, where it joins nothing). The one place for them.
_ODD_SPACES = "\u00a0\u2007\u202f\u2009\u200a\u3000"
_INVISIBLE = "\u200b\u200c\u2060\ufeff\u00ad"
_ZWJ = "\u200d"
_INVISIBLE_OR_ODD = re.compile(f"[{_ODD_SPACES}{_INVISIBLE}{_ZWJ}]")


def _is_emoji(ch: str) -> bool:
    return ord(ch) >= 0x2190 and ch not in _ODD_SPACES + _INVISIBLE + _ZWJ


def without_invisible(text: str) -> str:
    """Text with odd spaces made plain and invisible characters (ZWSP, BOM, soft hyphen, ZWJ outside emoji) left out."""
    if not _INVISIBLE_OR_ODD.search(text):
        return text
    out = []
    for i, ch in enumerate(text):
        if ch in _ODD_SPACES:
            out.append(" ")
        elif ch == _ZWJ and 0 < i < len(text) - 1 and _is_emoji(text[i - 1]) and _is_emoji(text[i + 1]):
            out.append(ch)
        elif ch not in _INVISIBLE and ch != _ZWJ:
            out.append(ch)
    return "".join(out)


def show_invisible(text: str) -> str:
    """Text with every odd space and invisible character made visible, as ⟨U+00A0⟩, so a message shows the difference."""
    return _INVISIBLE_OR_ODD.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def parse_smiley(text: str) -> tuple[Smiley | None, bool]:
    """Read a smiley cell: (state, exact). `exact` is False for a tolerated variant.

    An empty cell gives (None, True); an unknown word gives (None, False). Invisible
    characters and odd spaces are read past (see :func:`without_invisible`).
    """
    if text is None:
        return None, True
    raw = str(text)
    if raw == "":
        return None, True
    for s, look in SMILEY_LOOKS.items():
        if raw == look.label_da:
            return s, True
    key = without_invisible(raw).strip().casefold()
    if key == "":
        return None, False
    return _SMILEY_ALIASES.get(key), False


class BudgetKind(Enum):
    OPERATING = "Drift"
    CAPITAL = "Anlæg"


@dataclass(frozen=True)
class Round:
    """One of the year's four follow-ups, e.g. 2 = "2. budgetopfølgning 2018"."""

    number: int
    label: str
    deadline: date | None = None


@dataclass(frozen=True)
class Committee:
    """A standing committee ("udvalg"); `section` is the leading digit of its element numbers."""

    name: str
    section: str
    area: str = ""
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Department:
    """A responsible department ("center") and who answers for it."""

    name: str
    emails: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Element:
    """One element of the budget agreement with its milestones for the four rounds."""

    number: str
    title: str
    committee: str
    budget_kind: BudgetKind = BudgetKind.OPERATING
    agreement_text: str = ""
    department: str = ""
    contributors: str = ""
    supplementary_text: str = ""
    economy_text: str = ""
    milestones: tuple[str, str, str, str] = ("", "", "", "")

    def milestone(self, round_number: int) -> str:
        return self.milestones[round_number - 1]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a merged result came from: the provenance finance can show an auditor."""

    file: str
    sha256: str = ""
    received: datetime | None = None
    template_version: str = ""
    sender: str = ""


# The four answers staff give per element and round, by the name of the Result field
# that holds each: the template's input cells, the checks and the merge all say these.
PROGRESS = "progress"
STATUS = "status"
ECONOMY = "economy"
ECONOMY_STATUS = "economy_status"
ANSWER_FIELDS = (PROGRESS, STATUS, ECONOMY, ECONOMY_STATUS)
# How each answer is named to people: the one place for these words (messages,
# validation.xlsx "Felt", feedback copies, reminders). Danish first, then English.
FIELD_WORDS: dict[str, tuple[str, str]] = {
    PROGRESS: ("smiley på indsats", "progress smiley"),
    STATUS: ("statustekst", "status text"),
    ECONOMY: ("smiley på økonomi", "finances smiley"),
    ECONOMY_STATUS: ("statustekst for økonomi", "finances status text"),
}


def field_words(name: str, lang: str = "da") -> str:
    """The words for an answer field (`PROGRESS` …) in a message; "" for no field."""
    words = FIELD_WORDS.get(name)
    return (words[1] if lang == "en" else words[0]) if words else ""


@dataclass(frozen=True, slots=True)
class Result:
    """What one element got at one round."""

    element: str
    round: int
    progress: Smiley | None = None
    status: str = ""
    economy: Smiley | None = None
    economy_status: str = ""
    source: Source | None = None

    @property
    def is_empty(self) -> bool:
        return self.progress is None and self.economy is None and not self.status and not self.economy_status


@dataclass(frozen=True)
class Agreement:
    """The master list: the agreement, its committees, elements, rounds and results so far."""

    year: int
    title: str
    office: str = ""
    date: date | None = None
    phone: str = ""
    email: str = ""
    contact: str = ""
    case_number: str = ""
    guide_progress: str = ""
    guide_economy: str = ""
    overview_to: str = ""  # who gets the overview (followup mail overview): addresses separated by ";"
    rounds: tuple[Round, ...] = ()
    committees: tuple[Committee, ...] = ()
    departments: tuple[Department, ...] = ()
    elements: tuple[Element, ...] = ()
    results: tuple[Result, ...] = field(default=())

    def round(self, number: int) -> Round:
        for r in self.rounds:
            if r.number == number:
                return r
        return Round(number, default_round_label(number, self.year))

    # Look-ups are built once per agreement: a large master has a thousand committees and
    # fifty thousand results, and every committee's sheet asks for them.
    @cached_property
    def _committees_by_name(self) -> dict[str, Committee]:
        return {c.name: c for c in self.committees}

    @cached_property
    def _elements_by_committee(self) -> dict[str, tuple[Element, ...]]:
        grouped: dict[str, list[Element]] = {}
        for e in self.elements:
            grouped.setdefault(e.committee, []).append(e)
        return {k: tuple(v) for k, v in grouped.items()}

    @cached_property
    def _results_by_key(self) -> dict[tuple[str, int], Result]:
        return {(r.element, r.round): r for r in self.results}

    @cached_property
    def _file_stems(self) -> dict[tuple[str, str], str]:
        stems: dict[tuple[str, str], str] = {}
        taken: set[str] = set()

        def claim(key: tuple[str, str], stem: str) -> None:
            # Windows and macOS fold case: "Udvalg a" and "Udvalg A" would be one file there.
            unique, n = stem, 2
            while unique.casefold() in taken:
                unique, n = f"{stem}-{n}", n + 1
            taken.add(unique.casefold())
            stems[key] = unique

        for c in self.committees:
            claim((c.name, ""), unit_stem(c.name))
        for c in self.committees:
            for d in sorted({e.department for e in self.elements_of(c.name) if e.department}):
                claim((c.name, d), f"{stems[c.name, '']}_{slug(d)}")  # as unit_stem, on the committee's own stem
        return stems

    def file_stem(self, committee: str, department: str = "") -> str:
        """The unit's name as its files are named: its workbook, report and mails.

        Two names that differ only in punctuation or letter case ("Social- og
        Sundhedsudvalget", "Social og Sundhedsudvalget") give the same slug, and one
        file would overwrite the other. The later one in the master's order gets "-2".
        """
        return self._file_stems.get((committee, department)) or unit_stem(committee, department)  # not in this agreement: as it stands

    def committee(self, name: str) -> Committee:
        return self._committees_by_name[name]

    def elements_of(self, committee: str) -> tuple[Element, ...]:
        return self._elements_by_committee.get(committee, ())

    def result(self, element: str, round_number: int) -> Result | None:
        return self._results_by_key.get((element, round_number))

    def results_index(self) -> dict[tuple[str, int], Result]:
        """(element, round) -> result. Shared and cached: read it, do not change it."""
        return self._results_by_key

    def with_results(self, new: list[Result]) -> Agreement:
        """The agreement with `new` results replacing any for the same element and round."""
        keyed = dict(self.results_index())
        for r in new:
            keyed[(r.element, r.round)] = r
        ordered = sorted(keyed.values(), key=lambda r: (element_sort_key(r.element), r.round))
        return replace(self, results=tuple(ordered))


UNIT_SEPARATOR = " – "


def unit_name(committee: str, department: str = "") -> str:
    """Who a template is for, as every message and title names it: "Udvalg" or "Udvalg – Center"."""
    return committee + UNIT_SEPARATOR + department if department else committee


def default_round_label(number: int, year: int) -> str:
    """The labels the seed uses: "1. budgetopfølgning 2018" … "31.12.2018"."""
    if number == 4:
        return f"31.12.{year}"
    return f"{number}. budgetopfølgning {year}"


def element_sort_key(number: str) -> tuple:
    """Sort "5.8.1" after "5.02" and before "5.10": by numeric parts."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\s]+", number.strip(".")) if p)


def unit_stem(committee: str, department: str = "") -> str:
    """A unit's file name from its names alone; Agreement.file_stem makes it unique among the master's."""
    return slug(committee) + (f"_{slug(department)}" if department else "")


def slug(text: str) -> str:
    """A file-name-safe form of a committee or department name, keeping æøå."""
    cleaned = re.sub(r"[^\w\- ]+", "", text, flags=re.UNICODE).strip()
    return re.sub(r"-{2,}", "-", re.sub(r"\s+", "-", cleaned))[:80] or "udvalg"
