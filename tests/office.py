"""A running headless LibreOffice for the tests, and a way to hand it a person's steps.

`lo_user.py`, run by the system Python (the only one that can import uno), does
the steps; this module starts soffice once per test module and sends it jobs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

LO_USER = Path(__file__).with_name("lo_user.py")
SYSTEM_PYTHON = "/usr/bin/python3"
JOB_SECONDS = 90
SHEET = "Opfølgning"


class Office:
    """A running headless LibreOffice and a way to send it jobs."""

    def __init__(self, pipe: str, workdir: Path):
        self.pipe = pipe
        self.workdir = workdir

    def run(self, file: Path, steps: list[dict], sheet: str = SHEET) -> list[dict]:
        job = {"pipe": self.pipe, "file": str(file), "sheet": sheet, "steps": steps}
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        done = subprocess.run(
            [SYSTEM_PYTHON, str(LO_USER)], input=json.dumps(job), capture_output=True, text=True, timeout=JOB_SECONDS, env=env
        )
        if done.returncode != 0:
            pytest.fail(f"LibreOffice job failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)["steps"]

    def copy(self, source: Path, name: str) -> Path:
        """A private copy: LibreOffice leaves lock files beside what it opens."""
        target = self.workdir / f"{uuid.uuid4().hex[:8]}-{name}"
        shutil.copyfile(source, target)
        return target


def needed_or_skip(ok: bool, what: str) -> None:
    """Skip without a tool, as soffice_or_skip does; fail where CI requires LibreOffice."""
    if ok:
        return
    if os.environ.get("FOLLOWUP_REQUIRE_LIBREOFFICE"):
        pytest.fail(f"{what} is required here but missing")
    pytest.skip(f"{what} is missing")


def system_python_has_uno() -> bool:
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0


@contextmanager
def running_office(workdir: Path) -> Iterator[Office]:
    """One headless soffice for a test module (conftest's `office` fixture), stopped as a whole afterwards."""
    from conftest import soffice_or_skip

    soffice = soffice_or_skip()
    needed_or_skip(system_python_has_uno(), f"{SYSTEM_PYTHON} with uno (apt-get install python3-uno)")
    needed_or_skip(bool(shutil.which("pdftoppm") and shutil.which("pdftotext")), "pdftoppm and pdftotext (apt-get install poppler-utils)")
    pipe = f"followup_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    profile = (workdir / "profile").as_uri()
    pipes_before = office_pipes()
    proc = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: soffice is a chain of processes
    )
    try:
        yield Office(pipe, workdir)
    finally:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        for leftover in office_pipes() - pipes_before:
            leftover.unlink(missing_ok=True)


def office_pipes() -> set[Path]:
    """LibreOffice's socket files: a soffice that is stopped (not closed from its menu) leaves them in /tmp,
    which it uses whatever TMPDIR says."""
    return set(Path("/tmp").glob("OSL_PIPE_*"))
