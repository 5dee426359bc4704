"""Formats on exact output, SARIF against its schema, hooks, CI templates, pre-commit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, GitRepo, decision_record, documented_demo, model_card
from mlwf_lint.cli import main
from mlwf_lint.facts.parsing import Parsed, parse_yaml

SARIF_SCHEMA = PROJECT.parent / "shared" / "data" / "sarif-schema-2.1.0.json"
CARD = "docs/ml/models/churn-model.md"


@pytest.fixture
def one_warning(git_repo: GitRepo) -> GitRepo:
    """A repository with exactly one finding: MLW105 on line 2 of a card."""
    git_repo.write(CARD, model_card(decisions=None))
    git_repo.write("notes/a,b:c.md", "not a document\n")
    git_repo.commit()
    return git_repo


def _out(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    status = main(list(args))
    return status, capsys.readouterr().out


def test_github_format(one_warning: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _out(capsys, str(one_warning.path), "--format", "github")
    assert status == 0
    assert out == (
        f"::warning file={CARD},line=2,col=1,title=MLW105::model card 'churn-model' links no "
        "decision record (hint: list the ids of the decision records behind this model in "
        "`decisions`)\n"
        "mlwf-lint: 0 errors, 1 warning in 1 file checked\n"
    )


def test_github_is_the_default_on_actions(
    one_warning: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert _out(capsys, str(one_warning.path))[1].startswith("::warning file=")


def test_github_escapes_properties_and_data() -> None:
    from mlwf_lint.findings import Finding, Location, Severity
    from mlwf_lint.report.github import _line

    finding = Finding("MLW201", Severity.ERROR, "100% broken\nreally", Location("a,b:c.yaml", 1, 2))
    assert (
        _line(finding)
        == "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=MLW201::100%25 broken%0Areally"
    )


def test_gitlab_format(one_warning: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    first = json.loads(_out(capsys, str(one_warning.path), "--format", "gitlab")[1])
    assert first == [
        {
            "description": "MLW105: model card 'churn-model' links no decision record",
            "check_name": "MLW105",
            "fingerprint": first[0]["fingerprint"],
            "severity": "minor",
            "location": {"path": CARD, "lines": {"begin": 2}},
        }
    ]
    # stable across runs, and when the finding moves down the file
    card = one_warning.path / CARD
    card.write_text(card.read_text().replace("---\n", "---\n# moved\n", 1))
    again = json.loads(_out(capsys, str(one_warning.path), "--format", "gitlab")[1])
    assert again[0]["fingerprint"] == first[0]["fingerprint"]
    assert again[0]["location"]["lines"]["begin"] == 3


def test_gitlab_severity_and_line_of_every_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", str(tmp_path / "demo")]) == 0
    gitlab = json.loads(_out(capsys, str(tmp_path / "demo"), "--format", "gitlab")[1])
    report = json.loads(_out(capsys, str(tmp_path / "demo"), "--format", "json")[1])
    severities = {"error": "major", "warning": "minor", "notice": "info"}
    assert [
        (i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
        for i in gitlab
    ] == [(f["code"], severities[f["severity"]], f["path"], f["line"]) for f in report["findings"]]
    assert {i["severity"] for i in gitlab} == {"major", "minor"}


def test_junit_format(one_warning: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    out = _out(capsys, str(one_warning.path), "--format", "junit")[1]
    assert out == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="mlwf-lint" tests="1" failures="1">\n'
        '  <testsuite name="mlwf-lint" tests="1" failures="1">\n'
        f'    <testcase classname="mlwf-lint" name="{CARD}">\n'
        '      <failure type="MLW105" message="model card \'churn-model\' links no decision '
        'record">'
        f"{CARD}:2:1 MLW105 model card 'churn-model' links no decision record\n"
        "hint: list the ids of the decision records behind this model in `decisions`</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n"
    )


def test_markdown_format(one_warning: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    out = _out(capsys, str(one_warning.path), "--format", "markdown")[1]
    assert out == (
        "### mlwf-lint: 0 errors, 1 warning, 0 notices (1 file checked)\n\n"
        "| | Code | Location | Message |\n|---|---|---|---|\n"
        f"| ⚠️ | MLW105 | `{CARD}:2:1` | model card 'churn-model' links no decision record |\n"
    )


def test_sarif_validates_against_the_2_1_0_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"{SARIF_SCHEMA} is not beside the project")
    from jsonschema import Draft7Validator

    assert main(["demo", str(tmp_path / "demo")]) == 0
    sarif = json.loads(_out(capsys, str(tmp_path / "demo"), "--format", "sarif")[1])
    schema = json.loads(SARIF_SCHEMA.read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(sarif), key=str)
    assert errors == []


def test_sarif_says_what_the_json_report_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlwf_lint import __version__
    from mlwf_lint.rules import RULES

    assert main(["demo", str(tmp_path / "demo")]) == 0
    sarif = json.loads(_out(capsys, str(tmp_path / "demo"), "--format", "sarif")[1])
    assert (sarif["$schema"], sarif["version"]) == (
        "https://json.schemastore.org/sarif-2.1.0.json",
        "2.1.0",
    )
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == (
        "mlwf-lint",
        __version__,
        __version__,
    )
    levels = {"error": "error", "warning": "warning", "notice": "note"}
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    for described, (code, rule) in zip(rules, RULES.items(), strict=True):
        assert described == {
            "id": code,
            "name": "".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", rule.title)),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.doc.split("\n\n", 1)[0].replace("\n", " ")},
            "help": {"text": rule.doc, "markdown": rule.doc},
            "defaultConfiguration": {"level": levels[rule.severity.label]},
        }
    # each result says exactly what the JSON report says of the same finding
    report = json.loads(_out(capsys, str(tmp_path / "demo"), "--format", "json")[1])
    assert len(run["results"]) == len(report["findings"]) > 0
    for result, finding in zip(run["results"], report["findings"], strict=True):
        hint = f" ({finding['hint']})" if finding["hint"] else ""
        assert result == {
            "ruleId": finding["code"],
            "ruleIndex": list(RULES).index(finding["code"]),
            "level": levels[finding["severity"]],
            "message": {"text": finding["message"] + hint},
            "partialFingerprints": result["partialFingerprints"],
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": finding["path"], "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": finding["line"], "startColumn": finding["column"]},
                    }
                }
            ],
        }
    assert {r["level"] for r in run["results"]} == {"error", "warning"}


def test_statistics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", str(tmp_path / "demo")]) == 0
    status, out = _out(capsys, str(tmp_path / "demo"), "--statistics")
    assert status == 1
    assert out.splitlines()[0] == "1  MLW103  source dataset without a lineage record"
    assert len(out.splitlines()) == 6


def test_install_hook_installs_and_never_overwrites(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(git_repo.path)
    assert _out(capsys, "install-hook", "--pre-push")[0] == 0
    hook = git_repo.path / ".git/hooks/pre-commit"
    assert hook.read_text() == (PROJECT / "hooks/pre-commit").read_text()
    assert os.access(hook, os.X_OK) and (git_repo.path / ".git/hooks/pre-push").exists()
    assert "already installed" in _out(capsys, "install-hook")[1]
    hook.write_text("#!/bin/sh\necho mine\n")
    assert main(["install-hook"]) == 2
    assert "exists and is not mlwf-lint's; not overwritten" in capsys.readouterr().err
    assert hook.read_text() == "#!/bin/sh\necho mine\n"


def test_install_hook_follows_core_hooks_path(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    git_repo.git("config", "core.hooksPath", ".githooks")
    monkeypatch.chdir(git_repo.path)
    assert _out(capsys, "install-hook")[0] == 0
    assert (git_repo.path / ".githooks/pre-commit").exists()


def _bin_path() -> str:
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"


def test_plain_pre_commit_hook_blocks_a_bad_commit(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _bin_path())
    monkeypatch.chdir(git_repo.path)
    assert main(["install-hook"]) == 0
    git_repo.write("train.py", "import torch\n")
    git_repo.git("add", "train.py")
    blocked = subprocess.run(
        ["git", "commit", "-q", "-m", "ml code, no card"],
        cwd=git_repo.path,
        capture_output=True,
        text=True,
    )
    assert blocked.returncode != 0 and "MLW101" in blocked.stdout + blocked.stderr
    git_repo.write(CARD, model_card(decisions=None))
    git_repo.git("add", "-A")
    allowed = subprocess.run(
        ["git", "commit", "-q", "-m", "with a card"],
        cwd=git_repo.path,
        capture_output=True,
        text=True,
    )
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_plain_pre_push_hook_lints_the_pushed_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", _bin_path())
    origin = documented_demo(tmp_path / "origin")
    subprocess.run(["git", "clone", "-q", str(origin.path), str(tmp_path / "work")], check=True)
    work = GitRepo(tmp_path / "work", init=False)
    monkeypatch.chdir(work.path)
    assert main(["install-hook", "--pre-push"]) == 0
    lock = work.path / "dvc.lock"
    lock.write_text(lock.read_text().replace("2684aa17e6edd16227730afb7c8cb3d8", "a" * 32))
    work.commit("retrain without updating the card")
    pushed = subprocess.run(
        ["git", "push", "-q", "origin", "HEAD:refs/heads/retrain"],
        cwd=work.path,
        capture_output=True,
        text=True,
    )
    assert pushed.returncode != 0 and "MLW404" in pushed.stdout + pushed.stderr


def _template_commands(name: str) -> list[str]:
    parsed = parse_yaml((PROJECT / "hooks" / name).read_text())
    assert isinstance(parsed, Parsed), parsed
    if name.startswith("github"):
        steps = parsed.data["jobs"]["mlwf-lint"]["steps"]
        commands = [s["run"] for s in steps if "run" in s]
    else:
        commands = parsed.data["mlwf-lint"]["script"]
    return [
        c.replace("${{ github.base_ref || 'main' }}", "main")
        for c in commands
        if c.startswith("mlwf-lint")
    ]


@pytest.mark.parametrize("broken", [False, True], ids=["clean change", "breaking change"])
@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_ci_templates_are_valid_and_their_commands_run(
    name: str, broken: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = documented_demo(tmp_path / "origin")
    subprocess.run(["git", "clone", "-q", str(origin.path), str(tmp_path / "ci")], check=True)
    ci = tmp_path / "ci"
    subprocess.run(["git", "checkout", "-q", "-b", "feature"], cwd=ci, check=True)
    (ci / "README.md").write_text("a documentation change\n")
    card = ci / "docs/ml/models/text-classifier.md"
    if broken:  # the pull request records a wrong model hash in the card
        card.write_text(card.read_text().replace("md5: 2684aa17", "md5: 0684aa17", 1))
    summary = tmp_path / "summary.md"
    env = {**os.environ, "PATH": _bin_path(), "GITHUB_STEP_SUMMARY": str(summary)}
    commands = _template_commands(name)
    assert commands
    outputs = []
    for command in commands:
        done = subprocess.run(
            ["sh", "-c", command], cwd=ci, env=env, capture_output=True, text=True
        )
        failing = broken and "--exit-zero" not in command
        assert done.returncode == (1 if failing else 0), (command, done.stdout, done.stderr)
        outputs.append(done.stdout)
    if name.startswith("github"):
        sarif = json.loads((ci / "mlwf-lint.sarif").read_text())
        assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == (["MLW301"] if broken else [])
        assert summary.read_text().startswith(
            "### mlwf-lint: 1 error" if broken else "### mlwf-lint: 0 errors"
        )
        annotations = [line for line in outputs[-1].splitlines() if line.startswith("::error")]
        assert len(annotations) == (1 if broken else 0)
        if broken:
            assert annotations[0].startswith(
                "::error file=docs/ml/models/text-classifier.md,line=9,col=8,title=MLW301::"
            )
    else:
        report = json.loads((ci / "gl-code-quality-report.json").read_text())
        assert [(i["check_name"], i["severity"]) for i in report] == (
            [("MLW301", "major")] if broken else []
        )


WHEELHOUSE = PROJECT / ".wheelhouse"


def _pre_commit_setup(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """This repository as a hook repository, and an environment in which pre-commit
    installs the hook offline (from the wheelhouse the README's test command builds)."""
    if (
        shutil.which("pre-commit") is None
        and not (Path(sys.executable).parent / "pre-commit").exists()
    ):
        pytest.skip("pre-commit is not installed (pip install -e '.[dev]')")
    if not WHEELHOUSE.is_dir():
        pytest.skip("no .wheelhouse: run the README's test command, which builds it")
    hook_repo = tmp_path / "hook-repo"
    shutil.copytree(
        PROJECT,
        hook_repo,
        ignore=shutil.ignore_patterns(".venv", ".wheelhouse", "bench", "__pycache__", ".*cache"),
    )
    subprocess.run(["git", "add", "-A"], cwd=hook_repo, check=True)
    subprocess.run(
        ["git", "commit", "-q", "--allow-empty", "-m", "snapshot"],
        cwd=hook_repo,
        check=True,
        capture_output=True,
    )
    env = {
        **os.environ,
        "PATH": _bin_path(),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_CONFIG_FILE": os.devnull,
    }
    return hook_repo, env


def _try_repo(
    hook_repo: Path, target: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "mlwf-lint", *args],
        cwd=target, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_real_pre_commit_try_repo(tmp_path: Path) -> None:
    """The hook as pre-commit runs it: installed from this repository into pre-commit's
    own environment, offline."""
    hook_repo, env = _pre_commit_setup(tmp_path)
    target = GitRepo(tmp_path / "target")
    target.write("train.py", "from sklearn.svm import SVC\n")
    target.commit("ml code, undocumented")
    failing = _try_repo(hook_repo, target.path, env, "--all-files")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "MLW101" in failing.stdout
    target.write(CARD, model_card(decisions="[ADR-0001]"))
    target.write("docs/ml/decisions/0001-x.md", decision_record(1))
    target.commit("documented")
    passing = _try_repo(hook_repo, target.path, env, "--all-files")
    assert passing.returncode == 0, passing.stdout + passing.stderr


def test_pre_commit_manual_stage_with_a_baseline_lints_what_a_push_introduces(
    tmp_path: Path,
) -> None:
    """A large repository adopts mlwf-lint with a baseline; `pre-commit run --hook-stage
    manual --from-ref main --to-ref HEAD` (as pre-push does with the pushed range) reports
    only what the branch introduces."""
    hook_repo, env = _pre_commit_setup(tmp_path)
    target = GitRepo(tmp_path / "target")
    target.write("train.py", "from sklearn.svm import SVC\n")
    target.write(CARD, model_card(decisions="[]"))  # MLW105, accepted in the baseline
    target.commit("an old, half-documented model")
    assert main([str(target.path), "--write-baseline", str(target.path / "baseline.json")]) == 0
    target.write(".mlwf-lint.yaml", "baseline: baseline.json\n")
    target.commit("adopt mlwf-lint with a baseline")
    whole = _try_repo(hook_repo, target.path, env, "--all-files", "--hook-stage", "manual")
    assert whole.returncode == 0, whole.stdout + whole.stderr
    target.git("checkout", "-q", "-b", "feature")
    ranker = model_card("ranker", decisions="[ADR-0001]").replace("English only.", "TODO")
    target.write("docs/ml/models/ranker.md", ranker)  # MLW203, an error, and MLW405
    target.commit("a new model, its card unfinished")
    pushed = _try_repo(
        hook_repo, target.path, env, "--hook-stage", "manual", "--from-ref", "main",
        "--to-ref", "HEAD",
    )  # fmt: skip
    assert pushed.returncode == 1, pushed.stdout + pushed.stderr
    assert "docs/ml/models/ranker.md" in pushed.stdout and CARD not in pushed.stdout
