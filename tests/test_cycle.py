"""One follow-up round from start to finish, as finance runs it from the command line."""

import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE
from python_calamine import CalamineWorkbook
from synthetic import synthetic_answers

from workbook_tools.cli import main
from workbook_tools.master import read_master
from workbook_tools.model import Smiley


def sheet_rows(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def digest_tree(folder: Path) -> dict:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def load_seed_data():
    spec = importlib.util.spec_from_file_location("seed_data", EXAMPLE / "seed_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generate_writes_one_template_per_committee_and_a_manifest(tmp_path, master, capsys):
    assert main(["generate", str(master), "--round", "1", "--out", str(tmp_path / "out")]) == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["manifest.json", "runde-1_Udvalg-01.xlsx", "runde-1_Udvalg-02.xlsx"]
    assert "2 skabelon(er) til runde 1" in capsys.readouterr().out


def test_filled_returns_are_collected_into_master_and_overview(tmp_path, master, round1, capsys):
    before = digest_tree(round1)
    code = main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "result"), str(round1)])
    assert code == 0
    merged = read_master(tmp_path / "result" / "master.xlsx")
    r = merged.result("1.02", 1)
    assert (r.progress, r.status, r.economy) == (Smiley.RED, "Status for 1.02 i runde 1.", Smiley.RED)
    for committee in ("Udvalg 01", "Udvalg 02"):
        for answer in synthetic_answers(read_master(master), committee, 1):
            got = merged.result(answer.element, 1)
            assert (got.progress, got.status, got.economy, got.economy_status) == (
                answer.progress,
                answer.status,
                answer.economy,
                answer.economy_status,
            )
    assert r.source.file.endswith("runde-1_Udvalg-01.xlsx") and len(r.source.sha256) == 64
    overview = sheet_rows(tmp_path / "result" / "overview.xlsx", "Oversigt")
    row = next(x for x in overview if x[1] == "2.03")
    assert "Status for 2.03 i runde 1." in row
    assert digest_tree(round1) == before, "collect must never change its inputs"
    assert read_master(master).results == (), "the input master is never changed"
    assert "2 af 2 besvarelser godkendt" in capsys.readouterr().out


def test_a_file_that_is_not_a_workbook_is_rejected_in_one_line_and_the_good_ones_still_merge(tmp_path, master, round1, capsys):
    (round1 / "notes.xlsx").write_text("this is not a workbook\n")
    code = main(["collect", str(master), "--round", "1", "--out", str(tmp_path / "result"), str(round1)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    line = next(line for line in out.splitlines() if "notes.xlsx" in line)
    assert "afvist" in line and "ikke en Excel-projektmappe" in line
    merged = read_master(tmp_path / "result" / "master.xlsx")
    assert {r.element for r in merged.results} == {"1.01", "1.02", "1.03", "2.01", "2.02", "2.03"}
    problems = sheet_rows(tmp_path / "result" / "validation.xlsx", "Problemer")
    assert [p[1] for p in problems[1:]] == ["not-a-workbook"]


def test_an_unusable_master_exits_2_with_the_reason(tmp_path, capsys):
    bad = tmp_path / "master.xlsx"
    bad.write_bytes(b"")
    code = main(["collect", str(bad), "--round", "1", "--out", str(tmp_path / "r"), str(tmp_path)])
    assert code == 2
    assert "master.xlsx" in capsys.readouterr().err


def test_a_round_outside_one_to_four_is_a_usage_error(tmp_path, master, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["generate", str(master), "--round", "5", "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert "runden skal være 1, 2, 3 eller 4" in capsys.readouterr().err


def test_the_command_line_speaks_danish_also_when_the_command_is_typed_wrong(tmp_path, master, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["collect", str(master)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("brug: followup collect") and "Fejl: mangler: FIL, --round, --out" in err

    with pytest.raises(SystemExit):
        main(["generate", str(master), "--round", "1", "--out", str(tmp_path), "--per", "afdeling"])
    assert "Fejl: --per: 'afdeling': vælg udvalg eller center" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exit_:
        main(["collect", "--help"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    assert "tilvalg:" in shown and "vis denne hjælp og stop" in shown
    assert [w for w in ("usage:", "options:", "positional arguments", "show this help") if w in shown] == []


def test_the_example_master_holds_all_nine_elements_with_their_texts():
    seed = load_seed_data()
    master = read_master(EXAMPLE / "master.xlsx")
    assert [e.number for e in master.elements] == ["5.01", "5.02", "5.08.1", "5.08.2", "5.08.3", "5.09", "5.10", "5.11", "5.13"]
    assert master == seed.AGREEMENT
    assert master.results == ()


def test_the_example_returns_are_accepted(tmp_path, capsys):
    code = main(["collect", str(EXAMPLE / "master.xlsx"), "--round", "1", "--out", str(tmp_path), str(EXAMPLE / "returns" / "round-1")])
    assert code == 0


def test_demo_runs_three_rounds_and_the_round_2_overview_holds_the_seed_status_texts(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Runde 3" in out
    for r in (1, 2):
        for name in ("master.xlsx", "overview.xlsx", "validation.xlsx"):
            assert (tmp_path / f"round-{r}" / name).is_file()
    assert list((tmp_path / "round-3" / "templates").glob("*.xlsx"))
    seed = load_seed_data()
    overview_text = "\n".join(str(v) for row in sheet_rows(tmp_path / "round-2" / "overview.xlsx", "Oversigt") for v in row)
    master2 = read_master(tmp_path / "round-2" / "master.xlsx")
    for round_number in (1, 2):
        for res in seed.RETURNS[round_number]:
            got = master2.result(res.element, round_number)
            assert (got.progress, got.status, got.economy, got.economy_status) == (
                res.progress,
                res.status,
                res.economy,
                res.economy_status,
            )
    workbook = CalamineWorkbook.from_path(str(tmp_path / "round-2" / "overview.xlsx"))
    all_text = "\n".join(str(v) for name in workbook.sheet_names for row in workbook.get_sheet_by_name(name).to_python() for v in row)
    latest = {}
    for round_number in (1, 2):
        for res in seed.RETURNS[round_number]:
            for text in (res.status, res.economy_status):
                if text:
                    assert text in all_text, f"round {round_number}, {res.element}: {text[:40]}…"
            if res.status:
                latest[res.element] = res.status
    for text in latest.values():
        assert text in overview_text  # the overview sheet shows the latest status of each element


def test_the_package_runs_as_a_module_and_as_followup():
    import shutil

    followup = shutil.which("followup") or str(Path(sys.executable).with_name("followup"))
    if not Path(followup).exists():
        pytest.skip("the followup script is not installed (pip install . puts it beside python)")
    for cmd in ([sys.executable, "-m", "workbook_tools", "--help"], [followup, "--help"]):
        done = subprocess.run(cmd, capture_output=True, text=True)
        assert done.returncode == 0
        assert "generate" in done.stdout and "collect" in done.stdout


def _collect_output(cmd: list[str], terminal: bool) -> str:
    """What `cmd` writes to stderr, which is a pseudo-terminal (as in finance's window) or a pipe."""
    import os
    import pty

    if not terminal:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    primary, secondary = pty.openpty()
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=secondary, check=True)
    finally:
        os.close(secondary)
    out = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal is closed once everything written to it has been read
            break
        if not chunk:
            break
        out += chunk
    os.close(primary)
    return out.decode("utf-8")


def test_collect_and_check_show_each_phase_on_a_terminal_and_nothing_in_a_pipe(tmp_path, texts):
    """A round of many returns takes a while: finance sees how far each step is; a script's log stays clean."""
    from fill_kit import fill_template
    from synthetic import synthetic_agreement

    from workbook_tools.master import write_master
    from workbook_tools.template import generate_templates

    agreement = synthetic_agreement(committees=6, elements=2)
    master = write_master(agreement, tmp_path / "master.xlsx")
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    for m in generate_templates(agreement, 1, tmp_path / "skabeloner", texts):
        fill_template(
            tmp_path / "skabeloner" / m.file, inbox / m.file, agreement, m.committee, 1, synthetic_answers(agreement, m.committee, 1), texts
        )
    cmd = [sys.executable, "-m", "workbook_tools", "collect", str(master), str(inbox), "--round", "1", "--no-pdf", "--jobs", "1", "--out"]

    shown = _collect_output([*cmd, str(tmp_path / "ud1")], terminal=True)
    lines = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in shown.split("\n") if line.strip()]  # what stays on screen
    assert lines == ["Indsamling [" + "#" * 30 + "] 6/6", "Rapporter [" + "#" * 30 + "] 8/8"]  # 6 returns; master, overview, 6 reports
    assert "Indsamling [" + "." * 30 + "]" not in shown and "1/6" in shown  # drawn as it went, not only at the end

    assert "[" not in _collect_output([*cmd, str(tmp_path / "ud2")], terminal=False)
    assert "[" not in _collect_output([*cmd, str(tmp_path / "ud3"), "--quiet"], terminal=True)

    check = [sys.executable, "-m", "workbook_tools", "check", str(master), str(inbox), "--round", "1", "--jobs", "2"]
    shown = _collect_output(check, terminal=True)
    assert [line.rstrip("\r").rsplit("\r", 1)[-1] for line in shown.split("\n") if line.strip()] == ["Kontrol [" + "#" * 30 + "] 6/6"]


def test_committees_whose_names_differ_only_in_punctuation_and_case_each_keep_their_own_files(tmp_path, texts, capsys):
    """Both names slug to "Social-og-Sundhedsudvalget": one template, report and draft overwrote the other."""
    from dataclasses import replace

    from fill_kit import fill_template
    from synthetic import synthetic_agreement

    from workbook_tools.master import write_master

    names = {"Udvalg 01": "Social- og Sundhedsudvalget", "Udvalg 02": "social og sundhedsudvalget"}
    a = synthetic_agreement()
    agreement = replace(
        a,
        committees=tuple(replace(c, name=names[c.name]) for c in a.committees),
        elements=tuple(replace(e, committee=names[e.committee]) for e in a.elements),
    )
    master = write_master(agreement, tmp_path / "master.xlsx")

    templates = tmp_path / "skabeloner"
    assert main(["generate", str(master), "--round", "1", "--out", str(templates)]) == 0
    made = sorted(p.name for p in templates.glob("*.xlsx"))
    assert made == ["runde-1_Social-og-Sundhedsudvalget.xlsx", "runde-1_social-og-sundhedsudvalget-2.xlsx"]

    inbox = tmp_path / "indbakke"
    for name, committee in zip(made, names.values()):
        fill_template(templates / name, inbox / name, agreement, committee, 1, synthetic_answers(agreement, committee, 1), texts)
    assert main(["collect", "--no-pdf", str(master), "--round", "1", "--out", str(tmp_path / "ud"), str(inbox)]) == 0
    reports = sorted((tmp_path / "ud" / "reports").glob("*.xlsx"))
    assert [p.name for p in reports] == ["Social-og-Sundhedsudvalget.xlsx", "social-og-sundhedsudvalget-2.xlsx"]
    titles = [sheet_rows(p, texts("sheet_name"))[0][0] for p in reports]
    assert [names["Udvalg 01"] in titles[0], names["Udvalg 02"] in titles[1]] == [True, True]

    assert main(["mail", "templates", str(master), "--round", "1", "--from", str(templates)]) == 0
    assert len(list((templates / "outbox").glob("*.eml"))) == 2
    capsys.readouterr()
