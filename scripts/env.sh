# Sourced by bin/*: creates the project's virtual environment when it is missing or when
# pyproject.toml or the chosen interpreter changed since it was installed, then activates it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The interpreter: NIANBAO_PYTHON if set; else the system's own CPython 3.11 (Debian's build links
# libpython statically into the executable: 7-8 % less CPU than pyenv's --enable-shared build on
# the 10k benchmark, benchmarks/RESULTS.md) when it can make a venv; else python3.11 on PATH.
pick_python() {
    if [ -n "${NIANBAO_PYTHON:-}" ]; then echo "$NIANBAO_PYTHON"; return; fi
    if [ -x /usr/bin/python3.11 ] && /usr/bin/python3.11 -c "import ensurepip, venv" 2>/dev/null; then
        echo /usr/bin/python3.11; return
    fi
    if command -v python3.11 >/dev/null; then echo python3.11; else echo python3; fi
}
PYTHON="$(pick_python)"
STAMP=".venv/.nianbao-installed"
WANT="$( (cat pyproject.toml; command -v "$PYTHON") | sha256sum | cut -c1-16)"
if [ ! -x .venv/bin/python ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
    echo "setting up .venv with $PYTHON ($($PYTHON --version))" >&2
    rm -rf .venv  # a venv keeps the interpreter it was made with: a new one is made from scratch
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    echo "$WANT" > "$STAMP"
fi
# shellcheck disable=SC1091
source .venv/bin/activate
export DAGSTER_HOME="${DAGSTER_HOME:-$ROOT/data/dagster_home}"
mkdir -p "$DAGSTER_HOME"
touch "$DAGSTER_HOME/dagster.yaml"
