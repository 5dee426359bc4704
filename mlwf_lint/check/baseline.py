"""The baseline: the findings a repository had when it adopted mlwf-lint, accepted so
that only new ones are reported (design §12). An entry is keyed on content — code,
file, field (JSON pointer), stable message (`findings.finding_key`), never a line —
and counts how many findings share its key. The file only shrinks: an entry that
matches nothing any more is MLW004, and `--write-baseline` on an existing file drops
what was resolved without adding anything new (unless forced)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlwf_lint.errors import UsageError
from mlwf_lint.findings import Finding, Location, Severity, finding_key

VERSION = 1
RESOLVED = "MLW004"
Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class Baseline:
    shown_as: str  # the file, as messages name it (relative to the repository if inside)
    counts: dict[Key, int] = field(default_factory=dict)
    lines: dict[Key, int] = field(default_factory=dict)  # 1-based line of each entry


def _shown(file: Path, root: Path) -> str:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(file)


def load(file: Path, root: Path) -> Baseline:
    """Read a baseline file; anything but one this version wrote is a UsageError."""
    shown = _shown(file, root)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"baseline {shown} does not exist (write it with --write-baseline)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read baseline {shown}: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"baseline {shown} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("tool") != "mlwf-lint":
        raise UsageError(f"{shown} is not an mlwf-lint baseline")
    if data.get("version") != VERSION:
        raise UsageError(
            f"baseline {shown} is version {data.get('version')!r}; this mlwf-lint reads "
            f"version {VERSION} (write it again with --write-baseline --force)"
        )
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise UsageError(f"baseline {shown}: `entries` must be a list")
    counts: dict[Key, int] = {}
    lines: dict[Key, int] = {}
    starts = _entry_lines(text)
    for index, entry in enumerate(entries):
        fields = ("code", "path", "pointer", "message")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) for f in fields):
            raise UsageError(f"baseline {shown}: entry {index} lacks {', '.join(fields)}")
        count = entry.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise UsageError(f"baseline {shown}: entry {index} has a count that is not ≥ 1")
        key = (entry["code"], entry["path"], entry["pointer"], entry["message"])
        counts[key] = counts.get(key, 0) + count
        if index < len(starts):
            lines.setdefault(key, starts[index])
    return Baseline(shown, counts, lines)


def _entry_lines(text: str) -> list[int]:
    """The 1-based line on which each entry of `entries` starts, as this module writes
    the file (one `{` per line at the entries' indentation)."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line == "        {"]


def entries_of(findings: Iterable[Finding]) -> Counter[Key]:
    return Counter(finding_key(f) for f in findings if f.code != RESOLVED)


def to_text(counts: Counter[Key]) -> str:
    """The baseline file: sorted and indented, so that a diff shows entries."""
    entries = [
        {"code": c, "path": p, "pointer": ptr, "message": m, "count": n}
        for (c, p, ptr, m), n in sorted(counts.items(), key=lambda kv: (kv[0][1], *kv[0]))
        if n > 0
    ]
    text = json.dumps(
        {"tool": "mlwf-lint", "version": VERSION, "entries": entries},
        indent=4,
        ensure_ascii=False,
    )
    return text + "\n"


def shrunk(existing: Baseline, now: Counter[Key]) -> Counter[Key]:
    """An existing baseline with what was resolved taken out; nothing added."""
    return Counter({k: min(n, now[k]) for k, n in existing.counts.items() if now[k] > 0})


def apply(
    findings: Sequence[Finding],
    baseline: Baseline,
    *,
    report_resolved: bool,
    judged: Iterable[Key] | None = None,
    severity: Severity = Severity.NOTICE,
) -> tuple[Finding, ...]:
    """The findings the baseline does not account for, plus one MLW004 per entry that
    matches fewer findings than it counts. `judged`: the entries this run can judge
    (codes enabled, files in scope); `report_resolved` is False in diff mode, where
    findings the change did not introduce are not there to match."""
    left = dict(baseline.counts)
    kept: list[Finding] = []
    matched: Counter[Key] = Counter()
    for finding in findings:
        key = finding_key(finding)
        if left.get(key, 0) > 0:
            left[key] -= 1
            matched[key] += 1
        else:
            kept.append(finding)
    if not report_resolved:
        return tuple(kept)
    can_judge = set(judged) if judged is not None else set(baseline.counts)
    for key, count in sorted(baseline.counts.items()):
        if key not in can_judge or matched[key] >= count:
            continue
        code, path, _pointer, message = key
        gone = (
            "resolved" if matched[key] == 0 else f"partly resolved ({matched[key]} of {count} left)"
        )
        kept.append(
            Finding(
                RESOLVED,
                severity,
                f"baseline entry {gone}: {code} {path or '(repository)'}: {message}",
                Location(baseline.shown_as, baseline.lines.get(key)),
                hint="`mlwf-lint --write-baseline FILE` shrinks the file (it never grows it)",
            )
        )
    return tuple(kept)
