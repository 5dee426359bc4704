"""One check, start to end: paths → repository → configuration → facts → rules →
report. The command line, the demo and the tests all come through here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mlwf_lint import __version__
from mlwf_lint.check.engine import run_rules
from mlwf_lint.config import load_config
from mlwf_lint.errors import UsageError
from mlwf_lint.facts.cache import NoCache, ResultCache, cache_dir
from mlwf_lint.facts.repo import gather, value_paths
from mlwf_lint.facts.sources import git
from mlwf_lint.findings import Finding, Report, RuleInfo, Severity


@dataclass(frozen=True)
class CheckResult:
    root: Path
    report: Report
    fail_on: Severity


def _report_scope(root: Path, paths: Sequence[Path]) -> tuple[str, ...] | None:
    """The repository-relative prefixes to report on; None means everything."""
    resolved_root = root.resolve()
    scope = []
    for path in paths:
        resolved = path.resolve()
        if not resolved.is_relative_to(resolved_root):
            raise UsageError(
                f"{path} is outside the repository at {root}; lint one repository per run"
            )
        scope.append(resolved.relative_to(resolved_root).as_posix())
    return None if "." in scope else tuple(scope)


def _in_scope(finding: Finding, scope: tuple[str, ...] | None) -> bool:
    path = finding.location.path
    if scope is None or path is None:
        return True
    return any(path == s or path.startswith(s + "/") for s in scope)


@dataclass(frozen=True)
class CheckRequest:
    """What to check and how (the command line's check options, less the output)."""

    paths: tuple[Path, ...]
    config_file: Path | None = None
    select: tuple[str, ...] | None = None  # replaces the configured list
    ignore: tuple[str, ...] = ()  # adds to it
    fail_on: Severity | None = None
    check_data: bool = False
    history: bool = True
    base: str | None = None  # diff mode
    use_cache: bool = True


def check(request: CheckRequest) -> CheckResult:
    from mlwf_lint.rules import RULES

    base = request.base
    root = git.find_root(request.paths[0])
    scope = _report_scope(root, request.paths)
    config = load_config(root, request.config_file).with_overrides(
        select=request.select,
        extend_ignore=request.ignore,
        fail_on=request.fail_on,
        check_data=request.check_data,
        history=request.history,
    )
    cache = ResultCache(cache_dir(root)) if request.use_cache else NoCache()
    if base is None:
        facts = gather(root, config, cache=cache)
        findings = run_rules(facts, RULES)
    else:
        from mlwf_lint.check import diff

        merge = diff.base_revision(root, base)
        changed = diff.changed_paths(root, merge)
        facts = gather(root, config, history_for=changed, cache=cache)
        evidence = facts.ml_code.path if facts.ml_code else None
        change, base_findings = diff.compare_with_base(
            root, config, merge, changed, evidence, cache, value_paths(facts.dvc)
        )
        facts = replace(facts, change=change)
        findings = diff.introduced(run_rules(facts, RULES), base_findings, change)
    findings = tuple(f for f in findings if _in_scope(f, scope))
    rules = tuple(RuleInfo(r.code, r.title, r.severity, r.doc) for r in RULES.values())
    report = Report(findings, facts.checked_files, __version__, rules)
    return CheckResult(root, report, config.fail_on)
