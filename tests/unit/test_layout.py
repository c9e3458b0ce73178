"""The package's shape: no import cycle among its modules (lazy imports included), c2pa imported
by ``_c2pa`` alone, and the CLI split one module per verb group."""

from __future__ import annotations

import ast
from pathlib import Path

import provenance.cli

import provenance

PACKAGE = Path(provenance.__file__).parent
CLI = Path(provenance.cli.__file__).parent  # the checkout's cli/, installed as provenance.cli


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every provenance module ``path`` imports, at any depth, except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded.update(id(n) for n in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in found if m in modules}


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        deps = _imports(path, modules) - {name}
        # Importing a submodule runs its package's __init__ first; that edge is not a cycle.
        graph[name] = {d for d in deps if not name.startswith(d + ".")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep):], dep]
            if dep not in state and (found := visit(dep)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_between_modules() -> None:
    graph = _graph()
    assert "provenance.verify" in graph and "provenance.carriers.media" in graph
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_signing_and_verification_share_the_carrier_registry() -> None:
    graph = _graph()
    assert "provenance.carriers" in graph["provenance.signing"] | {
        d.rsplit(".", 1)[0] for d in graph["provenance.signing"]}
    assert any(d.startswith("provenance.carriers") for d in graph["provenance.verify"])
    # The text carriers and verification no longer reach into each other or into signing.
    assert "provenance.verify" not in graph["provenance.carriers.text"]
    assert "provenance.signing" not in graph["provenance.carriers.media"]


def test_only_the_c2pa_module_imports_c2pa() -> None:
    importers = []
    for path in [*PACKAGE.rglob("*.py"), *CLI.rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n == "c2pa" or n.startswith("c2pa.") for n in names):
                importers.append(path.name)
    assert set(importers) == {"_c2pa.py"}


def test_cli_has_one_module_per_verb_group() -> None:
    names = {p.stem for p in CLI.glob("*.py")}
    assert {"app", "render", "identity", "trust", "tsa", "sign", "verify"} <= names
    for path in CLI.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 400, path.name
