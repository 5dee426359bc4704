"""MLW2xx — document content."""

from __future__ import annotations

from collections.abc import Iterator

from mlwf_lint.findings import Location, Severity, Violation
from mlwf_lint.repo import RepoFacts
from mlwf_lint.rules.base import rule


@rule("MLW201", Severity.ERROR, "cannot parse")
def cannot_parse(facts: RepoFacts) -> Iterator[Violation]:
    """A document, `.dvc` file, `dvc.yaml` or `dvc.lock` cannot be read as YAML, JSON
    or Markdown front matter, or holds a value of the wrong type where DVC writes a
    mapping or a list. The finding gives the line and column.

    Fails — a duplicated key:

        ---
        id: churn-model
        id: churn-model-v2
        ---

    Passes:

        ---
        id: churn-model
        ---
    """
    for problem in facts.problems:
        yield Violation(
            "MLW201",
            problem.message,
            Location.from_zero_based(problem.path, problem.line0, problem.col0),
            hint="fix the file at that position; what could not be read there was not checked",
        )
