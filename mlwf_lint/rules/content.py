"""MLW2xx — document content."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from mlwf_lint.config import KIND_NAMES
from mlwf_lint.facts.documents import Document
from mlwf_lint.facts.parsing import markdown_lines
from mlwf_lint.facts.placeholders import PLACEHOLDER_WORD, is_placeholder
from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.facts.schema_errors import field_name
from mlwf_lint.findings import Location, Severity, Violation
from mlwf_lint.rules.base import rule


@rule("MLW201", Severity.ERROR, "cannot parse")
def cannot_parse(facts: RepoFacts) -> Iterator[Violation]:
    """A document, `.dvc` file, `dvc.yaml` or `dvc.lock` cannot be read as YAML, JSON
    or Markdown front matter, or holds a value of the wrong type where DVC writes a
    mapping or a list. The finding gives the line and column.

    Fails — a duplicated key:

        ---
        id: churn-model
        id: churn-model-v2
        ---

    Passes:

        ---
        id: churn-model
        ---
    """
    for problem in facts.problems:
        yield Violation(
            "MLW201",
            problem.message,
            Location.from_zero_based(problem.path, problem.line0, problem.col0),
            hint=problem.hint
            or "fix the file at that position; what could not be read there was not checked",
        )


def _walk(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _walk(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _walk(child, (*path, index))


def _readable(facts: RepoFacts) -> Iterator[Document]:
    return (d for d in facts.documents if d.parsed is not None)


_ADR_FILE_NUMBER = re.compile(r"^(\d{4})-")


@rule("MLW202", Severity.ERROR, "schema violation")
def schema_violation(facts: RepoFacts) -> Iterator[Violation]:
    """A document does not match its kind's JSON Schema (the shipped one, or the
    team's own from the configuration): a required field is missing, a value has the
    wrong type or form. The finding names the field in a sentence and gives its JSON
    pointer and line:col (a missing field is placed on the mapping that lacks it).
    A decision record's `id` must also carry its file's number. Placeholder values are
    MLW203's, not reported twice.

    Fails — an md5 that is not one:

        artifact:
          path: models/model.pkl
          md5: abc        # artifact.md5 must be 32 hex digits, optionally followed by .dir

    Passes:

        artifact:
          path: models/model.pkl
          md5: e04df31a7a9b464a7356d5cf9d730d1f
    """
    for doc in _readable(facts):
        for violation in facts.schema_violations.get(doc.path, ()):
            if violation.placeholder:
                continue
            yield Violation(
                "MLW202",
                violation.message,
                doc.location(*violation.path),
                hint=f"see `mlwf-lint schema {doc.kind}` for the fields and their forms",
            )
        yield from _adr_number_mismatch(doc)


def _adr_number_mismatch(doc: Document) -> Iterator[Violation]:
    number = _ADR_FILE_NUMBER.match(posixpath.basename(doc.path))
    if doc.kind != "decision-record" or not number or not doc.id or is_placeholder(doc.id):
        return
    if doc.id != f"ADR-{number.group(1)}":
        yield Violation(
            "MLW202",
            f"id {doc.id} does not match the file's number {number.group(1)}",
            doc.location("id"),
            hint=f"set id: ADR-{number.group(1)}, or rename the file",
        )


@rule("MLW203", Severity.ERROR, "placeholder left")
def placeholder_left(facts: RepoFacts) -> Iterator[Violation]:
    """A field's value, or a line of a Markdown body outside code blocks, still holds
    a placeholder: `TODO`, `TBD`, `FIXME`, or a whole value like `<model-id>`.
    Templates written by `mlwf-lint init` and `new` are full of them on purpose.

    Fails:

        owners: [TODO]

    Passes:

        owners: [ml-team@example.com]
    """
    for doc in _readable(facts):
        assert doc.parsed is not None
        for path, value in _walk(doc.parsed.data):
            if is_placeholder(value):
                yield Violation(
                    "MLW203",
                    f"{field_name(path)} is a placeholder: {value.strip()!r}",
                    doc.location(*path),
                    hint="replace it with the real value",
                )
        if doc.parsed.body is None:
            continue
        for offset, line, fenced in markdown_lines(doc.parsed.body):
            found = None if fenced else PLACEHOLDER_WORD.search(line)
            if found:
                yield Violation(
                    "MLW203",
                    f"placeholder {found.group(1)} left in the text",
                    Location.from_zero_based(
                        doc.path, doc.parsed.body_line0 + offset, found.start()
                    ),
                    hint="write the section, then remove the placeholder",
                )


def _has_section(headings: tuple[tuple[str, int], ...], section: str) -> bool:
    wanted = section.lower().split()
    return any(text.lower().rstrip(":").split()[: len(wanted)] == wanted for text, _ in headings)


@rule("MLW204", Severity.ERROR, "required section missing")
def section_missing(facts: RepoFacts) -> Iterator[Violation]:
    """A Markdown document lacks a required body section (a heading, any level,
    case-insensitive; "Decision Outcome" counts as "Decision"). Model cards need
    Intended use, Limitations, Ethical considerations and Evaluation; decision records
    need Context, Decision and Consequences (configurable per kind with `sections`).

    Fails — a model card whose body has no "## Limitations".

    Passes:

        ## Intended use
        ## Limitations
        ## Ethical considerations
        ## Evaluation
    """
    for doc in _readable(facts):
        assert doc.parsed is not None
        if doc.parsed.body is None:
            continue
        for section in facts.config.kinds[doc.kind].sections:
            if not _has_section(doc.headings, section):
                yield Violation(
                    "MLW204",
                    f"missing section {section!r}",
                    Location.from_zero_based(doc.path, doc.parsed.body_line0, 0),
                    hint=f"add a '## {section}' heading and write the section",
                )


# (kind, path of the referring field, kind referred to); "*" walks a list
REFERENCES = (
    ("model-card", ("training_data", "*", "dataset"), "data-lineage"),
    ("model-card", ("rollback_plan",), "rollback-plan"),
    ("model-card", ("decisions", "*"), "decision-record"),
    ("rollback-plan", ("model",), "model-card"),
    ("data-lineage", ("upstream", "*"), "data-lineage"),
    ("decision-record", ("supersedes",), "decision-record"),
    ("decision-record", ("supersedes", "*"), "decision-record"),
    ("decision-record", ("superseded_by",), "decision-record"),
    ("decision-record", ("superseded_by", "*"), "decision-record"),
)


def _references(
    doc: Document, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    def walk(
        value: Any, done: tuple[str | int, ...], rest: tuple[str, ...]
    ) -> Iterator[tuple[tuple[str | int, ...], str]]:
        if not rest:
            if isinstance(value, str):
                yield done, value
            return
        head, tail = rest[0], rest[1:]
        if head == "*" and isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, (*done, index), tail)
        elif head != "*" and isinstance(value, dict) and head in value:
            yield from walk(value[head], (*done, head), tail)

    yield from walk(doc.data, (), path)


@rule("MLW205", Severity.ERROR, "reference to an unknown id")
def unknown_reference(facts: RepoFacts) -> Iterator[Violation]:
    """A document refers to an id no document of that kind has: a model card's
    `training_data[].dataset` (lineage records), `rollback_plan` (rollback plans) and
    `decisions` (decision records), a rollback plan's `model` (model cards), a lineage
    record's `upstream`, a decision record's `supersedes`/`superseded_by`. Not checked
    while a document of the referred kind cannot be parsed or was skipped (MLW002): its
    id is unknown.

    Fails:

        decisions: [ADR-0007]     # no decision record has id ADR-0007

    Passes:

        decisions: [ADR-0001]     # docs/ml/decisions/0001-use-dvc.md has id ADR-0001
    """
    ids: dict[str, set[str]] = {}
    unreadable: set[str] = set(facts.unread_kinds)  # skipped files' ids are unknown too
    for doc in facts.documents:
        if doc.parsed is None:
            unreadable.add(doc.kind)
        elif doc.id:
            ids.setdefault(doc.kind, set()).add(doc.id)
    for kind, path, target in REFERENCES:
        if target in unreadable:
            continue
        for doc in facts.documents_of(kind):
            for where, value in _references(doc, path):
                if value in ids.get(target, ()) or is_placeholder(value):
                    continue
                yield Violation(
                    "MLW205",
                    f"{field_name(where)} refers to {value!r}, but no {KIND_NAMES[target]} "
                    f"has that id",
                    doc.location(*where),
                    hint=f"fix the id, or write the {KIND_NAMES[target]} "
                    f"({', '.join(facts.config.kinds[target].globs)})",
                )


@rule("MLW206", Severity.ERROR, "duplicate id")
def duplicate_id(facts: RepoFacts) -> Iterator[Violation]:
    """Two documents of the same kind have the same `id`; references to it would be
    ambiguous. Reported on every document after the first (in path order).

    Fails — `docs/ml/data/a.yaml` and `docs/ml/data/b.yaml` both say `id: posts`.

    Passes — `id: posts` and `id: posts-2024`.
    """
    first: dict[tuple[str, str], str] = {}
    for doc in sorted(facts.documents, key=lambda d: d.path):
        if doc.id is None:
            continue
        key = (doc.kind, doc.id)
        if key not in first:
            first[key] = doc.path
            continue
        yield Violation(
            "MLW206",
            f"id {doc.id!r} is already used by {first[key]}",
            doc.location("id"),
            hint="give each document its own id",
        )
