"""What public DVC repositories showed (issue 11): each defect found there, reproduced
in a minimal real repository of our own, through the real command."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import GitRepo, documented_demo, lint_json, run_dvc
from mlwf_lint.cli import main

# --- DVC 0.x stage files ------------------------------------------------------------


def test_dvc0_stage_files_are_stages_not_source_datasets(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """`dvc run` in DVC 0.x wrote a `.dvc` file with `cmd:` (or a `Dvcfile`): its
    outputs come from a stage and need no lineage record; `dvc add` files (`cmd:
    null`) are source data."""
    git_repo.write(
        "data/train.zip.dvc",
        "cmd: null\ndeps: []\nouts:\n- cache: true\n  md5: fd47d523fa82bb9c282b897b55be0442\n"
        "  path: train.zip\n",
    )
    git_repo.write(
        "process.dvc",
        "cmd: unzip -d data/ data/train.zip\ndeps:\n- md5: fd47d523fa82bb9c282b897b55be0442\n"
        "  path: data/train.zip\nouts:\n- cache: true\n"
        "  md5: 0dd437f2f04fbf54355beab021494baa.dir\n  path: data/train\n",
    )
    git_repo.write(
        "Dvcfile",
        "cmd: python train.py\ndeps:\n- md5: 0dd437f2f04fbf54355beab021494baa.dir\n"
        "  path: data/train\nouts:\n- md5: 3863d0e317dee0a55c4e59d2ec0eef33\n"
        "  path: model.h5\n",
    )
    git_repo.commit("DVC 0.x pipeline")
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW1,MLW3")
    assert [(f["code"], f["path"], f["message"]) for f in report["findings"]] == [
        ("MLW102", "Dvcfile", "model at model.h5 has no model card"),
        (
            "MLW103",
            "data/train.zip.dvc",
            "source dataset data/train.zip has no data lineage record",
        ),
    ]
    # the stage file's dep is checked against its producer like a dvc.lock dep
    git_repo.write(
        "data/train.zip.dvc",
        (git_repo.path / "data/train.zip.dvc").read_text().replace("fd47d523", "00000000"),
    )
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW303")
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("process.dvc", 4)]


# --- one broken DVC file, one finding -----------------------------------------------


@pytest.mark.parametrize(
    ("newline", "labels"),
    [("\n", (" HEAD", " b")), ("\r\n", (" HEAD", " b")), ("\r\n", ("", ""))],
    ids=["LF", "CRLF", "CRLF-unlabelled"],
)
def test_conflicted_lock_is_one_finding_naming_the_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], newline: str, labels: tuple[str, str]
) -> None:
    demo = documented_demo(tmp_path / "demo").path
    lock = demo / "dvc.lock"
    lines = lock.read_text().splitlines(keepends=True)
    last_md5 = max(i for i, line in enumerate(lines) if "md5:" in line)
    ours, theirs = lines[last_md5], lines[last_md5].replace("a", "b")
    lines[last_md5 : last_md5 + 1] = [
        f"<<<<<<<{labels[0]}\n",
        ours,
        "=======\n",
        theirs,
        f">>>>>>>{labels[1]}\n",
    ]
    lock.write_bytes("".join(lines).replace("\n", newline).encode())
    status, report = lint_json(capsys, str(demo))
    assert [(f["code"], f["path"], f["line"]) for f in report["findings"]] == [
        ("MLW201", "dvc.lock", last_md5 + 1)
    ]
    finding = report["findings"][0]
    assert "unresolved merge conflict" in finding["message"]
    assert "`dvc repro`" in finding["hint"] and "commit dvc.lock" in finding["hint"]
    assert status == 1


def test_broken_lock_without_dvc_yaml_is_reported(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("sub/dvc.lock", "schema: '2.0'\nstages:\n  train: [unclosed\n")
    _status, report = lint_json(capsys, str(git_repo.path))
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("MLW201", "sub/dvc.lock")]


# --- init: distinct names, and nothing but placeholders left ------------------------


def _dvc_add_file(repo: GitRepo, path: str, md5: str) -> None:
    folder, name = path.rsplit("/", 1) if "/" in path else ("", path)
    out = f"outs:\n- md5: {md5}\n  size: 3\n  hash: md5\n  path: {name}\n"
    repo.write(f"{folder}/{name}.dvc" if folder else f"{name}.dvc", out)


def test_init_gives_every_output_its_own_document(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    same_stems = ["a/data.csv", "b/data.csv", "raw/train.zip", "raw/train", "best.pt", "best.onnx"]
    for path in same_stems:
        _dvc_add_file(git_repo, path, hashlib.md5(path.encode()).hexdigest())
    git_repo.commit("Six outputs, three stems")
    assert main(["init", str(git_repo.path)]) == 0
    out = capsys.readouterr().out
    assert "kept" not in out
    written = sorted(
        line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("wrote docs")
    )
    assert written == [
        "docs/ml/data/a-data.yaml",
        "docs/ml/data/b-data.yaml",
        "docs/ml/data/train-zip.yaml",
        "docs/ml/data/train.yaml",
        "docs/ml/models/best-onnx.md",
        "docs/ml/models/best-pt.md",
    ]
    status, report = lint_json(capsys, str(git_repo.path))
    assert {f["code"] for f in report["findings"]} == {"MLW203"}
    assert status == 1
    assert main(["init", str(git_repo.path)]) == 0
    assert "nothing to write" in capsys.readouterr().out


def test_init_writes_a_card_for_ml_code_without_a_dvc_model(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("train.py", "from sklearn.linear_model import LogisticRegression\n")
    git_repo.commit("Training code, model not in DVC")
    assert codes_of(lint_json(capsys, str(git_repo.path))[1]) == ["MLW101"]
    assert main(["init", str(git_repo.path)]) == 0
    assert "wrote docs/ml/models/repo.md" in capsys.readouterr().out
    status, report = lint_json(capsys, str(git_repo.path))
    assert {f["code"] for f in report["findings"]} == {"MLW203"}
    assert status == 1


def codes_of(report: dict[str, object]) -> list[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [f["code"] for f in findings]


# --- model detection and ML code ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "is_model"),
    [
        ("data/X_train.pkl", False),  # a pickled dataframe
        ("data/processed/features.pkl", False),
        ("data/05_model_input/table.pkl", False),
        ("data/01_raw/models/pretrained.zip", True),  # a models folder, deep in the tree
        ("prod_model", True),
        ("outputs/model", True),
        ("data/02_models/regressor.pickle", True),
        ("artifacts/clf.joblib", True),
        ("model.pkl", True),
        ("weights/best.safetensors", True),
        ("data/raw.csv", False),
    ],
)
def test_model_detection_matches_what_a_person_sees(
    path: str, is_model: bool, git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _dvc_add_file(git_repo, path, "a" * 32)
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW102,MLW103")
    assert codes_of(report) == (["MLW102"] if is_model else ["MLW103"])


def test_model_patterns_are_named_in_the_hints(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _dvc_add_file(git_repo, "artifacts/clf.joblib", "a" * 32)
    (finding,) = lint_json(capsys, str(git_repo.path), "--select", "MLW102")[1]["findings"]
    assert "model-patterns" in finding["hint"]
    git_repo.write("train.py", "import torch\n")
    (git_repo.path / "artifacts/clf.joblib.dvc").unlink()
    (finding,) = lint_json(capsys, str(git_repo.path), "--select", "MLW101")[1]["findings"]
    assert "extend-model-patterns" in finding["hint"]
    git_repo.write(".mlwf-lint.yaml", "extend-model-patterns: ['*.bin']\n")
    _dvc_add_file(git_repo, "out/weights.bin", "b" * 32)
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW1")
    assert codes_of(report) == ["MLW102"]


def _notebook(*cells: str) -> str:
    import json

    return json.dumps(
        {"cells": [{"cell_type": "code", "source": c.splitlines(True)} for c in cells]}
    )


def test_ml_code_is_said_only_where_there_is_some(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # a dataset registry: dvc.yaml with dataset artifacts, a data-cleaning notebook
    git_repo.write(
        "dvc.yaml",
        "artifacts:\n  posts:\n    path: data/posts.csv\n    type: dataset\n"
        "stages:\n  clean:\n    cmd: jupyter nbconvert --execute clean.ipynb\n"
        "    deps: [clean.ipynb]\n    outs: [data/clean.csv]\n",
    )
    git_repo.write(
        "clean.ipynb", _notebook("%matplotlib inline\nimport pandas as pd", "pd.read_csv")
    )
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW101")
    assert report["findings"] == []
    git_repo.write(
        "fit.ipynb", _notebook("import pandas", "!pip install x\nfrom sklearn import svm")
    )
    (finding,) = lint_json(capsys, str(git_repo.path), "--select", "MLW101")[1]["findings"]
    assert finding["path"] == "fit.ipynb"
    assert finding["message"].startswith("ML code (fit.ipynb: a notebook importing sklearn)")


# --- the dvc extra: subdir projects, instances as dvc.yaml defines them now ----------

SUBDIR_PIPELINE = """\
stages:
  train:
    foreach: ${xs}
    do:
      cmd: python -c "open('models/${item}.pkl', 'w').write('${item}')"
      outs:
      - models/${item}.pkl
"""


def _subdir_project(repo: GitRepo) -> Path:
    """A monorepo whose DVC project is `dvc init --subdir` in proj/."""
    project = repo.path / "proj"
    project.mkdir()
    repo.write("README.md", "a monorepo with a DVC project in proj/\n")
    repo.commit("root")
    run_dvc(project, "init", "--subdir", "-q")
    return project


def test_dvc_extra_opens_subdir_projects_at_their_root_and_ignores_stale_instances(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str], dvc_available: None
) -> None:
    project = _subdir_project(git_repo)
    git_repo.write("proj/params.yaml", "xs: [a]\n")
    git_repo.write("proj/dvc.yaml", SUBDIR_PIPELINE)
    (project / "models").mkdir()
    run_dvc(project, "repro", "-q")
    git_repo.commit("train a")
    status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW1,MLW3")
    assert [(f["code"], f["message"]) for f in report["findings"]] == [
        ("MLW102", "model at proj/models/a.pkl has no model card")
    ]
    # the list changed and nobody ran dvc repro: dvc.lock still holds train@a
    git_repo.write("proj/params.yaml", "xs: [b]\n")
    status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW1,MLW3")
    assert [(f["code"], f["message"].split(": it")[0]) for f in report["findings"]] == [
        (
            "MLW308",
            "dvc.lock records stage 'proj/dvc.yaml:train@a', which dvc.yaml no longer defines",
        ),
        ("MLW102", "model at proj/models/b.pkl has no model card"),
        ("MLW302", "stage 'proj/dvc.yaml:train@b' is not in dvc.lock"),
    ]
    assert status == 1


def test_check_data_covers_subdir_projects(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str], dvc_available: None
) -> None:
    project = _subdir_project(git_repo)
    git_repo.write("proj/data/raw.csv", "id\n1\n")
    run_dvc(project, "add", "-q", "data/raw.csv")
    git_repo.commit("data")
    git_repo.write("proj/data/raw.csv", "id\n2\n")
    _status, report = lint_json(capsys, str(git_repo.path), "--check-data", "--select", "MLW304")
    assert [(f["path"], f["message"]) for f in report["findings"]] == [
        (
            "proj/data/raw.csv.dvc",
            "proj/data/raw.csv in the working tree differs from the hash DVC records in "
            "proj/data/raw.csv.dvc",
        )
    ]


# --- history by ancestry, never dates -----------------------------------------------


def _commit_at(repo: GitRepo, message: str, date: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GIT_COMMITTER_DATE", date)
    monkeypatch.setenv("GIT_AUTHOR_DATE", date)
    try:
        return repo.commit(message)
    finally:
        monkeypatch.delenv("GIT_COMMITTER_DATE")
        monkeypatch.delenv("GIT_AUTHOR_DATE")


def _documented_dataset(repo: GitRepo, md5: str) -> None:
    from conftest import lineage_record

    _dvc_add_file(repo, "data/raw.csv", md5)
    repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv", md5))


@pytest.mark.parametrize(
    ("card_date", "change_date"),
    [
        ("2026-11-01T12:00:00", "2026-11-01T12:00:00"),  # a rebase: the same second
        ("2026-11-01T12:00:00", "2026-10-01T12:00:00"),  # the retraining machine's clock behind
    ],
)
def test_stale_document_is_found_by_ancestry_whatever_the_dates(
    card_date: str,
    change_date: str,
    git_repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _documented_dataset(git_repo, "a" * 32)
    _commit_at(git_repo, "Document raw.csv", card_date, monkeypatch)
    _dvc_add_file(git_repo, "data/raw.csv", "b" * 32)
    change = _commit_at(git_repo, "New raw data", change_date, monkeypatch)
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW402")
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("docs/ml/data/raw.yaml", 5)]
    assert f"but {change[:7]} (" in report["findings"][0]["message"]


def test_document_updated_after_the_change_is_current_even_with_an_older_date(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _documented_dataset(git_repo, "a" * 32)
    _commit_at(git_repo, "Document raw.csv", "2026-11-01T12:00:00", monkeypatch)
    _dvc_add_file(git_repo, "data/raw.csv", "b" * 32)
    _commit_at(git_repo, "New raw data", "2026-11-05T12:00:00", monkeypatch)
    _documented_dataset(git_repo, "b" * 32)
    # committed on a machine whose clock is days behind: still after the change
    _commit_at(git_repo, "Re-review raw.csv", "2026-11-02T12:00:00", monkeypatch)
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW402")
    assert report["findings"] == []


def test_a_change_on_a_branch_the_document_never_saw_is_stale(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _documented_dataset(git_repo, "a" * 32)
    git_repo.commit("Document raw.csv")
    git_repo.git("checkout", "-q", "-b", "data")
    _dvc_add_file(git_repo, "data/raw.csv", "b" * 32)
    git_repo.commit("New raw data")
    git_repo.git("checkout", "-q", "main")
    git_repo.write(
        "docs/ml/data/raw.yaml",
        (git_repo.path / "docs/ml/data/raw.yaml").read_text() + "upstream: []\n",
    )
    git_repo.commit("Touch the record on main")
    git_repo.git("merge", "-q", "--no-edit", "data")
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW402")
    assert [f["path"] for f in report["findings"]] == ["docs/ml/data/raw.yaml"]


def test_a_change_undone_before_head_leaves_the_document_current(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # the record's commit saw exactly the hash HEAD records: a new version that was
    # rolled back does not make it stale (content decides; the old answer named the
    # rollback commit); a .dvc edit that keeps the hash (a description) does not either
    _documented_dataset(git_repo, "a" * 32)
    git_repo.commit("Document raw.csv")
    _dvc_add_file(git_repo, "data/raw.csv", "b" * 32)
    git_repo.commit("New raw data")
    _dvc_add_file(git_repo, "data/raw.csv", "a" * 32)
    git_repo.commit("Roll the data back")
    dvc_file = git_repo.path / "data/raw.csv.dvc"
    dvc_file.write_text(dvc_file.read_text() + "desc: the raw export\n")
    git_repo.commit("Describe the data")
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW402")
    assert report["findings"] == []
    _dvc_add_file(git_repo, "data/raw.csv", "c" * 32)
    changed = git_repo.commit("Newer data")
    git_repo.commit("Unrelated")  # the commit named is the one that changed the hash
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW402")
    assert [f["path"] for f in report["findings"]] == ["docs/ml/data/raw.yaml"]
    assert f"but {changed[:7]} (" in report["findings"][0]["message"]


def test_many_documents_are_each_judged_against_their_own_last_commit(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # more documents than git is given as separate pathspecs (their folder is given)
    from conftest import lineage_record

    def _md5(n: int) -> str:
        return hashlib.md5(str(n).encode()).hexdigest()

    for n in range(20):
        _dvc_add_file(git_repo, f"data/raw{n}.csv", _md5(n))
        git_repo.write(
            f"docs/ml/data/raw{n}.yaml",
            lineage_record(f"raw{n}", f"data/raw{n}.csv", _md5(n)),
        )
    git_repo.write("docs/ml/README.txt", "not a document\n")
    git_repo.commit("Twenty datasets, documented")
    for n in (3, 17):
        _dvc_add_file(git_repo, f"data/raw{n}.csv", _md5(n + 100))
        git_repo.commit(f"New raw{n}")
    git_repo.write("docs/ml/data/raw17.yaml", lineage_record("raw17", "data/raw17.csv", _md5(117)))
    git_repo.commit("Re-review raw17")
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW402")
    assert [f["path"] for f in report["findings"]] == ["docs/ml/data/raw3.yaml"]
    assert "'New raw3'" in report["findings"][0]["message"]


def test_staleness_commits_allows_a_lag_in_commits(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _documented_dataset(git_repo, "a" * 32)
    git_repo.commit("Document raw.csv")
    _dvc_add_file(git_repo, "data/raw.csv", "b" * 32)
    git_repo.commit("New raw data")
    git_repo.write(".mlwf-lint.yaml", "staleness: {commits: 1}\n")
    git_repo.commit("Allow one commit")  # the change is one commit past the record
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW402")
    assert report["findings"] == []
    git_repo.write(".mlwf-lint.yaml", "staleness: {commits: 0}\n")
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW402")
    assert [f["path"] for f in report["findings"]] == ["docs/ml/data/raw.yaml"]
    # two commits ahead is more than the one allowed
    _dvc_add_file(git_repo, "data/raw.csv", "c" * 32)
    git_repo.write(".mlwf-lint.yaml", "staleness: {commits: 1}\n")
    git_repo.commit("Newer data again")
    _status, report = lint_json(capsys, str(git_repo.path), "--select", "MLW402")
    assert [f["path"] for f in report["findings"]] == ["docs/ml/data/raw.yaml"]


# --- the command line ---------------------------------------------------------------


def test_a_path_that_does_not_exist_is_exit_2(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    git_repo.write("docs/ml/models/a.md", "---\nid: a\n---\n")
    git_repo.commit()
    monkeypatch.chdir(git_repo.path)
    assert main(["docs/ml/modles"]) == 2
    assert capsys.readouterr().err == "mlwf-lint: error: docs/ml/modles: no such file or folder\n"
    assert main(["innit"]) == 2
    assert "did you mean `mlwf-lint init`?" in capsys.readouterr().err
    assert main(["graph", "docs/ml/modles"]) == 2  # the same words from every command
    assert capsys.readouterr().err == "mlwf-lint: error: docs/ml/modles: no such file or folder\n"
    assert main(["docs/ml/models", "--select", "MLW1"]) == 0


def test_init_warns_when_git_ignores_where_it_writes(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """`data/` in .gitignore (DVC projects often have it) also hides docs/ml/data/."""
    git_repo.write(".gitignore", "data/\n")
    _dvc_add_file(git_repo, "data/raw.csv", "a" * 32)
    git_repo.git("add", "-f", "data/raw.csv.dvc")  # tracked, as in the repository seen
    git_repo.commit("DVC data, data/ ignored")
    assert main(["init", str(git_repo.path)]) == 0
    captured = capsys.readouterr()
    assert "wrote docs/ml/data/raw.yaml" in captured.out
    assert captured.err == (
        "mlwf-lint: warning: docs/ml/data/ is ignored by Git (.gitignore:1: data/): what "
        "was written there will be neither committed nor checked; add `!docs/ml/data/` to "
        ".gitignore, or point the kind's glob elsewhere in .mlwf-lint.yaml\n"
    )
    git_repo.write(".gitignore", "data/\n!docs/ml/data/\n")
    _status, report = lint_json(capsys, str(git_repo.path))
    assert {f["code"] for f in report["findings"]} == {"MLW203"}
