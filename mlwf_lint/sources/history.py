"""Git history, read without checking anything out, in as few processes as possible.

Batched questions use one `git` process each, streamed: `cat-file --batch-check` for
any number of refs, `cat-file --batch` for any number of files at any revisions, and
one `log --name-only` pass that stops as soon as every path asked about has been
seen. GitPython is used where a question is single and its API says it best
(ancestry); for the batched ones it would start a process per question or read the
whole log before answering, which the history budget (≤ one `git log` pass) forbids.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mlwf_lint.errors import UsageError


@dataclass(frozen=True)
class Commit:
    sha: str
    time: int  # committer time, seconds since the epoch
    subject: str
    index: int  # 0 is HEAD; larger is older, in `git log` order

    @property
    def short(self) -> str:
        return self.sha[:7]

    def describe(self) -> str:
        import datetime as dt

        day = dt.datetime.fromtimestamp(self.time, dt.UTC).date().isoformat()
        return f"{self.short} ({day}, {self.subject!r})"


def _git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise UsageError("git is not installed or not on PATH; install Git and retry") from None


def unavailable_reason(root: Path) -> str | None:
    """Why history cannot be trusted here, or None when it can."""
    if _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true":
        return "this is a shallow clone"
    if _git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}").returncode != 0:
        return "the repository has no commits yet"
    return None


def resolve(root: Path, refs: Iterable[str]) -> dict[str, str | None]:
    """ref → the full SHA of the commit it names, or None (missing or ambiguous)."""
    wanted = sorted({r for r in refs if r and "\n" not in r and not r.startswith("-")})
    if not wanted:
        return {}
    stdin = "".join(f"{ref}^{{commit}}\n" for ref in wanted).encode()
    lines = _git(root, "cat-file", "--batch-check", stdin=stdin).stdout.decode().splitlines()
    out: dict[str, str | None] = {}
    for ref, line in zip(wanted, lines, strict=False):
        parts = line.split()
        out[ref] = parts[0] if len(parts) == 3 and parts[1] == "commit" else None
    return out


def read_at(root: Path, requests: Iterable[tuple[str, str]]) -> dict[tuple[str, str], bytes | None]:
    """(revision, path) → the file's bytes at that revision, or None if absent."""
    wanted = sorted(set(requests))
    if not wanted:
        return {}
    stdin = "".join(f"{rev}:{path}\n" for rev, path in wanted).encode()
    raw = _git(root, "cat-file", "--batch", stdin=stdin).stdout
    out: dict[tuple[str, str], bytes | None] = {}
    position = 0
    for request in wanted:
        end = raw.index(b"\n", position)
        header = raw[position:end].split()
        position = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            out[request] = raw[position : position + size]
            position += size + 1
        else:
            out[request] = None
            if len(header) == 3:  # a tree or other object: skip its body
                position += int(header[2]) + 1
    return out


def _self_and_parents(path: str) -> Iterable[str]:
    yield path
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        yield path


def last_touches(root: Path, paths: Iterable[str], rev: str = "HEAD") -> dict[str, Commit]:
    """path (a file or a folder) → the newest commit that changed it, from one streamed
    `git log` pass that stops as soon as all paths have been seen."""
    remaining = set(paths)
    found: dict[str, Commit] = {}
    if not remaining:
        return found
    process = subprocess.Popen(
        ["git", "log", "-z", "--format=%x1e%H %ct %s", "--name-only", rev, "--"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    buffer = b""
    index = 0
    try:
        while remaining:
            chunk = process.stdout.read(1 << 16)
            if not chunk:
                records, buffer = [buffer] if buffer else [], b""
            else:
                buffer += chunk
                *records, buffer = buffer.split(b"\x1e")
            for record in records:
                if not record:
                    continue
                header, _, names = record.partition(b"\x00")
                sha, time, subject = (header.decode("utf-8", "replace").split(" ", 2) + [""])[:3]
                commit = Commit(sha, int(time), subject, index)
                index += 1
                for name in names.lstrip(b"\n").split(b"\x00"):
                    path = name.decode("utf-8", "surrogateescape")
                    # the file itself, or a folder holding it (a stage dep such as src/)
                    for target in _self_and_parents(path):
                        if target in remaining:
                            remaining.discard(target)
                            found[target] = commit
            if not chunk:
                break
    finally:
        process.stdout.close()
        process.kill()
        process.wait()
    return found


def commits_touching(root: Path, path: str, limit: int = 200) -> list[Commit]:
    """The newest commits that changed `path`, newest first (for hash histories)."""
    done = _git(root, "log", f"-n{limit}", "--format=%H %ct %s", "HEAD", "--", path)
    commits = []
    for index, line in enumerate(done.stdout.decode("utf-8", "replace").splitlines()):
        sha, time, subject = (line.split(" ", 2) + [""])[:3]
        commits.append(Commit(sha, int(time), subject, index))
    return commits


def is_ancestor(root: Path, ancestor: str, descendant: str = "HEAD") -> bool:
    import git as gitpython

    repo = gitpython.Repo(root)
    return bool(repo.is_ancestor(repo.commit(ancestor), repo.commit(descendant)))


def merge_base(root: Path, ref: str, other: str = "HEAD") -> str | None:
    done = _git(root, "merge-base", ref, other)
    return done.stdout.decode().strip() or None if done.returncode == 0 else None


def changed_since(root: Path, base: str) -> set[str]:
    """Paths that differ between `base` and the working tree (committed, staged or
    not), plus untracked files that are not ignored."""
    diff = _git(root, "diff", "--name-only", "-z", "--no-renames", base)
    if diff.returncode != 0:
        raise UsageError(f"git diff against {base} failed: {diff.stderr.decode().strip()}")
    others = _git(root, "ls-files", "-z", "--others", "--exclude-standard")
    names = diff.stdout.split(b"\x00") + others.stdout.split(b"\x00")
    return {n.decode("utf-8", "surrogateescape") for n in names if n}


def tree_files(root: Path, rev: str) -> list[str]:
    done = _git(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", rev)
    return [n.decode("utf-8", "surrogateescape") for n in done.stdout.split(b"\x00") if n]
