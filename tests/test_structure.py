"""The code's shape: which package may import which, no import cycles, small app modules.

Imports are read from the source (every `import` statement, also those inside functions, since a
lazy import still couples two modules), not from a running interpreter.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("slr_desktop", "trainer")
MAX_APP_MODULE_LINES = 400


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules that `name` imports (resolved relative imports; `from pkg import mod` too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            # the longest known prefix: `slr_desktop.core.video.VideoError` -> `slr_desktop.core.video`
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: _imports(name, path, set(mods)) for name, path in mods.items()}


def _cycles(graph: dict[str, set[str]], within: str) -> list[list[str]]:
    """Every elementary cycle's first occurrence among modules of `within` (DFS, small graphs)."""
    nodes = sorted(n for n in graph if n == within or n.startswith(within + "."))
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if m not in nodes:
                continue
            if state.get(m) == 1:
                found.append(stack[stack.index(m):] + [m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in nodes:
        if n not in state:
            visit(n)
    return found


def test_the_app_never_imports_the_trainer(graph):
    bad = {m: sorted(i for i in deps if i.split(".")[0] == "trainer")
           for m, deps in graph.items() if m.split(".")[0] == "slr_desktop"}
    assert {m: d for m, d in bad.items() if d} == {}


def test_no_import_cycles(graph):
    for pkg in PACKAGES:
        assert _cycles(graph, pkg) == [], pkg


def test_cycle_finder_finds_a_cycle():
    """The check above can fail: a two-module cycle is reported."""
    g = {"p": set(), "p.a": {"p.b"}, "p.b": {"p.a"}, "p.c": {"p.a"}}
    assert _cycles(g, "p") == [["p.a", "p.b", "p.a"]]


def test_reading_landmark_sets_does_not_load_torch():
    code = ("import sys, trainer.importers, trainer.landmark_sets, trainer.splits; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_app_modules_stay_small():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "slr_desktop").rglob("*.py")}
    assert {k: v for k, v in sizes.items() if v > MAX_APP_MODULE_LINES} == {}
