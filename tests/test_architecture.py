"""The layering of the package, checked from the source: every import of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["core", "llm", "indexers", "pipelines", "eval", "cli"]
# what each layer must not import (longdoc.<layer>, or a third-party package)
FORBIDDEN = {
    "core": {"longdoc.llm", "longdoc.indexers", "longdoc.pipelines", "longdoc.eval",
             "longdoc.cli"},
    "llm": {"longdoc.indexers", "longdoc.pipelines", "longdoc.eval", "longdoc.cli"},
    "indexers": {"longdoc.llm", "longdoc.pipelines", "longdoc.eval", "longdoc.cli"},
    "pipelines": {"longdoc.eval", "longdoc.cli"},
    "eval": {"longdoc.cli"},
    "cli": set(),
}
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def _modules() -> list[tuple[str, Path]]:
    return [(layer, path) for layer in LAYERS for path in sorted((ROOT / layer).glob("*.py"))]


def _imports(source: str) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def forbidden_imports(layer: str, source: str) -> list[str]:
    banned = set(FORBIDDEN[layer])
    if layer != "llm":
        banned.add("llama_cpp")  # only the model backends speak to llama.cpp
    return [name for name in _imports(source) for prefix in banned if _matches(name, prefix)]


def test_layers_import_only_downwards():
    edges = [f"{path.relative_to(ROOT)} imports {name}" for layer, path in _modules()
             for name in forbidden_imports(layer, path.read_text())]
    assert edges == []


def test_the_checker_sees_forbidden_edges():
    source = ("import llama_cpp\nfrom longdoc.cli.common import fail\n"
              "def f():\n    from longdoc.eval.metrics import token_f1\n")
    assert forbidden_imports("indexers", source) == ["llama_cpp", "longdoc.cli.common",
                                                     "longdoc.eval.metrics"]
    assert forbidden_imports("core", "from longdoc.indexers import types\n") == [
        "longdoc.indexers"]
    assert forbidden_imports("core", "from longdoc.core.errors import LongdocError\n") == []
    assert forbidden_imports("llm", "import llama_cpp\n") == []


@pytest.mark.parametrize("layer,path", _modules(), ids=lambda v: getattr(v, "name", v))
def test_modules_stay_small(layer, path):
    lines = path.read_text().count("\n")
    assert lines <= MAX_MODULE_LINES, f"{path.name}: {lines} lines"
    long = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = (node.body[1:] if ast.get_docstring(node) else node.body) or node.body
            length = body[-1].end_lineno - body[0].lineno + 1
            if length > MAX_FUNCTION_LINES:
                long.append(f"{node.name}: {length} lines")
    assert long == [], f"{path.name}: {long}"
