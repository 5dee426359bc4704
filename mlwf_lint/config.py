"""Find, load and validate the configuration; fill in the defaults of design §3."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from mlwf_lint.errors import UsageError
from mlwf_lint.facts.globs import first_group
from mlwf_lint.facts.models import DEFAULT_MODEL_PATTERNS
from mlwf_lint.facts.parsing import ParseProblem, decode, parse_yaml
from mlwf_lint.findings import Severity

CONFIG_FILE = ".mlwf-lint.yaml"

KINDS = ("model-card", "data-lineage", "rollback-plan", "decision-record", "hf-model-card")
# the field whose `path` names what a document of the kind describes in DVC
DESCRIBED_BY = {"model-card": "artifact", "data-lineage": "dataset"}
KIND_NAMES = {
    "model-card": "model card",
    "data-lineage": "data lineage record",
    "rollback-plan": "rollback plan",
    "decision-record": "decision record",
    "hf-model-card": "Hugging Face model card",
}

DEFAULT_GLOBS: Mapping[str, tuple[str, ...]] = {
    "model-card": ("docs/ml/models/*.md",),
    "data-lineage": ("docs/ml/data/*.yaml",),
    "rollback-plan": ("docs/ml/rollback/*.yaml",),
    "decision-record": ("docs/ml/decisions/[0-9][0-9][0-9][0-9]-*.md",),
    "hf-model-card": (),  # none by default: a README.md is a Hub card only where you say
}

DEFAULT_SECTIONS: Mapping[str, tuple[str, ...]] = {
    "model-card": ("Intended use", "Limitations", "Ethical considerations", "Evaluation"),
    "data-lineage": (),
    "rollback-plan": (),
    "decision-record": ("Context", "Decision", "Consequences"),
    "hf-model-card": (),
}

DEFAULT_ML_IMPORTS = (
    "sklearn", "torch", "torchvision", "torchaudio", "tensorflow", "keras", "jax", "flax",
    "optax", "xgboost", "lightgbm", "catboost", "transformers", "sentence_transformers",
    "diffusers", "peft", "pytorch_lightning", "lightning", "mxnet", "paddle",
    "onnxruntime", "spacy", "fastai", "timm",
)  # fmt: skip

DEFAULT_MAX_FILE_SIZE = 1024 * 1024
DEFAULT_ROLLBACK_DRILL_DAYS = 180
# a card's status → the GTO stages that mean it (design §10)
DEFAULT_REGISTRY_STAGES: Mapping[str, tuple[str, ...]] = {
    "development": ("dev",),
    "staging": ("stage", "staging"),
    "production": ("prod", "production"),
}


class KindConfig(NamedTuple):
    globs: tuple[str, ...]
    schema: str | None = None  # a team's own schema, relative to the repository root
    sections: tuple[str, ...] = ()  # required Markdown body headings


DEFAULT_KINDS: Mapping[str, KindConfig] = MappingProxyType(
    {k: KindConfig(DEFAULT_GLOBS[k], sections=DEFAULT_SECTIONS[k]) for k in KINDS}
)


class _Settings(NamedTuple):
    kinds: Mapping[str, KindConfig] = DEFAULT_KINDS
    ml_imports: frozenset[str] = frozenset(DEFAULT_ML_IMPORTS)
    model_patterns: tuple[str, ...] = DEFAULT_MODEL_PATTERNS
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: Mapping[str, Severity] = MappingProxyType({})
    fail_on: Severity = Severity.ERROR
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    staleness_commits: int = 0
    staleness_days: int = 0
    rollback_drill_days: int = DEFAULT_ROLLBACK_DRILL_DAYS
    registry_stages: Mapping[str, tuple[str, ...]] = MappingProxyType(DEFAULT_REGISTRY_STAGES)
    baseline: str | None = None  # the baseline file, relative to the repository root
    check_data: bool = False  # --check-data: compare workspace data (the dvc extra)
    history: bool = True  # --no-history turns the MLW4xx history reads off
    source: str | None = None  # the file it was read from, for messages


class Config(_Settings):
    """The configuration in effect: the defaults, the file's settings, then the
    command line's (`with_overrides`). (A subclass of its settings' record for what is
    worked out from them once.)"""

    @cached_property
    def kind_globs(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(kind, its globs) in KINDS order: the first kind that matches a path is its."""
        return tuple((k, self.kinds[k].globs) for k in KINDS)

    def kind_of(self, path: str) -> str | None:
        """The first kind, in KINDS order, whose globs match `path`."""
        return first_group(path, self.kind_globs)

    def with_overrides(
        self,
        *,
        select: tuple[str, ...] | None = None,
        extend_ignore: tuple[str, ...] = (),
        fail_on: Severity | None = None,
        check_data: bool = False,
        history: bool = True,
    ) -> Config:
        """Command-line options: --select replaces, --ignore adds (as in ruff)."""
        return self._replace(
            check_data=check_data,
            history=history,
            select=self.select if select is None else select,
            ignore=self.ignore + extend_ignore,
            fail_on=self.fail_on if fail_on is None else fail_on,
        )


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """The configuration for the repository at `root`: `explicit` if given, else
    .mlwf-lint.yaml, else [tool.mlwf-lint] in pyproject.toml, else the defaults."""
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"config file {explicit} does not exist")
        if explicit.suffix == ".toml":
            return _from_pyproject(explicit, required=True) or Config(source=str(explicit))
        return _from_yaml(explicit)
    yaml_file = root / CONFIG_FILE
    if yaml_file.is_file():
        return _from_yaml(yaml_file)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        return _from_pyproject(pyproject, required=False) or Config()
    return Config()


def _read_yaml(path: Path) -> tuple[dict[str, Any], Callable[[str], str]]:
    """A YAML configuration file's data, and where each key of it is (`file:line:col`)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read config {path}: {exc.strerror or exc}") from exc

    text = decode(raw)
    parsed = text if isinstance(text, ParseProblem) else parse_yaml(text)
    if isinstance(parsed, ParseProblem):
        at = f":{parsed.line0 + 1}:{(parsed.col0 or 0) + 1}" if parsed.line0 is not None else ""
        raise UsageError(f"{path}{at}: {parsed.message}")
    data = {} if parsed.data is None else parsed.data

    def where(pointer: str) -> str:
        position = parsed.key_position(pointer)
        return f"{path}:{position[0] + 1}:{position[1] + 1}" if position else str(path)

    _validate(data, where)
    return data, where


def _from_yaml(path: Path) -> Config:
    data, where = _read_yaml(path)
    return _build(_extended(data, where, path, (path.resolve(),)), where)


def _extended(
    data: dict[str, Any], where: Callable[[str], str], origin: Path, seen: tuple[Path, ...]
) -> dict[str, Any]:
    """`data` on top of the configurations its `extends:` names (each on top of its own):
    local keys win, lists combine, mappings merge key by key."""
    refs = data.get("extends") or []
    merged: dict[str, Any] = {}
    for ref in [refs] if isinstance(refs, str) else refs:
        path = _extends_file(ref, origin, where)
        if path in seen:
            chain = " → ".join(str(p) for p in (*seen, path))
            raise UsageError(f"{where('/extends')}: extends cycle: {chain}")
        base, base_where = _read_yaml(path)
        merged = _merge(merged, _extended(base, base_where, path, (*seen, path)))
    return _merge(merged, {k: v for k, v in data.items() if k != "extends"})


def _extends_file(ref: str, origin: Path, where: Callable[[str], str]) -> Path:
    """The file an `extends:` entry names: a path relative to the configuration that
    names it, or `pkg:MODULE/FILE.yaml` inside an installed Python package; never a
    network address."""
    here = where("/extends")
    if "://" in ref or ref.startswith(("git@", "git+")):
        raise UsageError(f"{here}: extends {ref}: a network address; only local files and "
                         "installed packages (pkg:MODULE/FILE.yaml) are read")  # fmt: skip
    if ref.startswith("pkg:"):
        from importlib.util import find_spec

        module, _, inner = ref.removeprefix("pkg:").partition("/")
        try:
            spec = find_spec(module) if module else None
        except (ImportError, ValueError):
            spec = None
        folders = list(spec.submodule_search_locations or []) if spec else []
        if not folders or not inner:
            raise UsageError(f"{here}: extends {ref}: no installed package {module!r} "
                             "(pip install it, or give pkg:MODULE/FILE.yaml)")  # fmt: skip
        path = Path(folders[0]) / inner
    else:
        path = origin.parent / ref
    if not path.is_file():
        raise UsageError(f"{here}: extends {ref}: {path} does not exist")
    return path.resolve()


def _merge(base: dict[str, Any], local: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in local.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = _merge(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            merged[key] = [*old, *(v for v in value if v not in old)]
        else:
            merged[key] = value
    return merged


def _from_pyproject(path: Path, *, required: bool) -> Config | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        if not required:
            return None
        raise UsageError(f"cannot read config {path}: {exc}") from exc
    if not required and "mlwf-lint" not in text:
        return None  # no section of ours, nothing of ours it could hide: not parsed
    import tomllib  # only for a pyproject.toml that may hold our section

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # a broken pyproject.toml may hide our configuration: never pass silently
        at = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        place = f"{path}:{at.group(1)}:{at.group(2)}" if at else str(path)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise UsageError(f"{place}: invalid TOML: {reason}") from exc
    section = document.get("tool", {}).get("mlwf-lint")
    if section is None:
        return None
    lines = text.splitlines()

    def where(pointer: str) -> str:
        line = _toml_key_line(lines, [p for p in pointer.split("/") if p])
        return f"{path}:{line}" if line else f"{path} [tool.mlwf-lint]"

    _validate(section, where)
    return _build(_extended(section, where, path, (path.resolve(),)), where)


def _toml_key_line(lines: list[str], keys: list[str]) -> int | None:
    """The 1-based line of `[tool.mlwf-lint]` (no keys) or of the first key of
    `keys` inside it (`key = ...`, or a `[tool.mlwf-lint.key...]` table)."""
    header = re.compile(r"^\s*\[\s*tool\s*\.\s*[\"']?mlwf-lint[\"']?\s*(\.[^\]]*)?\]")
    start = None
    for number, line in enumerate(lines, 1):
        match = header.match(line)
        if match and start is None:
            start = number
            if not keys:
                return number
        if start is None or not keys:
            continue
        if match and match.group(1) and match.group(1).strip(". \"'").startswith(keys[0]):
            return number
        stripped = line.strip()
        if re.match(rf"^[\"']?{re.escape(keys[0])}[\"']?\s*=", stripped):
            return number
        if stripped.startswith("[") and not match:
            start = None  # another table: the section ended
    return None


def _validate(data: Any, where: Any) -> None:
    from mlwf_lint.facts.schema_first_pass import surely_valid
    from mlwf_lint.facts.schemas import load_schema, shipped_validator

    if surely_valid(load_schema("config"), data):
        return  # every run reads the configuration: jsonschema only to word a problem
    validator = shipped_validator("config")
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if not errors:
        return
    error = errors[0]
    pointer = "".join(f"/{p}" for p in error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(k for k in error.instance if k not in allowed)
        key = unknown[0] if unknown else "?"
        known = ", ".join(sorted(allowed))
        raise UsageError(
            f"{where(f'{pointer}/{key}')}: unknown config key {key!r}"
            + (f" under {pointer[1:]!r}" if pointer else "")
            + f" (known: {known})"
        )
    if error.validator == "oneOf" and error.context:
        error = error.context[0]
    name = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    raise UsageError(f"{where(pointer)}: config key {name}: {error.message}")


def _build(data: Any, where: Any) -> Config:
    """The configuration from validated data (its `extends:` already merged in)."""
    assert isinstance(data, dict)
    kinds = {}
    for kind in KINDS:
        spec = data.get("documents", {}).get(kind, {})
        glob = spec.get("glob", DEFAULT_GLOBS[kind])
        kinds[kind] = KindConfig(
            globs=(glob,) if isinstance(glob, str) else tuple(glob),
            schema=spec.get("schema"),
            sections=tuple(spec.get("sections", DEFAULT_SECTIONS[kind])),
        )
    imports = set(data.get("ml-imports", DEFAULT_ML_IMPORTS)) | set(
        data.get("extend-ml-imports", ())
    )
    patterns = tuple(data.get("model-patterns", DEFAULT_MODEL_PATTERNS)) + tuple(
        data.get("extend-model-patterns", ())
    )
    staleness = data.get("staleness", {})
    return Config(
        kinds=kinds,
        ml_imports=frozenset(imports),
        model_patterns=patterns,
        exclude=tuple(data.get("exclude", ())),
        select=tuple(data.get("select", ())),
        ignore=tuple(data.get("ignore", ())),
        per_file_ignores=tuple(
            (glob, tuple(codes)) for glob, codes in data.get("per-file-ignores", {}).items()
        ),
        severity={code: Severity.parse(s) for code, s in data.get("severity", {}).items()},
        fail_on=Severity.parse(data.get("fail-on", "error")),
        max_file_size=data.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
        staleness_commits=staleness.get("commits", 0),
        staleness_days=staleness.get("days", 0),
        baseline=data.get("baseline"),
        rollback_drill_days=data.get("rollback-drill", {}).get("days", DEFAULT_ROLLBACK_DRILL_DAYS),
        registry_stages={
            status: (stages,) if isinstance(stages, str) else tuple(stages)
            for status, stages in {
                **DEFAULT_REGISTRY_STAGES,
                **data.get("registry-stages", {}),
            }.items()
        },
        source=where(""),
    )
