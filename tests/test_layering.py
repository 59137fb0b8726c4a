"""The layering of boomisoap, checked from the modules' imports (read with ast, never run).

The layers are the table of docs/layout.md ("Layers"), read here, so that the page a newcomer
reads and the rule the suite enforces cannot drift apart. A module may import its own layer
and the layers above it in the table (the lower ones); on top of that:

- no import circle, at the level of modules (lazy and typing-only imports count too: a circle
  of lazy imports is still two modules that cannot be understood one without the other);
- the public clients are imported only from the clients' layer and above (a package's own
  ``__init__`` may re-export them);
- only ``boomisoap.cli`` imports click.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "boomisoap"
LAYOUT_PAGE = ROOT / "docs" / "layout.md"

# The modules holding the public clients. They live in different layers (MftClient beside
# the REST wire it drives), but below the clients' layer nothing may use them: the emulator
# and the wires must work without a client.
CLIENT_MODULES = ("boomisoap.clients", "boomisoap.rest.mft")
CLIENTS_LAYER = "clients"

# Public names kept where users found them, though their code now lives in a higher layer:
# the lower module resolves them on first use (its module ``__getattr__``, and for the type
# checker under ``TYPE_CHECKING``), never when it is imported.
LAZY_ALIASES: dict[tuple[str, str], str] = {
    ("boomisoap.sandbox", "boomisoap.cli.sandbox"): "boomisoap.sandbox.serve(argv)",
}


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    lazy: bool  # inside a function, or under ``if TYPE_CHECKING:``


def modules_of(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package."""
    found: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.Module) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement of a module, and whether it is lazy."""

    def walk(node: ast.AST, lazy: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, lazy
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.If) and _is_type_checking(child):
                for part in child.body:
                    yield from walk(ast.Module(body=[part], type_ignores=[]), True)
                for part in child.orelse:
                    yield from walk(ast.Module(body=[part], type_ignores=[]), lazy)
                continue
            yield from walk(child, inner)

    yield from walk(tree, False)


def imports_of(package: Path) -> list[Import]:
    """The imports between the package's own modules, each resolved to the module it loads."""
    modules = modules_of(package)
    found: list[Import] = []
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node, lazy in _import_nodes(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[: len(here) - node.level + 1]
                    origin = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    origin = node.module or ""
                # ``from a import b`` loads the module a.b when there is one, else a.
                targets = [
                    f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in modules else origin
                    for alias in node.names
                ]
            else:
                targets = [alias.name for alias in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.append(Import(name, target, node.lineno, lazy))
    return found


def external_imports(package: Path, top: str) -> list[tuple[str, int]]:
    """(module, line) of every import of the third-party package ``top``."""
    found: list[tuple[str, int]] = []
    for name, path in modules_of(package).items():
        for node, _lazy in _import_nodes(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
            else:
                names = [alias.name for alias in node.names]
            if any(n == top or n.startswith(top + ".") for n in names):
                found.append((name, node.lineno))
    return found


def circles(edges: list[Import]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@dataclass(frozen=True)
class Layers:
    """The table of docs/layout.md: layer names, lowest first, and the names in each."""

    order: tuple[str, ...]
    members: dict[str, str]  # top-level name (or "boomisoap", "__main__") -> layer

    def of(self, module: str) -> str | None:
        parts = module.split(".")
        if parts[-1] == "__main__":
            return self.members.get("__main__")
        return self.members.get(parts[1] if len(parts) > 1 else parts[0])

    def rank(self, module: str) -> int:
        layer = self.of(module)
        assert layer is not None, module
        return self.order.index(layer)


_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*([^|]+?)\s*\|([^|]*)\|")


def read_layers(page: Path) -> Layers:
    """The rows ``| N | name | `module` `module` ... | what |`` under the "Layers" heading."""
    text = page.read_text("utf-8")
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    order: list[str] = []
    members: dict[str, str] = {}
    for line in section.splitlines():
        row = _ROW.match(line)
        if row is None:
            continue
        number, name, cell = int(row[1]), row[2], row[3]
        assert number == len(order) + 1, f"layer rows must be numbered 1, 2, ...: {line}"
        order.append(name)
        for module in re.findall(r"`([^`]+)`", cell):
            assert module not in members, f"{module} is in two layers"
            members[module] = name
    return Layers(tuple(order), members)


@pytest.fixture(scope="module")
def layers() -> Layers:
    return read_layers(LAYOUT_PAGE)


@pytest.fixture(scope="module")
def edges() -> list[Import]:
    return imports_of(PACKAGE)


def _allowed_alias(edge: Import, edges: list[Import]) -> bool:
    pair = (edge.source, edge.target)
    return pair in LAZY_ALIASES and all(e.lazy for e in edges if (e.source, e.target) == pair)


def test_the_layer_table_is_read(layers: Layers) -> None:
    assert CLIENTS_LAYER in layers.order
    assert len(layers.order) >= 5 and len(layers.members) > 20


def test_every_module_has_a_layer(layers: Layers) -> None:
    unplaced = sorted(m for m in modules_of(PACKAGE) if layers.of(m) is None)
    assert not unplaced, f"place these in the Layers table of docs/layout.md: {unplaced}"


def test_the_layer_table_names_only_real_modules(layers: Layers) -> None:
    tops = {m.split(".")[1] for m in modules_of(PACKAGE) if "." in m} | {"boomisoap"}
    stale = sorted(set(layers.members) - tops - {"__main__"})
    assert not stale, f"docs/layout.md's Layers table names modules that do not exist: {stale}"


def test_imports_go_downward_only(layers: Layers, edges: list[Import]) -> None:
    upward = sorted(
        f"{e.source} -> {e.target} (line {e.line}; {layers.of(e.source)} imports "
        f"{layers.of(e.target)})"
        for e in edges
        if layers.rank(e.source) < layers.rank(e.target) and not _allowed_alias(e, edges)
    )
    assert not upward, "imports from a lower layer to a higher one:\n" + "\n".join(upward)


def test_public_clients_are_imported_only_from_the_clients_layer_up(
    layers: Layers, edges: list[Import]
) -> None:
    floor = layers.order.index(CLIENTS_LAYER)
    wrong = sorted(
        f"{e.source} -> {e.target} (line {e.line})"
        for e in edges
        if e.target in CLIENT_MODULES
        and layers.rank(e.source) < floor
        # a package's __init__ re-exporting its own client module (boomisoap.rest.MftClient)
        and e.source != e.target.rpartition(".")[0]
    )
    assert not wrong, "public clients imported below the clients' layer:\n" + "\n".join(wrong)


def test_no_import_circles(edges: list[Import]) -> None:
    found = circles(edges)
    assert not found, "import circles:\n" + "\n".join(", ".join(sorted(c)) for c in found)


def test_only_the_cli_imports_click() -> None:
    wrong = [
        f"{module} (line {line})"
        for module, line in external_imports(PACKAGE, "click")
        if module != "boomisoap.cli" and not module.startswith("boomisoap.cli.")
    ]
    assert not wrong, f"click is imported outside boomisoap.cli: {wrong}"


def test_the_lazy_aliases_and_client_modules_are_real(layers: Layers, edges: list[Import]) -> None:
    pairs = {(e.source, e.target) for e in edges}
    fixed = sorted(f"{a} -> {b}" for a, b in LAZY_ALIASES if (a, b) not in pairs)
    assert not fixed, f"no longer true, remove from LAZY_ALIASES: {fixed}"
    for module in CLIENT_MODULES:
        assert module in modules_of(PACKAGE), f"CLIENT_MODULES names a missing module: {module}"


# The checker itself, on a package written for the purpose: it must see what it looks for.


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def test_the_checker_sees_circles_lazy_imports_and_click(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "from .low import x\n",
            "low.py": "def f():\n    from .high.client import C\n",
            "high/__init__.py": "",
            "high/client.py": "from ..low import f\nimport click.testing\n",
            "typed.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import low\n"
            ),
        },
    )
    found = {(e.source, e.target, e.lazy) for e in imports_of(root)}
    assert found == {
        ("pkg", "pkg.low", False),
        ("pkg.low", "pkg.high.client", True),
        ("pkg.high.client", "pkg.low", False),
        ("pkg.typed", "pkg.low", True),
    }
    assert circles(imports_of(root)) == [frozenset({"pkg.low", "pkg.high.client"})]
    assert external_imports(root, "click") == [("pkg.high.client", 2)]


def test_the_table_reader_reads_rows_in_order(tmp_path: Path) -> None:
    page = tmp_path / "layout.md"
    page.write_text(
        "# x\n\n## Layers\n\n| # | layer | modules | what |\n|---|---|---|---|\n"
        "| 1 | base | `errors` `models` | data |\n| 2 | top | `cli` `__main__` | shell |\n\n"
        "## Next\n\n| 3 | ignored | `other` | |\n",
        "utf-8",
    )
    layers = read_layers(page)
    assert layers.order == ("base", "top")
    assert layers.of("boomisoap.models.apim") == "base"
    assert layers.of("boomisoap.sandbox.__main__") == "top"
    assert layers.of("boomisoap.other") is None
