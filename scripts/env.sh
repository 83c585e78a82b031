# Sourced by bin/*: creates the project's virtual environment when it is missing or when
# pyproject.toml, the lock file or the chosen interpreter changed since it was installed, then
# activates it. Every package comes from requirements.lock, pinned with its hashes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The interpreter: scripts/pick_python.sh says which, and why.
PYTHON="$(bash scripts/pick_python.sh)"
STAMP=".venv/.nianbao-installed"
INTERPRETER_STAMP=".venv/.nianbao-python"
INTERPRETER="$(command -v "$PYTHON")"
# A venv keeps the interpreter it was made with: another one means a new venv from scratch. A
# changed pyproject.toml only reinstalls into the venv there is.
if [ -d .venv ] && [ "$(cat "$INTERPRETER_STAMP" 2>/dev/null)" != "$INTERPRETER" ]; then
    rm -rf .venv
fi
WANT="$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)"
if [ ! -x .venv/bin/python ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
    # The installers' output goes to a log: shown only when the set-up fails.
    mkdir -p data/logs
    SETUP_LOG="data/logs/setup.log"
    echo "setting up .venv with $PYTHON ($($PYTHON --version)); log: $SETUP_LOG" >&2
    if ! {
        "$PYTHON" -m venv .venv &&
            .venv/bin/python -m pip install --quiet --upgrade pip &&
            .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock &&
            .venv/bin/python -m pip install --quiet --no-deps -e . &&
            .venv/bin/python -m pip check
    } >"$SETUP_LOG" 2>&1; then
        tail -n 30 "$SETUP_LOG" >&2
        echo "setting up .venv failed: see $SETUP_LOG" >&2
        exit 1
    fi
    echo "$WANT" > "$STAMP"
    echo "$INTERPRETER" > "$INTERPRETER_STAMP"
fi
# shellcheck disable=SC1091
source .venv/bin/activate
export DAGSTER_HOME="${DAGSTER_HOME:-$ROOT/data/dagster_home}"
mkdir -p "$DAGSTER_HOME"
touch "$DAGSTER_HOME/dagster.yaml"
