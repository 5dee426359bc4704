"""Issue 13 without the dvc library: what the documents claim (hyperparameters, metrics,
params, registry, rollback drills) on real Git repositories with hand-written DVC files,
bad input, and diff mode."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import GitRepo, codes, lint_json, model_card, rollback_plan
from mlwf_lint.cli import main
from mlwf_lint.facts.registry import read_registry
from mlwf_lint.facts.sources.history import Tag
from mlwf_lint.rules.dvc_values import at_precision

DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    params: [train.n_est, train.lr]
    outs: [models/model.pkl]
    metrics:
    - eval/metrics.json:
        cache: false
"""

LOCK = """\
schema: '2.0'
stages:
  train:
    cmd: python train.py
    params:
      params.yaml:
        train.lr: 0.1
        train.n_est: 50
    outs:
    - path: models/model.pkl
      hash: md5
      md5: 2684aa17e6edd16227730afb7c8cb3d8
      size: 10
    - path: eval/metrics.json
      hash: md5
      md5: 8a8b6ce3d8ee7e3a3c0f8f1e2d0c5b11
      size: 40
"""

ARTIFACT = "  path: models/model.pkl\n  md5: 2684aa17e6edd16227730afb7c8cb3d8\n"


def _card(metrics: str = "{name: accuracy, value: 0.85, split: test}", extra: str = "") -> str:
    return model_card(
        "churn", artifact=ARTIFACT, extra="hyperparameters: {train.n_est: 50}\n" + extra
    ).replace("{name: accuracy, value: 0.9, split: test}", metrics)


@pytest.fixture
def pipeline(git_repo: GitRepo) -> GitRepo:
    git_repo.write("dvc.yaml", DVC_YAML)
    git_repo.write("dvc.lock", LOCK)
    git_repo.write("params.yaml", "train:\n  n_est: 50\n  lr: 0.1\n")
    git_repo.write("eval/metrics.json", '{"accuracy": {"test": 0.8512}}\n')
    git_repo.write("docs/ml/models/churn.md", _card())
    git_repo.commit("a trained pipeline, documented")
    return git_repo


LIFECYCLE = "MLW201,MLW305,MLW306,MLW307,MLW404,MLW406,MLW407"


def _findings(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> list[tuple]:
    _status, report = lint_json(capsys, str(repo.path), "--select", LIFECYCLE, *args)
    return [(f["code"], f["severity"], f["path"], f["line"]) for f in report["findings"]]


def test_a_documented_pipeline_is_clean(
    pipeline: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _findings(capsys, pipeline) == []


def test_metrics_file_that_does_not_parse_is_one_finding_on_its_line(
    pipeline: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.write("eval/metrics.json", '{"accuracy":\n  {"test": 0.85,,}}\n')
    assert _findings(capsys, pipeline) == [("MLW201", "error", "eval/metrics.json", 2)]


def test_a_metric_that_is_not_a_number_is_a_notice(
    pipeline: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.write("eval/metrics.json", '{"accuracy": {"test": "n/a"}}\n')
    assert _findings(capsys, pipeline) == [("MLW306", "notice", "docs/ml/models/churn.md", 12)]


def test_a_metric_read_from_git_when_the_working_tree_lacks_it(
    pipeline: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.write("eval/metrics.json", '{"accuracy": {"test": 0.7}}\n')
    pipeline.commit("worse")
    (pipeline.path / "eval/metrics.json").unlink()
    _status, report = lint_json(capsys, str(pipeline.path), "--select", "MLW306")
    (finding,) = report["findings"]
    assert "eval/metrics.json:1 at HEAD records 0.7" in finding["message"]


def test_a_missing_params_file_is_an_error_on_the_lock(
    pipeline: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    (pipeline.path / "params.yaml").unlink()
    assert _findings(capsys, pipeline) == [("MLW307", "error", "dvc.lock", 7)]


def test_a_param_of_another_type_is_what_dvc_calls_modified(
    pipeline: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.write("params.yaml", 'train:\n  n_est: "50"\n  lr: 0.1\n')
    _status, report = lint_json(capsys, str(pipeline.path), "--select", "MLW307")
    (finding,) = report["findings"]
    assert finding["message"].endswith("; text now, a number then")
    assert (finding["path"], finding["line"]) == ("params.yaml", 2)


def test_a_card_writing_a_number_as_text_claims_the_same_value(
    pipeline: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    card = pipeline.path / "docs/ml/models/churn.md"
    card.write_text(card.read_text().replace("{train.n_est: 50}", '{train.n_est: "50"}'))
    assert _findings(capsys, pipeline) == []


def test_a_params_file_section_tracked_whole(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """`params: [train]` records the section as a mapping; a key added to it is what
    dvc status calls new, a key changed is modified (each on its own line)."""
    git_repo.write("dvc.yaml", DVC_YAML.replace("[train.n_est, train.lr]", "[train]"))
    git_repo.write(
        "dvc.lock",
        LOCK.replace("        train.lr: 0.1\n        train.n_est: 50\n", "        train:\n"
                     "          lr: 0.1\n          n_est: 50\n"),
    )  # fmt: skip
    git_repo.write("params.yaml", "train:\n  n_est: 60\n  lr: 0.1\n  depth: 3\n")
    git_repo.commit()
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW307")
    assert sorted((f["line"], f["message"].split(" is ")[0]) for f in report["findings"]) == [
        (2, "params.yaml train.n_est"),
        (4, "params.yaml train.depth"),
    ]


def test_precision_is_the_cards() -> None:
    assert at_precision(0.9381, -2) == "0.94"
    assert at_precision(0.9381, -4) == "0.9381"
    assert at_precision(12.5, 0) == "12"


def test_rollback_drill(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    recent = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    old = (dt.date.today() - dt.timedelta(days=200)).isoformat()
    git_repo.write("docs/ml/models/churn.md", model_card("churn", status="production"))
    plan = rollback_plan("churn-rollback", "churn", refs=("HEAD", "HEAD"), last_tested=None)
    git_repo.write("docs/ml/rollback/churn.yaml", plan + f"last_tested: {old}\n")
    git_repo.commit()
    assert _findings(capsys, git_repo, "--select", "MLW406") == [
        ("MLW406", "warning", "docs/ml/rollback/churn.yaml", plan.count("\n") + 1)
    ]
    git_repo.write(".mlwf-lint.yaml", "rollback-drill: {days: 365}\n")
    assert _findings(capsys, git_repo, "--select", "MLW406") == []
    git_repo.write(".mlwf-lint.yaml", "")
    git_repo.write("docs/ml/rollback/churn.yaml", plan + f"last_tested: {recent}\n")
    assert _findings(capsys, git_repo, "--select", "MLW406") == []


def _tags(*specs: tuple[str, str, int]) -> list[Tag]:
    return [Tag(name, target, time) for name, target, time in specs]


def test_registry_reads_gtos_grammar() -> None:
    registry = read_registry(
        _tags(
            ("churn@v1.0.0", "a" * 40, 1),
            ("churn#prod#1", "a" * 40, 2),
            ("churn@v1.1.0", "b" * 40, 3),
            ("churn#prod#2", "b" * 40, 3),  # same second: GTO's counter orders them
            ("churn#staging#3", "a" * 40, 4),
            ("churn#staging!#4", "a" * 40, 5),  # unassigned
            ("churn#dev#5", "c" * 40, 6),  # a commit no version names
            ("models=fraud@v2.0.0", "d" * 40, 7),  # models/dvc.yaml's artifact fraud
            ("models=fraud@v2.0.0!", "d" * 40, 8),
            ("v1.0.0", "a" * 40, 9),  # not GTO's
            ("churn@v1.0", "a" * 40, 9),  # not semver: not GTO's
        )
    )
    assert set(registry) == {"churn", "models:fraud"}
    churn = registry["churn"]
    assert churn.versions == ("v1.0.0", "v1.1.0")
    assert {s: (h.version, h.tag) for s, h in churn.stages.items()} == {
        "prod": ("v1.1.0", "churn#prod#2"),
        "dev": ("ccccccc", "churn#dev#5"),
    }
    assert registry["models:fraud"].versions == ()
    assert registry["models:fraud"].deregistered == ("v2.0.0",)


def test_registry_stage_names_are_configurable(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("docs/ml/models/churn.md", model_card("churn", status="staging"))
    git_repo.commit()
    git_repo.git("tag", "-a", "churn@v1.0.0", "-m", "r")
    git_repo.commit("v2")
    git_repo.git("tag", "-a", "churn@v2.0.0", "-m", "r")
    git_repo.git("tag", "-a", "churn#qa#1", "-m", "a")
    assert _findings(capsys, git_repo, "--select", "MLW407") == []
    git_repo.write(".mlwf-lint.yaml", "registry-stages: {staging: qa}\n")
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW407")
    assert [f["message"] for f in report["findings"]] == [
        "status is staging, but the registry gives qa to churn v2.0.0 (churn#qa#1), not v1.0.0"
    ]


def test_diff_mode_reports_what_the_change_introduces(
    pipeline: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.git("checkout", "-q", "-b", "tune")
    pipeline.write("params.yaml", "train:\n  n_est: 70\n  lr: 0.1\n")
    pipeline.commit("tune without repro")
    _status, report = lint_json(capsys, str(pipeline.path), "--base", "main")
    assert codes(report) == ["MLW307"]
    # the same stale param already on main: not this change's
    pipeline.git("checkout", "-q", "main")
    pipeline.git("merge", "-q", "--ff-only", "tune")
    pipeline.git("checkout", "-q", "-b", "docs")
    pipeline.write("README.md", "words\n")
    pipeline.commit("docs only")
    _status, report = lint_json(capsys, str(pipeline.path), "--base", "main")
    assert codes(report) == []


def test_a_retrain_that_moves_metrics_but_not_the_card_is_mlw404(
    pipeline: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.git("checkout", "-q", "-b", "retrain")
    pipeline.write("eval/metrics.json", '{"accuracy": {"test": 0.9012}}\n')
    pipeline.commit("retrain: new metrics, same model hash in the card's eyes")
    _status, report = lint_json(capsys, str(pipeline.path), "--base", "main")
    moved = [f for f in report["findings"] if f["code"] == "MLW404"]
    assert [(f["path"], f["message"]) for f in moved] == [
        (
            "eval/metrics.json",
            "this change moves test accuracy in eval/metrics.json (0.8512 → 0.9012) but "
            "does not update docs/ml/models/churn.md",
        )
    ]
    assert "MLW306" in codes(report)
    # the card updated in the same change: neither
    card = pipeline.path / "docs/ml/models/churn.md"
    card.write_text(card.read_text().replace("value: 0.85", "value: 0.90"))
    pipeline.commit("document the retrain")
    assert main([str(pipeline.path), "--base", "main", "--select", "MLW306,MLW404"]) == 0


@pytest.mark.parametrize(
    ("name", "text", "key"),
    [
        ("eval/metrics.toml", "[accuracy]\ntest = 0.8512\n", "accuracy.test"),
        ("eval/metrics.yaml", "accuracy:\n  test: 0.8512  # held-out\n", "accuracy.test"),
        ("eval/metrics.csv", "accuracy,loss\n0.8512,0.3\n", "accuracy"),
        ("eval/metrics.tsv", "split\taccuracy\ntest\t0.8512\ntrain\t0.99\n", "test.accuracy"),
    ],
)
def test_metrics_files_in_every_format_dvc_reads(
    pipeline: GitRepo, capsys: pytest.CaptureFixture[str], name: str, text: str, key: str
) -> None:
    pipeline.write("dvc.yaml", DVC_YAML.replace("eval/metrics.json", name))
    pipeline.write(name, text)
    card = pipeline.path / "docs/ml/models/churn.md"
    metric = f"{{name: accuracy, value: 0.85, split: test, source: {name}, key: {key}}}"
    card.write_text(_card(metric))
    pipeline.commit()
    assert _findings(capsys, pipeline) == []
    card.write_text(_card(metric.replace("0.85", "0.80")))
    _status, report = lint_json(capsys, str(pipeline.path), "--select", "MLW306")
    (finding,) = report["findings"]
    assert f"{name}" in finding["message"] and "records 0.8512" in finding["message"]
