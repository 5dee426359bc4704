"""Issue 16: Hugging Face model cards checked offline (the Hub's metadata rules as our
schema, with line:col), taking part in the model rules through an `mlwf:` block; our
cards exported as Hub cards (loaded by `huggingface_hub`) and lineage records as
Croissant (loaded by `mlcroissant`); no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import GitRepo, codes, lint_json
from mlwf_lint.cli import main

HF_GLOB = 'documents:\n  hf-model-card: {glob: "hub/*/README.md"}\n'
MODEL_MD5 = "2684aa17e6edd16227730afb7c8cb3d8"  # the demo's model at v1.1.0

HUB_CARD = """\
---
license: apache-2.0
language: [en]
pipeline_tag: text-classification
model-index:
- name: text-classifier
  results:
  - task: {type: text-classification}
    dataset: {type: raw-posts, name: Forum posts, split: test}
    metrics:
    - {type: accuracy, value: 0.94}
mlwf:
  id: text-classifier
  version: "1.1.0"
  status: production
  artifact: {path: models/model.pkl, md5: 2684aa17e6edd16227730afb7c8cb3d8}
  rollback_plan: text-classifier-rollback
---
# Post topic classifier
"""


@pytest.fixture
def hub_repo(git_repo: GitRepo) -> GitRepo:
    git_repo.write(".mlwf-lint.yaml", HF_GLOB)
    return git_repo


@pytest.mark.parametrize(
    ("front", "where", "message"),
    [
        (
            "model-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n"
            "    dataset: {type: imdb, name: IMDb, config: 5}\n"
            "    metrics: [{type: accuracy, value: 0.9}]\n",
            (5, 47),
            "model-index[0].results[0].dataset.config must be text; got a number 5",
        ),
        ("license: apache2\n", (1, 10), "license must be a licence identifier the Hub knows"),
        ("license: other\n", (1, 1), "license_name is required when license is other"),
        (
            "model-index:\n- name: m\n  results:\n  - task: {name: x}\n    dataset: {type: imdb, "
            "name: IMDb}\n    metrics: [{type: accuracy, value: 0.9}]\n",
            (4, 11),
            "model-index[0].results[0].task.type is required",
        ),
        ("tags: robotics\n", (1, 7), "tags must be a list"),
    ],
)
@pytest.mark.usefixtures("no_sockets")
def test_hub_metadata_rules_offline_with_line_and_column(
    hub_repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    front: str,
    where: tuple[int, int],
    message: str,
) -> None:
    hub_repo.write("hub/m/README.md", f"---\n{front}---\n# m\n")
    hub_repo.commit()
    _status, report = lint_json(capsys, str(hub_repo.path))
    finding = next(f for f in report["findings"] if f["message"].startswith(message))
    assert finding["message"].startswith(message), finding["message"]
    assert (finding["path"], finding["line"], finding["column"]) == (
        "hub/m/README.md",
        where[0] + 1,
        where[1],
    )


def test_a_readme_is_a_hub_card_only_where_configured(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write("hub/m/README.md", "---\nlicense: apache2\n---\n# m\n")
    git_repo.commit()
    assert lint_json(capsys, str(git_repo.path))[1]["findings"] == []


@pytest.fixture
def demo_with_hub_card(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> GitRepo:
    """The demo, its model documented by a Hub card with an `mlwf:` block instead of a
    card of ours (and the rest of the README's documents)."""
    from conftest import documented_demo

    repo = documented_demo(tmp_path / "demo")
    (repo.path / "docs/ml/models/text-classifier.md").unlink()
    repo.write(".mlwf-lint.yaml", HF_GLOB)
    repo.write("hub/text-classifier/README.md", HUB_CARD)
    repo.commit("the model documented on the Hub's card")
    capsys.readouterr()
    return repo


MODEL_RULES = "MLW102,MLW104,MLW202,MLW301,MLW306,MLW407"


def test_a_hub_card_with_an_mlwf_block_takes_part_in_the_model_rules(
    demo_with_hub_card: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = demo_with_hub_card
    card = repo.path / "hub/text-classifier/README.md"
    status, report = lint_json(capsys, str(repo.path), "--select", MODEL_RULES)
    assert (status, codes(report)) == (0, [])  # MLW102 satisfied; md5, metric, registry agree
    card.write_text(
        HUB_CARD.replace("value: 0.94", "value: 0.91")
        .replace(MODEL_MD5, "4e4c90f0dfd1bab0962717f555a5c8ea")
        .replace('version: "1.1.0"', 'version: "1.0.0"')
    )
    _status, report = lint_json(capsys, str(repo.path), "--select", MODEL_RULES)
    found = {(f["code"], f["line"], f["pointer"]) for f in report["findings"]}
    assert found == {
        ("MLW306", 11, "/model-index/0/results/0/metrics/0/value"),
        ("MLW301", 16, "/mlwf/artifact/md5"),
        ("MLW407", 15, "/mlwf/status"),
    }
    # the unsafe fixes write into the Hub card, in place
    assert main([str(repo.path), "--fix", "--unsafe-fixes", "--select", "MLW301,MLW306"]) == 0
    text = card.read_text()
    assert "value: 0.94}" in text and f"md5: {MODEL_MD5}}}" in text


@pytest.mark.usefixtures("no_sockets")
def test_export_huggingface_loads_with_the_hub_library_and_passes_our_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = pytest.importorskip("huggingface_hub")
    from conftest import documented_demo

    repo = documented_demo(tmp_path / "demo")
    out = repo.path / "hub/text-classifier/README.md"
    assert main(["export", "huggingface", "text-classifier", "--path", str(repo.path),
                 "--output", str(out)]) == 0  # fmt: skip
    card = hub.ModelCard(out.read_text())  # parsed by the Hub's own code; no validate()
    (result,) = card.data.eval_results
    assert (result.metric_type, result.metric_value, result.dataset_split) == (
        "accuracy",
        0.94,
        "test",
    )
    assert card.data.datasets == ["raw-posts"]
    assert "## Intended use" in card.text
    repo.write(".mlwf-lint.yaml", HF_GLOB)
    status, report = lint_json(capsys, str(repo.path), "--fail-on", "warning")
    assert (status, report["findings"]) == (0, [])  # our schema and every model rule agree
    assert main(["export", "huggingface", "nope", "--path", str(repo.path)]) == 2
    assert "no model card with id 'nope' (ids: text-classifier)" in capsys.readouterr().err


@pytest.mark.usefixtures("no_sockets")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib, inside mlcroissant
def test_export_croissant_loads_with_mlcroissant(tmp_path: Path) -> None:
    mlc = pytest.importorskip("mlcroissant")
    from conftest import documented_demo

    repo = documented_demo(tmp_path / "demo")
    repo.write("data/images.dvc", "outs:\n- md5: 969c013e23065c2da4a3c5f2dcbe99f1.dir\n"
               "  size: 10\n  nfiles: 2\n  hash: md5\n  path: images\n")  # fmt: skip
    repo.write(
        "docs/ml/data/images.yaml",
        "id: images\ndescription: Product photos.\nowners: [data@example.com]\n"
        "dataset: {path: data/images, md5: 969c013e23065c2da4a3c5f2dcbe99f1.dir}\n"
        "source: {origin: studio shoots, format: jpeg, license: CC0-1.0, contains_pii: true}\n"
        "transformations: []\n",
    )
    repo.commit("a folder dataset")
    for dataset, kind in (("raw-posts", "cr:FileObject"), ("images", "cr:FileSet")):
        out = tmp_path / f"{dataset}.json"
        assert main(["export", "croissant", dataset, "--path", str(repo.path),
                     "--output", str(out)]) == 0  # fmt: skip
        document = json.loads(out.read_text())
        (file,) = document["distribution"]
        assert file["@type"] == kind and file["contentUrl"] in ("data/raw/posts.xml", "data/images")
        if kind == "cr:FileObject":
            assert file["md5"] == "0015a914452495f6ec2310a043936d7d"  # from DVC
        assert "rai:personalSensitiveInformation" in document
        loaded = mlc.Dataset(jsonld=str(out))
        issues = loaded.metadata.ctx.issues
        assert issues.errors == set()
        # the one recommendation left: a lineage record has no version to give
        assert [w for w in issues.warnings if "schema.org/version" not in w] == []
