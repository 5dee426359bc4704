"""Small immutable records that cross every boundary: rule → engine → report."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import NamedTuple

from mlwf_lint.graph import Graph


class Severity(enum.IntEnum):
    """Ordered so that `severity >= threshold` reads naturally."""

    NOTICE = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


class Location(NamedTuple):
    """Where a finding sits. `line`/`column` are 1-based; this is the only place
    that promise is kept (parsers convert from their 0-based positions on entry)."""

    path: str | None = None
    line: int | None = None
    column: int | None = None
    pointer: str | None = None

    def label(self) -> str:
        """`path:line:col` as far as known; `(repository)` for a finding on no file."""
        parts = [self.path or "(repository)"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    @classmethod
    def at(
        cls, path: str, position: tuple[int, int] | None, pointer: str | None = None
    ) -> Location:
        """At a parser's 0-based (line0, col0) position, or the whole file if None."""
        line0, col0 = position if position else (None, None)
        return cls.from_zero_based(path, line0, col0, pointer)

    @classmethod
    def from_zero_based(
        cls, path: str, line0: int | None, col0: int | None, pointer: str | None = None
    ) -> Location:
        return cls(
            path=path,
            line=None if line0 is None else line0 + 1,
            column=None if col0 is None else col0 + 1,
            pointer=pointer,
        )


class Edit(NamedTuple):
    """A fix: put `new_text` in place of the YAML scalar that starts at the 0-based
    (line0, col0) of `path`, whose current value is `old_value`."""

    path: str
    pointer: str
    line0: int
    col0: int
    old_value: str
    new_value: str
    safe: bool
    # new_value is a YAML plain scalar written as it is (a number, true/false): the
    # value becomes what YAML reads it as, whatever the old token's quoting
    literal: bool = False


class Violation(NamedTuple):
    """What a rule yields: the fact. Severity is the engine's to decide; a rule may
    only ask for a lower one than its default for a weaker case (hashes that are not
    comparable, a rollback that would change nothing), and configured severities
    still win."""

    code: str
    message: str
    location: Location = Location()
    hint: str | None = None
    edit: Edit | None = None
    lowered_to: Severity | None = None


class Finding(NamedTuple):
    """A violation stamped by the engine with its configured severity."""

    code: str
    severity: Severity
    message: str
    location: Location
    hint: str | None = None
    edit: Edit | None = None

    @property
    def fix(self) -> str | None:
        """ "safe", "unsafe" or None, as the reports show it."""
        if self.edit is None:
            return None
        return "safe" if self.edit.safe else "unsafe"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path or "", loc.line or 0, loc.column or 0, self.code, self.message)


class RuleInfo(NamedTuple):
    """What a report says about a rule (SARIF lists them); formatters never import
    the rules themselves."""

    code: str
    title: str
    severity: Severity
    docstring: str  # as written

    @property
    def doc(self) -> str:
        return clean_doc(self.docstring)


def clean_doc(docstring: str) -> str:
    """A docstring without its indentation, as `help()` shows it (inspect is imported
    only when a rule's text is shown: SARIF, `mlwf-lint rule`)."""
    import inspect

    return inspect.cleandoc(docstring)


def counted(count: int, noun: str) -> str:
    """`1 file`, `2 files`, `0 errors`: how every report says a number of things."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


class Report(NamedTuple):
    """A run's outcome as every formatter gets it: the findings and what was checked."""

    findings: tuple[Finding, ...]
    files: tuple[str, ...]  # the files checked: documents and DVC files
    tool_version: str
    rules: tuple[RuleInfo, ...] = ()
    graph: Graph | None = None  # the lineage, for the formats that draw it
    repository: str | None = None  # its folder's name
    remote: str | None = None  # `origin`'s URL, when there is one

    @property
    def files_checked(self) -> int:
        return len(self.files)

    def tally(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)


# compiled on first use (re caches them): only baselines and fingerprints ask
_LINE_REF = r"(?<=\S)(\.[A-Za-z0-9]+|/|\w):\d+(?::\d+)?\b"
_HEX = r"\b(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b…?"
_DATE = r"\b\d{4}-\d{2}-\d{2}\b"
_COUNT = (
    r"\b\d+ (days?|commits?|files?|errors?|warnings?|notices?|more|entries|entry|"
    r"stages?|findings?|of \d+)\b"
)


def stable_message(message: str) -> str:
    """A message with what moves when nothing changed taken out — line references
    (`dvc.lock:13`), short SHAs and hashes, dates, counts — for keys that must survive
    moved lines, new commits and passing days."""
    message = re.sub(_LINE_REF, lambda m: m.group(1), message)
    message = re.sub(_HEX, "<hash>", message)
    message = re.sub(_DATE, "<date>", message)
    return re.sub(_COUNT, lambda m: "N " + m.group(1).split()[0], message)


def finding_key(finding: Finding) -> tuple[str, str, str, str]:
    """What identifies a finding across runs: its code, file, field (JSON pointer) and
    stable message — never its line."""
    return (
        finding.code,
        finding.location.path or "",
        finding.location.pointer or "",
        stable_message(finding.message),
    )


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """One fingerprint per finding, in order, distinct within the report and stable when
    lines move: its key (`finding_key`), plus the occurrence among findings that share
    it (the same placeholder in several sections). Used as GitLab's `fingerprint` and
    SARIF's `partialFingerprints`, and the baseline keys on the same."""
    import hashlib

    seen: dict[tuple[str, str, str, str], int] = {}
    out = []
    for finding in findings:
        key = finding_key(finding)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        text = "\0".join((*key, str(occurrence)))
        out.append(hashlib.sha256(text.encode()).hexdigest()[:32])
    return out
