"""The committee report as a Word document: the seed as it was written, editable and ready to publish.

``reports/<committee>.docx`` says what the report workbook says (title, reading guide
with the smiley definitions, the office's contact block, the committee's section
and one block per element with every round so far), laid out the way the seed is:
each element a table whose header row reads "5.02. Dialog med erhvervslivet | Drift |
Tid | Smiley". It is built from the model, not from the workbook, with the structure
that a screen reader and LibreOffice's tagged PDF export (:mod:`report_pdf`) both use:

* styles, not looks: Title (the one level-1 heading), Heading 2 for the reading guide
  and the committee's section, Heading 3 for each element, a table style whose
  header row repeats on every page;
* the report's title and language (da-DK) in the document's properties and styles;
* every smiley a small coloured picture with alternative text ("Grøn smiley:
  Milepæl er nået") and its word beside it, so colour never carries the meaning alone;
* A4, "Side N af M" in the footer, an element's block kept on one page where it fits.

python-docx (a maintained, pure-Python library with a stable API) makes the package:
the starting document, styles, properties, pictures, footer. The body, a few hundred
paragraphs and table rows per committee, is written as WordprocessingML text and
added in one go: python-docx's object API takes twenty times as long for it, and a
run writes a thousand reports. The same agreement, round and texts give the same
bytes: fixed dates in the document's properties and in the zip, ids counted from one.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from .atomic import atomic_output
from .model import ECONOMY, ROUNDS, Agreement, Committee, Element, Result, Smiley
from .sheetplan import NOT_ANSWERED_FONT, contact_lines, latest_economy, reading_guide, section_heading, title_text, unanswered
from .texts import Texts, guide_key
from .xlsxio import FIXED_CREATED, deterministic_zip

DOCX_SUFFIX = ".docx"
# The page: A4 portrait, 2 cm margins; the element table's five columns fill the 17 cm between them.
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
MARGIN, FOOTER_DISTANCE = Cm(2.0), Cm(1.0)
COLUMNS_CM = (2.7, 6.7, 1.6, 3.9, 2.1)  # label | text | Drift | Tid | Smiley
SMILEY_SIZE = Cm(0.42)
SMILEY_PIXELS = 64
TAB_CM = 2.5  # the contact block's values line up here
TABLE_STYLE = "Indsatsblok"
# Style ids in the document (Word's built-in styles by their ids, and ours).
TITLE, HEADING2, HEADING3, LEGEND = "Title", "Heading2", "Heading3", "ListParagraph"
# The alternative text of a smiley, and of one in the reading guide's legend (whose definition stands beside it).
ALT_TEXT = "{state} smiley: {meaning}"
LEGEND_ALT = "{state} smiley"
# The texts' languages as Word and PDF tag them.
LANGUAGES = {"da": "da-DK", "en": "en-GB"}
# WCAG 2.1 AA: normal text needs a contrast of 4.5:1 against its background.
MIN_CONTRAST = 4.5
TEXT_COLOUR = "1F1F1F"
HEADING_COLOUR = "1F3864"
GRID_COLOUR = "A6A6A6"
# Built-in table styles the starting document carries and a report does not use (Word has them all anyway).
_KEPT_TABLE_STYLES = {"TableNormal", "TableGrid"}

# Characters XML 1.0 cannot hold (a status pasted from elsewhere may carry them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BREAKS = re.compile(r"(\n|\t)")
_PAGE_CODES = re.compile(r"&([PN])")
_NAMESPACES = nsdecls("w", "wp", "a", "pic", "r")
_PICTURE_URI = "http://schemas.openxmlformats.org/drawingml/2006/picture"


def report_docx_name(agreement: Agreement, committee: str) -> str:
    """reports/<committee>.docx, beside the workbook of the same name."""
    return f"{agreement.file_stem(committee)}{DOCX_SUFFIX}"


def write_report_docx(
    agreement: Agreement, committee: Committee, round_number: int, texts: Texts, path: Path | str, sync: bool = True
) -> Path:
    """The committee's report after `round_number` as a Word document at `path`, written atomically.

    `sync=False` leaves flushing it to disk to the caller (see xlsxio.atomic_output).
    """
    path = Path(path)
    data = report_docx_bytes(agreement, committee, round_number, texts)
    with atomic_output(path, sync=sync) as tmp:
        tmp.write_bytes(data)
    return path


def report_docx_bytes(agreement: Agreement, committee: Committee, round_number: int, texts: Texts) -> bytes:
    """The .docx file's bytes: the same for the same agreement, committee, round and texts."""
    doc = Document(io.BytesIO(_base_document(_look_key(texts))))
    title = title_text(agreement, committee.name, round_number, texts)
    created = datetime.combine(agreement.date, datetime.min.time()) if agreement.date else FIXED_CREATED
    props = doc.core_properties
    props.title = clean(title)
    props.subject = clean(agreement.title)
    props.author = clean(agreement.office)
    props.language = LANGUAGES.get(texts.lang, LANGUAGES["da"])
    props.created = props.modified = created
    body = Body(agreement, committee, round_number, texts, doc.part).document(title)
    fragment = parse_xml(f"<w:body {_NAMESPACES}>{body}</w:body>")
    section = doc.element.body.sectPr
    for child in list(fragment):
        section.addprevious(child)
    out = io.BytesIO()
    doc.save(out)
    return deterministic_zip(out.getvalue(), created)


class Body:
    """One committee's document body as WordprocessingML, written top to bottom as the seed reads."""

    def __init__(self, agreement: Agreement, committee: Committee, round_number: int, texts: Texts, part):
        self.agreement, self.committee, self.round, self.texts = agreement, committee, round_number, texts
        self.part = part  # the document's part, which holds the pictures
        self.pictures: dict[Smiley, str] = {}  # state -> its picture's relationship id, added on first use
        self.shapes = 0  # pictures so far: each needs an id of its own in the document
        self.future = _readable(texts.colour("future_font"))
        self.out: list[str] = []

    def document(self, title: str) -> str:
        t, add = self.texts, self.out.append
        add(_p(_r(title), TITLE))
        add(_p(_r(t("guide_heading")), HEADING2))
        for part in reading_guide(self.agreement, t):
            for text in part.paragraphs:
                add(_p(_r(text)))
            add(_p(_r(part.heading), HEADING3))
            for state, definition in part.states:
                word = state.label_in(t.lang)
                add(_p(self.picture(state, LEGEND_ALT.format(state=word)) + _r(f"{word}: {definition}"), LEGEND))
        self.contact_block()
        add(_p(_r(section_heading(self.committee)), HEADING2))
        for element in self.agreement.elements_of(self.committee.name):
            self.element(element)
        return "".join(self.out)

    def contact_block(self) -> None:
        """The office in capitals, then Dato, Tlf. dir., E-mail, Kontakt and Sagsid, their values lined up at a tab."""
        a = self.agreement
        tight = '<w:spacing w:before="0" w:after="0"/>'
        if a.office:
            self.out.append(_p(_r(a.office.upper(), bold=True), props='<w:spacing w:before="240" w:after="0"/>'))
        tab = f'<w:tabs><w:tab w:val="left" w:pos="{Cm(TAB_CM).twips}"/></w:tabs>'
        for label, value in contact_lines(a, self.texts):
            self.out.append(_p(_r(f"{label}\t{value}"), props=tab + tight))
        self.out.append(_p(""))

    def element(self, e: Element) -> None:
        """The element's table: heading row, agreement text, who answers for it, each round, the economy."""
        t, a = self.texts, self.agreement
        results = a.results_index()
        rows: list[tuple[list[int], list[list[tuple[str, str]]]]] = []

        def row(spans: list[int], *cells: list[tuple[str, str]]) -> None:
            rows.append((spans, list(cells)))

        kind = t("budget_" + e.budget_kind.value)
        row([2, 1, 1, 1], [(_r(f"{e.number}. {e.title}"), HEADING3)], _plain(kind), _plain(t("col_time")), _plain(t("col_smiley")))
        if e.agreement_text:
            row([5], _paragraphs(e.agreement_text))
        for key, value in (("department_label", e.department), ("committee_label", e.committee), ("contributors_label", e.contributors)):
            row([1, 4], _plain(t(key)), _paragraphs(value))
        if e.supplementary_text:
            row([5], _paragraphs(e.supplementary_text))
        for r in ROUNDS:
            res: Result | None = results.get((e.number, r))
            if r > self.round:  # later rounds: their milestones, greyed, with no smiley yet
                grey = self.future
                row([1, 2, 1, 1], _plain(t("milestone_label"), grey), _paragraphs(e.milestone(r), grey), _plain(a.round(r).label, grey), [])
                continue
            missing = r == self.round and unanswered(res)
            row(
                [1, 2, 1, 1],
                _plain(t("milestone_label")),
                _paragraphs(e.milestone(r)),
                _plain(a.round(r).label),
                self.not_answered() if missing else self.answer(res and res.progress, "progress"),
            )
            if res and res.status:
                row([1, 4], _plain(t("status_label")), _paragraphs(res.status))
        row([1, 4], _plain(t("economy_label")), _paragraphs(e.economy_text))
        latest = latest_economy(results, e.number, self.round)
        current = results.get((e.number, self.round))
        row(
            [1, 2, 1, 1],
            _plain(t("economy_status_label")),
            _paragraphs(latest.economy_status if latest else ""),
            _plain(a.round(self.round).label),
            self.not_answered() if unanswered(current, ECONOMY) else self.answer(latest and latest.economy, "economy"),
        )
        self.out.append(_table(rows))
        self.out.append(_p("", props='<w:spacing w:before="0" w:after="120"/>'))  # Word joins two tables that touch

    def answer(self, state: Smiley | None, kind: str) -> list[tuple[str, str]]:
        """A decided smiley: its picture, with the reading guide's meaning as alternative text, and its word."""
        if state is None:
            return []
        word = state.label_in(self.texts.lang)
        alt = ALT_TEXT.format(state=word, meaning=self.texts(guide_key(kind, state)))
        return [(self.picture(state, alt) + _r(word), "")]

    def not_answered(self) -> list[tuple[str, str]]:
        """Where the round's smiley would stand but no answer was accepted: the layout's words, bold and red, so it is seen."""
        return [(_r(self.texts("not_answered"), bold=True, colour=NOT_ANSWERED_FONT.lstrip("#")), "")]

    def picture(self, state: Smiley, alt: str) -> str:
        """The state's picture inline, then a no-break space: Word's "alternative text" is the picture's `descr`."""
        self.shapes += 1
        if state not in self.pictures:
            self.pictures[state] = self.part.get_or_add_image(io.BytesIO(smiley_png(state)))[0]
        n, size, rid = self.shapes, SMILEY_SIZE, self.pictures[state]
        alt = _attr(alt)
        return (
            f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{size}" cy="{size}"/>'
            f'<wp:docPr id="{n}" name="Smiley {n}" descr={alt}/>'
            '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            f'<a:graphic><a:graphicData uri="{_PICTURE_URI}"><pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="smiley-{state.value}.png" descr={alt}/>'
            f'<pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{size}" cy="{size}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
            "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>" + _r("\u00a0")
        )


def clean(text: str | None) -> str:
    """`text` without the characters a Word document cannot hold, line endings as \\n."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", text)


def _r(text: str, bold: bool = False, colour: str = "") -> str:
    """A run of `text`: a line break for each newline, a tab for each tab."""
    props = ("<w:b/>" if bold else "") + (f'<w:color w:val="{colour}"/>' if colour else "")
    inner = []
    for piece in _BREAKS.split(clean(text)):
        if piece == "\n":
            inner.append("<w:br/>")
        elif piece == "\t":
            inner.append("<w:tab/>")
        elif piece:
            inner.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    if not inner:
        return ""
    return f"<w:r>{'<w:rPr>' + props + '</w:rPr>' if props else ''}{''.join(inner)}</w:r>"


def _p(runs: str, style: str = "", props: str = "", keep: bool = False) -> str:
    """A paragraph of `runs` in `style`; `keep` keeps it on the page of the next one. `props` follow the style in w:pPr's order."""
    head = (f'<w:pStyle w:val="{style}"/>' if style else "") + ("<w:keepNext/>" if keep else "") + props
    return f"<w:p>{'<w:pPr>' + head + '</w:pPr>' if head else ''}{runs}</w:p>"


def _plain(text: str, colour: str = "") -> list[tuple[str, str]]:
    return [(_r(text, colour=colour), "")]


def _paragraphs(text: str | None, colour: str = "") -> list[tuple[str, str]]:
    """A cell's text as paragraphs, one for each part between blank lines."""
    parts = [p.strip("\n") for p in _BLANK_LINE.split(clean(text).strip()) if p.strip()]
    return [(_r(p, colour=colour), "") for p in parts]


def _table(rows: list[tuple[list[int], list[list[tuple[str, str]]]]]) -> str:
    """An element's table. The first row is its header, repeated on a new page; no row breaks across pages,
    and every paragraph but the last row's keeps with the next, so the block moves whole to a page where it fits."""
    twips = [Cm(w).twips for w in COLUMNS_CM]
    out = [
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{TABLE_STYLE}"/><w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in twips) + "</w:tblGrid>"
    ]
    last = len(rows) - 1
    for i, (spans, cells) in enumerate(rows):
        keep = i < last
        out.append("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if i == 0 else "") + "</w:trPr>")
        col = 0
        for span, paragraphs in zip(spans, cells):
            width = sum(twips[col : col + span])
            col += span
            out.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>' + (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + "</w:tcPr>"
            )
            out.extend(_p(runs, style, keep=keep) for runs, style in paragraphs or [("", "")])
            out.append("</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _attr(value: str) -> str:
    return '"' + escape(clean(value), {'"': "&quot;", "\n": "&#10;"}) + '"'


def _look_key(texts: Texts) -> tuple:
    return (
        texts.lang,
        texts.look.get("font_name") or "Calibri",
        texts.number("font_size"),
        texts.number("title_size"),
        texts.colour("heading_fill"),
        texts("page_footer"),
    )


@lru_cache(maxsize=4)
def _base_document(key: tuple) -> bytes:
    """The empty document every report starts from, set up once per process and look: page, styles, language, footer."""
    lang, font, size, title_size, fill, footer = key
    doc = Document()
    _drop_extras(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    section.footer_distance = FOOTER_DISTANCE
    _set_language(doc, LANGUAGES.get(lang, LANGUAGES["da"]))
    styles = doc.styles
    normal = styles["Normal"]
    _set_font(normal, font, Pt(size), TEXT_COLOUR)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.08
    for name, points in (("Title", title_size + 6), ("Heading 2", size + 3), ("Heading 3", size)):
        _set_font(styles[name], font, Pt(points), HEADING_COLOUR, bold=True)
        styles[name].font.italic = False
    title = styles["Title"]
    title.paragraph_format.space_after = Pt(12)
    for border in title.element.pPr.findall(qn("w:pBdr")):  # LibreOffice draws it outside the PDF's tags (PDF/UA)
        title.element.pPr.remove(border)
    # The title is the document's one level-1 heading: in Word's navigation pane and as the PDF's H1.
    title.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    heading3 = styles["Heading 3"].paragraph_format
    heading3.space_before = heading3.space_after = Pt(0)
    styles["List Paragraph"].paragraph_format.space_after = Pt(2)
    _add_table_style(doc, fill)
    _write_footer(doc, footer)
    for p in list(doc.element.body.iterchildren(qn("w:p"))):
        doc.element.body.remove(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _drop_extras(doc) -> None:
    """What python-docx's starting document carries that a report should not: a preview picture, Word 2010 leftovers, unused table styles."""
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"):
            del doc.part.rels[rid]
    styles = doc.styles.element
    for style in list(styles.iterchildren(qn("w:style"))):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in _KEPT_TABLE_STYLES:
            styles.remove(style)
    settings = doc.settings.element
    for el in settings.findall(qn("w:rsids")):
        settings.remove(el)


def _set_language(doc, tag: str) -> None:
    """The document's language in its default run properties and settings: what LibreOffice writes as the PDF's /Lang."""
    lang = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)
    settings = doc.settings.element
    settings.find(qn("w:themeFontLang")).set(qn("w:val"), tag)
    if tag.startswith("da"):
        for name, value in (("w:decimalSymbol", ","), ("w:listSeparator", ";")):
            settings.find(qn(name)).set(qn("w:val"), value)


def _set_font(style, font: str, size, colour: str, bold: bool | None = None) -> None:
    """`style` in `font` throughout (no theme fonts: a PC without Cambria would substitute), at `size`, in `colour`."""
    style.font.name = font
    fonts = style.element.rPr.rFonts
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:cs"), font)
    style.font.size = size
    style.font.color.rgb = RGBColor.from_string(colour)
    if bold is not None:
        style.font.bold = bold


def _add_table_style(doc, fill: str) -> None:
    """The element table's style: a thin grid, the header row bold on the layout's heading colour."""
    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Normal Table"]
    border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="' + GRID_COLOUR + '"/>'
    borders = "".join(border.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    for xml in (
        '<w:pPr><w:spacing w:before="0" w:after="40"/></w:pPr>',
        f'<w:tblPr><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>',
        f'<w:tblStylePr w:type="firstRow"><w:rPr><w:b/></w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{fill.lstrip("#")}"/></w:tcPr></w:tblStylePr>',
    ):
        style.element.append(parse_xml(xml.replace(">", f" {nsdecls('w')}>", 1)))


def _write_footer(doc, text: str) -> None:
    """The layout's page footer ("Side &P af &N"), its &P and &N as Word's PAGE and NUMPAGES fields."""
    p = doc.sections[0].footer.paragraphs[0]
    p.style = doc.styles["Footer"]
    for i, piece in enumerate(_PAGE_CODES.split(text)):
        if i % 2 == 0:
            if piece:
                p.add_run(clean(piece))
        else:
            instruction = "PAGE" if piece == "P" else "NUMPAGES"
            p._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" {instruction} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))


def _readable(colour: str) -> str:
    """`colour` (the look's grey for later rounds) as hex, darkened until text in it reads on white (WCAG AA)."""
    rgb = list(_rgb(colour))
    while _contrast_on_white(rgb) < MIN_CONTRAST:
        rgb = [int(c * 0.9) for c in rgb]
    return "".join(f"{c:02X}" for c in rgb)


def _contrast_on_white(rgb: list[int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
    return 1.05 / (luminance + 0.05)


@lru_cache(maxsize=len(Smiley))
def smiley_png(state: Smiley) -> bytes:
    """A small round face in the state's colour, smiling, straight or frowning: a PNG drawn here, the same bytes every time."""
    face, ink = _rgb(state.look.colour), _rgb(state.look.font_colour)
    n, sub = SMILEY_PIXELS, 4  # each pixel sampled 4 x 4 times, for smooth edges
    rows = []
    for y in range(n):
        row = bytearray([0])  # PNG filter type: none
        for x in range(n):
            hits = {"face": 0, "ink": 0, "": 0}
            for sy in range(sub):
                for sx in range(sub):
                    hits[_smiley_part(state, (x + (sx + 0.5) / sub) / n, (y + (sy + 0.5) / sub) / n)] += 1
            cover = hits["face"] + hits["ink"]
            if not cover:
                row += b"\0\0\0\0"
                continue
            colour = [(f * hits["face"] + i * hits["ink"]) // cover for f, i in zip(face, ink)]
            row += bytes([*colour, 255 * cover // (sub * sub)])
        rows.append(bytes(row))
    return _png(n, n, b"".join(rows))


def _smiley_part(state: Smiley, x: float, y: float) -> str:
    """What of the face lies at (x, y) in the unit square: "ink" (outline, eyes, mouth), "face" or nothing ("")."""
    r = ((x - 0.5) ** 2 + (y - 0.5) ** 2) ** 0.5
    if r > 0.48:
        return ""
    if r > 0.43 or any((x - ex) ** 2 + (y - 0.38) ** 2 < 0.065**2 for ex in (0.35, 0.65)):
        return "ink"
    if state is Smiley.GREEN:  # the lower half of a circle: a smile
        mouth = abs(((x - 0.5) ** 2 + (y - 0.45) ** 2) ** 0.5 - 0.24) < 0.035 and y > 0.55
    elif state is Smiley.RED:  # the upper half of a lower circle: a frown
        mouth = abs(((x - 0.5) ** 2 + (y - 0.92) ** 2) ** 0.5 - 0.24) < 0.035 and y < 0.76
    else:
        mouth = abs(y - 0.68) < 0.035 and 0.32 < x < 0.68
    return "ink" if mouth else "face"


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
