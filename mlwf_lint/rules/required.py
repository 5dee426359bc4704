"""MLW1xx — required documents: every model, dataset and deployed model has its
document, and every document describes something DVC still tracks. A rule that would
call something missing is silent while a file that could hold it was skipped (MLW002
names it: too large, binary, left out of a sparse checkout that a partial clone lacks
too): an absence it cannot see is not reported as one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from mlwf_lint.config import DESCRIBED_BY
from mlwf_lint.facts.documents import HF_KIND, described_path
from mlwf_lint.facts.globs import self_and_folders
from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.findings import Location, Severity, Violation
from mlwf_lint.rules.base import rule

DEPLOYED = ("staging", "production")


class _Paths:
    """Paths asked whether one of them is a given path, inside it, or holds it (a
    folder output and a file in it), by set lookups: 500 models × 500 cards."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.exact = set(paths)
        self.holders = {folder for p in self.exact for folder in self_and_folders(p)}

    def meet(self, path: str) -> bool:
        return (
            path in self.exact
            or path in self.holders
            or any(f in self.exact for f in self_and_folders(path))
        )


def _described_paths(facts: RepoFacts, kind: str) -> _Paths:
    return _Paths(p for p in map(described_path, facts.documents_of(kind)) if p)


def _globs(facts: RepoFacts, kind: str) -> str:
    return ", ".join(facts.config.kinds[kind].globs)


@rule("MLW101", Severity.ERROR, "ML code but no model card")
def ml_code_without_model_card(facts: RepoFacts) -> Iterator[Violation]:
    """The repository holds ML code — Python or a notebook importing an ML library, or
    an MLflow `MLproject` — but no model card. (When DVC tracks models, MLW102 names
    each of them instead.) A `dvc.yaml` alone is not ML code: data pipelines and
    dataset registries use DVC too.

    Fails — `src/train.py` and nothing under `docs/ml/models/`:

        # src/train.py
        from sklearn.linear_model import LogisticRegression

    Passes — the same code with a card:

        docs/ml/models/churn-model.md
    """
    ml = facts.ml_code
    if ml is None or facts.model_cards or facts.documents_of(HF_KIND) or facts.dvc.models:
        return
    if "model-card" in facts.unread_kinds:
        return
    yield Violation(
        "MLW101",
        f"ML code ({ml.path}: {ml.reason}) but no model card ({_globs(facts, 'model-card')})",
        Location(ml.path, ml.line, 1 if ml.line else None),
        hint="describe the model this code trains in a model card (`mlwf-lint init` "
        "writes one to fill in); if DVC tracks the model under a path the model "
        "patterns miss, add it with extend-model-patterns in the configuration",
    )


@rule("MLW102", Severity.ERROR, "model artifact without a model card")
def model_without_card(facts: RepoFacts) -> Iterator[Violation]:
    """DVC tracks a model — a `dvc.yaml` `artifacts:` entry of `type: model`, or an
    output matching the model patterns (`*.pkl`, `*.onnx`, `models/**`, ...) — and no
    model card's `artifact.path` names it (or a card's `id` equals the artifact's name).

    Fails — `dvc.yaml` declares a model and no card describes it:

        artifacts:
          churn-model:
            path: models/model.pkl
            type: model

    Passes — a card whose front matter has:

        artifact:
          path: models/model.pkl
          md5: 3863d0e317dee0a55c4e59d2ec0eef33
    """
    if "model-card" in facts.unread_kinds:
        return
    described = _Paths(p for p in map(described_path, facts.model_cards) if p)
    ids = {c.id for c in facts.model_cards}
    for model in facts.dvc.models:
        if model.name in ids or described.meet(model.path):
            continue
        name = f" {model.name!r}" if model.name else ""
        yield Violation(
            "MLW102",
            f"model{name} at {model.path} has no model card",
            Location.at(model.declared_in, model.position),
            hint=f"write a model card ({_globs(facts, 'model-card')}) whose "
            f"artifact.path is {model.path}"
            + (
                ""
                if model.name
                else "; not a model? set model-patterns in the configuration to the "
                "patterns of your models"
            ),
        )


@rule("MLW103", Severity.ERROR, "source dataset without a lineage record")
def dataset_without_lineage(facts: RepoFacts) -> Iterator[Violation]:
    """A source dataset — tracked by DVC in a `.dvc` file (`dvc add`, `dvc import`,
    `dvc import-url`) and produced by no pipeline stage — has no data lineage record
    whose `dataset.path` names it. Outputs of pipeline stages are not source data and
    never need one.

    Fails — `data/raw.csv.dvc` exists and nothing under `docs/ml/data/` describes it.

    Passes — `docs/ml/data/raw.yaml` holds:

        dataset:
          path: data/raw.csv
          md5: 22a1a2931c8370d3aeedd7183606fd7f
    """
    if "data-lineage" in facts.unread_kinds:
        return
    described = _described_paths(facts, "data-lineage")
    for dataset in facts.dvc.source_datasets:
        if described.meet(dataset.path):
            continue
        origin = f" (imported from {dataset.imported_from})" if dataset.imported_from else ""
        yield Violation(
            "MLW103",
            f"source dataset {dataset.path}{origin} has no data lineage record",
            Location.at(dataset.declared_in, dataset.position),
            hint=f"record where it comes from in a lineage record "
            f"({_globs(facts, 'data-lineage')}) whose dataset.path is {dataset.path}",
        )


@rule("MLW104", Severity.ERROR, "deployed model without a rollback plan")
def deployed_without_rollback(facts: RepoFacts) -> Iterator[Violation]:
    """A model card's `status` is `staging` or `production`, and no rollback plan
    exists for it: neither a plan whose `model` is the card's `id` nor the plan its
    `rollback_plan` names.

    Fails:

        status: production        # and docs/ml/rollback/ holds no plan for it

    Passes — `docs/ml/rollback/churn-model.yaml` with `model: churn-model`, and:

        status: production
        rollback_plan: churn-model-rollback
    """
    if "rollback-plan" in facts.unread_kinds:
        return
    plans = facts.documents_of("rollback-plan")
    plan_ids = {p.id for p in plans}
    covered = {model for p in plans if isinstance(model := p.get("model"), str)}
    for card in facts.model_cards:
        status = card.get("status")
        if status not in DEPLOYED:
            continue
        named = card.get("rollback_plan")
        if card.id in covered or (isinstance(named, str) and named in plan_ids):
            continue
        who = card.id or card.path
        yield Violation(
            "MLW104",
            f"model {who!r} is in {status} but has no rollback plan",
            card.location("status"),
            hint=f"write a rollback plan ({_globs(facts, 'rollback-plan')}) with "
            f"model: {who} and set rollback_plan in the card",
        )


@rule("MLW105", Severity.WARNING, "model card links no decision record")
def card_without_decisions(facts: RepoFacts) -> Iterator[Violation]:
    """A model card's `decisions` is missing or empty: nobody can find why the model
    is built the way it is.

    Fails:

        decisions: []

    Passes:

        decisions: [ADR-0001]
    """
    for card in facts.documents_of("model-card"):
        if card.parsed is None or not isinstance(card.parsed.data, dict):
            continue  # unreadable, or not a mapping: MLW201/MLW202 say so
        decisions = card.get("decisions")
        if isinstance(decisions, list) and decisions:
            continue
        yield Violation(
            "MLW105",
            f"model card {card.id or card.path!r} links no decision record",
            card.location("decisions"),
            hint="list the ids of the decision records behind this model in `decisions`",
        )


@rule("MLW106", Severity.ERROR, "document describes a path DVC does not track")
def describes_untracked_path(facts: RepoFacts) -> Iterator[Violation]:
    """A model card's `artifact.path` or a lineage record's `dataset.path` names a
    path that no `.dvc` file, `dvc.yaml` stage or `artifacts:` entry tracks (any
    more): the document describes something that is gone or was renamed. A model
    not kept in DVC is described with `artifact: {uri: ...}` instead.

    Fails — `data/tweets.csv` was removed from DVC:

        dataset:
          path: data/tweets.csv

    Passes — the path of a tracked output (`data/tweets.csv.dvc` exists):

        dataset:
          path: data/tweets.csv
    """
    if "dvc" in facts.unread_kinds:
        return
    artifact_paths = _Paths(m.path for m in facts.dvc.models)
    for kind, field in DESCRIBED_BY.items():
        for doc in facts.documents_of(kind):
            path = described_path(doc)
            if path is None or facts.dvc.output_for(path) is not None:
                continue
            if artifact_paths.meet(path):
                continue
            yield Violation(
                "MLW106",
                f"{field}.path {path} is not tracked by DVC",
                doc.location(field, "path"),
                hint="point it at a DVC-tracked path (dvc add / a dvc.yaml output), "
                "or retire the document",
            )
