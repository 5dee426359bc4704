"""The repository's files and HEAD, read first, and the history walks that the file
list alone decides, started at once: the last commits of the files that are model cards
or lineage records by their paths, and HEAD's history for the rollback plans'
fallbacks. In a fresh clone both may go far back, so they start before anything that
reads documents is even imported (see `checker.check`); `gather` takes their answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from mlwf_lint.config import DESCRIBED_BY, Config
from mlwf_lint.facts.cache import ResultCache
from mlwf_lint.facts.globs import matches_any
from mlwf_lint.facts.sources import git, history
from mlwf_lint.facts.sources.history import Commit

LAST_TOUCH_KEY = "history:last-touch"
ANCESTRY_KEY = "history:ancestors"


class Listing(NamedTuple):
    files: tuple[str, ...]  # sorted, less the configured exclusions
    kinds: Mapping[str, str]  # the files that are documents by their paths → their kinds
    head: str | None  # HEAD's SHA when history is read here
    unavailable: str | None  # why history is not read (shallow clone, no commits)
    written: Callable[[], dict[str, Commit]] | None  # document → its last commit, walking
    ancestry: history.AncestryWalk | None  # HEAD's history, walking for the fallbacks
    not_checked_out: frozenset[str] = frozenset()  # kept files a sparse checkout left out


def list_repository(
    root: Path,
    config: Config,
    cache: ResultCache,
    *,
    files: Iterable[str] | None = None,
    live: bool = True,
    walks: bool = True,
) -> Listing:
    """Git's file list (or `files`, a tree materialized from another revision, with
    `live=False`: no history there) and HEAD's state, asked side by side; with `walks`
    (not diff mode, where the change decides which documents history is asked for) the
    two walks are started."""
    with_history = config.history and live
    state = (
        history.in_background(history.head_state, root) if with_history else lambda: (None, None)
    )
    listed = git.listed(root) if files is None else git.Listed(tuple(files), frozenset())
    kept = tuple(sorted(f for f in listed.files if not matches_any(f, config.exclude)))
    sparse = listed.not_checked_out.intersection(kept)
    # one pass over the files (a glob match each: ~23 ms for 21,000 files)
    kinds = {f: kind for f in kept if (kind := config.kind_of(f)) is not None}
    head, unavailable = state()
    head = head if unavailable is None else None  # a shallow clone: no history is read
    if head is None or not walks:
        return Listing(kept, kinds, head, unavailable, None, None, sparse)
    described = {f for f, kind in kinds.items() if kind in DESCRIBED_BY}
    return Listing(
        kept,
        kinds,
        head,
        unavailable,
        history.in_background(last_commits, root, described, head, cache),
        _ancestry_walk(root, kinds, cache),
        sparse,
    )


def _ancestry_walk(
    root: Path, kinds: Mapping[str, str], cache: ResultCache
) -> history.AncestryWalk | None:
    """HEAD's history walked from the start of a run when a file is a rollback plan by
    its path and no ancestry is remembered at all (a fresh clone): the walk for the
    plans' fallbacks may go on to the root commit. With answers remembered — for this
    HEAD, or for its parent on the hook's next run — the plans' fallbacks are mostly
    answered, and `ask_refs` walks only for those that are not."""
    if isinstance(cache.get(ANCESTRY_KEY), dict):
        return None
    plans = "rollback-plan" in kinds.values()
    return history.AncestryWalk(root) if plans else None


def last_commits(root: Path, paths: set[str], head: str, cache: ResultCache) -> dict[str, Commit]:
    """Last commits of the documents `paths`, remembered with the HEAD they were read
    at: the same HEAD needs no `git log` at all, a descendant only the commits since (a
    hook run after a commit), anything else one full pass."""
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
            "found": {p: [c.sha, c.time, c.subject, c.depth] for p, c in found.items()},
        },
    )
    return found
