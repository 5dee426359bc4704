"""The result cache: same findings warm and cold, no heavy imports when warm, never
trusted blindly (content-keyed; a corrupt cache is ignored)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import documented_demo, lint_json
from mlwf_lint.cache import CACHE_FILE


def _imports(repo: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mlwf_lint", "-q", "--no-history"],
        cwd=repo, capture_output=True, text=True,
    )  # fmt: skip
    return done.stderr


def test_warm_run_skips_the_parser_and_the_validator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = documented_demo(tmp_path / "demo")
    cold = _imports(demo.path)
    assert " jsonschema\n" in cold and "ruamel.yaml" in cold
    cache = demo.path / ".git" / "mlwf-lint" / CACHE_FILE
    assert cache.is_file()
    warm = _imports(demo.path)
    assert " jsonschema\n" not in warm and "ruamel.yaml" not in warm
    # a changed document is parsed and validated again
    lineage = demo.path / "docs/ml/data/labels.yaml"
    lineage.write_text(lineage.read_text().replace("contains_pii: false", "contains_pii: maybe"))
    assert " jsonschema\n" in _imports(demo.path)
    status, report = lint_json(capsys, str(demo.path))
    assert [f["code"] for f in report["findings"]] == ["MLW202"] and status == 1


def test_same_findings_with_and_without_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlwf_lint.cli import main

    assert main(["demo", str(tmp_path / "demo")]) == 0
    without = lint_json(capsys, str(tmp_path / "demo"), "--no-cache")[1]
    cold = lint_json(capsys, str(tmp_path / "demo"))[1]
    warm = lint_json(capsys, str(tmp_path / "demo"))[1]
    assert without == cold == warm and without["findings"]


def test_a_corrupt_cache_is_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = documented_demo(tmp_path / "demo")
    lint_json(capsys, str(demo.path))
    cache = demo.path / ".git" / "mlwf-lint" / CACHE_FILE
    cache.write_text('{"truncated": ')
    status, report = lint_json(capsys, str(demo.path))
    assert (status, report["findings"]) == (0, [])
    assert cache.read_text().startswith("{")
