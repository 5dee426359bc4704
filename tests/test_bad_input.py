"""Bad input is a finding, never a traceback, and nothing outside the repo is read."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
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
            pytest.skip("covered by test_unreadable_document_as_an_unprivileged_user")
        assert _findings(capsys, git_repo) == [("MLW002", "docs/ml/data/locked.yaml", None)]
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(os.geteuid() != 0, reason="test_unreadable_document runs as this user")
def test_unreadable_document_as_an_unprivileged_user(tmp_path: Path) -> None:
    """CI runs as root, who reads a mode-000 file: here the check runs in a child that
    drops to `nobody` (the interpreter and every module already loaded, since the
    interpreter's own files are not readable by nobody), on a repository nobody owns."""
    import json
    import tempfile

    from mlwf_lint.cli import main

    base = Path(tempfile.mkdtemp(prefix="mlwf-lint-nobody-"))
    try:
        base.chmod(0o755)
        repo = GitRepo(base / "repo")
        locked = repo.write("docs/ml/data/locked.yaml", "id: locked\n")
        repo.write("docs/ml/data/open.yaml", lineage_record("open", "data/open.csv"))
        repo.commit()
        reader, writer = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through the pipe
            status = 3
            try:
                os.close(reader)
                out, err = io.StringIO(), io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    main([str(repo.path), "--format", "json", "--no-cache"])  # load all
                    import importlib.readers  # noqa: F401  (loaded lazily by resources)

                    subprocess.run(["chown", "-R", "65534:65534", str(base)], check=True)
                    locked.chmod(0)
                    os.environ["HOME"] = str(base)
                    os.setgroups([])
                    os.setgid(65534)
                    os.setuid(65534)
                    out.seek(0)
                    out.truncate()
                    status = main(
                        [str(repo.path), "--format", "json", "--no-cache", "--select", "MLW0"]
                    )
                os.write(writer, json.dumps([status, out.getvalue(), err.getvalue()]).encode())
            except BaseException as exc:  # reported to the parent, which fails on it
                os.write(writer, json.dumps([status, "", repr(exc)]).encode())
            finally:
                os._exit(0)
        os.close(writer)
        with os.fdopen(reader, "rb") as stream:
            raw = stream.read()
        os.waitpid(child, 0)
        status, out, err = json.loads(raw)
        assert err == ""
        report = json.loads(out)
        assert [(f["code"], f["path"], f["message"], f["hint"]) for f in report["findings"]] == [
            (
                "MLW002",
                "docs/ml/data/locked.yaml",
                "not checked: cannot be read: Permission denied",
                "give the user running mlwf-lint read access (chmod a+r), or exclude the path",
            )
        ]
        assert status == 0  # a warning
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=True)


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
