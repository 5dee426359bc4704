"""No network, ever; writes that never lose a byte."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import GitRepo, documented_demo, lineage_record, lint_json
from mlwf_lint.write.fix import replace_file

CARD = "docs/ml/models/text-classifier.md"
CURRENT = "2684aa17e6edd16227730afb7c8cb3d8"
STALE = "4e4c90f0dfd1bab0962717f555a5c8ea"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any attempt to open an internet socket or resolve a name fails, and is noted."""
    attempts: list[str] = []
    original_init = socket.socket.__init__

    def guarded_init(self: socket.socket, family: int = -1, *args: Any, **kwargs: Any) -> None:
        if family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(f"socket({family})")
            raise OSError("network access is forbidden in this test")
        original_init(self, family, *args, **kwargs)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(f"resolve/connect {args[:1]}")
        raise OSError("network access is forbidden in this test")

    monkeypatch.setattr(socket.socket, "__init__", guarded_init)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_whole_checks_need_no_network(
    tmp_path: Path, no_network: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("dvc")
    demo = documented_demo(tmp_path / "demo")
    # a team schema with a local $ref, and a templated dvc.yaml the dvc library expands
    demo.write("schemas/lineage.json", json.dumps({
        "allOf": [{"$ref": "https://mlwf-lint.dev/schemas/data-lineage.schema.json"},
                  {"$ref": "common.json#/$defs/owned"}],
    }))  # fmt: skip
    demo.write("schemas/common.json", json.dumps({"$defs": {"owned": {"required": ["owners"]}}}))
    demo.write(".mlwf-lint.yaml", "documents:\n  data-lineage: {schema: schemas/lineage.json}\n")
    demo.write("params.yaml", (demo.path / "params.yaml").read_text() + "splits: [test, holdout]\n")
    dvc_yaml = demo.path / "dvc.yaml"
    dvc_yaml.write_text(
        dvc_yaml.read_text().replace(
            "artifacts:",
            "  score:\n    foreach: ${splits}\n    do:\n      cmd: python src/eval.py ${item}\n"
            "      deps:\n      - models/model.pkl\nartifacts:",
        )
    )
    demo.commit("team schema and a templated stage")
    _status, report = lint_json(capsys, str(demo.path), "--check-data")
    found = sorted((f["code"], f["message"].split(" is not")[0]) for f in report["findings"])
    assert found == [("MLW302", "stage 'score@holdout'"), ("MLW302", "stage 'score@test'")]
    assert no_network == []


def test_remote_schema_ref_is_refused_before_any_connection(
    git_repo: GitRepo, no_network: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("s.json", json.dumps({"$ref": "https://example.com/schema.json"}))
    git_repo.write(".mlwf-lint.yaml", "documents:\n  data-lineage: {schema: s.json}\n")
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv"))
    from mlwf_lint.cli import main

    assert main([str(git_repo.path)]) == 2
    assert "network address" in capsys.readouterr().err
    assert no_network == []


def _stale_demo(tmp_path: Path) -> tuple[GitRepo, Path, bytes]:
    demo = documented_demo(tmp_path / "demo")
    card = demo.path / CARD
    card.write_text(card.read_text().replace(CURRENT, STALE))
    demo.commit("a stale card")
    return demo, card, card.read_bytes()


def _lint(repo: Path, *args: str, limit: int | None = None) -> subprocess.Popen[str]:
    def cap() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.Popen(
        [sys.executable, "-m", "mlwf_lint", *args],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=cap,
    )


def test_a_write_cut_short_leaves_the_original(tmp_path: Path) -> None:
    """The file-size limit makes the real write fail half way (EFBIG)."""
    demo, card, before = _stale_demo(tmp_path)
    process = _lint(demo.path, "--fix", "--unsafe-fixes", "-q", limit=len(before) // 2)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 2, err
    assert err.count("\n") == 1 and "not fixed" in err and "Traceback" not in err
    assert card.read_bytes() == before
    assert not list(card.parent.glob(".*.tmp"))


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_bytes(b"id: raw\n")
    with pytest.raises(OSError, match="changed on disk while mlwf-lint ran"):
        replace_file(path, b"id: something else\n", b"id: fixed\n")
    assert path.read_bytes() == b"id: raw\n"


def test_a_write_by_another_writer_during_the_fix_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overlap forced: another writer saves the file after it was checked and before
    the fix takes its name (in place, as an editor that truncates and writes)."""
    from mlwf_lint.write import fix

    path = tmp_path / "doc.yaml"
    path.write_bytes(b"id: raw\n")
    real_fsync = os.fsync

    def another_writer_saves(fd: int) -> None:
        real_fsync(fd)
        path.write_bytes(b"id: theirs\n")

    monkeypatch.setattr(fix.os, "fsync", another_writer_saves)
    with pytest.raises(OSError, match="changed on disk while mlwf-lint ran"):
        replace_file(path, b"id: raw\n", b"id: fixed\n")
    assert path.read_bytes() == b"id: theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.yaml"]


def test_a_file_created_while_the_original_is_aside_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other order: a writer that saves by rename puts a new file at the name in the
    instant the original is aside; the fix does not go over it."""
    from mlwf_lint.write import fix

    path = tmp_path / "doc.yaml"
    path.write_bytes(b"id: raw\n")
    real_link = os.link

    def saved_by_rename_first(source: str | Path, target: str | Path) -> None:
        if Path(target) == path and not path.exists():
            path.write_bytes(b"id: theirs\n")
        real_link(source, target)

    monkeypatch.setattr(fix.os, "link", saved_by_rename_first)
    with pytest.raises(OSError, match="changed on disk while mlwf-lint ran"):
        replace_file(path, b"id: raw\n", b"id: fixed\n")
    assert path.read_bytes() == b"id: theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.yaml"]


def test_two_concurrent_fixes_leave_a_whole_file(tmp_path: Path) -> None:
    demo, card, before = _stale_demo(tmp_path)
    runs = [_lint(demo.path, "--fix", "--unsafe-fixes", "-q") for _ in range(2)]
    results = [(p.communicate(timeout=120)[1], p.returncode)[::-1] for p in runs]
    assert all(code in (0, 2) for code, _err in results), results
    assert card.read_bytes() == before.replace(STALE.encode(), CURRENT.encode())
    assert not list(card.parent.glob(".*.tmp"))


def test_two_concurrent_news_one_wins(git_repo: GitRepo) -> None:
    git_repo.commit("empty")
    runs = [_lint(git_repo.path, "new", "model-card", "churn-model") for _ in range(2)]
    for process in runs:
        process.communicate(timeout=60)
    codes = sorted(p.returncode for p in runs)
    assert codes == [0, 2]
    written = (git_repo.path / "docs/ml/models/churn-model.md").read_text()
    assert written.startswith("---\n# yaml-language-server:") and written.endswith("TODO\n")
    assert not [p for p in os.listdir(git_repo.path / "docs/ml/models") if p.endswith(".tmp")]
