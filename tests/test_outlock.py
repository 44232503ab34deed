"""One collect at a time into an output folder, and a write that fails says where and why.

Two runs started at once into the same --out: exactly one writes, the other is told
who holds the folder and exits 2, and every output comes from the one run. A lock a
killed run left behind is taken over, once, with a note. A read-only or full --out is
a Danish message naming the path and the cause, exit 2, not "uventet fejl".
"""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, followup_command

from workbook_tools import cli
from workbook_tools.atomic import OutputError, output_cause
from workbook_tools.outlock import LOCK_NAME, OutputLocked, acquire, output_lock

TRIALS = 20


@pytest.fixture
def agreement():
    """A round of 24 committees: long enough that a second run surely meets the first one's lock."""
    from synthetic import synthetic_agreement

    return synthetic_agreement(committees=24, elements=4)


def collect_command(master: Path, out: Path, inbox: Path) -> list[str]:
    return followup_command("collect", master, "--round", "1", "--out", out, "--no-pdf", "--quiet", "--jobs", "1", inbox)


def start_both(cmd: list[str], out: Path) -> list[subprocess.CompletedProcess]:
    """The same command twice: the second started the moment the first holds --out, so the two truly overlap.

    Started at the same instant, a loaded machine may let the first finish before the
    second has even imported the tool; then both rightly succeed and nothing is tested.
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))

    def launch() -> subprocess.Popen:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    first = launch()
    deadline = time.monotonic() + 60
    while not (out / LOCK_NAME).exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    second = launch()
    ended = [p.communicate(timeout=120) for p in (first, second)]
    return [subprocess.CompletedProcess(cmd, p.returncode, out_, err) for p, (out_, err) in zip((first, second), ended, strict=True)]


def test_two_collects_started_together_into_one_out_one_writes_and_the_other_is_told_who_holds_it(master, round1, tmp_path):
    outs = [tmp_path / f"out{trial}" for trial in range(TRIALS)]
    ended = [start_both(collect_command(master, out, round1), out) for out in outs]
    for trial, (out, (a, b)) in enumerate(zip(outs, ended, strict=True)):
        codes = sorted([a.returncode, b.returncode])
        assert codes == [0, 2], f"trial {trial}: {a.returncode} {a.stderr} / {b.returncode} {b.stderr}"
        loser = a if a.returncode == 2 else b
        assert "collect kører allerede i" in loser.stderr and LOCK_NAME in loser.stderr and "pid " in loser.stderr, loser.stderr
        assert "uventet" not in loser.stderr
        assert not (out / LOCK_NAME).exists(), "the run that wrote let go of the folder"
        index = json.loads(next((out / "archive").rglob("index.json")).read_text(encoding="utf-8"))
        problems = json.loads((out / "problems.json").read_text(encoding="utf-8"))
        assert len(index) == len(problems["returns"]) == 24, f"trial {trial}"
        assert not list(out.rglob(".~*.tmp")), f"trial {trial}: a run was cut off halfway"


def test_a_second_run_is_refused_with_the_holders_pid_host_and_the_file_to_delete(tmp_path):
    with output_lock(tmp_path) as held:
        with pytest.raises(OutputLocked) as refused:
            acquire(tmp_path)
        message = str(refused.value)
        assert f"pid {os.getpid()} på {socket.gethostname()} siden " in message
        assert f"slet {held.path} hvis den kørsel er stoppet" in message
    assert not (tmp_path / LOCK_NAME).exists()
    acquire(tmp_path).release()  # free again


def test_a_lock_left_by_a_killed_run_on_this_machine_is_taken_over_and_said_once(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = {"pid": dead.pid, "host": socket.gethostname(), "started": "2026-12-06T22:41:00+00:00"}
    (tmp_path / LOCK_NAME).write_text(json.dumps(stale), encoding="utf-8")
    lock = acquire(tmp_path)
    assert "efterladt af en stoppet collect" in lock.note and f"pid {dead.pid}" in lock.note and "6. december 2026 kl. 22.41" in lock.note
    assert json.loads((tmp_path / LOCK_NAME).read_text(encoding="utf-8"))["pid"] == os.getpid()
    lock.release()
    again = acquire(tmp_path)
    assert again.note == ""
    again.release()


def test_a_lock_from_another_machine_is_never_taken_over(tmp_path):
    (tmp_path / LOCK_NAME).write_text(
        json.dumps({"pid": 1, "host": "en-anden-pc", "started": "2026-12-06T08:00:00+00:00"}), encoding="utf-8"
    )
    with pytest.raises(OutputLocked, match="pid 1 på en-anden-pc siden 6. december 2026 kl. 08.00"):
        acquire(tmp_path)


def test_collect_through_the_cli_says_the_lock_is_held_and_exits_2(master, round1, tmp_path, capsys):
    out = tmp_path / "out"
    with output_lock(out):
        code = cli.main(["collect", str(master), "--round", "1", "--out", str(out), "--no-pdf", "--quiet", str(round1)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("Fejl: collect kører allerede i ") and "uventet" not in err
    assert sorted(p.name for p in out.iterdir()) == [], "nothing written while another run held the folder"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EROFS, "mappen er skrivebeskyttet"),
        (errno.ENOSPC, "disken er fuld"),
        (errno.EACCES, "adgang nægtet"),
        (errno.ENAMETOOLONG, "stien er for lang"),
    ],
)
def test_a_failed_write_into_out_names_the_path_and_the_cause_and_exits_2(master, round1, tmp_path, capsys, monkeypatch, code, words):
    # A real read-only or full disk cannot be made safely here (root ignores chmod): the rename that puts each output in place fails.
    real_replace = os.replace

    def failing(src, dst, *a, **kw):
        if Path(dst).name == "master.xlsx":
            raise OSError(code, os.strerror(code), str(src))
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", failing)
    out = tmp_path / "out"
    assert cli.main(["collect", str(master), "--round", "1", "--out", str(out), "--no-pdf", "--quiet", "--jobs", "1", str(round1)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Fejl: kan ikke skrive {out}: {words}"), err
    assert "uventet" not in err
    assert not (out / LOCK_NAME).exists(), "the lock is let go also when the run fails"


def test_an_out_under_a_file_is_a_message_not_a_crash(master, round1, tmp_path, capsys):
    blocker = tmp_path / "fil.txt"
    blocker.write_text("ikke en mappe", encoding="utf-8")
    out = blocker / "resultat"
    assert cli.main(["collect", str(master), "--round", "1", "--out", str(out), "--no-pdf", "--quiet", str(round1)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Fejl: kan ikke skrive {out}: en del af stien er en fil, ikke en mappe"), err


def test_windows_path_too_long_and_disk_full_are_told_by_their_winerror():
    too_long = OSError(errno.EINVAL, "The filename or extension is too long")
    too_long.winerror = 206
    assert output_cause(too_long).startswith("stien er for lang")
    full = OSError(errno.EINVAL, "There is not enough space on the disk")
    full.winerror = 112
    assert output_cause(full).startswith("disken er fuld")


def test_an_error_on_an_input_is_not_called_an_output_error(tmp_path):
    from workbook_tools.atomic import output_errors

    with pytest.raises(FileNotFoundError), output_errors(tmp_path / "out"):
        raise FileNotFoundError(errno.ENOENT, "No such file", str(tmp_path / "master.xlsx"))
    with pytest.raises(OutputError, match="disken er fuld"), output_errors(tmp_path / "out"):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_lock_that_names_no_one_is_held_for_a_minute_then_taken_over(tmp_path):
    lock = tmp_path / LOCK_NAME
    lock.write_bytes(b"")
    with pytest.raises(OutputLocked, match="pid \\? på \\?"):
        acquire(tmp_path)
    os.utime(lock, (lock.stat().st_atime - 120, lock.stat().st_mtime - 120))
    taken = acquire(tmp_path)
    assert "overtaget" in taken.note
    taken.release()


def test_generate_into_an_out_under_a_file_is_a_message_not_a_crash(master, tmp_path, capsys):
    blocker = tmp_path / "fil.txt"
    blocker.write_text("ikke en mappe", encoding="utf-8")
    assert cli.main(["generate", str(master), "--round", "1", "--out", str(blocker / "skabeloner")]) == 2
    assert "kan ikke skrive" in capsys.readouterr().err
