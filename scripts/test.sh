#!/usr/bin/env bash
# Set up a virtual environment with the test tools and run the whole test suite.
# LibreOffice (Debian: libreoffice-calc-nogui python3-uno) is installed when we are root;
# otherwise the tests that need it say so and skip.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v soffice >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing LibreOffice Calc (headless) for the tests that act as a person using Excel…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        libreoffice-calc-nogui python3-uno poppler-utils fonts-crosextra-carlito fonts-dejavu-core >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet ".[test]"
.venv/bin/python -m pytest "$@"
