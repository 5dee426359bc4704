"""Property-based, whole runs: documents of every kind whose fields hold arbitrary
JSON-like values (lists, mappings, numbers, booleans, null, empty strings, nested
lists), written into a real repository with DVC files and Git history, then checked
through the real command. Whatever the values: exit 0 or 1, a parseable report, never
an internal error — a wrong type is MLW202 where the schema says so, and the rules
skip what they cannot read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import GitRepo, lineage_record, model_card, rollback_plan
from mlwf_lint.cli import main
from mlwf_lint.facts.schemas import load_schema

MD5 = "22a1a2931c8370d3aeedd7183606fd7f"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "TODO", MD5, "churn-model", "ADR-0001", "data/raw.csv", "x@v1.0.0"]),
    st.text(max_size=12),
)
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["path", "md5", "dataset", "x", "id"]), inner, max_size=3),
    ),
    max_leaves=8,
)


def _fields(kind: str) -> list[str]:
    return sorted(load_schema(kind).get("properties", {}))


BASE = {
    "model-card": lambda: _front_matter(model_card("churn-model", status="production")),
    "data-lineage": lambda: _yaml(lineage_record("raw", "data/raw.csv")),
    "rollback-plan": lambda: _yaml(rollback_plan("churn-rollback", "churn-model")),
}


def _yaml(text: str) -> dict[str, Any]:
    from mlwf_lint.facts.parsing import parse_yaml

    parsed = parse_yaml(text)
    assert not hasattr(parsed, "message")
    data = parsed.data  # type: ignore[union-attr]
    assert isinstance(data, dict)
    return data


def _front_matter(text: str) -> dict[str, Any]:
    return _yaml(text.split("---\n")[1])


@st.composite
def documents(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """One document of each kind, a few of its fields replaced by arbitrary values."""
    out = {}
    for kind in ("model-card", "data-lineage", "rollback-plan", "decision-record"):
        data = BASE[kind]() if kind in BASE else {"id": "ADR-0001", "title": "t"}
        for name in draw(st.lists(st.sampled_from(_fields(kind)), max_size=4, unique=True)):
            data[name] = draw(json_like)
        out[kind] = data
    return out


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = GitRepo(tmp_path_factory.mktemp("fuzz") / "repo")
    repo.write(
        "data/raw.csv.dvc", f"outs:\n- md5: {MD5}\n  size: 3\n  hash: md5\n  path: raw.csv\n"
    )
    repo.write(
        "dvc.yaml",
        "stages:\n  train:\n    cmd: python train.py\n    deps: [data/raw.csv, train.py]\n"
        "    outs: [models/model.pkl]\n",
    )
    repo.write(
        "dvc.lock",
        "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    deps:\n"
        f"    - path: data/raw.csv\n      hash: md5\n      md5: {MD5}\n    outs:\n"
        f"    - path: models/model.pkl\n      hash: md5\n      md5: {MD5}\n",
    )
    repo.write("train.py", "import sklearn\n")
    repo.commit("pipeline")
    repo.git("tag", "churn-model@v1.0.0")
    return repo


WHERE = {
    "model-card": "docs/ml/models/churn-model.md",
    "data-lineage": "docs/ml/data/raw.yaml",
    "rollback-plan": "docs/ml/rollback/churn-model.yaml",
    "decision-record": "docs/ml/decisions/0001-decision.md",
}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(docs=documents())
def test_any_field_values_give_findings_never_an_internal_error(
    docs: dict[str, dict[str, Any]],
    repository: GitRepo,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for kind, data in docs.items():
        text = json.dumps(data, indent=1)  # JSON is YAML: every value survives as written
        if kind in ("model-card", "decision-record"):
            text = f"---\n{text}\n---\n# Title\n"
        path = Path(repository.path / WHERE[kind])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    status = main([str(repository.path), "--format", "json", "--no-cache"])
    captured = capsys.readouterr()
    assert "internal error" not in captured.err, captured.err
    assert status in (0, 1), captured.err
    report = json.loads(captured.out)
    assert {"findings", "summary", "tool"} <= set(report)
