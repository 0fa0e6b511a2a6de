"""Layers import one way: the import-linter contracts in pyproject.toml (docs/architecture.md).

The first test runs the contracts on the tree; the second proves they bite, by adding the very
import the layering forbids (org reaching up into meetings) to a copy of the tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONFIG = PYPROJECT["tool"]["importlinter"]
LINT = (
    "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
)


def _lint(tree: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": str(tree)}
    return subprocess.run(
        [sys.executable, "-c", LINT], cwd=tree, env=env, capture_output=True, text=True, timeout=120
    )


def test_every_package_is_under_contract():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "deploy"}
    assert packages == set(CONFIG["root_packages"])


def test_imports_point_one_way():
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_an_import_pointing_up_breaks_the_contract(tmp_path):
    for package in CONFIG["root_packages"]:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    queries = tmp_path / "org" / "queries.py"
    queries.write_text(queries.read_text(encoding="utf-8") + "\nimport meetings.snapshot\n")
    run = _lint(tmp_path)
    assert run.returncode == 1
    assert "Packages import downwards only BROKEN" in run.stdout
    assert "org.queries -> meetings.snapshot" in run.stdout
