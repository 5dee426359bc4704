"""Property-based: any input gives a value or a clean error, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlwf_lint.config import Config, load_config
from mlwf_lint.errors import UsageError
from mlwf_lint.facts.parsing import (
    Parsed,
    ParseProblem,
    parse_document,
    parse_yaml,
    split_front_matter,
)

yaml_like = st.text(
    alphabet=st.sampled_from(list("abc:-[]{}#&*!|>'\"\n \t,?%@`0123456789.~")), max_size=200
)
settings.register_profile("ci", max_examples=300, deadline=None)
settings.load_profile("ci")


@given(st.text(max_size=300))
def test_front_matter_splitter_never_raises(text: str) -> None:
    result = split_front_matter(text)
    if isinstance(result, ParseProblem):
        assert result.message
    else:
        front, front_line0, body, body_line0 = result
        assert front_line0 == 1 and body_line0 >= 2
        assert front in text and body in text


@given(yaml_like)
def test_yaml_parser_never_raises_and_positions_exist(text: str) -> None:
    result = parse_yaml(text)
    assert isinstance(result, Parsed | ParseProblem)
    if isinstance(result, Parsed):
        lines = max(text.count("\n") + 1, 1)
        for line0, col0 in result.values.values():
            assert 0 <= line0 <= lines and col0 >= 0


@given(st.binary(max_size=300), st.sampled_from([".md", ".yaml", ".json"]))
def test_document_parser_takes_any_bytes(raw: bytes, suffix: str) -> None:
    assert isinstance(parse_document(raw, suffix), Parsed | ParseProblem)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(yaml_like)
def test_config_loader_gives_a_config_or_a_usage_error(tmp_path: Path, text: str) -> None:
    (tmp_path / ".mlwf-lint.yaml").write_text(text, encoding="utf-8")
    try:
        config = load_config(tmp_path)
    except UsageError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(config, Config)


@pytest.mark.parametrize(
    "text",
    ["select: [MLW1]\nseverity: {MLW105: error}\n", "documents:\n  model-card: {glob: [a/*.md]}\n"],
)
def test_valid_configs_load(tmp_path: Path, text: str) -> None:
    (tmp_path / ".mlwf-lint.yaml").write_text(text)
    assert isinstance(load_config(tmp_path), Config)
