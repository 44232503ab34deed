"""Finance and staff read Danish: no English word leaks through, and one word is used for each thing.

The leak test runs what a user sees in Danish mode (every command's help, the usage
errors, the whole demo with its workbooks and reports, the mails written for it) and
fails on the English words in tests/danish_words.py. The glossary test holds the
texts finance can edit, the problem catalog, the mail texts and every command's help
to ../shared/GLOSSARY.md's terms.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace

import pytest
from conftest import followup_command
from danish_words import docx_text, english_leaks, is_workbook, mail_text, shown_text

from workbook_tools.cli import build_parser, main
from workbook_tools.master import read_master, write_master
from workbook_tools.pipeline import collect_round
from workbook_tools.problems import CATALOG, Severity
from workbook_tools.resources import factory_mail_texts
from workbook_tools.texts import DEFAULT_TEXTS


def _parsers() -> list[tuple[list[str], object]]:
    """Every command and subcommand the parser knows, as argv prefixes with their parsers: ["generate"], ["mail", "reports"] …"""
    found = []

    def walk(parser, prefix):
        found.append((prefix, parser))
        for action in parser._actions:
            for name, sub in (getattr(action, "choices", None) or {}).items() if hasattr(action, "_name_parser_map") else ():
                walk(sub, prefix + [name])

    walk(build_parser(), [])
    return found


COMMANDS = [argv for argv, _parser in _parsers()]


def test_the_parser_has_every_command_the_readme_names():
    assert {" ".join(c) for c in COMMANDS} >= {
        "generate",
        "collect",
        "check",
        "demo",
        "init",
        "new-year",
        "mail",
        "mail reminders",
        "problems",
    }


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) or "followup" for c in COMMANDS])
def test_every_help_is_danish(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr()
    assert shown.out.startswith("brug: followup")
    assert english_leaks(shown.out + shown.err) == []


@pytest.mark.parametrize(
    "argv",
    [[], ["mail"], ["collect"], ["generate", "m.xlsx", "--round", "7", "--out", "x"], ["generate", "m.xlsx", "--per", "afdeling"], ["nyt"]],
    ids=["no command", "mail without what", "collect without files", "round 7", "per afdeling", "unknown command"],
)
def test_a_command_typed_wrong_is_answered_in_danish(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as done:
        code = done.code
    assert code == 2
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert "brug: followup" in text and "usage" not in text
    assert english_leaks(text) == []


def test_followup_problems_shows_severity_what_finance_does_and_what_the_sender_reads():
    done = subprocess.run(followup_command("problems"), capture_output=True, text=True, encoding="utf-8", check=True)
    assert english_leaks(done.stdout) == []
    for label in ("Fejl", "Advarsel", "Info"):
        assert f"({label})" in done.stdout
    blocks = re.split(r"\n  (?=[a-z-]+ \()", done.stdout)
    shown = {b.split(" (", 1)[0].strip().splitlines()[-1].strip(): b for b in blocks}
    assert set(CATALOG) <= set(shown), set(CATALOG) - set(shown)
    for code, block in shown.items():
        if code not in CATALOG:
            continue
        finance = re.search(r"Det gør I:\s+(.+)", block)
        sender = re.search(r"Til udvalget:\s+(.+)", block)
        assert finance and sender, f"{code} shows what finance does and what the sender reads:\n{block}"
        assert f"({CATALOG[code].severity.label})" in block


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo"
    done = subprocess.run(followup_command("demo", "--out", out), capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return out, done.stdout + done.stderr


def test_the_demo_says_everything_in_danish(demo):
    out, printed = demo
    assert english_leaks(printed) == []
    workbooks = [p for p in out.rglob("*.xlsx") if is_workbook(p)]
    assert len(workbooks) >= 10  # templates, overviews, validation lists, merged masters, reports
    for path in workbooks:
        assert english_leaks(shown_text(path)) == [], path
    documents = list(out.rglob("*.docx"))
    assert documents
    for path in documents:
        assert english_leaks(docx_text(path)) == [], path


@pytest.fixture(scope="module")
def mail_year(demo, tmp_path_factory):
    """The demo's year with an address for its committee, and round 3 collected before any return came in.

    So each kind of mail has a message to read: the reports and the overview of round 2, a reminder for round 3.
    """
    out, _ = demo
    work = tmp_path_factory.mktemp("mails")
    agreement = read_master(out / "round-2" / "master.xlsx")
    agreement = replace(agreement, committees=tuple(replace(c, emails=("udvalg@example.invalid",)) for c in agreement.committees))
    master = write_master(agreement, work / "master.xlsx")
    (work / "indbakke").mkdir()
    collect_round(master, 3, [work / "indbakke"], work / "runde-3", pdf=False)
    return master, {"reports": (2, out / "round-2"), "reminders": (3, work / "runde-3"), "overview": (2, out / "round-2")}, work


@pytest.mark.parametrize("kind", ["reports", "reminders", "overview"])
def test_the_mails_for_the_demos_year_are_danish(mail_year, kind):
    master, sources, work = mail_year
    round_number, folder = sources[kind]
    outbox = work / f"udbakke-{kind}"
    extra = ["--to", "direktion@example.invalid"] if kind == "overview" else []
    command = followup_command("mail", kind, master, "--round", round_number, "--from", folder, "--outbox", outbox, *extra)
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert english_leaks(done.stdout + done.stderr) == []
    messages = sorted(outbox.glob("*.eml"))
    assert messages, "a message to read"
    for path in messages:
        assert english_leaks(mail_text(path)) == [], path.name


# --- one word per thing ----------------------------------------------------------------------

# The words GLOSSARY.md puts aside, each with the term it wants instead.
NOT_OURS = {
    r"returnerede? projektmappe": "besvarelse",
    r"(?<!Excel-)(?<!Beskyt )\bprojektmapper?(?:n|ne)?\b": 'skabelon or besvarelse ("projektmappe" only for Excel\'s file type)',
    r"\bfagudvalg": "udvalg",
    r"\bdelelement": "indsats",
    r"\belementer?\b": "indsats",
    r"\bafdeling": "center",
    r"tilbagemeldingskopi": "kommenteret kopi",
    r"annoteret kopi": "kommenteret kopi",
    r"genereringsmappe|generate-mappe|collect-mappe|uddatamappe": "skabelonmappen / resultatmappen / udbakken",
    r"Outlook-besked": "Outlook-meddelelse",
    r"Økonomi og Styring": "the master's Afsender",
    r"(?:^|[\s(])«\w": "»…« (never «…»)",
    r"\bsmiley for (indsats|økonomi)": "smiley på indsats / smiley på økonomi",
    r"givende forudsætninger": "under de givne forudsætninger",
    r"\bAFVIST\b": "a calm word",
}


def _our_texts() -> list[tuple[str, str]]:
    texts = [(f"texts.py {key}", da) for key, (da, _en, _why) in DEFAULT_TEXTS.items()]
    for code, t in CATALOG.items():
        texts += [(f"{code} message", t.message), (f"{code} hint", t.hint), (f"{code} advice", t.advice)]
    for path in factory_mail_texts().iterdir():
        if path.name.endswith(".txt"):
            texts.append((f"mail {path.name}", path.read_text(encoding="utf-8")))
    texts += [(f"followup {' '.join(argv)} --help", parser.format_help()) for argv, parser in _parsers()]
    return texts


@pytest.mark.parametrize("pattern", NOT_OURS, ids=list(NOT_OURS.values()))
def test_each_thing_has_the_glossarys_one_word(pattern):
    wrong = [f"{where}: {m.group(0)!r}" for where, text in _our_texts() for m in [re.search(pattern, text)] if m]
    assert wrong == [], f"use {NOT_OURS[pattern]}"


def test_the_severities_are_fejl_advarsel_and_info():
    assert [s.label for s in Severity] == ["Fejl", "Advarsel", "Info"]
