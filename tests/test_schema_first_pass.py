"""The schema first pass (`facts/schema_first_pass.py`) stands in for jsonschema only
where it is sure: whenever it says a document is valid, jsonschema finds no error —
held here against jsonschema itself, on every shipped kind's documents with fields
removed or replaced by arbitrary values. And it is sure often enough to matter: a
healthy repository's cold run never imports jsonschema."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conftest import GitRepo, decision_record, lineage_record, model_card, rollback_plan
from mlwf_lint.facts.parsing import parse_yaml
from mlwf_lint.facts.schema_first_pass import surely_valid
from mlwf_lint.facts.schemas import document_validator, load_schema

KINDS = ("model-card", "data-lineage", "rollback-plan", "decision-record")


def _data(text: str) -> dict[str, Any]:
    parsed = parse_yaml(text.split("---\n")[1] if text.startswith("---\n") else text)
    data = getattr(parsed, "data", None)
    assert isinstance(data, dict), parsed
    return data


def healthy(kind: str) -> dict[str, Any]:
    """A complete, valid document of `kind`, as the parser gives it."""
    if kind == "model-card":
        return _data(model_card("churn-model"))
    if kind == "data-lineage":
        return _data(lineage_record("raw", "data/raw.csv"))
    if kind == "rollback-plan":
        return _data(rollback_plan("churn-rollback", "churn-model"))
    return _data(decision_record(1))


def jsonschema_errors(kind: str, data: Any) -> list[str]:
    return [e.message for e in document_validator(kind).iter_errors(data)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_healthy_document_is_vouched_for_without_jsonschema(kind: str) -> None:
    data = healthy(kind)
    assert jsonschema_errors(kind, data) == []
    assert surely_valid(load_schema(kind), data)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "TODO", "<fill in>", "2026-11-02", "2026-02-30", "02-11-2026"]),
    st.sampled_from(["production", "staging", "ADR-0001", "a@example.com", "x@v1.0.0"]),
    st.sampled_from(["22a1a2931c8370d3aeedd7183606fd7f", "22A1", "https://example.com/d"]),
    st.text(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["path", "md5", "name", "value", "x"]), inner, max_size=3),
    ),
    max_leaves=6,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document: each key of each mapping, each item of each list."""
    out = []
    items: Any = ()
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    for key, value in items:
        out.append((*prefix, key))
        out += _paths(value, (*prefix, key))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    """A healthy document with a few places replaced by arbitrary values or removed."""
    kind = draw(st.sampled_from(KINDS))
    data = copy.deepcopy(healthy(kind))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = _paths(data)
        if not places:
            break
        *parent_path, last = draw(st.sampled_from(places))
        parent = data
        for key in parent_path:
            parent = parent[key]
        how = draw(st.sampled_from(["remove", "arbitrary", "alike", "alike"]))
        if how == "remove" and isinstance(parent, dict):
            del parent[last]
        elif how == "arbitrary":
            parent[last] = draw(VALUES)
        else:
            parent[last] = draw(_alike(parent[last]))
    return kind, data


def _alike(value: Any) -> st.SearchStrategy[Any]:
    """Another value of the same JSON type: mostly valid documents, near the edges."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int | float):
        return st.one_of(st.integers(min_value=-2, max_value=10**4), st.floats(-2, 1e4))
    if isinstance(value, str):
        return st.one_of(SCALARS.filter(lambda v: isinstance(v, str)), st.just(value + value))
    if isinstance(value, list):
        return st.lists(st.sampled_from(value), max_size=3) if value else st.just([])
    if isinstance(value, dict):
        return st.just(dict(value))
    return st.just(value)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated())
def test_whatever_it_vouches_for_jsonschema_finds_valid(case: tuple[str, Any]) -> None:
    kind, data = case
    if surely_valid(load_schema(kind), data):
        assert jsonschema_errors(kind, data) == []


def test_it_is_sure_about_most_broken_documents_of_the_kinds_it_knows() -> None:
    """Not a pass that steps aside always: it answers False for what jsonschema
    rejects, and True for what it accepts, on hand-made cases of every keyword."""
    card = healthy("model-card")
    broken = {**card, "status": "retired-ish"}
    assert jsonschema_errors("model-card", broken) and not surely_valid(
        load_schema("model-card"), broken
    )
    record = healthy("decision-record")
    for date, ok in (("2026-11-02", True), ("2026-02-30", False), ("20261102", False)):
        data = {**record, "date": date}
        assert (jsonschema_errors("decision-record", data) == []) is ok
        assert surely_valid(load_schema("decision-record"), data) is ok
    for title, ok in (("t", True), ("", False), (3, False)):
        data = {**record, "title": title}
        assert (jsonschema_errors("decision-record", data) == []) is ok
        assert surely_valid(load_schema("decision-record"), data) is ok


@pytest.mark.parametrize(
    ("schema", "instance", "jsonschema_valid"),
    [
        ({"uniqueItems": True}, [1, 1], False),  # a keyword the pass does not know
        ({"uniqueItems": True}, [1, 2], True),  # ... steps aside even when valid
        ({"enum": [1]}, True, False),  # True is not 1
        ({"const": [1, 2]}, [True, 2], False),
        ({"type": "integer"}, False, False),
        ({"format": "uri"}, "not a uri", None),  # checked only if a library is installed
        ({"$ref": "#anchor"}, 1, None),  # an anchor: only jsonschema's registry knows
        ({"$ref": "other.json"}, 1, None),
        ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", 1], True),
        ({"$id": "https://x/y", "properties": {"a": {"$id": "z"}}}, {"a": 1}, None),
        ({"$ref": "#"}, 1, None),  # a cycle: left to jsonschema
    ],
)
def test_it_never_vouches_where_it_is_unsure_or_jsonschema_rejects(
    schema: dict[str, Any], instance: Any, jsonschema_valid: bool | None
) -> None:
    assert surely_valid(schema, instance) is False
    if jsonschema_valid is not None:
        assert Draft202012Validator(schema).is_valid(instance) is jsonschema_valid


@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        ({"type": ["string", "null"]}, None),
        ({"type": "integer"}, 1.0),
        ({"properties": {"a": {"type": "string"}}, "additionalProperties": False}, {"a": "x"}),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, 3),
        ({"if": {"const": 1}, "then": {"type": "integer"}, "else": {"type": "string"}}, "x"),
        ({"$defs": {"s": {"minLength": 2}}, "$ref": "#/$defs/s"}, "ab"),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"abc": 1}),
        ({"items": {"minimum": 0}, "minItems": 1}, [0, 1.5]),
        ({"not": {"type": "string"}, "x-message": "a note"}, 1),
    ],
)
def test_what_it_knows_it_vouches_for_as_jsonschema_does(
    schema: dict[str, Any], instance: Any
) -> None:
    assert Draft202012Validator(schema).is_valid(instance)
    assert surely_valid(schema, instance)


def _imports_of_a_cold_check(root: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mlwf_lint", "check", ".", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return done.stderr


def test_a_healthy_repository_is_checked_without_importing_jsonschema(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("docs/ml/decisions/0001-decision.md", decision_record(1))
    repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv"))
    repo.commit("documents")
    assert " jsonschema" not in _imports_of_a_cold_check(repo.path)
    # a broken document needs jsonschema's wording: it is imported then, and only then
    repo.write("docs/ml/decisions/0001-decision.md", decision_record(1).replace("2026-11-02", "x"))
    assert " jsonschema" in _imports_of_a_cold_check(repo.path)


def test_dates_are_judged_as_jsonschema_judges_them() -> None:
    schema = {"type": "string", "format": "date"}
    checker = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    values = ("2026-11-02", "20261102", "2026-W45-1", "2026-02-30", "2026-11-2", "２０２６-11-02")
    for value in values:
        assert surely_valid(schema, value) is checker.is_valid(value), value


CONFIG = {
    "fail-on": "warning",
    "ignore": ["MLW105"],
    "documents": {"model-card": {"glob": "cards/*.md"}},
    "extend-model-patterns": ["*.bin"],
    "per-file-ignores": {"docs/legacy/*": ["MLW201"]},
    "max-file-size": 2_000_000,
}


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({}, True),
        ({"fail-on": "sometimes"}, False),
        ({"documnts": {}}, False),
        ({"documents": {"model-card": {"globs": "x"}}}, False),
        ({"max-file-size": "big"}, False),
        ({"ignore": "MLW105"}, False),
    ],
)
def test_the_configuration_is_vouched_for_as_jsonschema_judges_it(
    change: dict[str, Any], valid: bool
) -> None:
    """The configuration is validated on every run, warm or cold: the first pass spares
    the jsonschema import there too, and steps aside for every mistake."""
    data = {**CONFIG, **change}
    assert (jsonschema_errors("config", data) == []) is valid
    assert surely_valid(load_schema("config"), data) is valid


def test_an_initialized_repository_runs_warm_without_jsonschema(tmp_path: Path) -> None:
    """`mlwf-lint init` writes a configuration file and documents with placeholders: the
    first run needs jsonschema to word their findings; the next (the hook's) does not."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("train.py", "import sklearn\n")
    repo.commit("code")
    subprocess.run(
        [sys.executable, "-m", "mlwf_lint", "init", "."],
        cwd=repo.path,
        check=True,
        capture_output=True,
    )
    assert list(repo.path.glob(".mlwf-lint.*"))
    repo.commit("init")
    command = [sys.executable, "-X", "importtime", "-m", "mlwf_lint", "check", "."]
    cold = subprocess.run(command, cwd=repo.path, capture_output=True, text=True)
    warm = subprocess.run(command, cwd=repo.path, capture_output=True, text=True)
    assert cold.returncode == warm.returncode == 1
    assert " jsonschema" in cold.stderr and " jsonschema" not in warm.stderr


def test_on_every_fixture_document_it_agrees_with_jsonschema_whenever_it_answers() -> None:
    """Every YAML and front-matter document under tests/, read as each kind whose schema
    ships (the Hugging Face card's too): what it vouches for is valid, and it vouches for
    every valid one — so a healthy repository never pays for jsonschema."""
    from mlwf_lint.facts.parsing import parse_document

    here = Path(__file__).parent
    judged = vouched = 0
    for path in sorted(here.rglob("*")):
        if path.suffix not in (".md", ".yaml", ".yml") or not path.is_file():
            continue
        data = getattr(parse_document(path.read_bytes(), path.suffix), "data", None)
        if not isinstance(data, dict):
            continue
        for kind in (*KINDS, "hf-model-card"):
            valid = jsonschema_errors(kind, data) == []
            sure = surely_valid(load_schema(kind), data)
            assert sure is valid, (path, kind)
            judged, vouched = judged + 1, vouched + sure
    assert judged > 300 and vouched > 50, (judged, vouched)  # 550 and 116 today
