"""The pipeline never imports the test-data generator: what it knows must not be learned from our own fixtures."""

from __future__ import annotations

import ast
from pathlib import Path

from orchestration.settings import REPO_ROOT

PIPELINE = ("assets", "checks", "orchestration")
GENERATOR = "synthetic"


def _imports(source: str) -> list[str]:
    """Every module a file imports, including by ``importlib.import_module("...")`` with a literal name."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.append(node.args[0].value)
    return names


def _generator_imports(source: str) -> list[str]:
    return [n for n in _imports(source) if n == GENERATOR or n.startswith(GENERATOR + ".")]


def test_no_pipeline_module_imports_the_generator() -> None:
    files = [p for folder in PIPELINE for p in sorted((REPO_ROOT / folder).rglob("*.py"))]
    assert len(files) > 50  # the folders were found
    offenders = {str(p.relative_to(REPO_ROOT)): found for p in files if (found := _generator_imports(p.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_the_scan_finds_every_way_of_importing() -> None:
    source = "import synthetic\nfrom synthetic.names import FORENAMES\nimport importlib\nimportlib.import_module('synthetic.world')\nfrom assets import synthetic_free\n"
    assert _generator_imports(source) == ["synthetic", "synthetic.names", "synthetic.world"]
