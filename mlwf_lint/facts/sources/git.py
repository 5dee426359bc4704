"""Thin functions over the Git repository.

The working-tree questions asked on every run (where is the root, which files are
there) use one direct `git` call each: GitPython itself shells out to `git ls-files`
for them, and importing it costs ~65 ms of the 150 ms hook budget. History questions
use GitPython (see the history module).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import NamedTuple

from mlwf_lint.errors import UsageError


def _git(
    args: list[str], cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        if stdin is not None:
            return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True)
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise UsageError("git is not installed or not on PATH; install Git and retry") from None


class Location(NamedTuple):
    root: Path  # the working tree's top folder
    common: Path  # the Git folder its worktrees share (the result cache lives there)


def find_root(start: Path) -> Path:
    """The working-tree root of the repository holding `start`."""
    return locate(start).root


def locate(start: Path) -> Location:
    """Where the repository holding `start` is: its root and Git folder, in one call."""
    folder = start if start.is_dir() else start.parent
    if not folder.exists():
        raise UsageError(f"{start} does not exist")
    asked = ["rev-parse", "--is-bare-repository", "--show-toplevel", "--git-common-dir"]
    done = _git(asked, folder)
    lines = done.stdout.splitlines()
    if lines[:1] == [b"true"]:
        raise UsageError(f"{start} is a bare Git repository: run mlwf-lint in a working tree")
    if done.returncode != 0 or len(lines) < 3:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if reason and "not a git repository" not in reason[-1].lower():
            raise UsageError(f"{start}: {reason[-1]}")
        raise UsageError(
            f"not inside a Git repository ({start}): run mlwf-lint from your repository "
            "or pass its PATH"
        )
    # the Git folder is named relative to `folder` when it is not absolute
    return Location(Path(os.fsdecode(lines[1])), (folder / os.fsdecode(lines[2])).resolve())


def list_files(root: Path) -> tuple[str, ...]:
    """Files Git tracks plus untracked ones it does not ignore (a document written but
    not yet added is still checked), as /-separated paths relative to `root`."""
    done = _git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], root)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git ls-files failed in {root}: {message[-1] if message else '?'}")
    names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return tuple(dict.fromkeys(n for n in names if n))


def head_and_tags(root: Path) -> tuple[str | None, dict[str, str]]:
    """(HEAD's full SHA or None when there is no commit yet, {tag name: commit SHA}).
    Read with GitPython: it is not on the hook's path (only `init` asks)."""
    import git as gitpython

    repo = gitpython.Repo(root)
    try:
        head: str | None = repo.head.commit.hexsha
    except ValueError:  # unborn HEAD: no commit yet
        head = None
    tags = {}
    for tag in repo.tags:
        try:
            tags[tag.name] = tag.commit.hexsha
        except ValueError:  # a tag pointing at a tree or blob
            continue
    return head, tags


def ignored(root: Path, paths: list[str]) -> dict[str, str]:
    """path → the ignore rule that hides it from Git (`.gitignore:1:data/`), for the
    paths Git ignores; one `git check-ignore` for all."""
    if not paths:
        return {}
    done = _git(
        ["check-ignore", "--verbose", "--non-matching", "-z", "--stdin"],
        root,
        stdin=b"\0".join(p.encode() for p in paths) + b"\0",
    )
    fields = done.stdout.split(b"\0")
    found: dict[str, str] = {}
    for start in range(0, len(fields) - 3, 4):
        source, line, pattern, path = (
            f.decode("utf-8", "replace") for f in fields[start : start + 4]
        )
        if source and not pattern.startswith("!"):
            found[path] = f"{source}:{line}: {pattern}"
    return found


_SECTION = re.compile(r'\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\\n]|\\.)*)")?\s*\]')
_URL = re.compile(r"\s*url\s*=(.*)", re.IGNORECASE)
_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", '"': '"', "\\": "\\"}


def remote_url(root: Path) -> str | None:
    """`origin`'s URL from `.git/config`, read as a file (no process, no configparser
    import on the hook's path) and as Git reads it: section and key names in any case,
    the last value wins, quotes and escapes undone, a `#` or `;` outside quotes starts
    a comment. None without one, or when `.git` is not a folder (a worktree, a
    submodule)."""
    try:
        text = (root / ".git" / "config").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    url, in_origin = None, False
    for line in text.splitlines():
        if header := _SECTION.match(line):
            section, subsection = header.group(1).lower(), header.group(2)
            in_origin = (section, subsection) == ("remote", "origin") or section == "remote.origin"
        elif in_origin and (entry := _URL.match(line)):
            url = _config_value(entry.group(1))
    return url or None


def _config_value(raw: str) -> str:
    """A git-config value as Git reads it (one line: a URL is never continued)."""
    out: list[str] = []
    quoted, escaped = False, False
    for char in raw.strip():
        if escaped:
            out.append(_ESCAPES.get(char, char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char in "#;" and not quoted:
            break
        else:
            out.append(char)
    return "".join(out).strip()
