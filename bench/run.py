"""The budgets of design §8, measured: whole-process wall time (median of several
runs), peak memory, and the ratio to a reference measured in the same run.

    python bench/run.py               # all three cases (builds repositories in bench/out)
    python bench/run.py --quick       # tiny sizes, one run each: checks the script works

Cases:
  1. typical repository (~20 documents), warm: mlwf-lint vs check-jsonschema validating
     the same YAML documents (budget: ≤ 0.35x);
  2. 20,000 commits: full check with history rules vs one `git log --name-only` pass
     over the same history (budget: cold ≤ 0.5x, warm ≤ 0.3x), and beside it the floor
     under the cold figure (`floor.py`: start-up and the two history walks alone);
  3. monorepo, 50,000 commits / 20,000 files / 500 documents / 500 DVC outputs: cold
     (a fresh `git clone` per run, so no result cache) full check ≤ 1.2x one
     `git log --name-only` pass in the same clone, `--base HEAD~20` ≤ 1 s, peak ≤ 200 MB;
     warm figures beside them;
  4. (opt-in, `--cases 3,4`) the same monorepo with 5x the history: cold `--base` ≤ 1.3x
     case 3's;
  5. (opt-in, `--cases 5`) each capability beyond the plain check on the monorepo, cold:
     report formats, `--report`, a baseline, the lineage graph page, `--no-history`, each
     against case 3's reference (≤ 1.2x) and beside the plain check in the same run.
Case 2 is measured cold (fresh clones) and warm. A figure and its reference are measured
in turn, run by run (cold: each in its own fresh clone), so that the machine's drift
moves both alike.

mlwf-lint's modules are byte-compiled first, as `pip install` does: a checkout run with
PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every run (~60 ms).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
GIT_LOG = ["git", "log", "--name-only", "--format=%H"]  # the reference of cases 2 to 5


@dataclass(frozen=True)
class Measure:
    median_s: float
    peak_mb: float
    runs: int


def measure(command: list[str], cwd: Path, runs: int) -> Measure:
    times, peaks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _pid, _status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - started)
        peaks.append(usage.ru_maxrss / 1024)
    return Measure(statistics.median(times), max(peaks), runs)


def measure_alternating(
    commands: dict[str, tuple[list[str], ...]], cwd: Path, runs: int
) -> dict[str, Measure]:
    """Each named figure's commands run in turn, the names alternating run by run: a
    machine whose speed drifts (a shared VM's does, by ±30% within minutes) moves every
    figure alike, so their ratio holds. A figure of several commands is their sum."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, parts in commands.items():
            ones = [measure(command, cwd, 1) for command in parts]
            times[name].append(sum(one.median_s for one in ones))
            peaks[name].append(max(one.peak_mb for one in ones))
    return {n: Measure(statistics.median(times[n]), max(peaks[n]), runs) for n in commands}


def measure_cold(commands: dict[str, list[str]], source: Path, runs: int) -> dict[str, Measure]:
    """Each command in a fresh `git clone` of `source` (no result cache: the cache lives
    in the clone's own .git), a new clone per run, as a pull-request CI job starts; the
    clone is not timed."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory(prefix="mlwf-bench-clone-") as folder:
        for run in range(runs):
            clone = Path(folder) / f"clone-{run}"
            subprocess.run(
                ["git", "clone", "-q", source.resolve().as_uri(), str(clone)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for name, command in commands.items():  # each command its own fresh clone
                target = clone if name == next(iter(commands)) else Path(folder) / f"{name}-{run}"
                if target != clone:
                    subprocess.run(["git", "clone", "-q", source.resolve().as_uri(), str(target)],
                                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
                one = measure(command, target, 1)
                times[name].append(one.median_s)
                peaks[name].append(one.peak_mb)
            shutil.rmtree(clone, ignore_errors=True)
    return {n: Measure(statistics.median(times[n]), max(peaks[n]), runs) for n in commands}


def mlwf_lint() -> list[str]:
    """The command users run: the installed `mlwf-lint` script (`python -m` adds runpy's
    ~5 ms of imports), else the module."""
    script = Path(sys.executable).parent / "mlwf-lint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mlwf_lint"]


def row(
    case: str, ours: Measure, reference: Measure | None, reference_name: str, budget: str
) -> str:
    ratio = f"{ours.median_s / reference.median_s:.2f}x" if reference else "-"
    ref = f"{reference.median_s * 1000:.0f} ms ({reference_name})" if reference else "-"
    return f"| {case} | {ours.median_s * 1000:.0f} ms | {ours.peak_mb:.0f} MB | {ref} | {ratio} | {budget} |"


def build(out: Path, name: str, **sizes: int) -> Path:
    path = out / name
    marker = path / ".bench-sizes"
    wanted = repr(sorted(sizes.items()))
    if marker.exists() and marker.read_text() == wanted:
        return path
    shutil.rmtree(path, ignore_errors=True)
    started = time.perf_counter()
    # in a child process: a measured command's peak (wait4's ru_maxrss) starts from this
    # process's own high-water mark, which it inherits at exec (building 250,000 commits
    # here took it to 600 MB, and every figure after it read 500-600 MB)
    options = [f"--{name}={value}" for name, value in sorted(sizes.items())]
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(path), *options], check=True)
    marker.write_text(wanted)
    (path / ".git" / "info" / "exclude").write_text(".bench-sizes\n")
    print(f"  built {name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def monorepo(out: Path, scale: int, times: int = 1) -> Path:
    """Case 3's monorepo (50,000 commits, 20,000 files, 500 documents), with `times`
    the history for case 4; `scale` divides it (--quick)."""
    return build(
        out, "monorepo" if times == 1 else f"monorepo-{times}x", commits=50_000 * times // scale,
        files=20_000 // scale, models=250 // scale or 1, datasets=250 // scale or 1,
        documents=500 // scale,
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description="mlwf-lint benchmarks")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run: a smoke test")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--cases", default="1,2,3", help="4: the monorepo with 5x history; 5: capabilities"
    )
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    scale = 100 if args.quick else 1
    cases = set(args.cases.split(","))
    args.out.mkdir(parents=True, exist_ok=True)
    package = subprocess.run(
        [sys.executable, "-c", "import mlwf_lint; print(mlwf_lint.__path__[0])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    compileall.compile_dir(package, quiet=1)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {runs} runs per figure")
    print("| case | mlwf-lint median | peak memory | reference | ratio | budget |")
    print("|---|---|---|---|---|---|")

    if "1" in cases:
        typical = build(
            args.out, "typical", commits=60, files=40, models=3, datasets=3, documents=20
        )
        reference_commands: list[list[str]] = []
        if shutil.which("check-jsonschema"):
            schemas = Path(__file__).resolve().parent.parent / "schemas"
            yaml_docs = sorted(
                str(p.relative_to(typical)) for p in (typical / "docs/ml").rglob("*.yaml")
            )
            by_kind: dict[str, list[str]] = {}
            for doc in yaml_docs:
                kind = "data-lineage" if "/data/" in doc else "rollback-plan"
                by_kind.setdefault(kind, []).append(doc)
            reference_commands = [
                ["check-jsonschema", "--schemafile", str(schemas / f"{kind}.schema.json"), *docs]
                for kind, docs in by_kind.items()
            ]
        compared: dict[str, tuple[list[str], ...]] = {"ours": (mlwf_lint(),)}
        if reference_commands:
            compared["reference"] = tuple(reference_commands)
        figures = measure_alternating(compared, typical, runs)
        reference = figures.get("reference")
        print(row("1. typical (20 docs), warm", figures["ours"], reference, "check-jsonschema",
                  "≤ 0.35x"))  # fmt: skip

    if "2" in cases:
        deep = build(
            args.out,
            "history-20k",
            commits=20_000 // scale,
            files=200,
            models=5,
            datasets=5,
            documents=20,
        )
        log = GIT_LOG
        floor = [sys.executable, str(HERE / "floor.py")]
        cold = measure_cold({"ours": mlwf_lint(), "log": log, "floor": floor}, deep, runs)
        print(row(f"2. {20_000 // scale} commits, cold (fresh clone)", cold["ours"], cold["log"],
                  "git log --name-only", "≤ 0.5x"))  # fmt: skip
        print(row("2. its floor: start-up, file list, the two walks, nothing else", cold["floor"],
                  cold["log"], "git log --name-only", "(bench/floor.py)"))  # fmt: skip
        measure(mlwf_lint(), deep, 1)  # the result cache written: the warm runs follow
        warm = measure_alternating({"ours": (mlwf_lint(),), "log": (log,)}, deep, runs)
        print(row(f"2. {20_000 // scale} commits, warm", warm["ours"], warm["log"],
                  "git log --name-only", "≤ 0.3x"))  # fmt: skip

    base_at_1x: Measure | None = None  # case 3's cold --base, case 4's reference
    for case, times in (("3", 1), ("4", 5)):
        if case not in cases:
            continue
        commits = 50_000 * times // scale
        mono = monorepo(args.out, scale, times)
        log = GIT_LOG
        cold = measure_cold(
            {"full": mlwf_lint(), "base": [*mlwf_lint(), "--base", "HEAD~20"], "log": log},
            mono,
            max(runs // 2, 1),
        )
        name = f"{case}. monorepo {commits} commits"
        full_budget = "≤ 1.2x, ≤ 200 MB" if times == 1 else ""
        print(row(f"{name}, cold full", cold["full"], cold["log"], "git log --name-only",
                  full_budget))  # fmt: skip
        if times == 1:
            base_at_1x = cold["base"]
            print(row(f"{name}, cold --base HEAD~20", cold["base"], None, "", "≤ 1 s"))
        else:
            print(row(f"{name}, cold --base HEAD~20", cold["base"], base_at_1x,
                      "case 3's cold --base", "≤ 1.3x"))  # fmt: skip
        warm_full = measure(mlwf_lint(), mono, max(runs // 2, 1))
        print(row(f"{name}, warm full", warm_full, None, "", ""))
        based = measure([*mlwf_lint(), "--base", "HEAD~20"], mono, runs)
        print(row(f"{name}, warm --base HEAD~20", based, None, "", ""))

    if "5" in cases:
        capabilities(args.out, scale, max(runs // 2, 1))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(every peak counts this script's own high-water mark, {own:.0f} MB: a child "
          "inherits it at exec)")  # fmt: skip
    return 0


def capabilities(out: Path, scale: int, runs: int) -> None:
    """Case 5: what each capability beyond the plain check costs on the monorepo, cold
    (design §8: each inside the budgets, with its figure). Every command in its own
    fresh clone, in turn run by run, against one `git log --name-only` pass (case 3's
    budget holds for each) and beside the plain full check (its cost: the difference). The
    lifecycle rules (params, metrics, the GTO registry) run in every check, so they are
    inside each figure; `--no-history` shows what the history rules' share is."""
    mono = monorepo(out, scale)
    with tempfile.TemporaryDirectory(prefix="mlwf-bench-reports-") as folder:
        reports = Path(folder)
        baseline = reports / "baseline.json"  # the monorepo's own findings, recorded once
        subprocess.run([*mlwf_lint(), "--write-baseline", str(baseline)], cwd=mono,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)  # fmt: skip
        entries = len(json.loads(baseline.read_text())["entries"]) if baseline.exists() else 0
        commands = {
            "plain": mlwf_lint(),
            "json": [*mlwf_lint(), "--format", "json", "--output", str(reports / "r.json")],
            "html": [*mlwf_lint(), "--report", f"html={reports / 'r.html'}"],
            "sarif": [*mlwf_lint(), "--report", f"sarif={reports / 'r.sarif'}"],
            "three": [
                *mlwf_lint(),
                "--report",
                f"json={reports / 'r3.json'}",
                "--report",
                f"html={reports / 'r3.html'}",
                "--report",
                f"sarif={reports / 'r3.sarif'}",
            ],  # fmt: skip
            "baseline": [*mlwf_lint(), "--baseline", str(baseline)],
            "graph": [
                *mlwf_lint(),
                "graph",
                "--format",
                "html",
                "--output",
                str(reports / "g.html"),
            ],
            "no-history": [*mlwf_lint(), "--no-history"],
            "log": GIT_LOG,
        }
        cold = measure_cold(commands, mono, runs)
    names = {
        "plain": "plain text",
        "json": "`--format json --output`",
        "html": "`--report html=`",
        "sarif": "`--report sarif=`",
        "three": "`--report` json + html + sarif, one run",
        "baseline": f"`--baseline` ({entries} entries)",
        "graph": "`graph --format html`",
        "no-history": "`--no-history`",
    }
    plain = cold["plain"].median_s
    for key, label in names.items():
        extra = "" if key == "plain" else f" ({(cold[key].median_s - plain) * 1000:+.0f} ms)"
        print(row(f"5. monorepo, cold {label}{extra}", cold[key], cold["log"],
                  "git log --name-only", "≤ 1.2x, ≤ 200 MB"))  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
