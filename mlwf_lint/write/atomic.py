"""Writes that are never half done: the text goes to a temporary file in the same
folder, is flushed to disk, then takes the target's name in one step."""

from __future__ import annotations

import os
from pathlib import Path

from mlwf_lint.errors import UsageError
from mlwf_lint.facts.files import temporary_beside


def write_new(path: Path, text: str) -> None:
    """Create `path` with `text`; refuse if it exists (never overwrite), atomically:
    a reader sees no file or the whole file, and two racing writers cannot both win."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = temporary_beside(path)
    except OSError as exc:  # a folder one may not write in is the user's to fix
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)  # fails if `path` exists: no overwrite, no race
        except FileExistsError:
            raise UsageError(f"{path} already exists; not overwritten") from None
        except OSError:  # a file system without hard links: check, then rename
            if path.exists():
                raise UsageError(f"{path} already exists; not overwritten") from None
            os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def replace_text(path: Path, text: str) -> None:
    """Write `path` whole (a temporary file beside it, then rename): a reader sees the
    old file or the new one, never half; a new file gets the usual mode (0666 less the
    umask), an existing one keeps its own."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o7777 if path.exists() else None
        if mode is None:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        handle, temporary = temporary_beside(path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
