"""The result cache: same findings warm and cold, no heavy imports when warm, never
trusted blindly (content-keyed; a corrupt cache is ignored)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import documented_demo, lint_json
from mlwf_lint.facts.cache import CACHE_FILE


def _imports(repo: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mlwf_lint", "-q", "--no-history"],
        cwd=repo, capture_output=True, text=True,
    )  # fmt: skip
    return done.stderr


def test_warm_run_skips_the_parser_and_the_validator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = documented_demo(tmp_path / "demo")
    cold = _imports(demo.path)
    assert " jsonschema\n" in cold and "ruamel.yaml" in cold
    cache = demo.path / ".git" / "mlwf-lint" / CACHE_FILE
    assert cache.is_file()
    warm = _imports(demo.path)
    assert " jsonschema\n" not in warm and "ruamel.yaml" not in warm
    # nor OpenSSL (content keys are BLAKE2) nor shutil (help is sized without it)
    assert " hashlib\n" not in warm and " shutil\n" not in warm
    # a changed document is parsed and validated again
    lineage = demo.path / "docs/ml/data/labels.yaml"
    lineage.write_text(lineage.read_text().replace("contains_pii: false", "contains_pii: maybe"))
    assert " jsonschema\n" in _imports(demo.path)
    status, report = lint_json(capsys, str(demo.path))
    assert [f["code"] for f in report["findings"]] == ["MLW202"] and status == 1


def test_same_findings_with_and_without_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlwf_lint.cli import main

    assert main(["demo", str(tmp_path / "demo")]) == 0
    without = lint_json(capsys, str(tmp_path / "demo"), "--no-cache")[1]
    cold = lint_json(capsys, str(tmp_path / "demo"))[1]
    warm = lint_json(capsys, str(tmp_path / "demo"))[1]
    assert without == cold == warm and without["findings"]


def test_a_corrupt_cache_is_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = documented_demo(tmp_path / "demo")
    lint_json(capsys, str(demo.path))
    cache = demo.path / ".git" / "mlwf-lint" / CACHE_FILE
    cache.write_text('{"truncated": ')
    status, report = lint_json(capsys, str(demo.path))
    assert (status, report["findings"]) == (0, [])
    assert cache.read_text().startswith("{")


def test_remembered_last_changes_follow_new_commits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last-change facts kept with HEAD stay true: same HEAD, a new commit on top,
    and a rewritten history all give the findings a cold run gives."""
    import os
    import subprocess

    from conftest import IDENTITY

    demo = documented_demo(tmp_path / "demo")
    assert lint_json(capsys, str(demo.path))[1]["findings"] == []  # fills the cache
    train = demo.path / "src/train.py"
    train.write_text(train.read_text() + "# tuned\n")
    subprocess.run(
        ["git", "commit", "-qam", "Tune"], cwd=demo.path, check=True,
        env={**os.environ, **IDENTITY, "GIT_COMMITTER_DATE": "2030-01-01T00:00:00"},
    )  # fmt: skip
    warm = lint_json(capsys, str(demo.path), "--select", "MLW402")[1]
    cold = lint_json(capsys, str(demo.path), "--select", "MLW402", "--no-cache")[1]
    assert [f["code"] for f in warm["findings"]] == ["MLW402"] and warm == cold
    demo.git("reset", "-q", "--hard", "HEAD~1")  # history rewritten under the cache
    assert lint_json(capsys, str(demo.path), "--select", "MLW402")[1]["findings"] == []


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def _team_schema(root: Path) -> None:
    import json

    (root / "schemas/sub").mkdir(parents=True)
    (root / "schemas/lineage.json").write_text(
        json.dumps(
            {
                "allOf": [{"$ref": "https://mlwf-lint.dev/schemas/data-lineage.schema.json"}],
                "properties": {"source": {"$ref": "sub/source.json"}},
            }
        )
    )
    (root / "schemas/sub/source.json").write_text(json.dumps({"required": ["origin"]}))
    (root / ".mlwf-lint.yaml").write_text(
        "documents:\n  data-lineage: {schema: schemas/lineage.json}\n"
    )


EDITS = {
    "document": lambda root: _edit(
        root / "docs/ml/data/labels.yaml", "contains_pii: false", "contains_pii: maybe"
    ),
    ".dvc file": lambda root: _edit(root / "data/raw/labels.csv.dvc", "md5: e", "md5: f"),
    "dvc.lock": lambda root: _edit(root / "dvc.lock", "md5: 2", "md5: 3"),
    "dvc.yaml": lambda root: _edit(
        root / "dvc.yaml", "stages:\n", "stages:\n  extra:\n    cmd: x\n"
    ),
    "configuration": lambda root: (root / ".mlwf-lint.yaml").write_text(
        "documents:\n  model-card: {sections: [Intended use, Training data]}\n"
    ),
    "team schema, reached through a subfolder": lambda root: _edit(
        root / "schemas/sub/source.json", '["origin"]', '["origin", "sha"]'
    ),
    "a new commit": lambda root: (
        (root / "src/train.py").write_text("# retuned\n"),
        subprocess.run(["git", "commit", "-qam", "retune"], cwd=root, check=True),
    ),
}


@pytest.mark.parametrize("what", list(EDITS))
def test_warm_equals_cold_after_any_input_changes(
    what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every input the cache depends on, edited between two warm runs: the warm run
    must find exactly what a run without the cache finds."""
    demo = documented_demo(tmp_path / "demo")
    if what.startswith("team schema"):
        _team_schema(demo.path)
    lint_json(capsys, str(demo.path))  # fill the cache
    lint_json(capsys, str(demo.path))
    EDITS[what](demo.path)
    warm = lint_json(capsys, str(demo.path))[1]
    cold = lint_json(capsys, str(demo.path), "--no-cache")[1]
    assert warm == cold
    assert warm["findings"], "the edit must change the verdict, or it proves nothing"


def test_the_cache_file_is_per_tool_version() -> None:
    from mlwf_lint import __version__

    assert __version__ in CACHE_FILE


def test_temporary_files_are_made_as_mkstemp_makes_them(tmp_path: Path) -> None:
    """Beside the target (a rename stays on one file system), private (0600), a new
    name each time, open for writing."""
    import os
    import stat

    from mlwf_lint.facts.files import temporary_beside

    target = tmp_path / "cache.json"
    made = [temporary_beside(target) for _ in range(50)]
    names = {name for _handle, name in made}
    assert len(names) == 50
    for handle, name in made:
        assert os.write(handle, b"x") == 1
        os.close(handle)
        assert Path(name).parent == tmp_path and Path(name).name.startswith(".cache.json.")
        assert stat.S_IMODE(os.stat(name).st_mode) == 0o600


def test_the_cache_lives_in_the_git_folder_worktrees_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run from a subfolder, and from a linked worktree: one cache, in the main Git
    folder (where `git rev-parse --git-common-dir` points), none in the trees."""
    demo = documented_demo(tmp_path / "demo")
    cache = demo.path / ".git" / "mlwf-lint" / CACHE_FILE
    lint_json(capsys, str(demo.path / "docs" / "ml"))
    assert cache.is_file()
    cache.unlink()
    linked = tmp_path / "linked"
    demo.git("worktree", "add", "-q", str(linked), "-b", "linked")
    lint_json(capsys, str(linked / "docs"))
    assert cache.is_file()
    assert not list(linked.rglob("cache-*.json")) and not (linked / "mlwf-lint").exists()
