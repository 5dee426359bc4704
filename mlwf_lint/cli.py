"""argv → options → run → exit code. Nothing else lives here."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from mlwf_lint import __version__
from mlwf_lint.errors import UsageError
from mlwf_lint.findings import Severity, counted

if TYPE_CHECKING:
    from mlwf_lint.check.checker import CheckRequest
    from mlwf_lint.config import Config
    from mlwf_lint.findings import Report

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
COMMANDS = (
    "check", "demo", "rule", "schema", "init", "new", "install-hook", "export", "graph", "merge",
)  # fmt: skip
FORMAT_NAMES = ("text", "json", "sarif", "github", "gitlab", "junit", "markdown", "html")


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def _terminal_columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` gives it (COLUMNS, else
    standard output's terminal, else 80), without importing shutil: argparse makes a
    help formatter for every option it is given, and shutil's import (bz2, lzma with
    it) is ~4 ms of every run."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _Formatter(argparse.HelpFormatter):
    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        width = _terminal_columns() - 2 if width is None else width  # as argparse sizes it
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is a UsageError (one line, exit 2), not a
    usage dump followed by sys.exit; help sized without shutil (`_terminal_columns`)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(formatter_class=_Formatter, **options)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


def _codes(text: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    for code in codes:
        if not code.startswith("MLW") or not code[3:].isdigit() and code != "MLW":
            raise argparse.ArgumentTypeError(f"{code!r} is not a rule code or prefix like MLW3")
    return codes


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks")
    parser.add_argument("-q", "--quiet", action="store_true", help="findings only, no hints")
    parser.add_argument("--version", action="version", version=f"mlwf-lint {__version__}")


def _report_target(text: str) -> tuple[str, str]:
    name, equals, file = text.partition("=")
    if not equals or not file or name not in FORMAT_NAMES:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give FORMAT=FILE, FORMAT one of {', '.join(FORMAT_NAMES)}"
        )
    return name, file


def _check_parser() -> _Parser:
    parser = _Parser(
        prog="mlwf-lint",
        description="Check that an ML repository's model cards, data lineage records, "
        "rollback plans and decision records exist and agree with DVC and Git.",
        epilog="Other commands: `mlwf-lint init [PATH]`, `mlwf-lint new KIND ID`, "
        "`mlwf-lint rule [CODE]`, `mlwf-lint schema KIND`, `mlwf-lint demo [DIR]`. "
        "Exit codes: 0 clean, 1 findings, 2 usage or environment error.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="repository root, or files "
        "and folders to report on (default: the repository at the cwd)",
    )
    parser.add_argument("--format", choices=FORMAT_NAMES, default=None, help="report format")
    parser.add_argument("--output", type=Path, help="write the report to FILE, not stdout")
    parser.add_argument(
        "--report",
        action="append",
        type=_report_target,
        default=[],
        metavar="FORMAT=FILE",
        help="also write the report in FORMAT to FILE (`-`: stdout); repeatable, one run",
    )
    parser.add_argument("--baseline", type=Path, metavar="FILE",
                        help="report only findings this baseline does not hold")  # fmt: skip
    parser.add_argument("--write-baseline", type=Path, metavar="FILE",
                        help="record the findings in FILE (an existing one shrinks)")  # fmt: skip
    parser.add_argument("--force", action="store_true",
                        help="--write-baseline: also add new findings")  # fmt: skip
    parser.add_argument("--select", type=_codes, help="only these codes (prefixes allowed)")
    parser.add_argument("--ignore", type=_codes, default=(), help="skip these codes")
    parser.add_argument("--fail-on", choices=("error", "warning"), help="default: error")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    parser.add_argument("--statistics", action="store_true", help="count findings per code")
    parser.add_argument("--fix", action="store_true", help="apply safe fixes")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="with --fix or --diff: also fixes a reviewer must judge, "
                        "such as rewriting a recorded md5 from DVC")  # fmt: skip
    parser.add_argument("--diff", action="store_true", help="print the fixes; write nothing")
    parser.add_argument(
        "--base",
        metavar="REF",
        help="diff mode: only what the change since the merge base with REF introduces "
        "(default in a pre-commit pre-push run: the pushed range)",
    )
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the result cache in .git")  # fmt: skip
    parser.add_argument("--no-history", action="store_true",
                        help="skip the Git history rules (MLW4xx)")  # fmt: skip
    parser.add_argument("--check-data", action="store_true",
                        help="compare workspace data with DVC (MLW304; the dvc extra)")  # fmt: skip
    parser.add_argument("--config", type=Path, help="configuration file to use")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    _common(parser)
    return parser


class CheckOptions(NamedTuple):
    request: CheckRequest
    format: str = "text"
    output: Path | None = None
    exit_zero: bool = False
    color: str = "auto"
    quiet: bool = False
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    statistics: bool = False
    reports: tuple[tuple[str, str], ...] = ()  # --report FORMAT=FILE
    write_baseline: Path | None = None
    force: bool = False


def _use_color(choice: str, to_file: bool) -> bool:
    if choice != "auto":
        return choice == "always"
    if to_file or os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def run_check(options: CheckOptions) -> int:
    from mlwf_lint.check.checker import check
    from mlwf_lint.report import FORMATS, RenderOptions

    report = check(options.request)
    write_failed = False
    if options.fix or options.diff:
        from mlwf_lint.write.fix import apply_edits

        edits = [
            f.edit
            for f in report.report.findings
            if f.edit is not None and (f.edit.safe or options.unsafe_fixes)
        ]
        outcome = apply_edits(report.root, edits, write=not options.diff)
        for failure in outcome.failures:
            sys.stderr.write(f"mlwf-lint: error: {failure}\n")
        write_failed = bool(outcome.failures)
        if options.diff:
            sys.stdout.write(outcome.diff)
            if write_failed:
                return EXIT_USAGE
            return EXIT_FINDINGS if outcome.diff else EXIT_OK
        if outcome.fixed:
            sys.stderr.write(
                f"mlwf-lint: fixed {counted(outcome.fixed, 'finding')} "
                f"in {', '.join(outcome.files)}\n"
            )
            report = check(options.request)
    if options.write_baseline is not None:
        return _write_baseline(report.root, report.report, options)
    render = RenderOptions(
        color=_use_color(options.color, options.output is not None), quiet=options.quiet
    )
    if options.statistics:
        text = _statistics(report.report)
    else:
        text = FORMATS[options.format](report.report, render)
    _emit(text, options.output)
    for name, file in options.reports:  # the same report, other formats: no second run
        target = None if file == "-" else Path(file)
        plain = RenderOptions(color=False, quiet=options.quiet)
        _emit(FORMATS[name](report.report, plain), target)
    if write_failed:
        return EXIT_USAGE
    if options.exit_zero:
        return EXIT_OK
    worst = report.report.worst()
    return EXIT_FINDINGS if worst is not None and worst >= report.fail_on else EXIT_OK


def _emit(text: str, target: Path | None) -> None:
    """The report to stdout, or to a file written whole (temporary file, then rename)."""
    if target is None:
        sys.stdout.write(text)
        return
    from mlwf_lint.write.atomic import replace_text

    replace_text(target, text)


def _write_baseline(root: Path, report: Report, options: CheckOptions) -> int:
    from mlwf_lint.check import baseline

    file = options.write_baseline
    assert file is not None
    now = baseline.entries_of(report.findings)
    if file.exists() and not options.force:
        before = baseline.load(file, root)
        counts = baseline.shrunk(before, now)
        dropped = sum(before.counts.values()) - sum(counts.values())
        new = sum(now.values()) - sum(counts.values())
        _emit(baseline.to_text(counts), file)
        sys.stderr.write(
            f"mlwf-lint: {file}: {counted(dropped, 'resolved finding')} dropped, "
            f"{counted(sum(counts.values()), 'finding')} kept"
            + (f"; {new} new not added (--force adds them)" if new else "")
            + "\n"
        )
    else:
        _emit(baseline.to_text(now), file)
        sys.stderr.write(
            f"mlwf-lint: wrote {counted(sum(now.values()), 'finding')} "
            f"({len(now)} {'entry' if len(now) == 1 else 'entries'}) to {file}\n"
        )
    return EXIT_OK


def _statistics(report: Report) -> str:
    """`--statistics`: one line per code, most frequent first (as ruff prints them)."""
    titles = {r.code: r.title for r in report.rules}
    counts = Counter(f.code for f in report.findings)
    width = len(str(max(counts.values(), default=0)))
    return "".join(
        f"{count:>{width}}  {code}  {titles.get(code, '')}\n"
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def _existing(paths: list[str]) -> tuple[Path, ...]:
    """The PATH arguments, each of which must exist: a typo in a CI job must not pass
    as "nothing to check" (nor a mistyped command as a path)."""
    for given in paths:
        if not os.path.lexists(given):
            import difflib

            close = difflib.get_close_matches(given, COMMANDS, n=1)
            meant = f"; did you mean `mlwf-lint {close[0]}`?" if close else ""
            raise UsageError(f"{given}: no such file or folder{meant}")
    return tuple(Path(p) for p in paths)


def _main_check(argv: list[str]) -> int:
    args = _check_parser().parse_args(argv)
    from mlwf_lint.check.checker import CheckRequest

    return run_check(
        CheckOptions(
            CheckRequest(
                paths=_existing(args.paths) or (Path.cwd(),),
                config_file=args.config,
                select=args.select,
                ignore=args.ignore,
                fail_on=Severity.parse(args.fail_on) if args.fail_on else None,
                check_data=args.check_data,
                history=not args.no_history,
                # pre-commit sets these for pre-push (and `--from-ref/--to-ref`) runs
                base=args.base or os.environ.get("PRE_COMMIT_FROM_REF") or None,
                use_cache=not args.no_cache and not os.environ.get("MLWF_LINT_NO_CACHE"),
                baseline=args.baseline,
                use_baseline=args.write_baseline is None,
            ),
            format=args.format
            or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"),
            output=args.output,
            exit_zero=args.exit_zero,
            color=args.color,
            quiet=args.quiet,
            fix=args.fix,
            unsafe_fixes=args.unsafe_fixes,
            diff=args.diff,
            statistics=args.statistics,
            reports=tuple(args.report),
            write_baseline=args.write_baseline,
            force=args.force,
        )
    )


def _main_demo(argv: list[str]) -> int:
    parser = _Parser(
        prog="mlwf-lint demo",
        description="Make a small example ML repository (real Git history, DVC files, "
        "documents with a few deliberate faults) and lint it.",
    )
    parser.add_argument(
        "dir",
        nargs="?",
        type=Path,
        help="where to make it (default: a new temporary folder); must not exist or be empty",
    )
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    _common(parser)
    args = parser.parse_args(argv)
    from mlwf_lint.check.checker import CheckRequest
    from mlwf_lint.write.demo import make_demo

    folder = make_demo(args.dir)
    print(f"Made a demo ML repository in {folder}; linting it with `mlwf-lint {folder}`:\n")
    status = run_check(CheckOptions(CheckRequest((folder,)), color=args.color, quiet=args.quiet))
    print(
        f"\nThe demo's faults are deliberate: `mlwf-lint {folder}` exits {status} on them. "
        "Fix them in the documents and run it again."
    )
    return EXIT_OK


def _main_rule(argv: list[str]) -> int:
    parser = _Parser(prog="mlwf-lint rule", description="Explain a rule, or list all rules.")
    parser.add_argument("code", nargs="?", help="a rule code such as MLW102")
    _common(parser)
    args = parser.parse_args(argv)
    from mlwf_lint.rules import RULES

    if args.code is None:
        for code, rule in RULES.items():
            print(f"{code}  {rule.severity.label:<8} {rule.title}")
        return EXIT_OK
    explained = RULES.get(args.code.upper())
    if explained is None:
        raise UsageError(f"no rule {args.code!r}; `mlwf-lint rule` lists them")
    print(f"{explained.code} ({explained.severity.label}): {explained.title}\n\n{explained.doc}")
    return EXIT_OK


def _main_schema(argv: list[str]) -> int:
    from mlwf_lint.config import KINDS
    from mlwf_lint.facts.schemas import schema_path

    parser = _Parser(prog="mlwf-lint schema", description="Print a kind's JSON Schema.")
    parser.add_argument("kind", choices=(*KINDS, "config"))
    _common(parser)
    args = parser.parse_args(argv)
    sys.stdout.write(schema_path(args.kind).read_text(encoding="utf-8"))
    return EXIT_OK


def _repo_and_config(path: Path, config_file: Path | None) -> tuple[Path, Config]:
    from mlwf_lint.config import load_config
    from mlwf_lint.facts.sources import git

    root = git.find_root(path)
    return root, load_config(root, config_file)


def _main_init(argv: list[str]) -> int:
    parser = _Parser(
        prog="mlwf-lint init",
        description="Write .mlwf-lint.yaml and a document for every model artifact and "
        "source dataset found, pre-filled from DVC and Git. Never overwrites a file.",
    )
    parser.add_argument("path", nargs="?", type=Path, default=Path.cwd(), metavar="PATH")
    parser.add_argument("--config", type=Path)
    _common(parser)
    args = parser.parse_args(argv)
    from mlwf_lint.facts.repo import gather
    from mlwf_lint.write.scaffold import init_repository

    root, config = _repo_and_config(args.path, args.config)
    result = init_repository(gather(root, config))
    for path in result.written:
        print(f"wrote {path.relative_to(root).as_posix()}")
    for folder, rule in result.ignored:
        sys.stderr.write(
            f"mlwf-lint: warning: {folder}/ is ignored by Git ({rule}): what was written "
            f"there will be neither committed nor checked; add `!{folder}/` to .gitignore, "
            "or point the kind's glob elsewhere in .mlwf-lint.yaml\n"
        )
    for kept in result.kept:
        print(f"kept  {kept}")
    if not result.written:
        print("nothing to write: every model and source dataset already has its document")
    else:
        print("Fill in the TODOs, then run `mlwf-lint`.")
    return EXIT_OK


def _main_new(argv: list[str]) -> int:
    from mlwf_lint.config import KINDS

    parser = _Parser(prog="mlwf-lint new", description="Write one document from its template.")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("id", help="a slug id (a title for a decision record, or ADR-NNNN)")
    parser.add_argument("--config", type=Path)
    _common(parser)
    args = parser.parse_args(argv)
    from mlwf_lint.write.scaffold import new_document

    root, config = _repo_and_config(Path.cwd(), args.config)
    for path in new_document(root, config, args.kind, args.id):
        print(f"wrote {path.relative_to(root).as_posix()}")
    return EXIT_OK


def _main_install_hook(argv: list[str]) -> int:
    parser = _Parser(
        prog="mlwf-lint install-hook",
        description="Install mlwf-lint as a plain Git pre-commit hook (and pre-push), "
        "for teams without the pre-commit framework. Never overwrites a hook.",
    )
    parser.add_argument("--pre-push", action="store_true", help="also the pre-push hook")
    _common(parser)
    args = parser.parse_args(argv)
    from mlwf_lint.facts.sources import git
    from mlwf_lint.write.hooks_install import install

    root = git.find_root(Path.cwd())
    for line in install(root, ["pre-commit", *(["pre-push"] if args.pre_push else [])]):
        print(line)
    return EXIT_OK


def _main_export(argv: list[str]) -> int:
    parser = _Parser(
        prog="mlwf-lint export",
        description="Print a document in a format teams publish: a model card as a "
        "Hugging Face Hub card, a data lineage record as Croissant 1.0 JSON-LD. Read-only; "
        "no network.",
    )
    parser.add_argument("format", choices=("huggingface", "croissant"))
    parser.add_argument("id", help="the model card's or lineage record's id")
    parser.add_argument("--output", type=Path, help="write to FILE (whole, or not at all)")
    parser.add_argument("--path", type=Path, default=Path.cwd(), help="the repository")
    parser.add_argument("--config", type=Path)
    _common(parser)
    args = parser.parse_args(argv)
    from mlwf_lint.facts.repo import gather
    from mlwf_lint.write import export

    root, config = _repo_and_config(args.path, args.config)
    facts = gather(root, config._replace(history=False))
    make = export.huggingface_card if args.format == "huggingface" else export.croissant
    _emit(make(facts, args.id), args.output)
    return EXIT_OK


def _main_graph(argv: list[str]) -> int:
    parser = _Parser(
        prog="mlwf-lint graph",
        description="Draw the lineage — source datasets → stages → models — with the state "
        "of each dataset's and model's document (documented, stale, invalid, missing).",
    )
    parser.add_argument("path", nargs="?", type=Path, default=Path.cwd(), metavar="PATH")
    parser.add_argument("--format", choices=("mermaid", "dot", "json", "html"), default="mermaid")
    parser.add_argument("--output", type=Path, help="write to FILE (whole, or not at all)")
    parser.add_argument("--config", type=Path)
    _common(parser)
    args = parser.parse_args(argv)
    from mlwf_lint.check.checker import CheckRequest, check
    from mlwf_lint.graph import Graph
    from mlwf_lint.report import FORMATS, RenderOptions, graphs

    (path,) = _existing([str(args.path)])
    report = check(CheckRequest(paths=(path,), config_file=args.config)).report
    graph = report.graph or Graph()
    if args.format == "html":
        text = FORMATS["html"](report, RenderOptions())
    else:
        text = {"mermaid": graphs.to_mermaid, "dot": graphs.to_dot, "json": graphs.to_json}[
            args.format
        ](graph)
    _emit(text, args.output)
    return EXIT_OK


def _main_merge(argv: list[str]) -> int:
    parser = _Parser(
        prog="mlwf-lint merge",
        description="One page for many repositories from their JSON reports "
        "(`mlwf-lint --format json` in each repository's CI job).",
    )
    parser.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    parser.add_argument("--format", choices=("html", "markdown", "json"), default="html")
    parser.add_argument("--output", type=Path, help="write to FILE (whole, or not at all)")
    _common(parser)
    args = parser.parse_args(argv)
    from mlwf_lint.report import merge

    repositories = [merge.load(path) for path in args.reports]
    render = {"html": merge.to_html, "markdown": merge.to_markdown, "json": merge.to_json}
    _emit(render[args.format](repositories), args.output)
    return EXIT_OK


def _reader_gone() -> int:
    """Standard output's reader stopped reading (`mlwf-lint rule MLW402 | head`): nothing
    more to say and nothing to report — the status of a process SIGPIPE ended, as git's."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail again
    return 128 + 13


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args and args[0] in COMMANDS else "check"
    if args and args[0] in COMMANDS:
        args = args[1:]
    verbose = "-v" in args or "--verbose" in args
    handlers = {
        "check": _main_check,
        "demo": _main_demo,
        "rule": _main_rule,
        "schema": _main_schema,
        "init": _main_init,
        "new": _main_new,
        "install-hook": _main_install_hook,
        "export": _main_export,
        "graph": _main_graph,
        "merge": _main_merge,
    }
    try:
        status = handlers[command](args)
        if sys.stdout is not None:  # None: started with standard output closed
            sys.stdout.flush()  # here, where a reader gone (`| head`) can still be answered
        return status
    except BrokenPipeError:
        return _reader_gone()
    except _Exit as done:
        return done.status
    except UsageError as exc:
        if verbose:
            import traceback  # only for an internal error

            traceback.print_exc()
        sys.stderr.write(f"mlwf-lint: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("mlwf-lint: interrupted\n")
        return 130
    except Exception as exc:  # a bug of ours: one line, the traceback with -v
        if verbose:
            import traceback  # only for an internal error

            traceback.print_exc()
        sys.stderr.write(
            f"mlwf-lint: internal error: {type(exc).__name__}: {exc} "
            "(run with -v for the traceback, and please report it)\n"
        )
        return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
