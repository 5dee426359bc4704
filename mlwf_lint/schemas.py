"""The shipped JSON Schemas: found in the installed package (the wheel copies the
top-level schemas/ into mlwf_lint/schemas) or, in a source checkout, in schemas/.

Only the standard library is imported here, so an installed wheel can be asked for
its schemas without anything else; jsonschema is imported when a validator is built.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parent


def schema_dir() -> Path:
    packaged = _PACKAGE_DIR / "schemas"
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / "schemas"


def schema_path(name: str) -> Path:
    return schema_dir() / f"{name}.schema.json"


@cache
def load_schema(name: str) -> dict[str, Any]:
    path = schema_path(name)
    try:
        with open(path, encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
    except FileNotFoundError:
        raise LookupError(f"no shipped schema named {name!r} (looked in {path.parent})") from None
    return data


@cache
def shipped_validator(name: str) -> Any:
    """A validator built once per run and reused for every document."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))
