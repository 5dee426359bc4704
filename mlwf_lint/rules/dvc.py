"""MLW3xx — documents and pipelines agree with what DVC records."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlwf_lint.documents import Document, described_path
from mlwf_lint.findings import Edit, Location, Severity, Violation
from mlwf_lint.parsing import Position
from mlwf_lint.repo import RepoFacts
from mlwf_lint.rules.base import rule
from mlwf_lint.sources.dvc import LEGACY_HASH, DvcOutput

_MD5 = re.compile(r"[0-9a-f]{32}(?:\.dir)?")


def _short(md5: str) -> str:
    return md5[:8] + "…" if len(md5) > 9 else md5


def _same_version(recorded: str, dvc: str) -> bool:
    return recorded.removesuffix(".dir") == dvc.removesuffix(".dir")


def _recorded_hashes(facts: RepoFacts) -> Iterator[tuple[Document, tuple[str | int, ...], str]]:
    """(document, path of the md5 field, the DVC path it is the hash of) for every md5 a
    document records: a card's artifact and training data, a lineage record's dataset,
    a rollback plan's current model."""
    lineage: dict[object, Document] = {d.id: d for d in facts.documents_of("data-lineage")}
    cards: dict[object, Document] = {d.id: d for d in facts.documents_of("model-card")}
    for card in facts.documents_of("model-card"):
        if (path := described_path(card)) is not None:
            yield card, ("artifact", "md5"), path
        items = card.get("training_data")
        for index, item in enumerate(items if isinstance(items, list) else ()):
            dataset = item.get("dataset") if isinstance(item, dict) else None
            record = lineage.get(dataset) if dataset else None
            if (path := described_path(record)) is not None:
                yield card, ("training_data", index, "md5"), path
    for record in facts.documents_of("data-lineage"):
        if (path := described_path(record)) is not None:
            yield record, ("dataset", "md5"), path
    for plan in facts.documents_of("rollback-plan"):
        model = plan.get("model")
        described = cards.get(model) if model else None
        if (path := described_path(described)) is not None:
            yield plan, ("current", "md5"), path


@rule("MLW301", Severity.ERROR, "recorded md5 differs from DVC")
def stale_hash(facts: RepoFacts) -> Iterator[Violation]:
    """An md5 a document records differs from the hash DVC records now for that path
    (its `.dvc` file or its `dvc.lock` out): the data or model changed and the
    document was not re-reviewed. Checked: a model card's `artifact.md5` and
    `training_data[].md5` (through the lineage record's `dataset.path`), a lineage
    record's `dataset.md5`, a rollback plan's `current.md5` (through its model's card).
    A legacy DVC 2 entry (no `hash:` key, md5-dos2unix) is never called stale against a
    DVC 3 md5: that is a notice, "not comparable". `--fix --unsafe-fixes` writes DVC's
    hash into the document, keeping its comments and quoting.

    Fails — dvc.lock says the model is now `2684aa17e6edd16227730afb7c8cb3d8`:

        artifact:
          path: models/model.pkl
          md5: 4e4c90f0dfd1bab0962717f555a5c8ea

    Passes:

        artifact:
          path: models/model.pkl
          md5: 2684aa17e6edd16227730afb7c8cb3d8
    """
    for doc, field, path in _recorded_hashes(facts):
        recorded = doc.get(*field)
        output = facts.dvc.output_for(path)
        if not isinstance(recorded, str) or not _MD5.fullmatch(recorded):
            continue  # a malformed or placeholder md5 is MLW202's or MLW203's
        if output is None or output.md5 is None or output.path != path:
            continue  # untracked (MLW106), never run (MLW302), or inside a folder output
        if _same_version(recorded, output.md5):
            continue
        yield _stale(doc, field, recorded, output)


def _stale(doc: Document, field: tuple[str | int, ...], recorded: str, out: DvcOutput) -> Violation:
    pointer, position = doc.position(*field)
    location = Location.at(doc.path, position, pointer)
    name = ".".join(str(f) for f in field)
    if out.hash_name == LEGACY_HASH:
        return Violation(
            "MLW301",
            f"recorded md5 {_short(recorded)} cannot be compared with the legacy "
            f"md5-dos2unix hash {_short(out.md5 or '')} that {out.declared_in} records "
            f"for {out.path} (DVC 2 format)",
            location,
            hint="run `dvc commit` with DVC 3 to record an md5 hash, then compare again",
            lowered_to=Severity.NOTICE,
        )
    edit = None
    if position is not None:
        edit = Edit(doc.path, pointer, position[0], position[1], recorded, out.md5 or "", False)
    return Violation(
        "MLW301",
        f"recorded md5 {_short(recorded)} differs from {out.declared_in} "
        f"({_short(out.md5 or '')}) for {out.path}",
        location,
        hint=f"re-review the document, then update {name} (`mlwf-lint --fix --unsafe-fixes`)",
        edit=edit,
    )


@rule("MLW302", Severity.ERROR, "dvc.yaml stage missing from dvc.lock")
def unlocked_stage(facts: RepoFacts) -> Iterator[Violation]:
    """A `dvc.yaml` stage (each instance of a `foreach`/`matrix` stage, as
    `name@key`) has no entry in `dvc.lock`: it was never run, or its results were
    never committed, so nothing records what it produced. A loop over `${...}` can
    only be expanded with the `dvc` extra installed; without it the stage is a notice.

    Fails — dvc.yaml has a `train` stage and dvc.lock has only `prepare`.

    Passes — `dvc repro` was run and dvc.lock committed with both stages.
    """
    templated = facts.templated_instances
    for stage in facts.dvc.unexpanded:
        names = templated.get(stage.name) if templated is not None else None
        if names is None:
            yield Violation(
                "MLW302",
                f"stage {stage.name!r} loops over ${{...}}; its instances were not expanded, "
                "so only those in dvc.lock were checked",
                Location.at(stage.dvc_yaml, stage.position),
                hint="install the dvc extra (pip install 'mlwf-lint[dvc]') to expand it",
                lowered_to=Severity.NOTICE,
            )
            continue
        locked = {s.name for s in facts.dvc.stages if s.locked}
        for name in names:
            if name not in locked:
                yield _unlocked(name, stage.dvc_yaml, stage.position)
    for stage in facts.dvc.stages:
        if not stage.locked:
            yield _unlocked(stage.name, stage.dvc_yaml, stage.position)


def _unlocked(name: str, dvc_yaml: str, position: Position | None) -> Violation:
    return Violation(
        "MLW302",
        f"stage {name!r} is not in dvc.lock: it never ran, or its results were not committed",
        Location.at(dvc_yaml, position),
        hint=f"run `dvc repro {name}` and commit dvc.lock",
    )


@rule("MLW303", Severity.ERROR, "pipeline inconsistent")
def inconsistent_pipeline(facts: RepoFacts) -> Iterator[Violation]:
    """In `dvc.lock`, a stage's dependency has a different hash from the one its
    producer records — the output of the upstream stage, or the `.dvc` file of a source
    dataset: the stage ran on an older version and the pipeline is out of date. Found
    from the lock files alone, without any data. Hashes of different kinds (DVC 2 and
    DVC 3) are not compared.

    Fails — `train` ran on `data/features` 7214…, and `featurize` now outputs 9f3c…:

        train:
          deps:
          - path: data/features
            md5: 721437326e43178116e7b6cdfd565d7a.dir

    Passes — any dvc.lock that `dvc repro` wrote.
    """
    producers = {o.path: o for o in facts.dvc.outputs if o.md5}
    for stage in facts.dvc.stages:
        for dep in stage.locked_deps:
            producer = producers.get(dep.path)
            if producer is None or dep.md5 is None or producer.stage == stage.name:
                continue
            if dep.hash_name != producer.hash_name or dep.md5 == producer.md5:
                continue
            source = f"stage {producer.stage!r}" if producer.stage else producer.declared_in
            yield Violation(
                "MLW303",
                f"stage {stage.name!r} ran on {dep.path} {_short(dep.md5)}, but {source} "
                f"now records {_short(producer.md5 or '')}",
                Location.at(dep.declared_in, dep.position),
                hint=f"run `dvc repro {stage.name}` and commit dvc.lock",
            )


@rule("MLW304", Severity.ERROR, "workspace data differs from DVC")
def workspace_differs(facts: RepoFacts) -> Iterator[Violation]:
    """With `--check-data` (needs the `dvc` extra): a DVC-tracked file or folder in the
    working tree differs from the hash its `.dvc` file or `dvc.lock` records — new data
    that was never `dvc commit`ted, or a stale checkout. Data that is simply absent (not
    pulled) is not reported.

    Fails — `data/raw.csv` edited after `dvc add`, without `dvc add` again.

    Passes — `dvc status` reports the data unchanged.
    """
    for path in facts.workspace_changes or ():
        output = facts.dvc.output_for(path)
        where = Location.at(output.declared_in, output.position) if output else Location(path)
        yield Violation(
            "MLW304",
            f"{path} in the working tree differs from the hash DVC records"
            + (f" in {output.declared_in}" if output else ""),
            where,
            hint="`dvc add`/`dvc commit` the new data, or `dvc checkout` the recorded one",
        )
