"""The rules: one module per family, each rule declared with its code, severity and
documented examples; RULES collects them by code. Rules read facts (facts/ and the model)
and never run git, parse files, or import a formatter, check, write or the command line."""

from __future__ import annotations

from mlwf_lint.rules import content, deployment, dvc, dvc_values, history, required, run
from mlwf_lint.rules.base import DeclaredRule, Rule

_DECLARED: list[DeclaredRule] = [
    value
    for module in (run, required, content, dvc, dvc_values, history, deployment)
    for value in vars(module).values()
    if isinstance(value, DeclaredRule)
]

RULES: dict[str, Rule] = {r.code: r for r in sorted(_DECLARED, key=lambda r: r.code)}
