"""The README's complete example, written into a real DVC repository, is clean."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import lint_json, readme_examples
from mlwf_lint.cli import main


def test_readme_has_one_example_per_kind() -> None:
    paths = readme_examples()
    for folder in ("models", "data", "rollback", "decisions"):
        assert any(p.startswith(f"docs/ml/{folder}/") for p in paths), folder


def test_readme_examples_are_clean_on_the_demo_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = tmp_path / "demo"
    assert main(["demo", str(demo)]) == 0
    shutil.rmtree(demo / "docs")
    for rel, text in readme_examples().items():
        (demo / rel).parent.mkdir(parents=True, exist_ok=True)
        (demo / rel).write_text(text)
    status, report = lint_json(capsys, str(demo), "--fail-on", "warning")
    assert report["findings"] == []
    assert status == 0
    # documents + DVC files + params.yaml and eval/metrics.json
    assert report["summary"]["files_checked"] == 5 + 4 + 2
