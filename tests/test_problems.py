"""Each text of the problem catalog speaks to its reader, in the glossary's words (issue 19).

A problem has three texts: the message says what is wrong (to anyone), the hint what
finance does (validation.xlsx, the command line), the advice what the sender does (the
kommenteret kopi, reminders), in the plural "I"/"jeres". The rule that checks the reader
is `problems.misaddressed`; the tests below show it can fail, then run it over the catalog.
"""

from __future__ import annotations

import re

import pytest

from workbook_tools.inbox import kind_problem
from workbook_tools.problems import (
    AFSENDER,
    CATALOG,
    TEXT_READERS,
    Problem,
    ProblemType,
    Reader,
    Severity,
    afsender_name,
    catalog_markdown,
    misaddressed,
)

OFFICE = "Økonomi og Styring"


def all_texts():
    return [(t.code, name, text, reader) for t in CATALOG.values() for name, text, reader in t.texts()]


# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Bed afsenderen sende den igen.",  # the hint as advice: what the old fallback sent to staff
        "Afsenderen skal ikke gøre noget.",
        "Se listen i validation.xlsx.",
        "Se valideringslisten.",
        "Afgør hvilken fil der gælder, og kør igen med --prefer FIL.",
        "Skriv svaret ind i masterfilen.",
        "Tjek svarene i oversigten.",
        "Send en rykker (followup mail reminders).",
        "En nyere udgave af din besvarelse er modtaget.",
        "Excel gemte det, du skrev, som tal.",
        "Dit ark er skjult.",
        "Aftal med Økonomi, hvilket svar der gælder.",
        "Aftal med Økonomi og Styring, hvilket svar der gælder.",
    ],
)
def test_the_sender_rule_catches_finances_words_and_the_singular(text):
    assert misaddressed(text, Reader.SENDER)


@pytest.mark.parametrize(
    "text",
    [
        "Vælg Grøn / Gul / Rød i listen.",  # the sender's part, once told to finance
        "Ingen handling nødvendig; vælg i listen næste gang.",
        "I kan rette i de hvide felter.",
        "Ret jeres besvarelse.",
        "Send den til jer.",
        "Du kan rette cellen.",
        "Send din besvarelse igen.",
        "Aftal med {afsender}, hvilket svar der gælder.",
        "Spørg Økonomi.",
    ],
)
def test_the_finance_rule_catches_words_to_the_sender(text):
    assert misaddressed(text, Reader.FINANCE)


def test_the_rules_let_each_reader_be_spoken_to():
    assert misaddressed("I kan rette i de hvide felter; jeres svar er læst. Aftal med {afsender}, hvad der gælder.", Reader.SENDER) == []
    assert (
        misaddressed("Bed afsenderen vælge en smiley i listen, og kør igen med --prefer FIL; i LibreOffice: Gem som.", Reader.FINANCE) == []
    )
    assert misaddressed("svar.xlsx: indsats 1.01 står i masterfilen, men ikke i skabelonen.", Reader.ANYONE) == []
    for text in ("I skal rette den.", "Bed afsenderen rette den.", "Kør igen.", "Vælg Grøn.", "Aftal med {afsender}."):
        assert misaddressed(text, Reader.ANYONE), text


# --- the catalog ----------------------------------------------------------------------------


def test_every_type_has_its_three_texts_and_advice_is_required():
    assert TEXT_READERS == {"message": Reader.ANYONE, "hint": Reader.FINANCE, "advice": Reader.SENDER}
    with pytest.raises(TypeError):
        ProblemType("some-code", Severity.ERROR, "x er galt.", "Bed afsenderen rette den.")  # no advice: no fallback to the hint
    with pytest.raises(ValueError, match="advice"):
        ProblemType("some-code", Severity.ERROR, "x er galt.", "Bed afsenderen rette den.", " ")
    for t in CATALOG.values():
        assert all(text.strip() for _name, text, _reader in t.texts()), t.code


def test_every_text_of_the_catalog_speaks_to_its_reader():
    wrong = {(code, name): words for code, name, text, reader in all_texts() if (words := misaddressed(text, reader))}
    assert wrong == {}


def test_the_rule_is_run_over_every_code_and_every_text():
    assert len(all_texts()) == 3 * len(CATALOG) and len(CATALOG) > 50
    # Each reader's words really occur where they belong: the rule has something to tell apart.
    assert sum("afsenderen" in t.hint for t in CATALOG.values()) > 20
    assert sum(bool(re.search(r"(?<![\w-])I\b|\bjeres?\b", t.advice)) for t in CATALOG.values()) > 10


def test_finance_is_named_in_the_senders_texts_only_as_the_afsender_and_where_os_reads_as_well():
    named = [t for t in CATALOG.values() if AFSENDER in t.advice]
    assert len(named) >= 5
    for t in named:
        for before in re.findall(r"(\S+) " + re.escape(AFSENDER), t.advice):
            assert before.lower() in {"med", "til", "fra", "hos", "spørg", "kontakt"}, (t.code, before)
    for _code, _name, text, _reader in all_texts():
        assert "Økonomi" not in text and "Styring" not in text
    p = Problem("conflicting-return", "a.xlsx", "Udvalg 01", "1.01", detail="b.xlsx")
    assert p.advice == p.advice_for() == "Indsatsen er også besvaret i b.xlsx med et andet svar. Aftal med os, hvilket svar der gælder."
    assert p.advice_for(OFFICE).endswith(f"Aftal med {OFFICE}, hvilket svar der gælder.")
    assert afsender_name("  ") == "os" and afsender_name(OFFICE) == OFFICE


def test_the_catalog_uses_the_glossarys_words():
    for code, name, text, _reader in all_texts():
        words = re.sub(r"\{\w+\}", "", text)
        outside_quotes = re.sub(r"»[^«»]*«", "", text)
        assert "'" not in text and not re.search("[«»]", outside_quotes), (code, name, "quote values »…«, never «…» or '…'")
        assert not re.search(r"(?<!Excel-)(?<!Beskyt )projektmappe", words, re.I), (code, name, "a projektmappe is a file type only")
        assert not re.search(r"\bprojektmapper\b|returnerede|tilbagemeldingskopi|feedback|fagudvalg", words, re.I), (code, name)
        assert not re.search(r"\belement", words, re.I), (code, name, "an element is an indsats")
        assert " > Info > " not in text and "Krypter " not in text, (code, name, "Danish Excel's menu")
    assert {t.severity.label for t in CATALOG.values()} == {"Fejl", "Advarsel", "Info"}


def test_values_are_written_as_danish_writes_them():
    long = Problem("text-too-long", "a.xlsx", cell="E12", expected="32767", found="40001", field="status")
    assert "40.001 tegn; Excel tillader 32.767" in long.message and "40.001 tegn; Excel tillader 32.767" in long.advice
    late = Problem("late-return", "a.xlsx", expected="15. marts 2031", found="16. marts 2031 kl. 14.02")  # as deadline.py writes them
    assert late.message == "a.xlsx er modtaget 16. marts 2031 kl. 14.02, efter fristen 15. marts 2031."
    smiley = Problem("invalid-smiley", "a.xlsx", expected="Grøn / Gul / Rød", found="Blå", field="progress")
    assert "»Blå«" in smiley.message and "(Grøn, Gul eller Rød)" in smiley.advice
    assert "(Grøn eller Rød)" in Problem("smiley-missing", "a.xlsx", expected="Grøn / Rød", field="economy").advice
    empty = Problem("locked-cell-changed", "a.xlsx", cell="Z3", expected="", found="egen note")
    assert empty.hint.startswith("Forventet: (tom). Fundet: »egen note«.")


def test_not_a_file_says_what_the_thing_is_for_every_kind():
    for detail in ("symbolsk link", "mappe"):
        assert Problem("not-a-file", "x.xlsx", detail=detail).message == f"x.xlsx er ikke en almindelig fil: {detail}."
    fifo = kind_problem("special", b"", "rør.xlsx")
    assert fifo.code == "not-a-file"
    assert "mappe" not in fifo.message and "link" not in fifo.message, fifo.message


def test_as_dict_carries_the_senders_advice_beside_finances_hint():
    p = Problem("conflicting-return", "a.xlsx", "Udvalg 01", "1.01", detail="b.xlsx")
    d = p.as_dict()
    keys = list(d)
    assert keys[keys.index("hint") + 1] == "advice"  # beside the hint; tests/test_results.py holds the whole key list
    assert d["hint"] == p.hint and "--prefer" in d["hint"]
    assert d["advice"] == p.advice and "--prefer" not in d["advice"]
    assert p.as_dict(office=OFFICE)["advice"] == p.advice_for(OFFICE)


def test_the_docs_table_names_each_column_by_its_reader():
    md = catalog_markdown()
    assert "| code | severity | message (Danish) | what finance does | what the sender reads in the kommenteret kopi |" in md
    assert "| `locked-cell-changed` | Fejl |" in md and "| `late-return` | Advarsel |" in md


def test_the_sender_reads_the_message_without_finances_path_to_their_file():
    at_cell = Problem("locked-cell-changed", "indbakke/udvalg 01/svar.xlsx", "Udvalg 01", "1.02", "Opfølgning", "B45")
    assert at_cell.message.startswith("indbakke/udvalg 01/svar.xlsx: den låste celle")
    assert at_cell.sender_message == "Den låste celle Opfølgning!B45 (indsats 1.02) er ændret."
    whole = Problem("late-return", "indbakke/svar.xlsx", found="16. marts 2031 kl. 00.30", expected="15. marts 2031")
    assert whole.sender_message == "Besvarelsen er modtaget 16. marts 2031 kl. 00.30, efter fristen 15. marts 2031."
    field_first = Problem("invalid-smiley", "svar.xlsx", element="1.03", sheet="Opfølgning", cell="E45", found="Blå", field="economy")
    assert field_first.sender_message.startswith("Smiley på økonomi i Opfølgning!E45 (indsats 1.03) indeholder »Blå«")
    mail = Problem("no-attachment", "indbakke/svar.eml")
    assert mail.sender_message == mail.message == "E-mailen indbakke/svar.eml har ingen vedhæftet Excel-projektmappe."
    for t in CATALOG.values():  # every message leads with the file, or does not name it in front at all
        p = Problem(t.code, "indbakke/x.xlsx", element="1.01", detail="d")
        assert "indbakke/x.xlsx" not in p.sender_message or not p.message.startswith("indbakke/x.xlsx"), t.code
