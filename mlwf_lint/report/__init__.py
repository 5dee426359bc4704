"""The formatters: FORMATS, renderers by name. Each takes the report (the model) and the
render options and returns the whole text; may import only the model (findings, errors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from mlwf_lint.findings import Report


class RenderOptions(NamedTuple):
    color: bool = False
    quiet: bool = False


Renderer = Callable[[Report, RenderOptions], str]


def _lazy(module: str) -> Renderer:
    """A renderer whose module is imported only when that format is asked for."""

    def render(report: Report, options: RenderOptions) -> str:
        from importlib import import_module

        renderer: Renderer = import_module(f"mlwf_lint.report.{module}").render
        return renderer(report, options)

    return render


FORMATS: dict[str, Renderer] = {
    name: _lazy(name)
    for name in ("text", "json", "sarif", "github", "gitlab", "junit", "markdown", "html")
}
