"""The library's layout: one folder per part of the book, imported in layer order, small modules."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from domainllm.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "domainllm"
# Each folder imports only from folders to its left; graph and finetune share one layer.
LAYERS = ["cache", "runtime", "metrics", "corpus", "rag", "graph|finetune", "benchmark", "costs", "cli"]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer.split("|")}
BASE_MODULES = {"config", "paths", "files"}  # below every folder
SUBPACKAGES = sorted(RANK)
MAX_MODULE_LINES = 450
MAX_TOP_LEVEL_MODULES = 8
MAX_LAB_IMPORT_LINES = 5
MAX_CELL_LINES = 25


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def rank_of(module: str) -> float:
    """The layer of ``domainllm.<part>...``: base modules -1, ``plots`` just after metrics."""
    part = module.split(".")[1] if "." in module else ""
    if part in BASE_MODULES:
        return -1
    if part == "plots":
        return RANK["metrics"] + 0.5
    return RANK.get(part, len(LAYERS))


def imported_modules(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Every ``domainllm`` module a file imports (inside functions too, unless ``top_level_only``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("domainllm"):
            if node.module == "domainllm":
                found.update(f"domainllm.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("domainllm"))
    return found


LIBRARY_FILES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layer_order(path: Path) -> None:
    me = module_name(path)
    if me == "domainllm" or me.split(".")[1] in {"__main__", "cli"}:
        return
    wrong = [
        target
        for target in imported_modules(path)
        if target.split(".")[1] != me.split(".")[1] and rank_of(target) >= rank_of(me)
    ]
    assert not wrong, f"{me} (layer {rank_of(me)}) imports against the layer order: {wrong}"


def test_no_import_cycle_between_modules() -> None:
    graph = {module_name(p): imported_modules(p, top_level_only=True) for p in LIBRARY_FILES}
    done: set[str] = set()

    def visit(node: str, trail: tuple[str, ...]) -> None:
        for target in sorted(graph.get(node, ())):
            assert target not in (*trail, node), f"import cycle: {' -> '.join([*trail, node, target])}"
            if target in graph and target not in done:
                visit(target, (*trail, node))
        done.add(node)

    for module in sorted(graph):
        visit(module, ())


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_each_subpackage_imports_alone_in_a_fresh_interpreter(package: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import domainllm.{package} as p; assert p.__all__, 'no public API'"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_public_api_names_exist(package: str) -> None:
    module = __import__(f"domainllm.{package}", fromlist=["__all__"])
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing


def test_top_level_holds_few_modules() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, modules
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(SUBPACKAGES)


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_small_and_say_where_the_book_teaches_them(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name} has over {MAX_MODULE_LINES} lines"
    docstring = ast.get_docstring(ast.parse(text)) or ""
    opening = docstring.split("\n\n")[0]
    assert re.search(r"\b(labs?|chapter|infrastructure|data card|readme|command line)\b", opening, re.I), (
        f"{path.relative_to(REPO_ROOT)}: the docstring's first paragraph should name the lab or chapter "
        f"that teaches it, or say it is infrastructure: {opening[:120]!r}"
    )


LABS = sorted((REPO_ROOT / "labs").glob("*.ipynb"))


@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.stem)
def test_labs_import_little_and_keep_cells_short(lab: Path) -> None:
    cells = [c for c in json.loads(lab.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) for c in cells]
    import_lines = sum(len(re.findall(r"^\s*from domainllm[\w.]* import", s, re.M)) for s in sources)
    import_lines += sum(len(re.findall(r"^\s*import domainllm", s, re.M)) for s in sources)
    assert import_lines <= MAX_LAB_IMPORT_LINES, f"{lab.name}: {import_lines} domainllm import lines"
    long = [len(s.splitlines()) for s in sources if len(s.splitlines()) > MAX_CELL_LINES]
    assert not long, f"{lab.name}: code cells of {long} lines (at most {MAX_CELL_LINES})"
