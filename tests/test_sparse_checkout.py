"""A sparse checkout leaves tracked files out of the working tree: they are in the
repository all the same. Documents and DVC files left out are read as the index holds
them; where that cannot be done (a partial clone lacks them too), or a document is
skipped for another reason (binary, too large), the rules that call something missing
stay silent: MLW002 names what was not read, and no false absence is reported."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import clone, codes, lint_json, object_count


def test_files_left_out_of_a_sparse_checkout_are_read_from_the_index(
    served: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = clone(served, tmp_path / "full")
    status, expected = lint_json(capsys, "--no-cache", str(full))
    sparse = clone(served, tmp_path / "sparse")
    left_out = ["/*", "!/docs/", "!/data/", "!/dvc.yaml", "!/dvc.lock"]
    subprocess.run(
        ["git", "sparse-checkout", "set", "--no-cone", *left_out], cwd=sparse, check=True
    )
    assert not {"docs", "data", "dvc.yaml", "dvc.lock"} & {p.name for p in sparse.iterdir()}
    status_sparse, report = lint_json(capsys, "--no-cache", str(sparse))
    assert (status_sparse, codes(report)) == (status, codes(expected)) == (0, [])
    assert report["summary"]["files_checked"] == expected["summary"]["files_checked"] > 10


def test_a_sparse_partial_clone_names_what_it_could_not_read_and_claims_no_absence(
    served: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--filter=blob:none --sparse`: the documents are neither on disk nor in the
    clone. Read as missing they made every model "without a model card" (MLW102)."""
    partial = clone(served, tmp_path / "partial", "--filter=blob:none", "--sparse")
    held = object_count(partial)
    status, report = lint_json(capsys, str(partial))
    assert object_count(partial) == held  # nothing fetched
    assert status == 0
    assert set(codes(report)) == {"MLW002"}
    named = {f["path"] for f in report["findings"]}
    assert {p for p in named if p.startswith("docs/ml/models/")}  # the cards among them
    assert all("sparse checkout" in f["message"] for f in report["findings"])


def test_a_skipped_card_is_not_reported_missing(
    served: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model card that cannot be read (here: binary) is named by MLW002; its model is
    not reported as having no card (MLW102), nor its plan's `model` as an unknown id
    (MLW205), on top."""
    repo = clone(served, tmp_path / "repo")
    card = next((repo / "docs/ml/models").glob("*.md"))
    card.write_bytes(card.read_bytes() + b"\0")
    status, report = lint_json(capsys, str(repo))
    assert codes(report) == ["MLW002"]
    assert report["findings"][0]["path"] == card.relative_to(repo).as_posix()


def test_a_link_left_out_of_a_sparse_checkout_is_not_read_as_its_target(
    served: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In the index a symbolic link's content is the path it points to: not a document.
    Left out of the working tree, it is named (MLW002), never parsed, never "missing"."""
    repo = clone(served, tmp_path / "repo")
    cards = repo / "docs/ml/models"
    card = next(cards.glob("*.md"))
    (cards / "alias.md").symlink_to(card.name)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "alias"], cwd=repo, check=True)
    left_out = ["/*", "!/docs/ml/models/alias.md"]
    subprocess.run(["git", "sparse-checkout", "set", "--no-cone", *left_out], cwd=repo, check=True)
    assert not (cards / "alias.md").is_symlink()
    status, report = lint_json(capsys, str(repo))
    assert codes(report) == ["MLW002"]
    assert report["findings"][0]["path"] == "docs/ml/models/alias.md"
    assert "link" in report["findings"][0]["message"]
