"""Issue 18's defects, each reproduced in a real repository through the real command:
wrong types, linked folders, configuration that does not parse, colliding
fingerprints."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import GitRepo, lineage_record, lint_json
from mlwf_lint.cli import main


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        ("docs/ml/rollback/p.yaml", "id: p\nmodel: [x]\n"),
        ("docs/ml/rollback/p.yaml", "id: p\nmodel: {a: 1}\n"),
        ("docs/ml/models/m.md", "---\nid: m\ntraining_data: [{dataset: [x]}]\n---\n"),
        ("docs/ml/models/m.md", "---\nid: m\nstatus: [production]\nrollback_plan: {a: 1}\n---\n"),
        ("docs/ml/data/d.yaml", "id: [d]\ndataset: {path: [data/raw.csv], md5: 3}\n"),
        ("docs/ml/decisions/0001-x.md", "---\nid: {a: 1}\nsupersedes: [[ADR-0002]]\n---\n"),
    ],
)
def test_wrong_types_are_schema_findings_never_a_crash(
    rel: str, text: str, git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write(rel, text)
    git_repo.write("docs/ml/models/other.md", "---\nid: other\nstatus: production\n---\n")
    git_repo.commit()
    status, report = lint_json(capsys, str(git_repo.path))
    assert status == 1
    assert "MLW202" in {f["code"] for f in report["findings"] if f["path"] == rel}


def test_a_linked_folder_out_of_the_repository_is_not_read(
    git_repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder was committed, then replaced in the working tree by a link: Git still
    lists the files, and reading them would follow the link out."""
    git_repo.write("docs/ml/data/secret.yaml", lineage_record("raw", "data/raw.csv"))
    git_repo.commit()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("id: [SECRET-TEXT\n")  # would be MLW201 if read
    for item in (git_repo.path / "docs/ml/data").iterdir():
        item.unlink()
    (git_repo.path / "docs/ml/data").rmdir()
    os.symlink(outside, git_repo.path / "docs/ml/data")
    status, report = lint_json(capsys, str(git_repo.path))
    assert [(f["code"], f["path"]) for f in report["findings"]] == [
        ("MLW002", "docs/ml/data/secret.yaml")
    ]
    (finding,) = report["findings"]
    assert finding["message"] == (
        "not checked: path through a linked folder to a place outside the repository; not followed"
    )
    assert "SECRET" not in json.dumps(report)
    assert status == 0  # a warning


def test_a_pyproject_that_does_not_parse_is_exit_2_naming_the_line(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("pyproject.toml", '[tool.mlwf-lint]\nexclude = ["a"\nfail-on = "error"\n')
    assert main([str(git_repo.path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mlwf-lint: error: {git_repo.path / 'pyproject.toml'}:3:")
    assert "invalid TOML" in err and err.count("\n") == 1


def test_errors_inside_tool_mlwf_lint_name_their_line(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write(
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.mlwf-lint]\nexclude = ["a"]\nfail-on = "never"\n',
    )
    assert main([str(git_repo.path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mlwf-lint: error: {git_repo.path / 'pyproject.toml'}:6: config key")


def test_every_fingerprint_is_distinct_and_survives_a_line_move(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(git_repo.path)
    assert main(["new", "model-card", "churn"]) == 0
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv"))
    capsys.readouterr()

    def reports() -> tuple[list[dict[str, object]], dict[str, object]]:
        main([str(git_repo.path), "--format", "gitlab"])
        gitlab = json.loads(capsys.readouterr().out)
        main([str(git_repo.path), "--format", "sarif"])
        sarif = json.loads(capsys.readouterr().out)
        return gitlab, sarif

    gitlab, sarif = reports()
    prints = [issue["fingerprint"] for issue in gitlab]
    assert len(prints) > 10 and len(set(prints)) == len(prints)
    results = sarif["runs"][0]["results"]  # type: ignore[index]
    assert [r["partialFingerprints"]["mlwfLintFingerprint/v1"] for r in results] == prints
    card = git_repo.path / "docs/ml/models/churn.md"
    text = card.read_text()
    card.write_text(text.replace("\n## ", "\n\n\n## "))  # every section moves down
    moved, _sarif = reports()
    assert [i["location"]["lines"] for i in moved] != [i["location"]["lines"] for i in gitlab]
    assert sorted(i["fingerprint"] for i in moved) == sorted(prints)


def test_check_data_with_no_cache_leaves_only_dvcs_own_btime(
    git_repo: GitRepo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dvc_available: None,
) -> None:
    from conftest import run_dvc

    run_dvc(git_repo.path, "init", "-q")
    git_repo.write("data/raw.csv", "id\n1\n")
    run_dvc(git_repo.path, "add", "-q", "data/raw.csv")
    git_repo.commit("data")
    shutil.rmtree(git_repo.path / ".dvc" / "tmp", ignore_errors=True)

    def tree() -> set[str]:
        found = {p.relative_to(git_repo.path).as_posix() for p in git_repo.path.rglob("*")}
        return {p for p in found if p != ".git" and not p.startswith(".git/")}

    before = tree()
    monkeypatch.delenv("DVC_SITE_CACHE_DIR")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the site cache goes
    lint_json(capsys, str(git_repo.path), "--check-data", "--no-cache")
    assert sorted(tree() - before) == [".dvc/tmp", ".dvc/tmp/btime"]
    assert list(scratch.iterdir()) == []  # the scratch site cache was removed


@pytest.mark.parametrize(
    ("status", "expected"),
    [("production", ["MLW104"]), ("staging", ["MLW104"]), ("development", []), ("archived", [])],
)
def test_deployed_means_staging_or_production(
    status: str, expected: list[str], git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    from conftest import model_card

    git_repo.write("docs/ml/models/churn-model.md", model_card(status=status))
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW104")
    assert [(f["code"], f["line"]) for f in report["findings"]] == [(c, 5) for c in expected]


@pytest.mark.parametrize(
    ("hours_later", "stale"), [(12, False), (24, False), (25, True), (48, True)]
)
def test_staleness_days_allows_exactly_that_many_days(
    hours_later: int,
    stale: bool,
    git_repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    md5 = "a" * 32
    git_repo.write("data/raw.csv.dvc", f"outs:\n- md5: {md5}\n  hash: md5\n  path: raw.csv\n")
    git_repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv", md5))
    git_repo.write(".mlwf-lint.yaml", "staleness: {days: 1}\n")
    for key in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
        monkeypatch.setenv(key, "2026-11-01T00:00:00+00:00")
    git_repo.commit("Document raw.csv")
    git_repo.write("data/raw.csv.dvc", f"outs:\n- md5: {'b' * 32}\n  hash: md5\n  path: raw.csv\n")
    for key in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
        monkeypatch.setenv(
            key, f"2026-11-{1 + hours_later // 24:02d}T{hours_later % 24:02d}:00:00+00:00"
        )
    git_repo.commit("New data")
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW402")
    assert [f["path"] for f in report["findings"]] == (["docs/ml/data/raw.yaml"] if stale else [])


def test_a_team_schema_linked_from_outside_is_refused(
    git_repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere.json"
    outside.write_text('{"type": "object"}')
    (git_repo.path / "schemas").mkdir()
    os.symlink(outside, git_repo.path / "schemas/lineage.json")
    git_repo.write(
        ".mlwf-lint.yaml", "documents:\n  data-lineage: {schema: schemas/lineage.json}\n"
    )
    assert main([str(git_repo.path)]) == 2
    err = capsys.readouterr().err
    assert "documents.data-lineage.schema schemas/lineage.json leads outside the repository" in err
    assert err.count("\n") == 1


def test_placeholder_refs_and_md5s_are_not_looked_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rollback plan still holding TODOs is MLW203's, never a missing revision or a
    wrong md5 at a revision."""
    from conftest import documented_demo

    demo = documented_demo(tmp_path / "demo")
    plan = demo.path / "docs/ml/rollback/text-classifier.yaml"
    text = plan.read_text()
    text = text.replace("git_ref: text-classifier@v1.1.0", "git_ref: TODO")
    text = text.replace("md5: 4e4c90f0dfd1bab0962717f555a5c8ea", "md5: TODO")
    plan.write_text(text)
    _status, report = lint_json(capsys, str(demo.path), "--select", "MLW401,MLW403,MLW203")
    assert sorted((f["code"], f["line"]) for f in report["findings"]) == [
        ("MLW203", 6),  # current.git_ref
        ("MLW203", 11),  # fallback.md5
    ]


def test_unlocked_stage_hint_names_the_command(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("dvc.yaml", "stages:\n  train:\n    cmd: python t.py\n")
    (finding,) = lint_json(capsys, str(git_repo.path), "--select", "MLW302")[1]["findings"]
    assert finding["hint"] == "run `dvc repro train` and commit dvc.lock"


def test_decision_record_numbers_and_sections(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    from conftest import decision_record

    # a placeholder id is MLW203's, not a number mismatch; a heading may end in ':'
    git_repo.write("docs/ml/decisions/0001-a.md", decision_record(1).replace("ADR-0001", "TODO"))
    git_repo.write(
        "docs/ml/decisions/0002-b.md", decision_record(2).replace("## Context", "## Context:")
    )
    git_repo.write(
        "docs/ml/decisions/0003-c.md", decision_record(4).replace("ADR-0004", "ADR-0009")
    )
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW202,MLW204")
    assert [(f["code"], f["path"], f["message"], f["hint"]) for f in report["findings"]] == [
        (
            "MLW202",
            "docs/ml/decisions/0003-c.md",
            "id ADR-0009 does not match the file's number 0003",
            "set id: ADR-0003, or rename the file",
        )
    ]


def test_a_record_of_a_folder_covers_the_files_in_it_and_hints_list_every_glob(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("data/raw.dvc", f"outs:\n- md5: {'a' * 32}.dir\n  hash: md5\n  path: raw\n")
    git_repo.write(
        "data/raw/extra.csv.dvc", f"outs:\n- md5: {'b' * 32}\n  hash: md5\n  path: extra.csv\n"
    )
    git_repo.write(
        ".mlwf-lint.yaml",
        'documents:\n  data-lineage: {glob: ["docs/data/*.yaml", "docs/more/*.yaml"]}\n',
    )
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW103")
    assert [f["hint"] for f in report["findings"]][0] == (
        "record where it comes from in a lineage record (docs/data/*.yaml, docs/more/*.yaml) "
        "whose dataset.path is data/raw"
    )
    git_repo.write("docs/data/raw.yaml", lineage_record("raw", "data/raw", "a" * 32 + ".dir"))
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW103")
    assert report["findings"] == []  # data/raw/extra.csv lies inside the recorded folder


def test_record_of_a_file_inside_a_dataset_folder_documents_the_folder(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("data/raw.dvc", f"outs:\n- md5: {'a' * 32}.dir\n  hash: md5\n  path: raw\n")
    git_repo.write("docs/ml/data/part.yaml", lineage_record("part", "data/raw/part-1.csv"))
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW103")
    assert report["findings"] == []


def test_numbers_in_names_only_matter_for_numbered_decision_records(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    from conftest import decision_record, model_card

    git_repo.write("docs/ml/models/0001-churn.md", model_card("churn-model"))
    git_repo.write(".mlwf-lint.yaml", 'documents:\n  decision-record: {glob: "docs/adr/*.md"}\n')
    git_repo.write("docs/adr/use-dvc.md", decision_record(7))
    status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW202")
    assert (status, report["findings"]) == (0, [])


def test_check_data_with_a_remote_whose_plugin_is_missing_is_one_line(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str], dvc_available: None
) -> None:
    """As iterative-style projects with a webdavs remote: the dvc library cannot load
    the remote's plugin; a one-line error naming it, not an internal error."""
    import importlib.util

    from conftest import run_dvc

    if importlib.util.find_spec("dvc_webdav") is not None:
        pytest.skip("dvc-webdav is installed here")
    run_dvc(git_repo.path, "init", "-q")
    run_dvc(git_repo.path, "remote", "add", "-d", "store", "webdavs://example.com/store")
    git_repo.write("data/raw.csv", "id\n1\n")
    run_dvc(git_repo.path, "add", "-q", "data/raw.csv")
    git_repo.commit("data, a webdavs remote")
    assert main([str(git_repo.path), "--check-data", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlwf-lint: error: dvc could not read the DVC project at ")
    assert "dvc-webdav" in err and err.count("\n") == 1
