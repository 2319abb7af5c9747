"""Every imported package is declared in pyproject.toml (deptry), and the lock pins them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def deptry(folder: Path) -> subprocess.CompletedProcess[str]:
    found = shutil.which("deptry", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("deptry is missing: `make install` installs the dev extra")
    return subprocess.run(
        [found, "--no-ansi", "."], cwd=folder, capture_output=True, text=True, check=False
    )


def name_of(requirement: str) -> str:
    """A distribution's normalised name (PEP 503) from a requirement or a lock line."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name is not None, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def test_every_imported_package_is_declared() -> None:
    result = deptry(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deptry_notices_an_undeclared_import(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\ndependencies = []\n'
    )
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "__init__.py").write_text("import yaml\n")
    result = deptry(tmp_path)
    assert result.returncode != 0
    assert "yaml" in result.stdout + result.stderr


def test_both_lock_files_pin_every_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {name_of(r) for r in project["dependencies"]}
    dev = {name_of(r) for r in project["optional-dependencies"]["dev"]}

    def pinned(lock: str) -> set[str]:
        lines = (ROOT / "requirements" / lock).read_text().splitlines()
        return {name_of(line) for line in lines if "==" in line}

    assert runtime <= pinned("runtime.lock"), "run `make lock`"
    assert runtime | dev <= pinned("dev.lock"), "run `make lock`"
