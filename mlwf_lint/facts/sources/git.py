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
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from mlwf_lint.errors import UsageError

NO_GIT = "git is not installed or not on PATH; install Git and retry"


def command(args: Iterable[str]) -> list[str]:
    """A git command line that cannot reach the network. In a partial clone (`git clone
    --filter=blob:none`, as CI checkouts may be made) reading an object that was
    filtered out makes git fetch it from the remote, one fetch per object; with every
    transport refused the fetch fails at once and the object is simply missing."""
    return ["git", "-c", "protocol.allow=never", *args]


def environment(**extra: str) -> dict[str, str]:
    """The environment of our git processes: no lazy fetch at all (git 2.44 and newer
    then do not even try), no credential prompt."""
    return {**os.environ, "GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0", **extra}


def run(
    args: list[str], cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """One git command run to its end, its output captured (`command`, `environment`)."""
    feed: dict[str, Any] = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    try:
        return subprocess.run(
            command(args), cwd=cwd, capture_output=True, check=False, env=environment(), **feed
        )
    except FileNotFoundError:
        raise UsageError(NO_GIT) from None


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
    done = run(asked, folder)
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


class Listed(NamedTuple):
    files: tuple[str, ...]
    not_checked_out: frozenset[str]  # in the index, left out by a sparse checkout


def list_files(root: Path) -> tuple[str, ...]:
    """Files Git tracks plus untracked ones it does not ignore (a document written but
    not yet added is still checked), as /-separated paths relative to `root`."""
    return listed(root).files


def listed(root: Path) -> Listed:
    """`list_files`, and the tracked files a sparse checkout leaves out of the working
    tree (`S`, skip-worktree): they are in the repository all the same."""
    asked = ["ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard"]
    done = run(asked, root)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git ls-files failed in {root}: {message[-1] if message else '?'}")
    entries = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    files = tuple(dict.fromkeys(e[2:] for e in entries if len(e) > 2))
    return Listed(files, frozenset(e[2:] for e in entries if e[:2] == "S "))


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
    done = run(
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
_ENTRY = re.compile(r"\s*([A-Za-z][A-Za-z0-9-]*)\s*(?:=(.*))?$")
_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", '"': '"', "\\": "\\"}
_TRUE = ("true", "yes", "on", "1")


def _config(root: Path) -> dict[tuple[str, str], str] | None:
    """`.git/config` as Git reads it, without a process or configparser (the hook's
    path): ("section.subsection", key) → its last value, section and key names in any
    case, quotes and escapes undone, a `#` or `;` outside quotes starting a comment, a
    key with no `=` true. None when `.git` is not a folder (a worktree, a submodule) or
    the file cannot be read."""
    try:
        text = (root / ".git" / "config").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found: dict[tuple[str, str], str] = {}
    section = ""
    for line in text.splitlines():
        if header := _SECTION.match(line):
            name, subsection = header.group(1).lower(), header.group(2)
            section = f"{name}.{subsection}" if subsection is not None else name
        elif entry := _ENTRY.match(line):
            raw = entry.group(2)
            found[(section, entry.group(1).lower())] = "true" if raw is None else _config_value(raw)
    return found


@lru_cache(maxsize=64)
def is_partial_clone(root: Path) -> bool:
    """Whether the repository was cloned with `--filter`: a remote is its promisor
    (`remote.<name>.promisor`, as git 2.x writes it) or `extensions.partialClone` names
    one (older git). Objects its trees name may then be absent. Read from `.git/config`
    (no process on every run); asked of git where `.git` is not a folder."""
    config = _config(root)
    if config is None:
        pattern = r"^(remote\..*\.promisor|extensions\.partialclone)$"
        asked = run(["config", "--get-regexp", pattern], root).stdout.decode("utf-8", "replace")
        values = (line.partition(" ")[2].lower() for line in asked.splitlines())
        return any(v not in ("false", "no", "off", "0", "") for v in values)
    return any(
        (section == "extensions" and key == "partialclone" and value)
        or (section.startswith("remote.") and key == "promisor" and value.lower() in _TRUE)
        for (section, key), value in config.items()
    )


def remote_url(root: Path) -> str | None:
    """`origin`'s URL from `.git/config` (`_config`). None without one, or when `.git`
    is not a folder (a worktree, a submodule)."""
    config = _config(root)
    return (config or {}).get(("remote.origin", "url")) or None


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
