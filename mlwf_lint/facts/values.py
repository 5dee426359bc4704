"""Params and metrics files as DVC reads them → flat `dotted.key → value`, with where
each value is written. DVC reads `.toml` as TOML, `.py` as Python and every other
suffix as YAML (JSON is YAML); CSV/TSV metrics are read as a table (one row: columns
are the keys; several rows: the first column names each row). Nothing here raises
for any file content: what cannot be read is an `Unread` with the reason."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from mlwf_lint.facts.files import Skipped, read_bytes
from mlwf_lint.facts.parsing import (
    Parsed,
    ParseProblem,
    Position,
    decode,
    escape_pointer_token,
    parse_document,
)
from mlwf_lint.facts.sources.dvc import DvcStage, LockedParam


class Values(NamedTuple):
    path: str
    leaves: Mapping[str, Any]  # dotted key → a scalar, or a list kept whole
    positions: Mapping[str, Position] = MappingProxyType({})  # where known
    numbers: Mapping[str, str] = MappingProxyType({})  # a number as written
    at_head: bool = False  # read from Git at HEAD (not in the working tree)


class Unread(NamedTuple):
    path: str
    reason: str  # a sentence: why no value is known
    problem: bool = False  # the file is there but cannot be read: a finding on it
    position: Position | None = None


Reading = Values | Unread
ABSENT = "absent"  # the reason of a file that is not there


def flatten(data: Any, prefix: str = "", pointer: str = "") -> Iterable[tuple[str, str, Any]]:
    """(dotted key, JSON pointer, value) of every leaf under a mapping; a list is a
    leaf (DVC compares it whole)."""
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        here = f"{pointer}/{escape_pointer_token(str(key))}"
        if isinstance(value, dict) and value:
            yield from flatten(value, f"{dotted}.", here)
        else:
            yield dotted, here, value


def _number(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return text


def _table(path: str, text: str) -> Values | Unread:
    import csv  # here: few metrics files are tables

    delimiter = "\t" if path.lower().endswith(".tsv") else ","
    try:
        rows = [r for r in csv.reader(text.splitlines(), delimiter=delimiter) if r]
    except csv.Error as exc:
        return Unread(path, f"not a readable table: {exc}", problem=True)
    if len(rows) < 2:
        return Unread(path, "a table with no row under its header", problem=True)
    header, body = rows[0], rows[1:]
    leaves: dict[str, Any] = {}
    positions: dict[str, Position] = {}
    for line0, row in enumerate(body, 1):
        name = f"{row[0]}." if len(body) > 1 else ""
        for column, cell in list(zip(header, row, strict=False))[1 if name else 0 :]:
            leaves[f"{name}{column}"] = _number(cell)
            positions[f"{name}{column}"] = (line0, 0)
    return Values(path, leaves, positions, {k: str(v) for k, v in leaves.items()})


def parse_values(
    path: str, raw: bytes, parse: Callable[[bytes, str], Parsed | ParseProblem]
) -> Reading:
    """One params or metrics file's bytes → its values, or why they cannot be known."""
    suffix = posixpath.splitext(path)[1].lower()
    if suffix == ".py":
        return Unread(path, "Python params files are not read (only the dvc library can)")
    text = decode(raw)
    if isinstance(text, ParseProblem):
        return Unread(path, text.message, True, (text.line0 or 0, text.col0 or 0))
    if suffix in (".csv", ".tsv"):
        return _table(path, text)
    if suffix == ".toml":
        try:
            import tomllib  # a TOML params file is rare: not on every run's path

            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            return Unread(path, f"invalid TOML: {exc}", problem=True)
        return Values(path, {k: v for k, _p, v in flatten(data)})
    parsed = parse(raw, ".yaml")
    if isinstance(parsed, ParseProblem):
        where = (parsed.line0, parsed.col0 or 0) if parsed.line0 is not None else None
        return Unread(path, parsed.message, True, where)
    if parsed.data is not None and not isinstance(parsed.data, dict):
        return Unread(path, "holds no mapping of names to values", True, (0, 0))
    leaves, positions, numbers = {}, {}, {}
    for key, pointer, value in flatten(parsed.data):
        leaves[key] = value
        if (position := parsed.values.get(pointer)) is not None:
            positions[key] = position
        if pointer in parsed.numbers:
            numbers[key] = parsed.numbers[pointer]
    return Values(path, leaves, positions, numbers)


def read_values(
    root: Path,
    paths: Iterable[str],
    limit: int,
    *,
    at_head: Callable[[Iterable[str]], Mapping[str, bytes | None]] | None = None,
    parse: Callable[[bytes, str], Parsed | ParseProblem] = parse_document,
) -> dict[str, Reading]:
    """Each file's values from the working tree; a file that is not there is read from
    Git at HEAD when `at_head` is given (one batched read), else it is `ABSENT`."""
    found: dict[str, Reading] = {}
    missing: list[str] = []
    for path in sorted(set(paths)):
        raw = read_bytes(root, path, limit)
        if raw is None:
            missing.append(path)
        elif isinstance(raw, Skipped):
            found[path] = Unread(path, f"not read: {raw.reason}")
        else:
            found[path] = parse_values(path, raw, parse)
    blobs = at_head(missing) if at_head and missing else {}
    for path in missing:
        raw = blobs.get(path)
        if raw is None or len(raw) > limit:
            found[path] = Unread(path, ABSENT)
            continue
        reading = parse_values(path, raw, parse)
        found[path] = reading._replace(at_head=True) if isinstance(reading, Values) else reading
    return found


def metric_keys(item: Mapping[str, Any]) -> list[str]:
    """The keys a card's metric is looked up by in a metrics file: its `key`, else
    `<name>.<split>` (splits nested under the metric), `<split>.<name>`, `<name>`."""
    key = item.get("key")
    if isinstance(key, str) and key:
        return [key]
    name, split = item.get("name"), item.get("split")
    keys = [f"{name}.{split}", f"{split}.{name}"] if isinstance(split, str) else []
    return [*keys, str(name)]


def find_metric(
    item: Mapping[str, Any], readings: Mapping[str, Reading]
) -> list[tuple[Values, str]]:
    """(file, key) of each readable metrics file that holds the card's metric."""
    found = []
    for reading in readings.values():
        if isinstance(reading, Values):
            key = next((k for k in metric_keys(item) if k in reading.leaves), None)
            if key is not None:
                found.append((reading, key))
    return found


def stage_params(stage: DvcStage) -> dict[str, tuple[Any, LockedParam]]:
    """The params a stage ran with, by dotted name (a section's values by
    `section.name`), with the dvc.lock entry that records each."""
    found: dict[str, tuple[Any, LockedParam]] = {}
    for param in stage.params:
        for name, _pointer, value in flatten({param.key: param.value}):
            found.setdefault(name, (value, param))
    return found


def yaml_text(value: Any) -> str | None:
    """How a scalar is written in YAML, or None for what is not one scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return "null"
    return value if isinstance(value, str) else None
