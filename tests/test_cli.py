"""The command line: exit codes, one-line errors, options, exact text output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GitRepo, codes, lint_json, model_card
from mlwf_lint import __version__
from mlwf_lint.cli import main

CARD_NO_DECISIONS = model_card(decisions=None)


@pytest.fixture
def repo_with_warning(git_repo: GitRepo) -> GitRepo:
    git_repo.write("src/train.py", "import torch\n")
    git_repo.write("docs/ml/models/churn-model.md", CARD_NO_DECISIONS)
    git_repo.commit("card without decisions")
    return git_repo


def test_not_a_repository_is_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not inside a Git repository" in err and "pass its PATH" in err
    assert "Traceback" not in err


def test_verbose_shows_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path), "-v"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_unknown_option_is_exit_2(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(git_repo.path), "--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "mlwf-lint: error: unrecognized arguments: --no-such-option (see `mlwf-lint --help`)\n"
    )


def test_bad_select_code_is_exit_2(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(git_repo.path), "--select", "E501"]) == 2
    assert "'E501' is not a rule code" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"mlwf-lint {__version__}\n"


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "--fail-on" in capsys.readouterr().out


def test_help_is_sized_as_argparse_sizes_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Help is laid out for the terminal's width exactly as argparse's own formatter
    lays it out (through shutil, which a check no longer imports for it); without a
    width or a terminal, for 80 columns."""
    import argparse

    from mlwf_lint.cli import _check_parser

    shown = {}
    for columns in ("60", "200", "", "junk", "80"):
        monkeypatch.setenv("COLUMNS", columns)
        assert main(["--help"]) == 0
        shown[columns] = capsys.readouterr().out
        reference = _check_parser()
        reference.formatter_class = argparse.HelpFormatter
        assert shown[columns] == reference.format_help(), columns
    assert len(shown["60"].splitlines()) > len(shown["80"].splitlines())
    assert len(shown["80"].splitlines()) > len(shown["200"].splitlines())
    assert shown[""] == shown["junk"] == shown["80"]


def test_no_ml_code_gives_nothing(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git_repo.write("app/server.py", "import os\nimport json\n# import torch in a comment\n")
    git_repo.write("README.md", "# a web app\n")
    git_repo.commit()
    status, report = lint_json(capsys, str(git_repo.path))
    assert (status, report["findings"]) == (0, [])


def test_empty_repository_without_commits(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("train.py", "import xgboost\n")  # untracked, not ignored: still checked
    status, report = lint_json(capsys, str(git_repo.path))
    assert status == 1 and codes(report) == ["MLW101"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os, torch as t\n", True),
        ("from torch.nn import Linear\n", True),
        ("    import tensorflow.keras\n", True),
        ("from mylib import sklearn_helpers\n", False),
        ("import torchmetrics_like\n", False),
        ("x = 'import torch'\n", False),
        ('CODE = """\nimport torch\n"""\n', False),
        ("import torch\nprint 'python 2 does not parse'\n", True),
        ("if TYPE_CHECKING:\n    import jax\n", True),
    ],
)
def test_ml_import_detection(
    source: str, expected: bool, git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("pkg/model.py", source)
    git_repo.commit()
    _status, report = lint_json(capsys, str(git_repo.path))
    assert ("MLW101" in codes(report)) is expected


@pytest.mark.parametrize(
    ("name", "text", "is_ml"),
    [
        ("MLproject", "name: x\n", True),
        ("analysis.ipynb", '{"cells": [{"cell_type": "code", "source": "import torch"}]}', True),
        ("analysis.ipynb", '{"cells": [{"cell_type": "code", "source": "import pandas"}]}', False),
        ("analysis.ipynb", "{}\n", False),
        ("pipelines/dvc.yaml", "stages: {}\n", False),  # DVC alone is not ML code
    ],
)
def test_notebooks_and_project_files_are_ml_code(
    name: str, text: str, is_ml: bool, git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write(name, text)
    git_repo.commit()
    _status, report = lint_json(capsys, str(git_repo.path))
    assert codes(report) == (["MLW101"] if is_ml else [])
    assert [f["path"] for f in report["findings"]] == ([name] if is_ml else [])


def test_exact_text_report(repo_with_warning: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(repo_with_warning.path), "--color", "never"]) == 0
    assert capsys.readouterr().out == (
        "docs/ml/models/churn-model.md:2:1 MLW105 warning: model card 'churn-model' links "
        "no decision record\n"
        "  hint: list the ids of the decision records behind this model in `decisions`\n"
        "\n"
        "Found 0 errors, 1 warning, 0 notices in 1 file checked.\n"
    )


def test_quiet_text_report(repo_with_warning: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(repo_with_warning.path), "-q"])
    assert capsys.readouterr().out == (
        "docs/ml/models/churn-model.md:2:1 MLW105 warning: model card 'churn-model' links "
        "no decision record\n"
    )


def test_clean_text_report(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git_repo.write("README.md", "hello\n")
    git_repo.commit()
    assert main([str(git_repo.path)]) == 0
    assert capsys.readouterr().out == "All checks passed (0 files checked).\n"


def test_color_always_uses_ansi(
    repo_with_warning: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    main([str(repo_with_warning.path), "--color", "always"])
    out = capsys.readouterr().out
    assert "\x1b[" in out and "MLW105" in out


def test_no_color_env_wins_over_auto(
    repo_with_warning: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    main([str(repo_with_warning.path)])
    assert "\x1b[" not in capsys.readouterr().out


def test_fail_on_warning_and_exit_zero(
    repo_with_warning: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(repo_with_warning.path)
    assert main([path, "--fail-on", "warning"]) == 1
    assert main([path, "--fail-on", "warning", "--exit-zero"]) == 0


def test_select_and_ignore_prefixes(
    repo_with_warning: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(repo_with_warning.path)
    assert codes(lint_json(capsys, path, "--select", "MLW1")[1]) == ["MLW105"]
    assert codes(lint_json(capsys, path, "--select", "MLW2")[1]) == []
    assert codes(lint_json(capsys, path, "--ignore", "MLW105")[1]) == []


def test_output_file(
    repo_with_warning: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    assert main([str(repo_with_warning.path), "--format", "json", "--output", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert '"code": "MLW105"' in out.read_text()


def test_paths_limit_what_is_reported(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("docs/ml/models/a.md", model_card("a", decisions=None))
    git_repo.write("docs/ml/models/b.md", model_card("b", decisions=None))
    git_repo.commit()
    _s, report = lint_json(capsys, str(git_repo.path / "docs/ml/models/b.md"))
    assert [f["path"] for f in report["findings"]] == ["docs/ml/models/b.md"]
    _s, report = lint_json(capsys, str(git_repo.path))
    assert len(report["findings"]) == 2


def test_path_outside_the_repository(
    git_repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert main([str(git_repo.path), str(other)]) == 2
    assert "outside the repository" in capsys.readouterr().err


def test_bare_repository_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "b.git")], check=True)
    assert main([str(tmp_path / "b.git")]) == 2
    assert "bare Git repository" in capsys.readouterr().err


def test_runs_as_a_module_and_console_script(repo_with_warning: GitRepo) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mlwf_lint", "--format", "json", "--fail-on", "warning"],
        cwd=repo_with_warning.path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1 and '"MLW105"' in done.stdout and done.stderr == ""


def test_rule_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule"]) == 0
    listing = capsys.readouterr().out
    assert "MLW102  error    model artifact without a model card" in listing
    assert main(["rule", "mlw104"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("MLW104 (error): deployed model without a rollback plan")
    assert "Fails" in text and "Passes" in text
    assert main(["rule", "MLW999"]) == 2


@pytest.mark.parametrize("command", [["rule", "MLW402"], ["schema", "model-card"], ["check"]])
def test_a_reader_that_stops_reading_is_no_error(command: list[str], git_repo: GitRepo) -> None:
    """`mlwf-lint rule MLW402 | head -1`: the reader is gone before the first write (its end
    of the pipe is closed before the program starts) — no traceback, no "internal error",
    the status of a process SIGPIPE ended, as git gives."""
    git_repo.write("src/train.py", "import torch\n")  # a finding to print: no model card
    git_repo.commit()
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mlwf_lint", *command],
            cwd=git_repo.path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")


def test_a_closed_standard_output_is_fine_with_an_output_file(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    """`mlwf-lint check --output report.txt >&-`: standard output closed (Python gives
    None for it), the report goes to its file, nothing fails at the end."""
    git_repo.write("src/train.py", "import torch\n")
    git_repo.commit()
    report = tmp_path / "report.txt"
    done = subprocess.run(
        [sys.executable, "-m", "mlwf_lint", "check", "--output", str(report)],
        cwd=git_repo.path,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.close(1),  # noqa: PLW1509 - the point is a closed stdout
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert "MLW101" in report.read_text()
