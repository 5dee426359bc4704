"""MLW2xx messages and positions, on real repositories."""

from __future__ import annotations

import pytest

from conftest import GitRepo, decision_record, lineage_record, lint_json, model_card


def _found(
    capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str
) -> list[tuple[str, int | None, int | None, str]]:
    _status, report = lint_json(capsys, str(repo.path), *args)
    return [(f["code"], f["line"], f["column"], f["message"]) for f in report["findings"]]


def test_nested_list_item_in_front_matter(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    card = model_card(extra="").replace(
        "training_data: []",
        "training_data:\n  - dataset: raw\n    md5: 22a1a2931c8370d3aeedd7183606fd7f\n"
        "  - dataset: extra\n    md5: not-a-hash",
    )
    git_repo.write("docs/ml/models/churn-model.md", card)
    git_repo.write("docs/ml/decisions/0001-x.md", decision_record(1))
    for name in ("raw", "extra"):
        git_repo.write(f"docs/ml/data/{name}.yaml", lineage_record(name, f"data/{name}.csv"))
    found = _found(capsys, git_repo, "--select", "MLW202")
    assert found == [
        (
            "MLW202",
            13,
            10,
            "training_data[1].md5 must be 32 hex digits, optionally followed by .dir; "
            'got "not-a-hash"',
        )
    ]
    _s, report = lint_json(capsys, str(git_repo.path), "--select", "MLW202")
    assert report["findings"][0]["pointer"] == "/training_data/1/md5"


def test_missing_field_points_at_its_mapping(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    text = lineage_record("raw", "data/raw.csv").replace("  license: CC0-1.0\n", "")
    git_repo.write("docs/ml/data/raw.yaml", text)
    _s, report = lint_json(capsys, str(git_repo.path), "--select", "MLW202")
    (finding,) = report["findings"]
    assert finding["message"] == "source.license is required"
    assert finding["pointer"] == "/source/license"
    assert (finding["line"], finding["column"]) == (8, 3)  # the first line of `source:`'s mapping


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- list\n", 'the document must be a mapping of fields; got a list ["a", "list"]'),
        ("just text\n", 'the document must be a mapping of fields; got text "just text"'),
    ],
)
def test_document_that_is_not_a_mapping(
    text: str, message: str, git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("docs/ml/data/odd.yaml", text)
    assert _found(capsys, git_repo, "--select", "MLW2") == [("MLW202", 1, 1, message)]


def test_wrong_types_say_what_they_got(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    text = lineage_record("raw", "data/raw.csv").replace(
        "contains_pii: false", "contains_pii: maybe"
    )
    git_repo.write("docs/ml/data/raw.yaml", text)
    assert _found(capsys, git_repo, "--select", "MLW202") == [
        ("MLW202", 11, 17, 'source.contains_pii must be true or false; got text "maybe"')
    ]


def test_placeholder_values_are_not_also_schema_errors(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    text = lineage_record("raw", "data/raw.csv").replace("contains_pii: false", "contains_pii: TBD")
    git_repo.write("docs/ml/data/raw.yaml", text)
    assert [f[0] for f in _found(capsys, git_repo, "--select", "MLW2")] == ["MLW203"]


def test_unknown_reference_not_checked_while_target_is_unparsable(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("docs/ml/models/churn-model.md", model_card())
    git_repo.write("docs/ml/decisions/0001-x.md", "---\nid: [broken\n---\n")
    assert [f[0] for f in _found(capsys, git_repo, "--select", "MLW2")] == ["MLW201"]


def test_supersedes_accepts_one_id_or_a_list(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write(
        "docs/ml/decisions/0001-a.md", decision_record(1, extra="superseded_by: ADR-0002\n")
    )
    git_repo.write(
        "docs/ml/decisions/0002-b.md",
        decision_record(2, extra="supersedes: [ADR-0001, ADR-0003]\n"),
    )
    assert _found(capsys, git_repo, "--select", "MLW2") == [
        ("MLW205", 7, 24, "supersedes[1] refers to 'ADR-0003', but no decision record has that id")
    ]
