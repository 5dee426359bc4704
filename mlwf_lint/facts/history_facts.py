"""What Git history says about the documents, gathered up front in a few batched git
calls so that the history rules only read facts: which refs exist, what DVC recorded
at a rollback plan's revisions, when each document and what it describes last
changed."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from mlwf_lint.facts.cache import NoCache, ResultCache
from mlwf_lint.facts.documents import (
    Document,
    described_path,
    model_cards,
    recorded_hashes,
)
from mlwf_lint.facts.listing import ANCESTRY_KEY, last_commits
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

Cause = tuple[Commit, str]  # a commit, and what it did


class HistoryFacts(NamedTuple):
    unavailable: str | None = None  # why history was not read (shallow clone, no commits)
    refs: Mapping[str, str | None] = MappingProxyType({})  # ref → SHA or None
    ancestors: Mapping[str, bool] = MappingProxyType({})  # SHA → is an ancestor of HEAD
    # (ref, DVC path) → what the declaring .dvc/dvc.lock recorded at that revision
    recorded_at: Mapping[tuple[str, str], DvcOutput | None] = MappingProxyType({})
    written: Mapping[str, Commit] = MappingProxyType({})  # document → its last commit
    uncommitted: frozenset[str] = frozenset()  # documents changed in the working tree
    # document → the changes its last commit has not seen, newest first (see
    # _changes_behind): content decides, ancestry names the commit, never dates
    behind: Mapping[str, tuple[Cause, ...]] = MappingProxyType({})
    # (DVC path, md5 a document records) → the commit that replaced that md5, recorded
    # as the path's legacy (DVC 2) hash, by the DVC 3 hash recorded now (a migration)
    legacy_values: Mapping[tuple[str, str], Commit] = MappingProxyType({})
    # (cause SHA, document's last commit SHA) → how many commits the cause is ahead
    commits_ahead: Mapping[tuple[str, str], int] = MappingProxyType({})
    # the GTO registry from the tags (read when there are model cards)
    registry: Mapping[str, RegistryArtifact] = MappingProxyType({})


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


def by_id(documents: Iterable[Document]) -> dict[str, Document]:
    """id → the first document with it (a duplicate id is MLW's to report elsewhere)."""
    found: dict[str, Document] = {}
    for doc in documents:
        if doc.id:
            found.setdefault(doc.id, doc)
    return found


def card_for(plan: Document, cards: Mapping[str, Document]) -> Document | None:
    """The model card a rollback plan's `model` names; `cards` from `by_id`."""
    model = plan.get("model")
    return cards.get(model) if isinstance(model, str) else None


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


class RefAnswers(NamedTuple):
    resolved: Mapping[str, str | None]  # ref → SHA or None
    known: Mapping[str, bool]  # fallback SHA → is an ancestor of HEAD, remembered
    ancestry: Callable[[], dict[str, bool]]  # the other fallbacks', once walked


def ask_refs(
    root: Path,
    head: str,
    documents: tuple[Document, ...],
    cache: ResultCache,
    walk: history.AncestryWalk | None = None,
) -> RefAnswers:
    """The refs the rollback plans and decision records name, resolved; for the plans'
    fallbacks, whether HEAD's history holds them: remembered, or from a walk that may go
    on to the root commit — `walk`, started before the documents were parsed, or one
    started here (`gather_history` waits for it last)."""
    plans = [d for d in documents if d.kind == "rollback-plan"]
    refs = {ref for plan in plans for _side, ref in plan_refs(plan)}
    refs |= {ref for d in documents if d.kind == "decision-record" for _i, ref in decision_refs(d)}
    resolved = history.resolve(root, refs)
    fallbacks = {
        sha
        for plan in plans
        for side, ref in plan_refs(plan)
        if side == "fallback" and (sha := resolved.get(ref)) is not None
    }
    remembered = _known_ancestors(root, head, cache)
    known = {sha: remembered[sha] for sha in fallbacks if sha in remembered}
    unknown = fallbacks - set(known)
    if walk is None:
        walk = history.AncestryWalk(root) if unknown else None
    answers = history.in_background(walk.holds, unknown) if walk else dict
    return RefAnswers(resolved, known, answers)


def gather_history(
    root: Path,
    head: str,
    documents: tuple[Document, ...],
    dvc: DvcFacts,
    cache: ResultCache | None = None,
    *,
    count_lag: bool = False,
    written: Callable[[], Mapping[str, Commit]] | None = None,
    refs: RefAnswers | None = None,
) -> HistoryFacts:
    """What history says of `documents` at `head` (a full clone's HEAD: the caller
    asked `history.head_state` whether history can be trusted here). `refs`: what
    `ask_refs` was asked of the same documents, earlier."""
    cache = cache or NoCache()
    plans = [d for d in documents if d.kind == "rollback-plan"]
    cards = by_id(model_cards(documents))
    # each batched question is its own git process: those that need no other answer
    # run beside the rest (warm, they are most of what is left)
    tags = history.in_background(history.tags, root) if cards else list
    resolved, known, ancestry = refs or ask_refs(root, head, documents, cache)

    reads: dict[tuple[str, str], tuple[str, str, str]] = {}  # (ref, path) → (sha, file, path)
    for plan in plans:
        path = described_path(card_for(plan, cards))
        output = dvc.output_for(path) if path else None
        for _side, ref in plan_refs(plan):
            sha = resolved.get(ref)
            if sha is not None and output is not None and path is not None:
                reads[(ref, path)] = (sha, recording_file(output), path)
    seen: dict[str, bytes] = {}  # blobs read this run: a plan's revision is often a card's W
    # beside the documents' walk
    plan_reads = history.in_background(_recorded_at, root, set(reads.values()), cache, seen)

    described = {
        d.path: output
        for d in documents
        if (p := described_path(d)) and (output := dvc.output_for(p)) and output.path == p
    }
    if written is not None:  # walked while the documents were parsed
        walked = written()
        last = {path: walked[path] for path in described if path in walked}
    else:
        last = last_commits(root, set(described), head, cache)
    uncommitted = history.in_background(history.changed_since, root, "HEAD", set(last))
    kinds = {d.path: d.kind for d in documents}
    anchored = {d: (kinds[d], out, last[d]) for d, out in described.items() if d in last}
    watched = _watched(anchored, dvc)
    # beside the plans' reads (on the monorepo each takes 0.15-0.3 s of git's time)
    ids = history.in_background(_watched_ids, root, head, anchored, watched, cache)
    recorded = plan_reads()
    recorded_at = {key: recorded[read] for key, read in reads.items()}
    behind = _changes_behind(root, head, anchored, watched, ids(), cache, seen)
    lag = {
        (cause.sha, last[doc].sha): history.count_between(root, last[doc].sha, cause.sha)
        for doc, causes in behind.items()
        for cause, _why in causes
        if count_lag
    }
    legacy_values = _legacy_values(root, documents, dvc)
    # last: the ancestry walk may go on to the root commit while all of the above is done
    ancestors = {**known, **ancestry()}
    cache.put(ANCESTRY_KEY, {"head": head, "answers": ancestors})
    return HistoryFacts(
        refs=resolved,
        ancestors=ancestors,
        recorded_at=recorded_at,
        written=last,
        uncommitted=frozenset(uncommitted()),
        behind=behind,
        legacy_values=legacy_values,
        commits_ahead=lag,
        registry=read_registry(tags()),
    )


class _Watched(NamedTuple):
    """What decides whether a document is behind, by document."""

    code: dict[str, list[str]]  # the code its training stage depends on (model cards)
    files: dict[str, str]  # the .dvc file or dvc.lock recording its output's hash


def _watched(documents: Mapping[str, tuple[str, DvcOutput, Commit]], dvc: DvcFacts) -> _Watched:
    return _Watched(
        {
            doc: producing_code(out, dvc) if kind == "model-card" else []
            for doc, (kind, out, _w) in documents.items()
        },
        {doc: recording_file(out) for doc, (_k, out, _w) in documents.items()},
    )


def _watched_ids(
    root: Path,
    head: str,
    documents: Mapping[str, tuple[str, DvcOutput, Commit]],
    watched: _Watched,
    cache: ResultCache,
) -> dict[tuple[str, str], str | None]:
    """(revision, path) → the object there, for each document's watched paths at its
    last commit W and at HEAD: one batched `cat-file --batch-check` (none warm)."""
    return _object_ids(
        root,
        {
            (rev, path)
            for doc, (_k, _o, w) in documents.items()
            for path in (*watched.code[doc], watched.files[doc])
            for rev in (w.sha, head)
        },
        cache,
    )


def _changes_behind(
    root: Path,
    head: str,
    documents: Mapping[str, tuple[str, DvcOutput, Commit]],
    watched: _Watched,
    ids: Mapping[tuple[str, str], str | None],
    cache: ResultCache,
    seen: dict[str, bytes],
) -> dict[str, tuple[Cause, ...]]:
    """document → the changes its last commit W has not seen, newest first: the hash
    DVC records for what it describes differs at W from HEAD's, or (a model card) a
    piece of code its training stage depends on (a dep DVC does not track) has other
    content at W than at HEAD. Content, not dates, decides; each change is then named
    by the newest commit of `W..HEAD` that made it — ancestry: a commit W holds is never
    named. A clean repository costs two batched `cat-file` calls, whatever its history,
    and none warm: what a commit holds never changes, so the answers are remembered.
    `ids`: `_watched_ids`'s answers."""
    code, files = watched
    revisions = {doc: (w.sha, head) for doc, (_k, _o, w) in documents.items()}
    # the recording file read only where it differs at W (often nowhere)
    moved = {d for d in documents if len({ids.get((rev, files[d])) for rev in revisions[d]}) > 1}
    records = _recorded_at(
        root,
        {
            (rev, files[d], out.path)
            for d, (_k, out, _w) in documents.items()
            if d in moved
            for rev in revisions[d]
        },
        cache,
        seen,
    )
    stale_code: dict[str, set[str]] = {}  # W → code paths changed since
    stale_hash: dict[tuple[str, str], set[str]] = {}  # (W, recording file) → md5s recorded since
    new_md5: dict[str, str] = {}  # document → the hash HEAD records that W did not
    for doc, (_kind, out, w) in documents.items():
        stale_code.setdefault(w.sha, set()).update(
            p for p in code[doc] if ids.get((w.sha, p)) != ids.get((head, p))
        )
        now, then = (records.get((rev, files[doc], out.path)) for rev in (head, w.sha))
        if doc in moved and now is not None and now.md5 and (then is None or then.md5 != now.md5):
            stale_hash.setdefault((w.sha, files[doc]), set()).add(now.md5)
            new_md5[doc] = now.md5
    named_code = {
        w: history.last_touches(root, paths, f"{w}..HEAD")
        for w, paths in stale_code.items()
        if paths
    }
    named_hash = {
        (w, file): _hash_introduced(root, file, md5s, f"{w}..HEAD")
        for (w, file), md5s in stale_hash.items()
    }
    behind: dict[str, tuple[Cause, ...]] = {}
    for doc, (_kind, out, w) in documents.items():
        causes: list[Cause] = []
        introduced = named_hash.get((w.sha, files[doc]), {})
        if doc in new_md5 and new_md5[doc] in introduced:
            why = f"changed the hash {out.declared_in} records for {out.path}"
            causes.append((introduced[new_md5[doc]], why))
        touches = named_code.get(w.sha, {})
        causes += [
            (touches[p], f"changed {p}, a dependency of stage {out.stage}")
            for p in code[doc]
            if p in touches and ids.get((w.sha, p)) != ids.get((head, p))
        ]
        if causes:
            # newest first: which to name is presentation, so the commit time may order
            # commits of different walks (staleness itself was decided by content)
            behind[doc] = tuple(sorted(causes, key=lambda cause: -cause[0].time))
    return behind


def _object_ids(
    root: Path, requests: set[tuple[str, str]], cache: ResultCache
) -> dict[tuple[str, str], str | None]:
    """(commit SHA, path) → the object there, or None; remembered: a commit's content
    never changes."""
    found: dict[tuple[str, str], str | None] = {}
    for sha, path in requests:
        if isinstance(entry := cache.get(f"id:{sha}:{path}"), str):
            found[(sha, path)] = entry or None
    for (sha, path), oid in history.object_ids(root, requests - set(found)).items():
        cache.put(f"id:{sha}:{path}", oid or "")
        found[(sha, path)] = oid
    return found


def _recorded_at(
    root: Path, requests: set[tuple[str, str, str]], cache: ResultCache, seen: dict[str, bytes]
) -> dict[tuple[str, str, str], DvcOutput | None]:
    """(commit SHA, .dvc file or dvc.lock, DVC path) → what that file recorded for the
    path in that commit (None: nothing); remembered, and each blob read once per run."""
    found: dict[tuple[str, str, str], DvcOutput | None] = {}
    for sha, file, path in requests:
        entry = cache.get(f"recorded:{sha}:{file}:{path}")
        if isinstance(entry, list) and len(entry) == 2:
            found[(sha, file, path)] = DvcOutput(path, file, md5=entry[0], hash_name=entry[1])
        elif entry == "nothing":
            found[(sha, file, path)] = None
    missing = requests - set(found)
    blobs = history.read_at(root, {(sha, file) for sha, file, _path in missing}, seen)
    for sha, file, path in missing:
        raw = blobs.get((sha, file))
        out = found[(sha, file, path)] = recorded_hash(file, raw, path) if raw is not None else None
        cache.put(f"recorded:{sha}:{file}:{path}", [out.md5, out.hash_name] if out else "nothing")
    return found


def _hash_introduced(root: Path, dvc_file: str, md5s: set[str], rev: str) -> dict[str, Commit]:
    """md5 → the newest commit of `rev` from which `dvc_file` records it: for a .dvc
    file (it records one output) its last change, for a dvc.lock the commit whose diff
    added the hash."""
    if is_dvc_file(dvc_file):
        last = history.last_touches(root, {dvc_file}, rev).get(dvc_file)
        return dict.fromkeys(md5s, last) if last is not None else {}
    return history.introducing_commits(root, dvc_file, md5s, rev)


def _legacy_values(
    root: Path, documents: tuple[Document, ...], dvc: DvcFacts
) -> dict[tuple[str, str], Commit]:
    """For a document md5 that differs from the DVC 3 hash recorded now: the commit that
    recorded the DVC 3 hash, when just before it the same file recorded the document's
    value as the path's legacy (DVC 2) hash — a migration, maybe of the same data. Any
    other mismatch is stale. Asked only for mismatching md5s (rare): per recording file,
    the commit that introduced the hash, then one batched read at those parents."""
    wanted: dict[str, dict[str, set[str]]] = {}  # file → DVC 3 md5 → document md5s
    for doc, where, path in recorded_hashes(documents):
        value = doc.get(*where)
        output = dvc.output_for(path)
        if not isinstance(value, str) or output is None or output.path != path:
            continue
        if output.hash_name == DVC3_HASH and output.md5 and value != output.md5:
            wanted.setdefault(recording_file(output), {}).setdefault(output.md5, set()).add(value)
    candidates: dict[tuple[str, str], tuple[str, Commit]] = {}  # (path, md5) → (file, C)
    for dvc_file, by_md5 in wanted.items():
        for md5, commit in _hash_introduced(root, dvc_file, set(by_md5), "HEAD").items():
            for output in dvc.outputs:
                if output.md5 == md5 and recording_file(output) == dvc_file:
                    candidates.update({(output.path, v): (dvc_file, commit) for v in by_md5[md5]})
    blobs = history.read_at(root, {(f"{c.sha}^", f) for f, c in candidates.values()})
    found: dict[tuple[str, str], Commit] = {}
    for (path, value), (dvc_file, commit) in candidates.items():
        raw = blobs.get((f"{commit.sha}^", dvc_file))
        before = recorded_hash(dvc_file, raw, path) if raw is not None else None
        if before and before.md5 == value and before.hash_name == LEGACY_HASH:
            found[(path, value)] = commit
    return found


def _known_ancestors(root: Path, head: str, cache: ResultCache) -> dict[str, bool]:
    """Ancestry answers remembered with the HEAD they were given for: all of them for
    the same HEAD; for a descendant (a hook run after a commit), the commits that were
    in its history, which still are."""
    entry = cache.get(ANCESTRY_KEY)
    if not isinstance(entry, dict) or not isinstance(entry.get("answers"), dict):
        return {}
    answers = {s: a for s, a in entry["answers"].items() if isinstance(a, bool)}
    if entry.get("head") == head:
        return answers
    if any(answers.values()) and history.is_ancestor(root, str(entry.get("head")), head):
        return {s: True for s, a in answers.items() if a}
    return {}
