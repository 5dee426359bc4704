"""MLW3xx — documents and pipelines agree with what DVC records."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlwf_lint.facts.documents import Document, recorded_hashes
from mlwf_lint.facts.parsing import Position
from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.facts.sources.dvc import DVC3_HASH, DvcOutput
from mlwf_lint.facts.sources.history import Commit
from mlwf_lint.findings import Edit, Location, Severity, Violation
from mlwf_lint.rules.base import rule

_MD5 = re.compile(r"[0-9a-f]{32}(?:\.dir)?")


def _short(md5: str) -> str:
    return md5[:8] + "…" if len(md5) > 9 else md5


def _same_version(recorded: str, dvc: str) -> bool:
    return recorded.removesuffix(".dir") == dvc.removesuffix(".dir")


@rule("MLW301", Severity.ERROR, "recorded md5 differs from DVC")
def stale_hash(facts: RepoFacts) -> Iterator[Violation]:
    """An md5 a document records differs from the hash DVC records now for that path
    (its `.dvc` file or its `dvc.lock` out): the data or model changed and the
    document was not re-reviewed. Checked: a model card's `artifact.md5` and
    `training_data[].md5` (through the lineage record's `dataset.path`), a lineage
    record's `dataset.md5`, a rollback plan's `current.md5` (through its model's card).
    Legacy DVC 2 entries (no `hash:` key, md5-dos2unix) are compared like any other.
    Only a document still holding the legacy hash that the `.dvc` file or `dvc.lock`
    recorded for the path just before the commit that recorded its DVC 3 hash (the
    project moved to DVC 3) is "not comparable": a notice, since the data may be
    unchanged. `--fix
    --unsafe-fixes` writes DVC's hash into the document, keeping its comments and
    quoting.

    Fails — dvc.lock says the model is now `2684aa17e6edd16227730afb7c8cb3d8`:

        artifact:
          path: models/model.pkl
          md5: 4e4c90f0dfd1bab0962717f555a5c8ea

    Passes:

        artifact:
          path: models/model.pkl
          md5: 2684aa17e6edd16227730afb7c8cb3d8
    """
    history = facts.history if facts.history and not facts.history.unavailable else None
    for doc, field, path in recorded_hashes(facts.documents):
        recorded = doc.get(*field)
        output = facts.dvc.output_for(path)
        if not isinstance(recorded, str) or not _MD5.fullmatch(recorded):
            continue  # a malformed or placeholder md5 is MLW202's or MLW203's
        if output is None or output.md5 is None or output.path != path:
            continue  # untracked (MLW106), never run (MLW302), or inside a folder output
        if _same_version(recorded, output.md5):
            continue
        migrated = history.legacy_values.get((path, recorded)) if history else None
        yield _stale(doc, field, recorded, output, migrated)


def _stale(
    doc: Document,
    field: tuple[str | int, ...],
    recorded: str,
    out: DvcOutput,
    legacy_at: Commit | None,
) -> Violation:
    pointer, position = doc.position(*field)
    location = Location.at(doc.path, position, pointer)
    name = ".".join(str(f) for f in field)
    if legacy_at is not None and out.hash_name == DVC3_HASH:
        return Violation(
            "MLW301",
            f"recorded md5 {_short(recorded)} is the legacy md5-dos2unix hash "
            f"{out.declared_in} recorded for {out.path} until {legacy_at.short} recorded "
            f"the DVC 3 md5 {_short(out.md5 or '')}; the two cannot be compared",
            location,
            hint=f"the project moved to DVC 3: check the data is the one described, then "
            f"write the DVC 3 md5 into {name} (`mlwf-lint --fix --unsafe-fixes`)",
            edit=_edit(doc, pointer, position, recorded, out),
            lowered_to=Severity.NOTICE,
        )
    return Violation(
        "MLW301",
        f"recorded md5 {_short(recorded)} differs from {out.declared_in} "
        f"({_short(out.md5 or '')}) for {out.path}",
        location,
        hint=f"re-review the document, then update {name} (`mlwf-lint --fix --unsafe-fixes`)",
        edit=_edit(doc, pointer, position, recorded, out),
    )


def _edit(
    doc: Document, pointer: str, position: Position | None, recorded: str, out: DvcOutput
) -> Edit | None:
    if position is None:
        return None
    return Edit(doc.path, pointer, position[0], position[1], recorded, out.md5 or "", False)


@rule("MLW302", Severity.ERROR, "dvc.yaml stage missing from dvc.lock")
def unlocked_stage(facts: RepoFacts) -> Iterator[Violation]:
    """A `dvc.yaml` stage (each instance of a `foreach`/`matrix` stage, as
    `name@key`) has no entry in `dvc.lock`: it was never run, or its results were
    never committed, so nothing records what it produced. A loop over `${...}` can
    only be expanded with the `dvc` extra installed; without it the stage is a notice.

    Fails — dvc.yaml has a `train` stage and dvc.lock has only `prepare`.

    Passes — `dvc repro` was run and dvc.lock committed with both stages.
    """
    for stage in facts.dvc.unexpanded:  # left unexpanded: the dvc extra is not there
        yield Violation(
            "MLW302",
            f"stage {stage.name!r} loops over ${{...}}; its instances were not expanded, "
            "so only those in dvc.lock were checked",
            Location.at(stage.dvc_yaml, stage.position),
            hint="install the dvc extra (pip install 'mlwf-lint[dvc]') to expand it",
            lowered_to=Severity.NOTICE,
        )
    for stage in facts.dvc.stages:
        if not stage.locked and not stage.lock_unreadable:  # a broken lock is MLW201's
            yield _unlocked(stage.name, stage.dvc_yaml, stage.position)


def _unlocked(name: str, dvc_yaml: str, position: Position | None) -> Violation:
    return Violation(
        "MLW302",
        f"stage {name!r} is not in dvc.lock: it never ran, or its results were not committed",
        Location.at(dvc_yaml, position),
        hint=f"run `dvc repro {name}` and commit dvc.lock",
    )


@rule("MLW308", Severity.WARNING, "dvc.lock stage that dvc.yaml no longer defines")
def orphaned_lock_entry(facts: RepoFacts) -> Iterator[Violation]:
    """`dvc.lock` holds a stage — or a `name@key` instance of a `foreach`/`matrix`
    stage — that `dvc.yaml` no longer defines: a stage removed or renamed, or an item
    dropped from a loop's list. Its recorded results describe nothing that runs today.
    (Loops over `${...}` are expanded with the `dvc` extra; without it their entries are
    not judged.)

    Fails — dvc.yaml loops `foreach: [test]`, dvc.lock still has:

        evaluate@holdout:
          cmd: python evaluate.py holdout

    Passes — every dvc.lock entry is a stage or instance dvc.yaml defines.
    """
    for stage in facts.dvc.orphaned:
        yield Violation(
            "MLW308",
            f"dvc.lock records stage {stage.name!r}, which dvc.yaml no longer defines",
            Location.at(stage.dvc_yaml, stage.position),
            hint="remove its entry from dvc.lock (`dvc remove` does it for a stage you "
            "delete), so nobody takes its results for current ones",
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
