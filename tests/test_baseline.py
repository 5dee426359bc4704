"""Issue 15: the baseline (keyed on content, counted, only shrinking), fingerprints
that never collide, and one run writing several reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import GitRepo, codes, lint_json, model_card
from mlwf_lint.cli import main
from mlwf_lint.findings import fingerprints

CARD = "docs/ml/models/churn-model.md"


@pytest.fixture
def adopted(git_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> GitRepo:
    """A repository with findings (no decision record: MLW105; four TODOs: MLW203) and
    a baseline written for them."""
    git_repo.write("train.py", "import sklearn\n")
    git_repo.write(CARD, model_card(decisions="[]").replace("English only.", "TODO"))
    git_repo.commit()
    assert main([str(git_repo.path), "--write-baseline", str(git_repo.path / "baseline.json")]) == 0
    git_repo.commit("baseline")
    capsys.readouterr()
    return git_repo


def _run(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> tuple[int, dict]:
    return lint_json(capsys, str(repo.path), "--baseline", str(repo.path / "baseline.json"), *args)


def test_a_baseline_accepts_what_was_there(
    adopted: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((adopted.path / "baseline.json").read_text())
    assert data["version"] == 1 and data["tool"] == "mlwf-lint"
    assert [(e["code"], e["count"]) for e in data["entries"]] == [("MLW105", 1), ("MLW203", 1)]
    assert all("line" not in e for e in data["entries"])
    status, report = _run(capsys, adopted)
    assert (status, codes(report)) == (0, [])


def test_moved_lines_and_unrelated_edits_keep_entries_matched(
    adopted: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    card = adopted.path / CARD
    text = card.read_text()
    card.write_text(
        text.replace("---\nid:", "---\n# reviewed by the ML team\n\nid:", 1)
        .replace("name: churn-model model", 'name: "Churn model"')
        .replace("Ranking support tickets.", "Ranking support tickets by urgency.")
    )
    status, report = _run(capsys, adopted)
    assert (status, codes(report)) == (0, [])


def test_a_new_finding_of_the_same_kind_is_reported(
    adopted: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    card = adopted.path / CARD
    card.write_text(card.read_text().replace("No personal data is stored.", "TODO"))
    status, report = _run(capsys, adopted)
    assert status == 1 and codes(report) == ["MLW203"]  # two TODOs now, the baseline has one
    adopted.write("docs/ml/models/other.md", model_card("other", decisions="[]"))
    _status, report = _run(capsys, adopted)
    assert sorted(codes(report)) == ["MLW105", "MLW203"]


def test_a_resolved_entry_is_mlw004_and_the_file_only_shrinks(
    adopted: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    card = adopted.path / CARD
    card.write_text(card.read_text().replace("decisions: []", "decisions: [ADR-0001]"))
    adopted.write("docs/ml/decisions/0001-x.md", "---\nid: ADR-0001\n---\n")  # new findings
    status, report = _run(capsys, adopted, "--select", "MLW004,MLW105")
    assert status == 0
    (finding,) = report["findings"]
    assert finding["code"] == "MLW004" and finding["severity"] == "notice"
    assert (finding["path"], finding["line"]) == ("baseline.json", 5)
    assert finding["message"].startswith("baseline entry resolved: MLW105 " + CARD)
    # --write-baseline on the existing file: MLW105 dropped, the new findings not added
    assert main([str(adopted.path), "--write-baseline", str(adopted.path / "baseline.json")]) == 0
    assert "1 resolved finding dropped" in capsys.readouterr().err
    data = json.loads((adopted.path / "baseline.json").read_text())
    assert [e["code"] for e in data["entries"]] == ["MLW203"]
    status, report = _run(capsys, adopted)
    assert status == 1 and "MLW202" in codes(report)  # the new decision record's faults
    file = str(adopted.path / "baseline.json")
    assert main([str(adopted.path), "--write-baseline", file, "--force"]) == 0
    assert _run(capsys, adopted)[0] == 0


def test_configured_baseline_and_diff_mode(
    adopted: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    adopted.write(".mlwf-lint.yaml", "baseline: baseline.json\n")
    adopted.commit("use the baseline")
    assert lint_json(capsys, str(adopted.path))[0] == 0
    adopted.git("checkout", "-q", "-b", "fix")
    card = adopted.path / CARD
    card.write_text(card.read_text().replace("decisions: []", "decisions: [ADR-0001]"))
    adopted.commit("link a decision that does not exist yet")
    _status, report = lint_json(capsys, str(adopted.path), "--base", "main")
    assert "MLW004" not in codes(report)  # unchanged findings are not there to match


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "is not JSON"),
        ('{"tool": "mlwf-lint", "version": 7, "entries": []}', "is version 7"),
        ('{"tool": "eslint"}', "is not an mlwf-lint baseline"),
        ('{"tool": "mlwf-lint", "version": 1, "entries": [{"code": 1}]}', "entry 0 lacks"),
    ],
)
def test_a_bad_baseline_is_one_line_exit_2(
    adopted: GitRepo, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    adopted.write("baseline.json", content)
    assert main([str(adopted.path), "--baseline", str(adopted.path / "baseline.json")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert main([str(adopted.path), "--baseline", "missing.json"]) == 2
    assert "missing.json does not exist" in capsys.readouterr().err


def test_an_entry_for_a_file_that_is_gone_is_a_notice(
    adopted: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    (adopted.path / CARD).unlink()
    adopted.write("docs/ml/models/new.md", model_card("new", decisions="[ADR-0001]"))
    _status, report = _run(capsys, adopted, "--select", "MLW004,MLW105,MLW203")
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [
        ("MLW004", "notice"),
        ("MLW004", "notice"),
    ]
    # entries of rules that did not run are not judged
    _status, report = _run(capsys, adopted, "--select", "MLW004")
    assert report["findings"] == []


def test_fingerprints_never_collide_on_a_real_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mlwf-lint init` on the demo: dozens of findings, many with the same code, file
    and message (the TODOs init leaves); SARIF and GitLab get distinct fingerprints."""
    assert main(["demo", str(tmp_path / "demo")]) == 0
    repo = GitRepo(tmp_path / "demo", init=False)
    repo.git("rm", "-q", "-r", "docs")
    repo.commit("no documents")
    assert main(["init", str(repo.path)]) == 0
    capsys.readouterr()
    assert main([str(repo.path), "--format", "gitlab"]) == 1
    gitlab = json.loads(capsys.readouterr().out)
    assert len(gitlab) > 20
    assert len({i["fingerprint"] for i in gitlab}) == len(gitlab)
    assert main([str(repo.path), "--format", "sarif"]) == 1
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    prints = [r["partialFingerprints"]["mlwfLintFingerprint/v1"] for r in results]
    assert len(set(prints)) == len(prints) == len(gitlab)
    assert prints == [i["fingerprint"] for i in gitlab]


def test_one_run_many_reports(
    adopted: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlwf_lint.check import checker

    calls = []
    real = checker.check
    monkeypatch.setattr(checker, "check", lambda request: calls.append(1) or real(request))
    out = adopted.path.parent / "reports"
    status = main([
        str(adopted.path), "--format", "text",
        "--report", f"sarif={out}/r.sarif", "--report", f"gitlab={out}/gl.json",
        "--report", f"markdown={out}/summary.md", "--report", "json=-",
    ])  # fmt: skip
    assert status == 1 and len(calls) == 1  # the repository was checked once
    stdout = capsys.readouterr().out
    assert "MLW105 warning" in stdout  # text first, then the JSON report
    report = json.loads(stdout[stdout.index("{\n") :])
    assert codes(report) == ["MLW203", "MLW105"] or sorted(codes(report)) == ["MLW105", "MLW203"]
    sarif = json.loads((out / "r.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == len(report["findings"])
    assert len(json.loads((out / "gl.json").read_text())) == len(report["findings"])
    assert (out / "summary.md").read_text().startswith("### mlwf-lint")
    assert main([str(adopted.path), "--report", "pdf=x.pdf"]) == 2
    assert "give FORMAT=FILE" in capsys.readouterr().err
    fps = fingerprints(())
    assert fps == []
