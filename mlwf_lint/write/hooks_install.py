"""`mlwf-lint install-hook`: put the plain Git hooks from hooks/ into the repository's
hooks folder (`.git/hooks`, or `core.hooksPath`), never over a hook that is there."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from mlwf_lint.errors import UsageError
from mlwf_lint.facts.schemas import shipped_dir
from mlwf_lint.write.atomic import write_new


def hooks_folder(root: Path) -> Path:
    done = subprocess.run(
        ["git", "rev-parse", "--git-path", "hooks"], cwd=root, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise UsageError(f"cannot find the Git hooks folder of {root}")
    return (root / done.stdout.strip()).resolve()


def install(root: Path, names: list[str]) -> list[str]:
    """Install the named hooks; returns one line of what happened per hook."""
    folder = hooks_folder(root)
    said = []
    for name in names:
        source = (shipped_dir("hooks") / name).read_text(encoding="utf-8")
        target = folder / name
        if target.exists():
            if target.read_text(encoding="utf-8", errors="replace") == source:
                said.append(f"{name}: already installed in {target}")
                continue
            raise UsageError(
                f"{target} exists and is not mlwf-lint's; not overwritten (add a line "
                f"running `mlwf-lint` to it, or move it away and run install-hook again)"
            )
        write_new(target, source)
        os.chmod(target, 0o755)
        said.append(f"{name}: installed {target}")
    return said
