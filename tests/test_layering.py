"""The house's import order: a room imports only rooms below it, and no module imports itself
back through others.

The order is written once, here, lowest first. Rooms on one line stand side by side and do not
import each other. Every import counts, including those inside functions: a lazy import is
still a dependency. Cycles are looked for among the imports a module runs when it loads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "reseau"

LAYERS: list[tuple[str, ...]] = [
    ("core", "config"),  # what every room uses; imports no room
    ("outbox",),  # e-mail, beside the core
    ("accounts",),  # people, centres, roles, access checks
    ("catalogue", "imports", "membership"),  # sessions, séances; imports; adhésions
    ("enrolment", "diagnostic", "complaints"),  # on the catalogue; complaints: the register
    ("attendance",),  # on enrolment
    ("proof", "valuation"),  # sealed sheets; volunteer time valued, on attendance
    # the funder report reads sealed sheets; a person's parcours reads attendance, the
    # diagnostic and the certificates
    ("calendars", "reports", "evaluation", "funding", "parcours"),
    ("privacy",),  # export and anonymise a person everywhere
    ("main",),  # home pages, monitoring
    ("cli",),  # the composition root: every command, the tick
    ("__init__",),  # create_app
]
LEVEL = {room: level for level, rooms in enumerate(LAYERS) for room in rooms}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path, *, loading_only: bool = False) -> set[str]:
    """The ``reseau`` (and ``devdata``) modules ``path`` imports; with ``loading_only``, only
    those run when it loads (not inside functions, nor under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if loading_only else list(ast.walk(tree))
    if loading_only:
        nodes = [n for top in tree.body for n in _loading_nodes(top)]
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from reseau.enrolment import views`` imports the module reseau.enrolment.views.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("reseau", "devdata")}


def _loading_nodes(node):
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return
    if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _loading_nodes(child)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_room_has_its_place_in_the_order():
    rooms = {_room(name) for name in _modules()}
    assert rooms - set(LEVEL) == set(), "give these rooms a place in LAYERS"


@pytest.mark.parametrize("module", sorted(_modules()))
def test_no_room_imports_a_higher_or_a_neighbouring_room(module):
    path = _modules()[module]
    room = _room(module)
    wrong = []
    for imported in sorted(_imports(path)):
        if imported.split(".")[0] == "devdata":
            wrong.append(f"{imported} (demo data stays outside the package)")
            continue
        other = _room(imported)
        if other in (room, "__init__") and imported == "reseau" and room != "__init__":
            wrong.append(f"{imported} (create_app is the top)")
        elif other != room and other in LEVEL and LEVEL[other] >= LEVEL[room]:
            wrong.append(imported)
    assert wrong == [], f"{module} ({room}) imports upward or sideways: {wrong}"


def test_no_import_cycle():
    modules = _modules()
    graph = {
        name: {
            target
            for imported in _imports(path, loading_only=True)
            for target in (imported, imported.rsplit(".", 1)[0])
            if target in modules and target != name
        }
        for name, path in modules.items()
    }
    # A package importing its own modules (a blueprint's __init__ importing its views, which
    # import ``bp`` from it) is how Flask blueprints are registered: leave those edges out.
    for name in graph:
        graph[name] = {t for t in graph[name] if not (t.startswith(name + ".") and name != "reseau")}
    cycle = _find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_finder_sees_an_upward_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from reseau.reports.queries import build_bilan\n")
    assert "reseau.reports.queries" in _imports(sample)
    assert "reseau.reports.queries" not in _imports(sample, loading_only=True)
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
