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

from assets.linkage.pseudonyms import KEY_ENV
from orchestration.deployment import CONTENT_ROLE, INDEX_ROLE, PRODUCTION_SECRETS, ROLE_SECRETS, check_environment, deployment
from orchestration.resources import CONTENT_RESOURCES, INDEX_RESOURCES
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


def test_helm_values_define_a_code_location_per_role_with_its_own_secret_and_volumes(monkeypatch):
    """Issue 30: the index role (intake, linkage) and the content role (analysis to reports) are two
    code locations; each loads, holds only its role's secrets, and the content one mounts no index volume."""
    values = yaml.safe_load((DEPLOY / "kubernetes" / "values.yaml").read_text())
    locations = {d["name"]: d for d in values["dagster-user-deployments"]["deployments"]}
    assert set(locations) == {"story-index", "story-content"}
    secrets_by_name = {s["metadata"]["name"]: s["stringData"] for s in yaml.safe_load_all((DEPLOY / "kubernetes" / "secrets.example.yaml").read_text())}
    monkeypatch.delenv(KEY_ENV, raising=False)  # as the content deployment runs: without the key
    roles = {}
    for name, location in locations.items():
        module = location["dagsterApiGrpcArgs"][location["dagsterApiGrpcArgs"].index("--module-name") + 1]
        defs = importlib.import_module(module).defs
        assert isinstance(defs, dg.Definitions) and location["includeConfigInLaunchedRuns"]["enabled"]
        [secret] = [s["name"] for s in location["envSecrets"]]
        roles[name] = (set(defs.resources), set(secrets_by_name[secret]), {v["persistentVolumeClaim"]["claimName"] for v in location["volumes"]})
    assert roles["story-index"][0] == set(INDEX_RESOURCES) and roles["story-content"][0] == set(CONTENT_RESOURCES)
    assert set(roles["story-index"][1]) == set(ROLE_SECRETS[INDEX_ROLE]) and set(roles["story-content"][1]) == set(ROLE_SECRETS[CONTENT_ROLE])
    assert KEY_ENV not in roles["story-content"][1] and roles["story-content"][2] == {"story-content"}
    assert values["runLauncher"]["type"] == "K8sRunLauncher" and "k8sRunLauncher" not in (values["runLauncher"].get("config") or {})
    assert set(PRODUCTION_SECRETS) == set().union(*(s for _, s, _ in roles.values()))


def test_the_content_role_refuses_the_pseudonymisation_key():
    with pytest.raises(RuntimeError, match="content role must not hold STORY_PSEUDONYMISATION_KEY"):
        check_environment({KEY_ENV: secrets.token_hex(32)}, role=CONTENT_ROLE)
    check_environment({KEY_ENV: secrets.token_hex(32)}, role=INDEX_ROLE)


def test_production_stops_without_its_secrets_and_names_them():
    env = {"STORY_DEPLOYMENT": "production", "STORY_PSEUDONYMISATION_KEY": secrets.token_hex(32)}
    with pytest.raises(RuntimeError) as refused:
        check_environment(env)
    assert "STORY_DAGSTER_PG_URL" in str(refused.value) and "STORY_MART_URL" in str(refused.value)
    assert "STORY_PSEUDONYMISATION_KEY" not in str(refused.value)
    check_environment({"STORY_DEPLOYMENT": "local"})
    with pytest.raises(ValueError):
        deployment({"STORY_DEPLOYMENT": "staging"})
