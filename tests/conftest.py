"""Real Git repositories in tmp_path, with the identity and config pinned so the
machine's own Git settings never change a result."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlwf_lint.cli import main

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent


IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def _pinned_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for key, value in {
        **IDENTITY,
        "DVC_NO_ANALYTICS": "1",
        "DVC_GLOBAL_CONFIG_DIR": str(home / "dvc-global"),
        "DVC_SITE_CACHE_DIR": str(home / "dvc-site"),
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "GIT_DIR", "GIT_INDEX_FILE"):
        monkeypatch.delenv(key, raising=False)


class GitRepo:
    def __init__(self, path: Path, *, init: bool = True) -> None:
        self.path = path
        if init:
            path.mkdir(parents=True, exist_ok=True)
            self.git("init", "-q", "-b", "main")
            self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        # identity pinned here too: module-scoped fixtures run before the autouse one
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **IDENTITY},
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
            if item.is_file() and item.name not in (".expect", ".args", ".setup"):
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
        env={
            "DVC_SITE_CACHE_DIR": str(repo / ".dvc" / "tmp" / "site-cache"),
            **os.environ,
            "DVC_NO_ANALYTICS": "1",
        },
    )
    if done.returncode != 0:
        raise AssertionError(f"dvc {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening any socket fails the test: what must work offline is proven offline."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def dvc_available() -> Iterator[None]:
    pytest.importorskip("dvc", reason="the dvc extra is needed: pip install -e '.[dev]'")
    yield


# --- complete, valid documents (each passes every MLW2xx rule on its own) ------------

MODEL_BODY = """
# Model

## Intended use
Ranking support tickets.

## Limitations
English only.

## Ethical considerations
No personal data is stored.

## Evaluation
Measured on the held-out split.
"""


def model_card(
    card_id: str = "churn-model",
    *,
    status: str = "development",
    artifact: str = "  uri: s3://models/churn/1.0.0/model.pkl\n",
    decisions: str | None = "[ADR-0001]",
    extra: str = "",
    body: str = MODEL_BODY,
) -> str:
    lines = [
        "---",
        f"id: {card_id}",
        f"name: {card_id} model",
        'version: "1.0.0"',
        f"status: {status}",
        "owners: [ml-team@example.com]",
        "artifact:",
        artifact.rstrip("\n"),
        "training_data: []",
        "metrics:",
        "  - {name: accuracy, value: 0.9, split: test}",
    ]
    if decisions is not None:
        lines.append(f"decisions: {decisions}")
    if extra:
        lines.append(extra.rstrip("\n"))
    if status == "production" and "monitoring:" not in extra:
        lines.append(MONITORING.rstrip("\n"))
    return "\n".join(lines) + "\n---\n" + body


MONITORING = """\
monitoring:
  metrics: [{name: accuracy, threshold: 0.85}]
  drift: PSI above 0.2 on any input feature, weekly
  retraining: a drift alert, or accuracy below 0.85 for three days
"""


def decision_record(number: int = 1, *, extra: str = "") -> str:
    return (
        f"---\nid: ADR-{number:04d}\ntitle: Decision {number}\nstatus: accepted\n"
        f"date: 2026-11-02\ndeciders: [ml-team@example.com]\n{extra}---\n"
        "# Decision\n\n## Context\nWhy.\n\n## Decision\nWhat.\n\n## Consequences\nSo.\n"
    )


def lineage_record(record_id: str, path: str, md5: str = "22a1a2931c8370d3aeedd7183606fd7f") -> str:
    return (
        f"id: {record_id}\ndescription: The {record_id} data.\nowners: [data@example.com]\n"
        f"dataset:\n  path: {path}\n  md5: {md5}\n"
        "source:\n  origin: export\n  format: csv\n  license: CC0-1.0\n  contains_pii: false\n"
        "transformations: []\n"
    )


def rollback_plan(
    plan_id: str,
    model: str,
    current: str = "e04df31a7a9b464a7356d5cf9d730d1f",
    fallback: str = "3863d0e317dee0a55c4e59d2ec0eef33",
    refs: tuple[str, str] = ("v1.1.0", "v1.0.0"),
    last_tested: str | None = "today",
) -> str:
    """A complete plan; its drill rehearsed today unless `last_tested` says otherwise
    (None: never)."""
    if last_tested == "today":
        last_tested = dt.date.today().isoformat()
    return (
        f"id: {plan_id}\nmodel: {model}\nowner: oncall@example.com\n"
        f"current: {{version: '1.1.0', git_ref: {refs[0]}, md5: {current}}}\n"
        f"fallback: {{version: '1.0.0', git_ref: {refs[1]}, md5: {fallback}}}\n"
        "triggers: [accuracy below 0.85]\nprocedure: [redeploy the fallback]\n"
        + (f"last_tested: {last_tested}\n" if last_tested else "")
    )


EXAMPLE = re.compile(r"^```(?:markdown|yaml) file=(\S+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def readme_examples() -> dict[str, str]:
    """The README's complete example: document path → text. Its rollback drill date is
    moved to today: the example must stay clean after the date it shows is 180 days old
    (MLW406)."""
    today = f"last_tested: {dt.date.today().isoformat()}"
    return {
        path: re.sub(r"last_tested: \d{4}-\d{2}-\d{2}", today, text)
        for path, text in EXAMPLE.findall((PROJECT / "README.md").read_text())
    }


def documented_demo(folder: Path) -> GitRepo:
    """`mlwf-lint demo`, its faulty documents replaced by the README's example, committed
    on main: a real, fully documented ML repository with two GTO-tagged model versions."""
    assert main(["demo", str(folder)]) == 0
    repo = GitRepo(folder, init=False)
    shutil.rmtree(folder / "docs")
    for rel, text in readme_examples().items():
        repo.write(rel, text)
    repo.commit("Document everything as the README shows")
    return repo


def object_count(clone: Path) -> int:
    """Every object a repository holds, loose or packed: a fetch adds some."""
    counts = subprocess.run(
        ["git", "count-objects", "-v"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout
    fields = dict(line.split(": ") for line in counts.splitlines())
    return int(fields["count"]) + int(fields["in-pack"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A documented repository (the bench's generator: rollback plans whose refs'
    dvc.lock is read at old revisions, cards whose history is walked) served to clones
    over `file://` with filters allowed, as GitHub serves them."""
    sys.path.insert(0, str(PROJECT / "bench"))
    from generate import generate

    source = tmp_path_factory.mktemp("served") / "repo"
    generate(source, commits=120, files=30, models=2, datasets=2, documents=12)
    for key in ("uploadpack.allowFilter", "uploadpack.allowAnySHA1InWant"):
        subprocess.run(["git", "config", key, "true"], cwd=source, check=True)
    return source


def clone(served: Path, into: Path, *options: str) -> Path:
    subprocess.run(
        ["git", "clone", "-q", *options, served.as_uri(), str(into)],
        check=True,
        capture_output=True,
    )
    return into
