"""What Git history says about the documents, gathered up front in a few batched git
calls so that the history rules only read facts: which refs exist, what DVC recorded
at a rollback plan's revisions, when each document and what it describes last
changed."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mlwf_lint.facts.cache import NoCache, ResultCache
from mlwf_lint.facts.documents import Document, described_path, model_cards, recorded_hashes
from mlwf_lint.facts.registry import RegistryArtifact, read_registry
from mlwf_lint.facts.sources import history
from mlwf_lint.facts.sources.dvc import (
    DVC3_HASH,
    LEGACY_HASH,
    DvcFacts,
    DvcOutput,
    is_dvc_file,
    recorded_hash,
)
from mlwf_lint.facts.sources.history import Commit


@dataclass(frozen=True)
class HistoryFacts:
    unavailable: str | None = None  # why history was not read (shallow clone, no commits)
    refs: Mapping[str, str | None] = field(default_factory=dict)  # ref → SHA or None
    ancestors: Mapping[str, bool] = field(default_factory=dict)  # SHA → is an ancestor of HEAD
    # (ref, DVC path) → what the declaring .dvc/dvc.lock recorded at that revision
    recorded_at: Mapping[tuple[str, str], DvcOutput | None] = field(default_factory=dict)
    touched: Mapping[str, Commit] = field(default_factory=dict)  # path → its last commit
    uncommitted: frozenset[str] = frozenset()  # paths changed in the working tree
    hash_changed: Mapping[str, Commit] = field(default_factory=dict)  # DVC path → commit
    # (DVC path, md5 a document records) → the commit that replaced that md5, recorded
    # as the path's legacy (DVC 2) hash, by the DVC 3 hash recorded now (a migration)
    legacy_values: Mapping[tuple[str, str], Commit] = field(default_factory=dict)
    # (cause SHA, document's last commit SHA) → whether the document's commit has the
    # cause in its history (ancestry, never dates)
    contains: Mapping[tuple[str, str], bool] = field(default_factory=dict)
    # the same pairs, when not contained: how many commits the cause is ahead
    commits_ahead: Mapping[tuple[str, str], int] = field(default_factory=dict)
    # the GTO registry from the tags (read when there are model cards)
    registry: Mapping[str, RegistryArtifact] = field(default_factory=dict)


def plan_refs(plan: Document) -> Iterable[tuple[str, str]]:
    """(side, ref) for a rollback plan's current and fallback git refs."""
    for side in ("current", "fallback"):
        ref = plan.get(side, "git_ref")
        if isinstance(ref, str):
            yield side, ref


def decision_refs(record: Document) -> Iterable[tuple[int, str]]:
    commits = record.get("commits")
    for index, ref in enumerate(commits if isinstance(commits, list) else ()):
        if isinstance(ref, str):
            yield index, ref


def card_for(plan: Document, cards: Iterable[Document]) -> Document | None:
    model = plan.get("model")
    return next((c for c in cards if model and c.id == model), None)


def recording_file(output: DvcOutput) -> str:
    """The file that records an output's hash: its .dvc file, or the dvc.lock beside
    the dvc.yaml that declares it (also while that lock is unreadable or lacks it)."""
    if posixpath.basename(output.declared_in) == "dvc.yaml":
        return posixpath.join(posixpath.dirname(output.declared_in), "dvc.lock")
    return output.declared_in


def producing_code(output: DvcOutput, dvc: DvcFacts) -> list[str]:
    """The dependencies of the stage that produces `output` that DVC does not track:
    the code (and configuration) whose change makes the output's document stale."""
    stage = dvc.stage_named(output.stage)
    if stage is None:
        return []
    return [d for d in stage.deps if dvc.output_for(d) is None]


def gather_history(
    root: Path,
    documents: tuple[Document, ...],
    dvc: DvcFacts,
    cache: ResultCache | None = None,
    *,
    count_lag: bool = False,
) -> HistoryFacts:
    head, reason = history.head_state(root)
    if reason is not None or head is None:
        return HistoryFacts(unavailable=reason)
    plans = [d for d in documents if d.kind == "rollback-plan"]
    cards = list(model_cards(documents))
    refs = {ref for plan in plans for _side, ref in plan_refs(plan)}
    refs |= {ref for d in documents if d.kind == "decision-record" for _i, ref in decision_refs(d)}
    resolved = history.resolve(root, refs)

    recorded_at: dict[tuple[str, str], DvcOutput | None] = {}
    reads: dict[tuple[str, str], tuple[str, str]] = {}  # (sha, file) → (ref, path)
    fallbacks: set[str] = set()
    for plan in plans:
        path = described_path(card_for(plan, cards))
        output = dvc.output_for(path) if path else None
        for side, ref in plan_refs(plan):
            sha = resolved.get(ref)
            if sha is None:
                continue
            if side == "fallback":
                fallbacks.add(sha)
            if output is not None and path is not None:
                reads[(sha, recording_file(output))] = (ref, path)
    ancestors = history.ancestors_of_head(root, fallbacks)
    blobs = history.read_at(root, reads)
    for (sha, dvc_file), (ref, path) in reads.items():
        raw = blobs.get((sha, dvc_file))
        recorded_at[(ref, path)] = recorded_hash(dvc_file, raw, path) if raw is not None else None

    described = {
        d.path: output
        for d in documents
        if (p := described_path(d)) and (output := dvc.output_for(p)) and output.path == p
    }
    watched = set(described)
    for output in described.values():
        watched.update(producing_code(output, dvc))
    # a .dvc file records one output: the commit that last changed it is the one that
    # changed its hash, so .dvc files ride on the same single log pass
    dvc_files = {o.declared_in for o in described.values() if is_dvc_file(o.declared_in)}
    touched = _last_touches(root, watched | dvc_files, head, cache or NoCache())
    hash_changed = _hash_changes(root, described.values(), touched)
    kinds = {d.path: d.kind for d in documents}
    pairs = {
        (cause.sha, touched[doc].sha)
        for doc, output in described.items()
        if doc in touched
        for cause, _why in changes_behind(kinds[doc], output, dvc, touched, hash_changed)
    }
    contains = _contains(root, pairs, cache or NoCache())
    lag = {
        pair: history.count_between(root, pair[1], pair[0])
        for pair, seen in contains.items()
        if not seen and count_lag
    }
    return HistoryFacts(
        refs=resolved,
        ancestors=ancestors,
        recorded_at=recorded_at,
        touched=touched,
        uncommitted=frozenset(history.changed_since(root, "HEAD")),
        hash_changed=hash_changed,
        legacy_values=_legacy_values(root, documents, dvc, hash_changed),
        contains=contains,
        commits_ahead=lag,
        registry=read_registry(history.tags(root)) if cards else {},
    )


def changes_behind(
    kind: str,
    output: DvcOutput,
    dvc: DvcFacts,
    touched: Mapping[str, Commit],
    hash_changed: Mapping[str, Commit],
) -> list[tuple[Commit, str]]:
    """The commits a document must have seen, each with what it did: the one from
    which DVC records its output's current hash, and for a model card the last change
    to each piece of code its training stage depends on."""
    causes = []
    if (changed := hash_changed.get(output.path)) is not None:
        causes.append((changed, f"changed the hash {output.declared_in} records for {output.path}"))
    if kind == "model-card":
        causes += [
            (touched[code], f"changed {code}, a dependency of stage {output.stage}")
            for code in producing_code(output, dvc)
            if code in touched
        ]
    return causes


def _legacy_values(
    root: Path,
    documents: tuple[Document, ...],
    dvc: DvcFacts,
    hash_changed: Mapping[str, Commit],
) -> dict[tuple[str, str], Commit]:
    """For a document md5 that differs from the DVC 3 hash recorded now: the commit that
    recorded the DVC 3 hash, when just before it the same file recorded the document's
    value as the path's legacy (DVC 2) hash — a migration, maybe of the same data. Any
    other mismatch is stale. One batched read of the files at those commits' parents."""
    candidates: dict[tuple[str, str], tuple[str, Commit]] = {}  # (path, md5) → (file, C)
    for doc, where, path in recorded_hashes(documents):
        value = doc.get(*where)
        output = dvc.output_for(path)
        if not isinstance(value, str) or output is None or output.path != path:
            continue
        changed = hash_changed.get(path)
        if output.hash_name == DVC3_HASH and output.md5 and value != output.md5 and changed:
            candidates[(path, value)] = (recording_file(output), changed)
    blobs = history.read_at(root, {(f"{c.sha}^", f) for f, c in candidates.values()})
    found: dict[tuple[str, str], Commit] = {}
    for (path, value), (dvc_file, commit) in candidates.items():
        raw = blobs.get((f"{commit.sha}^", dvc_file))
        before = recorded_hash(dvc_file, raw, path) if raw is not None else None
        if before and before.md5 == value and before.hash_name == LEGACY_HASH:
            found[(path, value)] = commit
    return found


LAST_TOUCH_KEY = "history:last-touch"


def _contains(
    root: Path, pairs: set[tuple[str, str]], cache: ResultCache
) -> dict[tuple[str, str], bool]:
    """Ancestry answers, remembered: whether one commit holds another never changes."""
    known: dict[tuple[str, str], bool] = {}
    for pair in pairs:
        answer = cache.get(f"ancestry:{pair[0]}:{pair[1]}")
        if isinstance(answer, bool):
            known[pair] = answer
    for pair, answer in history.contains(root, pairs - set(known)).items():
        cache.put(f"ancestry:{pair[0]}:{pair[1]}", answer)
        known[pair] = answer
    return known


def _last_touches(root: Path, paths: set[str], head: str, cache: ResultCache) -> dict[str, Commit]:
    """Last changes of `paths`, remembered with the HEAD they were read at: the same
    HEAD needs no `git log` at all, a descendant only the commits since (a hook run
    after a commit), anything else one full pass."""
    entry = cache.get(LAST_TOUCH_KEY)
    known = isinstance(entry, dict) and paths <= set(entry.get("searched", ()))
    if known and entry["head"] == head:
        found = {p: Commit(*entry["found"][p]) for p in paths if p in entry["found"]}
    elif known and history.is_ancestor(root, entry["head"], head):
        found = {p: Commit(*entry["found"][p]) for p in paths if p in entry["found"]}
        found.update(history.last_touches(root, paths, f"{entry['head']}..{head}"))
    else:
        found = history.last_touches(root, paths)
    cache.put(
        LAST_TOUCH_KEY,
        {
            "head": head,
            "searched": sorted(paths),
            "found": {p: [c.sha, c.time, c.subject, c.index] for p, c in found.items()},
        },
    )
    return found


def _hash_changes(
    root: Path, outputs: Iterable[DvcOutput], touched: Mapping[str, Commit]
) -> dict[str, Commit]:
    """DVC path → the commit from which its current hash has been recorded: the last
    change to its .dvc file, or the commit that added the hash to its dvc.lock."""
    by_file: dict[str, list[DvcOutput]] = {}
    changed: dict[str, Commit] = {}
    for output in outputs:
        if output.md5 and is_dvc_file(output.declared_in):
            if output.declared_in in touched:
                changed[output.path] = touched[output.declared_in]
        elif output.md5:
            by_file.setdefault(output.declared_in, []).append(output)
    for dvc_file, outs in by_file.items():
        added = history.introducing_commits(root, dvc_file, {o.md5 for o in outs if o.md5})
        for output in outs:
            if output.md5 in added:
                changed[output.path] = added[output.md5]
    return changed
