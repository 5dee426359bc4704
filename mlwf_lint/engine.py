"""Runs the rules over the facts: decides which codes run, stamps each violation
with its configured severity, applies per-file ignores, sorts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mlwf_lint.config import Config
from mlwf_lint.findings import Finding, Severity, Violation
from mlwf_lint.globs import matches
from mlwf_lint.repo import RepoFacts
from mlwf_lint.rules.base import Rule


def _matches_code(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(p) for p in prefixes)


def is_enabled(code: str, config: Config) -> bool:
    if config.select and not _matches_code(code, config.select):
        return False
    return not _matches_code(code, config.ignore)


def _ignored_in_file(violation: Violation, config: Config) -> bool:
    path = violation.location.path
    if path is None:
        return False
    return any(
        matches(path, glob) and _matches_code(violation.code, codes)
        for glob, codes in config.per_file_ignores
    )


def _severity(configured: Severity | None, violation: Violation, rule: Rule) -> Severity:
    # Severity.NOTICE is 0: compare with None, never rely on truthiness
    if configured is not None:
        return configured
    return violation.lowered_to if violation.lowered_to is not None else rule.severity


def run_rules(facts: RepoFacts, rules: Mapping[str, Rule]) -> tuple[Finding, ...]:
    config = facts.config
    findings: list[Finding] = []
    for code, rule in rules.items():
        if not is_enabled(code, config):
            continue
        configured = config.severity.get(code)
        for violation in rule.check(facts):
            if violation.code != code:
                raise AssertionError(f"rule {code} yielded {violation.code}")
            if _ignored_in_file(violation, config):
                continue
            findings.append(
                Finding(
                    code=code,
                    severity=_severity(configured, violation, rule),
                    message=violation.message,
                    location=violation.location,
                    hint=violation.hint,
                    edit=violation.edit,
                )
            )
    return tuple(sorted(set(findings), key=Finding.sort_key))
