"""The benchmark suite runs (a smoke test: no timing is asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, codes, lint_json

sys.path.insert(0, str(PROJECT / "bench"))

from generate import generate  # noqa: E402


def test_generated_repository_is_real_and_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "gen"
    generate(repo, commits=120, files=30, models=2, datasets=2, documents=12)
    log = subprocess.run(["git", "log", "--format=%H"], cwd=repo, capture_output=True, text=True)
    assert len(log.stdout.split()) == 120
    tags = subprocess.run(["git", "tag"], cwd=repo, capture_output=True, text=True).stdout.split()
    assert "model-0@v1.0.0" in tags and any(t.startswith("model-1@v1.0.") for t in tags)
    status, report = lint_json(capsys, str(repo))
    assert codes(report) == [] and status == 0


def test_benchmark_script_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(PROJECT / "bench" / "run.py"),
            "--quick",
            "--cases",
            "1,2,3,5",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    # the header; typical; case 2 cold, its floor, warm; case 3 cold and warm; 8 capabilities
    assert len(rows) == 1 + 8 + 8
    assert any("cold (fresh clone)" in row for row in rows)
    assert any("`--report html=`" in row for row in rows)
