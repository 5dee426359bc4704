"""Issue 14: the lineage graph (json, mermaid, dot, html), the HTML page in a real
headless Chromium, Mermaid in the markdown report, and `merge` for many repositories."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GitRepo, documented_demo, lint_json
from mlwf_lint.cli import main
from mlwf_lint.facts.sources.git import remote_url
from mlwf_lint.graph import Edge, Graph, Node
from mlwf_lint.report.graphs import to_mermaid, trimmed

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def demo(tmp_path: Path) -> GitRepo:
    """The documented demo with faults of each kind: a stale card (a metric the retrain
    moved), a dataset with no lineage record (labels.csv), an invalid lineage record."""
    repo = documented_demo(tmp_path / "demo")
    card = repo.path / "docs/ml/models/text-classifier.md"
    card.write_text(card.read_text().replace("value: 0.94", "value: 0.91"))
    (repo.path / "docs/ml/data/labels.yaml").unlink()
    posts = repo.path / "docs/ml/data/raw-posts.yaml"
    posts.write_text(posts.read_text().replace("contains_pii: false", "contains_pii: maybe"))
    repo.commit("faults")
    return repo


def _graph(capsys: pytest.CaptureFixture[str], repo: GitRepo, fmt: str) -> str:
    capsys.readouterr()
    assert main(["graph", str(repo.path), "--format", fmt]) == 0
    return capsys.readouterr().out


def test_graph_json_is_the_lineage_with_document_states(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = json.loads(_graph(capsys, demo, "json"))
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert {(n["kind"], n["state"]) for n in graph["nodes"] if n["state"]} == {
        ("model", "stale"),  # MLW306: the card's accuracy is not eval/metrics.json's
        ("dataset", "missing"),  # labels.csv
        ("dataset", "invalid"),  # raw-posts.yaml: contains_pii: maybe
    }
    model = nodes["model:models/model.pkl"]
    assert model["document"] == "docs/ml/models/text-classifier.md"
    assert model["details"]["registry stage"] == "prod"
    assert model["details"]["rollback plan"] == "text-classifier-rollback"
    edges = {(e["source"], e["target"]) for e in graph["edges"]}
    assert {
        ("dataset:data/raw/posts.xml", "stage:prepare"),
        ("stage:prepare", "stage:featurize"),
        ("stage:featurize", "stage:train"),
        ("stage:train", "model:models/model.pkl"),
        ("model:models/model.pkl", "stage:evaluate"),
        ("model:models/model.pkl", "rollback-plan:docs/ml/rollback/text-classifier.yaml"),
    } <= edges
    assert any(target.startswith("decision-record:") for _s, target in edges)
    dot = _graph(capsys, demo, "dot")
    assert (
        dot.startswith("digraph lineage {") and '"stage:train" -> "model:models/model.pkl";' in dot
    )


def test_mermaid_labels_cannot_break_the_diagram() -> None:
    hostile = 'data/"quoted" [x] {y} (z) <b>|`#.csv'
    graph = Graph(
        (Node("dataset:a", "dataset", hostile, state="missing"), Node("stage:s", "stage", "s")),
        (Edge("dataset:a", "stage:s"),),
    )
    text = to_mermaid(graph)
    line = text.splitlines()[1]
    inner = line[line.index('"') + 1 : line.rindex('"')]
    assert not set('"[]{}()<>|`') & set(inner.replace("#", ""))  # every one an entity
    assert "#34;quoted#34;" in inner and "n0 --> n1" in text


def test_a_large_graph_is_trimmed_to_what_findings_touch() -> None:
    nodes = [
        Node(f"dataset:d{i}", "dataset", f"d{i}", f"d{i}", state="documented") for i in range(60)
    ]
    nodes[7] = Node("dataset:d7", "dataset", "d7", "d7", state="missing")
    nodes.append(Node("stage:s", "stage", "s"))
    graph = Graph(tuple(nodes), (Edge("dataset:d7", "stage:s"), Edge("dataset:d8", "stage:s")))
    small, left_out = trimmed(graph, set())
    assert {n.id for n in small.nodes} == {"dataset:d7", "stage:s"} and left_out == 59


def test_markdown_report_carries_the_mermaid_block(
    demo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    main([str(demo.path), "--format", "markdown"])
    out = capsys.readouterr().out
    block = out[out.index("```mermaid\n") + 11 : out.rindex("```")]
    assert block.startswith("flowchart LR") and "⟳ text-classifier #40;stale#41;" in block


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_html_page_in_a_real_headless_chromium(
    demo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "report.html"
    assert main([str(demo.path), "--format", "text", "--report", f"html={page_file}"]) == 1
    html = page_file.read_text()
    for remote in ("http://", "https://", "//fonts", "<script", "<link", "@import"):
        assert remote not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert re.findall(r"url\((?!#)", html) == []  # only references inside the page
    graph = json.loads(_graph(capsys, demo, "json"))
    expected = {k: sum(1 for n in graph["nodes"] if n["kind"] == k) for k in ("model", "dataset")}
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for scheme in ("light", "dark"):
            page = browser.new_page(color_scheme=scheme, viewport={"width": 1200, "height": 900})
            console: list[tuple[str, str]] = []
            requests: list[str] = []
            page.on("console", lambda m, seen=console: seen.append((m.type, m.text)))
            page.on("pageerror", lambda e, seen=console: seen.append(("pageerror", str(e))))
            page.on("request", lambda r, seen=requests: seen.append(r.url))
            page.goto(page_file.as_uri())
            assert [c for c in console if c[0] in ("error", "pageerror")] == []
            assert requests == [page_file.as_uri()]  # nothing fetched but the page itself
            for kind, count in expected.items():
                assert page.locator(f"svg.lineage g.node.kind-{kind}").count() == count
            assert page.locator("svg.lineage g.state-stale").count() == 1
            assert "✖ invalid" in page.inner_text("body")  # the state in words, not colour
            page.screenshot(path=str(tmp_path / f"report-{scheme}.png"), full_page=True)
            page.close()
        browser.close()
    assert (tmp_path / "report-light.png").stat().st_size > 10_000


def test_merge_many_repositories(
    demo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = documented_demo(tmp_path / "clean")
    reports = []
    for repo in (demo, clean):
        out = tmp_path / f"{repo.path.name}.json"
        main([str(repo.path), "--format", "json", "--output", str(out)])
        reports.append(str(out))
    data = json.loads(Path(reports[0]).read_text())
    assert data["report_version"] == 1 and data["repository"]["name"] == "demo"
    assert data["coverage"] == {
        "models": {"documented": 0, "total": 1},
        "datasets": {"documented": 0, "total": 2},
    }
    capsys.readouterr()
    assert main(["merge", *reports, "--format", "markdown"]) == 0
    table = capsys.readouterr().out
    assert "| demo | " in table and "| clean | 0 | 0 | 1/1 (100 %) | 2/2 (100 %) | — |" in table
    assert main(["merge", *reports, "--format", "json"]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in merged["repositories"]] == ["demo", "clean"]
    assert merged["repositories"][0]["worst"][0]["severity"] == "error"
    page = tmp_path / "org.html"
    assert main(["merge", *reports, "--output", str(page)]) == 0
    assert "<h1>mlwf-lint: 2 repositories</h1>" in page.read_text()
    for content, said in (
        ("not json", "is not a JSON report"),
        ('{"tool": {"name": "ruff"}}', "is not an mlwf-lint JSON report"),
        ('{"tool": {"name": "mlwf-lint", "version": "0.0.1"}, "findings": []}', "another format"),
        ('{"tool": "mlwf-lint"}', "is not an mlwf-lint JSON report"),
        (
            '{"tool": {"name": "mlwf-lint"}, "report_version": 1, "summary": {"errors": "x"}}',
            "malformed",
        ),
    ):
        bad = tmp_path / "bad.json"
        bad.write_text(content)
        assert main(["merge", reports[0], str(bad)]) == 2
        err = capsys.readouterr().err
        assert said in err and str(bad) in err and len(err.splitlines()) == 1


def test_the_json_report_names_the_remote(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.git("remote", "add", "origin", "https://example.com/acme/churn.git")
    git_repo.commit()
    report = lint_json(capsys, str(git_repo.path))[1]
    assert report["repository"] == {"name": "repo", "remote": "https://example.com/acme/churn.git"}


@pytest.mark.parametrize(
    "written",
    [
        '[remote "origin"]\n\turl = https://example.com/a.git\n',
        '[Remote "origin"]\n\tURL = "https://example.com/quoted.git" ; a comment\n',
        '[remote "origin"]\n\turl = git@example.com:a/b.git # a comment\n',
        '[remote "origin"]\n\turl = https://example.com/first.git\n'
        '[remote "upstream"]\n\turl = https://example.com/up.git\n'
        '[remote "origin"]\n\turl = https://example.com/last.git\n',
        '[remote "origin"]\n\tpushurl = https://example.com/push.git\n\turl = "a\\"b"\n',
        '[remote "upstream"]\n\turl = https://example.com/up.git\n',
        "[remote.origin]\n\turl = https://example.com/old-style.git\n",
    ],
)
def test_the_remote_is_read_as_git_reads_it(git_repo: GitRepo, written: str) -> None:
    """`origin`'s URL comes from .git/config read as a file: the same answer as
    `git config --get remote.origin.url` (last value, quotes, comments, name case)."""
    config = git_repo.path / ".git" / "config"
    config.write_text(config.read_text() + written)
    asked = subprocess.run(
        ["git", "config", "--get", "remote.origin.url"],
        cwd=git_repo.path,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    assert remote_url(git_repo.path) == (asked or None)


_DRAW = """
import sys
if sys.argv[2] == "numpy-first":
    import numpy  # grandalf then lays out on numpy's arrays
from mlwf_lint.cli import main
code = main(["graph", sys.argv[1], "--format", "html", "--output", sys.argv[3]])
print(code, "numpy" in sys.modules)
"""


def test_graph_page_is_drawn_without_importing_numpy_and_alike(
    demo: GitRepo, tmp_path: Path
) -> None:
    """grandalf imports numpy when it can (70 ms); the page is laid out on grandalf's own
    vectors instead, to the byte what numpy gives — in a fresh interpreter each, since an
    import is once per process."""
    pytest.importorskip("numpy")  # the dev extra brings it (dvc): the comparison needs it
    pages = {}
    for mode in ("numpy-first", "plain"):
        page = tmp_path / f"{mode}.html"
        done = subprocess.run(
            [sys.executable, "-c", _DRAW, str(demo.path), mode, str(page)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        pages[mode] = (done.stdout.split(), page.read_text())
    assert pages["numpy-first"][0] == ["0", "True"]
    assert pages["plain"][0] == ["0", "False"]  # drawn, and numpy never imported
    drawings = {m: re.search(r"<svg.*?</svg>", text, re.S) for m, (_, text) in pages.items()}
    assert drawings["plain"] and drawings["numpy-first"]
    assert drawings["plain"].group(0).count('<g class="node') >= 8  # the demo's lineage, laid out
    assert drawings["plain"].group(0) == drawings["numpy-first"].group(0)
