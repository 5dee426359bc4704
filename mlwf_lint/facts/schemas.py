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

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # mlwf_lint/


def shipped_dir(name: str) -> Path:
    """A top-level folder of the project (schemas/, hooks/): inside the installed
    package, or beside it in a source checkout."""
    packaged = _PACKAGE_DIR / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / name


def schema_dir() -> Path:
    return shipped_dir("schemas")


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


def _shipped_resources() -> list[tuple[str, Any]]:
    from referencing import Resource
    from referencing.jsonschema import DRAFT202012

    out = []
    for path in sorted(schema_dir().glob("*.schema.json")):
        contents = load_schema(path.name.removesuffix(".schema.json"))
        if isinstance(contents.get("$id"), str):
            out.append((contents["$id"], Resource.from_contents(contents, DRAFT202012)))
    return out


def _local_registry(folder: Path) -> Any:
    """A registry that knows the shipped schemas and JSON files beside a team's
    schema, and refuses everything else — above all any network address."""
    from urllib.parse import unquote, urlsplit

    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    from mlwf_lint.errors import UsageError

    folder = folder.resolve()
    by_id: dict[str, Path] = {}
    for candidate in sorted(folder.glob("*.json")):
        try:
            contents = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(contents, dict) and isinstance(contents.get("$id"), str):
            by_id[contents["$id"].split("#")[0]] = candidate

    def retrieve(uri: str) -> Any:
        parts = urlsplit(uri)
        if uri in by_id:
            path = by_id[uri]
        elif parts.scheme in ("", "file"):
            raw = Path(unquote(parts.path))
            path = (raw if raw.is_absolute() else folder / raw).resolve()
            if not path.is_relative_to(folder):
                raise UsageError(
                    f"$ref {uri!r} leads outside {folder}; keep referenced schemas beside it"
                )
        else:
            raise UsageError(
                f"$ref {uri!r} is a network address; mlwf-lint never fetches schemas: save it "
                f"beside the schema and refer to it by file name"
            )
        try:
            contents = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"$ref {uri!r}: cannot read {path}: {exc}") from exc
        return Resource.from_contents(contents, DRAFT202012)

    return Registry(retrieve=retrieve).with_resources(_shipped_resources())  # type: ignore[call-arg]


def _check_refs(contents: Any, resolver: Any, seen: set[int]) -> None:
    """Resolve every $ref now, so a broken or remote one is a configuration error
    before the run rather than a failure in the middle of it."""
    if id(contents) in seen:
        return
    seen.add(id(contents))
    if isinstance(contents, dict):
        ref = contents.get("$ref")
        if isinstance(ref, str):
            resolved = resolver.lookup(ref)
            _check_refs(resolved.contents, resolved.resolver, seen)
        for key, value in contents.items():
            if key not in ("const", "enum", "examples", "default"):
                _check_refs(value, resolver, seen)
    elif isinstance(contents, list):
        for value in contents:
            _check_refs(value, resolver, seen)


def reached_files(path: Path) -> list[Path]:
    """A team's schema file and every file its `$ref`s reach by file name, however
    deep (`sub/c.json` included): what a cached validation result depends on. Only
    JSON is parsed here; a network address or a file that is missing is left for
    `team_validator` to name."""
    from urllib.parse import unquote, urlsplit

    found: list[Path] = []
    pending = [path.resolve()]
    while pending:
        current = pending.pop()
        if current in found or not current.is_file():
            continue
        found.append(current)
        try:
            contents = json.loads(current.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for ref in _refs(contents):
            parts = urlsplit(ref)
            if parts.scheme in ("", "file") and parts.path:
                target = Path(unquote(parts.path))
                pending.append(
                    (target if target.is_absolute() else current.parent / target).resolve()
                )
    return sorted(found)


def _refs(contents: Any) -> list[str]:
    stack, refs = [contents], []
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str):
                refs.append(value["$ref"])
            stack.extend(v for k, v in value.items() if k not in ("const", "enum", "examples"))
        elif isinstance(value, list):
            stack.extend(value)
    return refs


def team_validator(path: Path) -> Any:
    """A validator for a team's own schema file; every problem is a UsageError."""
    from jsonschema import Draft202012Validator, SchemaError, validators
    from referencing.exceptions import Unresolvable

    from mlwf_lint.errors import UsageError

    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read schema {path}: {exc}") from exc
    if not isinstance(schema, dict):
        raise UsageError(f"schema {path} is not a JSON object")
    schema.setdefault("$id", path.resolve().as_uri())
    cls = validators.validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        raise UsageError(f"schema {path} is not a valid JSON Schema: {exc.message}") from exc
    registry = _local_registry(path.parent)
    try:
        _check_refs(schema, registry.resolver(base_uri=schema["$id"]), set())
    except Unresolvable as exc:
        reason = f"cannot resolve $ref {exc.ref!r}"
        cause: BaseException | None = exc
        while cause is not None:  # referencing wraps what `retrieve` raised, twice
            if isinstance(cause, UsageError):
                reason = str(cause)
                break
            cause = cause.__cause__ or cause.__context__
        raise UsageError(f"schema {path}: {reason}") from exc
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


@cache
def document_validator(kind: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        load_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
