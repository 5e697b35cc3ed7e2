"""Two roles (issue 30, separation of functions): the content side (analysis to reports) is given
nothing that reaches the index zone, imports no index-zone code, and stops when pointed at it."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from assets.analysis.factory import build_analysis_asset
from assets.folders import StoryFolders
from assets.ingest.raw_zone import ensure_raw_zone
from assets.model.contracts import load_contracts
from orchestration.definitions import build_definitions
from orchestration.resources import INDEX_RESOURCES
from orchestration.settings import Settings
from tests.support.paths import CONTRACTS, REPO_ROOT, SHARED

INDEX_GROUPS = {"ingest", "linkage", "retention"}
# Modules that open or know the index zone: the content side imports none of them.
INDEX_CODE = ("assets.linkage", "assets.ingest.raw_zone", "assets.ingest.intake", "assets.ingest.landing", "assets.ingest.entries", "assets.ingest.factory",
              "assets.ingest.retention", "assets.ingest.erasure", "assets.ingest.destruction_log")
CONTENT_CODE = ("assets/analysis/", "assets/measures", "assets/publication", "assets/reports")


def test_no_content_asset_is_given_a_resource_of_the_index_zone(story_env: Path):
    defs = build_definitions(Settings.from_env())
    graph = defs.resolve_asset_graph()
    content = [key for key in graph.get_all_asset_keys() if graph.get(key).group_name not in INDEX_GROUPS and graph.get(key).is_executable]
    assert len(content) > 50
    for key in content:
        needs = graph.get(key).assets_def.required_resource_keys
        assert not needs & set(INDEX_RESOURCES), f"{key.to_user_string()} is given {sorted(needs & set(INDEX_RESOURCES))}"


def test_the_content_sides_folders_name_no_path_into_the_index_zone():
    layout = StoryFolders(content_dir="/content", shared_dir=str(SHARED)).layout
    for index_path in ("linkage_zone_path", "landing_dir", "accepted_dir", "quarantine_dir", "staging_dir", "data_dir"):
        assert not hasattr(layout, index_path), index_path
    assert layout.content_zone_path == Path("/content/content_zone.duckdb") and layout.published_dir == Path("/content/published")


def test_no_content_side_module_imports_index_zone_code():
    files = [p for part in CONTENT_CODE for p in ([REPO_ROOT / part] if part.endswith(".py") else sorted((REPO_ROOT / part).rglob("*.py")))]
    assert len(files) > 30
    offenders = {}
    for path in files:
        imported = [n.module for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.ImportFrom) and n.module]
        imported += [a.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Import) for a in n.names]
        if found := [m for m in imported if m.startswith(INDEX_CODE)]:
            offenders[str(path.relative_to(REPO_ROOT))] = found
    assert offenders == {}


def test_an_analysis_asset_pointed_at_the_index_zone_stops_and_says_so(tmp_path: Path):
    """A content folder whose 'content zone' is in fact the linkage zone (a wrong setting, a copy):
    the analysis refuses it instead of reading identifiers into the warehouse."""
    contract = load_contracts(CONTRACTS)["school_exclusions"]
    index_zone = tmp_path / "linkage_zone.duckdb"
    with duckdb.connect(str(index_zone)) as con:
        ensure_raw_zone(con, contract)
    content_dir = tmp_path / "content"
    content_dir.mkdir()
    shutil.copy(index_zone, content_dir / "content_zone.duckdb")
    shutil.copy(index_zone, content_dir / "person_index.duckdb")
    resources = {"folders": StoryFolders(content_dir=str(content_dir), shared_dir=str(SHARED)), "warehouse": DuckDBResource(database=str(content_dir / "warehouse.duckdb"))}
    with pytest.raises(Exception, match="holds the index zone's tables .*STORY_CONTENT_DIR"):
        dg.materialize([build_analysis_asset(contract)], resources=resources)
