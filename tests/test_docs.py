"""Generate, don't copy: what the README says about rules and set-up is checked
against the code and against .ci/run."""

from __future__ import annotations

import re

from conftest import PROJECT
from mlwf_lint.rules import RULES

README = (PROJECT / "README.md").read_text()


def test_readme_rule_table_matches_the_registry() -> None:
    table = README.split("<!-- rules:start -->")[1].split("<!-- rules:end -->")[0]
    rows = re.findall(r"^\| (MLW\d{3}) \| (\w+) \| (.+?) \|$", table, re.MULTILINE)
    assert rows == [(r.code, r.severity.label, r.title) for r in RULES.values()]


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    commands = re.findall(r"^    (python3 -m venv .+)$", README, re.MULTILINE)
    assert len(commands) >= 2
    run_demo, run_tests = commands[0], commands[1]
    assert run_demo.endswith("mlwf-lint demo")
    assert run_tests.endswith("python -m pytest")
    assert README.index(run_tests) < 600  # in the README's first lines
    assert run_tests in (PROJECT / ".ci" / "run").read_text()


def test_pre_commit_hook_definition() -> None:
    text = (PROJECT / ".pre-commit-hooks.yaml").read_text()
    for line in ("id: mlwf-lint", "language: python", "pass_filenames: false",
                 "always_run: true", "require_serial: true"):  # fmt: skip
        assert line in text
