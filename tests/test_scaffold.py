"""init and new: documents pre-filled from real DVC and Git facts, never overwriting."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import pytest

from conftest import GitRepo, codes, lint_json
from mlwf_lint.cli import main
from mlwf_lint.config import DEFAULT_MODEL_PATTERNS
from mlwf_lint.facts.parsing import yaml_scalar
from mlwf_lint.facts.schemas import schema_path
from mlwf_lint.facts.sources import git
from mlwf_lint.facts.sources.dvc import read_dvc


@pytest.fixture
def undocumented(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> GitRepo:
    assert main(["demo", str(tmp_path / "demo")]) == 0
    demo = GitRepo(tmp_path / "demo", init=False)
    demo.git("rm", "-q", "-r", "docs")
    demo.commit("remove the documents")
    demo.git("tag", "text-classifier@v1.2.0")
    capsys.readouterr()
    return demo


def test_init_prefills_from_dvc_and_leaves_only_placeholders(
    undocumented: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(undocumented.path)
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "wrote docs/ml/models/text-classifier.md" in out
    assert "wrote docs/ml/data/posts.yaml" in out and "wrote docs/ml/data/labels.yaml" in out
    assert "wrote .mlwf-lint.yaml" in out

    root = undocumented.path
    facts = read_dvc(root, git.list_files(root), DEFAULT_MODEL_PATTERNS, 1 << 20)
    md5 = {o.path: o.md5 for o in facts.outputs}
    card = (root / "docs/ml/models/text-classifier.md").read_text()
    assert card.startswith("---\n# yaml-language-server: $schema=")
    assert f"  md5: {yaml_scalar(md5['models/model.pkl'])}\n" in card
    assert 'version: "1.2.0"' in card  # from the highest GTO tag text-classifier@v1.2.0
    assert "  - dataset: posts\n" in card  # traced upstream through three stages
    assert f"    md5: {yaml_scalar(md5['data/raw/posts.xml'])}\n" in card
    assert "(text-classifier@v1.2.0)" in card
    # issue 13: the params the producing stage ran with, the evaluation's metrics
    assert "hyperparameters:  # as dvc.lock records them for the producing stage\n" in card
    assert "  train.C: 1.0\n  train.max_iter: 400\n" in card
    assert (
        "  - name: accuracy\n    value: 0.9375\n    split: test\n"
        "    source: eval/metrics.json\n    key: accuracy.test\n"
    ) in card
    assert "status: development\n" in card and "monitoring:" not in card  # 1.2.0: no stage
    posts = (root / "docs/ml/data/posts.yaml").read_text()
    assert f"  md5: {yaml_scalar(md5['data/raw/posts.xml'])}\n" in posts
    assert "    stage: prepare\n" in posts and "  format: xml\n" in posts

    status, report = lint_json(capsys, str(root))
    assert status == 1
    assert set(codes(report)) == {"MLW203"}


def test_init_takes_the_status_the_registry_gives(
    undocumented: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """v1.1.0 holds prod (text-classifier#prod#1): a production card, with monitoring
    to fill in, that agrees with DVC and the registry from the start."""
    undocumented.git("tag", "-d", "text-classifier@v1.2.0")
    assert main(["init", str(undocumented.path)]) == 0
    card = (undocumented.path / "docs/ml/models/text-classifier.md").read_text()
    assert 'version: "1.1.0"\nstatus: production\n' in card
    assert "monitoring:\n  metrics: [{name: TODO, threshold: TODO}]\n" in card
    _status, report = lint_json(capsys, str(undocumented.path))
    assert set(codes(report)) == {"MLW202", "MLW203", "MLW104"}  # rollback plan: to write


def test_init_never_overwrites(undocumented: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    mine = undocumented.write("docs/ml/data/posts.yaml", "# my own, half written\nid: posts\n")
    assert main(["init", str(undocumented.path)]) == 0
    out = capsys.readouterr().out
    # the name is taken by a file that describes no dataset: another name, never over it
    assert "wrote docs/ml/data/posts-xml.yaml\n" in out and "kept" not in out
    assert mine.read_text() == "# my own, half written\nid: posts\n"
    assert "id: posts-xml\n" in (undocumented.path / "docs/ml/data/posts-xml.yaml").read_text()
    assert main(["init", str(undocumented.path)]) == 0
    second = capsys.readouterr().out
    assert "wrote" not in second and "nothing to write" in second
    assert not list(undocumented.path.rglob("*.tmp"))


@pytest.mark.parametrize(
    ("kind", "doc_id", "written"),
    [
        ("model-card", "churn-model", "docs/ml/models/churn-model.md"),
        ("data-lineage", "raw-accounts", "docs/ml/data/raw-accounts.yaml"),
        ("rollback-plan", "churn-rollback", "docs/ml/rollback/churn-rollback.yaml"),
        ("decision-record", "use-dvc", "docs/ml/decisions/0001-use-dvc.md"),
        ("decision-record", "ADR-0042", "docs/ml/decisions/0042-decision.md"),
    ],
)
def test_new_writes_a_template_that_fails_only_on_placeholders(
    kind: str,
    doc_id: str,
    written: str,
    git_repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(git_repo.path)
    assert main(["new", kind, doc_id]) == 0
    copy = f".mlwf-lint/schemas/{kind}.schema.json"
    assert capsys.readouterr().out == f"wrote {copy}\nwrote {written}\n"
    text = (git_repo.path / written).read_text()
    line = text.splitlines()[0 if kind in ("data-lineage", "rollback-plan") else 1]
    # a path inside the repository, relative to the document: it works on every clone
    relative = posixpath.relpath(copy, posixpath.dirname(written))
    assert line == f"# yaml-language-server: $schema={relative}"
    assert (git_repo.path / written).parent.joinpath(relative).resolve() == (
        git_repo.path / copy
    ).resolve()
    assert json.loads((git_repo.path / copy).read_text()) == json.loads(
        schema_path(kind).read_text()
    )
    _status, report = lint_json(capsys, str(git_repo.path), "--ignore", "MLW1,MLW0")
    assert codes(report) and set(codes(report)) == {"MLW203"}, report["findings"]


def test_new_numbers_decisions_after_the_last(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("docs/ml/decisions/0007-old.md", "---\nid: ADR-0007\n---\n")
    monkeypatch.chdir(git_repo.path)
    assert main(["new", "decision-record", "Pick a metric"]) == 0
    assert capsys.readouterr().out == (
        "wrote .mlwf-lint/schemas/decision-record.schema.json\n"
        "wrote docs/ml/decisions/0008-pick-a-metric.md\n"
    )


def test_new_refuses_bad_ids_and_existing_files(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(git_repo.path)
    assert main(["new", "model-card", "Churn Model"]) == 2
    assert "try 'churn-model'" in capsys.readouterr().err
    assert main(["new", "model-card", "churn-model"]) == 0
    assert main(["new", "model-card", "churn-model"]) == 2
    assert "already exists; not overwritten" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kind", ["model-card", "data-lineage", "rollback-plan", "decision-record", "config"]
)
def test_schema_command_prints_the_shipped_schema(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", kind]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/{kind}.schema.json")


@pytest.mark.parametrize(
    "value", ["no", "1e5", "0123", "true", "a b", "e04df31a7a9b464a7356d5cf9d730d1f", 'q"x']
)
def test_yaml_scalar_round_trips(value: str) -> None:
    from mlwf_lint.facts.parsing import Parsed, parse_yaml

    parsed = parse_yaml(f"v: {yaml_scalar(value)}\n")
    assert isinstance(parsed, Parsed) and parsed.data == {"v": value}
