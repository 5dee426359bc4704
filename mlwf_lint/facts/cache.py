"""A per-repository cache of what does not change while a file's bytes do not: its
parse (data and positions) and its schema violations. Keyed by content hash, so it is
never stale; kept in the Git directory (never committed); written whole to a
temporary file and renamed, so racing runs each leave a complete cache and a broken
one is just ignored. A warm run on unchanged documents imports neither the YAML
parser nor jsonschema.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mlwf_lint import __version__
from mlwf_lint.facts.files import temporary_beside
from mlwf_lint.facts.parsing import Parsed, ParseProblem, parse_document

try:  # BLAKE2 built in: importing hashlib loads OpenSSL, ~6 ms of every run (BLAKE2 ~1 ms)
    from _blake2 import blake2b
except ImportError:  # a Python without it
    from hashlib import blake2b

CACHE_FILE = f"cache-{__version__}.json"


def digest(*parts: str | bytes) -> str:
    """A key for content: its parts' BLAKE2 hash (~0.5 GB/s, so a warm run's hashing
    costs less than the OpenSSL import it saves below ~5 MB of documents and DVC
    files)."""
    hashed = blake2b(digest_size=20)
    for part in parts:
        hashed.update(part if isinstance(part, bytes) else part.encode())
        hashed.update(b"\0")
    return hashed.hexdigest()


def cache_dir(git_folder: Path) -> Path:
    """Where the cache lives: in the Git folder the worktrees share, never committed."""
    return git_folder / "mlwf-lint"


def _to_json(result: Parsed | ParseProblem) -> dict[str, Any]:
    if isinstance(result, ParseProblem):
        return {"problem": [result.message, result.line0, result.col0]}
    return {
        "data": result.data,
        "values": result.values,
        "keys": result.keys,
        "body": result.body,
        "body_line0": result.body_line0,
        "numbers": result.numbers,
    }


def _from_json(entry: dict[str, Any]) -> Parsed | ParseProblem:
    if "problem" in entry:
        return ParseProblem(*entry["problem"])
    return Parsed(
        entry["data"],
        {k: (v[0], v[1]) for k, v in entry["values"].items()},
        {k: (v[0], v[1]) for k, v in entry["keys"].items()},
        entry["body"],
        entry["body_line0"],
        entry["numbers"],  # an entry from before numbers were kept: parsed again
    )


class ResultCache:
    """Loaded once per run; `save()` writes back only the entries this run used."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / CACHE_FILE if folder else None
        self.entries: dict[str, Any] = {}
        self.used: dict[str, Any] = {}
        self.parsed: dict[str, Parsed | ParseProblem] = {}  # this run's, never mutated
        self.dirty = False
        if self.path is not None:
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                self.entries = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self.entries = {}

    @staticmethod
    def key(*parts: str | bytes) -> str:
        return digest(*parts)

    def get(self, key: str) -> Any:
        if key in self.entries:
            self.used[key] = self.entries[key]
            return self.entries[key]
        return None

    def put(self, key: str, value: Any) -> None:
        if self.entries.get(key) != value:  # the same answer again: nothing to write
            self.dirty = True
        self.entries[key] = self.used[key] = value

    def parse(self, raw: bytes, suffix: str) -> Parsed | ParseProblem:
        key = self.key("parse", suffix, raw)
        if (seen := self.parsed.get(key)) is not None:
            return seen  # the same bytes again this run (diff mode reads most files twice)
        entry = self.get(key)
        if entry is not None:
            try:
                self.parsed[key] = _from_json(entry)
                return self.parsed[key]
            except (KeyError, TypeError, IndexError):
                pass
        result = self.parsed[key] = parse_document(raw, suffix)
        self.put(key, _to_json(result))
        return result

    def save(self) -> None:
        if self.path is None or (not self.dirty and len(self.used) == len(self.entries)):
            return
        temporary = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = temporary_beside(self.path)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                # dumps, not dump: only the one-shot encoder is the C one (3x faster)
                stream.write(json.dumps(self.used, separators=(",", ":")))
            os.replace(temporary, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs speed next time
        finally:
            if temporary is not None and os.path.exists(temporary):
                os.unlink(temporary)


class NoCache(ResultCache):
    def __init__(self) -> None:
        super().__init__(None)

    def parse(self, raw: bytes, suffix: str) -> Parsed | ParseProblem:
        return parse_document(raw, suffix)
