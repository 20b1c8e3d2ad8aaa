#!/usr/bin/env bash
# Build (or bring up to date) the Python test environment in .venv from test/requirements.txt.
# Skips the install when .venv already holds exactly that file's versions.
set -euo pipefail
cd "$(dirname "$0")/../.."
req=test/requirements.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [[ -x .venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]]; then
  exit 0
fi
python=${BEAMTWIN_VENV_BASE_PYTHON:-python3}
"$python" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
