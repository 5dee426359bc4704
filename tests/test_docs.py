"""Generate, don't copy: what the README says about rules and set-up is checked
against the code and against .ci/run."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

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


def _properties(node: object, path: str = "") -> Iterator[tuple[str, dict[str, object]]]:
    """Every field a schema declares (properties, list items, mapping values, $defs),
    not the conditions of if/then."""
    if not isinstance(node, dict):
        return
    for name, sub in node.get("properties", {}).items():
        if isinstance(sub, dict):
            yield f"{path}/{name}", sub
            yield from _properties(sub, f"{path}/{name}")
    for key, step in (("items", "[]"), ("additionalProperties", "*")):
        if isinstance(node.get(key), dict):
            yield from _properties(node[key], f"{path}/{step}")
    for name, sub in node.get("$defs", {}).items():
        yield from _properties(sub, f"#/$defs/{name}")


@pytest.mark.parametrize(
    "name", ["model-card", "data-lineage", "rollback-plan", "decision-record", "config"]
)
def test_every_schema_field_has_a_description_and_valid_examples(name: str) -> None:
    """The README promises a description and examples for every field: each example
    must also be valid where it stands."""
    from jsonschema import Draft202012Validator

    from mlwf_lint.facts.schemas import load_schema

    root = load_schema(name)
    base = Draft202012Validator(root)
    fields = list(_properties(root))
    assert fields
    for path, sub in fields:
        if "$ref" in sub:
            continue  # described where it points
        assert sub.get("description"), f"{name}{path} has no description"
        examples = sub.get("examples")
        assert isinstance(examples, list) and examples, f"{name}{path} has no examples"
        for example in examples:
            errors = list(base.evolve(schema=sub).iter_errors(example))
            assert not errors, f"{name}{path} example {example!r}: {errors[0].message}"
