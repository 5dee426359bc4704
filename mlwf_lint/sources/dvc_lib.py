"""What only the `dvc` library can tell (the `dvc` extra): workspace data against the
recorded hashes, and the instances of `foreach`/`matrix` stages over `${...}`.

Imported only on the paths that need it (`--check-data`, a templated dvc.yaml): the
import alone costs ~200 ms. DVC is kept from the network (no analytics) and from
writing outside the repository (its site cache goes under .dvc/tmp).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlwf_lint.errors import UsageError

INSTALL_HINT = "pip install 'mlwf-lint[dvc]'"


def available() -> bool:
    return importlib.util.find_spec("dvc") is not None


@contextmanager
def _dvc_repo(root: Path) -> Iterator[Any]:
    if not available():
        raise UsageError(f"--check-data needs the dvc library: {INSTALL_HINT}")
    os.environ.setdefault("DVC_NO_ANALYTICS", "1")
    os.environ.setdefault("DVC_SITE_CACHE_DIR", str(root / ".dvc" / "tmp" / "mlwf-lint-site-cache"))
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo(str(root)) as repo:
            yield repo
    except DvcException as exc:
        raise UsageError(f"dvc could not read {root}: {exc}") from exc


def modified_data(root: Path) -> tuple[str, ...]:
    """Tracked paths whose working-tree content differs from the recorded hash."""
    with _dvc_repo(root) as repo:
        status = repo.data_status(granular=False, not_in_remote=False)
    modified = status.get("uncommitted", {}).get("modified", [])
    return tuple(sorted(path.rstrip("/").replace(os.sep, "/") for path in modified))


def stage_instances(root: Path) -> dict[str, tuple[str, ...]]:
    """Templated stage address → the addresses of its instances, as DVC resolves them."""
    instances: dict[str, list[str]] = {}
    with _dvc_repo(root) as repo:
        for stage in repo.index.stages:
            name = getattr(stage, "name", None)
            if not name or "@" not in name:
                continue
            dvc_yaml = Path(stage.path).relative_to(root).as_posix()
            prefix = "" if dvc_yaml == "dvc.yaml" else f"{dvc_yaml}:"
            instances.setdefault(prefix + name.split("@", 1)[0], []).append(prefix + name)
    return {base: tuple(names) for base, names in instances.items()}
