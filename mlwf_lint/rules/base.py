"""What a rule is: a code, a default severity, a title, documentation with a failing
and a passing example (its docstring), and a generator of violations over the facts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple, Protocol

from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.findings import Severity, Violation, clean_doc

Check = Callable[[RepoFacts], Iterable[Violation]]


class Rule(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def title(self) -> str: ...
    @property
    def docstring(self) -> str: ...
    @property
    def doc(self) -> str: ...
    def check(self, facts: RepoFacts) -> Iterable[Violation]: ...


class DeclaredRule(NamedTuple):
    code: str
    severity: Severity
    title: str
    docstring: str  # as written: `doc` is it cleaned, when something shows it
    run: Check

    @property
    def doc(self) -> str:
        return clean_doc(self.docstring)

    def check(self, facts: RepoFacts) -> Iterable[Violation]:
        return self.run(facts)


def rule(code: str, severity: Severity, title: str) -> Callable[[Check], DeclaredRule]:
    """Declare a rule; its function's docstring is the rule's documentation."""

    def declare(check: Check) -> DeclaredRule:
        return DeclaredRule(code, severity, title, check.__doc__ or "", check)

    return declare
