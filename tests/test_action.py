"""Issue 15: `action.yml`, the composite GitHub Action, run as GitHub would run it: its
run-steps in order, in a clone of a pull request, its `${{ }}` expressions given the
values GitHub gives them, the install step installing the action's own checkout (offline,
from the wheelhouse) into a fresh virtual environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, documented_demo
from mlwf_lint.facts.parsing import Parsed, parse_yaml

ACTION = PROJECT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _action() -> dict:
    parsed = parse_yaml(ACTION.read_text())
    assert isinstance(parsed, Parsed), parsed
    return parsed.data


def test_the_action_declares_what_the_readme_promises() -> None:
    action = _action()
    assert set(action["inputs"]) == {"base", "args", "version", "sarif"}
    assert action["runs"]["using"] == "composite"
    uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
    assert uses == ["github/codeql-action/upload-sarif@v3"]
    readme = (PROJECT / "README.md").read_text()
    assert "uses: OWNER/mlwf-lint@v1" in readme


def _evaluate(text: str, values: dict[str, str]) -> str:
    """Each `${{ expr }}` replaced by the value GitHub would give it here; an expression
    this test does not know fails the test (so a new one gets a test)."""

    def value(match: re.Match[str]) -> str:
        expr = match.group(1)
        assert expr in values, f"action.yml has an expression the test does not know: {expr}"
        return values[expr]

    return EXPRESSION.sub(value, text)


@pytest.mark.parametrize("broken", [False, True], ids=["clean change", "breaking change"])
def test_the_actions_steps_run_in_a_pull_request(tmp_path: Path, broken: bool) -> None:
    wheelhouse = PROJECT / ".wheelhouse"
    if not wheelhouse.is_dir():
        pytest.skip("no .wheelhouse: run the README's test command, which builds it")
    origin = documented_demo(tmp_path / "origin")
    ci = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", str(origin.path), str(ci)], check=True)
    subprocess.run(["git", "checkout", "-q", "-b", "feature"], cwd=ci, check=True)
    if broken:  # the pull request records a wrong model hash in the card
        card = ci / "docs/ml/models/text-classifier.md"
        card.write_text(card.read_text().replace("md5: 2684aa17", "md5: 0684aa17", 1))
    venv = tmp_path / "runner"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    outputs, summary = tmp_path / "output", tmp_path / "summary.md"
    outputs.write_text("")
    env = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_CONFIG_FILE": os.devnull,
    }
    values = {
        "inputs.version": "",
        "inputs.args": "--no-cache",
        "github.action_path": str(PROJECT),
        # on a pull request into main: inputs.base is empty, github.base_ref is "main"
        "inputs.base || (github.base_ref && format('origin/{0}', github.base_ref)) || ''": (
            "origin/main"
        ),
    }
    codes = []
    for step in _action()["runs"]["steps"]:
        if "run" not in step:
            continue  # the SARIF upload: GitHub's own action
        values["steps.lint.outputs.exit-code"] = dict(
            line.split("=", 1) for line in outputs.read_text().splitlines()
        ).get("exit-code", "")
        step_env = {k: _evaluate(str(v), values) for k, v in step.get("env", {}).items()}
        done = subprocess.run(
            ["bash", "-e", "-c", _evaluate(step["run"], values)],
            cwd=ci,
            env={**env, **step_env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        codes.append((step["name"], done.returncode))
        if step.get("id") == "lint":
            annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert codes == [("Install mlwf-lint", 0), ("Lint", 0), ("Result", 1 if broken else 0)]
    assert f"exit-code={1 if broken else 0}" in outputs.read_text()
    sarif = json.loads((ci / "mlwf-lint.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == (["MLW301"] if broken else [])
    assert summary.read_text().startswith(
        "### mlwf-lint: 1 error" if broken else "### mlwf-lint: 0"
    )
    assert [a.split("::")[1].split()[0] for a in annotations] == (["error"] if broken else [])
    installed = subprocess.run(
        [str(venv / "bin/mlwf-lint"), "--version"], capture_output=True, text=True
    )
    assert installed.stdout.startswith("mlwf-lint ")  # the action's own checkout, installed
