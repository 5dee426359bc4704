"""The GTO model registry, from Git tags alone: which versions of an artifact are
registered and which version each stage holds. GTO's tag grammar
(`name@vX.Y.Z` registers, `name@vX.Y.Z!` deregisters, `name#stage#N` assigns,
`name#stage!#N` unassigns, `name@deprecated#N` deprecates; `:` of a subfolder's
artifact written `=`) and its reading of them (events in tag-time order; a stage's
version is the one assigned to it most recently and still active) are the reference."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from mlwf_lint.facts.sources.history import Tag

_NAME = r"[a-zA-Z0-9](?:[a-zA-Z0-9\-/_]*[a-zA-Z0-9])?"
_SEMVER = r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.\-]+)?(?:\+[0-9A-Za-z.\-]+)?"
# compiled on first use (re caches it): a repository without tags never needs it
GTO_TAG = (
    rf"^(?P<artifact>(?:[a-zA-Z0-9\-_./]+=)?{_NAME})"
    rf"(?:(?:#(?P<stage>{_NAME})|@(?P<version>v{_SEMVER}))(?P<cancel>!?)"
    r"|@(?P<deprecated>deprecated)|@(?P<created>created))"
    r"(?:#(?P<counter>\d+))?$"
)


class StageHolder(NamedTuple):
    version: str  # "v1.2.0", or the commit's short SHA for a commit no version names
    tag: str  # the assignment that put it there
    registered: bool = True


class RegistryArtifact(NamedTuple):
    name: str
    versions: tuple[str, ...] = ()  # registered and not deregistered, oldest first
    deregistered: tuple[str, ...] = ()
    stages: Mapping[str, StageHolder] = MappingProxyType({})  # stage → its version
    deprecated_by: str | None = None  # the deprecation tag, when it is the latest event


class _Event(NamedTuple):
    tag: Tag
    stage: str | None
    version: str | None
    cancel: bool
    deprecated: bool
    counter: int

    @property
    def order(self) -> tuple[int, int, bool, str]:
        """Tag time, then GTO's counter; in a tie a deprecation (which ends the
        artifact's life) comes after the events it ends."""
        return (self.tag.time, self.counter, self.deprecated, self.tag.name)


def read_registry(tags: Iterable[Tag]) -> dict[str, RegistryArtifact]:
    """artifact name (as GTO names it: `folder:name` for a subfolder's) → its state."""
    events: dict[str, list[_Event]] = defaultdict(list)
    for tag in tags:
        match = re.match(GTO_TAG, tag.name)
        if match is None:
            continue
        name = match["artifact"].replace("=", ":")
        events[name].append(
            _Event(
                tag,
                match["stage"],
                match["version"],
                bool(match["cancel"]),
                bool(match["deprecated"]),
                int(match["counter"] or 0),
            )
        )
    return {
        name: _state(name, sorted(found, key=lambda e: e.order)) for name, found in events.items()
    }


def _state(name: str, events: list[_Event]) -> RegistryArtifact:
    registered: dict[str, bool] = {}  # version → active
    at_commit: dict[str, str] = {}  # commit → the version registered there (latest)
    for event in events:
        if event.version is not None:
            registered[event.version] = not event.cancel
            if not event.cancel:
                at_commit[event.tag.target] = event.version
    stage_events: dict[tuple[str, str], _Event] = {}  # (version, stage) → its latest event
    for event in events:
        if event.stage is not None:
            version = at_commit.get(event.tag.target, event.tag.target[:7])
            stage_events[(version, event.stage)] = event
    holders: dict[str, tuple[_Event, StageHolder]] = {}
    for (version, stage), event in stage_events.items():
        if event.cancel or registered.get(version) is False:
            continue  # unassigned, or its version deregistered
        if stage not in holders or event.order > holders[stage][0].order:
            holders[stage] = (event, StageHolder(version, event.tag.name, version in registered))
    last = events[-1] if events else None
    return RegistryArtifact(
        name,
        versions=tuple(v for v, active in registered.items() if active),
        deregistered=tuple(v for v, active in registered.items() if not active),
        stages={stage: holder for stage, (_event, holder) in holders.items()},
        deprecated_by=last.tag.name if last is not None and last.deprecated else None,
    )
