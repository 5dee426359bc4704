"""MLW4xx and diff mode on real repositories with real history, tags and GTO tags."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import IDENTITY, GitRepo, codes, documented_demo, lint_json
from mlwf_lint.cli import main

CURRENT = "2684aa17e6edd16227730afb7c8cb3d8"  # the demo's model at text-classifier@v1.1.0
FALLBACK = "4e4c90f0dfd1bab0962717f555a5c8ea"  # ... and at text-classifier@v1.0.0
PLAN = "docs/ml/rollback/text-classifier.yaml"
CARD = "docs/ml/models/text-classifier.md"


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> GitRepo:
    repo = documented_demo(tmp_path / "demo")
    capsys.readouterr()
    return repo


def _found(
    capsys: pytest.CaptureFixture[str], repo: Path, *args: str
) -> list[tuple[str, str | None, int | None, str]]:
    _status, report = lint_json(capsys, str(repo), *args)
    return [(f["code"], f["path"], f["line"], f["severity"]) for f in report["findings"]]


def test_documented_repository_with_gto_tags_is_clean(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = lint_json(capsys, str(demo.path), "--fail-on", "warning")
    assert (status, report["findings"]) == (0, [])


def test_fallback_md5_of_another_version_is_mlw403(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = demo.path / PLAN
    text = plan.read_text()
    # the fallback claims the v1.1.0 model while naming the v1.0.0 tag
    plan.write_text(text.replace(f"  md5: {FALLBACK}", f"  md5: {CURRENT}"))
    _status, report = lint_json(capsys, str(demo.path), "--select", "MLW403")
    messages = {(f["severity"], f["line"]): f["message"] for f in report["findings"]}
    assert messages[("error", 11)] == (
        f"fallback.md5 {CURRENT[:8]}… is not the model at text-classifier@v1.0.0: "
        f"dvc.lock records {FALLBACK[:8]}… there"
    )
    assert ("warning", 9) in messages  # fallback md5 = current md5: a rollback to itself
    hints = {f["line"]: f["hint"] for f in report["findings"]}
    assert hints[11] == "set fallback.md5 to what text-classifier@v1.0.0 holds, or fix the ref"


def test_current_must_hold_its_md5_too(demo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    plan = demo.path / PLAN
    plan.write_text(
        plan.read_text().replace(
            "git_ref: text-classifier@v1.1.0", "git_ref: text-classifier@v1.0.0"
        )
    )
    found = _found(capsys, demo.path, "--select", "MLW403")
    assert ("MLW403", PLAN, 7, "error") in found  # current.md5, not held by v1.0.0


def test_missing_tag_and_sha_are_mlw401(demo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    plan = demo.path / PLAN
    text = plan.read_text().replace(
        "git_ref: text-classifier@v1.0.0", "git_ref: text-classifier@v0.9.0"
    )
    plan.write_text(text)
    adr = demo.path / "docs/ml/decisions/0001-track-data-with-dvc.md"
    head = demo.git("rev-parse", "--short", "HEAD").strip()
    adr.write_text(adr.read_text().replace("deciders:", f"commits: [{head}, deadbee]\ndeciders:"))
    found = _found(capsys, demo.path, "--select", "MLW401")
    assert found == [
        ("MLW401", "docs/ml/decisions/0001-track-data-with-dvc.md", 6, "error"),
        ("MLW401", PLAN, 10, "error"),
    ]


def _fallback_tagged_on_a_branch(demo: GitRepo) -> None:
    """The plan's fallback names `text-classifier@v9.0.0`, a tag on branch `experiment`
    (not merged), which holds the current model."""
    demo.git("checkout", "-q", "-b", "experiment")
    demo.write("notes.txt", "an experiment\n")
    demo.commit("experiment")
    demo.git("tag", "text-classifier@v9.0.0")
    demo.git("checkout", "-q", "main")
    plan = demo.path / PLAN
    plan.write_text(
        plan.read_text().replace(
            "git_ref: text-classifier@v1.0.0", "git_ref: text-classifier@v9.0.0"
        )
    )


def test_fallback_from_another_branch_is_not_an_ancestor(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _fallback_tagged_on_a_branch(demo)
    _status, report = lint_json(capsys, str(demo.path), "--select", "MLW403")
    assert [(f["path"], f["line"], f["column"], f["severity"]) for f in report["findings"]] == [
        (PLAN, 10, 12, "error"),  # fallback.git_ref: not in this branch's history
        (PLAN, 11, 8, "error"),  # fallback.md5: v9.0.0 holds the current model, not it
    ]
    assert report["findings"][0]["message"] == (
        "fallback.git_ref 'text-classifier@v9.0.0' is not an ancestor of HEAD: this branch "
        "never held that version"
    )


def test_remembered_ancestry_follows_head(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # the ancestry answers are remembered (warm runs ask git nothing); a "no" is never
    # carried to another HEAD: merging the branch makes the fallback an ancestor
    _fallback_tagged_on_a_branch(demo)
    assert len(_found(capsys, demo.path, "--select", "MLW403")) == 2  # cold: writes the cache
    assert len(_found(capsys, demo.path, "--select", "MLW403")) == 2  # the same, warm
    demo.git("merge", "-q", "--no-edit", "--no-ff", "experiment")
    found = _found(capsys, demo.path, "--select", "MLW403")
    assert found == [("MLW403", PLAN, 11, "error")]  # an ancestor now; md5 still wrong
    demo.git("reset", "-q", "--keep", "HEAD~1")  # back: not an ancestor again
    assert len(_found(capsys, demo.path, "--select", "MLW403")) == 2


def test_code_change_after_the_card_is_mlw402(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.write("src/train.py", (demo.path / "src/train.py").read_text() + "# tuned\n")
    subprocess.run(
        ["git", "commit", "-qam", "Tune the classifier"],
        cwd=demo.path,
        check=True,
        env={**os.environ, **IDENTITY, "GIT_COMMITTER_DATE": "2030-01-01T00:00:00"},
    )
    _status, report = lint_json(capsys, str(demo.path), "--select", "MLW402")
    (finding,) = report["findings"]
    assert finding["path"] == CARD and finding["severity"] == "warning"
    assert re.search(
        r"but [0-9a-f]{7} \(2030-01-01, 'Tune the classifier'\) changed src/train.py",
        finding["message"],
    )
    (demo.path / ".mlwf-lint.yaml").write_text("staleness: {days: 100000}\n")
    assert codes(lint_json(capsys, str(demo.path), "--select", "MLW402")[1]) == []


def test_code_changed_by_a_merge_itself_is_named_as_the_cause(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """An "evil" merge — the training script edited while merging a branch that never
    touched it — leaves the card behind like any commit; the merge is named. What a
    merge only brings from its branch stays that branch's commit's."""
    demo.git("checkout", "-q", "-b", "notes")
    demo.write("NOTES.md", "a branch that never touches the code\n")
    demo.commit("Notes")
    demo.git("checkout", "-q", "main")
    demo.git("merge", "-q", "--no-ff", "--no-commit", "notes")
    demo.write("src/train.py", (demo.path / "src/train.py").read_text() + "# tuned in a merge\n")
    merge = demo.commit("Merge notes, tuning the classifier")
    (finding,) = lint_json(capsys, str(demo.path), "--select", "MLW402")[1]["findings"]
    assert finding["path"] == CARD
    assert (
        f"but {merge[:7]} (" in finding["message"] and "changed src/train.py" in finding["message"]
    )
    demo.git("checkout", "-q", "-b", "tune", "HEAD~1")
    demo.write("src/train.py", (demo.path / "src/train.py").read_text() + "# tuned on a branch\n")
    tuned = demo.commit("Tune on a branch")
    demo.git("checkout", "-q", "main")
    demo.git("reset", "-q", "--hard", "HEAD~1")
    demo.git("merge", "-q", "--no-ff", "-m", "Merge the tuning", "tune")
    (finding,) = lint_json(capsys, str(demo.path), "--select", "MLW402")[1]["findings"]
    assert f"but {tuned[:7]} (" in finding["message"]


def test_shallow_clone_gives_one_notice_and_no_history_findings(
    demo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{demo.path}", str(clone)],
        check=True,
        capture_output=True,
    )
    tags = subprocess.run(["git", "tag"], cwd=clone, capture_output=True, text=True).stdout
    assert "text-classifier@v1.0.0" not in tags  # the fallback's tag did not come along
    status, report = lint_json(capsys, str(clone))
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("MLW001", "notice")]
    assert "fetch-depth: 0" in report["findings"][0]["hint"]
    assert status == 0


def _retrain(repo: GitRepo, iterations: int) -> str:
    """What `dvc repro` of the train stage leaves: new code, model and dvc.lock."""
    train = repo.path / "src/train.py"
    train.write_text(re.sub(r"max_iter=\d+", f"max_iter={iterations}", train.read_text()))
    model = repo.path / "models/model.pkl"
    model.write_text(f"a pickled LogisticRegression(max_iter={iterations})\n")
    md5 = {
        p: hashlib.md5((repo.path / p).read_bytes()).hexdigest()
        for p in ("models/model.pkl", "src/train.py")
    }
    lock = repo.path / "dvc.lock"
    text = lock.read_text()
    for path, value in md5.items():
        text = re.sub(
            rf"(- path: {re.escape(path)}\n      hash: md5\n      md5: )\w+", rf"\g<1>{value}", text
        )
    lock.write_text(text)
    return md5["models/model.pkl"]


def test_base_retrain_without_card_is_mlw404(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.git("checkout", "-q", "-b", "retrain")
    new = _retrain(demo, 800)
    demo.commit("Retrain with 800 iterations")
    status, report = lint_json(capsys, str(demo.path), "--base", "main")
    assert status == 1
    assert [(f["code"], f["path"]) for f in report["findings"]] == [
        ("MLW301", CARD),  # artifact.md5
        ("MLW301", PLAN),  # current.md5
        ("MLW404", "dvc.lock"),
    ]
    assert f"({CURRENT[:8]}… → {new[:8]}…)" in report["findings"][2]["message"]


def test_base_readme_only_branch_is_clean(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.git("checkout", "-q", "-b", "docs")
    demo.write("README.md", "# Text classifier\n\nNow with a longer README.\n")
    demo.commit("Explain more")
    status, report = lint_json(capsys, str(demo.path), "--base", "main")
    assert (status, report["findings"]) == (0, [])


def test_base_ignores_what_was_already_broken(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo.path / "docs/ml/data/labels.yaml").unlink()
    demo.commit("lose a lineage record on main")
    demo.git("checkout", "-q", "-b", "docs")
    demo.write("README.md", "more\n")
    demo.commit("readme")
    assert "MLW103" in codes(lint_json(capsys, str(demo.path))[1])
    assert codes(lint_json(capsys, str(demo.path), "--base", "main")[1]) == []


def test_base_retrain_with_card_and_plan_updated_is_clean(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.git("checkout", "-q", "-b", "retrain")
    new = _retrain(demo, 800)
    demo.commit("Retrain with 800 iterations")
    demo.git("tag", "text-classifier@v1.2.0")
    demo.git("tag", "-a", "text-classifier#prod#2", "-m", "gto assign: v1.2.0 to prod")
    card = demo.path / CARD
    card.write_text(
        card.read_text().replace(CURRENT, new).replace('version: "1.1.0"', 'version: "1.2.0"')
    )
    (demo.path / PLAN).write_text(
        "id: text-classifier-rollback\n"
        "model: text-classifier\n"
        "owner: ml-oncall@example.com\n"
        f"current: {{version: '1.2.0', git_ref: text-classifier@v1.2.0, md5: {new}}}\n"
        f"fallback: {{version: '1.1.0', git_ref: text-classifier@v1.1.0, md5: {CURRENT}}}\n"
        "triggers: [accuracy below 0.85]\n"
        "procedure: [git checkout text-classifier@v1.1.0 -- dvc.lock, dvc checkout]\n"
        f"last_tested: {dt.date.today().isoformat()}\n"
    )
    demo.commit("Document v1.2.0")
    status, report = lint_json(capsys, str(demo.path), "--base", "main")
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert status == 0
    status, report = lint_json(capsys, str(demo.path))
    assert report["findings"] == []


def test_pre_commit_from_ref_is_the_default_base(
    demo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.git("checkout", "-q", "-b", "retrain")
    _retrain(demo, 900)
    demo.commit("Retrain")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "main")
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "retrain")
    assert "MLW404" in codes(lint_json(capsys, str(demo.path))[1])


def test_unknown_base_is_exit_2(demo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(demo.path), "--base", "origin/nope"]) == 2
    assert "--base origin/nope: no such revision" in capsys.readouterr().err


def test_no_history_skips_mlw4(demo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    plan = demo.path / PLAN
    plan.write_text(plan.read_text().replace("text-classifier@v1.0.0", "text-classifier@v0.0.1"))
    assert "MLW401" in codes(lint_json(capsys, str(demo.path))[1])
    assert codes(lint_json(capsys, str(demo.path), "--no-history")[1]) == []


def test_fallback_at_a_revision_that_did_not_track_the_model(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ref that exists, but at which DVC did not track the model at all."""
    lock = demo.path / "dvc.lock"
    kept = lock.read_text()
    lock.write_text(kept.replace("models/model.pkl", "models/other.pkl"))
    demo.commit("The model under another name for a while")
    demo.git("tag", "before-the-model")
    lock.write_text(kept)
    demo.commit("Back to models/model.pkl")
    plan = demo.path / PLAN
    plan.write_text(
        plan.read_text().replace("git_ref: text-classifier@v1.0.0", "git_ref: before-the-model")
    )
    _status, report = lint_json(capsys, str(demo.path), "--select", "MLW403")
    assert [
        (f["path"], f["line"], f["column"], f["severity"], f["message"], f["hint"])
        for f in report["findings"]
    ] == [
        (
            PLAN,
            10,
            12,
            "error",
            "fallback.git_ref 'before-the-model' does not track models/model.pkl in DVC",
            "check the ref: the model was not in DVC at that revision",
        )
    ]


def test_the_ancestry_walk_answers_whenever_it_is_asked(git_repo: GitRepo) -> None:
    """The fallbacks' walk starts before the plans are parsed: asked at once, asked
    after it has read all of history, or asked about nothing, its answers are Git's
    (`merge-base --is-ancestor`), and it always stops its process."""
    from mlwf_lint.facts.sources.history import AncestryWalk

    main_line = [git_repo.commit(f"main {i}") for i in range(40)]
    git_repo.git("checkout", "-q", "-b", "side", main_line[10])
    side = [git_repo.commit(f"side {i}") for i in range(3)]
    git_repo.git("checkout", "-q", "main")
    git_repo.git("merge", "-q", "--no-ff", "--no-edit", side[0])  # side[0] joins main
    asked = {main_line[0], main_line[25], side[0], side[2], "f" * 40}
    git = {
        sha: subprocess.run(
            ["git", "merge-base", "--is-ancestor", sha, "HEAD"],
            cwd=git_repo.path,
            capture_output=True,
            check=False,
        ).returncode
        == 0
        for sha in asked
    }
    assert git[main_line[0]] and git[side[0]] and not git[side[2]] and not git["f" * 40]
    at_once = AncestryWalk(git_repo.path)
    assert at_once.holds(asked) == git
    late = AncestryWalk(git_repo.path)
    late._answered.wait()  # history read to its end before the question
    assert late.holds(asked) == git
    nothing = AncestryWalk(git_repo.path)
    assert nothing.holds(set()) == {}
    for walk in (at_once, late, nothing):
        assert walk._process.poll() is not None


def test_the_ancestry_walk_reads_only_so_far_ahead_before_it_is_asked(tmp_path: Path) -> None:
    """Started before the question, the walk stops reading after `read_ahead` commits
    (git waits on the full pipe: no CPU spent on a long history for recent fallbacks),
    and goes on to the root commit once asked."""
    from mlwf_lint.facts.sources.history import AncestryWalk

    repo = GitRepo(tmp_path / "long")
    stream = "".join(
        f"commit refs/heads/main\ncommitter T <t@e> {1_700_000_000 + i} +0000\ndata 2\n{i % 10}\n\n"
        for i in range(3000)
    )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo.path, input=stream.encode(), check=True
    )
    root, head = (
        repo.git("rev-list", "--max-parents=0", "HEAD").strip(),
        repo.git("rev-parse", "HEAD").strip(),
    )
    walk = AncestryWalk(repo.path, read_ahead=100)
    time.sleep(0.5)
    assert walk._process.poll() is None  # 3000 commits' ids outgrow the pipe: git waits
    assert 100 <= len(walk._seen) < 3000 and not walk._answered.is_set()
    assert walk.holds({root, head, "f" * 40}) == {root: True, head: True, "f" * 40: False}
    assert walk._process.poll() is not None


def test_the_ancestry_walk_starts_early_only_in_a_fresh_clone(
    demo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook runs after each commit with the parent's answers remembered: no walk of
    history is started ahead of the plans then (it read up to 25,000 commits for
    nothing), and the answers are the same as a run that remembers nothing."""
    from mlwf_lint.facts.sources import history

    walks: list[int] = []
    start = history.AncestryWalk.__init__

    def counted(self: history.AncestryWalk, *args: object, **kwargs: object) -> None:
        walks.append(1)
        start(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(history.AncestryWalk, "__init__", counted)
    first = _found(capsys, demo.path)  # nothing remembered: the walk starts early
    assert walks == [1]
    (demo.path / "README.md").write_text("a commit after the first run\n")
    demo.commit("docs")
    assert _found(capsys, demo.path) == first == _found(capsys, demo.path, "--no-cache")
    assert walks == [1, 1]  # only the --no-cache run walked


_WATCH_WALKS = """
import json, sys
from mlwf_lint.facts.sources import history
imported = {}  # git command → our modules imported when it started
start = history._popen
def watched(root, args, **kwargs):
    imported.setdefault(args[0], sorted(m for m in sys.modules if m.startswith("mlwf_lint.")))
    return start(root, args, **kwargs)
history._popen = watched
from mlwf_lint.cli import main
main(["check", sys.argv[1], "--no-cache", "--format", "json", "--exit-zero"])
sys.stderr.write(json.dumps(imported))
"""


def test_a_fresh_clone_s_history_walks_start_before_documents_are_read(demo: GitRepo) -> None:
    """The two walks that may go on to the root commit (the documents' last commits,
    HEAD's history for the fallbacks) start before what reads the documents and runs
    the rules is imported: in a fresh clone they are the longest part of the run, and
    that import is a third of the start-up. In a fresh interpreter, as a run starts."""
    done = subprocess.run(
        [sys.executable, "-c", _WATCH_WALKS, str(demo.path)], capture_output=True, text=True
    )
    assert json.loads(done.stdout)["findings"] == []
    imported = json.loads(done.stderr)
    for walk in ("log", "rev-list"):
        assert "mlwf_lint.facts.listing" in imported[walk]
        late = {"mlwf_lint.facts.documents", "mlwf_lint.facts.repo", "mlwf_lint.rules"}
        assert late.isdisjoint(imported[walk]), walk


def _git_that_stalls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int | None) -> None:
    """`git` on PATH that is the real one, except that `git log` stalls: its real
    output (with `cut`, the first `cut` bytes, a second's pause, then the rest), then
    no end for 30 s — a long history still walked below the last record it prints."""
    import shutil

    real = shutil.which("git")
    assert real is not None
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    stall = "exec sleep 30"
    if cut is None:
        log = f'"{real}" "$@"\n{stall}'
    else:
        out = tmp_path / "log.out"
        log = (
            f'"{real}" "$@" > "{out}"\nhead -c {cut} "{out}"\nsleep 1\n'
            f'tail -c +{cut + 1} "{out}"\nexit 0'
        )
    fake.write_text(f'#!/bin/sh\nif [ "$1" = log ]; then\n{log}\nfi\nexec "{real}" "$@"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")


def _last_touches_in_thread(root: Path, paths: set[str]) -> tuple[object, list[object]]:
    import threading

    from mlwf_lint.facts.sources.history import last_touches

    answer: list[object] = []
    thread = threading.Thread(target=lambda: answer.append(last_touches(root, paths)), daemon=True)
    thread.start()
    thread.join(timeout=15)
    return thread, answer


def test_last_commits_are_answered_at_the_record_waited_for(
    git_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documents' walk stops at the record of the last document it waits for, as
    soon as git has written it — not at the next record, which in a long history whose
    documents are all older than the rest may be no record at all, only the end of
    history (reading 64 KB at a time waited for it: a 20,000-commit walk instead of
    13,333)."""
    git_repo.write("docs/a.md", "a\n")
    git_repo.write("docs/b.md", "b\n")
    first = git_repo.commit("documents")
    for i in range(5):
        git_repo.write("src/code.py", f"{i}\n")
        git_repo.commit(f"code {i}")
    git_repo.write("docs/b.md", "b, again\n")
    second = git_repo.commit("b again")
    _git_that_stalls(tmp_path, monkeypatch, cut=None)
    thread, answer = _last_touches_in_thread(git_repo.path, {"docs/a.md", "docs/b.md"})
    assert not thread.is_alive(), "waited for git log's end"
    found = answer[0]
    assert isinstance(found, dict)
    assert {path: commit.sha for path, commit in found.items()} == {
        "docs/a.md": first,
        "docs/b.md": second,
    }


def test_a_name_git_is_still_writing_is_not_read_as_a_shorter_one(
    git_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record is read as far as git has written it, but only its whole names: the
    start of `docs/model-10.md` is not `docs/model-1`."""
    from mlwf_lint.facts.sources.history import PATHSPEC_LIMIT

    git_repo.write("docs/model-1/card.md", "old\n")
    older = git_repo.commit("model-1's folder")
    git_repo.write("docs/model-10.md", "ten\n")
    git_repo.commit("model 10")
    record = subprocess.run(
        ["git", "log", "--format=%x1e%H %ct %s", "-z", "-c", "--name-only", "HEAD", "--"],
        cwd=git_repo.path,
        capture_output=True,
        check=True,
    ).stdout
    cut = record.index(b"docs/model-1") + len(b"docs/model-1")  # in the middle of the name
    _git_that_stalls(tmp_path, monkeypatch, cut=cut)
    # more paths than git is given one by one: the log is limited to `docs`, and prints
    # the newer commit too
    asked = {"docs/model-1"} | {f"docs/other-{i}.md" for i in range(PATHSPEC_LIMIT)}
    thread, answer = _last_touches_in_thread(git_repo.path, asked)
    assert not thread.is_alive()
    found = answer[0]
    assert isinstance(found, dict)
    assert found["docs/model-1"].sha == older
