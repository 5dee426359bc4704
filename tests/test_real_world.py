"""What public DVC repositories showed (issue 11): each defect found there, reproduced
in a minimal real repository of our own, through the real command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import GitRepo, lint_json, readme_examples
from mlwf_lint.cli import main

# --- DVC 0.x stage files ------------------------------------------------------------


def test_dvc0_stage_files_are_stages_not_source_datasets(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """`dvc run` in DVC 0.x wrote a `.dvc` file with `cmd:` (or a `Dvcfile`): its
    outputs come from a stage and need no lineage record; `dvc add` files (`cmd:
    null`) are source data."""
    git_repo.write(
        "data/train.zip.dvc",
        "cmd: null\ndeps: []\nouts:\n- cache: true\n  md5: fd47d523fa82bb9c282b897b55be0442\n"
        "  path: train.zip\n",
    )
    git_repo.write(
        "process.dvc",
        "cmd: unzip -d data/ data/train.zip\ndeps:\n- md5: fd47d523fa82bb9c282b897b55be0442\n"
        "  path: data/train.zip\nouts:\n- cache: true\n"
        "  md5: 0dd437f2f04fbf54355beab021494baa.dir\n  path: data/train\n",
    )
    git_repo.write(
        "Dvcfile",
        "cmd: python train.py\ndeps:\n- md5: 0dd437f2f04fbf54355beab021494baa.dir\n"
        "  path: data/train\nouts:\n- md5: 3863d0e317dee0a55c4e59d2ec0eef33\n"
        "  path: model.h5\n",
    )
    git_repo.commit("DVC 0.x pipeline")
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW1,MLW3")
    assert [(f["code"], f["path"], f["message"]) for f in report["findings"]] == [
        ("MLW102", "Dvcfile", "model at model.h5 has no model card"),
        (
            "MLW103",
            "data/train.zip.dvc",
            "source dataset data/train.zip has no data lineage record",
        ),
    ]
    # the stage file's dep is checked against its producer like a dvc.lock dep
    git_repo.write(
        "data/train.zip.dvc",
        (git_repo.path / "data/train.zip.dvc").read_text().replace("fd47d523", "00000000"),
    )
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW303")
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("process.dvc", 4)]


# --- one broken DVC file, one finding -----------------------------------------------


def _complete_demo(tmp_path: Path) -> Path:
    demo = tmp_path / "demo"
    assert main(["demo", str(demo)]) == 0
    shutil.rmtree(demo / "docs")
    for rel, text in readme_examples().items():
        (demo / rel).parent.mkdir(parents=True, exist_ok=True)
        (demo / rel).write_text(text)
    return demo


def test_conflicted_lock_is_one_finding_naming_the_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = _complete_demo(tmp_path)
    lock = demo / "dvc.lock"
    lines = lock.read_text().splitlines(keepends=True)
    last_md5 = max(i for i, line in enumerate(lines) if "md5:" in line)
    ours, theirs = lines[last_md5], lines[last_md5].replace("a", "b")
    lines[last_md5 : last_md5 + 1] = ["<<<<<<< HEAD\n", ours, "=======\n", theirs, ">>>>>>> b\n"]
    lock.write_text("".join(lines))
    status, report = lint_json(capsys, str(demo))
    assert [(f["code"], f["path"], f["line"]) for f in report["findings"]] == [
        ("MLW201", "dvc.lock", last_md5 + 1)
    ]
    finding = report["findings"][0]
    assert "unresolved merge conflict" in finding["message"]
    assert "`dvc repro`" in finding["hint"] and "commit dvc.lock" in finding["hint"]
    assert status == 1


def test_broken_lock_without_dvc_yaml_is_reported(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("sub/dvc.lock", "schema: '2.0'\nstages:\n  train: [unclosed\n")
    _status, report = lint_json(capsys, str(git_repo.path))
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("MLW201", "sub/dvc.lock")]
