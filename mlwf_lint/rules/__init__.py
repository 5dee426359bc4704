"""RULES: every rule by code. Rule modules declare; this module only collects."""

from __future__ import annotations

from mlwf_lint.rules import content, dvc, history, required, run
from mlwf_lint.rules.base import DeclaredRule, Rule

_DECLARED: list[DeclaredRule] = [
    value
    for module in (run, required, content, dvc, history)
    for value in vars(module).values()
    if isinstance(value, DeclaredRule)
]

RULES: dict[str, Rule] = {r.code: r for r in sorted(_DECLARED, key=lambda r: r.code)}
