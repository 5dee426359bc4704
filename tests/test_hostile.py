"""Hostile input: every case gives its exact finding or one-line error — never a
traceback, never a hang, never a read outside the repository."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import GitRepo, lineage_record, lint_json
from mlwf_lint.cli import main

LINEAGE = "docs/ml/data/raw.yaml"


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[GitRepo, Path], Path]  # returns the path to lint
    expect: list[tuple[str, str | None]] | str  # (code, path) findings, or a one-line error


def _doc(raw: bytes | str, path: str = LINEAGE) -> Callable[[GitRepo, Path], Path]:
    def build(repo: GitRepo, tmp: Path) -> Path:
        repo.write(path, raw)
        repo.commit()
        return repo.path

    return build


def _files(files: dict[str, bytes | str], commit: bool = True) -> Callable[[GitRepo, Path], Path]:
    def build(repo: GitRepo, tmp: Path) -> Path:
        for path, raw in files.items():
            repo.write(path, raw)
        if commit:
            repo.commit()
        return repo.path

    return build


def _bomb() -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    return "\n".join(lines) + "\n"


def _symlink_out(repo: GitRepo, tmp: Path) -> Path:
    secret = tmp / "outside.yaml"
    secret.write_text("id: secret\n")
    (repo.path / "docs/ml/data").mkdir(parents=True)
    os.symlink(secret, repo.path / LINEAGE)
    repo.commit()
    return repo.path


def _symlink_in(repo: GitRepo, tmp: Path) -> Path:
    repo.write("shared/raw.yaml", lineage_record("raw", "data/raw.csv"))
    (repo.path / "docs/ml/data").mkdir(parents=True)
    os.symlink("../../../shared/raw.yaml", repo.path / LINEAGE)
    repo.commit()
    return repo.path


def _bare(repo: GitRepo, tmp: Path) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", str(tmp / "bare.git")], check=True)
    return tmp / "bare.git"


def _detached(repo: GitRepo, tmp: Path) -> Path:
    repo.write(LINEAGE, lineage_record("raw", "data/raw.csv"))
    repo.commit()
    repo.git("checkout", "-q", "--detach", "HEAD")
    return repo.path


def _worktree(repo: GitRepo, tmp: Path) -> Path:
    repo.write(LINEAGE, lineage_record("raw", "data/raw.csv"))
    repo.commit()
    repo.git("worktree", "add", "-q", str(tmp / "linked"), "-b", "linked")
    return tmp / "linked"


def _submodule(repo: GitRepo, tmp: Path) -> Path:
    sub = GitRepo(tmp / "sub")
    sub.write("train.py", "import torch\n")
    sub.commit()
    repo.git(
        "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "vendor/sub"
    )
    repo.commit()
    return repo.path


def _odd_paths(repo: GitRepo, tmp: Path) -> Path:
    repo.write(
        "data/raw data ü.csv.dvc",
        "outs:\n- md5: 22a1a2931c8370d3aeedd7183606fd7f\n  hash: md5\n  path: raw data ü.csv\n",
    )
    repo.write(
        "data/new\nline.csv.dvc",
        "outs:\n- md5: 22a1a2931c8370d3aeedd7183606fd7f\n  hash: md5\n"
        "  path: |-\n    new\n    line.csv\n",
    )
    repo.commit()
    return repo.path


CASES = [
    Case("malformed YAML", _doc("id: [raw\n"), [("MLW201", LINEAGE)]),
    Case("malformed JSON", _doc('{"id": "raw",,}', "docs/ml/data/raw.json"), []),
    Case("malformed JSON as a document", _doc('{"id": "raw",,}'), [("MLW201", LINEAGE)]),
    Case(
        "unterminated front matter",
        _doc("---\nid: churn\n", "docs/ml/models/churn.md"),
        [("MLW201", "docs/ml/models/churn.md")],
    ),
    Case(
        "front matter is a list",
        _doc("---\n- a\n- b\n---\n", "docs/ml/models/churn.md"),
        [("MLW202", "docs/ml/models/churn.md")] + [("MLW204", "docs/ml/models/churn.md")] * 4,
    ),
    Case(
        "front matter is a scalar",
        _doc("---\njust words\n---\n", "docs/ml/models/churn.md"),
        [("MLW202", "docs/ml/models/churn.md")] + [("MLW204", "docs/ml/models/churn.md")] * 4,
    ),
    Case("alias bomb", _doc(_bomb()), [("MLW201", LINEAGE)]),
    Case(
        "10,000-deep flow nesting",
        _doc("a: " + "[" * 10_000 + "]" * 10_000 + "\n"),
        [("MLW201", LINEAGE)],
    ),
    Case(
        "600-deep block nesting",
        _doc("".join(" " * i + "k:\n" for i in range(0, 1_200, 2))),
        [("MLW201", LINEAGE)],
    ),
    Case("non-UTF-8 bytes", _doc(b"id: caf\xe9\n"), [("MLW201", LINEAGE)]),
    Case(
        "UTF-8 BOM",
        _doc(b"\xef\xbb\xbf" + lineage_record("raw", "data/raw.csv").encode()),
        [("MLW106", LINEAGE)],
    ),
    Case(
        "CRLF line ends",
        _doc(lineage_record("raw", "data/raw.csv").replace("\n", "\r\n")),
        [("MLW106", LINEAGE)],
    ),
    Case(
        "binary file with a document name",
        _doc(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        [("MLW002", LINEAGE)],
    ),
    Case("oversized document", _doc("id: big\n" + "# pad\n" * 200_000), [("MLW002", LINEAGE)]),
    Case("symlink out of the repository", _symlink_out, [("MLW002", LINEAGE)]),
    Case("symlink inside the repository", _symlink_in, [("MLW106", LINEAGE)]),
    Case("duplicate keys", _doc("id: raw\nid: raw2\n"), [("MLW201", LINEAGE)]),
    Case(
        ".dvc with a list where a mapping belongs",
        _files({"a.dvc": "- outs\n"}),
        [("MLW201", "a.dvc")],
    ),
    Case(
        ".dvc with a number as md5",
        _files({"a.csv.dvc": "outs:\n- md5: 12345\n  path: a.csv\n"}),
        [("MLW201", "a.csv.dvc"), ("MLW103", "a.csv.dvc")],
    ),
    Case(
        "dvc.lock with wrong types",
        _files(
            {
                "dvc.yaml": "stages:\n  s:\n    cmd: x\n",
                "dvc.lock": "schema: '2.0'\nstages:\n  s: [1, 2]\n",
            }
        ),
        [("MLW201", "dvc.lock")],  # the broken stage entry is not also "never ran"
    ),
    Case(
        "corrupt dvc.yaml",
        _files({"dvc.yaml": "stages:\n  train:\n    cmd: [unclosed\n"}),
        [("MLW201", "dvc.yaml")],
    ),
    Case(
        "paths with spaces, unicode and newlines",
        _odd_paths,
        [("MLW103", "data/new\nline.csv.dvc"), ("MLW103", "data/raw data ü.csv.dvc")],
    ),
    Case("bare repository", _bare, "is a bare Git repository"),
    Case(
        "no commits",
        _files({LINEAGE: lineage_record("raw", "data/raw.csv")}, commit=False),
        [("MLW001", None), ("MLW106", LINEAGE)],
    ),
    Case("detached HEAD", _detached, [("MLW106", LINEAGE)]),
    Case("linked worktree", _worktree, [("MLW106", LINEAGE)]),
    Case("submodule", _submodule, []),
    Case(
        "config with wrong types",
        _files({".mlwf-lint.yaml": "select: MLW1\n"}),
        "config key select: 'MLW1' is not of type 'array'",
    ),
    Case(
        "config with an unknown key",
        _files({".mlwf-lint.yaml": "documnts: {}\n"}),
        "unknown config key 'documnts'",
    ),
    Case("config that is not YAML", _files({".mlwf-lint.yaml": b"\xff\xfe\x00"}), "not UTF-8"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input(
    case: Case, git_repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = case.build(git_repo, tmp_path)
    capsys.readouterr()
    if isinstance(case.expect, str):
        assert main([str(target)]) == 2
        err = capsys.readouterr().err
        assert case.expect in err and err.count("\n") == 1 and "Traceback" not in err
        return
    _status, report = lint_json(capsys, str(target), "--select", "MLW0,MLW1,MLW2,MLW3,MLW4")
    found = sorted((f["code"], f["path"]) for f in report["findings"])
    assert found == sorted(case.expect, key=lambda item: (item[0], item[1] or ""))
