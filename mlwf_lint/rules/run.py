"""MLW0xx — the run itself."""

from __future__ import annotations

from collections.abc import Iterator

from mlwf_lint.findings import Location, Severity, Violation
from mlwf_lint.repo import RepoFacts
from mlwf_lint.rules.base import rule


@rule("MLW002", Severity.WARNING, "file skipped")
def file_skipped(facts: RepoFacts) -> Iterator[Violation]:
    """A document or DVC file was not read: it is larger than `max-file-size`
    (default 1 MiB), binary, a symbolic link leading out of the repository, or
    unreadable. Nothing in it was checked.

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
            hint="shrink or fix the file, or raise max-file-size in the configuration",
        )
