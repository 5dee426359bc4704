"""MLW406–MLW407 — a deployed model is what the documents say: its rollback is
rehearsed, and the model registry agrees with its card."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from mlwf_lint.facts.documents import Document, described_path
from mlwf_lint.facts.registry import RegistryArtifact
from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.findings import Severity, Violation
from mlwf_lint.rules.base import rule


@rule("MLW406", Severity.WARNING, "rollback drill overdue")
def rollback_drill_overdue(facts: RepoFacts) -> Iterator[Violation]:
    """A production model's rollback plan was never rehearsed (no `last_tested`) or
    not within `rollback-drill: {days: 180}` (configurable): a rollback nobody has
    tried is a guess, and the day it is needed is the wrong day to find out.

    Fails — a production model's plan, 300 days after its drill:

        last_tested: 2026-01-29

    Passes — the procedure rehearsed last month, and `last_tested` updated.
    """
    allowed = facts.config.rollback_drill_days
    for card in facts.model_cards:
        if card.get("status") != "production":
            continue
        for plan in facts.plans_for(card):
            tested = plan.get("last_tested")
            if tested is None:
                yield Violation(
                    "MLW406",
                    f"rollback plan {plan.id or plan.path!r} of production model "
                    f"{card.id!r} records no drill (no last_tested)",
                    plan.location(),
                    hint="rehearse the procedure (e.g. on staging), then set last_tested "
                    "to that day (YYYY-MM-DD)",
                )
                continue
            day = _date(tested)
            if day is None:
                continue  # not a date: the schema's (MLW202)
            age = (facts.today - day).days
            if age > allowed:
                yield Violation(
                    "MLW406",
                    f"rollback plan {plan.id or plan.path!r} of production model "
                    f"{card.id!r} was last rehearsed on {tested}, more than {allowed} days "
                    "ago",
                    plan.location("last_tested"),
                    hint="rehearse the procedure again, then update last_tested (or set "
                    "`rollback-drill: {days: N}` in the configuration)",
                )


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@rule("MLW407", Severity.ERROR, "card disagrees with the GTO registry")
def registry_disagrees(facts: RepoFacts) -> Iterator[Violation]:
    """The model card disagrees with the GTO model registry — the Git tags `gto
    register` and `gto assign` write (`name@v1.2.0`, `name#prod#3`, deregistrations
    `!` and deprecations respected): its `version` is not a registered version of the
    artifact, its `status` names a stage the registry gives to another version (the
    latest assignment per stage wins, as `gto show` says), or the registry deprecated
    the artifact while the card is not archived. Stage names per status come from
    `registry-stages` (default: development → dev; staging → stage, staging;
    production → prod, production). The artifact is looked up by the card's `id` and by
    the name dvc.yaml's `artifacts:` gives its path; silent when it has no GTO tags.

    Fails — the registry gives prod to v1.2.0 (`churn#prod#4`), the card says:

        version: "1.1.0"
        status: production

    Passes — `version: "1.2.0"` (or `gto assign churn@v1.1.0 --stage prod` was undone).
    """
    history = facts.history
    if history is None or history.unavailable or not history.registry:
        return
    for card in facts.model_cards:
        artifact = _artifact_of(facts, card, history.registry)
        version = card.get("version")
        if artifact is None or not isinstance(version, str):
            continue
        yield from _compare(facts, card, artifact, "v" + version.strip().removeprefix("v"))


def _artifact_of(
    facts: RepoFacts, card: Document, registry: Mapping[str, RegistryArtifact]
) -> RegistryArtifact | None:
    names = [card.id] if card.id else []
    path = described_path(card)
    for model in facts.dvc.models:
        if path and model.name and model.path == path:
            folder = model.declared_in.rpartition("/")[0]
            names.append(f"{folder}:{model.name}" if folder else model.name)
    return next((registry[n] for n in names if n in registry), None)


def _compare(
    facts: RepoFacts, card: Document, artifact: RegistryArtifact, version: str
) -> Iterator[Violation]:
    status = card.get("status")
    name = artifact.name
    if artifact.deprecated_by and status != "archived":
        yield Violation(
            "MLW407",
            f"the registry deprecated {name} ({artifact.deprecated_by}), but the card's "
            f"status is {status}",
            card.location("status"),
            hint="set status: archived, or register a new version if the model lives on",
        )
        return
    if version not in artifact.versions:
        why = "was deregistered" if version in artifact.deregistered else "is not registered"
        known = ", ".join(artifact.versions) or "none"
        yield Violation(
            "MLW407",
            f"version {version} of {name} {why} in the GTO registry (registered: {known})",
            card.location("version"),
            hint=f"`gto register {name} --version {version}` at the commit that made it, "
            "or write the version the registry has",
        )
    stages = facts.config.registry_stages.get(str(status), ())
    holders = {s: artifact.stages[s] for s in stages if s in artifact.stages}
    if holders and all(h.version != version for h in holders.values()):
        stage, holder = next(iter(holders.items()))
        yield Violation(
            "MLW407",
            f"status is {status}, but the registry gives {stage} to {name} {holder.version} "
            f"({holder.tag}), not {version}",
            card.location("status"),
            hint=f"update the card to the model in {stage} (its version, md5, metrics), or "
            f"`gto assign {name} --version {version} --stage {stage}` if this one is",
        )
