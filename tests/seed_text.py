"""Read the seed report (text extracted from a PDF) into comparable fragments.

The seed is the real report this project reproduces: "Anden opfølgning på Aftale
om budget 2018 for Erhvervs- og Beskæftigelsesudvalget". Tests use it to check that
data and generated reports carry every sentence of it:

    frags = seed_sentences(SEED_PATH)
    text = normalise(everything_the_report_shows)
    missing = [f for f in frags if f not in text]

`normalise` undoes what the PDF extraction did to the text (line-end hyphenation,
wrapped lines, page markers, the smiley symbols) so that any text can be compared
with the seed. `seed_sentences` additionally drops the structural labels of the
report layout (Milepæl, Status:, round labels, "Drift Tid Smiley", ...) and splits
the body into small fragments, so that a failure names the missing piece.

`seed_smileys` reads the smiley symbols the extraction kept: the PDF drew them with
the Wingdings font, and the text holds them as private-use characters U+F04A, U+F04B,
U+F04C (Wingdings J, K, L: smiling, neutral, frowning face). `seed_smiley_guide`
gives the reading guide's definition for each symbol, which fixes their meaning.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

SEED_NAME = "000_b414e4a587953cae.txt"
REPO = Path(__file__).resolve().parents[1]


def _seed_path() -> Path | None:
    env = os.environ.get("FOLLOWUP_SEED")
    if env:
        return Path(env)
    candidate = REPO.parent / "shared" / "seed" / SEED_NAME
    return candidate if candidate.is_file() else None


SEED_PATH: Path | None = _seed_path()

# Wingdings symbols as the PDF extraction left them (private-use area).
GLYPHS = "\uf04a\uf04b\uf04c"
_GLYPH_RANGE = "\uf000-\uf0ff"
_GLYPH = re.compile(f"[{_GLYPH_RANGE}]")
# Reading guide: "<glyph>: Milepæl er nået" – the symbol and its colon.
_GUIDE_MARKER = re.compile(rf"(?m)^[ \t]*[{_GLYPH_RANGE}][ \t]*:")
_PAGE_MARKER = re.compile(r"(?m)^[ \t]*Side \d+[ \t]*$")

# A word split at the line end: "hen-\nholdsvis". No space after the hyphen: a
# hyphen followed by a space ("uddannelses- \nog") is a real one.
_LINE_END_HYPHEN = re.compile(r"(\w+)-\n[ \t]*(?=\w)")
# Words whose hyphen is real even at a line end ("ikke-\nvestlig" is "ikke-vestlig").
KEEP_HYPHEN_AFTER = frozenset({"ikke"})

_SPLIT = "\x00"

# Layout labels: dropped from the fragments (the texts around them stay).
_DROP_LABELS = [
    r"Drift Tid Smiley",
    r"\bMilepæl\b(?! er )",  # "Milepæl er nået" is reading-guide text, not a label
    r"\bStatus:",
    r"\b[1-4]\. budgetopfølgning \d{4}",
    r"\b31\.12\.\d{4}\b",
    r"\bAnsvarligt center:",
    r"\bAnsvarligt udvalg:",
    r"\bVæsentlig bidragsyder:",
    r"\bØkonomi\b(?! og Styring)",  # the department "Økonomi og Styring" is text
    r"\bDato:",
    r"\bTlf\. dir\.:",
    r"\bE-mail:",
    r"\bKontakt:",
    r"\bSagsid:",
]
# Headings: kept, each as a fragment of its own.
_KEEP_HEADINGS = [
    r"Læsevejledning",
    r"Definition af smileys på indsats:",
    r"Definition af smileys på økonomi",
    r"ØKONOMI OG STYRING",
]
# Line-start numbers that open a section ("5. Erhverv …") or an element ("5.01. …").
_SECTION_START = re.compile(r"(?m)^[ \t]*(?=\d+\. [A-ZÆØÅ])")
_ELEMENT_START = re.compile(r"(?m)^[ \t]*(?=\d+\.\d+(?:\.\d+)*\.[ \t])")
# Sentence end: ".", ":" etc. then an upper-case letter or a bullet; not after a
# number ("3.22. Skolevejledere", "5.01. Tiltrække" stay whole) nor after "jf.".
_SENTENCE_END = re.compile(r"(?<![0-9]\.)(?<!jf\.)(?<=[.:;!?])\s+(?=[A-ZÆØÅ*])")
# A blank line ends a paragraph (or a table cell): always a split point.
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")


def _dehyphenate(text: str) -> str:
    def join(m: re.Match) -> str:
        word = m.group(1)
        if word[-1].isdigit() or word.casefold() in KEEP_HYPHEN_AFTER:
            return word + "-"  # "2019-\nbudgetter", "2018-\n2020", "ikke-\nvestlig"
        return word

    return _LINE_END_HYPHEN.sub(join, text)


def _clean(text: str) -> str:
    """Everything `normalise` does except collapsing whitespace."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _PAGE_MARKER.sub("", text)
    text = _GUIDE_MARKER.sub("", text)
    text = _GLYPH.sub(" ", text)
    return _dehyphenate(text)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def normalise(text: str) -> str:
    """Text as comparable with the seed: line-end hyphenation undone, page markers and
    smiley symbols dropped, all whitespace collapsed to single spaces."""
    return _collapse(_clean(text or ""))


def split_fragments(text: str) -> list[str]:
    """Split an already normalised text at sentence ends."""
    return [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]


def _read(path: str | os.PathLike) -> str:
    return Path(path).read_text(encoding="utf-8")


def seed_sentences(path: str | os.PathLike) -> list[str]:
    """Every sentence or phrase of the seed's body text, normalised, labels dropped.

    Order follows the seed. Fragments are contiguous pieces of `normalise(seed)`
    (minus labels), so a complete transcription contains each of them.
    """
    raw = _read(path)
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = _PAGE_MARKER.sub("", text)
    # Smiley symbols sit at cell boundaries: make them split points.
    text = _GUIDE_MARKER.sub(_SPLIT, text)
    text = _GLYPH.sub(_SPLIT, text)
    text = _dehyphenate(text)
    text = _SECTION_START.sub(_SPLIT, text)
    text = _ELEMENT_START.sub(_SPLIT, text)
    text = _PARAGRAPH_END.sub(_SPLIT, text)
    text = _collapse(text)
    for label in _DROP_LABELS:
        text = re.sub(label, _SPLIT, text)
    for heading in _KEEP_HEADINGS:
        text = re.sub(heading, lambda m: _SPLIT + m.group(0) + _SPLIT, text)
    out: list[str] = []
    for piece in text.split(_SPLIT):
        piece = _collapse(piece)
        if piece:
            out.extend(split_fragments(piece))
    return out


_ELEMENT_LINE = re.compile(r"^[ \t]*(\d+\.\d+(?:\.\d+)*)\.[ \t]")
_ROUND_GLYPH = re.compile(rf"\b([1-3])\. budgetopfølgning \d{{4}}[ \t]*([{GLYPHS}])")
_FINAL_LABEL = re.compile(r"\b31\.12\.\d{4}\b")


def seed_smiley_guide(path: str | os.PathLike) -> dict[str, list[str]]:
    """{symbol: [definitions]} from the reading guide, in order: first the progress
    ("indsats") definition, then the economy ("økonomi") one where there is one."""
    text = _clean_keep_glyphs(_read(path))
    guide: dict[str, list[str]] = {}
    for m in re.finditer(rf"(?m)^[ \t]*([{GLYPHS}])[ \t]*:(.*?)(?=\n[ \t]*\n)", text, re.S):
        guide.setdefault(m.group(1), []).append(_collapse(m.group(2)))
    return guide


def _clean_keep_glyphs(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _dehyphenate(_PAGE_MARKER.sub("", text))


def seed_smileys(path: str | os.PathLike) -> dict[tuple[str, int, str], str]:
    """The smiley symbols the seed kept: {(element, round, "progress"|"economy"): symbol}.

    A progress symbol follows its round label on the same line ("2. budgetopfølgning
    2018 <symbol>"). The economy symbol is any other symbol after the element's
    "31.12.2018" label; the report is the round-2 follow-up, so it counts as round 2.
    """
    lines = _clean_keep_glyphs(_read(path)).split("\n")
    found: dict[tuple[str, int, str], str] = {}
    element: str | None = None
    after_final = False
    for line in lines:
        m = _ELEMENT_LINE.match(line)
        if m:
            element, after_final = m.group(1), False
            continue
        if element is None:
            continue
        rest = line
        for rm in _ROUND_GLYPH.finditer(line):
            found[(element, int(rm.group(1)), "progress")] = rm.group(2)
            rest = rest.replace(rm.group(0), "")
        if _FINAL_LABEL.search(line):
            after_final = True
        glyphs = [c for c in rest if c in GLYPHS]
        if glyphs and after_final:
            found[(element, 2, "economy")] = glyphs[-1]
    return found
