"""FORMATS: report renderers by name. Each takes the report and the render options
and returns the whole text; none imports a rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlwf_lint.findings import Report


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    quiet: bool = False


Renderer = Callable[[Report, RenderOptions], str]


def _text(report: Report, options: RenderOptions) -> str:
    from mlwf_lint.report import text

    return text.render(report, options)


def _json(report: Report, options: RenderOptions) -> str:
    from mlwf_lint.report import json

    return json.render(report, options)


FORMATS: dict[str, Renderer] = {"text": _text, "json": _json}
