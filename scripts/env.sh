# Sourced by bin/*: creates the project's virtual environment when it is missing or when
# pyproject.toml or the chosen interpreter changed since it was installed, then activates it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The interpreter: scripts/pick_python.sh says which, and why.
PYTHON="$(bash scripts/pick_python.sh)"
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
