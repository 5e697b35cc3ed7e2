"""The layers point one way: the domain code knows nothing of its wiring or of our test data.

From the bottom: the model layer (``assets/model/``: contracts, measure declarations, reference
tables, keys, the folder layout) imports nothing of the pipeline; the stages (``assets/``) may
import it; ``checks/`` turns what a stage produced into a verdict, and only each stage's Dagster
wiring (its factory) attaches them, so no stage module imports ``checks/``. Nothing in the
domain imports ``orchestration/`` (where the environment is read, the only place that does).
The generator (``synthetic/``) reads only the model layer, as an agency reads a published
contract, and nothing in the pipeline imports it. Only the intake and the linkage open the
index zone. Diagram: docs/architecture.md.
"""

from __future__ import annotations

import ast

import pytest

from tests.support.paths import REPO_ROOT

DOMAIN = ("assets", "checks", "report_templates")
PIPELINE = (*DOMAIN, "orchestration")
GENERATOR = "synthetic"
WIRING = "orchestration"
MODEL = "assets.model"
CHECKS = "checks"
# Each stage's Dagster wiring: where assets are built and checks attached to them.
STAGE_WIRING = tuple(f"assets/{stage}/factory.py" for stage in ("ingest", "linkage", "analysis", "measures", "publication", "reports"))
INDEX_STAGE = ("assets/ingest/", "assets/linkage/")
# What names the index zone: its database, the resource that opens it, the folders and layout that reach it.
INDEX_ZONE_NAMES = frozenset({"linkage_zone", "linkage_zone_path", "index_folders", "IndexFolders", "FolderLayout"})
# Where the index zone is declared, not opened: the layout names its path, the resource hands it to the index stage.
INDEX_ZONE_DECLARED = ("assets/model/folder_layout.py", "assets/folders.py")
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


def _module_name(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _index_zone_references(tree: ast.AST) -> list[str]:
    """Each place a file names the index zone (``INDEX_ZONE_NAMES``, or ``linkage_zone`` in a string), as ``line: name``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        name = (node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name)
                else node.arg if isinstance(node, ast.arg) else None)
        if name in INDEX_ZONE_NAMES:
            found.append((node.lineno, name))
        elif isinstance(node, ast.ImportFrom):
            found += [(node.lineno, a.name) for a in node.names if a.name in INDEX_ZONE_NAMES]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "linkage_zone" in node.value and not _is_docstring(node, tree):
            found.append((node.lineno, "linkage_zone"))
    return [f"{line}: {name}" for line, name in sorted(found)]


def _is_docstring(node: ast.Constant, tree: ast.AST) -> bool:
    return any(isinstance(owner, ast.Module | ast.ClassDef | ast.FunctionDef) and owner.body and isinstance(owner.body[0], ast.Expr) and owner.body[0].value is node
               for owner in ast.walk(tree))


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


def test_the_model_layer_imports_nothing_of_the_pipeline(pipeline: dict[str, ast.AST]) -> None:
    model = {path: tree for path, tree in pipeline.items() if _module_name(path).startswith(MODEL)}
    assert "assets/model/contracts.py" in model and "assets/model/measures.py" in model
    offenders = {path: found for path, tree in model.items()
                 if (found := [n for p in (*PIPELINE, GENERATOR) for n in _imports_of(tree, p) if not n.startswith(MODEL)])}
    assert offenders == {}


def test_no_stage_module_imports_the_checks(pipeline: dict[str, ast.AST]) -> None:
    stages = {path: tree for path, tree in pipeline.items() if path.startswith("assets/") and path not in STAGE_WIRING}
    assert all(path in pipeline for path in STAGE_WIRING)  # the list names real modules
    offenders = {path: found for path, tree in stages.items() if (found := _imports_of(tree, CHECKS))}
    assert offenders == {}


def _asset_makers(tree: ast.AST) -> list[str]:
    """Where a module makes Dagster assets or checks: ``dg.asset``, ``multi_asset``, ``asset_check`` and friends, called or as decorators."""
    makers = {"asset", "multi_asset", "graph_asset", "asset_check", "multi_asset_check", "AssetsDefinition"}
    called = [(node.lineno, node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)]
    bare = [(d.lineno, d) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) for d in node.decorator_list if not isinstance(d, ast.Call)]
    return sorted(f"{line}: {name}" for line, f in called + bare if (name := getattr(f, "attr", getattr(f, "id", ""))) in makers)


def test_assets_are_made_in_each_stages_wiring_only(pipeline: dict[str, ast.AST]) -> None:
    """One way to make assets: a stage's ``factory.py`` turns its pure functions into assets and checks."""
    assert all(_asset_makers(pipeline[path]) for path in STAGE_WIRING)  # the scan sees them where they are
    offenders = {path: found for path, tree in pipeline.items() if path not in STAGE_WIRING and (found := _asset_makers(tree))}
    assert offenders == {}
    source = "import dagster as dg\n@dg.asset(key='a')\ndef a(): ...\nb = dg.multi_asset(specs=[])\n@dg.asset\ndef c(): ...\n"
    assert _asset_makers(ast.parse(source)) == ["2: asset", "4: multi_asset", "5: asset"]


def test_the_generator_reads_only_the_model_layer() -> None:
    generator = _modules((GENERATOR,))
    assert len(generator) > 10 and any(_imports_of(tree, MODEL) for tree in generator.values())  # it does read the contracts
    offenders = {path: found for path, tree in generator.items()
                 if (found := [n for p in PIPELINE for n in _imports_of(tree, p) if not n.startswith(MODEL)])}
    assert offenders == {}


def test_only_the_intake_and_the_linkage_open_the_index_zone(pipeline: dict[str, ast.AST]) -> None:
    domain = {path: tree for path, tree in pipeline.items() if path.split("/")[0] in DOMAIN}
    assert all(_index_zone_references(domain[path]) for path in INDEX_ZONE_DECLARED)  # the scan sees it where it is named
    assert any(_index_zone_references(tree) for path, tree in domain.items() if path.startswith(INDEX_STAGE))
    offenders = {path: found for path, tree in domain.items()
                 if not path.startswith(INDEX_STAGE) and path not in INDEX_ZONE_DECLARED and (found := _index_zone_references(tree))}
    assert offenders == {}


def test_the_scan_finds_every_way_of_naming_the_index_zone() -> None:
    source = (
        '"""About linkage_zone.duckdb (a docstring)."""\n'
        "def f(index_folders, linkage_zone):\n    return index_folders.layout.linkage_zone_path\n"
        "con.execute(\"ATTACH 'linkage_zone.duckdb'\")\nfrom assets.folders import IndexFolders\n"
    )
    assert _index_zone_references(ast.parse(source)) == ["2: index_folders", "2: linkage_zone", "3: index_folders", "3: linkage_zone_path", "4: linkage_zone", "5: IndexFolders"]
