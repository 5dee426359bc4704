"""MLW0xx — the run itself."""

from __future__ import annotations

from collections.abc import Iterator

from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.findings import Location, Severity, Violation
from mlwf_lint.rules.base import rule

HISTORY_KINDS = ("model-card", "data-lineage", "rollback-plan", "decision-record")


@rule("MLW001", Severity.NOTICE, "history unavailable")
def history_unavailable(facts: RepoFacts) -> Iterator[Violation]:
    """Git history cannot be trusted here — a shallow clone, a repository with no
    commits yet, a partial clone (`--filter`) without the files of past revisions that
    the rules read (mlwf-lint never fetches them) — so the history rules (MLW401–MLW404)
    were skipped rather than give wrong answers (a tag "missing" only because it was not
    fetched). One notice per run, only when there are documents for those rules to check.

    Fails — `git clone --depth 1` of a documented repository, as CI checkouts are by
    default.

    Passes — a full clone (GitHub Actions: `actions/checkout` with `fetch-depth: 0`).
    """
    reason = facts.history.unavailable if facts.history is not None else None
    if reason is None or not any(d.kind in HISTORY_KINDS for d in facts.documents):
        return
    yield Violation("MLW001", f"history rules skipped: {reason}", Location(), hint=_hint(reason))


def _hint(reason: str) -> str:
    if "shallow" in reason:
        return (
            "fetch the full history, e.g. `git fetch --unshallow` or actions/checkout "
            "with fetch-depth: 0"
        )
    if "partial clone" in reason:
        return (
            "clone without --filter (actions/checkout: leave `filter` unset), with the full history"
        )
    if "no commits" in reason:
        return "commit, then run again"
    return "check the repository with `git fsck`"


@rule("MLW003", Severity.WARNING, "unused suppression")
def unused_suppression(facts: RepoFacts) -> Iterator[Violation]:
    """A `# mlwf-lint: disable=CODE` comment suppresses nothing: the problem was fixed
    and the comment stayed (as ruff's RUF100). The engine reports these after applying
    the comments, so this rule itself yields nothing.

    Fails:

        decisions: [ADR-0001]   # mlwf-lint: disable=MLW105

    Passes — the comment removed, or kept where MLW105 would fire:

        decisions: []           # mlwf-lint: disable=MLW105
    """
    return iter(())


@rule("MLW004", Severity.NOTICE, "baseline entry resolved")
def baseline_entry_resolved(facts: RepoFacts) -> Iterator[Violation]:
    """An entry of the baseline (`--baseline FILE`, or `baseline:` in the
    configuration) matches fewer findings than it counts: what it accepted was fixed.
    `mlwf-lint --write-baseline FILE` drops the resolved entries — the file only
    shrinks, so a fixed problem cannot come back unreported. Entries are matched on
    code, file, field and message (numbers that move, such as lines, left out), so
    moved lines keep them matched. Reported after the baseline is applied, by the
    check itself (not in diff mode, where unchanged findings are not there to match);
    this rule yields nothing.

    Fails — the baseline holds `MLW105 docs/ml/models/churn.md`, and the card now
    links a decision record.

    Passes — the same after `mlwf-lint --write-baseline mlwf-lint-baseline.json`.
    """
    return iter(())


@rule("MLW002", Severity.WARNING, "file skipped")
def file_skipped(facts: RepoFacts) -> Iterator[Violation]:
    """A document or DVC file was not read: it is larger than `max-file-size`
    (default 1 MiB), binary, reached through a symbolic link (to the file or to a
    folder on its path) that leads out of the repository, or unreadable. Nothing in it
    was checked; the hint says what to do for each cause.

    Fails — a 3 MiB model card:

        docs/ml/models/huge.md      (3 MiB of text)

    Passes — the same card within the limit, or a raised limit:

        # .mlwf-lint.yaml
        max-file-size: 4194304
    """
    for skipped in facts.skipped:
        yield Violation(
            "MLW002",
            f"not checked: {skipped.reason}",
            Location(skipped.path),
            hint=skipped.hint,
        )
