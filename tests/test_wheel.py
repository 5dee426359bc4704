"""The top-level schemas/ is the one source of truth and ships inside the wheel."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import PROJECT


def test_wheel_installs_and_loads_its_schemas(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="the dev extra builds the wheel offline")
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(dist), str(PROJECT)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = dist.glob("mlwf_lint-*.whl")
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    script = (
        "import json, mlwf_lint.facts.schemas as s\n"
        "print(json.dumps({'dir': str(s.schema_dir()), "
        "'names': sorted(p.name for p in s.schema_dir().iterdir()), "
        "'config': s.load_schema('config')}))\n"
    )
    done = subprocess.run(
        [str(python), "-I", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    shipped = json.loads(done.stdout)
    assert Path(shipped["dir"]).is_relative_to(env)
    source = PROJECT / "schemas"
    assert shipped["names"] == sorted(p.name for p in source.glob("*.schema.json"))
    assert shipped["config"] == json.loads((source / "config.schema.json").read_text())
