"""Parsing returns values, never raises, and knows where every value sits."""

from __future__ import annotations

import time

import pytest

from mlwf_lint.facts.parsing import Parsed, ParseProblem, parse_document, parse_yaml


def _ok(result: Parsed | ParseProblem) -> Parsed:
    assert isinstance(result, Parsed), result
    return result


def test_positions_in_nested_lists_and_front_matter() -> None:
    text = (
        "---\n"
        "id: churn\n"
        "training_data:\n"
        "  - dataset: raw\n"
        "    md5: abc\n"
        "  - dataset: extra\n"
        "---\n"
        "# Body\n"
    )
    parsed = _ok(parse_document(text.encode(), ".md"))
    assert parsed.data["training_data"][1]["dataset"] == "extra"
    assert parsed.values["/id"] == (1, 4)
    assert parsed.values["/training_data/0/md5"] == (4, 9)
    assert parsed.values["/training_data/1"] == (5, 4)
    assert parsed.keys["/training_data"] == (2, 0)
    # a missing key is placed at the nearest parent that exists
    assert parsed.position("/training_data/0/license") == (3, 4)
    assert parsed.body == "# Body\n" and parsed.body_line0 == 7


def test_crlf_and_bom() -> None:
    parsed = _ok(parse_document(b"\xef\xbb\xbf---\r\nid: a\r\n---\r\nbody\r\n", ".md"))
    assert parsed.data == {"id": "a"} and parsed.values["/id"] == (1, 4)


def test_json_documents_have_positions() -> None:
    parsed = _ok(parse_document(b'{\n  "id": "x",\n  "n": [1, 2]\n}\n', ".json"))
    assert parsed.data == {"id": "x", "n": [1, 2]}
    assert parsed.values["/n/1"] == (2, 11)


def test_dates_are_read_as_text() -> None:
    assert _ok(parse_yaml("date: 2026-11-02\n")).data == {"date": "2026-11-02"}


@pytest.mark.parametrize(
    ("raw", "suffix", "message", "line0"),
    [
        (b"a: 1\na: 2\n", ".yaml", "duplicate key", 1),
        (b"a: [1,\n", ".yaml", "invalid YAML", 1),
        (b"id: \xff\n", ".yaml", "not UTF-8", 0),
        (b"# no front matter\n", ".md", "no YAML front matter", 0),
        (b"---\nid: a\n", ".md", "never closed", 0),
        (b"[" * 5000 + b"]" * 5000, ".yaml", "nests deeper", 0),
    ],
)
def test_problems_are_values(raw: bytes, suffix: str, message: str, line0: int) -> None:
    result = parse_document(raw, suffix)
    assert isinstance(result, ParseProblem)
    assert message in result.message and result.line0 == line0


@pytest.mark.parametrize("anchored", [False, True])
def test_block_nesting_is_refused_past_the_limit_with_or_without_anchors(anchored: bool) -> None:
    """The depth limit holds for block nesting (which the bracket count before parsing
    cannot see) whether or not the document has anchors (the alias check runs only then)."""

    def nested(levels: int) -> str:
        keys = "\n".join("  " * i + f"k{i}:" for i in range(levels))
        return ("top: &t 1\n" if anchored else "") + keys + "\n" + "  " * levels + "v\n"

    assert isinstance(parse_yaml(nested(256)), Parsed)
    deep = parse_yaml(nested(257))
    assert isinstance(deep, ParseProblem) and "nests deeper than 256" in deep.message


def test_alias_bomb_is_refused_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    started = time.perf_counter()
    result = parse_yaml("\n".join(lines) + "\n")
    assert isinstance(result, ParseProblem) and "aliases" in result.message
    assert time.perf_counter() - started < 2  # a generous bound: the point is "not forever"


def test_shared_aliases_below_the_limit_are_read() -> None:
    parsed = _ok(parse_yaml("base: &b {x: 1}\nuse: *b\n"))
    assert parsed.data == {"base": {"x": 1}, "use": {"x": 1}}


@pytest.mark.parametrize("directive", ["", "%YAML 1.1\n---\n"])
def test_every_document_is_read_as_yaml_1_2(directive: str) -> None:
    """The core schema of YAML 1.2, a `%YAML 1.1` directive or not: `yes`/`on` stay
    text, `010` is ten, `0o10` eight, dates stay text (JSON Schema reads them so)."""
    text = "a: yes\nb: on\nc: 010\nd: 0o10\ne: 0x1F\nf: ~\ng: Null\nh: 2024-01-01\ni: .inf\n"
    parsed = _ok(parse_document((directive + text).encode(), ".yaml"))
    assert parsed.data == {
        "a": "yes", "b": "on", "c": 10, "d": 8, "e": 31, "f": None, "g": None,
        "h": "2024-01-01", "i": float("inf"),
    }  # fmt: skip
    assert parsed.numbers == {"/c": "010", "/d": "0o10", "/e": "0x1F", "/i": ".inf"}
