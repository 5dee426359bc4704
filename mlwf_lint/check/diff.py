"""Diff mode (`--base REF`): what the change since the merge base of REF and HEAD
introduces. The base revision's documents and DVC files are read from Git (nothing is
checked out in the repository) into a temporary folder and checked there by the same
rules; a finding is reported only if the base did not have it."""

from __future__ import annotations

import os
import posixpath
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from mlwf_lint.config import CONFIG_FILE, Config
from mlwf_lint.errors import UsageError
from mlwf_lint.facts.cache import ResultCache
from mlwf_lint.facts.repo import (
    ChangeFacts,
    RepoFacts,
    gather,
    validated_in_change,
    value_paths,
)
from mlwf_lint.facts.sources import history
from mlwf_lint.facts.sources.dvc import is_dvc_file
from mlwf_lint.facts.values import Values
from mlwf_lint.findings import Finding

HISTORY_CODES = ("MLW4", "MLW001")


def _wanted_at_base(
    config: Config, ml_evidence: str | None, also: frozenset[str]
) -> Callable[[str], bool]:
    """Whether a file decides findings at the base: a document, a DVC file, the
    configuration, the file that showed ML code, `also`, or a file beside a team
    schema. Cheap tests first: it is asked of every file of the tree."""
    schema_folders = {posixpath.dirname(k.schema) for k in config.kinds.values() if k.schema}
    names = ("dvc.yaml", "dvc.lock", CONFIG_FILE)

    def wanted(path: str) -> bool:
        folder, _, name = path.rpartition("/")
        return (
            name in names
            or is_dvc_file(path)
            or path == ml_evidence
            or path in also
            or folder in schema_folders
            or config.kind_of(path) is not None
        )

    return wanted


def base_revision(root: Path, ref: str) -> str:
    if history.resolve(root, [ref]).get(ref) is None:
        raise UsageError(f"--base {ref}: no such revision here (fetch it first)")
    merge = history.merge_base(root, ref)
    if merge is None:
        raise UsageError(
            f"--base {ref}: no merge base with HEAD; in a shallow clone, fetch the full "
            "history (e.g. fetch-depth: 0)"
        )
    return merge


def facts_at(
    root: Path,
    config: Config,
    revision: str,
    here: RepoFacts,
    changed: frozenset[str],
    into: Path,
    cache: ResultCache | None = None,
) -> RepoFacts:
    """The facts of the repository as it was at `revision`, for the files that decide
    findings: documents, DVC files and the configuration, the file that showed ML code
    here (to see whether it did then), and the params and metrics files DVC names here.
    `here`: the facts of the working tree; `changed`: the paths changed since
    `revision`. Every other file is at `revision` as it is here, so it is linked into
    `into`, not read from Git (a change of 20 files in a 20,000-file tree reads 20 files
    from Git); when the change touched none of the files that decide findings, the facts
    here are the base's, less what only a live run knows (history, the workspace).
    Either way the base is what `gather(..., live=False)` of that tree gives."""
    is_wanted = _wanted_here(config, here)
    only = validated_in_change(config, changed)  # as here: see gather's validate_only
    if not any(map(is_wanted, changed)):  # the base reads the same bytes as here
        wanted_here = tuple(sorted(filter(is_wanted, here.files)))
        if _as_without_live(here):
            return here._replace(files=wanted_here, history=None, workspace_changes=None)
        return gather(root, config, files=wanted_here, live=False, cache=cache, validate_only=only)
    there = history.object_ids(root, {(revision, f) for f in changed})
    unchanged = [f for f in here.files if f not in changed]
    files = unchanged + [f for (_rev, f), oid in there.items() if oid is not None]
    wanted = set(filter(is_wanted, files))
    from_git = wanted.difference(unchanged).union(_link(root, wanted.intersection(unchanged), into))
    _materialize(root, revision, from_git, into)
    return gather(into, config, files=sorted(wanted), live=False, cache=cache, validate_only=only)


def _wanted_here(config: Config, here: RepoFacts) -> Callable[[str], bool]:
    evidence = here.ml_code.path if here.ml_code else None
    return _wanted_at_base(config, evidence, value_paths(here.dvc))


def same_as_here(config: Config, here: RepoFacts, changed: frozenset[str]) -> bool:
    """Whether the base's facts are the facts here for every rule but history's: the
    change touched none of the files that decide findings, here holds nothing only a
    live run knows, and no workspace comparison (which the base never has) was made.
    Then every finding here that is not history's stood at the base too — no rule needs
    to run there (history in diff mode watches only the documents the change touched:
    none, so no rule but history's — MLW4xx, MLW001 — reads anything from it)."""
    is_wanted = _wanted_here(config, here)
    return (
        not any(map(is_wanted, changed))
        and _as_without_live(here)
        and here.workspace_changes is None
    )


def _as_without_live(facts: RepoFacts) -> bool:
    """Whether these facts are what a run without the live sources (the dvc library,
    Git's HEAD for a metrics file not in the working tree, the whole file list for ML
    code) would read from the same files."""
    return (
        not facts.dvc.unexpanded
        and not facts.dvc.expanded_by_dvc
        and facts.ml_code is None
        and not any(isinstance(v, Values) and v.at_head for v in facts.metrics_values.values())
    )


def _link(root: Path, files: Iterable[str], into: Path) -> set[str]:
    """Hard-link regular files unchanged since the base into its tree; returns those
    that could not be (another file system, a symbolic link): Git has them too."""
    failed = set()
    for rel in files:
        source, target = root / rel, into / rel
        try:
            if not stat.S_ISREG(os.lstat(source).st_mode):
                raise OSError("not a regular file")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target, follow_symlinks=False)
        except OSError:
            failed.add(rel)
    return failed


def _materialize(root: Path, revision: str, files: Iterable[str], into: Path) -> None:
    try:
        found = history.read_at(root, ((revision, f) for f in files))
    except history.HistoryIncomplete as incomplete:
        raise UsageError(f"--base needs the files at {revision[:12]}: {incomplete}") from None
    for (_rev, rel), raw in found.items():
        if raw is None:
            continue
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)


def changed_paths(root: Path, merge: str) -> frozenset[str]:
    return frozenset(history.changed_since(root, merge))


def compare_with_base(
    root: Path,
    config: Config,
    merge: str,
    changed: frozenset[str],
    here: RepoFacts,
    cache: ResultCache | None = None,
) -> tuple[ChangeFacts, tuple[Finding, ...] | None]:
    """The change since the merge base, and the findings the base had (None: the base's
    facts are the facts here, see `same_as_here`, and no rule runs there); `here`: the
    facts of the working tree."""
    from mlwf_lint.check.engine import run_rules
    from mlwf_lint.rules import RULES

    if same_as_here(config, here, changed):
        return ChangeFacts(merge, changed, here.dvc.outputs, here.metrics_values), None
    with tempfile.TemporaryDirectory(prefix="mlwf-lint-base-") as folder:
        base = facts_at(root, config, merge, here, changed, Path(folder), cache)
        base_findings = run_rules(base, RULES)
    return ChangeFacts(merge, changed, base.dvc.outputs, base.metrics_values), base_findings


def _key(finding: Finding) -> tuple[str, str | None, str]:
    return (finding.code, finding.location.path, finding.message)


def introduced(
    findings: Iterable[Finding], base_findings: Iterable[Finding] | None, change: ChangeFacts
) -> tuple[Finding, ...]:
    """Findings the change brings: not present at the base; for history findings
    (which cannot be computed for the base), those on files the change touched.
    `base_findings` None: the base's facts are the facts here (`same_as_here`), so
    every other finding stood there."""
    before = None if base_findings is None else {_key(f) for f in base_findings}
    kept = []
    for finding in findings:
        if finding.code.startswith(HISTORY_CODES):
            path = finding.location.path
            if path is None or path in change.changed or finding.code == "MLW404":
                kept.append(finding)
        elif before is not None and _key(finding) not in before:
            kept.append(finding)
    return tuple(kept)
