"""`mlwf-lint demo`: a small, real ML repository to try mlwf-lint on.

It has real Git history (three commits, the model trained twice, a GTO tag for each
version and one assigning v1.1.0 to prod), a `.dvc`-tracked raw
dataset, a four-stage `dvc.yaml` (its params in params.yaml, its metrics in
eval/metrics.json) with a `dvc.lock` whose hashes are those DVC 3
computes for the files in the working tree, a model artifact, and documents with a
few deliberate faults:

- MLW103: data/raw/labels.csv is tracked by DVC but has no lineage record;
- MLW104: the model card says production, and there is no rollback plan;
- MLW105: the model card links no decision record;
- MLW106: a lineage record still describes data/raw/tweets.csv, no longer tracked;
- MLW306: the card still reports v1.0.0's accuracy (0.91); the retrain measured 0.9375.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from mlwf_lint.errors import UsageError

# as `gto register` and `gto assign text-classifier --stage prod` write them
DEMO_TAGS = ("text-classifier@v1.0.0", "text-classifier@v1.1.0", "text-classifier#prod#1")


def file_md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def dir_manifest(path: Path) -> str:
    """A folder's DVC 3 manifest: its files' md5s as sorted JSON."""
    entries = [
        {"md5": file_md5(f), "relpath": f.relative_to(path).as_posix()}
        for f in sorted(path.rglob("*"))
        if f.is_file()
    ]
    return json.dumps(entries, sort_keys=True)


def dir_md5(path: Path) -> str:
    """The hash DVC 3 gives a folder: the md5 of its manifest, plus `.dir`."""
    return hashlib.md5(dir_manifest(path).encode()).hexdigest() + ".dir"


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _out(root: Path, rel: str) -> str:
    """A dvc.lock / .dvc `outs` entry for `rel`, as DVC 3 writes it."""
    path = root / rel
    if path.is_dir():
        nfiles = sum(1 for f in path.rglob("*") if f.is_file())
        return (
            f"    hash: md5\n    md5: {dir_md5(path)}\n    size: {_size(path)}\n"
            f"    nfiles: {nfiles}\n"
        )
    return f"    hash: md5\n    md5: {file_md5(path)}\n    size: {_size(path)}\n"


CODE = {
    "src/prepare.py": '''"""Split the raw posts into train and test sets."""
import random
import sys
from pathlib import Path

posts = Path("data/raw/posts.xml").read_text().splitlines()
random.Random(20251123).shuffle(posts)
out = Path("data/prepared")
out.mkdir(parents=True, exist_ok=True)
cut = int(len(posts) * 0.8)
(out / "train.tsv").write_text("\\n".join(posts[:cut]) + "\\n")
(out / "test.tsv").write_text("\\n".join(posts[cut:]) + "\\n")
''',
    "src/featurize.py": '''"""Turn posts into TF-IDF features."""
from sklearn.feature_extraction.text import TfidfVectorizer
''',
    "src/train.py": '''"""Train the text classifier."""
import pickle

import yaml
from sklearn.linear_model import LogisticRegression

params = yaml.safe_load(open("params.yaml"))["train"]
model = LogisticRegression(max_iter=params["max_iter"], C=params["C"])
''',
    "src/evaluate.py": '''"""Measure the classifier on the held-out split: eval/metrics.json."""
import json
''',
}

RAW_POSTS = "\n".join(
    f'<row Id="{i}" Body="post number {i} about {topic}" Label="{label}"/>'
    for i, (topic, label) in enumerate(
        [("python", 1), ("cooking", 0), ("r", 1), ("travel", 0), ("pandas", 1)] * 8
    )
)


def _cache(root: Path, rel: str) -> None:
    """Put `rel` into the DVC 3 cache, as `dvc add`/`dvc commit` would, so that
    `dvc status` in the demo says everything is up to date."""
    path = root / rel
    files = [f for f in sorted(path.rglob("*")) if f.is_file()] if path.is_dir() else [path]
    for f in files:
        digest = file_md5(f)
        target = root / ".dvc/cache/files/md5" / digest[:2] / digest[2:]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.read_bytes())
    if path.is_dir():
        digest = dir_md5(path)
        target = root / ".dvc/cache/files/md5" / digest[:2] / digest[2:]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dir_manifest(path))


def _dvc_file(root: Path, rel: str) -> str:
    lines = [line[2:] for line in _out(root, rel).splitlines()]
    return "\n".join(["outs:", f"- path: {Path(rel).name}", *lines]) + "\n"


def _build_workspace(root: Path) -> None:
    _write(root, ".dvc/config", "")
    _write(root, ".dvc/.gitignore", "/config.local\n/tmp\n/cache\n")
    _write(root, ".dvcignore", "# Add patterns of files dvc should ignore\n")
    _write(root, "README.md", "# Text classifier\n\nA demo made by `mlwf-lint demo`.\n")
    for rel, text in CODE.items():
        _write(root, rel, text)
    _write(root, "data/raw/posts.xml", RAW_POSTS + "\n")
    _write(root, "data/raw/labels.csv", "label,name\n0,other\n1,programming\n")
    _write(root, "data/raw/.gitignore", "/posts.xml\n/labels.csv\n")
    for rel in ("data/raw/posts.xml", "data/raw/labels.csv"):
        _write(root, rel + ".dvc", _dvc_file(root, rel))
    # what `dvc repro` would leave in the workspace
    _write(root, "data/prepared/train.tsv", "\n".join(RAW_POSTS.splitlines()[:32]) + "\n")
    _write(root, "data/prepared/test.tsv", "\n".join(RAW_POSTS.splitlines()[32:]) + "\n")
    _write(root, "data/features/train.npz", "features of 32 posts\n")
    _write(root, "data/features/test.npz", "features of 8 posts\n")
    _write(root, "data/.gitignore", "/prepared\n/features\n")
    _write(root, "models/.gitignore", "/model.pkl\n")
    for rel in ("data/raw/posts.xml", "data/raw/labels.csv"):
        _cache(root, rel)


STAGES = {
    "prepare": (["data/raw/posts.xml", "src/prepare.py"], ["data/prepared"]),
    "featurize": (["data/prepared", "src/featurize.py"], ["data/features"]),
    "train": (["data/features", "src/train.py"], ["models/model.pkl"]),
    "evaluate": (["models/model.pkl", "src/evaluate.py"], []),
}
PARAMS = {"train": ("train.C", "train.max_iter")}
METRICS = {"evaluate": "eval/metrics.json"}  # kept in Git (cache: false)


def _train(root: Path, model: str, max_iter: int, accuracy: float) -> None:
    """What `dvc repro` leaves behind: the model, its metrics, dvc.yaml, dvc.lock (with
    the params each stage ran with), a filled cache."""
    _write(root, "params.yaml", f"train:\n  C: 1.0\n  max_iter: {max_iter}\n")
    values = {"train.C": "1.0", "train.max_iter": str(max_iter)}
    _write(root, "models/model.pkl", model)
    _write(root, "eval/metrics.json", json.dumps({"accuracy": {"test": accuracy}}) + "\n")
    yaml_lines = ["stages:"]
    lock_lines = ["schema: '2.0'", "stages:"]
    for name, (deps, outs) in STAGES.items():
        yaml_lines += [f"  {name}:", f"    cmd: python src/{name}.py", "    deps:"]
        yaml_lines += [f"    - {d}" for d in deps]
        if name in PARAMS:
            yaml_lines += ["    params:"] + [f"    - {p}" for p in PARAMS[name]]
        if outs:
            yaml_lines += ["    outs:"] + [f"    - {o}" for o in outs]
        if name in METRICS:
            yaml_lines += ["    metrics:", f"    - {METRICS[name]}:", "        cache: false"]
        lock_lines += [f"  {name}:", f"    cmd: python src/{name}.py", "    deps:"]
        for rel in deps:
            lock_lines.append(f"    - path: {rel}")
            lock_lines += ["  " + line for line in _out(root, rel).splitlines()]
        if name in PARAMS:
            lock_lines += ["    params:", "      params.yaml:"]
            lock_lines += [f"        {p}: {values[p]}" for p in PARAMS[name]]
        lock_lines.append("    outs:")
        for rel in [*outs, *([METRICS[name]] if name in METRICS else [])]:
            lock_lines.append(f"    - path: {rel}")
            lock_lines += ["  " + line for line in _out(root, rel).splitlines()]
    yaml_lines += [
        "artifacts:",
        "  text-classifier:",
        "    path: models/model.pkl",
        "    type: model",
        "    desc: Classifies posts as programming or not",
    ]
    _write(root, "dvc.yaml", "\n".join(yaml_lines) + "\n")
    _write(root, "dvc.lock", "\n".join(lock_lines) + "\n")
    for _deps, outs in STAGES.values():
        for rel in outs:
            _cache(root, rel)


def _documents(root: Path) -> None:
    model_md5 = file_md5(root / "models/model.pkl")
    posts_md5 = file_md5(root / "data/raw/posts.xml")
    _write(
        root,
        "docs/ml/models/text-classifier.md",
        f"""---
id: text-classifier
name: Post topic classifier
version: "1.1.0"
status: production
owners: [ml-team@example.com]
artifact:
  path: models/model.pkl
  md5: {model_md5}
training_data:
  - dataset: raw-posts
    md5: {posts_md5}
hyperparameters:
  train.C: 1.0
  train.max_iter: 400
metrics:
  - name: accuracy
    value: 0.91
    split: test
    source: eval/metrics.json
decisions: []
monitoring:
  metrics:
    - {{name: accuracy, threshold: 0.85}}
  drift: share of posts outside the known topics above 10 % in a week
  retraining: a drift alert, or accuracy below 0.85 on the weekly audit sample
---
# Post topic classifier

## Intended use
Route incoming posts to the programming queue.

## Limitations
Trained on 40 English posts; do not use on other languages.

## Ethical considerations
Posts may carry personal data; the model stores none of it.

## Evaluation
Accuracy 0.91 on the held-out 20 % split.
""",
    )
    _write(
        root,
        "docs/ml/data/raw-posts.yaml",
        f"""# yaml-language-server: $schema=https://mlwf-lint.dev/schemas/data-lineage.schema.json
id: raw-posts
description: Forum posts exported from the community site, one XML row each.
owners: [data-team@example.com]
dataset:
  path: data/raw/posts.xml
  md5: {posts_md5}
source:
  origin: community forum export
  format: xml
  license: CC-BY-SA-4.0
  contains_pii: false
transformations:
  - description: split 80/20 into train and test
    stage: prepare
""",
    )
    _write(
        root,
        "docs/ml/data/tweets.yaml",
        """id: tweets
description: Tweets used by the first prototype; replaced by raw-posts.
owners: [data-team@example.com]
dataset:
  path: data/raw/tweets.csv
  md5: 5d41402abc4b2a76b9719d911017c592
source:
  origin: public API sample
  format: csv
  license: proprietary
  contains_pii: true
transformations: []
""",
    )
    _write(
        root,
        "docs/ml/decisions/0001-track-data-with-dvc.md",
        """---
id: ADR-0001
title: Track data and models with DVC
status: accepted
date: 2026-11-02
deciders: [ml-team@example.com]
---
# Track data and models with DVC

## Context
Data files are too large for Git, and we must know which data built which model.

## Decision
Track raw data with `dvc add` and build models with a `dvc.yaml` pipeline.

## Consequences
Every model is reproducible from a Git commit; DVC must be installed to pull data.
""",
    )


def make_demo(folder: Path | None) -> Path:
    """Create the demo repository in `folder` (new or empty) and return its path."""
    import git  # GitPython: only the demo pays for the import

    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="mlwf-lint-demo-"))
    elif folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} exists and is not an empty folder; pick a new one")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot make {folder}: {exc.strerror or exc}") from exc
    repo = git.Repo.init(folder, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "mlwf-lint demo")
        config.set_value("user", "email", "demo@mlwf-lint.invalid")
        config.set_value("commit", "gpgsign", "false")
        config.set_value("tag", "gpgsign", "false")

    def commit(message: str, day: int) -> None:
        stamp = f"2026-11-{day:02d}T10:00:00+00:00"
        repo.git.add("-A")
        with repo.git.custom_environment(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp):
            repo.git.commit("-q", "--no-verify", "-m", message)

    _build_workspace(folder)
    _train(folder, "a pickled LogisticRegression(max_iter=200)\n", 200, 0.91)
    commit("Text classifier: code, DVC-tracked data and a four-stage pipeline", 1)
    repo.create_tag(DEMO_TAGS[0], message="Registering artifact text-classifier version v1.0.0")
    _train(folder, "a pickled LogisticRegression(max_iter=400)\n", 400, 0.9375)
    commit("Retrain the text classifier with more iterations", 2)
    repo.create_tag(DEMO_TAGS[1], message="Registering artifact text-classifier version v1.1.0")
    repo.create_tag(DEMO_TAGS[2], message="Assigning stage prod to artifact text-classifier")
    _documents(folder)
    commit("Document the model, its data and the decision to use DVC", 3)
    return folder
