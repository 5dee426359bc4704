"""The floor under case 2's cold figure: what any run of mlwf-lint does before it can
answer, with nothing else — the interpreter, the modules a check imports, the file list
and HEAD, and the two history walks the history rules need, side by side as a check
runs them: the documents' last commits, and HEAD's ancestry walked to the end (as a
rollback plan whose fallback is the root commit makes it, in case 2). No document is
read, no rule runs. Run in a repository's root; the bench runs it in fresh clones."""

from __future__ import annotations

from pathlib import Path

from mlwf_lint.config import load_config
from mlwf_lint.facts.cache import NoCache
from mlwf_lint.facts.listing import list_repository
from mlwf_lint.facts.sources import git


def main() -> None:
    root = git.locate(Path.cwd()).root
    listing = list_repository(root, load_config(root, None), NoCache())
    # what a check imports once the walks are under way (checker.check)
    import mlwf_lint.check.engine  # noqa: F401
    import mlwf_lint.check.lineage  # noqa: F401
    import mlwf_lint.facts.repo  # noqa: F401
    import mlwf_lint.rules  # noqa: F401

    if listing.written is not None:
        listing.written()
    if listing.ancestry is not None:
        listing.ancestry.holds(["0" * 40])  # never seen: the walk goes on to the root commit


if __name__ == "__main__":
    main()
