"""Strict tooling, enforced by the project itself: ruff and mypy --strict stay clean."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import PROJECT


def _tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(name) is None and not (PROJECT / ".venv" / "bin" / name).exists():
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return subprocess.run(
        [sys.executable, "-m", name, *args], cwd=PROJECT, capture_output=True, text=True
    )


def test_ruff_is_clean() -> None:
    done = _tool("ruff", "check", "mlwf_lint", "tests", "bench")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean() -> None:
    done = _tool("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
