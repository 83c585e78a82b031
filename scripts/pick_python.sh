#!/usr/bin/env bash
# Prints the interpreter the project's .venv is made with: NIANBAO_PYTHON if set; else the
# system's own CPython 3.11 when it can make a venv (why: docs/libraries.md); else python3.11 on
# PATH; else python3.
set -euo pipefail
SYSTEM_PYTHON="${NIANBAO_SYSTEM_PYTHON:-/usr/bin/python3.11}"  # overridable for the tests
if [ -n "${NIANBAO_PYTHON:-}" ]; then
    echo "$NIANBAO_PYTHON"
elif [ -x "$SYSTEM_PYTHON" ] && "$SYSTEM_PYTHON" -c "import ensurepip, venv" 2>/dev/null; then
    echo "$SYSTEM_PYTHON"
elif command -v python3.11 >/dev/null; then
    echo python3.11
else
    echo python3
fi
