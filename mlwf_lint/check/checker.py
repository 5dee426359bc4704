"""One check, start to end: paths → repository → configuration → facts → rules →
report. The command line, the demo and the tests all come through here."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from mlwf_lint import __version__
from mlwf_lint.config import Config, load_config
from mlwf_lint.errors import UsageError
from mlwf_lint.facts.cache import NoCache, ResultCache, cache_dir
from mlwf_lint.facts.listing import list_repository
from mlwf_lint.facts.sources import git, history
from mlwf_lint.findings import Finding, Report, RuleInfo, Severity


class CheckResult(NamedTuple):
    root: Path
    report: Report
    fail_on: Severity


def _without_baseline(
    findings: tuple[Finding, ...],
    file: Path,
    root: Path,
    config: Config,
    scope: tuple[str, ...] | None,
    base: str | None,
) -> tuple[Finding, ...]:
    """The findings the baseline does not account for, and MLW004 for its entries
    this run can judge (codes enabled, files in scope, not diff mode) that match
    nothing any more. (Imported here: most runs have no baseline.)"""
    from mlwf_lint.check import baseline
    from mlwf_lint.check.engine import is_enabled

    loaded = baseline.load(file, root)
    judged = {
        key
        for key in loaded.counts
        if is_enabled(key[0], config)
        and (scope is None or any(key[1] == s or key[1].startswith(s + "/") for s in scope))
    }
    kept = baseline.apply(
        findings,
        loaded,
        report_resolved=base is None and is_enabled(baseline.RESOLVED, config),
        judged=judged,
        severity=config.severity.get(baseline.RESOLVED, Severity.NOTICE),
    )
    return tuple(sorted(kept, key=Finding.sort_key))


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


class CheckRequest(NamedTuple):
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
    baseline: Path | None = None  # --baseline: replaces the configured one
    use_baseline: bool = True  # False while --write-baseline records every finding


def check(request: CheckRequest) -> CheckResult:
    base = request.base
    location = git.locate(request.paths[0])
    root = location.root
    scope = _report_scope(root, request.paths)
    config = load_config(root, request.config_file).with_overrides(
        select=request.select,
        extend_ignore=request.ignore,
        fail_on=request.fail_on,
        check_data=request.check_data,
        history=request.history,
    )
    cache = ResultCache(cache_dir(location.common)) if request.use_cache else NoCache()
    # a fresh clone's history walks may be the longest part of the run: they start
    # before what reads the documents and runs the rules is imported (a third of the
    # start-up), not after it
    listing = list_repository(root, config, cache) if base is None else None
    from mlwf_lint.check.engine import run_rules
    from mlwf_lint.check.lineage import build_graph
    from mlwf_lint.facts.repo import gather
    from mlwf_lint.rules import RULES

    if base is None:
        facts = gather(root, config, listing, cache=cache)
        findings = run_rules(facts, RULES)
    else:
        from mlwf_lint.check import diff

        merge = diff.base_revision(root, base)
        # a fresh clone's first working-tree comparison reads every file (racy index
        # entries): it runs while the files are read and parsed here
        changed_paths = history.in_background(diff.changed_paths, root, merge)
        facts = gather(root, config, changed_paths=changed_paths, cache=cache)
        changed = changed_paths()
        change, base_findings = diff.compare_with_base(root, config, merge, changed, facts, cache)
        facts = facts._replace(change=change)
        findings = diff.introduced(run_rules(facts, RULES), base_findings, change)
    cache.save()  # once, after the base too: what both runs read (cold: one write, not two)
    findings = tuple(f for f in findings if _in_scope(f, scope))
    baseline_file = request.baseline or (root / config.baseline if config.baseline else None)
    if baseline_file is not None and request.use_baseline:
        findings = _without_baseline(findings, baseline_file, root, config, scope, base)
    rules = tuple(RuleInfo(r.code, r.title, r.severity, r.docstring) for r in RULES.values())
    report = Report(
        findings,
        facts.checked_files,
        __version__,
        rules,
        graph=build_graph(facts, findings),
        repository=root.resolve().name,
        remote=git.remote_url(root),
    )
    return CheckResult(root, report, config.fail_on)
