"""The layers point one way: the domain code knows nothing of its wiring or of our test data.

``assets/`` and ``checks/`` are the domain: they are given paths, choices and secrets as
arguments and resources, and never import ``orchestration/`` (where Dagster objects are
assembled and the environment is read), so the packages form no cycle and a setting cannot be
picked up behind the caller's back. Nothing in the pipeline imports the test-data generator
(``synthetic/``): what it knows must not be learned from our own fixtures, and the production
image does not ship it. Only ``orchestration/`` reads the environment.
"""

from __future__ import annotations

import ast

import pytest

from tests.support.paths import REPO_ROOT

DOMAIN = ("assets", "checks", "report_templates")
PIPELINE = (*DOMAIN, "orchestration")
GENERATOR = "synthetic"
WIRING = "orchestration"
# How Python code reads or sets the environment: os.environ, os.getenv and friends, Dagster's EnvVar.
ENVIRONMENT_NAMES = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv", "EnvVar"})


def _imports(tree: ast.AST) -> list[str]:
    """Every module a file imports, including by ``importlib.import_module("...")`` with a literal name."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.append(node.args[0].value)
    return names


def _imports_of(tree: ast.AST, package: str) -> list[str]:
    return [n for n in _imports(tree) if n == package or n.startswith(package + ".")]


def _environment_reads(tree: ast.AST) -> list[str]:
    """Each place a file touches the environment (``os.environ``, ``getenv``, ``EnvVar``), as ``line: name``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_NAMES:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.ImportFrom) and node.module in ("os", "dagster"):
            found += [(node.lineno, a.name) for a in node.names if a.name in ENVIRONMENT_NAMES]
    return [f"{line}: {name}" for line, name in sorted(found)]


def _modules(folders: tuple[str, ...]) -> dict[str, ast.AST]:
    files = [p for folder in folders for p in sorted((REPO_ROOT / folder).rglob("*.py"))]
    return {str(p.relative_to(REPO_ROOT)): ast.parse(p.read_text(encoding="utf-8")) for p in files}


@pytest.fixture(scope="module")
def pipeline() -> dict[str, ast.AST]:
    modules = _modules(PIPELINE)
    assert len(modules) > 50  # the folders were found
    return modules


def test_no_pipeline_module_imports_the_generator(pipeline: dict[str, ast.AST]) -> None:
    offenders = {path: found for path, tree in pipeline.items() if (found := _imports_of(tree, GENERATOR))}
    assert offenders == {}


def test_no_domain_module_imports_the_wiring(pipeline: dict[str, ast.AST]) -> None:
    domain = {path: tree for path, tree in pipeline.items() if path.split("/")[0] in DOMAIN}
    assert any(path.startswith("checks/") for path in domain) and any(path.startswith("assets/") for path in domain)
    offenders = {path: found for path, tree in domain.items() if (found := _imports_of(tree, WIRING))}
    assert offenders == {}


def test_only_the_wiring_reads_the_environment(pipeline: dict[str, ast.AST]) -> None:
    offenders = {path: found for path, tree in pipeline.items() if not path.startswith(WIRING + "/") and (found := _environment_reads(tree))}
    assert offenders == {}
    assert any(_environment_reads(tree) for path, tree in pipeline.items() if path.startswith(WIRING + "/"))  # the scan sees it where it is


def test_the_scan_finds_every_way_of_importing() -> None:
    source = "import synthetic\nfrom synthetic.names import FORENAMES\nimport importlib\nimportlib.import_module('synthetic.world')\nfrom assets import synthetic_free\n"
    assert _imports_of(ast.parse(source), GENERATOR) == ["synthetic", "synthetic.names", "synthetic.world"]
    assert _imports_of(ast.parse("from orchestration.settings import Settings\nimport orchestrations\n"), WIRING) == ["orchestration.settings"]


def test_the_scan_finds_every_way_of_reading_the_environment() -> None:
    source = "import os\nfrom os import getenv\nimport dagster as dg\nos.environ.get('A')\nos.getenv('B')\ndg.EnvVar('C')\nenvironment = 'not read'\n"
    assert _environment_reads(ast.parse(source)) == ["2: getenv", "4: environ", "5: getenv", "6: EnvVar"]
