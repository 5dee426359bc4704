"""The package's folders are its architecture (../shared/style.md): the command line →
configuration → facts → rules → findings → reports, with the writers to one side. This
reads every import — lazy ones inside functions too — and holds the nevers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mlwf_lint"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n == "mlwf_lint" or n.startswith("mlwf_lint.")}


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


_ALL_BUT = ("rules", "report", "cli", "check", "write")
NEVERS = [
    # (modules under mlwf_lint.X, must never import mlwf_lint.Y)
    ("rules", ("report", "cli", "check", "write")),
    ("report", ("rules", "facts", "check", "cli")),
    ("facts.sources", _ALL_BUT),
    ("facts", _ALL_BUT),
    ("check", ("cli", "report", "write")),
    ("write", ("cli", "report")),
    ("findings", ("facts", "rules", "report", "cli")),
]


@pytest.mark.parametrize(("package", "forbidden"), NEVERS, ids=[n[0] for n in NEVERS])
def test_imports_flow_one_way(package: str, forbidden: tuple[str, ...]) -> None:
    broken = [
        f"{module} imports {name}"
        for module, path in _modules().items()
        if _under(module, f"mlwf_lint.{package}")
        for name in sorted(_imports(path))
        if any(_under(name, f"mlwf_lint.{f}") for f in forbidden)
    ]
    assert broken == []


def test_the_checker_sees_real_imports() -> None:
    """The test above is only as good as its reading: it must see a lazy import."""
    assert "mlwf_lint.check.checker" in _imports(PACKAGE / "cli.py")
    assert "mlwf_lint.rules" in _imports(PACKAGE / "check" / "checker.py")


def test_few_loose_modules_and_every_folder_says_what_lives_there() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(loose) <= 8, loose
    for init in sorted(PACKAGE.glob("*/**/__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and "import" in docstring, f"{init} must say what it may import"


def test_the_command_never_imports_the_hub_or_croissant_libraries() -> None:
    """huggingface_hub and mlcroissant check our exports in the tests; the command does
    its checking with the shipped schema and stays light on the hook's path."""
    found = []
    for module, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [
                f"{module}: {n}"
                for n in names
                if n.split(".")[0] in ("huggingface_hub", "mlcroissant")
            ]
    assert found == []
