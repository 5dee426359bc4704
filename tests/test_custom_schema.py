"""A team's own schema: $ref resolves only to files beside it, never the network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import GitRepo, codes, lineage_record, lint_json
from mlwf_lint.cli import main


def _team_schema(repo: GitRepo, extra_ref: str = "common.json#/$defs/team") -> None:
    repo.write(
        "schemas/lineage.json",
        json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "allOf": [{"$ref": "https://mlwf-lint.dev/schemas/data-lineage.schema.json"}],
                "required": ["team"],
                "properties": {"team": {"$ref": extra_ref}},
            }
        ),
    )
    repo.write(
        "schemas/common.json",
        json.dumps(
            {"$defs": {"team": {"enum": ["search", "ads"], "x-message": "must be our team"}}}
        ),
    )
    repo.write(".mlwf-lint.yaml", "documents:\n  data-lineage: {schema: schemas/lineage.json}\n")


@pytest.mark.usefixtures("no_sockets")
def test_team_schema_with_local_refs(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    _team_schema(git_repo)
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv") + "team: web\n")
    git_repo.write(
        "data/raw.csv.dvc",
        "outs:\n- path: raw.csv\n  md5: 22a1a2931c8370d3aeedd7183606fd7f\n  hash: md5\n",
    )
    git_repo.commit()
    _status, report = lint_json(capsys, str(git_repo.path))
    assert [(f["code"], f["message"], f["line"]) for f in report["findings"]] == [
        ("MLW202", 'team must be our team; got "web"', 13)
    ]
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv") + "team: ads\n")
    assert codes(lint_json(capsys, str(git_repo.path))[1]) == []


@pytest.mark.usefixtures("no_sockets")
def test_remote_ref_is_exit_2_without_a_connection(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _team_schema(git_repo, extra_ref="https://schemas.example.com/team.json")
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv"))
    assert main([str(git_repo.path)]) == 2
    err = capsys.readouterr().err
    assert "'https://schemas.example.com/team.json' is a network address" in err
    assert err.count("\n") == 1


def test_ref_outside_the_schema_folder(
    git_repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _team_schema(git_repo, extra_ref="../../elsewhere.json")
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv"))
    assert main([str(git_repo.path)]) == 2
    assert "leads outside" in capsys.readouterr().err


def test_invalid_team_schema(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    git_repo.write("s.json", '{"type": 12}')
    git_repo.write(".mlwf-lint.yaml", "documents:\n  data-lineage: {schema: s.json}\n")
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv"))
    assert main([str(git_repo.path)]) == 2
    assert "is not a valid JSON Schema" in capsys.readouterr().err


@pytest.mark.usefixtures("no_sockets")
@pytest.mark.parametrize("documents", ["none", "broken"])
def test_configuration_is_checked_before_any_document(
    documents: str, git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A remote $ref is exit 2 even when no document of the kind parses."""
    _team_schema(git_repo, extra_ref="https://schemas.example.com/team.json")
    if documents == "broken":
        git_repo.write("docs/ml/data/raw.yaml", "id: [unclosed\n")
    git_repo.commit()
    for _run in ("cold", "warm"):
        assert main([str(git_repo.path)]) == 2
        assert "is a network address" in capsys.readouterr().err


def test_editing_a_schema_reached_through_a_subfolder_is_seen_warm(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cache key covers every file a team schema reaches, however deep."""
    _team_schema(git_repo, extra_ref="sub/c.json")
    git_repo.write("schemas/sub/c.json", json.dumps({"enum": ["search"]}))
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv") + "team: ads\n")
    git_repo.commit()
    assert (
        "team"
        in lint_json(capsys, str(git_repo.path), "--select", "MLW202")[1]["findings"][0]["message"]
    )
    git_repo.write("schemas/sub/c.json", json.dumps({"enum": ["search", "ads"]}))
    warm = lint_json(capsys, str(git_repo.path), "--select", "MLW202")[1]
    cold = lint_json(capsys, str(git_repo.path), "--select", "MLW202", "--no-cache")[1]
    assert warm["findings"] == cold["findings"] == []


@pytest.mark.usefixtures("no_sockets")
def test_diff_mode_sees_a_tightened_team_schema_on_untouched_documents(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # diff mode validates only the documents a change touched — unless the change
    # touched a team schema: then a document nobody edited can newly fail
    _team_schema(git_repo)
    git_repo.write(
        "data/raw.csv.dvc",
        "outs:\n- path: raw.csv\n  md5: 22a1a2931c8370d3aeedd7183606fd7f\n  hash: md5\n",
    )
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv") + "team: web\n")
    git_repo.commit("A record with a team the schema refuses")
    git_repo.write("docs/ml/data/other.yaml", lineage_record("other", "data/raw.csv") + "team: x\n")
    git_repo.commit("Another record")
    _status, report = lint_json(capsys, str(git_repo.path), "--base", "HEAD~1")
    assert [(f["path"], f["code"]) for f in report["findings"]] == [
        ("docs/ml/data/other.yaml", "MLW202")  # raw.yaml's was there before: not new
    ]
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv") + "team: ads\n")
    git_repo.write(
        "docs/ml/data/other.yaml", lineage_record("other", "data/raw.csv") + "team: ads\n"
    )
    git_repo.commit("Both records say ads")
    common = git_repo.path / "schemas/common.json"
    common.write_text(common.read_text().replace('"search", "ads"', '"search"'))
    git_repo.commit("Only search now; no record edited")
    _status, report = lint_json(capsys, str(git_repo.path), "--base", "HEAD~1")
    assert sorted(f["path"] for f in report["findings"]) == [
        "docs/ml/data/other.yaml",
        "docs/ml/data/raw.yaml",
    ]
