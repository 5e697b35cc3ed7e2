"""The deployment files validate against the Dagster libraries that will read them.

No cluster runs in CI, so the Kubernetes deployment is checked as far as it can be here: the
instance configuration validates against dagster-k8s and dagster-postgres, the Helm values
point at a code location that loads, and every production secret has a place in the Secret.
"""

from __future__ import annotations

import importlib
import secrets
import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._config import process_config, resolve_to_config_type
from dagster._core.instance.config import dagster_instance_config
from dagster_postgres import DagsterPostgresStorage

from orchestration.deployment import PRODUCTION_SECRETS, check_environment, deployment
from orchestration.settings import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
INSTANCE_FILES = [DEPLOY / "dagster.local.yaml", DEPLOY / "dagster.production.yaml", DEPLOY / "kubernetes" / "instance.yaml"]


def _load_instance(path: Path, tmp_path: Path) -> dict:
    shutil.copy(path, tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))
    return config


def _class_config_problems(config: dict) -> list[str]:
    """Validate each configurable class section against the class's own config schema."""
    problems = []
    for section, value in config.items():
        if isinstance(value, dict) and "module" in value and "class" in value:
            cls = getattr(importlib.import_module(value["module"]), value["class"])
            result = process_config(resolve_to_config_type(cls.config_type()), value.get("config") or {})
            problems += [f"{section}: {e.message}" for e in result.errors or []]
    if "postgres" in config.get("storage", {}):
        result = process_config(resolve_to_config_type(DagsterPostgresStorage.config_type()), config["storage"]["postgres"])
        problems += [f"storage: {e.message}" for e in result.errors or []]
    return problems


@pytest.mark.parametrize("path", INSTANCE_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_instance_files_validate(path, tmp_path, monkeypatch):
    monkeypatch.setenv("STORY_DAGSTER_PG_URL", "postgresql://dagster@localhost/dagster")
    assert _class_config_problems(_load_instance(path, tmp_path)) == []


def test_a_misspelt_launcher_setting_is_caught(tmp_path):
    config = yaml.safe_load((DEPLOY / "kubernetes" / "instance.yaml").read_text())
    config["run_launcher"]["config"]["envSecrets"] = ["story-secrets"]  # Helm's spelling, not the launcher's
    problems = _class_config_problems(config)
    assert problems and "envSecrets" in problems[0]


def test_helm_values_point_at_a_code_location_that_loads():
    values = yaml.safe_load((DEPLOY / "kubernetes" / "values.yaml").read_text())
    [location] = values["dagster-user-deployments"]["deployments"]
    module = location["dagsterApiGrpcArgs"][location["dagsterApiGrpcArgs"].index("--module-name") + 1]
    assert isinstance(importlib.import_module(module).defs, dg.Definitions)
    secret = yaml.safe_load((DEPLOY / "kubernetes" / "secrets.example.yaml").read_text())
    assert {s["name"] for s in location["envSecrets"]} == {secret["metadata"]["name"]}
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert set(PRODUCTION_SECRETS) <= set(secret["stringData"])


def test_production_stops_without_its_secrets_and_names_them():
    env = {"STORY_DEPLOYMENT": "production", "STORY_PSEUDONYMISATION_KEY": secrets.token_hex(32)}
    with pytest.raises(RuntimeError) as refused:
        check_environment(env)
    assert "STORY_DAGSTER_PG_URL" in str(refused.value) and "STORY_MART_URL" in str(refused.value)
    assert "STORY_PSEUDONYMISATION_KEY" not in str(refused.value)
    check_environment({"STORY_DEPLOYMENT": "local"})
    with pytest.raises(ValueError):
        deployment({"STORY_DEPLOYMENT": "staging"})
