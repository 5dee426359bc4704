"""Bad input is a finding, never a traceback, and nothing outside the repo is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import GitRepo, lineage_record, lint_json
from mlwf_lint.config import DEFAULT_MODEL_PATTERNS
from mlwf_lint.facts.sources import git
from mlwf_lint.facts.sources.dvc import LEGACY_HASH, read_dvc


def _findings(
    capsys: pytest.CaptureFixture[str], repo: GitRepo
) -> list[tuple[str, str, int | None]]:
    _status, report = lint_json(capsys, str(repo.path))
    return [(f["code"], f["path"], f["line"]) for f in report["findings"]]


def test_symlink_out_of_the_repository_is_not_read(
    git_repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: [unterminated\n")
    (git_repo.path / "docs/ml/data").mkdir(parents=True)
    os.symlink(secret, git_repo.path / "docs/ml/data/leak.yaml")
    git_repo.commit()
    _status, report = lint_json(capsys, str(git_repo.path))
    (finding,) = report["findings"]
    assert finding["code"] == "MLW002" and finding["path"] == "docs/ml/data/leak.yaml"
    assert "outside the repository" in finding["message"]


def test_symlink_inside_the_repository_is_read(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("shared/raw.yaml", lineage_record("raw", "data/raw.csv"))
    (git_repo.path / "docs/ml/data").mkdir(parents=True)
    os.symlink("../../../shared/raw.yaml", git_repo.path / "docs/ml/data/raw.yaml")
    git_repo.commit()
    assert _findings(capsys, git_repo) == [("MLW106", "docs/ml/data/raw.yaml", 5)]


def test_binary_document(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git_repo.write("docs/ml/data/blob.yaml", b"\x00\x01\x02 not yaml")
    git_repo.commit()
    assert _findings(capsys, git_repo) == [("MLW002", "docs/ml/data/blob.yaml", None)]


def test_oversized_document_default_limit(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("docs/ml/data/huge.yaml", "id: huge\n" + "# padding\n" * 110_000)
    git_repo.commit()
    _status, report = lint_json(capsys, str(git_repo.path))
    (finding,) = report["findings"]
    assert finding["code"] == "MLW002" and "1048576-byte limit" in finding["message"]


def test_unreadable_document(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    path = git_repo.write("docs/ml/data/locked.yaml", "id: locked\n")
    git_repo.commit()
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read a mode-000 file (root)")
        assert _findings(capsys, git_repo) == [("MLW002", "docs/ml/data/locked.yaml", None)]
    finally:
        path.chmod(0o644)


def test_broken_dvc_lock_is_a_finding(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("dvc.yaml", "stages:\n  train:\n    cmd: x\n    outs: [model.pkl]\n")
    git_repo.write("dvc.lock", "schema: '2.0'\nstages:\n  train: {cmd: x\n")
    git_repo.commit()
    found = _findings(capsys, git_repo)
    assert ("MLW201", "dvc.lock", 4) in found
    assert ("MLW102", "dvc.yaml", 4) in found  # dvc.yaml itself was still read


def test_wrong_types_in_dvc_files(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git_repo.write("a.dvc", "outs: {path: a}\n")
    git_repo.write("b.dvc", "outs:\n- path: b.csv\n  md5: 12345\n")
    git_repo.write("c.dvc", "- just\n- a list\n")
    git_repo.write("dvc.yaml", "stages: [train]\n")
    git_repo.commit()
    found = _findings(capsys, git_repo)
    assert ("MLW201", "a.dvc", 1) in found
    assert ("MLW201", "c.dvc", 1) in found
    assert ("MLW201", "dvc.yaml", 1) in found
    assert ("MLW103", "b.dvc", 2) in found  # still tracked; its md5 is just unusable
    root = git_repo.path
    facts = read_dvc(root, git.list_files(root), DEFAULT_MODEL_PATTERNS, 1 << 20)
    assert [(o.path, o.md5) for o in facts.outputs] == [("b.csv", None)]


def test_legacy_entries_keep_their_hash_name(git_repo: GitRepo) -> None:
    git_repo.write(
        "data/old.csv.dvc", "outs:\n- md5: 5d41402abc4b2a76b9719d911017c592\n  path: old.csv\n"
    )
    git_repo.write(
        "dvc.yaml",
        "stages:\n  train:\n    foreach: [a, b]\n    do:\n      cmd: t ${item}\n"
        "      outs:\n      - models/${item}.pt\n",
    )
    git_repo.write(
        "dvc.lock",
        "schema: '2.0'\nstages:\n"
        "  train@a:\n    cmd: t a\n    outs:\n    - path: models/a.pt\n      hash: md5\n"
        "      md5: 0cc175b9c0f1b6a831c399e269772661\n"
        "  train@b:\n    cmd: t b\n    outs:\n    - path: models/b.pt\n"
        "      md5: 92eb5ffee6ae2fec3ad71c777531578f\n",
    )
    git_repo.commit()
    root = git_repo.path
    facts = read_dvc(root, git.list_files(root), DEFAULT_MODEL_PATTERNS, 1 << 20)
    by_path = {o.path: o for o in facts.outputs}
    assert by_path["data/old.csv"].hash_name == LEGACY_HASH
    assert by_path["models/a.pt"].hash_name == "md5" and by_path["models/a.pt"].stage == "train@a"
    assert by_path["models/b.pt"].hash_name == LEGACY_HASH
    assert sorted(m.path for m in facts.models) == ["models/a.pt", "models/b.pt"]
    assert sorted(s.name for s in facts.stages) == ["train@a", "train@b"]


def test_wdir_and_nested_pipelines(git_repo: GitRepo) -> None:
    git_repo.write(
        "nlp/dvc.yaml",
        "stages:\n  train:\n    wdir: ..\n    cmd: x\n    outs: [shared/model.onnx]\n",
    )
    git_repo.write("nlp/data/raw.txt.dvc", "outs:\n- path: raw.txt\n  md5: a\n  hash: md5\n")
    git_repo.commit()
    root = git_repo.path
    facts = read_dvc(root, git.list_files(root), DEFAULT_MODEL_PATTERNS, 1 << 20)
    assert {(o.path, o.stage) for o in facts.outputs} == {
        ("shared/model.onnx", "nlp/dvc.yaml:train"),
        ("nlp/data/raw.txt", None),
    }
