"""Fixes: replace YAML scalars in place, keep every other byte, write atomically.

An edit replaces one scalar token at the position the parser recorded, in the quoting
it was written in; comments, key order, the rest of the front matter and the Markdown
body are never touched. Each edited file is parsed again and must hold exactly the
intended change before it is written, and it is written only if it still holds the
bytes that were read (temporary file in the same folder, then rename).
"""

from __future__ import annotations

import copy
import difflib
import os
import posixpath
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from mlwf_lint.facts.files import temporary_beside
from mlwf_lint.facts.parsing import Parsed, parse_document, parse_yaml, yaml_scalar
from mlwf_lint.findings import Edit

BOM = b"\xef\xbb\xbf"


@dataclass
class FixOutcome:
    fixed: int = 0
    files: list[str] = field(default_factory=list)
    diff: str = ""
    failures: list[str] = field(default_factory=list)


def _token_end(line: str, start: int) -> int:
    """Where the scalar token starting at `start` ends (exclusive)."""
    quote = line[start : start + 1]
    if quote == '"':
        index = start + 1
        while index < len(line):
            if line[index] == "\\":
                index += 2
                continue
            if line[index] == '"':
                return index + 1
            index += 1
        return len(line)
    if quote == "'":
        index = start + 1
        while index < len(line):
            if line[index] == "'":
                if line[index + 1 : index + 2] == "'":
                    index += 2
                    continue
                return index + 1
            index += 1
        return len(line)
    end = start
    while end < len(line) and line[end] not in ",]}\r\n" and not line.startswith(" #", end):
        end += 1
    while end > start and line[end - 1] in " \t":
        end -= 1
    return end


def _replacement(token: str, value: str) -> str:
    if token.startswith('"'):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if token.startswith("'"):
        return "'" + value.replace("'", "''") + "'"
    # plain stays plain when YAML reads the plain form back as the same text
    probe = parse_yaml(f"v: {value}\n")
    if isinstance(probe, Parsed) and probe.data == {"v": value}:
        return value
    return yaml_scalar(value)


def _plain_value(text: str) -> Any:
    probe = parse_yaml(f"v: {text}\n")
    if not isinstance(probe, Parsed) or not isinstance(probe.data, dict):
        raise ValueError(f"{text!r} is not a YAML scalar")
    return probe.data["v"]


def _set(data: Any, pointer: str, value: Any) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    for part in parts[:-1]:
        data = data[int(part)] if isinstance(data, list) else data[part]
    last = parts[-1]
    if isinstance(data, list):
        data[int(last)] = value
    else:
        data[last] = value


def edited_text(text: str, suffix: str, edits: Iterable[Edit]) -> str:
    """`text` with the edits applied, or raises ValueError when the result would not
    be exactly the intended change."""
    before = parse_document(text.encode("utf-8"), suffix)
    if not isinstance(before, Parsed):
        raise ValueError("it no longer parses")
    expected = copy.deepcopy(before.data)
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (e.line0, e.col0), reverse=True):
        if edit.line0 >= len(lines):
            raise ValueError("it changed since it was checked")
        line = lines[edit.line0]
        end = _token_end(line, edit.col0)
        token = line[edit.col0 : end]
        if token.strip("'\"") != edit.old_value:
            raise ValueError("it changed since it was checked")
        if edit.literal:
            written, value = edit.new_value, _plain_value(edit.new_value)
        else:
            written, value = _replacement(token, edit.new_value), edit.new_value
        lines[edit.line0] = line[: edit.col0] + written + line[end:]
        _set(expected, edit.pointer, value)
    result = "".join(lines)
    after = parse_document(result.encode("utf-8"), suffix)
    if not isinstance(after, Parsed) or after.data != expected:
        raise ValueError("the edit would change more than the fixed values")
    return result


def replace_file(path: Path, expected: bytes, new: bytes) -> None:
    """Write `new` over `path` atomically, keeping its mode; refuse when the file is
    read-only or no longer holds `expected` — also when another writer changes it
    while this one is under way: the original is first renamed aside (atomic), checked
    there, and `new` linked into place only if nothing new took the name meanwhile."""
    info = os.stat(path)
    if not info.st_mode & stat.S_IWUSR:
        raise OSError(f"{path} is read-only; not fixed")
    changed = OSError(f"{path} changed on disk while mlwf-lint ran; not fixed")
    if path.read_bytes() != expected:
        raise changed
    handle, temporary = temporary_beside(path)
    aside = Path(f"{temporary}.was")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(new)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        os.rename(path, aside)  # from here no other writer can replace what is checked
        try:
            if aside.read_bytes() != expected:
                raise changed
            _link_new(Path(temporary), path, changed)
        except BaseException:
            _link_new(aside, path, changed, quiet=True)  # the original back, unless replaced
            raise
    finally:
        for leftover in (temporary, aside):
            if os.path.lexists(leftover):
                os.unlink(leftover)


def _link_new(source: Path, target: Path, changed: OSError, quiet: bool = False) -> None:
    """Give `source` the name `target`, only if no file has that name now."""
    try:
        os.link(source, target)
    except FileExistsError:
        if not quiet:
            raise changed from None
    except OSError:  # a file system without hard links: check, then rename
        if target.exists():
            if not quiet:
                raise changed from None
            return
        os.replace(source, target)


def apply_edits(root: Path, edits: Iterable[Edit], *, write: bool) -> FixOutcome:
    """Apply the edits file by file; with write=False only compute the diff."""
    outcome = FixOutcome()
    diffs: list[str] = []
    for rel, group in groupby(sorted(edits, key=lambda e: e.path), key=lambda e: e.path):
        file_edits = list(group)
        path = root / rel
        try:
            raw = path.read_bytes()
            bom = raw.startswith(BOM)
            text = raw[len(BOM) :].decode("utf-8") if bom else raw.decode("utf-8")
            new_text = edited_text(text, posixpath.splitext(rel)[1], file_edits)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            outcome.failures.append(f"{rel}: not fixed: {exc}")
            continue
        diffs.append(
            "".join(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    new_text.splitlines(keepends=True),
                    fromfile=f"a/{rel}",
                    tofile=f"b/{rel}",
                )
            )
        )
        if write:
            try:
                replace_file(path, raw, (BOM if bom else b"") + new_text.encode("utf-8"))
            except OSError as exc:
                ours = str(exc).startswith(str(path))  # read-only, changed: already a sentence
                outcome.failures.append(
                    str(exc) if ours else f"{rel}: not fixed: {exc.strerror or exc}"
                )
                continue
        outcome.fixed += len(file_edits)
        outcome.files.append(rel)
    outcome.diff = "".join(diffs)
    return outcome
