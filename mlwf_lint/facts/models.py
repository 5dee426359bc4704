"""Which DVC outputs are models, as a person looking at the repository would say.

A `dvc.yaml` `artifacts:` entry of `type: model` always is (decided in
`sources/dvc.py`). Otherwise a path is a model when it matches the model patterns:
a model-only file type (`*.onnx`, `*.pt`, `*.safetensors`, ...) or a model folder
anywhere in the tree (`models/`, `model/`, `prod_model/`, `data/02_models/`). The
pickle-like types (`*.pkl`, `*.joblib`, `*.h5`) hold dataframes as often as models:
such a file counts as a model unless it is clearly data — in a data folder (`data/`,
`features/`, `processed/`, ...) or named like a split or a frame (`X_train.pkl`,
`test_df.pkl`) — and its name says nothing of a model. A pattern the team adds
(`extend-model-patterns`) always counts.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from mlwf_lint.facts.globs import matches_any

MODEL_FILE_PATTERNS = ("*.onnx", "*.pt", "*.pth", "*.keras", "*.safetensors", "*.tflite")
PICKLE_LIKE_PATTERNS = ("*.pkl", "*.pickle", "*.joblib", "*.h5")
MODEL_FOLDER_PATTERNS = ("**/models/**", "**/*_models/**", "**/model/**", "**/*_model/**")
DEFAULT_MODEL_PATTERNS = MODEL_FILE_PATTERNS + PICKLE_LIKE_PATTERNS + MODEL_FOLDER_PATTERNS

_DATA_FOLDERS = frozenset(
    [
        "data",
        "datasets",
        "dataset",
        "features",
        "feature",
        "processed",
        "interim",
        "raw",
        "prepared",
        "external",
        "splits",
        "input",
        "inputs",
    ]
)
# compiled on first use (re caches them): most runs meet no pickle-like output
_NUMBERED_FOLDER = r"\d+_\w+"  # kedro's data/01_raw, data/05_model_input
_MODEL_WORDS = (
    r"model|clf|classifier|regressor|estimator|pipeline|vectori[sz]er|tokeni[sz]er|"
    r"encoder|scaler|weights|checkpoint|ckpt|net\b|booster|lgbm|xgb"
)
_DATA_NAMES = (
    r"(?:^|[_\-.])(?:x|y|df|data|dataset|frame|features?|train|test|val|valid|dev|split)"
    r"(?:$|[_\-.])"
)


@lru_cache(maxsize=4096)
def clearly_data(path: str) -> bool:
    """A pickle-like file that holds data, not a model, by what its path says."""
    lowered = path.lower()
    stem = posixpath.basename(lowered).split(".")[0]
    if re.search(_MODEL_WORDS, stem):
        return False
    folders = lowered.split("/")[:-1]
    in_data_folder = any(
        f in _DATA_FOLDERS or (re.fullmatch(_NUMBERED_FOLDER, f) and "model" not in f)
        for f in folders
    )
    return in_data_folder or bool(re.search(_DATA_NAMES, stem))


def is_model_path(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether a DVC output at `path` is a model under the configured patterns."""
    lowered = path.lower()
    pickle_like, others = _split(patterns)
    if matches_any(lowered, others):
        return True
    return matches_any(lowered, pickle_like) and not clearly_data(path)


@lru_cache(maxsize=8)
def _split(patterns: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the pickle-like patterns, the others), lower-cased: each set is one regular
    expression to compile, not one per pattern."""
    pickle_like = tuple(p.lower() for p in patterns if p in PICKLE_LIKE_PATTERNS)
    return pickle_like, tuple(p.lower() for p in patterns if p not in PICKLE_LIKE_PATTERNS)
