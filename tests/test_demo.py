"""`mlwf-lint demo`: a real repository with real history, and exactly its faults."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import codes, lineage_record, lint_json, rollback_plan, run_dvc
from mlwf_lint.cli import main
from mlwf_lint.write.demo import DEMO_TAGS


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "demo"
    assert main(["demo", str(folder), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Made a demo ML repository in {folder}")
    assert f"`mlwf-lint {folder}` exits 1" in out
    return folder


def test_demo_has_exactly_its_deliberate_faults(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = lint_json(capsys, str(demo))
    assert status == 1
    assert [(f["code"], f["path"]) for f in report["findings"]] == [
        ("MLW103", "data/raw/labels.csv.dvc"),
        ("MLW106", "docs/ml/data/tweets.yaml"),
        ("MLW202", "docs/ml/models/text-classifier.md"),
        ("MLW104", "docs/ml/models/text-classifier.md"),
        ("MLW306", "docs/ml/models/text-classifier.md"),
        ("MLW105", "docs/ml/models/text-classifier.md"),
    ]


def test_demo_history_is_real(demo: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=demo, capture_output=True, text=True, check=True
        ).stdout

    assert len(git("rev-list", "HEAD").split()) == 3
    assert sorted(git("tag", "--list").split()) == sorted(DEMO_TAGS)
    first, second, prod = (git("rev-parse", f"{tag}:dvc.lock").strip() for tag in DEMO_TAGS)
    assert first != second == prod  # retrained between the two versions; v1.1.0 in prod
    assert git("status", "--porcelain") == ""
    assert "dvc.lock" in git("ls-files")


def test_dvc_agrees_with_the_demo_hashes(demo: Path) -> None:
    pytest.importorskip("dvc")
    assert "up to date" in run_dvc(demo, "status")


def test_fixing_the_demo_makes_it_clean(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = demo / "docs/ml/models/text-classifier.md"
    card.write_text(
        card.read_text()
        .replace("decisions: []", "decisions: [ADR-0001]\nrollback_plan: text-classifier-rollback")
        .replace("value: 0.91", "value: 0.94")
    )
    (demo / "docs/ml/rollback").mkdir(parents=True)
    (demo / "docs/ml/rollback/text-classifier.yaml").write_text(
        rollback_plan(
            "text-classifier-rollback",
            "text-classifier",
            current="2684aa17e6edd16227730afb7c8cb3d8",
            fallback="4e4c90f0dfd1bab0962717f555a5c8ea",
            refs=(DEMO_TAGS[1], DEMO_TAGS[0]),
        )
    )
    (demo / "docs/ml/data/tweets.yaml").unlink()
    (demo / "docs/ml/data/labels.yaml").write_text(
        lineage_record("labels", "data/raw/labels.csv", "e8ff11e7b6f2bc1defa091ca9c127a1a")
    )
    status, report = lint_json(capsys, str(demo))
    assert codes(report) == [] and status == 0


def test_demo_refuses_a_folder_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["demo", str(tmp_path)]) == 2
    assert "is not an empty folder" in capsys.readouterr().err
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_demo_where_no_folder_can_be_made_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["demo", str(tmp_path / "a-file" / "demo")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlwf-lint: error: cannot make ") and err.count("\n") == 1
