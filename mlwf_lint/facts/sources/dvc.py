""".dvc files, dvc.yaml and dvc.lock read as YAML → what DVC records about the data.

No `dvc` import here: the files are plain YAML, and reading them directly keeps the
default path fast and usable without the `dvc` extra. Every malformed entry becomes a
`FileProblem` and is skipped; nothing here raises for any file content.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property, lru_cache
from itertools import product
from pathlib import Path
from typing import Any, NamedTuple

from mlwf_lint.facts.files import FileProblem, Skipped, read_bytes
from mlwf_lint.facts.globs import self_and_folders
from mlwf_lint.facts.models import is_model_path
from mlwf_lint.facts.parsing import (
    Parsed,
    ParseProblem,
    Position,
    decode,
    escape_pointer_token,
    parse_document,
    parse_yaml,
)

DVC3_HASH = "md5"
LEGACY_HASH = "md5-dos2unix"  # DVC 2 entries carry no `hash:` key


class DvcOutput(NamedTuple):
    """One DVC-tracked path and the version DVC records for it."""

    path: str  # relative to the repository root, '/'-separated
    declared_in: str  # the .dvc, dvc.yaml or dvc.lock file that records it
    position: Position | None = None
    md5: str | None = None  # None while a stage has never been run (not in dvc.lock)
    hash_name: str | None = None  # "md5" (DVC 3) or "md5-dos2unix" (legacy)
    stage: str | None = None  # the producing stage; None for a `dvc add`/import
    imported_from: str | None = None  # repo URL or URL of a `dvc import`/`import-url`
    is_model: bool = False

    @property
    def is_dir(self) -> bool:
        return bool(self.md5 and self.md5.endswith(".dir"))

    @property
    def is_source(self) -> bool:
        """A source dataset: tracked by DVC and produced by no stage."""
        return self.stage is None and not self.is_model

    def covers(self, path: str) -> bool:
        return path == self.path or path.startswith(self.path + "/")


class LockedParam(NamedTuple):
    """One parameter value a stage ran with, as its `dvc.lock` entry records it."""

    file: str  # the params file, from the repository root
    key: str  # as dvc.lock writes it: `train.n_est`, or `train` for a whole section
    value: Any
    lock: str  # the dvc.lock that records it
    position: Position | None = None  # of the value in dvc.lock


class MetricsFile(NamedTuple):
    """A metrics file DVC lists: a top-level `metrics:` entry of dvc.yaml or a stage's
    `metrics:` out."""

    path: str  # from the repository root
    declared_in: str
    position: Position | None = None
    stage: str | None = None
    cached: bool = False  # in DVC's cache rather than Git: absent until `dvc pull`


class DvcStage(NamedTuple):
    name: str  # DVC's address: "train", "sub/dvc.yaml:train", "train@0"
    dvc_yaml: str
    position: Position | None = None  # of its key in dvc.yaml
    deps: tuple[str, ...] = ()
    outs: tuple[str, ...] = ()
    locked: bool = False
    locked_deps: tuple[DvcOutput, ...] = ()  # deps with the hashes dvc.lock recorded
    lock_unreadable: bool = False  # its dvc.lock could not be read: nothing known of it
    params: tuple[LockedParam, ...] = ()  # the values it ran with (dvc.lock)
    whole_params_files: tuple[str, ...] = ()  # params files dvc.yaml tracks as a whole


class ModelArtifact(NamedTuple):
    """A model: an `artifacts:` entry of type model, or an output matching the model
    patterns."""

    path: str
    declared_in: str
    position: Position | None = None
    name: str | None = None  # the artifacts: key, when declared there
    output: DvcOutput | None = None


class _DvcRecords(NamedTuple):
    outputs: tuple[DvcOutput, ...] = ()
    stages: tuple[DvcStage, ...] = ()
    models: tuple[ModelArtifact, ...] = ()
    files_read: tuple[str, ...] = ()
    problems: tuple[FileProblem, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    unexpanded: tuple[DvcStage, ...] = ()  # foreach/matrix stages over ${...}
    expanded_by_dvc: bool = False  # the dvc library expanded ${...} loops (a live read)
    # dvc.lock entries that dvc.yaml no longer defines (name as DVC addresses it,
    # dvc_yaml = the lock file, position = of the entry's key in the lock)
    orphaned: tuple[DvcStage, ...] = ()
    metrics: tuple[MetricsFile, ...] = ()


class DvcFacts(_DvcRecords):
    """What DVC records (outputs, stages, models, metrics files) and the problems met
    reading its files. (A subclass of its fields' record for its look-up tables, made
    once when first asked for.)"""

    @property
    def source_datasets(self) -> tuple[DvcOutput, ...]:
        return tuple(o for o in self.outputs if o.is_source)

    @cached_property
    def _by_path(self) -> dict[str, DvcOutput]:
        by_path: dict[str, DvcOutput] = {}
        for output in self.outputs:
            by_path.setdefault(output.path, output)
        return by_path

    @cached_property
    def _stages_by_name(self) -> dict[str, DvcStage]:
        return {s.name: s for s in reversed(self.stages)}

    def stage_named(self, name: str | None) -> DvcStage | None:
        return self._stages_by_name.get(name) if name else None

    def producer_of(self, path: str) -> DvcStage | None:
        """The stage whose out `path` is (exactly), if a stage produces it."""
        output = self.output_for(path)
        return self.stage_named(output.stage) if output and output.path == path else None

    def output_for(self, path: str) -> DvcOutput | None:
        """The output that tracks `path`: the same path, or the deepest folder output
        holding it (one dict look-up per folder level, not a scan of every output)."""
        path = normalize(path)
        while path:
            if (found := self._by_path.get(path)) is not None:
                return found
            path = posixpath.dirname(path)
        return None


def is_dvc_path(rel: str) -> bool:
    """Any file DVC reads: a `.dvc` file, a `dvc.yaml` or a `dvc.lock`."""
    return is_dvc_file(rel) or posixpath.basename(rel) in ("dvc.yaml", "dvc.lock")


def is_dvc_file(rel: str) -> bool:
    """A `.dvc` file (`dvc add`, `dvc import`, or a DVC 0.x stage) or a DVC 0.x
    `Dvcfile`."""
    name = posixpath.basename(rel)
    return (rel.endswith(".dvc") and name != ".dvc") or name == "Dvcfile"


def normalize(path: str, base: str = "") -> str:
    joined = posixpath.join(base, path.replace("\\", "/")) if base else path.replace("\\", "/")
    return posixpath.normpath(joined).lstrip("/") if joined else ""


# --- reading -------------------------------------------------------------------------


class _Collector:
    """What `read_dvc` gathers while it reads each DVC file."""

    def __init__(
        self,
        root: Path,
        limit: int,
        parse: Callable[[bytes, str], Parsed | ParseProblem] = parse_document,
        resolved: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
        staged: Mapping[str, bytes | Skipped] | None = None,
    ) -> None:
        self.root = root
        self.limit = limit
        self.staged = staged  # left out by a sparse checkout, as the index holds them
        self.parse = parse
        # templated stage address → {instance address → outs}, from the dvc library
        self.resolved: Mapping[str, Mapping[str, tuple[str, ...]]] = resolved or {}
        self.outputs: list[DvcOutput] = []
        self.stages: list[DvcStage] = []
        self.artifacts: list[ModelArtifact] = []
        self.files_read: list[str] = []
        self.problems: list[FileProblem] = []
        self.skipped: list[Skipped] = []
        self.unexpanded: list[DvcStage] = []
        self.orphaned: list[DvcStage] = []
        self.metrics: list[MetricsFile] = []
        self.lock_keys: dict[tuple[str, str], Position | None] = {}
        self.locks_seen: set[str] = set()
        self.broken_lock_stages: set[tuple[str, str]] = set()  # (dvc.lock, name)

    def load(self, rel: str) -> Parsed | None:
        raw = read_bytes(self.root, rel, self.limit, self.staged)
        if raw is None:
            return None
        if isinstance(raw, Skipped):
            self.skipped.append(raw)
            return None
        self.files_read.append(rel)
        if (conflict := _conflict_marker(raw)) is not None:
            self.problems.append(_conflict_problem(rel, conflict))
            return None
        parsed = self.parse(raw, ".yaml")
        if isinstance(parsed, ParseProblem):
            self.problems.append(FileProblem(rel, parsed.message, parsed.line0, parsed.col0))
            return None
        return parsed

    def expect(self, rel: str, parsed: Parsed, pointer: str, value: Any, kind: type) -> Any:
        """`value` if it has the type DVC writes there; else a problem and None."""
        if value is None or isinstance(value, kind):
            return value
        names: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string"}
        where = parsed.position(pointer) or (None, None)
        got = type(value).__name__
        self.problems.append(
            FileProblem(
                rel,
                f"{pointer or '/'} must be {names.get(kind, kind.__name__)}, not {got}",
                where[0],
                where[1],
            )
        )
        return None


_CONFLICT = re.compile(rb"^(<{7}|>{7})(?: |\r?$)|^={7}\r?$", re.MULTILINE)  # LF or CRLF


def _conflict_marker(raw: bytes) -> int | None:
    """The 0-based line of the first Git merge conflict marker, if any."""
    match = _CONFLICT.search(raw)
    return raw.count(b"\n", 0, match.start()) if match else None


def _conflict_problem(rel: str, line0: int) -> FileProblem:
    if posixpath.basename(rel) == "dvc.lock":
        hint = (
            "keep one side (e.g. `git checkout --theirs dvc.lock`), then run `dvc repro` "
            "(or `dvc commit`) to record what the merged pipeline produces, and commit "
            "dvc.lock; until then the rules that need this file skip it"
        )
    else:
        hint = "resolve the conflict (keep one side, or merge both by hand) and commit the file"
    return FileProblem(
        rel,
        "unresolved merge conflict: Git conflict markers (<<<<<<< ======= >>>>>>>); "
        "the file was not read",
        line0,
        0,
        hint,
    )


def _entries(
    c: _Collector, rel: str, parsed: Parsed, pointer: str, items: Any
) -> Iterator[tuple[str, dict[str, Any], Position | None]]:
    """(path, options, position) of each entry of a deps/outs list, which DVC writes
    as plain strings (dvc.yaml), `{path: options}` (dvc.yaml) or `{path: ..., md5: ...}`
    (.dvc, dvc.lock)."""
    for index, item in enumerate(c.expect(rel, parsed, pointer, items, list) or ()):
        here = f"{pointer}/{index}"
        position = parsed.position(here)
        if isinstance(item, str):
            yield item, {}, position
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            c.expect(rel, parsed, f"{here}/md5", item.get("md5"), str)  # DVC writes text
            yield item["path"], item, parsed.position(f"{here}/path")
        elif isinstance(item, dict) and len(item) == 1:
            ((path, options),) = item.items()
            yield str(path), options if isinstance(options, dict) else {}, position
        else:
            c.expect(rel, parsed, here, item, str)


def _hash(entry: dict[str, Any]) -> tuple[str | None, str | None]:
    md5 = entry.get("md5")
    if not isinstance(md5, str) or not md5:
        return None, None
    hash_name = entry.get("hash")
    return md5, hash_name if isinstance(hash_name, str) else LEGACY_HASH


def _read_dvc_file(c: _Collector, rel: str) -> None:
    parsed = c.load(rel)
    if parsed is None:
        return
    data = c.expect(rel, parsed, "", parsed.data, dict)
    if not data:
        return
    base = posixpath.dirname(rel)
    wdir = data.get("wdir")
    if isinstance(wdir, str):
        base = normalize(wdir, base)
    # a DVC 0.x stage file (`dvc run` wrote a .dvc file or a Dvcfile with its `cmd`):
    # what it outputs is produced by a stage, not source data
    command = data.get("cmd")
    stage = rel if isinstance(command, str) and command.strip() else None
    imported_from = None
    deps: list[DvcOutput] = []
    for dep_path, dep, position in _entries(c, rel, parsed, "/deps", data.get("deps")):
        repo = dep.get("repo")
        if isinstance(repo, dict) and isinstance(repo.get("url"), str):
            imported_from = repo["url"]
        elif "://" in dep_path:
            imported_from = dep_path
        elif stage is not None:
            md5, hash_name = _hash(dep)
            deps.append(DvcOutput(normalize(dep_path, base), rel, position, md5, hash_name))
    outs: list[DvcOutput] = []
    for path, out, position in _entries(c, rel, parsed, "/outs", data.get("outs")):
        md5, hash_name = _hash(out)
        outs.append(
            DvcOutput(
                path=normalize(path, base),
                declared_in=rel,
                position=position,
                md5=md5,
                hash_name=hash_name,
                stage=stage,
                imported_from=None if stage else imported_from,
            )
        )
    c.outputs.extend(outs)
    if stage is not None:
        c.stages.append(
            DvcStage(
                stage,
                rel,
                parsed.keys.get("/cmd"),
                deps=tuple(d.path for d in deps),
                outs=tuple(o.path for o in outs),
                locked=True,
                locked_deps=tuple(deps),
            )
        )


def instance_keys(stage: dict[str, Any]) -> list[str] | None:
    """The `@key` suffixes DVC gives a `foreach`/`matrix` stage's instances when its
    values are written out in dvc.yaml; None when they come from `${...}` (only the
    dvc library can resolve those)."""
    scalar = (str, int, float, bool)
    if "foreach" in stage:
        items = stage["foreach"]
        if isinstance(items, dict):
            return [str(k) for k in items]
        if isinstance(items, list) and all(isinstance(i, scalar) for i in items):
            return [str(i) for i in items]
        if isinstance(items, list):
            return [str(i) for i in range(len(items))]
        return None
    matrix = stage.get("matrix")
    if isinstance(matrix, dict) and all(
        isinstance(v, list) and all(isinstance(i, scalar) for i in v) for v in matrix.values()
    ):
        return ["-".join(str(v) for v in combo) for combo in product(*matrix.values())]
    return None


def _read_pipeline(c: _Collector, dvc_yaml: str) -> None:
    parsed = c.load(dvc_yaml)
    if parsed is None:
        return
    data = c.expect(dvc_yaml, parsed, "", parsed.data, dict) or {}
    folder = posixpath.dirname(dvc_yaml)
    prefix = "" if dvc_yaml == "dvc.yaml" else f"{dvc_yaml}:"
    defined = c.expect(dvc_yaml, parsed, "/stages", data.get("stages"), dict) or {}
    lock_file = posixpath.join(folder, "dvc.lock")
    lock = _read_lock(c, lock_file)
    locked = lock or {}
    claimed: set[str] = set()
    for name, stage in defined.items():
        here = f"/stages/{name}"
        stage = c.expect(dvc_yaml, parsed, here, stage, dict)
        if stage is None:
            continue
        wdir = stage.get("wdir")
        base = normalize(wdir, folder) if isinstance(wdir, str) else folder
        templated = "foreach" in stage or "matrix" in stage
        body = stage.get("do", stage) if "foreach" in stage else stage
        if not isinstance(body, dict):
            continue
        declared: list[tuple[str, Position | None]] = []
        for key in ("outs", "metrics", "plots"):
            for path, opts, position in _entries(
                c, dvc_yaml, parsed, f"{here}/{key}", body.get(key)
            ):
                if "${" not in path:
                    declared.append((normalize(path, base), position))
                    if key == "metrics":
                        cached = opts.get("cache", True) is not False
                        c.metrics.append(
                            MetricsFile(
                                normalize(path, base), dvc_yaml, position, prefix + name, cached
                            )
                        )
        deps = tuple(
            normalize(p, base)
            for p, _o, _pos in _entries(c, dvc_yaml, parsed, f"{here}/deps", body.get("deps"))
            if "${" not in p
        )
        position = parsed.keys.get(here)
        if templated:
            keys = instance_keys(stage)
            names = [f"{name}@{k}" for k in keys] if keys is not None else None
            instances = (
                names if names is not None else [n for n in locked if n.startswith(f"{name}@")]
            )
            resolved = c.resolved.get(f"{prefix}{name}")
            if names is None and resolved is not None:
                # the dvc library expanded ${...} from dvc.yaml and params as they are
                # now; instances dvc.lock still holds from an older list are not ones
                instances = [n.removeprefix(prefix) for n in resolved]
            elif names is None:
                c.unexpanded.append(DvcStage(f"{prefix}{name}", dvc_yaml, position))
        else:
            instances = [name]
        claimed.update(instances)  # unexpanded ${...} loops claim every `name@` entry
        for instance in instances:
            entry = locked.get(instance) or _Locked([], [], [])
            lock_outs = [o._replace(path=normalize(o.path, base)) for o in entry.outs]
            lock_deps = [d._replace(path=normalize(d.path, base)) for d in entry.deps]
            address = f"{prefix}{instance}"
            out_paths = [o.path for o in lock_outs] or [p for p, _ in declared]
            c.stages.append(
                DvcStage(
                    address,
                    dvc_yaml,
                    position,
                    deps=tuple(d.path for d in lock_deps) or deps,
                    outs=tuple(out_paths),
                    locked=instance in locked,
                    locked_deps=tuple(lock_deps),
                    lock_unreadable=lock is None or (lock_file, instance) in c.broken_lock_stages,
                    params=tuple(p._replace(file=normalize(p.file, base)) for p in entry.params),
                    whole_params_files=tuple(
                        normalize(f, base) for f in _whole_params_files(body.get("params"))
                    ),
                )  # fmt: skip
            )
            c.outputs.extend(o._replace(stage=address) for o in lock_outs)
            expanded = c.resolved.get(f"{prefix}{name}", {}).get(address)
            if not templated:
                c.outputs.extend(
                    DvcOutput(path, dvc_yaml, where, stage=address)
                    for path, where in declared
                    if path not in {o.path for o in lock_outs}
                )
            elif expanded is not None:
                c.outputs.extend(
                    DvcOutput(path, dvc_yaml, position, stage=address)
                    for path in expanded
                    if path not in {o.path for o in lock_outs}
                )
    for name in sorted(set(locked) - claimed):
        c.orphaned.append(
            DvcStage(f"{prefix}{name}", lock_file, c.lock_keys.get((lock_file, name)))
        )
    for path, _opts, position in _entries(c, dvc_yaml, parsed, "/metrics", data.get("metrics")):
        if "${" not in path:  # DVC lists it; if a stage outputs it, that entry says more
            c.metrics.append(MetricsFile(normalize(path, folder), dvc_yaml, position))
    for name, artifact in (
        c.expect(dvc_yaml, parsed, "/artifacts", data.get("artifacts"), dict) or {}
    ).items():
        if isinstance(artifact, dict) and artifact.get("type") == "model":
            artifact_path = artifact.get("path")
            if isinstance(artifact_path, str) and artifact_path:
                c.artifacts.append(
                    ModelArtifact(
                        normalize(artifact_path, folder),
                        dvc_yaml,
                        parsed.keys.get(f"/artifacts/{name}"),
                        name=str(name),
                    )
                )


class _Locked(NamedTuple):
    """One dvc.lock entry, with paths as written (relative to the stage's wdir)."""

    outs: list[DvcOutput]
    deps: list[DvcOutput]
    params: list[LockedParam]


def _read_lock(c: _Collector, rel: str) -> dict[str, _Locked] | None:
    """stage name → what dvc.lock recorded for it; {} when there is no dvc.lock, None
    when it cannot be read."""
    c.locks_seen.add(rel)
    if not (c.root / rel).exists() and not (c.staged and rel in c.staged):
        return {}
    parsed = c.load(rel)
    if parsed is None:
        return None
    data = c.expect(rel, parsed, "", parsed.data, dict)
    if data is None:
        return None
    if "schema" in data:
        stages, pointer = data.get("stages"), "/stages"
    else:  # the DVC 1 lock format: stages at the top level
        stages, pointer = data, ""
    locked: dict[str, _Locked] = {}
    for name, stage in (c.expect(rel, parsed, pointer, stages, dict) or {}).items():
        here = f"{pointer}/{escape_pointer_token(str(name))}"
        stage = c.expect(rel, parsed, here, stage, dict)
        if stage is None:
            c.broken_lock_stages.add((rel, str(name)))  # MLW201 says so; nothing else
            continue
        entry = locked[str(name)] = _Locked([], [], [])
        for key, into in (("outs", entry.outs), ("deps", entry.deps)):
            for path, item, position in _entries(c, rel, parsed, f"{here}/{key}", stage.get(key)):
                md5, hash_name = _hash(item)
                into.append(DvcOutput(path, rel, position, md5, hash_name))
        files = c.expect(rel, parsed, f"{here}/params", stage.get("params"), dict) or {}
        for file, values in files.items():
            at = f"{here}/params/{escape_pointer_token(str(file))}"
            for key, value in (c.expect(rel, parsed, at, values, dict) or {}).items():
                position = parsed.position(f"{at}/{escape_pointer_token(str(key))}")
                entry.params.append(LockedParam(str(file), str(key), value, rel, position))
        c.lock_keys[(rel, str(name))] = parsed.keys.get(here)
    return locked


def _whole_params_files(params: Any) -> tuple[str, ...]:
    """The params files a dvc.yaml stage tracks as a whole (`- params.json:` with no
    keys), as written."""
    return tuple(
        str(file)
        for item in (params if isinstance(params, list) else ())
        if isinstance(item, dict)
        for file, keys in item.items()
        if not keys
    )


def read_dvc(
    root: Path,
    files: Iterable[str],
    model_patterns: tuple[str, ...],
    limit: int,
    parse: Callable[[bytes, str], Parsed | ParseProblem] = parse_document,
    resolved: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
    staged: Mapping[str, bytes | Skipped] | None = None,
) -> DvcFacts:
    """What DVC records, from the files as YAML. `resolved` gives the instances of
    `${...}` loops as the dvc library expands them (see `dvc_lib.stage_instances`);
    `staged`, the files a sparse checkout left out, as the index holds them."""
    c = _Collector(root, limit, parse, resolved=resolved or {}, staged=staged)
    by_name: dict[str, list[str]] = {"dvc.yaml": [], "dvc.lock": []}
    dvc_files = []
    for rel in sorted(files):  # one look at each name (20,000 files in a monorepo)
        name = rel.rpartition("/")[2]
        if name in by_name:
            by_name[name].append(rel)
        elif is_dvc_file(rel):
            dvc_files.append(rel)
    for rel in dvc_files:
        _read_dvc_file(c, rel)
    for rel in by_name["dvc.yaml"]:
        _read_pipeline(c, rel)
    for rel in by_name["dvc.lock"]:
        if rel not in c.locks_seen:
            _read_lock(c, rel)  # a lock without its dvc.yaml: still reported if broken
    outputs = _mark_models(c.outputs, c.artifacts, model_patterns)
    return DvcFacts(
        outputs=tuple(outputs),
        stages=tuple(c.stages),
        models=_models(outputs, c.artifacts),
        files_read=tuple(c.files_read),
        problems=tuple(c.problems),
        skipped=tuple(c.skipped),
        unexpanded=tuple(c.unexpanded),
        expanded_by_dvc=bool(resolved),
        orphaned=tuple(c.orphaned),
        metrics=_metrics_files(c.metrics, outputs),
    )


def _metrics_files(
    listed: list[MetricsFile], outputs: Iterable[DvcOutput]
) -> tuple[MetricsFile, ...]:
    """Each metrics file once: a stage's `metrics:` entry before a top-level one; a
    top-level entry that a stage outputs (e.g. under `outs:`) is cached as that out is
    unless marked `cache: false` there (not known here: taken as Git-tracked)."""
    by_path: dict[str, MetricsFile] = {}
    for metrics in sorted(listed, key=lambda m: m.stage is None):
        by_path.setdefault(metrics.path, metrics)
    stage_of = {o.path: o.stage for o in outputs if o.stage}
    return tuple(m._replace(stage=m.stage or stage_of.get(m.path)) for m in by_path.values())


def _mark_models(
    outputs: list[DvcOutput], artifacts: list[ModelArtifact], patterns: tuple[str, ...]
) -> list[DvcOutput]:
    marked = []
    for out in outputs:
        by_artifact = any(
            out.covers(a.path) or a.path.startswith(out.path + "/") for a in artifacts
        )
        if by_artifact or is_model_path(out.path, patterns):
            out = out._replace(is_model=True)
        marked.append(out)
    return marked


def _models(outputs: list[DvcOutput], artifacts: list[ModelArtifact]) -> tuple[ModelArtifact, ...]:
    models: list[ModelArtifact] = []
    for artifact in artifacts:
        holder = [o for o in outputs if o.covers(artifact.path)]
        output = max(holder, key=lambda o: len(o.path)) if holder else None
        models.append(artifact._replace(output=output))
    # an output at or above a model already named is that model's: set lookups, not
    # every model against every output (500 outputs in a monorepo)
    at_or_above = {folder for m in models for folder in self_and_folders(m.path)}
    for out in outputs:
        if not out.is_model or out.path in at_or_above:
            continue
        models.append(ModelArtifact(out.path, out.declared_in, out.position, output=out))
        at_or_above.update(self_and_folders(out.path))
    return tuple(models)


@lru_cache(maxsize=256)
def _outs_at(dvc_file: str, raw: bytes) -> dict[str, DvcOutput]:
    """Every out a .dvc file or dvc.lock (as it was at some revision) records, by its
    path from the repository root. (Lock paths are taken relative to the lock's folder:
    a stage `wdir` at an old revision is not looked up.)"""
    text = decode(raw)
    if isinstance(text, ParseProblem):
        return {}
    folder = posixpath.dirname(dvc_file)
    c = _Collector(Path("."), len(raw) + 1)
    parsed = parse_yaml(text)
    if isinstance(parsed, ParseProblem) or not isinstance(parsed.data, dict):
        return {}
    data = parsed.data
    outs: dict[str, DvcOutput] = {}

    def add(entries: Any, pointer: str, base: str) -> None:
        for out_path, entry, _position in _entries(c, dvc_file, parsed, pointer, entries):
            md5, hash_name = _hash(entry)
            path = normalize(out_path, base)
            outs[path] = DvcOutput(path, dvc_file, md5=md5, hash_name=hash_name)

    if is_dvc_file(dvc_file):
        wdir = data.get("wdir")
        add(data.get("outs"), "/outs", normalize(wdir, folder) if isinstance(wdir, str) else folder)
        return outs
    stages = data.get("stages") if "schema" in data else data
    for name, stage in (stages if isinstance(stages, dict) else {}).items():
        if isinstance(stage, dict):
            add(stage.get("outs"), f"/stages/{name}/outs", folder)
    return outs


def _find_out(text: str, written: str) -> tuple[str | None, str | None] | None:
    """The md5 and hash name of the out written `- path: <written>` in a file DVC
    wrote, found by searching the text (a large dvc.lock read at hundreds of
    revisions); None when it is not there in that shape."""
    start = 0
    while (at := text.find(f"- path: {written}\n", start)) >= 0:
        start = at + 1
        if text.rfind("outs:", 0, at) < max(
            text.rfind("deps:", 0, at), text.rfind("params:", 0, at)
        ):
            continue  # a dependency entry, not an out
        indent = at - (text.rfind("\n", 0, at) + 1) + 2
        fields: dict[str, str] = {}
        end = text.find("\n", at)
        while end >= 0:  # the entry's lines, read one by one (not the whole rest)
            following = text.find("\n", end + 1)
            line = text[end + 1 : following if following >= 0 else len(text)]
            end = following
            if len(line) - len(line.lstrip(" ")) != indent or ": " not in line:
                break
            key, _, value = line.strip().partition(": ")
            fields[key] = value.strip("'\"")
        md5 = fields.get("md5")
        return md5, (fields.get("hash", LEGACY_HASH) if md5 else None)
    return None


def recorded_hash(dvc_file: str, raw: bytes, path: str) -> DvcOutput | None:
    """What one `.dvc` file or `dvc.lock`, as it was at some revision, records for
    `path`; None when it does not track it."""
    folder = posixpath.dirname(dvc_file)
    written = posixpath.relpath(path, folder) if folder else path
    text = raw.decode("utf-8", "replace")
    if not is_dvc_file(dvc_file) and (found := _find_out(text, written)) is not None:
        return DvcOutput(path, dvc_file, md5=found[0], hash_name=found[1])
    return _outs_at(dvc_file, raw).get(path)
