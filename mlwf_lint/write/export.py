"""`mlwf-lint export`: our documents in the formats teams already publish — a model card
as a Hugging Face Hub card, a data lineage record as Croissant 1.0 JSON-LD. Read-only:
the text goes to stdout or to a file written whole; nothing is fetched."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from typing import Any

from mlwf_lint.errors import UsageError
from mlwf_lint.facts.documents import Document, described_path
from mlwf_lint.facts.history_facts import recording_file
from mlwf_lint.facts.parsing import yaml_scalar
from mlwf_lint.facts.repo import RepoFacts
from mlwf_lint.facts.sources import history
from mlwf_lint.facts.values import yaml_text

CROISSANT = "http://mlcommons.org/croissant/1.0"
# the Croissant 1.0 JSON-LD @context, as its specification gives it
CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "equivalentProperty": "cr:equivalentProperty",
    "samplingRate": "cr:samplingRate",
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
FORMATS = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/json",
    "jsonl": "application/jsonlines",
    "parquet": "application/x-parquet",
    "xml": "application/xml",
    "zip": "application/zip",
    "txt": "text/plain",
    "npz": "application/octet-stream",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def _pick(documents: Iterable[Document], wanted: str, what: str) -> Document:
    found = {d.id: d for d in documents if d.id}
    if wanted not in found:
        known = ", ".join(sorted(found)) or "none"
        raise UsageError(f"no {what} with id {wanted!r} (ids: {known})")
    document = found[wanted]
    if document.parsed is None:
        raise UsageError(f"{document.path} cannot be read; fix it first (mlwf-lint)")
    return document


def huggingface_card(facts: RepoFacts, model_id: str) -> str:
    """A model card of ours as a Hub model card: the Hub's metadata — `model-index`
    from the metrics (one result per split, on the card's `task` and its first
    training dataset), `datasets` from the training data's lineage records, `license`
    when the card has one — our fields under `mlwf:` (so the Hub card still takes part
    in the model rules), and the card's Markdown body."""
    card = _pick(facts.documents_of("model-card"), model_id, "model card")
    records = {d.id: d for d in facts.documents_of("data-lineage") if d.id}
    training = [
        item["dataset"]
        for item in card.get("training_data") or []
        if isinstance(item, dict) and isinstance(item.get("dataset"), str)
    ]
    first = records.get(training[0]) if training else None
    dataset = {
        "type": training[0] if training else model_id,
        "name": (first.get("description") if first else None) or (training or [model_id])[0],
    }
    results: dict[str, list[dict[str, Any]]] = {}
    for metric in card.get("metrics") or []:
        if isinstance(metric, dict) and isinstance(metric.get("name"), str):
            split = str(metric.get("split") or "test")
            results.setdefault(split, []).append(
                {
                    "type": metric["name"],
                    "value": metric.get("value"),
                    "name": f"{split} {metric['name']}",
                }
            )
    lines = ["---"]
    if isinstance(card.get("license"), str):
        lines.append(f"license: {yaml_scalar(card.get('license'))}")
    if training:
        lines.append("datasets:")
        lines += [f"- {yaml_scalar(d)}" for d in training]
    if results:
        task = card.get("task") if isinstance(card.get("task"), str) else "other"
        lines += ["model-index:", f"- name: {yaml_scalar(model_id)}", "  results:"]
        for split, metrics in results.items():
            lines += [
                f"  - task: {{type: {yaml_scalar(task)}}}",
                f"    dataset: {{type: {yaml_scalar(dataset['type'])}, "
                f"name: {yaml_scalar(str(dataset['name']))}, split: {yaml_scalar(split)}}}",
                "    metrics:",
            ]
            for metric in metrics:
                value = yaml_text(metric["value"]) or yaml_scalar(str(metric["value"]))
                lines.append(
                    f"    - {{type: {yaml_scalar(metric['type'])}, value: {value}, "
                    f"name: {yaml_scalar(metric['name'])}}}"
                )
    lines += ["mlwf:", f"  id: {yaml_scalar(model_id)}"]
    for key in ("version", "status", "rollback_plan"):
        if isinstance(card.get(key), str):
            lines.append(f"  {key}: {yaml_scalar(card.get(key))}")
    owners = [o for o in card.get("owners") or [] if isinstance(o, str)]
    if owners:
        lines.append(f"  owners: [{', '.join(yaml_scalar(o) for o in owners)}]")
    path, md5 = card.get("artifact", "path"), card.get("artifact", "md5")
    if isinstance(path, str) and isinstance(md5, str):
        lines.append(f"  artifact: {{path: {yaml_scalar(path)}, md5: {yaml_scalar(md5)}}}")
    body = card.parsed.body if card.parsed and card.parsed.body else f"\n# {model_id}\n"
    return "\n".join(lines) + "\n---\n" + body.lstrip("\n")


def croissant(facts: RepoFacts, dataset_id: str) -> str:
    """A data lineage record as Croissant 1.0 JSON-LD: name, description, licence,
    creators from its owners, one `cr:FileObject` (a file) or `cr:FileSet` (a folder
    output, with the `.dir` hash DVC records) per DVC path with its md5 and its path in
    the repository as `contentUrl`, and the Responsible AI fields the record holds."""
    record = _pick(facts.documents_of("data-lineage"), dataset_id, "data lineage record")
    path = described_path(record)
    output = facts.dvc.output_for(path) if path else None
    md5 = output.md5 if output and output.path == path else record.get("dataset", "md5")
    found = record.get("source")
    source: dict[str, Any] = found if isinstance(found, dict) else {}
    distribution: list[dict[str, Any]] = []
    if path:
        suffix = posixpath.splitext(path)[1].lstrip(".").lower()
        entry: dict[str, Any] = {
            "@type": "cr:FileSet" if (output and output.is_dir) else "cr:FileObject",
            "@id": path,
            "name": posixpath.basename(path) or path,
            "contentUrl": path,
            "encodingFormat": FORMATS.get(
                str(source.get("format") or suffix), "application/octet-stream"
            ),
        }
        if output and output.is_dir:
            entry["includes"] = f"{path}/**"
            entry["description"] = f"a folder DVC tracks as a whole (md5 {md5})"
        elif isinstance(md5, str):
            entry["md5"] = md5
        distribution.append(entry)
    owners = [o for o in record.get("owners") or [] if isinstance(o, str)]
    document: dict[str, Any] = {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT,
        "name": dataset_id,
        "description": record.get("description") or dataset_id,
        "license": source.get("license") or "unknown",
        "url": path or dataset_id,
        "creator": [{"@type": "sc:Person", "name": owner} for owner in owners],
        "distribution": distribution,
    }
    recorded_in = recording_file(output) if output and output.path == path else None
    day = history.last_commit_day(facts.root, recorded_in) if recorded_in else None
    if day:  # when DVC recorded this version of the data
        document["datePublished"] = day
    document["citeAs"] = (
        f"{record.get('description') or dataset_id} {', '.join(owners)}. "
        f"{path or dataset_id}" + (f", DVC md5 {md5}" if isinstance(md5, str) else "") + "."
    )
    if isinstance(source.get("contains_pii"), bool):
        document["rai:personalSensitiveInformation"] = (
            "The data contains personal information." if source["contains_pii"]
            else "The data contains no personal information."
        )  # fmt: skip
    if isinstance(source.get("origin"), str):
        document["rai:dataCollection"] = source["origin"]
    steps = [
        t.get("description")
        for t in record.get("transformations") or []
        if isinstance(t, dict) and isinstance(t.get("description"), str)
    ]
    if steps:
        document["rai:dataPreprocessingProtocol"] = steps
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
