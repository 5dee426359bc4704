"""Issue 13 on a repository the real `dvc` and `gto` programs built: `dvc repro` writes
dvc.lock and the metrics, `gto register`/`gto assign` write the registry's tags, and
MLW305–MLW307 and MLW407 agree with what `dvc status` and `gto show` say."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GitRepo, codes, lint_json, model_card, run_dvc
from mlwf_lint.cli import main

pytestmark = pytest.mark.usefixtures("dvc_available")

TRAIN = """\
import json, os, yaml
p = yaml.safe_load(open("params.yaml"))["train"]
os.makedirs("models", exist_ok=True)
os.makedirs("eval", exist_ok=True)
open("models/model.pkl", "w").write(f"trees={p['n_est']} lr={p['lr']}")
accuracy = round(0.8 + p["n_est"] / 1000 - p["lr"] / 100, 4)
json.dump({"accuracy": {"test": accuracy}, "loss": round(1 - accuracy, 4)},
          open("eval/metrics.json", "w"))
"""

PIPELINE = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py]
    params: [train.n_est, train.lr]
    outs: [models/model.pkl]
    metrics:
    - eval/metrics.json:
        cache: false
artifacts:
  churn:
    path: models/model.pkl
    type: model
"""

CODES = ("MLW305", "MLW306", "MLW307", "MLW407")


def _gto(repo: Path, *args: str) -> str:
    gto = shutil.which("gto", path=str(Path(sys.executable).parent)) or "gto"
    done = subprocess.run([gto, *args], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _lock_md5(repo: Path) -> str:
    lock = (repo / "dvc.lock").read_text()
    return lock.split("path: models/model.pkl")[1].split("md5: ")[1].split()[0]


def _card(repo: Path, version: str, n_est: int, accuracy: str) -> str:
    card = model_card(
        "churn",
        status="production",
        artifact=f"  path: models/model.pkl\n  md5: {_lock_md5(repo)}\n",
        extra=f"hyperparameters:\n  train.n_est: {n_est}\n  train.lr: 0.1\n",
    )
    metric = f"{{name: accuracy, value: {accuracy}, split: test, source: eval/metrics.json}}"
    return card.replace('version: "1.0.0"', f'version: "{version}"').replace(
        "{name: accuracy, value: 0.9, split: test}", metric
    )


@pytest.fixture
def project(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    run_dvc(repo.path, "init", "-q")
    repo.write("train.py", TRAIN)
    repo.write("params.yaml", "train:\n  n_est: 50\n  lr: 0.1\n")
    repo.write("dvc.yaml", PIPELINE)
    run_dvc(repo.path, "repro", "-q")
    repo.write("docs/ml/models/churn.md", _card(repo.path, "1.0.0", 50, "0.849"))
    repo.commit("train churn v1.0.0 and document it")
    return repo


def _found(capsys: pytest.CaptureFixture[str], repo: GitRepo, *extra: str) -> list[str]:
    _status, report = lint_json(capsys, str(repo.path), "--select", ",".join(CODES), *extra)
    return sorted(codes(report))


def test_lifecycle_against_real_dvc_and_gto(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = project
    metrics = json.loads((repo.path / "eval/metrics.json").read_text())
    assert metrics["accuracy"]["test"] == 0.849  # what the card says, at its precision
    assert _found(capsys, repo) == []

    # the registry: v1.0.0 registered and in prod, as gto writes it
    _gto(repo.path, "register", "churn", "--version", "v1.0.0")
    _gto(repo.path, "assign", "churn", "--version", "v1.0.0", "--stage", "prod")
    assert "v1.0.0" in _gto(repo.path, "show", "churn@greatest")
    assert _found(capsys, repo) == []

    # a param changed, the pipeline not reproduced: dvc status and MLW307 agree
    repo.write("params.yaml", "train:\n  n_est: 80\n  lr: 0.1\n")
    assert "modified:           train.n_est" in run_dvc(repo.path, "status")
    _status, report = lint_json(capsys, str(repo.path), "--select", "MLW307")
    (finding,) = report["findings"]
    assert (finding["path"], finding["line"]) == ("params.yaml", 2)
    assert "train.n_est is 80" in finding["message"] and "ran with 50" in finding["message"]

    # retrained; the card left as it was: MLW305 and MLW306, not MLW307
    run_dvc(repo.path, "repro", "-q")
    repo.commit("retrain with 80 trees")
    assert _found(capsys, repo) == ["MLW305", "MLW306"]

    # promoted with gto to prod; the card still says v1.0.0 in production
    _gto(repo.path, "register", "churn", "--version", "v1.1.0")
    _gto(repo.path, "assign", "churn", "--version", "v1.1.0", "--stage", "prod")
    assert "v1.1.0" in _gto(repo.path, "show")
    _status, report = lint_json(capsys, str(repo.path), "--select", "MLW407")
    (finding,) = report["findings"]
    assert "registry gives prod to churn v1.1.0" in finding["message"]

    # the unsafe fixes write DVC's values; the card then says v1.1.0 and agrees with all
    assert main([str(repo.path), "--fix", "--unsafe-fixes", "--select", "MLW305,MLW306"]) == 0
    card = repo.path / "docs/ml/models/churn.md"
    text = card.read_text()
    assert "train.n_est: 80" in text and "value: 0.879" in text
    card.write_text(text.replace('version: "1.0.0"', 'version: "1.1.0"'))
    assert _found(capsys, repo) == []


def test_a_deregistered_version_and_a_deprecated_artifact(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = project
    _gto(repo.path, "register", "churn", "--version", "v1.0.0")
    _gto(repo.path, "deprecate", "churn", "v1.0.0")  # deregisters the version
    _status, report = lint_json(capsys, str(repo.path), "--select", "MLW407")
    assert [f["message"] for f in report["findings"]] == [
        "version v1.0.0 of churn was deregistered in the GTO registry (registered: none)"
    ]
    _gto(repo.path, "deprecate", "churn")
    _status, report = lint_json(capsys, str(repo.path), "--select", "MLW407")
    (finding,) = report["findings"]
    assert finding["message"].startswith("the registry deprecated churn (churn@deprecated")


def test_metrics_not_pulled_are_a_notice(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A metrics file in DVC's cache (not Git) and absent here, as in CI: one notice."""
    repo = project
    repo.write("dvc.yaml", PIPELINE.replace("        cache: false\n", "        cache: true\n"))
    repo.git("rm", "-q", "--cached", "eval/metrics.json")  # DVC keeps it from now on
    run_dvc(repo.path, "repro", "-q", "--force")
    repo.commit("metrics kept by DVC")
    (repo.path / "eval/metrics.json").unlink()
    status, report = lint_json(capsys, str(repo.path), "--select", "MLW306")
    assert [(f["severity"], f["message"].split(":")[0]) for f in report["findings"]] == [
        ("notice", "metrics not compared")
    ]
    assert status == 0
