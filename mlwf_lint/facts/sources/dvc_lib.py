"""What only the `dvc` library can tell (the `dvc` extra): workspace data against the
recorded hashes, and the instances of `foreach`/`matrix` stages over `${...}`.

Imported only on the paths that need it (`--check-data`, a templated dvc.yaml): the
import alone costs ~200 ms. DVC is kept from the network (no analytics). It writes only
inside its own git-ignored `.dvc/tmp`: `btime` (every DVC command does) and its site
cache of indexes (mlwf-lint-site-cache/, reused by the next run); with `--no-cache`
the site cache goes to a temporary folder outside the tree, removed afterwards.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlwf_lint.errors import UsageError
from mlwf_lint.facts.sources.dvc import is_dvc_file

INSTALL_HINT = "pip install 'mlwf-lint[dvc]'"


def available() -> bool:
    import importlib.util  # here: asked only for a templated dvc.yaml or --check-data

    return importlib.util.find_spec("dvc") is not None


def project_root(root: Path, path: str) -> Path:
    """The DVC project a repository path belongs to: the nearest folder at or above it
    holding a `.dvc` folder (`dvc init --subdir` projects), else the Git root."""
    folder = (root / path).parent
    while True:
        if (folder / ".dvc").is_dir():
            return folder
        if folder == root or root not in folder.parents:
            return root
        folder = folder.parent


@contextmanager
def _site_cache(project: Path, keep: bool) -> Iterator[None]:
    """Where DVC keeps its per-repository indexes: under the project's own `.dvc/tmp`
    (git-ignored by DVC, reused by the next run) — or, with `--no-cache`, a temporary
    folder outside the tree, removed afterwards. A DVC_SITE_CACHE_DIR the user set
    wins."""
    if os.environ.get("DVC_SITE_CACHE_DIR"):
        yield
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mlwf-lint-dvc-") as scratch:
        site = project / ".dvc" / "tmp" / "mlwf-lint-site-cache" if keep else Path(scratch)
        os.environ["DVC_SITE_CACHE_DIR"] = str(site)
        try:
            yield
        finally:
            del os.environ["DVC_SITE_CACHE_DIR"]


@contextmanager
def _dvc_repo(root: Path, project: Path | None = None, keep: bool = True) -> Iterator[Any]:
    """The dvc library's view of one DVC project (at `project`, default `root`)."""
    if not available():
        raise UsageError(f"--check-data needs the dvc library: {INSTALL_HINT}")
    project = project or root
    os.environ.setdefault("DVC_NO_ANALYTICS", "1")
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with _site_cache(project, keep), Repo(str(project)) as repo:
            yield repo
    except (DvcException, ImportError) as exc:  # ImportError: a remote's plugin is missing
        where = project.relative_to(root).as_posix() if project != root else str(root)
        raise UsageError(f"dvc could not read the DVC project at {where}: {exc}") from exc


def projects(root: Path, files: Iterable[str]) -> list[Path]:
    """Every DVC project that holds a DVC file of the repository: the Git root, or a
    `dvc init --subdir` folder (found as `project_root` finds it)."""
    found = {
        project_root(root, f)
        for f in files
        if is_dvc_file(f) or posixpath.basename(f) in ("dvc.yaml", "dvc.lock")
    }
    return sorted(p for p in found if (p / ".dvc").is_dir())


def modified_data(root: Path, files: Iterable[str] = (), keep: bool = True) -> tuple[str, ...]:
    """Tracked paths (from the repository root) whose working-tree content differs
    from the recorded hash, over every DVC project in the repository."""
    modified: list[str] = []
    for project in projects(root, files) or [root]:
        prefix = project.relative_to(root).as_posix() if project != root else ""
        with _dvc_repo(root, project, keep) as repo:
            status = repo.data_status(granular=False, not_in_remote=False)
        for path in status.get("uncommitted", {}).get("modified", []):
            rel = path.rstrip("/").replace(os.sep, "/")
            modified.append(posixpath.join(prefix, rel) if prefix else rel)
    return tuple(sorted(modified))


def stage_instances(
    root: Path, dvc_yamls: Iterable[str], keep: bool = True
) -> dict[str, dict[str, tuple[str, ...]]]:
    """For the templated stages of the given dvc.yaml files (paths from the repository
    root): stage address → {instance address → its outs, from the repository root},
    as DVC resolves them from dvc.yaml and params now (never from dvc.lock). Each DVC
    project is opened at its own root."""
    wanted = set(dvc_yamls)
    by_project: dict[Path, set[str]] = {}
    for dvc_yaml in wanted:
        by_project.setdefault(project_root(root, dvc_yaml), set()).add(dvc_yaml)
    instances: dict[str, dict[str, tuple[str, ...]]] = {}
    for project, yamls in sorted(by_project.items()):
        with _dvc_repo(root, project, keep) as repo:
            for stage in repo.index.stages:
                name = getattr(stage, "name", None)
                if not name or "@" not in name:
                    continue
                dvc_yaml = Path(stage.path).relative_to(root).as_posix()
                if dvc_yaml not in yamls:
                    continue
                prefix = "" if dvc_yaml == "dvc.yaml" else f"{dvc_yaml}:"
                outs = tuple(
                    Path(str(out.fs_path)).relative_to(root).as_posix() for out in stage.outs
                )
                base = prefix + name.split("@", 1)[0]
                instances.setdefault(base, {})[prefix + name] = outs
    return instances
