"""Generate a realistic ML repository with `git fast-import`, for the benchmarks.

    python bench/generate.py OUT --commits 20000 --files 200 --models 5 --datasets 5

The repository has Python code (some of it importing ML libraries), a `dvc.yaml`
with one train stage per model and a `dvc.lock`, a `.dvc` file per source dataset,
and documents — model cards, lineage records, rollback plans with GTO tags, decision
records — that land mid-history and change later, while code commits keep coming.
Every hash and reference in the final documents is true, so a full check measures
work, not error reporting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

MONITORING = (
    "monitoring:\n  metrics: [{name: accuracy, threshold: 0.85}]\n"
    "  drift: PSI above 0.2 on an input feature\n  retraining: on a drift alert\n"
)
SECTIONS = "\n## Intended use\nX.\n\n## Limitations\nY.\n\n## Ethical considerations\nZ.\n\n## Evaluation\nW.\n"


def _adr(number: int) -> str:
    return (
        f"---\nid: ADR-{number:04d}\ntitle: Decision {number}\nstatus: accepted\n"
        "date: 2026-01-01\ndeciders: [team@example.com]\n---\n# Decision\n\n"
        "## Context\nC.\n\n## Decision\nD.\n\n## Consequences\nE.\n"
    )


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@dataclass
class Repo:
    files: dict[str, str] = field(default_factory=dict)
    stream: list[bytes] = field(default_factory=list)
    mark: int = 0
    time: int = 1_700_000_000

    def commit(self, message: str, changes: dict[str, str], tag: str | None = None) -> None:
        self.mark += 1
        self.time += 600
        parts = [
            b"commit refs/heads/main\n",
            f"mark :{self.mark}\n".encode(),
            f"committer Bench <bench@example.com> {self.time} +0000\n".encode(),
            self._data(message),
        ]
        if self.mark > 1:
            parts.append(f"from :{self.mark - 1}\n".encode())
        for path, text in changes.items():
            self.files[path] = text
            parts.append(f"M 100644 inline {path}\n".encode())
            parts.append(self._data(text))
        parts.append(b"\n")
        if tag:
            parts.append(f"reset refs/tags/{tag}\nfrom :{self.mark}\n\n".encode())
        self.stream.append(b"".join(parts))

    @staticmethod
    def _data(text: str) -> bytes:
        raw = text.encode()
        return f"data {len(raw)}\n".encode() + raw + b"\n"


def _lock(
    models: int, model_md5: dict[int, str], dataset_md5: dict[int, str], code_md5: dict[int, str]
) -> str:
    lines = ["schema: '2.0'", "stages:"]
    for i in range(models):
        lines += [
            f"  train_{i}:",
            f"    cmd: python src/train_{i}.py",
            "    deps:",
            f"    - path: data/raw_{i % max(len(dataset_md5), 1)}.csv",
            "      hash: md5",
            f"      md5: {dataset_md5.get(i % max(len(dataset_md5), 1), md5('none'))}",
            f"    - path: src/train_{i}.py",
            "      hash: md5",
            f"      md5: {code_md5[i]}",
            "    outs:",
            f"    - path: models/model_{i}.pkl",
            "      hash: md5",
            f"      md5: {model_md5[i]}",
        ]
    return "\n".join(lines) + "\n"


def generate(
    out: Path, commits: int, files: int, models: int, datasets: int, documents: int, seed: int = 7
) -> None:
    rng = random.Random(seed)
    repo = Repo()
    code = {f"src/pkg_{i // 100}/module_{i}.py": f"VALUE = {i}\n" for i in range(files)}
    for i in range(models):
        code[f"src/train_{i}.py"] = (
            f"from sklearn.linear_model import LogisticRegression\nEPOCHS = {i}\n"
        )
    dataset_md5 = {j: md5(f"dataset {j} v0") for j in range(datasets)}
    model_md5 = {i: md5(f"model {i} v0") for i in range(models)}
    code_md5 = {i: md5(code[f"src/train_{i}.py"]) for i in range(models)}
    initial = dict(code)
    initial["dvc.yaml"] = "stages:\n" + "".join(
        f"  train_{i}:\n    cmd: python src/train_{i}.py\n    deps: [data/raw_{i % max(datasets, 1)}.csv, src/train_{i}.py]\n"
        f"    outs: [models/model_{i}.pkl]\n"
        for i in range(models)
    )
    initial["dvc.lock"] = _lock(models, model_md5, dataset_md5, code_md5)
    for j in range(datasets):
        initial[f"data/raw_{j}.csv.dvc"] = (
            f"outs:\n- md5: {dataset_md5[j]}\n  size: 100\n  hash: md5\n  path: raw_{j}.csv\n"
        )
    repo.commit("Initial code, data and pipeline", initial)
    versions = {i: 0 for i in range(models)}
    for i in range(models):
        repo.stream.append(
            f"reset refs/tags/model-{i}@v1.0.{versions[i]}\nfrom :{repo.mark}\n\n".encode()
        )

    def documents_for(final: bool) -> dict[str, str]:
        docs: dict[str, str] = {}
        adrs = max(documents // 10, 1)
        for a in range(adrs):
            docs[f"docs/ml/decisions/{a + 1:04d}-decision-{a}.md"] = _adr(a + 1)
        for j in range(datasets):
            docs[f"docs/ml/data/raw-{j}.yaml"] = (
                f"id: raw-{j}\ndescription: Dataset {j}.\nowners: [data@example.com]\n"
                f'dataset:\n  path: data/raw_{j}.csv\n  md5: "{dataset_md5[j]}"\n'
                "source: {origin: export, format: csv, license: CC0-1.0, contains_pii: false}\n"
                "transformations: []\n"
            )
        for i in range(models):
            v = versions[i]
            docs[f"docs/ml/models/model-{i}.md"] = (
                f'---\nid: model-{i}\nname: Model {i}\nversion: "1.0.{v}"\nstatus: production\n'
                f'owners: [ml@example.com]\nartifact:\n  path: models/model_{i}.pkl\n  md5: "{model_md5[i]}"\n'
                f'training_data:\n  - dataset: raw-{i % max(datasets, 1)}\n    md5: "{dataset_md5[i % max(datasets, 1)]}"\n'
                "metrics:\n  - {name: accuracy, value: 0.9, split: test}\n"
                f"rollback_plan: model-{i}-rollback\ndecisions: [ADR-0001]\n{MONITORING}"
                f"---\n# Model {i}\n{SECTIONS}"
            )
            fallback = max(v - 1, 0)
            docs[f"docs/ml/rollback/model-{i}.yaml"] = (
                f"id: model-{i}-rollback\nmodel: model-{i}\nowner: oncall@example.com\n"
                f'current: {{version: "1.0.{v}", git_ref: model-{i}@v1.0.{v}, md5: "{model_md5[i]}"}}\n'
                f'fallback: {{version: "1.0.{fallback}", git_ref: model-{i}@v1.0.{fallback}, md5: "{history_md5[i][fallback]}"}}\n'
                "triggers: [accuracy below 0.8]\nprocedure: [redeploy the fallback]\n"
                f"last_tested: {dt.date.today().isoformat()}\n"
            )
        extra = documents - len(docs)
        for k in range(max(extra, 0)):
            docs[f"docs/ml/decisions/{adrs + k + 1:04d}-more-{k}.md"] = _adr(adrs + k + 1)
        return docs

    history_md5 = {i: [model_md5[i]] for i in range(models)}
    docs_at = commits // 3
    retrain_every = max(commits // (4 * max(models, 1)), 1)
    for n in range(1, commits):
        if n == docs_at:
            repo.commit("Document models, data and decisions", documents_for(False))
            continue
        if n > docs_at and n % retrain_every == 0 and models:
            i = rng.randrange(models)
            versions[i] += 1
            model_md5[i] = md5(f"model {i} v{versions[i]}")
            history_md5[i].append(model_md5[i])
            changes = {"dvc.lock": _lock(models, model_md5, dataset_md5, code_md5)}
            changes.update(
                {
                    p: t
                    for p, t in documents_for(True).items()
                    if p.startswith(("docs/ml/models", "docs/ml/rollback"))
                }
            )
            repo.commit(f"Retrain model {i}", changes, tag=f"model-{i}@v1.0.{versions[i]}")
            continue
        path = (
            f"src/pkg_{(n % max(files, 1)) // 100}/module_{n % max(files, 1)}.py"
            if files
            else "README.md"
        )
        repo.commit(f"Change {path}", {path: f"VALUE = {n}\n"})
    if docs_at >= commits:
        repo.commit("Document models, data and decisions", documents_for(False))
    out.mkdir(parents=True, exist_ok=False)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=out, input=b"".join(repo.stream), check=True
    )
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=out, check=True)
    subprocess.run(
        ["git", "commit-graph", "write", "--reachable"], cwd=out, check=True, capture_output=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--models", type=int, default=3)
    parser.add_argument("--datasets", type=int, default=3)
    parser.add_argument("--documents", type=int, default=20)
    args = parser.parse_args()
    generate(args.out, args.commits, args.files, args.models, args.datasets, args.documents)


if __name__ == "__main__":
    main()
