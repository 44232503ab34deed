#!/usr/bin/env bash
# Set up a virtual environment and run one follow-up year on the bundled 2018 example.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet .
.venv/bin/followup demo --out demo-output
