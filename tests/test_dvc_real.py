"""The real `dvc` program builds the repositories; mlwf-lint must read the same facts
DVC does and report exactly the missing documents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import (
    GitRepo,
    decision_record,
    lineage_record,
    lint_json,
    model_card,
    run_dvc,
)
from mlwf_lint.config import DEFAULT_MODEL_PATTERNS
from mlwf_lint.facts.sources import git
from mlwf_lint.facts.sources.dvc import read_dvc

pytestmark = pytest.mark.usefixtures("dvc_available")

PIPELINE = """\
stages:
  prepare:
    cmd: python src/prepare.py
    deps:
    - data/data.xml
    - src/prepare.py
    outs:
    - data/prepared
  featurize:
    cmd: python src/featurize.py
    deps:
    - data/prepared
    - src/featurize.py
    outs:
    - data/features
  train:
    cmd: python src/train.py
    deps:
    - data/features
    - src/train.py
    outs:
    - out/classifier.bin
artifacts:
  text-classifier:
    path: out/classifier.bin
    type: model
    desc: posts classifier
"""

STAGE_CODE = {
    "src/prepare.py": "import os\nos.makedirs('data/prepared', exist_ok=True)\n"
    "for s in ('train', 'test'):\n"
    "    open(f'data/prepared/{s}.tsv', 'w').write(s + open('data/data.xml').read())\n",
    "src/featurize.py": "import os\nos.makedirs('data/features', exist_ok=True)\n"
    "for s in ('train', 'test'):\n"
    "    open(f'data/features/{s}.txt', 'w').write(open(f'data/prepared/{s}.tsv').read()[::-1])\n",
    "src/train.py": "import os\nos.makedirs('out', exist_ok=True)\n"
    "open('out/classifier.bin', 'w').write(open('data/features/train.txt').read() * 2)\n",
}


def _registry(tmp_path: Path) -> Path:
    """A local data registry (a Git + DVC repository) to `dvc import` from, offline."""
    registry = GitRepo(tmp_path / "registry")
    run_dvc(registry.path, "init", "-q")
    registry.write("data/data.xml", "<posts><row Id='1'/><row Id='2'/></posts>\n")
    run_dvc(registry.path, "add", "-q", "data/data.xml")
    registry.commit("registry: data.xml")
    return registry.path


@pytest.fixture
def dvc_project(tmp_path: Path) -> GitRepo:
    project = GitRepo(tmp_path / "project")
    run_dvc(project.path, "init", "-q")
    (project.path / "data").mkdir()
    run_dvc(project.path, "import", "-q", str(_registry(tmp_path)), "data/data.xml",
            "-o", "data/data.xml")  # fmt: skip
    for rel, code in STAGE_CODE.items():
        project.write(rel, code)
    project.write("dvc.yaml", PIPELINE)
    run_dvc(project.path, "repro", "-q")
    project.commit("pipeline")
    return project


def test_real_project_needs_model_card_and_lineage_only(
    dvc_project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    imported = (dvc_project.path / "data/data.xml.dvc").read_text()
    assert "repo:" in imported and "rev_lock:" in imported  # a real `dvc import`

    status, report = lint_json(capsys, str(dvc_project.path))

    assert status == 1
    # design §5 keys, and what `merge` needs (design §11)
    assert sorted(report) == [
        "coverage", "findings", "graph", "report_version", "repository", "summary", "tool",
    ]  # fmt: skip
    assert report["tool"] == {"name": "mlwf-lint", "version": "0.1.0"}
    found = [(f["code"], f["path"]) for f in report["findings"]]
    assert found == [("MLW103", "data/data.xml.dvc"), ("MLW102", "dvc.yaml")]
    model, dataset = report["findings"][1], report["findings"][0]
    assert "out/classifier.bin" in model["message"]
    assert model["line"] == 24 and model["column"] == 3  # the artifacts: entry
    assert "imported from" in dataset["message"]
    for finding in report["findings"]:
        assert sorted(finding) == sorted(
            ["code", "severity", "message", "path", "line", "column", "pointer", "hint", "fix"]
        )
        assert finding["severity"] == "error" and finding["fix"] is None
    assert report["summary"] == {
        "errors": 2, "warnings": 0, "notices": 0,
        # dvc.yaml, dvc.lock and the .dvc file
        "files_checked": 3,
    }  # fmt: skip


def test_documented_real_project_is_clean(
    dvc_project: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = dvc_project.path
    facts = read_dvc(root, git.list_files(root), DEFAULT_MODEL_PATTERNS, 1 << 20)
    md5 = {o.path: o.md5 for o in facts.outputs}
    dvc_project.write(
        "docs/ml/models/text-classifier.md",
        model_card(
            "text-classifier",
            artifact=f"  path: out/classifier.bin\n  md5: {md5['out/classifier.bin']}\n",
        ),
    )
    dvc_project.write("docs/ml/decisions/0001-use-dvc.md", decision_record(1))
    dvc_project.write(
        "docs/ml/data/posts.yaml", lineage_record("posts", "data/data.xml", md5["data/data.xml"])
    )
    dvc_project.commit("docs")
    status, report = lint_json(capsys, str(dvc_project.path))
    assert report["findings"] == []
    assert status == 0


def _facts_according_to_dvc(root: Path) -> set[tuple[str, str | None, str]]:
    script = """
import json, os, sys
from dvc.repo import Repo
root = sys.argv[1]
with Repo(root) as repo:
    outs = [
        (os.path.relpath(o.fs_path, root).replace(os.sep, "/"), o.hash_info.value,
         o.stage.addressing)
        for o in repo.index.outs
    ]
print(json.dumps(outs))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(root)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    return {tuple(row) for row in json.loads(done.stdout)}  # type: ignore[misc]


def test_reads_the_same_outputs_as_dvc(dvc_project: GitRepo) -> None:
    images = dvc_project.path / "data/images"
    images.mkdir()
    (images / "a.png").write_bytes(b"\x89PNG a")
    (images / "b.png").write_bytes(b"\x89PNG b")
    run_dvc(dvc_project.path, "add", "-q", "data/images")
    dvc_project.commit("images")

    root = dvc_project.path
    facts = read_dvc(root, git.list_files(root), DEFAULT_MODEL_PATTERNS, 1 << 20)
    ours = {(o.path, o.md5, o.stage or o.declared_in) for o in facts.outputs}

    assert ours == _facts_according_to_dvc(root)
    assert facts.problems == ()
    images_out = facts.output_for("data/images/a.png")
    assert images_out is not None and images_out.is_dir and images_out.hash_name == "md5"
    assert [m.name for m in facts.models] == ["text-classifier"]
    assert [d.path for d in facts.source_datasets] == ["data/data.xml", "data/images"]
    assert {s.name for s in facts.stages} == {"prepare", "featurize", "train"}
    assert all(s.locked for s in facts.stages)
