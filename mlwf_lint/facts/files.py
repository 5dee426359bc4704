"""Reading a repository file safely: never past a size limit, never through a
symbolic link that leaves the repository, never blocking on a special file. And the
new temporary file every atomic write (`write/atomic.py`, the cache) starts from."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

BINARY_SNIFF_BYTES = 8192


def temporary_beside(path: Path) -> tuple[int, str]:
    """A new file beside `path`, open for writing, made as `tempfile.mkstemp` makes one
    (exclusively created, mode 0600, a random name), without importing tempfile (with
    shutil, random, bz2 and lzma: ~7 ms of every run that writes its cache). The caller
    removes it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    while True:
        name = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:  # 2**48 names: another writer's, try the next
            continue


class Skipped(NamedTuple):
    """A file the run did not read, and why (reported as MLW002)."""

    path: str
    reason: str
    hint: str = "the file was not checked"


_OUTSIDE_HINT = (
    "keep documents and DVC files inside the repository (a link to a place outside "
    "would differ on every machine), or exclude the path"
)
_TOO_BIG_HINT = "shrink the file, or raise max-file-size in the configuration"


@lru_cache(maxsize=8)
def _real_root(root: Path) -> Path:
    return Path(os.path.realpath(root))


@lru_cache(maxsize=4096)
def _real_folder(folder: Path) -> Path:
    return Path(os.path.realpath(folder))


def _real_path(full: Path, is_link: bool) -> Path:
    """Where `full` really is, every parent resolved (a linked folder too); folders
    are resolved once per run, not once per file."""
    if is_link:
        return Path(os.path.realpath(full))
    return _real_folder(full.parent) / full.name


def read_bytes(
    root: Path, rel: str, limit: int, staged: Mapping[str, bytes | Skipped] | None = None
) -> bytes | Skipped | None:
    """The file's bytes; `Skipped` when it must not or cannot be read; None when it
    is not there (deleted in the working tree, or a folder such as a submodule).
    `staged`: files a sparse checkout left out of the working tree, as the index holds
    them — there all the same. The whole path is resolved: a link anywhere along it (a
    linked folder too) that leads out of the repository is not followed."""
    full = root / rel
    try:
        info = os.lstat(full)
    except (FileNotFoundError, NotADirectoryError):
        if staged is not None and rel in staged:
            return _checked(rel, staged[rel], limit)
        return None
    except OSError as exc:
        return Skipped(rel, f"cannot be read: {exc.strerror or exc}", _unreadable_hint(exc))
    real = _real_path(full, stat.S_ISLNK(info.st_mode))
    if not real.is_relative_to(_real_root(root)):
        what = "symbolic link" if stat.S_ISLNK(info.st_mode) else "path through a linked folder"
        return Skipped(
            rel, f"{what} to a place outside the repository; not followed", _OUTSIDE_HINT
        )
    if stat.S_ISLNK(info.st_mode):
        try:
            info = os.stat(real)
        except OSError:
            return None
    full = real
    if stat.S_ISDIR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return Skipped(
            rel,
            "not a regular file; not read",
            "a FIFO, socket or device is never opened; exclude the path",
        )
    if info.st_size > limit:
        return Skipped(
            rel,
            f"{info.st_size} bytes is over the {limit}-byte limit (max-file-size); not read",
            _TOO_BIG_HINT,
        )
    try:
        with open(full, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        return Skipped(rel, f"cannot be read: {exc.strerror or exc}", _unreadable_hint(exc))
    if len(raw) > limit:
        return Skipped(
            rel, f"grew past the {limit}-byte limit (max-file-size) while read", _TOO_BIG_HINT
        )
    return _checked(rel, raw, limit)


def _checked(rel: str, raw: bytes | Skipped, limit: int) -> bytes | Skipped:
    """What was read, unless it is too large or binary."""
    if isinstance(raw, Skipped):
        return raw
    if len(raw) > limit:
        return Skipped(
            rel, f"{len(raw)} bytes is over the {limit}-byte limit (max-file-size); not read",
            _TOO_BIG_HINT,
        )  # fmt: skip
    if b"\0" in raw[:BINARY_SNIFF_BYTES]:
        return Skipped(
            rel,
            "binary file (it holds NUL bytes); not read",
            "documents and DVC files are text (UTF-8); if this file is not one, exclude it "
            "or narrow the kind's glob",
        )
    return raw


def _unreadable_hint(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "give the user running mlwf-lint read access (chmod a+r), or exclude the path"
    return "check the file system, or exclude the path"


class FileProblem(NamedTuple):
    """A file that was read but could not be understood (reported as MLW201)."""

    path: str
    message: str
    line0: int | None = None
    col0: int | None = None
    hint: str | None = None  # what to do, when it is not just "fix it there"
