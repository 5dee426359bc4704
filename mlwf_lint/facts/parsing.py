"""YAML, JSON and Markdown front matter → plain data plus where every value sits.

Every parse returns a value: `Parsed` on success, `ParseProblem` when the text cannot
be understood (never an exception for any content). Positions are 0-based here and
made 1-based in `findings.Location` only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

Position = tuple[int, int]  # (line0, col0)

MAX_DEPTH = 256
MAX_EXPANDED_VALUES = 200_000


class ParseProblem(NamedTuple):
    message: str
    line0: int | None = None
    col0: int | None = None


class Parsed(NamedTuple):
    """A document's data, with the position of each value and each mapping key by
    JSON pointer ("" is the root). Markdown documents also carry their body."""

    data: Any
    values: Mapping[str, Position] = MappingProxyType({})
    keys: Mapping[str, Position] = MappingProxyType({})
    body: str | None = None
    body_line0: int = 0
    # pointer → a number as written, where that is not how Python writes its value
    numbers: Mapping[str, str] = MappingProxyType({})

    def position(self, pointer: str) -> Position | None:
        """The best place to point at for `pointer`: its value, else the nearest
        existing parent (a missing key is reported on the mapping that lacks it)."""
        while True:
            if pointer in self.values:
                return self.values[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    def key_position(self, pointer: str) -> Position | None:
        return self.keys.get(pointer) or self.position(pointer)


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class _TooComplex(Exception):
    pass


class _Duplicate(Exception):
    def __init__(self, key: str, line0: int, col0: int) -> None:
        super().__init__(key)
        self.key, self.line0, self.col0 = key, line0, col0


_compose: Any = None


def _yaml_composer() -> Any:
    """text → ruamel.yaml's node tree: with the C parser (ruamel.yaml.clib) when it is
    installed, the pure-Python one otherwise. Composing nodes keeps every value's mark
    (line and column) and skips ruamel's round-trip constructor, the slow part of
    loading. With the C parser, one loader class made once: `YAML.compose` makes a class
    and a constructor for every document (a third of composing 1000 small files)."""
    global _compose
    if _compose is None:
        from importlib.util import find_spec

        from ruamel.yaml import YAML

        if find_spec("_ruamel_yaml") is None:
            _compose = YAML(typ="safe", pure=True).compose
        else:
            from _ruamel_yaml import CParser  # type: ignore[import-not-found]

            # the C parser reads every document as YAML 1.2: one answer per scalar
            resolver = _remembering(YAML(typ="safe").Resolver)

            class Loader(CParser, resolver):  # type: ignore[misc,valid-type]
                def __init__(self, text: str) -> None:
                    CParser.__init__(self, text)
                    self._parser = self._composer = self
                    resolver.__init__(self, loadumper=self)

            def compose(text: str) -> Any:
                loader = Loader(text)
                try:
                    return loader.get_single_node()
                finally:
                    loader.dispose()

            _compose = compose
    return _compose


def _remembering(resolver: Any) -> Any:
    """ruamel's resolver with its answers remembered: it asks for the YAML version and
    tries up to a dozen patterns per scalar (40 % of composing); documents repeat the
    same keys and values, and the C parser fixes the version at 1.2. Its pattern table,
    rebuilt for each document, is built once."""
    from ruamel.yaml.nodes import ScalarNode

    class Remembering(resolver):  # type: ignore[misc]
        answers: dict[tuple[str, Any], Any] = {}
        patterns: dict[Any, Any] = {}  # version → first character → patterns, built once

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)  # ruamel makes a resolver per document
            self._version_implicit_resolver = self.patterns

        @property
        def processing_version(self) -> Any:
            # what ruamel works out for the C parser's loader each time it resolves a
            # scalar, through three failed attribute look-ups (a quarter of resolving)
            return (1, 2)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is not ScalarNode or self.yaml_path_resolvers or len(value) > 64:
                return super().resolve(kind, value, implicit)
            key = (value, tuple(implicit))
            if (tag := self.answers.get(key)) is None:
                tag = super().resolve(kind, value, implicit)
                if len(self.answers) < 100_000:  # bounded: a huge file of distinct values
                    self.answers[key] = tag
            return tag

    return Remembering


def decode(raw: bytes) -> str | ParseProblem:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line0 = before.count(b"\n")
        col0 = exc.start - (before.rfind(b"\n") + 1)
        return ParseProblem(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded", line0, col0
        )


def parse_yaml(text: str, line_offset: int = 0) -> Parsed | ParseProblem:
    """Parse one YAML (or JSON, which YAML 1.2 reads) document with positions."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if _flow_depth(text) > MAX_DEPTH:
        return ParseProblem(
            f"document nests deeper than {MAX_DEPTH} levels; not read", line_offset, 0
        )
    try:
        node = _yaml_composer()(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(p).strip() for p in (exc.context, exc.problem) if p)
        if mark is None:
            return ParseProblem(f"invalid YAML: {what}")
        return ParseProblem(f"invalid YAML: {what}", mark.line + line_offset, mark.column)
    except RecursionError:
        return ParseProblem("invalid YAML: nesting is too deep to read", line_offset, 0)
    except (YAMLError, ValueError, TypeError) as exc:
        return ParseProblem(f"invalid YAML: {exc}".splitlines()[0], line_offset, 0)
    converter = _Converter(line_offset)
    try:
        if "&" in text:  # only anchors let aliases expand a tree: else the converter's
            _check_size(node)  # own depth limit is the whole check
        data = converter.convert(node, "", (line_offset, 0))
    except _TooComplex as exc:
        return ParseProblem(str(exc), line_offset, 0)
    except _Duplicate as dup:
        return ParseProblem(
            f"invalid YAML: duplicate key {dup.key!r}", dup.line0 + line_offset, dup.col0
        )
    except RecursionError:
        return ParseProblem("invalid YAML: nesting is too deep to read", line_offset, 0)
    return Parsed(data, converter.values, converter.keys, numbers=converter.numbers)


def _flow_depth(text: str) -> int:
    """Deepest nesting of [ ] { }, found without parsing: the YAML reader recurses per
    level and takes seconds to fail on a 10,000-deep document, so it is refused first."""
    brackets = _NOT_BRACKET.sub("", text)
    if len(brackets) <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _children(node: Any) -> list[Any]:
    if node is None or not isinstance(node.value, list):
        return []
    if node.id == "mapping":
        return [part for pair in node.value for part in pair]
    return list(node.value)


def _check_size(node: Any) -> None:
    """Refuse documents whose aliases expand to a huge tree (a "billion laughs"),
    counting each shared node once so the check itself stays cheap."""
    sizes: dict[int, int] = {}

    def size(n: Any, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _TooComplex(f"document nests deeper than {MAX_DEPTH} levels")
        children = _children(n)
        if not children:
            return 1
        key = id(n)
        if key in sizes:
            if sizes[key] < 0:
                raise _TooComplex("document refers to itself through a YAML alias")
            return sizes[key]
        sizes[key] = -1
        total = 1 + sum(size(c, depth + 1) for c in children)
        if total > MAX_EXPANDED_VALUES:
            raise _TooComplex(
                f"document expands to more than {MAX_EXPANDED_VALUES} values through "
                "YAML aliases; not read"
            )
        sizes[key] = total
        return total

    size(node, 0)


_TAG = "tag:yaml.org,2002:"
_NULL, _BOOL, _INT, _FLOAT, _MERGE = (_TAG + t for t in ("null", "bool", "int", "float", "merge"))


def _scalar_value(node: Any) -> Any:
    """A scalar node's value by its resolved tag (YAML 1.2 core schema). Timestamps
    stay text: JSON Schema's "date" format reads text."""
    return _scalar(node.tag, node.value)


def _scalar(tag: str, text: str) -> Any:
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT:
        digits = text.replace("_", "")
        for base in (10, 0):
            try:
                return int(digits, base)
            except ValueError:
                continue
        return text
    if tag == _FLOAT:
        lowered = text.lower().replace("_", "")
        if lowered.lstrip("+-") in (".inf", ".nan"):
            return float(lowered.replace(".", ""))
        try:
            return float(lowered)
        except ValueError:
            return text
    return text


class _Converter:
    """Composed nodes → plain dict/list/str/int/float/bool/None, filling the position
    maps on the way (each shared node converted once)."""

    def __init__(self, line_offset: int) -> None:
        self.offset = line_offset
        self.done: dict[int, Any] = {}
        self.values: dict[str, Position] = {}
        self.keys: dict[str, Position] = {}
        self.numbers: dict[str, str] = {}

    def _mark(self, node: Any) -> Position:
        return (node.start_mark.line + self.offset, node.start_mark.column)

    def convert(self, node: Any, pointer: str, empty: Position, depth: int = 0) -> Any:
        """`empty`: where the value is when there is no node (an empty document)."""
        if depth > MAX_DEPTH:
            raise _TooComplex(f"document nests deeper than {MAX_DEPTH} levels")
        if node is None:
            self.values.setdefault(pointer, empty)
            return None
        self.values.setdefault(pointer, self._mark(node))
        if node.id == "scalar":
            value = _scalar_value(node)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and node.value != repr(value):  # `0.940`, `1e-3`: as written
                self.numbers[pointer] = node.value
            return value
        if id(node) in self.done:
            return self.done[id(node)]
        if node.id == "sequence":
            items: list[Any] = []
            self.done[id(node)] = items
            for index, item in enumerate(node.value):
                items.append(self.convert(item, f"{pointer}/{index}", empty, depth + 1))
            return items
        out: dict[str, Any] = {}
        self.done[id(node)] = out
        merged: list[Any] = []
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _MERGE:
                merged.append(value_node)
                continue
            name = _scalar(key_tag, key_node.value) if key_node.id == "scalar" else key_node.value
            name = name if isinstance(name, str) else str(name)
            if name in out:
                mark = key_node.start_mark
                raise _Duplicate(name, mark.line, mark.column)
            child = f"{pointer}/{escape_pointer_token(name)}"
            self.keys[child] = self._mark(key_node)
            out[name] = self.convert(value_node, child, empty, depth + 1)
        for source in merged:  # `<<: *base` fills in the keys not written here
            for base in source.value if source.id == "sequence" else [source]:
                value = self.convert(base, pointer, empty, depth + 1)
                if isinstance(value, dict):
                    for key, item in value.items():
                        out.setdefault(key, item)
        return out


def split_front_matter(text: str) -> tuple[str, int, str, int] | ParseProblem:
    """Markdown → (front matter text, its first line0, body, body's first line0)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        return ParseProblem(
            "no YAML front matter: the file must start with a '---' line, then the fields, "
            "then a closing '---' line",
            0,
            0,
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() in ("---", "..."):
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return front, 1, body, index + 1
    return ParseProblem("front matter opened on line 1 is never closed by a '---' line", 0, 0)


@lru_cache(maxsize=4096)
def parse_document(raw: bytes, suffix: str) -> Parsed | ParseProblem:
    """A document file's bytes → data with positions, by its suffix. Memoized: diff
    mode reads most files twice (now and at the base) with the same bytes; callers
    never mutate what it returns."""
    text = decode(raw)
    if isinstance(text, ParseProblem):
        return text
    if suffix.lower() in (".md", ".markdown"):
        split = split_front_matter(text)
        if isinstance(split, ParseProblem):
            return split
        front, front_line0, body, body_line0 = split
        parsed = parse_yaml(front, front_line0)
        if isinstance(parsed, ParseProblem):
            return parsed
        return Parsed(parsed.data, parsed.values, parsed.keys, body, body_line0, parsed.numbers)
    return parse_yaml(text)


_DISABLE = re.compile(r"#\s*mlwf-lint:\s*disable=([A-Za-z0-9_, ]+)")


def disable_comments(text: str, markdown: bool) -> list[tuple[int | None, int, tuple[str, ...]]]:
    """`# mlwf-lint: disable=CODE[,CODE]` comments as (line the codes are disabled on,
    or None for the whole file; the comment's own line; codes). Lines are 1-based.
    A comment at the top of a YAML document or front matter, before any field, covers
    the file; after a field on the same line, that line; alone on a line further
    down, the next line. In Markdown only the front matter is read."""
    lines = text.splitlines()
    if markdown:
        if not lines or lines[0].strip() != "---":
            return []
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
        span = range(1, end)
    else:
        span = range(len(lines))
    found: list[tuple[int | None, int, tuple[str, ...]]] = []
    seen_field = False
    for index in span:
        line = lines[index]
        match = _DISABLE.search(line)
        before = line[: match.start()].strip() if match else line.strip()
        if match is None:
            seen_field = seen_field or bool(before and not before.startswith("#"))
            continue
        codes = tuple(c.strip().upper() for c in match.group(1).split(",") if c.strip())
        if before:
            found.append((index + 1, index + 1, codes))
            seen_field = True
        elif not seen_field:
            found.append((None, index + 1, codes))
        else:
            found.append((index + 2, index + 1, codes))
    return found


_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def markdown_lines(body: str) -> list[tuple[int, str, bool]]:
    """(offset, line, inside a code fence) for each line of a Markdown body."""
    out = []
    fenced = False
    for offset, line in enumerate(body.splitlines()):
        if _FENCE.match(line):
            fenced = not fenced
            out.append((offset, line, True))
            continue
        out.append((offset, line, fenced))
    return out


def markdown_headings(body: str, body_line0: int) -> tuple[tuple[str, int], ...]:
    """(heading text, line0) of every ATX (`## Text`) and setext heading outside
    code fences."""
    headings = []
    previous: tuple[int, str] | None = None
    for offset, line, fenced in markdown_lines(body):
        if fenced:
            previous = None
            continue
        atx = _ATX.match(line)
        if atx:
            headings.append((atx.group(2), body_line0 + offset))
            previous = None
        elif _SETEXT.match(line) and previous and previous[1].strip():
            headings.append((previous[1].strip(), body_line0 + previous[0]))
            previous = None
        else:
            previous = (offset, line)
    return tuple(headings)


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./@-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def yaml_scalar(value: str) -> str:
    """A string as YAML that reads back as the same string (md5s that look like
    numbers and words like `no` are quoted)."""
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
