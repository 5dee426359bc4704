"""Git history, read without checking anything out, in as few processes as possible.

Batched questions use one `git` process each, streamed: `cat-file --batch-check` for
any number of refs, `cat-file --batch` for any number of files at any revisions, and
one `log --name-only` pass that stops as soon as every path asked about has been
seen. GitPython is used where a question is single and its API says it best
(ancestry); for the batched ones it would start a process per question or read the
whole log before answering, which the history budget (≤ one `git log` pass) forbids.
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple, TypeVar

from mlwf_lint.errors import UsageError
from mlwf_lint.facts.globs import self_and_folders
from mlwf_lint.facts.sources import git

T = TypeVar("T")


class Commit(NamedTuple):
    """A commit as a streamed `git log` gives it: what a history finding names."""

    sha: str
    time: int  # committer time, seconds since the epoch
    subject: str
    depth: int  # 0 is HEAD; larger is older, in `git log` order

    @property
    def short(self) -> str:
        return self.sha[:7]

    def describe(self) -> str:
        import datetime as dt

        day = dt.datetime.fromtimestamp(self.time, dt.UTC).date().isoformat()
        return f"{self.short} ({day}, {self.subject!r})"


class HistoryIncomplete(Exception):
    """Git could not answer a history question in full: objects absent from this clone
    (a partial clone, `git clone --filter=…`, whose missing objects are never fetched:
    no network) or a damaged repository. History is then reported unavailable (MLW001),
    as in a shallow clone, rather than read in part: a file missing at a revision would
    otherwise read as a file that was not there."""


def _incomplete(root: Path, what: str) -> HistoryIncomplete:
    if git.is_partial_clone(root):
        return HistoryIncomplete(
            f"this is a partial clone (made with --filter): {what} not in it, and "
            "mlwf-lint never fetches"
        )
    return HistoryIncomplete(f"git could not read the history: {what} not readable")


def _git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return git.run(list(args), root, stdin)


def _popen(
    root: Path, args: list[str], *, stdin: int | None = None, dense: bool = False
) -> subprocess.Popen[bytes]:
    """A git process whose output is read as it comes (stderr dropped). Into a pipe,
    `rev-list` and `log` write and flush each commit on its own; `dense` (every commit
    is printed, and a few commits' delay does not matter) lets git fill its buffer
    first (GIT_FLUSH=0): for 20,000 commits ~200 writes instead of ~20,000, and as many
    wake-ups of the thread that reads them (60 ms of its CPU, 40 ms of git's)."""
    env = git.environment(GIT_FLUSH="0") if dense else git.environment()
    try:
        return subprocess.Popen(
            git.command(args),
            cwd=root,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except FileNotFoundError:
        raise UsageError(git.NO_GIT) from None


def head_state(root: Path) -> tuple[str | None, str | None]:
    """(HEAD's SHA, or None; why history cannot be trusted here, or None)."""
    done = _git(root, "rev-parse", "--is-shallow-repository", "--verify", "-q", "HEAD^{commit}")
    lines = done.stdout.decode().split()
    head = lines[1] if len(lines) > 1 else None
    if lines[:1] == ["true"]:
        return head, "this is a shallow clone"
    if head is None:
        return None, "the repository has no commits yet"
    return head, None


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    return _git(root, "merge-base", "--is-ancestor", ancestor, descendant).returncode == 0


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


def _objects(
    root: Path, requests: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(revision, path) → (object id, type) of what is at that path in that revision;
    absent paths are left out. One `cat-file --batch-check`."""
    wanted = sorted({(rev, path) for rev, path in requests if "\n" not in path})
    if not wanted:
        return {}
    if git.is_partial_clone(root):
        return _objects_from_trees(root, wanted)
    stdin = "".join(f"{rev}:{path}\n" for rev, path in wanted).encode()
    lines = _git(root, "cat-file", "--batch-check", stdin=stdin).stdout.decode().splitlines()
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for request, line in zip(wanted, lines, strict=False):
        parts = line.rsplit(" ", 2)
        if len(parts) == 3 and parts[1] in ("blob", "tree", "commit") and parts[2].isdigit():
            out[request] = (parts[0], parts[1])
    return out


def _objects_from_trees(
    root: Path, wanted: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """`_objects` for a partial clone: `cat-file --batch-check` reads the object itself
    to tell its type, and an object filtered out of the clone would read as a path that
    is not there. `ls-tree` reads only trees: one per revision (partial clones are rare;
    a blob it names and the clone lacks is then found missing when read)."""
    by_rev: dict[str, set[str]] = {}
    for rev, path in wanted:
        by_rev.setdefault(rev, set()).add(path)
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for rev, paths in by_rev.items():
        listed = _git(root, "ls-tree", "-z", "--full-tree", rev, "--", *sorted(paths)).stdout
        for entry in listed.split(b"\x00"):
            info, _, name = entry.partition(b"\t")
            fields = info.split()
            path = name.decode("utf-8", "surrogateescape")
            if len(fields) == 3 and path in paths:
                out[(rev, path)] = (fields[2].decode(), fields[1].decode())
    return out


def object_ids(
    root: Path, requests: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str | None]:
    """(revision, path) → the id of the blob or tree at that path in that revision, or
    None if absent: equal ids are equal content."""
    wanted = set(requests)
    found = _objects(root, wanted)
    return {r: found[r][0] if r in found else None for r in wanted}


def read_at(
    root: Path, requests: Iterable[tuple[str, str]], seen: dict[str, bytes] | None = None
) -> dict[tuple[str, str], bytes | None]:
    """(revision, path) → the file's bytes at that revision, or None if absent (or not
    a file). Ids first, then each distinct blob once: a dvc.lock read at hundreds of
    revisions is often the same blob at many of them. `seen`: blobs read before in
    this run (by id), not read again; the new ones are added to it."""
    wanted = set(requests)
    found = {r: oid for r, (oid, kind) in _objects(root, wanted).items() if kind == "blob"}
    blobs = seen if seen is not None else {}
    blobs.update(read_blobs(root, set(found.values()) - set(blobs)))
    return {r: blobs.get(found[r]) if r in found else None for r in wanted}


def read_blobs(root: Path, ids: Iterable[str]) -> dict[str, bytes]:
    """blob id → its bytes. One `cat-file --batch`, read as git writes it (tens of
    megabytes for a large dvc.lock at hundreds of revisions)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    process = _popen(root, ["cat-file", "--batch"], stdin=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    feeding = in_background(_feed, process.stdin, "".join(f"{i}\n" for i in wanted).encode())
    out: dict[str, bytes] = {}
    missing = []
    try:
        for oid in wanted:
            header = process.stdout.readline().split()
            if len(header) != 3:
                missing.append(oid)  # "<id> missing": named by a tree, yet not here
                continue
            body = process.stdout.read(int(header[2]))
            process.stdout.read(1)  # the newline after each object
            if header[1] == b"blob":
                out[oid] = body
    finally:
        process.stdout.close()
        process.kill()  # done, or abandoned: never left writing into a closed pipe
        feeding()
        process.wait()
    if missing:
        raise _incomplete(root, f"{len(missing)} file version(s) of past revisions are")
    return out


def _feed(stream: IO[bytes], data: bytes) -> None:
    """Write a batch's requests while its answers are read (both pipes may fill)."""
    try:
        stream.write(data)
        stream.close()
    except OSError:
        pass  # git is gone (killed once its answers were read, or failed): nothing to feed


class Tag(NamedTuple):
    name: str
    target: str  # the commit it names (an annotated tag peeled)
    time: int  # the tagger's time (a lightweight tag: its commit's), seconds


def tags(root: Path) -> list[Tag]:
    """Every tag, in one `git for-each-ref`."""
    out = _git(
        root,
        "for-each-ref",
        "--format=%(refname:strip=2)%00%(*objectname)%00%(objectname)%00%(creatordate:unix)",
        "refs/tags",
    ).stdout.decode("utf-8", "replace")
    found = []
    for line in out.splitlines():
        parts = line.split("\0")
        if len(parts) == 4 and parts[3].isdigit():
            found.append(Tag(parts[0], parts[1] or parts[2], int(parts[3])))
    return found


def last_commit_day(root: Path, path: str) -> str | None:
    """The committer date (YYYY-MM-DD) of the last commit that changed `path`."""
    day = _git(root, "log", "-1", "--format=%cs", "--", path).stdout.decode().strip()
    return day or None


def read_index(root: Path, paths: Iterable[str]) -> dict[str, bytes]:
    """path → the file's bytes as the index holds them (stage 0), for the regular files
    among `paths` (a link's blob is where it points): what a sparse checkout leaves out
    of the working tree. Ids from `ls-files -s`, which reads no object; a blob the clone
    lacks (a partial clone's) is `HistoryIncomplete`."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    specs = [f":(literal){path}" for path in wanted]
    staged = _git(root, "ls-files", "-s", "-z", "--", *specs).stdout.split(b"\x00")
    ids: dict[str, str] = {}
    for entry in staged:
        info, _, name = entry.partition(b"\t")
        fields = info.split()  # mode, id, stage
        regular = fields[:1] in ([b"100644"], [b"100755"])  # not a link's target, a submodule
        if len(fields) == 3 and fields[2] == b"0" and regular:
            ids[name.decode("utf-8", "surrogateescape")] = fields[1].decode()
    blobs = read_blobs(root, set(ids.values()))
    return {path: blobs[oid] for path, oid in ids.items() if oid in blobs}


def read_head(root: Path, paths: Iterable[str]) -> dict[str, bytes | None]:
    """path → the file's bytes in the commit HEAD names (None: not there, no commit, or
    not in this partial clone)."""
    wanted = [("HEAD", p) for p in paths]
    try:
        return {path: raw for (_rev, path), raw in read_at(root, wanted).items()}
    except HistoryIncomplete:
        return {path: None for _rev, path in wanted}


@contextmanager
def _streamed(root: Path, args: list[str], *, dense: bool = False) -> Iterator[IO[bytes]]:
    """A git command's output to read as far as needed; the process is killed when
    the reader stops (an early stop is the point: history is read only that far). Read
    to its end, git must have ended well: one that stopped on an object it could not
    read (a partial clone's) has given only part of the answer."""
    process = _popen(root, args, dense=dense)
    assert process.stdout is not None
    stopped = True
    try:
        yield process.stdout
        stopped = False
    finally:
        process.stdout.close()
        if stopped:
            process.kill()
        status = process.wait()
    if not stopped and status != 0:
        raise _incomplete(root, f"what `git {args[0]}` needed (it exited with {status}) is")


PROVISIONAL_LIMIT = 1 << 16  # bytes of a record being written that are read as they come


def _stream_log(
    root: Path, args: list[str], *, dense: bool = False, provisional: bool = False
) -> Iterator[tuple[Commit, bytes, bool]]:
    """(commit, the rest of its record, whether that record is whole) from a streamed
    `git log`, newest first, as git writes them. A record is known to be whole when
    the next one starts (or the log ends); with `provisional`, the newest record is
    also given as far as it has come (perhaps again, longer, later): a path-limited log
    may print a few dozen records in all, and the reader that stops at the one it waits
    for must not wait for the next, which may be the end of history. `dense`: see
    `_popen`."""
    pieces: list[bytes] = []  # the newest record so far, as read
    size = 0
    index = 0
    with _streamed(root, ["log", "--format=%x1e%H %ct %s", *args], dense=dense) as stream:
        while chunk := os.read(stream.fileno(), 1 << 16):
            if b"\x1e" in chunk:  # one record or more made whole: joined once each
                first, *others, rest = chunk.split(b"\x1e")
                for record in (b"".join((*pieces, first)), *others):
                    if record:
                        yield (*_log_record(record, index), True)
                        index += 1
                pieces, size = [rest], len(rest)
            else:
                pieces.append(chunk)
                size += len(chunk)
            # its header, at least, whole; a larger record waits to be whole (read
            # again at each chunk, a root commit of 200,000 files would cost seconds)
            if provisional and size <= PROVISIONAL_LIMIT and b"\n" in (newest := b"".join(pieces)):
                yield (*_log_record(newest, index), False)
        if newest := b"".join(pieces):
            yield (*_log_record(newest, index), True)


def _log_record(record: bytes, index: int) -> tuple[Commit, bytes]:
    """A `_stream_log` record's commit, and the rest of the record."""
    header, _, rest = record.partition(b"\n")
    header, _, zero_rest = header.partition(b"\x00")
    sha, time, subject = (header.decode("utf-8", "replace").split(" ", 2) + [""])[:3]
    return Commit(sha, int(time), subject, index), zero_rest + b"\n" + rest


def last_touches(root: Path, paths: Iterable[str], rev: str = "HEAD") -> dict[str, Commit]:
    """path (a file or a folder) → the newest commit that changed it. One streamed
    `git log` limited to those paths, stopping as soon as all have been seen. A merge
    counts for the paths it made differ from every parent (`-c`: both sides' changes
    combined, a conflict resolved, an "evil" edit of its own); what it only brought
    from one side stays that side's commit's."""
    remaining = set(paths)
    found: dict[str, Commit] = {}
    if not remaining:
        return found
    specs = _pathspecs(remaining)
    args = ["-z", "-c", "--name-only", rev, "--", *specs]
    for commit, names, whole in _stream_log(root, args, dense=not specs, provisional=True):
        listed = names.split(b"\x00")  # -z: each name ends with a NUL
        for name in listed if whole else listed[:-1]:  # a name being written: not yet
            path = name.strip(b"\n").decode("utf-8", "surrogateescape")
            for target in self_and_folders(path):
                if target in remaining:
                    remaining.discard(target)
                    found[target] = commit
        if not remaining:
            break
    return found


PATHSPEC_LIMIT = 16


def _pathspecs(paths: set[str]) -> list[str]:
    """What to let git filter by. Git's pathspec matching costs (pathspecs x tree
    entries) per commit: a few paths are given as they are; many, by their folders
    when those are few (documents live in a few folders); else none (one plain pass
    is far cheaper than 500 pathspecs: 1 s against 150 s on the bench monorepo)."""
    if len(paths) <= PATHSPEC_LIMIT:
        return sorted(paths)
    folders = {posixpath.dirname(p) or p for p in paths}
    return sorted(folders) if len(folders) <= PATHSPEC_LIMIT else []


_ADDED_HASH = re.compile(rb"^\+.*?\b([0-9a-f]{32}(?:\.dir)?)\b", re.MULTILINE)


def introducing_commits(
    root: Path, path: str, hashes: Iterable[str], rev: str = "HEAD"
) -> dict[str, Commit]:
    """hash → the newest commit (of `rev`, e.g. `W..HEAD`) whose change to `path` added
    a line holding it: for a hash the file holds now, the commit from which it has been
    recorded. One streamed `git log -p` of that one file, stopping when every hash is
    found."""
    pending = set(hashes)
    found: dict[str, Commit] = {}
    if not pending:
        return found
    args = ["-p", "--unified=0", "--no-color", "--no-ext-diff", rev, "--", path]
    for commit, patch, _whole in _stream_log(root, args):
        for match in _ADDED_HASH.finditer(patch):
            value = match.group(1).decode()
            if value in pending:
                pending.discard(value)
                found[value] = commit
        if not pending:
            break
    return found


def in_background(work: Callable[..., T], *args: Any, **kwargs: Any) -> Callable[[], T]:
    """Start `work(*args, **kwargs)` on a thread — its git process runs beside the caller's (the
    GIL is free while either waits on git) — and return what waits for its result
    (re-raising what it raised)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, work(*args, **kwargs)))
        except BaseException as exc:  # handed to the caller, raised there
            outcome.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        ok, value = outcome[0]
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    return result


class AncestryWalk:
    """Which commits HEAD's history holds, from one `git rev-list HEAD` read on a
    thread from the moment the walk is started — it may have to go on to the root
    commit (a fresh clone has no commit-graph to ask), and the commits asked about
    (rollback plans' fallbacks) are known only once the plans are parsed. `holds`
    answers once each has been seen or the history has ended; the walk stops as soon
    as all have been seen (rollback targets are usually recent). Before the question it
    reads at most `read_ahead` commits, then leaves git waiting on a full pipe: a long
    history whose fallbacks are recent costs no more than it did when asked later."""

    READ_AHEAD = 25_000  # commits (~2 MB); case 2 of the bench is 20,000 deep

    def __init__(self, root: Path, read_ahead: int = READ_AHEAD) -> None:
        self._process = _popen(root, ["rev-list", "HEAD"], dense=True)
        self._read_ahead = read_ahead
        self._lock = threading.Lock()
        self._seen: set[bytes] = set()  # all commits read, until the question is known
        self._wanted: set[bytes] | None = None
        self._asked = threading.Event()
        self._answered = threading.Event()  # all wanted seen, or the walk's end
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        output = self._process.stdout.fileno()
        rest = b""
        try:
            while chunk := os.read(output, 1 << 16):
                lines = (rest + chunk).split(b"\n")
                rest = lines.pop()
                with self._lock:
                    wanted = self._wanted
                    if wanted is None:
                        self._seen.update(lines)
                    else:
                        self._seen.update(wanted.intersection(lines))
                        if wanted <= self._seen:
                            break
                    waiting = wanted is None and len(self._seen) >= self._read_ahead
                if waiting:
                    self._asked.wait()  # git waits on the full pipe meanwhile
        except (OSError, ValueError):
            pass  # stopped: the answer was complete before the walk's end
        finally:
            self._answered.set()

    def holds(self, shas: Iterable[str]) -> dict[str, bool]:
        """sha → whether HEAD's history holds it; waits for the walk as far as needed,
        then stops it."""
        asked = set(shas)
        wanted = {sha.encode() for sha in asked}
        with self._lock:
            self._wanted = wanted
            self._seen &= wanted  # what was read before the question, kept if asked
            if wanted <= self._seen:
                self._answered.set()
        self._asked.set()
        self._answered.wait()
        self._process.kill()  # done, or at the end already
        self._reader.join()
        assert self._process.stdout is not None
        self._process.stdout.close()
        self._process.wait()
        with self._lock:
            return {sha: sha.encode() in self._seen for sha in asked}


def count_between(root: Path, older: str, newer: str) -> int:
    """How many commits `newer` has that `older` does not (`git rev-list --count`)."""
    done = _git(root, "rev-list", "--count", f"{older}..{newer}")
    return int(done.stdout.strip() or 0) if done.returncode == 0 else 0


def merge_base(root: Path, ref: str, other: str = "HEAD") -> str | None:
    done = _git(root, "merge-base", ref, other)
    if done.returncode != 0:
        return None
    return done.stdout.decode().strip() or None


def changed_since(root: Path, base: str, paths: Iterable[str] | None = None) -> set[str]:
    """Paths that differ between `base` and the working tree (committed, staged or
    not), plus untracked files that are not ignored. Given `paths`: only those that
    are tracked and modified (a few folders for git to look in, not the whole tree)."""
    wanted = set(paths) if paths is not None else None
    if wanted is not None and not wanted:
        return set()
    specs = _pathspecs(wanted) if wanted is not None else []
    diff = _git(root, "diff", "--name-only", "-z", "--no-renames", base, "--", *specs)
    if diff.returncode != 0:
        raise UsageError(f"git diff against {base} failed: {diff.stderr.decode().strip()}")
    names = diff.stdout.split(b"\x00")
    if paths is None:
        names += _git(root, "ls-files", "-z", "--others", "--exclude-standard").stdout.split(
            b"\x00"
        )
    found = {n.decode("utf-8", "surrogateescape") for n in names if n}
    return found if paths is None else found & set(paths)
