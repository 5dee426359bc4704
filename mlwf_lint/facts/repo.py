"""The repository as facts, read once and handed to every rule as plain data:
its files, whether it holds ML code, what DVC records, and the documents found."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from mlwf_lint.config import Config
from mlwf_lint.errors import UsageError
from mlwf_lint.facts.cache import NoCache, ResultCache
from mlwf_lint.facts.documents import Document, find_documents, model_cards
from mlwf_lint.facts.files import FileProblem, Skipped, read_bytes
from mlwf_lint.facts.history_facts import HistoryFacts, ask_refs, gather_history
from mlwf_lint.facts.listing import Listing, list_repository
from mlwf_lint.facts.schema_errors import SchemaViolation, explain
from mlwf_lint.facts.sources import dvc_lib, history
from mlwf_lint.facts.sources.dvc import DvcFacts, DvcOutput, is_dvc_path, read_dvc
from mlwf_lint.facts.values import Reading, Unread, Values, read_values

ML_PROJECT_FILES = ("MLproject",)
_IMPORT_LINE = re.compile(rb"^[ \t]*(from|import)[ \t]+([^\r\n#;]+)", re.MULTILINE)


class MlCode(NamedTuple):
    """Why the repository counts as holding ML code: the first file that shows it."""

    path: str
    reason: str
    line: int | None = None


class ChangeFacts(NamedTuple):
    """Diff mode: what the change since the merge base with --base touched."""

    base: str  # the merge base's SHA
    changed: frozenset[str]  # paths that differ from it (committed or not, untracked too)
    base_outputs: tuple[DvcOutput, ...]  # what DVC recorded at the merge base
    base_metrics: Mapping[str, Reading] = MappingProxyType({})  # metrics files then


class _Facts(NamedTuple):
    root: Path
    config: Config
    files: tuple[str, ...]
    ml_code: MlCode | None
    dvc: DvcFacts
    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...]
    schema_violations: Mapping[str, tuple[SchemaViolation, ...]]  # document path → its
    today: dt.date  # the day the run is for (dates in documents are judged against it)
    # from the dvc library, only when asked for (--check-data)
    workspace_changes: tuple[str, ...] | None = None
    history: HistoryFacts | None = None  # None with --no-history
    change: ChangeFacts | None = None  # diff mode (--base) only
    # the params files dvc.lock names and the metrics files DVC lists, read (path → values)
    params_values: Mapping[str, Reading] = MappingProxyType({})
    metrics_values: Mapping[str, Reading] = MappingProxyType({})


class RepoFacts(_Facts):
    """Everything the rules read about the repository, gathered once (`gather`). (A
    subclass of its fields' record for the look-ups made once when first asked for.)"""

    def documents_of(self, kind: str) -> tuple[Document, ...]:
        return tuple(d for d in self.documents if d.kind == kind)

    @cached_property
    def unread_kinds(self) -> frozenset[str]:
        """The document kinds of files that were skipped (MLW002: too large, binary, left
        out of a sparse checkout a partial clone lacks too), and "dvc" for a DVC file:
        what they hold is unknown, so a rule that would call something missing of that
        kind stays silent rather than report a false absence."""
        kinds = {self.config.kind_of(s.path) for s in self.skipped}
        dvc = any(is_dvc_path(s.path) for s in self.skipped)
        return frozenset({k for k in kinds if k} | ({"dvc"} if dvc else set()))

    @cached_property
    def model_cards(self) -> tuple[Document, ...]:
        """Model cards, and Hugging Face cards with an `mlwf:` block seen as ones."""
        return model_cards(self.documents)

    def plans_for(self, card: Document) -> tuple[Document, ...]:
        """The rollback plans of a model card: the one its `rollback_plan` names and
        those whose `model` is its id."""
        named = card.get("rollback_plan")
        by_model, by_id = self._plans
        found = [
            *by_model.get(card.id or "", ()),
            *by_id.get(named if isinstance(named, str) else "", ()),
        ]
        return tuple(p for i, p in enumerate(found) if all(p is not q for q in found[:i]))

    @cached_property
    def _plans(self) -> tuple[dict[str, list[Document]], dict[str, list[Document]]]:
        by_model: dict[str, list[Document]] = {}
        by_id: dict[str, list[Document]] = {}
        for plan in self.documents_of("rollback-plan"):
            model = plan.get("model")
            if isinstance(model, str):
                by_model.setdefault(model, []).append(plan)
            if plan.id is not None:
                by_id.setdefault(plan.id, []).append(plan)
        return by_model, by_id

    @property
    def problems(self) -> tuple[FileProblem, ...]:
        unreadable = (
            FileProblem(r.path, r.reason, *(r.position or (None, None)))
            for r in (*self.params_values.values(), *self.metrics_values.values())
            if isinstance(r, Unread) and r.problem
        )
        return (
            self.dvc.problems
            + tuple(d.problem for d in self.documents if d.problem)
            + tuple(sorted(set(unreadable), key=lambda p: p.path))
        )

    @property
    def checked_files(self) -> tuple[str, ...]:
        values = (*self.params_values.values(), *self.metrics_values.values())
        read = (v.path for v in values if isinstance(v, Values) and not v.at_head)
        return tuple(sorted({*(d.path for d in self.documents), *self.dvc.files_read, *read}))


def imported_modules(source: bytes) -> Iterable[tuple[str, int]]:
    """(top-level module, 1-based line) for each line that looks like an import: a
    fast first pass over every Python file (see `ml_import` for the exact one)."""
    for match in _IMPORT_LINE.finditer(source):
        line = source.count(b"\n", 0, match.start()) + 1
        keyword, rest = match.group(1), match.group(2).decode("utf-8", "replace")
        if keyword == b"from":
            yield rest.split()[0].split(".")[0] if rest.split() else "", line
        else:
            for part in rest.strip("()\\ \t").split(","):
                words = part.split()
                if words:
                    yield words[0].split(".")[0], line


def _real_imports(source: bytes) -> Iterable[tuple[str, int]] | None:
    """The imports Python itself sees (not text in a string that looks like one), or
    None when the file does not parse as Python 3."""
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module.split(".")[0], node.lineno))
    return sorted(found, key=lambda item: item[1])


def ml_import(source: bytes, ml_imports: frozenset[str]) -> tuple[str, int] | None:
    """The first ML library `source` imports. Lines are scanned first (cheap, most
    files stop here); only a file with a candidate is parsed, so that an import
    written inside a string or a docstring does not count."""
    if not any(module in ml_imports for module, _line in imported_modules(source)):
        return None
    imports = _real_imports(source)
    if imports is None:
        imports = imported_modules(source)
    return next(((m, line) for m, line in imports if m in ml_imports), None)


def notebook_source(raw: bytes) -> bytes | None:
    """The code cells of a Jupyter notebook as one Python text (IPython magics and
    shell lines blanked), or None when it is not a readable notebook."""
    import json

    try:
        cells = json.loads(raw).get("cells", [])
    except (ValueError, AttributeError, RecursionError):
        return None
    lines: list[str] = []
    for cell in cells if isinstance(cells, list) else ():
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        for line in text.splitlines():
            lines.append("" if line.lstrip().startswith(("%", "!")) else line)
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def find_ml_code(root: Path, files: tuple[str, ...], config: Config) -> MlCode | None:
    """The first file that shows ML code: an MLflow `MLproject`, else a Python file or
    a notebook that imports an ML library. A `dvc.yaml` alone is not ML code: data
    pipelines and dataset registries use DVC too."""
    for rel in files:
        if posixpath.basename(rel) in ML_PROJECT_FILES:
            return MlCode(rel, f"{posixpath.basename(rel)} defines an ML project")
    for suffix in (".py", ".ipynb"):
        for rel in files:
            if not rel.endswith(suffix):
                continue
            raw = read_bytes(root, rel, config.max_file_size)
            if not isinstance(raw, bytes):
                continue
            source = raw if suffix == ".py" else notebook_source(raw)
            found = ml_import(source, config.ml_imports) if source else None
            if found is not None:
                if suffix == ".ipynb":
                    return MlCode(rel, f"a notebook importing {found[0]}")
                return MlCode(rel, f"imports {found[0]}", found[1])
    return None


def _schema_digest(root: Path, config: Config, kind: str) -> str:
    """Identifies the schema in effect for a kind: its text, and for a team's own
    schema every JSON file beside it (what its $refs may name by `$id`) and every
    file its $refs reach, however deep."""
    from mlwf_lint.facts.schemas import reached_files, schema_path

    own = config.kinds[kind].schema
    files = (
        sorted({*(root / own).parent.glob("*.json"), *reached_files(root / own)})
        if own
        else [schema_path(kind)]
    )
    parts: list[str | bytes] = [kind]
    for path in files:
        try:
            parts.append(path.read_bytes())
        except OSError:
            parts.append(str(path))
    return ResultCache.key(*parts)


def check_team_schemas(root: Path, config: Config, cache: ResultCache) -> dict[str, str]:
    """Every team schema the configuration names must load and resolve every $ref
    (never over the network) before any document is read: a broken configuration is
    exit 2 whether or not some document reaches it. Remembered per content, so a
    warm run does not import jsonschema for it. Returns each team kind's schema
    digest, for `schema_violations` to reuse."""
    digests: dict[str, str] = {}
    for kind in sorted(k for k, spec in config.kinds.items() if spec.schema):
        own = config.kinds[kind].schema
        assert own is not None
        if not (root / own).resolve().is_relative_to(root.resolve()):
            raise UsageError(
                f"documents.{kind}.schema {own} leads outside the repository (a symbolic "
                "link or ..); keep team schemas inside it"
            )
        digests[kind] = _schema_digest(root, config, kind)
        key = cache.key("team-schema-ok", digests[kind])
        if cache.get(key) is None:
            from mlwf_lint.facts import schemas

            schemas.team_validator(root / own)
            cache.put(key, True)
    return digests


def schema_violations(
    root: Path,
    config: Config,
    documents: Iterable[Document],
    cache: ResultCache,
    known_digests: Mapping[str, str] | None = None,
) -> dict[str, tuple[SchemaViolation, ...]]:
    """Each readable document's schema violations. A validator is built (and
    jsonschema imported) only for content the cache has not seen with this schema and
    the first pass (`schema_first_pass`) cannot vouch for; a
    team's own schema replaces the shipped one. `known_digests`: schema digests
    already computed this run (`check_team_schemas`)."""
    from mlwf_lint.facts import schemas

    validators: dict[str, Any] = {}
    digests: dict[str, str] = dict(known_digests or {})
    found: dict[str, tuple[SchemaViolation, ...]] = {}
    for doc in documents:
        if doc.parsed is None:
            continue
        if doc.kind not in digests:
            digests[doc.kind] = _schema_digest(root, config, doc.kind)
        key = cache.key("schema", doc.kind, doc.digest, digests[doc.kind])
        entry = cache.get(key)
        if entry is None:
            from mlwf_lint.facts.schema_first_pass import surely_valid

            own = config.kinds[doc.kind].schema
            if not own and surely_valid(schemas.load_schema(doc.kind), doc.parsed.data):
                entry = []  # the first pass vouches for it: jsonschema is not needed
            else:
                if doc.kind not in validators:
                    validators[doc.kind] = (
                        schemas.team_validator(root / own)
                        if own
                        else schemas.document_validator(doc.kind)
                    )
                violations = explain(validators[doc.kind].iter_errors(doc.parsed.data))
                entry = [[v.pointer, list(v.path), v.message, v.placeholder] for v in violations]
            cache.put(key, entry)
        found[doc.path] = tuple(
            SchemaViolation(pointer, tuple(path), message, placeholder)
            for pointer, path, message, placeholder in entry
        )
    return found


def gather(
    root: Path,
    config: Config,
    listing: Listing | None = None,
    *,
    files: Iterable[str] | None = None,
    change: ChangeFacts | None = None,
    live: bool = True,
    changed_paths: Callable[[], frozenset[str]] | None = None,
    validate_only: frozenset[str] | None = None,
    cache: ResultCache | None = None,
) -> RepoFacts:
    """Read the facts once. `listing`: the files and HEAD, read already, with the
    history walks under way (`list_repository`); without it they are read here, where
    `files` replaces Git's file list (a tree materialized from another revision, with
    `live=False`: no dvc library, no history there).
    `validate_only`: the documents whose schema violations are wanted (diff mode: an
    untouched document has the same ones at the base, so none of them is new).
    `changed_paths` (diff mode): what the change touched, asked once the files are
    read — git may still be comparing the working tree meanwhile; it sets the
    documents history is asked for and `validate_only`."""
    cache = cache or NoCache()
    if listing is None:
        listing = list_repository(
            root, config, cache, files=files, live=live, walks=changed_paths is None
        )
    files, head = listing.files, listing.head
    team_digests = check_team_schemas(root, config, cache) if live else {}
    staged = _left_out(root, listing)
    documents, skipped = find_documents(root, listing.kinds, config, cache.parse, staged)
    refs = None
    if head is not None and changed_paths is None:
        refs = ask_refs(root, head, documents, cache, listing.ancestry)
    limit = config.max_file_size
    dvc = read_dvc(root, files, config.model_patterns, limit, cache.parse, staged=staged)
    workspace = None
    if live and dvc.unexpanded and dvc_lib.available():
        resolved = dvc_lib.stage_instances(
            root, {s.dvc_yaml for s in dvc.unexpanded}, keep=cache.path is not None
        )
        dvc = read_dvc(
            root, files, config.model_patterns, config.max_file_size, cache.parse, resolved
        )
    history_for = changed_paths() if changed_paths is not None else None
    if history_for is not None:
        validate_only = validated_in_change(config, history_for)
    pending_history = None
    if head is not None:
        # in diff mode only the documents the change touched can get history findings
        watched = tuple(d for d in documents if history_for is None or d.path in history_for)
        # mostly waiting on git: it runs while the schemas are checked here (cold: the
        # jsonschema import and validation)
        pending_history = history.in_background(
            gather_history,
            root,
            head,
            watched,
            dvc,
            cache,
            count_lag=config.staleness_commits > 0,
            written=listing.written,
            refs=refs,
        )
    validated = [d for d in documents if validate_only is None or d.path in validate_only]
    violations = schema_violations(root, config, validated, cache, team_digests)
    if config.check_data:
        workspace = dvc_lib.modified_data(root, files, keep=cache.path is not None)
    params_files, metrics_files = value_files(dvc)
    params = read_values(root, params_files, config.max_file_size, parse=cache.parse)
    metrics = (
        read_values(
            root,
            metrics_files,
            config.max_file_size,
            at_head=(lambda paths: history.read_head(root, paths)) if live else None,
            parse=cache.parse,
        )
        if dvc.models or any(d.kind == "model-card" for d in documents)
        else {}
    )
    history_facts = None
    if pending_history is not None:
        try:
            history_facts = pending_history()
        except history.HistoryIncomplete as incomplete:  # a partial clone: as a shallow one
            history_facts = HistoryFacts(unavailable=str(incomplete))
    elif listing.unavailable:
        history_facts = HistoryFacts(unavailable=listing.unavailable)
    return RepoFacts(
        root=root,
        config=config,
        files=files,
        # only MLW101 (no card, no DVC model) and init need it: reading every Python
        # file of a large repository for an answer nobody asks is not free
        ml_code=(
            find_ml_code(root, files, config)
            if not dvc.models and not any(d.kind == "model-card" for d in documents)
            else None
        ),
        dvc=dvc,
        documents=documents,
        skipped=dvc.skipped + skipped,
        schema_violations=violations,
        workspace_changes=workspace,
        history=history_facts,
        change=change,
        params_values=params,
        metrics_values=metrics,
        today=dt.datetime.now(dt.UTC).date(),
    )


def _left_out(root: Path, listing: Listing) -> dict[str, bytes | Skipped]:
    """The documents and DVC files a sparse checkout left out of the working tree, as
    the index holds them: they are in the repository, and a card read as missing would
    be a false finding. Where a partial clone lacks them too, each is skipped (MLW002)."""
    wanted = {f for f in listing.not_checked_out if f in listing.kinds or is_dvc_path(f)}
    hint = "add its folder to the sparse checkout (`git sparse-checkout add FOLDER`)"
    try:
        found: dict[str, bytes | Skipped] = dict(history.read_index(root, wanted))
    except history.HistoryIncomplete:
        why = "left out of this sparse checkout, and this partial clone does not hold it; not read"
        return {f: Skipped(f, why, hint) for f in wanted}
    link = "left out of this sparse checkout, and a link or a submodule in the index; not read"
    return {**{f: Skipped(f, link, hint) for f in wanted - set(found)}, **found}


def validated_in_change(config: Config, changed: frozenset[str]) -> frozenset[str] | None:
    """The documents whose schema violations can differ from the base's: those the
    change touched, unless it touched a team schema's folder or one below it (where its
    $refs lead): then every one."""
    folders = {posixpath.dirname(k.schema) for k in config.kinds.values() if k.schema}
    if any(not f or path.startswith(f + "/") for f in folders for path in changed):
        return None
    return changed


def value_paths(dvc: DvcFacts) -> frozenset[str]:
    """Every params and metrics file DVC names."""
    params, metrics = value_files(dvc)
    return frozenset(params | metrics)


def value_files(dvc: DvcFacts) -> tuple[set[str], set[str]]:
    """The params files dvc.lock recorded values from (and those dvc.yaml tracks whole),
    and the metrics files DVC lists."""
    params = {p.file for s in dvc.stages for p in s.params}
    params |= {f for s in dvc.stages for f in s.whole_params_files}
    return params, {m.path for m in dvc.metrics}
