"""A partial clone (`git clone --filter=…`, as CI checkouts may be made): objects its
trees name may be absent, and git fetches them from the remote when asked — network,
which mlwf-lint never uses. Real partial clones of a real repository over `file://`
(whose server allows filters, as GitHub's does), so that a fetch, if one were started,
would succeed and be seen."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import clone, codes, lint_json, object_count


@pytest.mark.parametrize("fetched", ["blob:none", "tree:0"])
def test_a_partial_clone_is_never_fetched_from_and_gets_no_false_finding(
    served: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fetched: str
) -> None:
    full = clone(served, tmp_path / "full")
    status, report = lint_json(capsys, str(full))
    assert (status, codes(report)) == (0, [])  # the repository is clean, history included

    partial = clone(served, tmp_path / "partial", f"--filter={fetched}")
    held = object_count(partial)
    status, report = lint_json(capsys, str(partial))
    assert object_count(partial) == held  # nothing fetched
    # the old dvc.lock versions the plans name are not here: not "absent" (MLW403
    # "does not track"), but history unavailable, said once
    assert (status, codes(report)) == (0, ["MLW001"])
    assert "partial clone" in report["findings"][0]["message"]
    status, report = lint_json(capsys, "--no-history", str(partial))
    assert (status, codes(report)) == (0, [])

    # the clone can fetch: a plain git read of a filtered-out object does (so the run
    # above fetched nothing because it asked for nothing, not because it could not)
    listed = subprocess.run(
        ["git", "rev-list", "--objects", "--missing=print", "HEAD"],
        cwd=partial, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    missing = [line[1:] for line in listed if line.startswith("?")]
    assert missing
    subprocess.run(["git", "cat-file", "-t", missing[0]], cwd=partial, capture_output=True)
    assert object_count(partial) > held


def test_a_partial_clone_with_every_needed_object_is_checked_in_full(
    served: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A filter that left what the rules read (here: every blob under 1 MB) costs
    nothing: history is read as in a full clone."""
    partial = clone(served, tmp_path / "partial", "--filter=blob:limit=1m")
    held = object_count(partial)
    status, report = lint_json(capsys, str(partial))
    assert (status, codes(report)) == (0, [])
    assert object_count(partial) == held


def test_base_in_a_partial_clone_reads_the_base_it_holds(
    served: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--base` needs the files a change touched at the base: where the clone holds
    them it runs; where it does not, one line and exit 2 — never a fetch, never a
    file taken for absent."""
    partial = clone(served, tmp_path / "partial", "--filter=blob:none")
    held = object_count(partial)
    status, report = lint_json(capsys, "--base", "HEAD~1", str(partial))
    assert status == 0 and "MLW403" not in codes(report)
    assert object_count(partial) == held
    capsys.readouterr()
    from mlwf_lint.cli import main

    assert main(["--base", "HEAD~60", str(partial)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlwf-lint: error: --base needs the files at ") and "partial clone" in err
    assert err.count("\n") == 1
    assert object_count(partial) == held
