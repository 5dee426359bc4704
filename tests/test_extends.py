"""Issue 15: `extends:` — an organisation's policy under a repository's configuration,
from a relative file or an installed Python package (built and pip-installed here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, GitRepo, codes, lint_json, model_card
from mlwf_lint.cli import main

CARD = "docs/ml/models/churn-model.md"


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    """Findings of two codes: MLW105 (no decision record), MLW203 (a TODO)."""
    git_repo.write("train.py", "import sklearn\n")
    git_repo.write(CARD, model_card(decisions="[]").replace("English only.", "TODO"))
    git_repo.commit()
    return git_repo


def test_local_keys_win_and_lists_combine(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sorted(codes(lint_json(capsys, str(repo.path))[1])) == ["MLW105", "MLW203"]
    repo.write(
        "policy/org.yaml", "ignore: [MLW105]\nseverity: {MLW203: warning}\nfail-on: warning\n"
    )
    repo.write(".mlwf-lint.yaml", "extends: policy/org.yaml\nfail-on: error\n")
    status, report = lint_json(capsys, str(repo.path))
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("MLW203", "warning")]
    assert status == 0  # fail-on: error, the local key, wins over the policy's warning
    repo.write(".mlwf-lint.yaml", "extends: policy/org.yaml\nignore: [MLW203]\n")
    status, report = lint_json(capsys, str(repo.path))
    assert (status, codes(report)) == (0, [])  # ignore lists combined


def test_a_chain_a_cycle_a_missing_file_and_a_network_address(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("policy/base.yaml", "ignore: [MLW105]\n")
    repo.write("policy/team.yaml", "extends: base.yaml\nignore: [MLW203]\n")
    repo.write(".mlwf-lint.yaml", "extends: [policy/team.yaml]\n")
    assert lint_json(capsys, str(repo.path))[1]["findings"] == []
    repo.write("policy/base.yaml", "extends: team.yaml\n")
    assert main([str(repo.path)]) == 2
    err = capsys.readouterr().err
    assert "extends cycle:" in err and "team.yaml" in err and len(err.splitlines()) == 1
    for ref, said in [
        ("policy/nope.yaml", "nope.yaml does not exist"),
        ("https://example.com/policy.yaml", "a network address"),
        ("pkg:no_such_policy_pkg/mlwf-lint.yaml", "no installed package 'no_such_policy_pkg'"),
    ]:
        repo.write(".mlwf-lint.yaml", f"extends: {ref}\n")
        assert main([str(repo.path)]) == 2
        err = capsys.readouterr().err
        assert said in err and err.startswith("mlwf-lint: error: ") and ".mlwf-lint.yaml:1:" in err


def test_a_policy_shipped_as_an_installed_package(tmp_path: Path, repo: GitRepo) -> None:
    """A wheel built from a small package, pip-installed offline into a new venv beside
    mlwf-lint itself (from the wheelhouse the README's test command builds)."""
    wheelhouse = PROJECT / ".wheelhouse"
    if not wheelhouse.is_dir():
        pytest.skip("no .wheelhouse: run the README's test command, which builds it")
    package = tmp_path / "acme-policy"
    (package / "acme_policy").mkdir(parents=True)
    (package / "acme_policy/__init__.py").write_text("")
    (package / "acme_policy/mlwf-lint.yaml").write_text("ignore: [MLW105, MLW203]\n")
    (package / "pyproject.toml").write_text(
        '[project]\nname = "acme-policy"\nversion = "1.0"\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["acme_policy"]\n'
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-index",
           "--find-links", str(wheelhouse)]  # fmt: skip
    done = subprocess.run([*pip, "mlwf-lint", str(package)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    repo.write(".mlwf-lint.yaml", "extends: pkg:acme_policy/mlwf-lint.yaml\n")
    lint = subprocess.run(
        [str(venv / "bin/mlwf-lint"), str(repo.path), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert json.loads(lint.stdout)["findings"] == []
    repo.write(".mlwf-lint.yaml", "extends: pkg:acme_policy/other.yaml\n")
    lint = subprocess.run(
        [str(venv / "bin/mlwf-lint"), str(repo.path)], capture_output=True, text=True
    )
    assert lint.returncode == 2 and "other.yaml does not exist" in lint.stderr
