"""Configuration: found, validated against schemas/config.schema.json, applied."""

from __future__ import annotations

import pytest

from conftest import GitRepo, codes, lint_json, model_card
from mlwf_lint.cli import main

CARD = model_card("m", decisions=None)


def test_unknown_key_is_exit_2_naming_it(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write(".mlwf-lint.yaml", "select: [MLW1]\nignored: [MLW105]\n")
    assert main([str(git_repo.path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mlwf-lint: error: {git_repo.path / '.mlwf-lint.yaml'}:2:1: ")
    assert "unknown config key 'ignored'" in err and err.count("\n") == 1


def test_unknown_nested_key(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git_repo.write(".mlwf-lint.yaml", "documents:\n  model-card:\n    globs: x\n")
    assert main([str(git_repo.path)]) == 2
    assert "unknown config key 'globs' under 'documents/model-card'" in capsys.readouterr().err


def test_wrong_type(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git_repo.write(".mlwf-lint.yaml", "max-file-size: big\n")
    assert main([str(git_repo.path)]) == 2
    assert "config key max-file-size: 'big' is not of type 'integer'" in capsys.readouterr().err


def test_unparsable_config(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git_repo.write(".mlwf-lint.yaml", "select: [MLW1\n")
    assert main([str(git_repo.path)]) == 2
    assert "invalid YAML" in capsys.readouterr().err


def test_missing_explicit_config(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(git_repo.path), "--config", "nope.yaml"]) == 2
    assert "nope.yaml does not exist" in capsys.readouterr().err


def test_pyproject_section_and_globs(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git_repo.write("cards/m.md", CARD)
    git_repo.write(
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.mlwf-lint]\n'
        'documents = { model-card = { glob = "cards/*.md" } }\n'
        'severity = { MLW105 = "error" }\n',
    )
    git_repo.commit()
    status, report = lint_json(capsys, str(git_repo.path))
    assert [(f["code"], f["path"], f["severity"]) for f in report["findings"]] == [
        ("MLW105", "cards/m.md", "error")
    ]
    assert status == 1


def test_yaml_config_wins_over_pyproject(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("docs/ml/models/m.md", CARD)
    git_repo.write("pyproject.toml", '[tool.mlwf-lint]\nselect = ["MLW2"]\n')
    git_repo.write(".mlwf-lint.yaml", "select: [MLW1]\n")
    git_repo.commit()
    assert codes(lint_json(capsys, str(git_repo.path))[1]) == ["MLW105"]


def test_per_file_ignores_and_exclude(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("docs/ml/models/a.md", model_card("a", decisions=None))
    git_repo.write("docs/ml/models/b.md", model_card("b", decisions=None))
    git_repo.write("vendor/train.py", "import torch\n")
    git_repo.write(
        ".mlwf-lint.yaml",
        "per-file-ignores:\n  docs/ml/models/a.md: [MLW105]\nexclude: ['vendor/**']\n",
    )
    git_repo.commit()
    _s, report = lint_json(capsys, str(git_repo.path))
    assert [f["path"] for f in report["findings"]] == ["docs/ml/models/b.md"]


def test_extend_model_patterns(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git_repo.write(
        "dvc.yaml", "stages:\n  train:\n    cmd: python t.py\n    outs:\n    - out/weights.gguf\n"
    )
    git_repo.write("t.py", "import torch\n")
    git_repo.commit()
    assert codes(lint_json(capsys, str(git_repo.path), "--select", "MLW1")[1]) == ["MLW101"]
    git_repo.write(".mlwf-lint.yaml", "extend-model-patterns: ['*.gguf']\n")
    assert codes(lint_json(capsys, str(git_repo.path), "--select", "MLW1")[1]) == ["MLW102"]
