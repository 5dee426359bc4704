"""MLW305–MLW307 — the values documents and pipelines claim (hyperparameters, metrics,
params) agree with what DVC records: `dvc.lock`'s params, the metrics files, the
params files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from mlwf_lint.facts.documents import Document, described_path
from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.facts.sources.dvc import DvcStage, LockedParam, MetricsFile, normalize
from mlwf_lint.facts.values import (
    ABSENT,
    Unread,
    Values,
    find_metric,
    flatten,
    metric_keys,
    stage_params,
    yaml_text,
)
from mlwf_lint.findings import Edit, Location, Severity, Violation
from mlwf_lint.rules.base import rule


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else (yaml_text(value) or str(value))


def _same_claim(claimed: Any, recorded: Any) -> bool:
    """A card's value says the same as DVC's: equal, and a bool only equals a bool. A
    card writing a number as text (`"50"`) documents the same value: a card is read by
    people, not by the pipeline."""
    if isinstance(claimed, bool) or isinstance(recorded, bool):
        return type(claimed) is type(recorded) and claimed == recorded
    if claimed == recorded:
        return True
    return (
        isinstance(claimed, str)
        and not isinstance(recorded, str | list | dict)
        and (claimed.strip() == yaml_text(recorded) or _as_number(claimed) == recorded)
    )


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@rule("MLW305", Severity.ERROR, "hyperparameter differs from dvc.lock")
def hyperparameter_differs(facts: RepoFacts) -> Iterator[Violation]:
    """A model card's `hyperparameters` entry differs from the value `dvc.lock` records
    for the stage that produces the card's artifact, or names a param that stage does
    not record. Names are written as dvc.lock records them (`train.n_est`; a section's
    values as `section.name`). A number the card writes as text (`"50"`) documents the
    same value. Silent for a card whose artifact no `dvc.lock` stage produces (MLW106,
    MLW302 say why). `--fix --unsafe-fixes` writes DVC's value.

    Fails — dvc.lock records `train.n_est: 100` for the stage that outputs the model:

        hyperparameters:
          train.n_est: 50

    Passes:

        hyperparameters:
          train.n_est: 100
    """
    for card in facts.model_cards:
        claimed = card.get("hyperparameters")
        path = described_path(card)
        stage = facts.dvc.producer_of(path) if path and isinstance(claimed, dict) else None
        if stage is None or not stage.locked or not isinstance(claimed, dict):
            continue
        recorded = stage_params(stage)
        for name, value in claimed.items():
            if name not in recorded:
                known = ", ".join(sorted(recorded)) or "none"
                yield Violation(
                    "MLW305",
                    f"hyperparameter {name} is not a param stage {stage.name!r} records in "
                    f"dvc.lock (it records: {known})",
                    card.location("hyperparameters", name),
                    hint="name it as dvc.lock does, or remove it; a stage records only the "
                    "params its dvc.yaml entry lists",
                )
            elif not _same_claim(value, recorded[name][0]):
                dvc_value, param = recorded[name]
                yield Violation(
                    "MLW305",
                    f"hyperparameter {name} is {_shown(value)}, but stage {stage.name!r} "
                    f"ran with {_shown(dvc_value)} ({param.lock}"
                    f"{f':{param.position[0] + 1}' if param.position else ''})",
                    card.location("hyperparameters", name),
                    hint="re-review the card for the model trained with these params, then "
                    "write DVC's value (`mlwf-lint --fix --unsafe-fixes`)",
                    edit=_value_edit(card, ("hyperparameters", name), value, dvc_value),
                )


def _value_edit(
    doc: Document, keys: tuple[str | int, ...], old: Any, new: Any, new_text: str | None = None
) -> Edit | None:
    pointer, position = doc.position(*keys)
    old_text = doc.number_text(*keys) if not isinstance(old, str) else old
    text = new_text if new_text is not None else yaml_text(new)
    if position is None or old_text is None or text is None or isinstance(old, bool):
        return None
    literal = not isinstance(new, str)
    return Edit(doc.path, pointer, position[0], position[1], old_text, text, False, literal)


# --- MLW306 -----------------------------------------------------------------------------


def _exponent(text: str) -> int | None:
    from decimal import Decimal, InvalidOperation  # here: most runs compare no metric

    try:
        exponent = Decimal(text.replace("_", "")).as_tuple().exponent
    except InvalidOperation:
        return None
    return exponent if isinstance(exponent, int) else None


def at_precision(value: float, exponent: int) -> str:
    """`value` written with the precision of a number whose last digit is 10**exponent."""
    from decimal import Decimal

    quantum = Decimal(1).scaleb(exponent)
    return format(Decimal(repr(value)).quantize(quantum), "f")


def _agrees(card_text: str, value: float) -> bool:
    """The file's value, at the card's precision, is the card's: |card − file| ≤ half
    a unit of the card's last digit (0.94 matches 0.9381, not 0.931)."""
    exponent = _exponent(card_text)
    if exponent is None:
        return False
    from decimal import Decimal

    half = Decimal(1).scaleb(exponent) / 2
    return abs(Decimal(card_text.replace("_", "")) - Decimal(repr(value))) <= half


@rule("MLW306", Severity.ERROR, "metric differs from its DVC metrics file")
def metric_differs(facts: RepoFacts) -> Iterator[Violation]:
    """A model card's metric differs from the value in its DVC metrics file by more
    than the precision the card writes (0.94 matches 0.9381, not 0.931). The file is
    the metric's `source` (a metrics file DVC lists: dvc.yaml's top-level `metrics:` or
    a stage's `metrics:` outs), else every metrics file DVC lists; the key is the
    metric's `key`, else `<name>.<split>`, `<split>.<name>`, `<name>`. Files are read from
    the working tree, else from Git at HEAD; a file in neither — a DVC-cached output that
    was not pulled — is one notice per card, never an error. A value that is not a
    number, or a metric found in several files with different values, is a notice.
    `--fix --unsafe-fixes` writes the file's value at the card's precision.

    Fails — `eval/metrics.json` holds `{"accuracy": {"test": 0.931}}`:

        metrics:
        - {name: accuracy, split: test, value: 0.94, source: eval/metrics.json}

    Passes — it holds 0.9381 (0.94 at two decimals).
    """
    listed = {m.path: m for m in facts.dvc.metrics}
    for card in facts.model_cards:
        items = card.get("metrics")
        unpulled: set[str] = set()
        for index, item in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(item, dict):
                continue
            value = item.get("value")
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue  # the schema's (MLW202)
            yield from _check_metric(facts, card, index, item, listed, unpulled)
        if unpulled:
            names = ", ".join(sorted(unpulled))
            yield Violation(
                "MLW306",
                f"metrics not compared: {names} "
                f"{'is' if len(unpulled) == 1 else 'are'} neither in the working tree nor "
                "in Git (a DVC-cached output that was not pulled, or never produced)",
                card.location("metrics"),
                hint="`dvc pull` the metrics (or mark them `cache: false` in dvc.yaml so Git "
                "keeps them) to have them compared",
                lowered_to=Severity.NOTICE,
            )


def _check_metric(
    facts: RepoFacts,
    card: Document,
    index: int,
    item: Mapping[str, Any],
    listed: Mapping[str, MetricsFile],
    unpulled: set[str],
) -> Iterator[Violation]:
    source = item.get("source")
    label = f"{item.get('split')} {item.get('name')}"
    if isinstance(source, str) and source.strip():
        path = normalize(source)
        if path not in listed:
            yield Violation(
                "MLW306",
                f"metric source {source} is not a metrics file DVC lists"
                + (f" (it lists: {', '.join(sorted(listed))})" if listed else ""),
                card.location("metrics", index, "source"),
                hint="name a file from dvc.yaml's `metrics:` (top level or a stage's), or "
                "add it there",
            )
            return
        reading = facts.metrics_values.get(path, Unread(path, ABSENT))
        if isinstance(reading, Unread) and reading.reason == ABSENT:
            unpulled.add(path)  # one notice per card says so
            return
        readings = {path: reading}
    else:
        readings = dict(facts.metrics_values)
    found = find_metric(item, readings)
    if not found:
        if isinstance(source, str) and source.strip():
            reading = next(iter(readings.values()))
            if isinstance(reading, Values):
                yield Violation(
                    "MLW306",
                    f"{reading.path} holds no {' or '.join(metric_keys(item))} for metric {label}",
                    card.location("metrics", index, "source"),
                    hint="give the metric's `key` (a dotted path in the file), or fix its "
                    "name and split",
                )
        return  # no source: a metric DVC does not record (a human evaluation) is not judged
    values = {reading.leaves[key] for reading, key in found if _hashable(reading.leaves[key])}
    if len(values) > 1:
        where = ", ".join(f"{r.path} ({_shown(r.leaves[k])})" for r, k in found)
        yield Violation(
            "MLW306",
            f"metric {label} is in several metrics files with different values: {where}",
            card.location("metrics", index, "value"),
            hint="give the metric's `source` to say which file it comes from",
            lowered_to=Severity.NOTICE,
        )
        return
    reading, key = found[0]
    recorded = reading.leaves[key]
    where = (
        reading.path
        + (f":{reading.positions[key][0] + 1}" if key in reading.positions else "")
        + (" at HEAD" if reading.at_head else "")
    )
    if isinstance(recorded, bool) or not isinstance(recorded, int | float):
        yield Violation(
            "MLW306",
            f"metric {label}: {where} holds {_shown(recorded)} under {key}, not a number; "
            "not compared",
            card.location("metrics", index, "value"),
            hint="point `key` at a number in the file",
            lowered_to=Severity.NOTICE,
        )
        return
    value = item["value"]
    card_text = card.number_text("metrics", index, "value") or repr(value)
    if _agrees(card_text, recorded):
        return
    exponent = _exponent(card_text)
    rounded = at_precision(recorded, exponent) if exponent is not None else repr(recorded)
    yield Violation(
        "MLW306",
        f"metric {label} is {card_text} on the card, but {where} records {_shown(recorded)} "
        f"under {key} ({rounded} at the card's precision)",
        card.location("metrics", index, "value"),
        hint="re-review the card for the model these metrics measure, then write the "
        "file's value (`mlwf-lint --fix --unsafe-fixes`)",
        edit=_value_edit(card, ("metrics", index, "value"), value, float(rounded), rounded),
    )


def _hashable(value: Any) -> bool:
    return not isinstance(value, list | dict)


# --- MLW307 -----------------------------------------------------------------------------


@rule("MLW307", Severity.ERROR, "params changed since the stage ran")
def params_changed(facts: RepoFacts) -> Iterator[Violation]:
    """A stage's params in its params file (`params.yaml` by default, or the file its
    dvc.yaml entry names) differ from the values `dvc.lock` records: a parameter was
    changed and the pipeline not reproduced — what `dvc status` calls modified, deleted
    or new params, compared as DVC compares them (`50` and `"50"` differ), from the files
    alone, without any data or the dvc library. Reported once per param with every
    stage that ran with the old value. A Python params file is not read (a notice).

    Fails — params.yaml says `n_est: 120`; dvc.lock's `train` entry says:

        params:
          params.yaml:
            train.n_est: 100

    Passes — `dvc repro` was run after the change and dvc.lock committed.
    """
    changes: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    places: dict[tuple[str, str, str], tuple[Location, str]] = {}
    for stage in facts.dvc.stages:
        if not stage.locked:
            continue
        for where, key, message, hint in _stage_changes(facts, stage):
            changes[(where.path or "", key, message)].append(stage.name)
            places[(where.path or "", key, message)] = (where, hint)
    for triple, stages in changes.items():
        where, hint = places[triple]
        shown = ", ".join(repr(s) for s in stages[:3]) + (
            f" and {len(stages) - 3} more" if len(stages) > 3 else ""
        )
        message = triple[2].replace("{stages}", f"stage{'s' if len(stages) > 1 else ''} {shown}")
        lowered = Severity.NOTICE if message.startswith("not compared") else None
        yield Violation(
            "MLW307", message, where, hint=hint.replace("{first}", stages[0]), lowered_to=lowered
        )


_REPRO = "run `dvc repro {first}` and commit dvc.lock (or undo the change)"


def _stage_changes(facts: RepoFacts, stage: DvcStage) -> Iterator[tuple[Location, str, str, str]]:
    by_file: dict[str, list[LockedParam]] = defaultdict(list)
    for param in stage.params:
        by_file[param.file].append(param)
    for file in sorted({*by_file, *stage.whole_params_files}):
        params = by_file.get(file, [])
        reading = facts.params_values.get(file, Unread(file, ABSENT))
        lock_at = _lock_location(params[0] if params else None, stage)
        if isinstance(reading, Unread):
            if reading.reason == ABSENT and params:
                yield (
                    lock_at,
                    "",
                    f"{file} is gone, but {{stages}} ran with its params "
                    f"({', '.join(p.key for p in params)})",
                    "restore it, or change the stage's params and " + _REPRO,
                )
            elif not reading.problem and reading.reason != ABSENT and params:
                yield (lock_at, "", f"not compared: {file}: {reading.reason}", "")
            continue  # a file that does not parse is MLW201's
        yield from _file_changes(reading, params, file in stage.whole_params_files)


def _lock_location(param: LockedParam | None, stage: DvcStage) -> Location:
    if param is None:
        return Location.at(stage.dvc_yaml, stage.position)
    return Location.at(param.lock, param.position)


def _file_changes(
    reading: Values, params: list[LockedParam], whole: bool
) -> Iterator[tuple[Location, str, str, str]]:
    now = reading.leaves
    recorded: dict[str, tuple[Any, LockedParam]] = {}
    for param in params:
        for name, _pointer, value in flatten({param.key: param.value}):
            recorded.setdefault(name, (value, param))
    tracked = {p.key for p in params}
    for name, (then, param) in recorded.items():
        here = _file_location(reading, name)
        if name not in now:
            yield (
                Location.at(param.lock, param.position),
                name,
                f"{name} is no longer in {reading.path}, but {{stages}} ran with {_shown(then)}",
                _REPRO,
            )
        elif now[name] != then and not (isinstance(then, list) and list(now[name]) == then):
            yield (
                here,
                name,
                f"{reading.path} {name} is {_shown(now[name])}, but {{stages}} ran with "
                f"{_shown(then)} ({param.lock}"
                f"{f':{param.position[0] + 1}' if param.position else ''})"
                + _kind_change(now[name], then),
                _REPRO,
            )
    for name in now:
        under_section = any(name.startswith(t + ".") for t in tracked)
        if name in recorded or not (under_section or whole):
            continue
        yield (
            _file_location(reading, name),
            name,
            f"{reading.path} {name} is new since {{stages}} ran (dvc.lock does not record it)",
            _REPRO,
        )


def _kind_change(now: Any, then: Any) -> str:
    if _kind(now) == _kind(then):
        return ""
    return f"; {_kind(now)} now, {_kind(then)} then"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "null" if value is None else "a mapping"


def _file_location(reading: Values, name: str) -> Location:
    position = reading.positions.get(name)
    return Location.at(reading.path, position) if position else Location(reading.path)
