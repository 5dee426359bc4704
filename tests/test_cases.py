"""Docs are tests: every rule's failing and passing example, run on a real repository."""

from __future__ import annotations

import os
import re
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
    case = _set_up(git_repo, code, outcome)
    args = (case / ".args").read_text().split() if (case / ".args").exists() else []
    status, report = lint_json(capsys, str(git_repo.path), "--select", code, *args)
    found = [f for f in report["findings"] if f["code"] == code]
    if outcome == "pass":
        assert found == [], found
        assert status == 0
        return
    assert found, f"{code} did not fire on its failing case"
    # .expect: one line per finding, `path:line:col  severity  message`, written and
    # checked by a person (not derived from a run)
    expected = [line.split("  ", 2) for line in (case / ".expect").read_text().splitlines()]
    assert sorted(_described(f) for f in found) == sorted(
        (where, severity, _normalized(message)) for where, severity, message in expected
    )
    severities = {e[1] for e in expected}
    assert status == (1 if "error" in severities else 0)


def _set_up(git_repo: GitRepo, code: str, outcome: str) -> Path:
    """A rule's case committed into `git_repo`, with the history its `.setup` makes."""
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
    return case


def _described(finding: dict[str, object]) -> tuple[str, str, str]:
    where = ":".join(
        str(v) for v in (finding["path"], finding["line"], finding["column"]) if v is not None
    )
    return (where or "(repository)", str(finding["severity"]), _normalized(finding["message"]))


def _normalized(message: object) -> str:
    """Commits a case's run makes have new SHAs and today's date."""
    text = re.sub(r"\b[0-9a-f]{7}\b", "<sha>", str(message))
    return re.sub(r"\b20\d\d-\d\d-\d\d\b", "<date>", text)


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


@pytest.mark.parametrize("code", sorted(p.name for p in CASES.iterdir() if (p / "fail").is_dir()))
def test_a_change_touching_no_deciding_file_needs_no_rule_at_the_base(
    code: str, git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Diff mode runs no rule at the base when the change touched none of the files that
    decide findings (`diff.same_as_here`): it takes every non-history finding here as
    having stood there. Checked against the base honestly built — the deciding files read
    from Git at the base revision into a tree of their own, then every rule run there —
    on each rule's failing case with a code-only commit on top."""

    from mlwf_lint.check import diff
    from mlwf_lint.check.engine import run_rules
    from mlwf_lint.config import load_config
    from mlwf_lint.facts.repo import gather

    _set_up(git_repo, code, "fail")
    head = subprocess.run(
        ["git", "rev-parse", "-q", "--verify", "HEAD"],
        cwd=git_repo.path,
        capture_output=True,
        text=True,
    )
    if head.returncode != 0 or (git_repo.path / ".git/shallow").exists():
        pytest.skip(f"{code}'s case has no history to be a base")
    base = head.stdout.strip()
    git_repo.write("notes/changelog.txt", "a code-only change\n")
    git_repo.commit("code only")
    root = git_repo.path
    config = load_config(root)
    changed = frozenset(diff.changed_paths(root, base))
    here = gather(root, config, changed_paths=lambda: changed)
    if not diff.same_as_here(config, here, changed):
        pytest.skip(f"{code}'s case holds what only a live run knows: the base is built")
    wanted = diff._wanted_here(config, here)
    tree = git_repo.path.parent / "base-tree"
    diff._materialize(root, base, [f for f in here.files if wanted(f)], tree)
    built = gather(tree, config, files=sorted(filter(wanted, here.files)), live=False)
    at_base = {(f.code, f.location.path, f.message) for f in run_rules(built, RULES)}
    here_findings = run_rules(here._replace(change=None), RULES)
    assert {
        (f.code, f.location.path, f.message)
        for f in here_findings
        if not f.code.startswith(diff.HISTORY_CODES)
    } <= at_base
    status, report = lint_json(capsys, str(root), "--base", base)
    assert [
        f["code"] for f in report["findings"] if not f["code"].startswith(diff.HISTORY_CODES)
    ] == []
