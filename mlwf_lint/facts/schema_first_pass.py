"""A first pass over a document with a shipped JSON Schema, without jsonschema.

Importing jsonschema (with referencing, attrs and its format checkers) costs more
than everything else a cold run does on a small repository (0.1–0.16 s here), and a
healthy repository's documents are all valid. So each document is first walked with
the keywords the shipped schemas use, each implemented as jsonschema 4 (draft
2020-12) implements it; only a document this pass cannot vouch for — one that breaks
a rule, or reaches a keyword or format it does not know — is given to jsonschema,
which alone words the findings. The pass never says "valid" where jsonschema would
not: anything it does not know makes it step aside (`tests/test_schema_first_pass.py`
holds it to jsonschema's answers on every shipped schema's examples and mutations).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from numbers import Number
from typing import Any

# Keywords that only describe (jsonschema ignores them when validating).
_ANNOTATIONS = frozenset(
    {"$schema", "$comment", "$defs", "definitions", "title", "description", "examples"}
    | {"default", "deprecated", "readOnly", "writeOnly"}
)
_DEPTH_LIMIT = 64  # deeper (a $ref cycle, say) is left to jsonschema
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)  # jsonschema's, with fromisoformat


class _Unsure(Exception):
    """A keyword, format or value this pass does not judge: jsonschema decides."""


def surely_valid(schema: Mapping[str, Any], instance: Any) -> bool:
    """True only when `instance` is valid under `schema` (a shipped draft 2020-12
    schema); False when it is not, or when this pass cannot tell."""
    try:
        return _valid(schema, instance, schema, 0)
    except _Unsure:
        return False


def _valid(schema: Any, instance: Any, root: Mapping[str, Any], depth: int) -> bool:
    if schema is True or schema is False:
        return schema
    if not isinstance(schema, Mapping) or depth > _DEPTH_LIMIT:
        raise _Unsure
    for keyword, value in schema.items():
        check = _KEYWORDS.get(keyword)
        if check is not None:
            if not check(value, instance, schema, root, depth + 1):
                return False
        elif keyword == "$id" and schema is root:
            continue
        elif keyword not in _ANNOTATIONS and not keyword.startswith("x-"):
            raise _Unsure
    return True


def _is_type(instance: Any, name: str) -> bool:
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if name == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if name == "number":
        return isinstance(instance, Number)
    raise _Unsure


def _type(value: Any, instance: Any, _s: Any, _r: Any, _d: int) -> bool:
    names = [value] if isinstance(value, str) else value
    return any(_is_type(instance, name) for name in names)


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's `equal`: True is not 1, and containers compare item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and _equal(v, two[k]) for k, v in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return False  # `one is two` was the only way for booleans to be equal
    return bool(one == two)


def _enum(value: Any, instance: Any, _s: Any, _r: Any, _d: int) -> bool:
    return any(_equal(each, instance) for each in value)


def _const(value: Any, instance: Any, _s: Any, _r: Any, _d: int) -> bool:
    return _equal(value, instance)


def _properties(value: Any, instance: Any, _s: Any, root: Any, depth: int) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(_valid(sub, instance[k], root, depth) for k, sub in value.items() if k in instance)


def _pattern_properties(value: Any, instance: Any, _s: Any, root: Any, depth: int) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(
        _valid(sub, item, root, depth)
        for pattern, sub in value.items()
        for key, item in instance.items()
        if re.search(pattern, key)
    )


def _additional_properties(value: Any, instance: Any, schema: Any, root: Any, depth: int) -> bool:
    if not isinstance(instance, dict):
        return True
    named = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    extras = [
        key for key in instance if key not in named and not (patterns and re.search(patterns, key))
    ]
    return all(_valid(value, instance[key], root, depth) for key in extras)


def _required(value: Any, instance: Any, _s: Any, _r: Any, _d: int) -> bool:
    return not isinstance(instance, dict) or all(name in instance for name in value)


def _property_names(value: Any, instance: Any, _s: Any, root: Any, depth: int) -> bool:
    return not isinstance(instance, dict) or all(_valid(value, k, root, depth) for k in instance)


def _items(value: Any, instance: Any, schema: Any, root: Any, depth: int) -> bool:
    if "prefixItems" in schema:
        raise _Unsure
    return not isinstance(instance, list) or all(_valid(value, i, root, depth) for i in instance)


def _bound(test: Any, kind: str) -> Any:
    def check(value: Any, instance: Any, _s: Any, _r: Any, _d: int) -> bool:
        return not _is_type(instance, kind) or bool(test(instance, value))

    return check


def _pattern(value: Any, instance: Any, _s: Any, _r: Any, _d: int) -> bool:
    return not isinstance(instance, str) or re.search(value, instance) is not None


def _format(value: Any, instance: Any, _s: Any, _r: Any, _d: int) -> bool:
    if not isinstance(instance, str):
        return True  # every format checker of jsonschema passes what is not a string
    if value != "date":
        raise _Unsure  # whether it is checked at all depends on what is installed
    if not _DATE.fullmatch(instance):
        return False
    try:
        date.fromisoformat(instance)
    except ValueError:
        return False
    return True


def _all_of(value: Any, instance: Any, _s: Any, root: Any, depth: int) -> bool:
    return all(_valid(sub, instance, root, depth) for sub in value)


def _any_of(value: Any, instance: Any, _s: Any, root: Any, depth: int) -> bool:
    return any(_valid(sub, instance, root, depth) for sub in value)


def _one_of(value: Any, instance: Any, _s: Any, root: Any, depth: int) -> bool:
    return sum(1 for sub in value if _valid(sub, instance, root, depth)) == 1


def _not(value: Any, instance: Any, _s: Any, root: Any, depth: int) -> bool:
    return not _valid(value, instance, root, depth)


def _if(value: Any, instance: Any, schema: Any, root: Any, depth: int) -> bool:
    branch = "then" if _valid(value, instance, root, depth) else "else"
    return branch not in schema or _valid(schema[branch], instance, root, depth)


def _judged_with_if(_v: Any, _i: Any, _s: Any, _r: Any, _d: int) -> bool:
    return True  # `then`/`else` count only through `if` (alone, jsonschema ignores them)


def _ref(value: Any, instance: Any, _s: Any, root: Any, depth: int) -> bool:
    if not isinstance(value, str) or not (value == "#" or value.startswith("#/")) or "%" in value:
        raise _Unsure  # another document or an anchor: jsonschema's registry resolves it
    target: Any = root
    for part in value[2:].split("/") if value != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(target, Mapping) and part in target:
            target = target[part]
        else:
            raise _Unsure
    return _valid(target, instance, root, depth)


_KEYWORDS: dict[str, Any] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "required": _required,
    "propertyNames": _property_names,
    "items": _items,
    "minItems": _bound(lambda i, v: len(i) >= v, "array"),
    "maxItems": _bound(lambda i, v: len(i) <= v, "array"),
    "minLength": _bound(lambda i, v: len(i) >= v, "string"),
    "maxLength": _bound(lambda i, v: len(i) <= v, "string"),
    "minimum": _bound(lambda i, v: i >= v, "number"),
    "maximum": _bound(lambda i, v: i <= v, "number"),
    "exclusiveMinimum": _bound(lambda i, v: i > v, "number"),
    "exclusiveMaximum": _bound(lambda i, v: i < v, "number"),
    "pattern": _pattern,
    "format": _format,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "if": _if,
    "then": _judged_with_if,
    "else": _judged_with_if,
    "$ref": _ref,
}
