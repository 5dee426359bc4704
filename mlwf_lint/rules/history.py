"""MLW4xx — documents agree with Git history."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from mlwf_lint.config import DESCRIBED_BY
from mlwf_lint.facts.documents import Document, described_path
from mlwf_lint.facts.history_facts import (
    HistoryFacts,
    by_id,
    card_for,
    decision_refs,
    plan_refs,
)
from mlwf_lint.facts.placeholders import is_placeholder
from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.facts.schema_errors import field_name
from mlwf_lint.facts.sources.history import Commit
from mlwf_lint.facts.values import Reading, find_metric
from mlwf_lint.findings import Location, Severity, Violation
from mlwf_lint.rules.base import rule

# what the schemas accept as a git ref; anything else is MLW202's to report
GIT_REF = re.compile(
    r"(?:[0-9a-f]{7,40}|(?![-./])(?!.*(?:\.\.|//|@\{|\.lock$|/$|\.$))[^\s~^:?*\[\\]+)"
)
DAY = 86_400


def _checkable(ref: object) -> bool:
    return isinstance(ref, str) and not is_placeholder(ref) and bool(GIT_REF.fullmatch(ref))


def _history(facts: RepoFacts) -> HistoryFacts | None:
    """The history facts, when there are any to trust."""
    history = facts.history
    return history if history is not None and history.unavailable is None else None


@rule("MLW401", Severity.ERROR, "referenced revision does not exist")
def missing_revision(facts: RepoFacts) -> Iterator[Violation]:
    """A Git reference a document gives — a rollback plan's `current.git_ref` and
    `fallback.git_ref`, a decision record's `commits` — names no commit in this
    repository: not a full or abbreviated SHA, not a tag (GTO tags such as
    `model@v1.2.0`, `model#prod#3` included). In a shallow clone this is not checked
    (MLW001): a tag may just not have been fetched.

    Fails:

        fallback: {version: "1.0.0", git_ref: churn-model@v0.9.0, md5: ...}   # no such tag

    Passes — `git tag churn-model@v1.0.0` exists:

        fallback: {version: "1.0.0", git_ref: churn-model@v1.0.0, md5: ...}
    """
    history = _history(facts)
    if history is None:
        return
    found: list[tuple[Document, tuple[str | int, ...], str]] = []
    for plan in facts.documents_of("rollback-plan"):
        found += [(plan, (side, "git_ref"), ref) for side, ref in plan_refs(plan)]
    for record in facts.documents_of("decision-record"):
        found += [(record, ("commits", i), ref) for i, ref in decision_refs(record)]
    for doc, where, ref in found:
        if _checkable(ref) and history.refs.get(ref) is None:
            yield Violation(
                "MLW401",
                f"{field_name(where)} {ref!r} names no commit or tag in this repository",
                doc.location(*where),
                hint="fix the ref, or push/fetch the tag (git fetch --tags)",
            )


@rule("MLW402", Severity.WARNING, "document older than what it describes")
def stale_document(facts: RepoFacts) -> Iterator[Violation]:
    """A model card or lineage record is older than what it describes: at its last
    commit W, the hash DVC records for its artifact or dataset, or (for a model) the
    code its training stage depends on (the stage's deps that DVC does not track), was
    not what HEAD holds. The finding names the newest commit of `W..HEAD` — the commits
    W does not have, by ancestry in the commit graph, never dates (rebases give commits
    one second; clocks drift) — that made the change: a merge when its content differs
    from every parent's (both sides combined, a conflict resolved, an edit while
    merging), else the branch's commit it brought. A change undone before HEAD, or a
    `.dvc` edit that keeps the hash, leaves the document current. A document with
    uncommitted changes is being updated and is not reported.
    Allow a lag with `staleness: {commits: N}` or `{days: N}` in the configuration.

    Fails — `src/train.py` changed after the card was last edited:

        a1b2c3d  Edit the churn model card      (docs/ml/models/churn-model.md)
        d4e5f6a  Tune the learning rate         (src/train.py, a dep of stage train)

    Passes — the card was re-reviewed in or after the commit that changed the model.
    """
    history = _history(facts)
    if history is None:
        return
    for doc in (*facts.documents_of("model-card"), *facts.documents_of("data-lineage")):
        written = history.written.get(doc.path)
        if written is None or doc.path in history.uncommitted:
            continue
        late = [
            (c, why)
            for c, why in history.behind.get(doc.path, ())
            if not _within_allowance(c, written, facts, history)
        ]
        if not late:
            continue
        commit, why = late[0]  # the newest
        yield Violation(
            "MLW402",
            f"last changed in {written.describe()}, but {commit.describe()} {why}",
            doc.location(DESCRIBED_BY[doc.kind], "path"),
            hint="re-review the document against that change and commit it",
        )


def _within_allowance(
    cause: Commit, written: Commit, facts: RepoFacts, history: HistoryFacts
) -> bool:
    """The lag a team allows: `staleness: {commits: N}` (the change is at most N
    commits ahead of the document) or `{days: N}` (the change's commit date is at most
    N days after the document's — dates only loosen, they never decide staleness)."""
    config = facts.config
    ahead = history.commits_ahead.get((cause.sha, written.sha))
    if config.staleness_commits and ahead is not None and ahead <= config.staleness_commits:
        return True
    return bool(config.staleness_days) and (
        cause.time <= written.time + config.staleness_days * DAY
    )


@rule("MLW403", Severity.ERROR, "rollback target does not hold the model")
def rollback_target(facts: RepoFacts) -> Iterator[Violation]:
    """A rollback plan's fallback cannot be rolled back to as written: its `git_ref`
    is not an ancestor of HEAD, or its `md5` is not the hash the model's `.dvc` file or
    `dvc.lock` records *at that revision*. `current.git_ref`, when given, must hold
    `current.md5` the same way. A fallback identical to the current model is a
    warning: rolling back would change nothing.

    Fails — at `churn-model@v1.0.0`, dvc.lock records the model as `3863d0e3…`:

        fallback: {version: "1.0.0", git_ref: churn-model@v1.0.0,
                   md5: e04df31a7a9b464a7356d5cf9d730d1f}

    Passes:

        fallback: {version: "1.0.0", git_ref: churn-model@v1.0.0,
                   md5: 3863d0e317dee0a55c4e59d2ec0eef33}
    """
    history = _history(facts)
    if history is None:
        return
    cards = by_id(facts.documents_of("model-card"))
    for plan in facts.documents_of("rollback-plan"):
        path = described_path(card_for(plan, cards))
        for side, ref in plan_refs(plan):
            sha = history.refs.get(ref)
            if not _checkable(ref) or sha is None:
                continue  # MLW202 / MLW401
            if side == "fallback" and not history.ancestors.get(sha, True):
                yield Violation(
                    "MLW403",
                    f"fallback.git_ref {ref!r} is not an ancestor of HEAD: this branch never "
                    "held that version",
                    plan.location(side, "git_ref"),
                    hint="roll back to a revision of this branch's history",
                )
            if path is not None and (ref, path) in history.recorded_at:
                yield from _holds(plan, side, ref, path, history)
        current, fallback = plan.get("current", "md5"), plan.get("fallback", "md5")
        shas = {side: history.refs.get(ref) for side, ref in plan_refs(plan)}
        same_revision = shas.get("current") is not None and shas.get("current") == shas.get(
            "fallback"
        )
        if (isinstance(current, str) and current == fallback) or same_revision:
            yield Violation(
                "MLW403",
                "the fallback is the current model: rolling back would change nothing",
                plan.location("fallback"),
                hint="name the last good version before the current one",
                lowered_to=Severity.WARNING,
            )


def _holds(
    plan: Document, side: str, ref: str, path: str, history: HistoryFacts
) -> Iterator[Violation]:
    recorded = history.recorded_at[(ref, path)]
    claimed = plan.get(side, "md5")
    if recorded is None:
        yield Violation(
            "MLW403",
            f"{side}.git_ref {ref!r} does not track {path} in DVC",
            plan.location(side, "git_ref"),
            hint="check the ref: the model was not in DVC at that revision",
        )
    elif isinstance(claimed, str) and not is_placeholder(claimed) and recorded.md5 != claimed:
        yield Violation(
            "MLW403",
            f"{side}.md5 {claimed[:8]}… is not the model at {ref}: {recorded.declared_in} "
            f"records {str(recorded.md5)[:8]}… there",
            plan.location(side, "md5"),
            hint=f"set {side}.md5 to what {ref} holds, or fix the ref",
        )


_FILE_NUMBER = re.compile(r"(?:.*/)?(\d{4})-[^/]*$")


@rule("MLW405", Severity.ERROR, "decision records inconsistent")
def decision_log(facts: RepoFacts) -> Iterator[Violation]:
    """The decision log does not hold together: two records share a number, numbers
    skip (0001, 0002, 0004), `supersedes`/`superseded_by` are not written on both
    records, or a superseded record's `status` is not `superseded`.

    Fails — ADR-0003 `supersedes: [ADR-0001]`, and ADR-0001 says nothing back.

    Passes — ADR-0001 has `status: superseded` and `superseded_by: [ADR-0003]`.
    """
    records = sorted(facts.documents_of("decision-record"), key=lambda d: d.path)
    numbered: dict[int, Document] = {}
    for record in records:
        match = _FILE_NUMBER.match(record.path)
        if match is None:
            continue
        number = int(match.group(1))
        if number in numbered:
            yield Violation(
                "MLW405",
                f"number {number:04d} is already used by {numbered[number].path}",
                record.location(),
                hint="renumber this record to the next free number",
            )
            continue
        if numbered and number - 1 not in numbered and number > min(numbered):
            yield Violation(
                "MLW405",
                f"numbering skips {number - 1:04d}",
                record.location(),
                hint="decision records are never deleted: restore the missing one, or renumber",
            )
        numbered[number] = record
    by_id = {r.id: r for r in records if r.id}
    for record in records:
        for field, back in (("supersedes", "superseded_by"), ("superseded_by", "supersedes")):
            for index, other_id in _ids(record.get(field)):
                other = by_id.get(other_id)
                if other is not None and record.id not in _id_list(other.get(back)):
                    yield Violation(
                        "MLW405",
                        f"{record.id} says {field} {other_id}, but {other_id} does not list "
                        f"{record.id} in {back}",
                        record.location(field, index)
                        if index is not None
                        else record.location(field),
                        hint=f"add {record.id} to {other_id}'s {back}",
                    )
        superseded = bool(_ids(record.get("superseded_by"))) or any(
            record.id in _id_list(r.get("supersedes")) for r in records
        )
        if superseded and record.get("status") != "superseded":
            yield Violation(
                "MLW405",
                f"{record.id} is superseded, but its status is {record.get('status')!r}",
                record.location("status"),
                hint="set status: superseded",
            )


def _id_list(value: object) -> list[str]:
    return [v for _, v in _ids(value)]


def _ids(value: object) -> list[tuple[int | None, str]]:
    if isinstance(value, str):
        return [(None, value)]
    if isinstance(value, list):
        return [(i, v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


@rule("MLW404", Severity.ERROR, "change alters a model or dataset, not its document")
def undocumented_change(facts: RepoFacts) -> Iterator[Violation]:
    """Diff mode (`--base REF`) only: the change gives a model or dataset a new DVC
    hash (a retrain, a `dvc add` of new data) but does not touch the model card or
    lineage record that describes it — the review would merge an undocumented change.

    Also when the change moves a metric the card reports (found in the DVC metrics
    files as MLW306 finds it) and leaves the card as it was: a retrain whose model is
    not DVC-tracked, or whose hash the card does not record, still changes its metrics.

    Fails — a branch that reruns `dvc repro` and commits only dvc.lock (and
    eval/metrics.json).

    Passes — the same branch also updates `docs/ml/models/<model>.md` (its md5, its
    metrics) and, for a deployed model, its rollback plan.
    """
    change = facts.change
    if change is None:
        return
    before = {o.path: o.md5 for o in change.base_outputs if o.md5}
    for doc in (*facts.documents_of("model-card"), *facts.documents_of("data-lineage")):
        if doc.path in change.changed:
            continue
        path = described_path(doc)
        output = facts.dvc.output_for(path) if path else None
        old = before.get(output.path) if output and output.path == path else None
        if output is not None and output.md5 and old is not None and old != output.md5:
            what = "model" if doc.kind == "model-card" else "dataset"
            yield Violation(
                "MLW404",
                f"this change gives {what} {path} a new hash ({old[:8]}… → "
                f"{output.md5[:8]}…) but does not update {doc.path}",
                Location.at(output.declared_in, output.position),
                hint=f"re-review {doc.path} (its md5, metrics, data) in this change",
            )
        elif doc.kind == "model-card":
            yield from _moved_metrics(facts, doc, change.base_metrics)


def _moved_metrics(
    facts: RepoFacts, card: Document, base: Mapping[str, Reading]
) -> Iterator[Violation]:
    items = card.get("metrics")
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        source = item.get("source")
        now = {p: r for p, r in facts.metrics_values.items() if source in (None, p)}
        then = {p: r for p, r in base.items() if source in (None, p)}
        found_now, found_then = find_metric(item, now), find_metric(item, then)
        if len(found_now) != 1 or len(found_then) != 1:
            continue
        (reading, key), (old, old_key) = found_now[0], found_then[0]
        new_value, old_value = reading.leaves[key], old.leaves[old_key]
        if reading.path != old.path or new_value == old_value:
            continue
        where = reading.positions.get(key)
        yield Violation(
            "MLW404",
            f"this change moves {item.get('split')} {item.get('name')} in {reading.path} "
            f"({old_value} → {new_value}) but does not update {card.path}",
            Location.at(reading.path, where),
            hint=f"re-review {card.path} (its metrics, md5) in this change",
        )
