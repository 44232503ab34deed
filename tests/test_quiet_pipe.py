"""Output into a pipe that closes early ends quietly (issue 18, part 6): `followup problems | head -1`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbook_tools.cli import EXIT_PIPE_CLOSED

FOLLOWUP = Path(sys.executable).parent / "followup"


@pytest.mark.skipif(not shutil.which("head") or not Path("/bin/bash").exists(), reason="needs bash and head")
def test_followup_problems_into_head_gives_one_line_exit_0_and_no_error_text():
    done = subprocess.run(
        f'"{FOLLOWUP}" problems | head -1', shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0
    assert done.stdout.splitlines() == [done.stdout.splitlines()[0]] and done.stdout.startswith("Filen")  # the first category's heading
    assert done.stderr == ""


def test_a_reader_gone_before_the_first_line_ends_the_command_quietly():
    # The read end is closed before the program has even started writing: its write must fail, every time.
    proc = subprocess.Popen([str(FOLLOWUP), "problems"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", errors="replace")
    assert proc.wait(timeout=120) == EXIT_PIPE_CLOSED
    assert err == "", err
