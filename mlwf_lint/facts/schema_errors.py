"""jsonschema's errors → one plain sentence each, with the JSON pointer it is about.

A schema may carry `x-message` on a subschema: the phrase that follows the field's
name when a value fails there ("must be 32 hex digits, optionally followed by .dir").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from mlwf_lint.facts.parsing import escape_pointer_token
from mlwf_lint.facts.placeholders import is_placeholder

_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "empty",
}


class SchemaViolation(NamedTuple):
    pointer: str
    path: tuple[str | int, ...]
    message: str
    placeholder: bool  # the failing value is a placeholder: MLW203's, not MLW202's


def field_name(path: Iterable[str | int]) -> str:
    """`training_data[0].md5` for ("training_data", 0, "md5")."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the document"


def pointer_of(path: Iterable[str | int]) -> str:
    return "".join(f"/{escape_pointer_token(str(p))}" for p in path)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind_of(value: Any) -> str:
    for name, kind in (("boolean", bool), ("number", int | float), ("string", str)):
        if isinstance(value, kind):
            return _TYPE_NAMES[name]
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else type(value).__name__


def _types(expected: Any) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return " or ".join(_TYPE_NAMES.get(n, n) for n in names)


# what a value must be, by the keyword it failed: the phrase after the field's name
_MUST_BE: dict[str, Callable[[Any], str]] = {
    "type": lambda v: f"must be {_types(v)}",
    "pattern": lambda v: f"must match {v}",
    "format": lambda v: f"must be a valid {v}",
    "enum": lambda v: f"must be one of {', '.join(map(str, v))}",
    "const": lambda v: f"must be {_shown(v)}",
}
_SIZE: dict[str, Callable[[Any], str]] = {
    "minItems": lambda v: f"must have at least {v} item{'s' if v != 1 else ''}",
    "minLength": lambda v: "must not be empty",
}


def _sentences(error: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    path = tuple(error.absolute_path)
    name = field_name(path)
    custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        for key in value:
            if isinstance(instance, dict) and key not in instance:
                yield path + (key,), f"{field_name(path + (key,))} {custom or 'is required'}"
    elif kind == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        for key in sorted(k for k in instance if k not in allowed):
            yield path + (key,), f"{field_name(path + (key,))} is not a known field"
    elif custom or kind in _MUST_BE:
        got = f"{_kind_of(instance)} {_shown(instance)}" if kind == "type" else _shown(instance)
        yield path, f"{name} {custom or _MUST_BE[kind](value)}; got {got}"
    elif kind in _SIZE:
        yield path, f"{name} {_SIZE[kind](value)}"
    else:
        yield path, f"{name}: {error.message}"


def explain(errors: Iterable[Any]) -> list[SchemaViolation]:
    """One violation per (field, sentence), in document order of their pointers. For
    `anyOf`/`oneOf`, jsonschema's best match among the alternatives is explained."""
    from jsonschema.exceptions import best_match

    out: dict[tuple[str, str], SchemaViolation] = {}
    for error in errors:
        chosen = best_match(error.context) if error.context else error
        if chosen is None:
            chosen = error
        for path, message in _sentences(chosen):
            pointer = pointer_of(path)
            out.setdefault(
                (pointer, message),
                SchemaViolation(pointer, path, message, is_placeholder(chosen.instance)),
            )
    return list(out.values())
