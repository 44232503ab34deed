"""Collect's findings as data: problems.json beside validation.xlsx, and `--json`, in the shape docs/results.md promises.

Finance reads validation.xlsx; scripts and `followup mail reminders` read problems.json.
The two hold the same problems, and a rerun writes problems.json byte for byte again.
"""

from __future__ import annotations

import json
import re
from email.message import EmailMessage
from email.policy import SMTP

import openpyxl
import pytest
from conftest import ROOT
from python_calamine import CalamineWorkbook

from workbook_tools import pipeline
from workbook_tools.cli import main
from workbook_tools.problems import Severity
from workbook_tools.report import VALIDATION_COLUMNS
from workbook_tools.results import read_problems
from workbook_tools.sheetplan import Mode, Role, plan_sheet

# What scripts rely on in `--json` today; more may come, none of these may go.
COLLECT_KEYS = {"round", "exit_code", "returns", "problems", "written", "notes"}
COLLECT_RETURN_KEYS = {"file", "committee", "status", "label", "accepted", "sha256"}
CHECK_RETURN_KEYS = {"file", "committee", "accepted", "sha256", "problems"}
PROBLEM_KEYS = [
    "severity",
    "code",
    "file",
    "committee",
    "department",
    "element",
    "field",
    "field_words",
    "sheet",
    "cell",
    "expected",
    "found",
    "detail",
    "message",
    "hint",
    "advice",
]


@pytest.fixture
def inbox(tmp_path, agreement, texts, round1):
    """Both committees' good returns; an empty file; Udvalg 01's again with a milestone changed; Udvalg 02's again, by e-mail."""
    (round1 / "tom.xlsx").write_bytes(b"")
    good = sorted(round1.glob("*.xlsx"))
    plan = plan_sheet(agreement, agreement.committees[0], 1, texts, Mode.TEMPLATE)
    milestone = next(c for c in plan.cells if c.field == "milestone" and c.role is Role.FIXED and c.value)
    wb = openpyxl.load_workbook(good[0])
    wb[plan.sheet_name][milestone.ref] = "Ændret af afsenderen"
    wb.save(round1 / "rettet.xlsx")
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "Ældre <aeldre@example.invalid>", "budget@example.invalid", "Svar"
    msg["Date"] = "Mon, 02 Mar 2026 09:00:00 +0100"
    msg.set_content("Her er vores svar.")
    msg.add_attachment(good[1].read_bytes(), maintype="application", subtype="octet-stream", filename="svar æøå.xlsx")
    (round1 / "svar.eml").write_bytes(msg.as_bytes())
    return round1


def collect(master, inbox, out, *more) -> int:
    return main(["collect", str(master), "--round", "1", "--no-pdf", "--jobs", "1", "--out", str(out), *more, str(inbox)])


def validation_rows(path) -> list[dict]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Problemer").to_python()
    keys = {heading: key for heading, key, _width in VALIDATION_COLUMNS}
    return [{keys[h]: str(v) for h, v in zip(rows[0], row, strict=True)} for row in rows[1:]]


def test_problems_json_holds_every_row_of_validation_xlsx_and_every_returns_verdict(master, inbox, tmp_path, capsys):
    assert collect(master, inbox, tmp_path / "ud") == 1
    doc = json.loads((tmp_path / "ud" / "problems.json").read_text(encoding="utf-8"))
    assert list(doc) == ["format", "round", "returns", "problems"]
    assert (doc["format"], doc["round"]) == (1, 1)
    assert all(list(p) == PROBLEM_KEYS for p in doc["problems"])

    labels = {s.value: s.label for s in Severity}
    # validation.xlsx's "Felt" shows the field in words; problems.json has its code beside them.
    as_people_read_it = [
        {k: labels[v] if k == "severity" else v for k, v in p.items() if k not in ("detail", "field", "advice")} for p in doc["problems"]
    ]
    assert as_people_read_it == validation_rows(tmp_path / "ud" / "validation.xlsx")

    status = {r["file"]: r["status"] for r in doc["returns"]}
    assert status == {
        "returns/runde-1_Udvalg-01.xlsx": "accepted",
        "returns/runde-1_Udvalg-02.xlsx": "accepted",
        "returns/rettet.xlsx": "rejected",
        "returns/tom.xlsx": "rejected",
        "returns/svar.eml › svar æøå.xlsx": "duplicate",
    }
    mailed = next(r for r in doc["returns"] if r["file"].endswith("svar æøå.xlsx"))
    assert mailed["sender"] == "Ældre <aeldre@example.invalid>" and mailed["received"].startswith("2026-03-02")
    assert "path" not in mailed and "problems" not in mailed, "a temporary copy's path and the problems listed twice stay out"
    rejected = [p["code"] for p in doc["problems"] if p["file"] == "returns/rettet.xlsx" and p["severity"] == "error"]
    assert rejected == ["locked-cell-changed"]
    assert read_problems(tmp_path / "ud" / "problems.json").problems == doc["problems"]


def test_problems_json_is_the_same_bytes_on_every_run(master, inbox, tmp_path, capsys):
    """Reruns, and a run into another folder, write the same bytes: nothing of the moment (temp folders, times of the run) gets in."""
    collect(master, inbox, tmp_path / "ud")
    first = (tmp_path / "ud" / "problems.json").read_bytes()
    collect(master, inbox, tmp_path / "ud")
    collect(master, inbox, tmp_path / "andet")
    assert (tmp_path / "ud" / "problems.json").read_bytes() == first == (tmp_path / "andet" / "problems.json").read_bytes()
    assert "æøå" in first.decode("utf-8") and first.endswith(b"\n")


def test_collect_json_is_the_runs_as_dict_with_the_keys_scripts_use(master, inbox, tmp_path, capsys, monkeypatch):
    runs = []
    real = pipeline.collect_round
    monkeypatch.setattr(pipeline, "collect_round", lambda *a, **kw: runs.append(real(*a, **kw)) or runs[-1])
    code = collect(master, inbox, tmp_path / "ud", "--json")
    doc = json.loads(capsys.readouterr().out)
    assert doc == json.loads(json.dumps(runs[0].as_dict(), ensure_ascii=False))
    assert code == doc["exit_code"] == 1
    assert set(doc) == COLLECT_KEYS
    assert all(COLLECT_RETURN_KEYS <= set(r) for r in doc["returns"])
    assert {r["status"]: r["label"] for r in doc["returns"]} == {"accepted": "godkendt", "rejected": "afvist", "duplicate": "kopi"}
    assert str(tmp_path / "ud" / "problems.json") in doc["written"]

    on_disk = json.loads((tmp_path / "ud" / "problems.json").read_text(encoding="utf-8"))
    assert on_disk["problems"] == doc["problems"]
    assert on_disk["returns"] == [{k: v for k, v in r.items() if k not in ("path", "problems", "label")} for r in doc["returns"]]


def test_check_json_is_the_runs_as_dict(master, inbox, tmp_path, capsys, monkeypatch):
    runs = []
    real = pipeline.check_files
    monkeypatch.setattr(pipeline, "check_files", lambda *a, **kw: runs.append(real(*a, **kw)) or runs[-1])
    code = main(["check", str(master), "--round", "1", "--jobs", "1", "--json", str(inbox)])
    doc = json.loads(capsys.readouterr().out)
    assert doc == json.loads(json.dumps(runs[0].as_dict(), ensure_ascii=False))
    assert code == doc["exit_code"] == 1
    assert set(doc) == COLLECT_KEYS
    assert all(CHECK_RETURN_KEYS <= set(r) for r in doc["returns"])
    assert doc["problems"] == [], "the e-mail itself is fine; each return's problems are under it"
    rejected = {r["file"]: [p["code"] for p in r["problems"]] for r in doc["returns"] if not r["accepted"]}
    assert rejected == {"returns/rettet.xlsx": ["locked-cell-changed"], "returns/tom.xlsx": ["empty-file"]}


def test_every_key_a_script_sees_is_in_docs_results_md(master, inbox, tmp_path, capsys):
    documented = set(re.findall(r"`([a-z_0-9]+)`", (ROOT / "docs" / "results.md").read_text(encoding="utf-8")))
    collect(master, inbox, tmp_path / "ud", "--json")
    seen = json.loads(capsys.readouterr().out)
    main(["check", str(master), "--round", "1", "--json", str(inbox)])
    checked = json.loads(capsys.readouterr().out)
    on_disk = json.loads((tmp_path / "ud" / "problems.json").read_text(encoding="utf-8"))
    keys = set(on_disk) | set(seen) | {k for doc in (seen, checked, on_disk) for r in doc["returns"] for k in r}
    keys |= {k for doc in (seen, on_disk) for p in doc["problems"] for k in p}
    assert keys - documented == set()


def test_a_progress_callback_hears_each_phase_of_collect_under_its_label(master, round1, tmp_path):
    heard = []
    pipeline.collect_round(
        master, 1, [round1], tmp_path / "ud", pdf=False, jobs=1, progress=lambda done, total, label="": heard.append((label, done, total))
    )
    assert [h for h in heard if h[0] == ""] == [("", 1, 2), ("", 2, 2)], "the returns, under the caller's own label"
    reports = [h for h in heard if h[0] == "Rapporter"]
    assert reports[-1][1] == reports[-1][2] == 4, "master, overview and the two committees' reports"
    assert {h[0] for h in heard} == {"", "Rapporter"}
