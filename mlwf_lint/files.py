"""Reading a repository file safely: never past a size limit, never through a
symbolic link that leaves the repository, never blocking on a special file."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Skipped:
    """A file the run did not read, and why (reported as MLW002)."""

    path: str
    reason: str


def read_bytes(root: Path, rel: str, limit: int) -> bytes | Skipped | None:
    """The file's bytes; `Skipped` when it must not or cannot be read; None when it
    is not there (deleted in the working tree, or a folder such as a submodule)."""
    full = root / rel
    try:
        info = os.lstat(full)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Skipped(rel, f"cannot be read: {exc.strerror or exc}")
    if stat.S_ISLNK(info.st_mode):
        real = Path(os.path.realpath(full))
        if not real.is_relative_to(Path(os.path.realpath(root))):
            return Skipped(rel, "symbolic link to a place outside the repository; not followed")
        try:
            info = os.stat(real)
        except OSError:
            return None
        full = real
    if stat.S_ISDIR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return Skipped(rel, "not a regular file; not read")
    if info.st_size > limit:
        return Skipped(
            rel, f"{info.st_size} bytes is over the {limit}-byte limit (max-file-size); not read"
        )
    try:
        with open(full, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        return Skipped(rel, f"cannot be read: {exc.strerror or exc}")
    if len(raw) > limit:
        return Skipped(rel, f"grew past the {limit}-byte limit (max-file-size) while read")
    if b"\0" in raw[:BINARY_SNIFF_BYTES]:
        return Skipped(rel, "binary file (it holds NUL bytes); not read")
    return raw


@dataclass(frozen=True)
class FileProblem:
    """A file that was read but could not be understood (reported as MLW201)."""

    path: str
    message: str
    line0: int | None = None
    col0: int | None = None
