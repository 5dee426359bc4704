"""Docs are tests: every rule's failing and passing example, run on a real repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import HERE, IDENTITY, GitRepo, lint_json
from mlwf_lint.rules import RULES

CASES = HERE / "cases"


def _cases() -> list[tuple[str, str]]:
    return [
        (code.name, outcome)
        for code in sorted(CASES.iterdir())
        for outcome in ("fail", "pass")
        if (code / outcome).is_dir()
    ]


@pytest.mark.parametrize(("code", "outcome"), _cases(), ids=lambda v: str(v))
def test_rule_case(
    code: str, outcome: str, git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES / code / outcome
    git_repo.copy_tree(case)
    git_repo.commit(f"{code} {outcome} case")
    if (case / ".setup").exists():  # history the case needs: tags, later commits
        subprocess.run(
            ["sh", "-eu", str(case / ".setup")],
            cwd=git_repo.path,
            check=True,
            env={**os.environ, **IDENTITY},
        )
    args = (case / ".args").read_text().split() if (case / ".args").exists() else []
    status, report = lint_json(capsys, str(git_repo.path), "--select", code, *args)
    found = [f for f in report["findings"] if f["code"] == code]
    if outcome == "pass":
        assert found == [], found
        assert status == 0
        return
    assert found, f"{code} did not fire on its failing case"
    expect = case / ".expect"
    locations = sorted(
        ":".join(str(v) for v in (f["path"], f["line"], f["column"]) if v is not None)
        or "(repository)"
        for f in found
    )
    assert locations == expect.read_text().split()
    assert status == (1 if any(f["severity"] == "error" for f in found) else 0)


def test_every_rule_has_docs_and_cases() -> None:
    assert RULES, "no rules registered"
    for code, rule in RULES.items():
        assert "Fails" in rule.doc and "Passes" in rule.doc, f"{code} doc lacks examples"
        assert (CASES / code / "fail" / ".expect").is_file(), f"{code} has no failing case"
        assert (CASES / code / "pass").is_dir(), f"{code} has no passing case"


def test_no_case_without_a_rule() -> None:
    assert {p.name for p in CASES.iterdir()} <= set(RULES)


def test_cases_folder_is_excluded_from_dogfooding() -> None:
    text = (Path(__file__).parent.parent / "pyproject.toml").read_text()
    assert '"tests/cases/**"' in text
