"""MLW3xx and fixes on repositories the real `dvc` program built."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import (
    GitRepo,
    codes,
    decision_record,
    lineage_record,
    lint_json,
    model_card,
    run_dvc,
)
from mlwf_lint.cli import main
from mlwf_lint.facts.sources import dvc_lib

pytestmark = pytest.mark.usefixtures("dvc_available")

PIPELINE = """\
stages:
  prepare:
    cmd: python src/prepare.py
    deps: [data/raw.csv, src/prepare.py]
    outs: [data/prepared]
  train:
    cmd: python src/train.py
    deps: [data/prepared, data/images, src/train.py]
    outs: [models/model.pkl]
  evaluate:
    foreach: [test, holdout]
    do:
      cmd: python src/evaluate.py ${item}
      deps:
      - models/model.pkl
      outs:
      - metrics/${item}.txt
"""

CODE = {
    "src/prepare.py": "import os\nos.makedirs('data/prepared', exist_ok=True)\n"
    "open('data/prepared/rows.txt', 'w').write(open('data/raw.csv').read().upper())\n",
    "src/train.py": "import os\nos.makedirs('models', exist_ok=True)\nEPOCHS = 1\n"
    "open('models/model.pkl', 'w').write(open('data/prepared/rows.txt').read() * EPOCHS)\n",
    "src/evaluate.py": "import os, sys\nos.makedirs('metrics', exist_ok=True)\n"
    "open(f'metrics/{sys.argv[1]}.txt', 'w').write(str(len(open('models/model.pkl').read())))\n",
}


def _md5s(root: Path) -> dict[str, str]:
    """The hashes as the dvc library itself reads them (not mlwf-lint's reader, which is
    what these tests check)."""
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        return {
            Path(out.fs_path).relative_to(root).as_posix(): out.hash_info.value
            for stage in repo.index.stages
            for out in stage.outs
            if out.hash_info and out.hash_info.value
        }


def _card(md5: dict[str, str]) -> str:
    return model_card(
        "classifier",
        artifact=(
            "  path: models/model.pkl\n"
            "  # reviewed by the ML team; update only after a re-review\n"
            f"  md5: '{md5['models/model.pkl']}'   # v1\n"
        ),
    ).replace(
        "training_data: []",
        f"training_data:\n  - dataset: raw\n    md5: {md5['data/raw.csv']}",
    )


@pytest.fixture(scope="module")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per module (the dvc calls are slow); each test gets a copy."""
    repo = GitRepo(tmp_path_factory.mktemp("built") / "project")
    run_dvc(repo.path, "init", "-q")
    repo.write("data/raw.csv", "id,text\n1,hello\n2,world\n")
    (repo.path / "data/images").mkdir()
    (repo.path / "data/images/a.png").write_bytes(b"\x89PNG a")
    run_dvc(repo.path, "add", "-q", "data/raw.csv")
    run_dvc(repo.path, "add", "-q", "data/images")
    for rel, text in CODE.items():
        repo.write(rel, text)
    repo.write("dvc.yaml", PIPELINE)
    run_dvc(repo.path, "repro", "-q")
    md5 = _md5s(repo.path)
    repo.write("docs/ml/models/classifier.md", _card(md5))
    repo.write("docs/ml/data/raw.yaml", lineage_record("raw", "data/raw.csv", md5["data/raw.csv"]))
    repo.write(
        "docs/ml/data/images.yaml",
        lineage_record("images", "data/images", md5["data/images"]),
    )
    repo.write("docs/ml/decisions/0001-use-dvc.md", decision_record(1))
    repo.commit("documented pipeline")
    return repo.path


@pytest.fixture
def project(built_project: Path, tmp_path: Path) -> GitRepo:
    copy = tmp_path / "project"
    shutil.copytree(built_project, copy, symlinks=True)
    return GitRepo(copy, init=False)


def test_a_repro_written_project_is_clean(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = lint_json(capsys, str(project.path))
    assert report["findings"] == []
    assert status == 0


def test_retrain_makes_the_card_stale_and_unsafe_fix_rewrites_only_the_md5(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    card_path = project.path / "docs/ml/models/classifier.md"
    old_model = _md5s(project.path)["models/model.pkl"]
    project.write("src/train.py", CODE["src/train.py"].replace("EPOCHS = 1", "EPOCHS = 2"))
    run_dvc(project.path, "repro", "-q")
    new_model = _md5s(project.path)["models/model.pkl"]
    assert new_model != old_model
    before = card_path.read_bytes()

    status, report = lint_json(capsys, str(project.path))
    assert status == 1
    (stale,) = report["findings"]
    md5_line = before.decode().splitlines().index(f"  md5: '{old_model}'   # v1") + 1
    assert (stale["code"], stale["path"], stale["line"], stale["column"]) == (
        "MLW301",
        "docs/ml/models/classifier.md",
        md5_line,
        8,
    )
    assert stale["pointer"] == "/artifact/md5" and stale["fix"] == "unsafe"
    assert f"differs from dvc.lock ({new_model[:8]}…)" in stale["message"]

    assert main([str(project.path), "--fix", "-q"]) == 1  # safe fixes only: untouched
    assert card_path.read_bytes() == before

    assert main([str(project.path), "--fix", "--unsafe-fixes", "-q"]) == 0
    assert card_path.read_bytes() == before.replace(old_model.encode(), new_model.encode())
    assert b"# reviewed by the ML team" in card_path.read_bytes()
    assert not list(card_path.parent.glob("*.tmp"))


def test_diff_prints_the_fix_and_writes_nothing(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("data/raw.csv", "id,text\n1,hello\n2,world\n3,again\n")
    run_dvc(project.path, "add", "-q", "data/raw.csv")
    lineage = project.path / "docs/ml/data/raw.yaml"
    before = lineage.read_bytes()
    capsys.readouterr()
    assert main([str(project.path), "--diff", "--unsafe-fixes"]) == 1
    diff = capsys.readouterr().out
    assert diff.startswith("--- a/docs/ml/data/raw.yaml\n+++ b/docs/ml/data/raw.yaml\n")
    assert "--- a/docs/ml/models/classifier.md" in diff  # training_data[0].md5 too
    assert lineage.read_bytes() == before


def test_read_only_document_is_one_error_and_other_fixes_apply(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("data/raw.csv", "id,text\n9,changed\n")
    run_dvc(project.path, "add", "-q", "data/raw.csv")
    lineage = project.path / "docs/ml/data/raw.yaml"
    lineage.chmod(0o444)
    before = lineage.read_bytes()
    capsys.readouterr()
    assert main([str(project.path), "--fix", "--unsafe-fixes", "-q"]) == 2
    err = capsys.readouterr().err
    assert f"mlwf-lint: error: {lineage} is read-only; not fixed\n" in err
    assert lineage.read_bytes() == before
    card = (project.path / "docs/ml/models/classifier.md").read_text()
    assert _md5s(project.path)["data/raw.csv"] in card  # the card's training_data was fixed


def test_edited_lock_is_inconsistent(project: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    lock = project.path / "dvc.lock"
    prepared = _md5s(project.path)["data/prepared"]
    text = lock.read_text()
    train_part = text.index("  train:")
    lock.write_text(text[:train_part] + text[train_part:].replace(prepared, "0" * 32 + ".dir", 1))
    _status, report = lint_json(capsys, str(project.path))
    (finding,) = [f for f in report["findings"] if f["code"] == "MLW303"]
    assert finding["path"] == "dvc.lock"
    assert "stage 'train' ran on data/prepared 00000000…, but stage 'prepare'" in finding["message"]


def test_new_data_without_repro_is_inconsistent(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("data/raw.csv", "id,text\n1,new\n")
    run_dvc(project.path, "add", "-q", "data/raw.csv")
    _status, report = lint_json(capsys, str(project.path), "--select", "MLW303")
    assert [f["message"].split(" ran on ")[0] for f in report["findings"]] == ["stage 'prepare'"]


def _documented_legacy_file(project: GitRepo) -> str:
    """data/old.csv tracked by DVC 2 (no `hash:`), its lineage record holding that
    md5, committed; the .dvc file's text."""
    legacy = "outs:\n- md5: 5d41402abc4b2a76b9719d911017c592\n  path: old.csv\n"
    project.write("data/old.csv.dvc", legacy)
    project.write(
        "docs/ml/data/old.yaml",
        lineage_record("old", "data/old.csv", "5d41402abc4b2a76b9719d911017c592"),
    )
    project.commit("Track old.csv with DVC 2")
    return legacy


def test_legacy_hash_is_compared_like_any_other(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Most public DVC repositories are DVC 2: a document that recorded the legacy
    hash of a `.dvc` file that later changed is stale, an error."""
    legacy = _documented_legacy_file(project)
    assert codes(lint_json(capsys, str(project.path), "--select", "MLW301")[1]) == []
    project.write("data/old.csv.dvc", legacy.replace("5d41402a", "7d793037"))
    project.commit("New data, still DVC 2")
    status, report = lint_json(capsys, str(project.path), "--select", "MLW301")
    assert [(f["code"], f["severity"], f["path"], f["line"]) for f in report["findings"]] == [
        ("MLW301", "error", "docs/ml/data/old.yaml", 6)
    ]
    assert report["findings"][0]["message"] == (
        "recorded md5 5d41402a… differs from data/old.csv.dvc (7d793037…) for data/old.csv"
    )
    assert (report["findings"][0]["hint"], report["findings"][0]["fix"]) == (
        "re-review the document, then update dataset.md5 (`mlwf-lint --fix --unsafe-fixes`)",
        "unsafe",
    )
    assert status == 1


def test_legacy_hash_of_a_migrated_project_is_not_comparable(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only where DVC 2 recorded the document's value and DVC 3 now records another
    hash (a migrated project, maybe the same data) is it a notice."""
    _documented_legacy_file(project)
    project.write(
        "data/old.csv.dvc",
        "outs:\n- md5: 7d793037a0760186574b0282f2f435e7\n  size: 5\n  hash: md5\n  path: old.csv\n",
    )
    migration = project.commit("dvc cache migrate")
    status, report = lint_json(capsys, str(project.path), "--select", "MLW301")
    assert [(f["severity"], f["line"]) for f in report["findings"]] == [("notice", 6)]
    assert report["findings"][0]["message"] == (
        "recorded md5 5d41402a… is the legacy md5-dos2unix hash data/old.csv.dvc recorded "
        f"for data/old.csv until {migration[:7]} recorded the DVC 3 md5 7d793037…; the two "
        "cannot be compared"
    )
    assert report["findings"][0]["hint"] == (
        "the project moved to DVC 3: check the data is the one described, then write the "
        "DVC 3 md5 into dataset.md5 (`mlwf-lint --fix --unsafe-fixes`)"
    )
    assert status == 0
    # the unsafe fix writes the DVC 3 md5 into the record, in place
    assert main([str(project.path), "--fix", "--unsafe-fixes", "-q"]) == 0
    record = (project.path / "docs/ml/data/old.yaml").read_text()
    assert "  md5: 7d793037a0760186574b0282f2f435e7\n" in record
    project.write(
        "docs/ml/data/old.yaml",
        record.replace("7d793037a0760186574b0282f2f435e7", "5d41402abc4b2a76b9719d911017c592"),
    )
    # once DVC 3 has recorded a hash of its own, the data changed since: stale
    project.write(
        "data/old.csv.dvc",
        "outs:\n- md5: 0cc175b9c0f1b6a831c399e269772661\n  size: 5\n  hash: md5\n  path: old.csv\n",
    )
    project.commit("New data, DVC 3")
    _status, report = lint_json(capsys, str(project.path), "--select", "MLW301")
    assert [f["severity"] for f in report["findings"]] == ["error"]
    # a value DVC never recorded for the path is stale, whatever the format
    doc = project.path / "docs/ml/data/old.yaml"
    doc.write_text(doc.read_text().replace("5d41402abc4b2a76b9719d911017c592", "a" * 32))
    _status, report = lint_json(capsys, str(project.path), "--select", "MLW301")
    assert [f["severity"] for f in report["findings"]] == ["error"]


def test_unlocked_stage_and_foreach_instance(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("dvc.yaml", PIPELINE.replace("[test, holdout]", "[test, holdout, canary]"))
    _status, report = lint_json(capsys, str(project.path), "--select", "MLW302")
    assert [f["message"].split(" is not")[0] for f in report["findings"]] == [
        "stage 'evaluate@canary'"
    ]


def test_templated_loop_is_expanded_by_the_dvc_library(
    project: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write("params.yaml", "splits: [test, holdout, canary]\n")
    project.write("dvc.yaml", PIPELINE.replace("foreach: [test, holdout]", "foreach: ${splits}"))
    _status, report = lint_json(capsys, str(project.path), "--select", "MLW302")
    assert [(f["severity"], f["message"].split(" is not")[0]) for f in report["findings"]] == [
        ("error", "stage 'evaluate@canary'")
    ]
    monkeypatch.setattr(dvc_lib, "available", lambda: False)  # as without the dvc extra
    _status, report = lint_json(capsys, str(project.path), "--select", "MLW302")
    assert [f["severity"] for f in report["findings"]] == ["notice"]
    assert "install the dvc extra" in report["findings"][0]["hint"]


def test_check_data_compares_the_workspace_without_writing_outside(
    project: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DVC_SITE_CACHE_DIR")
    home = Path(os.environ["HOME"])
    before = sorted(p.relative_to(home) for p in home.rglob("*"))
    assert codes(lint_json(capsys, str(project.path), "--check-data")[1]) == []
    project.write("data/raw.csv", "id,text\n1,edited by hand\n")
    _status, report = lint_json(capsys, str(project.path), "--check-data", "--select", "MLW304")
    assert [(f["path"], f["message"]) for f in report["findings"]] == [
        (
            "data/raw.csv.dvc",
            "data/raw.csv in the working tree differs from the hash DVC records in "
            "data/raw.csv.dvc",
        )
    ]
    assert sorted(p.relative_to(home) for p in home.rglob("*")) == before
    assert (project.path / ".dvc/tmp").is_dir()


def test_check_data_without_the_extra_is_exit_2(
    project: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dvc_lib, "available", lambda: False)
    assert main([str(project.path), "--check-data"]) == 2
    assert capsys.readouterr().err == (
        "mlwf-lint: error: --check-data needs the dvc library: pip install 'mlwf-lint[dvc]'\n"
    )


def test_legacy_value_kept_by_the_migration_then_changed_is_stale(
    project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """As in iterative/dataset-registry: binary data hashes the same under DVC 2 and 3,
    so the migration only added `hash: md5`; a later change is plainly stale."""
    legacy = _documented_legacy_file(project)
    project.write("data/old.csv.dvc", legacy.replace("  path:", "  hash: md5\n  path:"))
    project.commit("dvc cache migrate: same md5")
    assert lint_json(capsys, str(project.path), "--select", "MLW301")[1]["findings"] == []
    project.write(
        "data/old.csv.dvc",
        legacy.replace("5d41402a", "0cc175b9").replace("  path:", "  hash: md5\n  path:"),
    )
    project.commit("New data")
    _status, report = lint_json(capsys, str(project.path), "--select", "MLW301")
    assert [f["severity"] for f in report["findings"]] == ["error"]
