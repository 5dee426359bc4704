"""Runs the rules over the facts: decides which codes run, stamps each violation
with its configured severity, applies per-file ignores, sorts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mlwf_lint.config import Config
from mlwf_lint.facts.globs import matches
from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.findings import Finding, Location, Severity, Violation
from mlwf_lint.rules.base import Rule

UNUSED_DISABLE = "MLW003"


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
    findings = _apply_disables(facts, rules, findings)
    return tuple(sorted(set(findings), key=Finding.sort_key))


def _apply_disables(
    facts: RepoFacts, rules: Mapping[str, Rule], findings: list[Finding]
) -> list[Finding]:
    """Drop findings an inline `# mlwf-lint: disable=` covers; report each disabled
    code that covered nothing as MLW003, so stale suppressions do not pile up."""
    config = facts.config
    used: set[tuple[str, int, str]] = set()
    kept = []
    disables = {d.path: d.disables for d in facts.documents if d.disables}
    for finding in findings:
        path, line = finding.location.path, finding.location.line
        hit = next(
            (
                (path or "", comment, code)
                for target, comment, codes in disables.get(path or "", ())
                for code in codes
                if finding.code.startswith(code) and (target is None or target == line)
            ),
            None,
        )
        if hit is None:
            kept.append(finding)
        else:
            used.add(hit)
    unused_rule = rules.get(UNUSED_DISABLE)
    if unused_rule is None or not is_enabled(UNUSED_DISABLE, config):
        return kept
    for path, entries in disables.items():
        for _target, comment, codes in entries:
            for code in codes:
                active = any(c.startswith(code) and is_enabled(c, config) for c in rules)
                if (path, comment, code) in used or not active:
                    continue
                kept.append(
                    Finding(
                        UNUSED_DISABLE,
                        config.severity.get(UNUSED_DISABLE, unused_rule.severity),
                        f"disable={code} suppresses nothing here",
                        Location(path, comment, 1),
                        hint=f"remove {code} from the comment",
                    )
                )
    return kept
