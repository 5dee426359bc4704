"""`init` and `new`: documents written from templates, pre-filled from DVC and Git.

Every human field is a placeholder (TODO), so a fresh document fails MLW203 until a
person fills it in; every field DVC or Git can answer is filled from them. Files are
created atomically and never overwritten.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mlwf_lint.config import CONFIG_FILE, DEFAULT_SECTIONS, KINDS, Config
from mlwf_lint.errors import UsageError
from mlwf_lint.facts.documents import described_path
from mlwf_lint.facts.parsing import yaml_scalar
from mlwf_lint.facts.registry import RegistryArtifact, read_registry
from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.facts.schemas import schema_path
from mlwf_lint.facts.sources import history
from mlwf_lint.facts.sources.dvc import DvcFacts, DvcOutput, ModelArtifact
from mlwf_lint.facts.values import Values, stage_params, yaml_text
from mlwf_lint.write.atomic import write_new

TODO = "TODO"
_SLUG_PARTS = re.compile(r"[a-z0-9]+")
_ADR_ID = re.compile(r"ADR-(\d{4})")


def slugify(text: str) -> str:
    return "-".join(_SLUG_PARTS.findall(text.lower())) or "unnamed"


def document_folder(config: Config, kind: str) -> str:
    """The folder part of the kind's first glob, before any wildcard."""
    parts = []
    for part in config.kinds[kind].globs[0].split("/")[:-1]:
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    return "/".join(parts)


SCHEMA_COPIES = ".mlwf-lint/schemas"


def _schema_line(root: Path, config: Config, kind: str, document: str, written: list[Path]) -> str:
    """`# yaml-language-server: $schema=...` so editors validate while people type.
    Documents are committed, so the target is a path inside the repository, relative
    to the document, that works on every clone: the team's own schema if configured,
    else a copy of the shipped one in .mlwf-lint/schemas/ (written once, never
    overwritten; `mlwf-lint schema KIND` prints the installed one to refresh it)."""
    own = config.kinds[kind].schema
    if own:
        target = root / own
    else:
        target = root / SCHEMA_COPIES / f"{kind}.schema.json"
        if not target.exists():
            write_new(target, schema_path(kind).read_text(encoding="utf-8"))
            written.append(target)
    where = posixpath.relpath(
        target.relative_to(root).as_posix(), posixpath.dirname(document) or "."
    )
    return f"# yaml-language-server: $schema={where}"


def _sections(config: Config, kind: str) -> str:
    sections = config.kinds[kind].sections or DEFAULT_SECTIONS[kind]
    return "".join(f"\n## {name}\n{TODO}\n" for name in sections)


def model_card_text(
    schema_line: str,
    card_id: str,
    *,
    name: str = TODO,
    version: str = TODO,
    artifact: tuple[str, str] | None = None,
    training_data: Iterable[tuple[str, str]] = (),
    provenance: str = "",
    sections: str = "",
    status: str = "development",
    hyperparameters: Iterable[tuple[str, str]] = (),
    metrics: Iterable[Metric] = (),
) -> str:
    path, md5 = artifact or (TODO, TODO)
    lines = [
        "---",
        schema_line,
        *([f"# {provenance}"] if provenance else []),
        f"id: {yaml_scalar(card_id)}",
        f"name: {yaml_scalar(name)}",
        f"version: {yaml_scalar(version) if version != TODO else TODO}",
        f"status: {status}",
        f"owners: [{TODO}]",
        "artifact:",
        f"  path: {yaml_scalar(path)}",
        f"  md5: {yaml_scalar(md5)}",
    ]
    data = list(training_data)
    lines.append("training_data:" + ("" if data else " []"))
    for dataset, dataset_md5 in data:
        lines += [f"  - dataset: {yaml_scalar(dataset)}", f"    md5: {yaml_scalar(dataset_md5)}"]
    params = list(hyperparameters)
    if params:
        lines.append("hyperparameters:  # as dvc.lock records them for the producing stage")
        lines += [f"  {yaml_scalar(name)}: {value}" for name, value in params]
    lines.append("metrics:")
    for metric in list(metrics) or [Metric(TODO, TODO, TODO)]:
        lines += [f"  - name: {yaml_scalar(metric.name)}", f"    value: {metric.value}"]
        lines.append(f"    split: {yaml_scalar(metric.split)}")
        if metric.source:
            lines += [
                f"    source: {yaml_scalar(metric.source)}",
                f"    key: {yaml_scalar(metric.key)}",
            ]
    lines.append(f"decisions: [{TODO}]")
    if status == "production":
        lines += [
            "monitoring:",
            f"  metrics: [{{name: {TODO}, threshold: {TODO}}}]",
            f"  drift: {TODO}",
            f"  retraining: {TODO}",
        ]
    lines += ["---", f"# {name if name != TODO else card_id}"]
    return "\n".join(lines) + "\n" + sections


@dataclass(frozen=True)
class Metric:
    """A metric for a new card: from a DVC metrics file (`source`, `key`) or a TODO."""

    name: str
    value: str  # as YAML writes it
    split: str
    source: str = ""
    key: str = ""


SPLITS = frozenset({"train", "test", "val", "valid", "validation", "eval", "holdout", "dev"})


def card_metrics(model: ModelArtifact, facts: RepoFacts, limit: int = 12) -> list[Metric]:
    """The numbers in the metrics files of the stage that produces the model or of a
    stage that reads it (an evaluation), each with its `source` and `key`."""
    dvc = facts.dvc
    producer = dvc.producer_of(model.output.path) if model.output else None
    readers = {s.name for s in dvc.stages if any(d == model.path for d in s.deps)}
    wanted = {producer.name} if producer else set()
    found = []
    for metrics_file in dvc.metrics:
        reading = facts.metrics_values.get(metrics_file.path)
        if metrics_file.stage not in wanted | readers or not isinstance(reading, Values):
            continue
        for key, value in reading.leaves.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            parts = key.split(".")
            if len(parts) > 1 and parts[-1] in SPLITS:
                name, split = ".".join(parts[:-1]), parts[-1]
            elif len(parts) > 1 and parts[0] in SPLITS:
                name, split = ".".join(parts[1:]), parts[0]
            else:
                name, split = key, TODO
            text = reading.numbers.get(key) or yaml_text(value) or TODO
            found.append(Metric(name, text, split, metrics_file.path, key))
    return found[:limit]


def _registry_status(
    name: str | None, version: str, registry: Mapping[str, RegistryArtifact], config: Config
) -> str:
    """The card status the GTO registry gives this version: the status whose stage
    holds it (production first), else development."""
    artifact = registry.get(name or "")
    if artifact is None or version == TODO:
        return "development"
    for status in ("production", "staging", "development"):
        for stage in config.registry_stages.get(status, ()):
            holder = artifact.stages.get(stage)
            if holder is not None and holder.version == f"v{version}":
                return status
    return "development"


def lineage_text(
    schema_line: str,
    record_id: str,
    *,
    dataset: tuple[str, str] | None = None,
    origin: str = TODO,
    file_format: str = TODO,
    stages: Iterable[str] = (),
    provenance: str = "",
) -> str:
    path, md5 = dataset or (TODO, TODO)
    lines = [
        schema_line,
        *([f"# {provenance}"] if provenance else []),
        f"id: {yaml_scalar(record_id)}",
        f"description: {TODO}",
        f"owners: [{TODO}]",
        "dataset:",
        f"  path: {yaml_scalar(path)}",
        f"  md5: {yaml_scalar(md5)}",
        "source:",
        f"  origin: {yaml_scalar(origin)}",
        f"  format: {yaml_scalar(file_format)}",
        f"  license: {TODO}",
        f"  contains_pii: {TODO}  # true or false",
    ]
    used_by = list(stages)
    lines.append("transformations:" + ("" if used_by else " []"))
    for stage in used_by:
        lines += [f"  - description: {TODO}", f"    stage: {yaml_scalar(stage)}"]
    return "\n".join(lines) + "\n"


def rollback_text(schema_line: str, plan_id: str) -> str:
    version = f"{{version: {TODO}, git_ref: {TODO}, md5: {TODO}}}"
    return (
        "\n".join(
            [
                schema_line,
                f"id: {yaml_scalar(plan_id)}",
                f"model: {TODO}",
                f"owner: {TODO}",
                f"current: {version}",
                f"fallback: {version}",
                f"triggers: [{TODO}]",
                f"procedure: [{TODO}]",
            ]
        )
        + "\n"
    )


def decision_text(schema_line: str, number: int, title: str, sections: str) -> str:
    return (
        f"---\n{schema_line}\nid: ADR-{number:04d}\ntitle: {yaml_scalar(title)}\n"
        f"status: proposed\ndate: {TODO}\ndeciders: [{TODO}]\n---\n# {title}\n{sections}"
    )


# --- new ---------------------------------------------------------------------------


def new_document(root: Path, config: Config, kind: str, doc_id: str) -> tuple[Path, ...]:
    """Write one document from its template; the paths written (a schema copy the
    document points at, when it was not there yet, then the document)."""
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    if kind == "hf-model-card":
        raise UsageError(
            "a Hugging Face card is written with the Hub's template; to make one from a model "
            "card of ours: mlwf-lint export huggingface MODEL_ID"
        )
    folder = document_folder(config, kind)
    sections = _sections(config, kind)
    written: list[Path] = []
    if kind == "decision-record":
        rel, text = _new_decision(root, config, folder, doc_id, sections, written)
    else:
        if slugify(doc_id) != doc_id:
            raise UsageError(f"{doc_id!r} is not a slug id; try {slugify(doc_id)!r}")
        suffix = ".md" if kind == "model-card" else ".yaml"
        rel = posixpath.join(folder, doc_id + suffix)
        if (root / rel).exists():
            raise UsageError(f"{root / rel} already exists; not overwritten")
        line = _schema_line(root, config, kind, rel, written)
        text = {
            "model-card": lambda: model_card_text(line, doc_id, sections=sections),
            "data-lineage": lambda: lineage_text(line, doc_id),
            "rollback-plan": lambda: rollback_text(line, doc_id),
        }[kind]()
    path = root / rel
    write_new(path, text)
    return (*written, path)


def _new_decision(
    root: Path, config: Config, folder: str, doc_id: str, sections: str, written: list[Path]
) -> tuple[str, str]:
    taken = [
        int(match.group(1))
        for match in (re.match(r"(\d{4})-", p.name) for p in (root / folder).glob("*.md"))
        if match
    ]
    by_id = _ADR_ID.fullmatch(doc_id)
    number = int(by_id.group(1)) if by_id else max(taken, default=0) + 1
    slug = "decision" if by_id else slugify(doc_id)
    title = TODO if by_id else doc_id.replace("-", " ").capitalize()
    rel = posixpath.join(folder, f"{number:04d}-{slug}.md")
    if (root / rel).exists():
        raise UsageError(f"{root / rel} already exists; not overwritten")
    line = _schema_line(root, config, "decision-record", rel, written)
    return rel, decision_text(line, number, title, sections)


# --- init --------------------------------------------------------------------------

CONFIG_TEMPLATE = """\
# mlwf-lint configuration: every key is optional; `mlwf-lint rule` lists the codes.
# documents:
#   model-card: {glob: "docs/ml/models/*.md"}
#   data-lineage: {glob: "docs/ml/data/*.yaml"}
#   rollback-plan: {glob: "docs/ml/rollback/*.yaml"}
#   decision-record: {glob: "docs/ml/decisions/[0-9][0-9][0-9][0-9]-*.md"}
# extend-ml-imports: []
# extend-model-patterns: []
# ignore: []
fail-on: error
"""


@dataclass(frozen=True)
class InitResult:
    written: tuple[Path, ...]
    kept: tuple[str, ...]  # what was already there, and why it was left alone
    # (folder, the .gitignore rule) for each folder written into that Git ignores
    ignored: tuple[tuple[str, str], ...] = ()


def _source_datasets_of(model: ModelArtifact, dvc: DvcFacts) -> list[DvcOutput]:
    """The source datasets a model is built from, following stage deps upstream."""
    producers = {o.path: o.stage for o in dvc.outputs if o.stage}
    stages = {s.name: s for s in dvc.stages}
    found: dict[str, DvcOutput] = {}
    pending = [model.output.stage] if model.output and model.output.stage else []
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in stages:
            continue
        seen.add(name)
        for dep in stages[name].deps:
            holder = dvc.output_for(dep)
            if holder is None:
                continue
            if holder.is_source:
                found[holder.path] = holder
            elif holder.stage and holder.path in producers:
                pending.append(holder.stage)
    return sorted(found.values(), key=lambda o: o.path)


def distinct_ids(paths: Iterable[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """path → a slug id, distinct from every other and from `taken`: the file's stem
    where that is unique (`data/raw.csv` → `raw`), else more of the path, level by
    level, until it is (`a/data.csv`, `b/data.csv` → `a-data`, `b-data`; `best.pt`,
    `best.onnx` → `best-pt`, `best-onnx`; `train.zip`, `train/` → `train-zip`,
    `train`)."""

    def candidate(path: str, level: int) -> str:
        """level 0: the stem; 1: the name with its extension; 2: the parent folder and
        the stem; 3: the parent and the name; 4: two folders and the stem; ..."""
        parts = path.split("/")
        name = parts[-1]
        stem = name.split(".")[0] or name
        folders = parts[:-1][len(parts) - 1 - level // 2 :] if level >= 2 else []
        return slugify("-".join([*folders, name if level % 2 else stem]))

    paths = sorted(set(paths))
    level = dict.fromkeys(paths, 0)
    blocked = set(taken)
    for _round in range(64):
        ids = {p: candidate(p, level[p]) for p in paths}
        counts: dict[str, int] = {}
        for value in ids.values():
            counts[value] = counts.get(value, 0) + 1
        clashing = [p for p in paths if counts[ids[p]] > 1 or ids[p] in blocked]
        if not clashing:
            return ids
        for path in clashing:
            level[path] += 1
    # a path identical at every level to another (impossible for distinct paths) or
    # to a taken id: number what is left
    ids = {p: candidate(p, level[p]) for p in paths}
    seen = set(blocked)
    for path in paths:
        base, number = ids[path], 2
        while ids[path] in seen:
            ids[path] = f"{base}-{number}"
            number += 1
        seen.add(ids[path])
    return ids


def _provenance(head: str | None, tags: dict[str, str]) -> str:
    if head is None:
        return "pre-filled by mlwf-lint init from DVC (no commit yet)"
    at_head = sorted(name for name, sha in tags.items() if sha == head)
    where = f"{head[:7]}" + (f" ({', '.join(at_head)})" if at_head else "")
    return f"pre-filled by mlwf-lint init from DVC at commit {where}"


def _gto_version(name: str | None, tags: dict[str, str]) -> str:
    """The highest `name@vX.Y.Z` GTO registration tag, as X.Y.Z."""
    if not name:
        return TODO
    versions = []
    for tag in tags:
        match = re.fullmatch(re.escape(name) + r"@v(\d+)\.(\d+)\.(\d+)", tag)
        if match:
            versions.append(tuple(int(g) for g in match.groups()))
    return ".".join(map(str, max(versions))) if versions else TODO


def init_repository(facts: RepoFacts) -> InitResult:
    from mlwf_lint.facts.sources.git import head_and_tags

    root, config, dvc = facts.root, facts.config, facts.dvc
    head, tags = head_and_tags(root)
    provenance = _provenance(head, tags)
    registry = read_registry(history.tags(root)) if tags else {}
    written: list[Path] = []
    kept: list[str] = []

    def create(rel: str, text: str) -> None:
        path = root / rel
        write_new(path, text)
        written.append(path)

    if not (root / CONFIG_FILE).exists() and not _has_pyproject_config(root):
        create(CONFIG_FILE, CONFIG_TEMPLATE)
    described = {
        path
        for kind in ("model-card", "data-lineage")
        for path in map(described_path, facts.documents_of(kind))
        if path
    }

    def taken_ids(kind: str, suffix: str) -> set[str]:
        """Ids already used by a document of the kind, or by a file in its folder."""
        folder = root / document_folder(config, kind)
        on_disk = {p.name.removesuffix(suffix) for p in folder.glob(f"*{suffix}")}
        return on_disk | {d.id for d in facts.documents_of(kind) if d.id}

    datasets = [d for d in dvc.source_datasets if d.path not in described]
    kept += [
        f"{d.path} (already has a lineage record)"
        for d in dvc.source_datasets
        if d.path in described
    ]
    ids = distinct_ids([d.path for d in datasets], taken_ids("data-lineage", ".yaml"))
    for record in facts.documents_of("data-lineage"):
        if (path := described_path(record)) and record.id:
            ids.setdefault(path, record.id)
    for dataset in datasets:
        rel = posixpath.join(document_folder(config, "data-lineage"), ids[dataset.path] + ".yaml")
        users = [s.name for s in dvc.stages if any(dataset.covers(d) for d in s.deps)]
        suffix = posixpath.splitext(dataset.path)[1].lstrip(".")
        text = lineage_text(
            _schema_line(root, config, "data-lineage", rel, written),
            ids[dataset.path],
            dataset=(dataset.path, dataset.md5 or TODO),
            origin=dataset.imported_from or TODO,
            file_format=suffix if suffix and not dataset.is_dir else TODO,
            stages=users,
            provenance=provenance,
        )
        create(rel, text)
    models = [m for m in dvc.models if m.path not in described]
    kept += [f"{m.path} (already has a model card)" for m in dvc.models if m.path in described]
    card_ids = distinct_ids(
        [m.path for m in dvc.models if not m.name], taken_ids("model-card", ".md")
    )
    for model in models:
        card_id = slugify(model.name) if model.name else card_ids[model.path]
        rel = posixpath.join(document_folder(config, "model-card"), card_id + ".md")
        if (root / rel).exists():
            kept.append(f"{model.path} ({rel} exists and describes something else)")
            continue
        md5 = model.output.md5 if model.output and model.output.md5 else TODO
        version = _gto_version(model.name, tags)
        producer = dvc.producer_of(model.output.path) if model.output else None
        text = model_card_text(
            _schema_line(root, config, "model-card", rel, written),
            card_id,
            version=version,
            artifact=(model.path, md5),
            training_data=[
                (ids.get(d.path, TODO), d.md5 or TODO) for d in _source_datasets_of(model, dvc)
            ],
            provenance=provenance,
            sections=_sections(config, "model-card"),
            status=_registry_status(model.name, version, registry, config),
            hyperparameters=[
                (name, value_text)
                for name, (value, _param) in sorted(stage_params(producer).items())
                if (value_text := yaml_text(value)) is not None
            ]
            if producer
            else (),
            metrics=card_metrics(model, facts),
        )
        create(rel, text)
    if facts.ml_code and not dvc.models and not facts.documents_of("model-card"):
        # ML code, and no model DVC tracks: a card for the model the code trains
        card_id = distinct_ids([root.resolve().name], taken_ids("model-card", ".md"))[
            root.resolve().name
        ]
        rel = posixpath.join(document_folder(config, "model-card"), card_id + ".md")
        text = model_card_text(
            _schema_line(root, config, "model-card", rel, written),
            card_id,
            provenance=f"{provenance}; the model {facts.ml_code.path} trains is not in DVC: "
            "fill in artifact.path (a DVC output) or replace artifact with {uri: ...}",
            sections=_sections(config, "model-card"),
        )
        create(rel, text)
    return InitResult(tuple(written), tuple(kept), ignored_folders(root, written))


def ignored_folders(root: Path, written: Iterable[Path]) -> tuple[tuple[str, str], ...]:
    """(folder, rule) for each folder Git ignores that documents were written into:
    `data/` in .gitignore, common in DVC projects, also hides docs/ml/data/."""
    from mlwf_lint.facts.sources.git import ignored

    paths = [p.relative_to(root).as_posix() for p in written]
    hidden = ignored(root, paths)
    rules: dict[str, str] = {}
    for path in paths:
        if path in hidden:
            rules.setdefault(posixpath.dirname(path), hidden[path])
    return tuple(sorted(rules.items()))


def _has_pyproject_config(root: Path) -> bool:
    pyproject = root / "pyproject.toml"
    try:
        return "[tool.mlwf-lint]" in pyproject.read_text(encoding="utf-8")
    except OSError:
        return False
