"""Real Git repositories in tmp_path, with the identity and config pinned so the
machine's own Git settings never change a result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlwf_lint.cli import main

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent


@pytest.fixture(autouse=True)
def _pinned_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for key, value in {
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Committer",
        "GIT_COMMITTER_EMAIL": "committer@example.com",
        "DVC_NO_ANALYTICS": "1",
        "DVC_GLOBAL_CONFIG_DIR": str(home / "dvc-global"),
        "DVC_SITE_CACHE_DIR": str(home / "dvc-site"),
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "GIT_DIR", "GIT_INDEX_FILE"):
        monkeypatch.delenv(key, raising=False)


class GitRepo:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.path, capture_output=True, text=True, check=True
        )
        return done.stdout

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "--no-verify", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def copy_tree(self, source: Path) -> None:
        for item in source.rglob("*"):
            if item.is_file() and item.name != ".expect":
                target = self.path / item.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(item, target)


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    return GitRepo(repo_dir)


def lint_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """Run `mlwf-lint --format json ARGS` through main() and parse its report."""
    capsys.readouterr()
    code = main(["--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


def codes(report: dict[str, Any]) -> list[str]:
    return [f["code"] for f in report["findings"]]


def run_dvc(repo: Path, *args: str) -> str:
    """The real `dvc` program, from the environment running the tests."""
    done = subprocess.run(
        [sys.executable, "-m", "dvc", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "DVC_NO_ANALYTICS": "1"},
    )
    if done.returncode != 0:
        raise AssertionError(f"dvc {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@pytest.fixture
def dvc_available() -> Iterator[None]:
    pytest.importorskip("dvc", reason="the dvc extra is needed: pip install -e '.[dev]'")
    yield
