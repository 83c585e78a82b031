"""scripts/pick_python.sh: which interpreter bin/* make the project's .venv with; the lock file
they install it from."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from testkit.runs import ROOT

pytestmark = pytest.mark.slow  # builds environments

PICK = ROOT / "scripts" / "pick_python.sh"


def _pick(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("NIANBAO_PYTHON", "NIANBAO_SYSTEM_PYTHON")}
    done = subprocess.run(["bash", str(PICK)], env={**clean, **env}, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_an_interpreter_named_by_the_user_is_taken_as_it_is() -> None:
    assert _pick(NIANBAO_PYTHON="/opt/python/bin/python3.11") == "/opt/python/bin/python3.11"


def test_the_system_python_is_preferred_when_it_can_make_a_venv(tmp_path: Path) -> None:
    # A stand-in for /usr/bin/python3.11: this test's own interpreter, which has venv and ensurepip.
    system = tmp_path / "python3.11"
    system.symlink_to(sys.executable)
    assert _pick(NIANBAO_SYSTEM_PYTHON=str(system)) == str(system)


def test_a_system_python_without_venv_or_none_at_all_falls_back_to_path(tmp_path: Path) -> None:
    # Debian's python3.11 without the python3.11-venv package: `import ensurepip` fails.
    broken = tmp_path / "python3.11"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    assert _pick(NIANBAO_SYSTEM_PYTHON=str(broken)) in ("python3.11", "python3")
    assert _pick(NIANBAO_SYSTEM_PYTHON=str(tmp_path / "missing")) in ("python3.11", "python3")


def test_the_default_choice_is_a_python_3_11() -> None:
    chosen = _pick()
    version = subprocess.run(
        [chosen, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True, check=True
    )
    assert version.stdout.split() == ["3", "11"]


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        match = re.match(r"^\s*\"?([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s\";\\]+)", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_the_lock_file_pins_what_pyproject_pins_with_hashes() -> None:
    """bin/* install from requirements.lock alone (--require-hashes --no-deps): it must hold every
    dependency pyproject.toml declares, at the declared version, each with its hashes."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = _pins([*project["project"]["dependencies"], *project["project"]["optional-dependencies"]["dev"]])
    lock_text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    locked = _pins(lock_text.splitlines())
    assert {name: locked.get(name) for name in declared} == declared
    entries = re.split(r"\n(?=[a-z0-9])", lock_text.split("\n", 2)[2])
    assert all("--hash=sha256:" in entry for entry in entries if "==" in entry)
