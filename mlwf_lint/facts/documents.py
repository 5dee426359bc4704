"""The documents of each kind: found by the configured globs, read safely, parsed
with positions. A document that cannot be read or parsed is still a `Document`,
carrying its problem, so rules and reports see it."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from mlwf_lint.config import DESCRIBED_BY, Config
from mlwf_lint.facts.cache import digest
from mlwf_lint.facts.files import FileProblem, Skipped, read_bytes
from mlwf_lint.facts.parsing import (
    Parsed,
    ParseProblem,
    Position,
    disable_comments,
    escape_pointer_token,
    markdown_headings,
    parse_document,
)
from mlwf_lint.facts.placeholders import is_placeholder
from mlwf_lint.facts.sources.dvc import normalize
from mlwf_lint.findings import Location


class Document(NamedTuple):
    path: str
    kind: str
    parsed: Parsed | None = None
    problem: FileProblem | None = None
    digest: str = ""  # the bytes' hash (cache.digest): identifies the content across runs
    # `# mlwf-lint: disable=` comments: (line or None for the file, comment line, codes)
    disables: tuple[tuple[int | None, int, tuple[str, ...]], ...] = ()
    # a view of another document (`hf_model_view`): its pointer → the source's pointer
    source_pointers: Mapping[str, str] = MappingProxyType({})

    @property
    def data(self) -> dict[str, Any]:
        """The fields, or {} when the document is unreadable or not a mapping."""
        data = self.parsed.data if self.parsed else None
        return data if isinstance(data, dict) else {}

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) and value else None

    @property
    def headings(self) -> tuple[tuple[str, int], ...]:
        """(text, line0) of the Markdown body's headings; () for YAML and JSON."""
        if self.parsed is None or self.parsed.body is None:
            return ()
        return markdown_headings(self.parsed.body, self.parsed.body_line0)

    def get(self, *keys: str | int) -> Any:
        """The value at a path of keys, or None if any step is missing or mistyped."""
        value: Any = self.data
        for key in keys:
            if isinstance(key, int) and isinstance(value, list) and 0 <= key < len(value):
                value = value[key]
            elif isinstance(key, str) and isinstance(value, dict):
                value = value.get(key)
            else:
                return None
        return value

    def number_text(self, *keys: str | int) -> str | None:
        """A number as the document writes it (`0.940`, `1e-3`): its precision; None
        for what is not a number."""
        value = self.get(*keys)
        if self.parsed is None or isinstance(value, bool) or not isinstance(value, int | float):
            return None
        pointer = "".join(f"/{escape_pointer_token(str(k))}" for k in keys)
        return self.parsed.numbers.get(pointer, repr(value))

    def location(self, *keys: str | int) -> Location:
        """Where the value at a path of keys is (or its nearest existing parent)."""
        pointer, position = self.position(*keys)
        return Location.at(self.path, position, pointer)

    def position(self, *keys: str | int) -> tuple[str, Position | None]:
        """(JSON pointer, position) for a path of keys; a missing key points at the
        nearest mapping that exists."""
        pointer = "".join(f"/{escape_pointer_token(str(k))}" for k in keys)
        position = self.parsed.position(pointer) if self.parsed else None
        if self.source_pointers:
            shown = next(
                (
                    self.source_pointers[p]
                    for p in _self_and_parents(pointer)
                    if p in self.source_pointers
                ),
                pointer,
            )
            return shown, position
        return pointer, position


def _self_and_parents(pointer: str) -> Iterator[str]:
    while pointer:
        yield pointer
        pointer = pointer.rsplit("/", 1)[0]


HF_KIND = "hf-model-card"
MLWF_BLOCK_KEYS = ("id", "version", "status", "owners", "artifact", "rollback_plan")


def hf_model_view(doc: Document) -> Document | None:
    """A Hugging Face model card that carries an `mlwf:` block, seen as one of our model
    cards — the block's fields, and `model-index` results as `metrics` (name = metric
    type, split = dataset split) — so the model rules check it. Positions, numbers as
    written and reported pointers are the card's own."""
    block = doc.get("mlwf")
    if doc.kind != HF_KIND or doc.parsed is None or not isinstance(block, dict):
        return None
    source = doc.parsed
    data: dict[str, Any] = {"id": posixpath.basename(posixpath.dirname(doc.path)) or "model"}
    moved: dict[str, str] = {}  # view pointer → source pointer
    for key in MLWF_BLOCK_KEYS:
        if key in block:
            data[key] = block[key]
            moved[f"/{key}"] = f"/mlwf/{key}"
    metrics: list[dict[str, Any]] = []
    for r, entry in enumerate(_dicts(doc.get("model-index"))):
        for j, result in enumerate(_dicts(entry.get("results"))):
            dataset = result.get("dataset")
            split = dataset.get("split") if isinstance(dataset, dict) else None
            for k, metric in enumerate(_dicts(result.get("metrics"))):
                at = f"/model-index/{r}/results/{j}/metrics/{k}"
                here = f"/metrics/{len(metrics)}"
                metrics.append(
                    {"name": metric.get("type"), "split": split, "value": metric.get("value")}
                )
                moved.update(
                    {here: at, f"{here}/value": f"{at}/value", f"{here}/name": f"{at}/type"}
                )
                moved[f"{here}/split"] = f"/model-index/{r}/results/{j}/dataset/split"
    if metrics:
        data["metrics"] = metrics

    def moved_table(table: Mapping[str, Any]) -> dict[str, Any]:
        return {
            target + pointer[len(origin) :]: item
            for target, origin in moved.items()
            for pointer, item in table.items()
            if pointer == origin or pointer.startswith(origin + "/")
        }

    values = {"": source.values.get("/mlwf", (0, 0)), **moved_table(source.values)}
    view = Parsed(
        data,
        values,
        moved_table(source.keys),
        source.body,
        source.body_line0,
        moved_table(source.numbers),
    )
    pointers = moved_table({p: p for p in source.values})
    return Document(doc.path, "model-card", view, digest=doc.digest, source_pointers=pointers)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def model_cards(documents: Iterable[Document]) -> tuple[Document, ...]:
    """Our model cards, and the Hugging Face cards that carry an `mlwf:` block seen as
    ones: what the model rules (MLW102, MLW104, MLW301, MLW306, MLW407…) check."""
    found: list[Document] = []
    for doc in documents:
        if doc.kind == "model-card":
            found.append(doc)
        elif (view := hf_model_view(doc)) is not None:
            found.append(view)
    return tuple(found)


def described_path(doc: Document | None) -> str | None:
    """The DVC path a model card or lineage record describes, normalized."""
    if doc is None or doc.kind not in DESCRIBED_BY:
        return None
    value = doc.get(DESCRIBED_BY[doc.kind], "path")
    if not isinstance(value, str) or not value.strip() or is_placeholder(value):
        return None  # nothing named yet: MLW202/MLW203 say so
    return normalize(value)


def recorded_hashes(
    documents: Iterable[Document],
) -> Iterator[tuple[Document, tuple[str | int, ...], str]]:
    """(document, path of the md5 field, the DVC path it is the hash of) for every md5 a
    document records: a card's artifact and training data, a lineage record's dataset,
    a rollback plan's current model."""
    documents = tuple(documents)
    lineage: dict[object, Document] = {}
    cards: dict[object, Document] = {}
    for doc in (*documents, *(v for d in documents if (v := hf_model_view(d)))):
        if doc.id is not None and doc.kind == "data-lineage":
            lineage.setdefault(doc.id, doc)
        elif doc.id is not None and doc.kind == "model-card":
            cards.setdefault(doc.id, doc)
    for card in model_cards(documents):
        if (path := described_path(card)) is not None:
            yield card, ("artifact", "md5"), path
        items = card.get("training_data")
        for index, item in enumerate(items if isinstance(items, list) else ()):
            dataset = item.get("dataset") if isinstance(item, dict) else None
            record = lineage.get(dataset) if isinstance(dataset, str) else None
            if (path := described_path(record)) is not None:
                yield card, ("training_data", index, "md5"), path
    for record in (d for d in documents if d.kind == "data-lineage"):
        if (path := described_path(record)) is not None:
            yield record, ("dataset", "md5"), path
    for plan in (d for d in documents if d.kind == "rollback-plan"):
        model = plan.get("model")
        described = cards.get(model) if isinstance(model, str) else None
        if (path := described_path(described)) is not None:
            yield plan, ("current", "md5"), path


def find_documents(
    root: Path,
    kinds: Mapping[str, str],
    config: Config,
    parse: Callable[[bytes, str], Parsed | ParseProblem] = parse_document,
    staged: Mapping[str, bytes | Skipped] | None = None,
) -> tuple[tuple[Document, ...], tuple[Skipped, ...]]:
    """The documents `kinds` names (path → kind, `Listing.kinds`), read and parsed;
    `staged`: those a sparse checkout left out, as the index holds them."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for rel, kind in kinds.items():
        raw = read_bytes(root, rel, config.max_file_size, staged)
        if raw is None:
            continue
        if isinstance(raw, Skipped):
            skipped.append(raw)
            continue
        suffix = posixpath.splitext(rel)[1]
        parsed = parse(raw, suffix)
        key = digest(raw)
        text = raw.decode("utf-8", "replace")
        disables = tuple(disable_comments(text, suffix.lower() in (".md", ".markdown")))
        if isinstance(parsed, ParseProblem):
            problem = FileProblem(rel, parsed.message, parsed.line0, parsed.col0)
            documents.append(Document(rel, kind, problem=problem, digest=key, disables=disables))
        else:
            documents.append(Document(rel, kind, parsed=parsed, digest=key, disables=disables))
    return tuple(documents), tuple(skipped)
