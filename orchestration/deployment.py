"""Local or production, chosen by one environment setting: ``STORY_DEPLOYMENT``.

The code is the same in both; only where things are kept changes. ``local`` (the default, for
laptops, CI and the demo) keeps Dagster's records in SQLite under ``DAGSTER_HOME`` and the
mart in the DuckDB warehouse. ``production`` keeps Dagster's records in PostgreSQL
(``deploy/dagster.production.yaml`` or, on Kubernetes, ``deploy/kubernetes/``) and also
exports the publication mart to the database at ``STORY_MART_URL``. Production secrets come
only from the environment (a Kubernetes Secret, say), never from files in the repository or
a default: a production process missing one stops at start-up and names it.

In production each role (``INDEX_ROLE``: intake and linkage; ``CONTENT_ROLE``: analysis to
reports) is its own code location with its own Secret, holding only what that role needs
(``ROLE_SECRETS``); a content process given the pseudonymisation key stops, since the key is
what turns a person's identifiers into their id.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from assets.ingest.sealing import SEALING_KEY_ENV
from assets.linkage.pseudonyms import KEY_ENV, parse_key

DEPLOYMENT_ENV = "STORY_DEPLOYMENT"
DEPLOYMENTS = ("local", "production")
MART_URL_ENV = "STORY_MART_URL"
# Every secret a production process reads, and what for.
PRODUCTION_SECRETS = {
    "STORY_DAGSTER_PG_URL": "PostgreSQL URL of the Dagster instance (runs, event logs, schedules)",
    MART_URL_ENV: "SQLAlchemy URL the publication mart is exported to",
    KEY_ENV: "the secret key (hex) that derives pseudonymous person ids",
    SEALING_KEY_ENV: "the secret key (hex) that seals agencies' original files at rest",
}
INDEX_ROLE, CONTENT_ROLE, BOTH_ROLES = "index", "content", "both"
ROLE_SECRETS = {
    INDEX_ROLE: ("STORY_DAGSTER_PG_URL", KEY_ENV, SEALING_KEY_ENV),
    CONTENT_ROLE: ("STORY_DAGSTER_PG_URL", MART_URL_ENV),
    BOTH_ROLES: tuple(PRODUCTION_SECRETS),
}


def deployment(env: Mapping[str, str] = os.environ) -> str:
    value = env.get(DEPLOYMENT_ENV, "local").strip() or "local"
    if value not in DEPLOYMENTS:
        raise ValueError(f"{DEPLOYMENT_ENV} must be one of {', '.join(DEPLOYMENTS)}, got {value!r}")
    return value


def check_environment(env: Mapping[str, str] = os.environ, role: str = BOTH_ROLES) -> None:
    """Stop a process of ``role`` that holds the pseudonymisation key without being the index role;
    in production also one that lacks a secret of its role (naming each and its use), or whose key could be guessed."""
    for key in (KEY_ENV, SEALING_KEY_ENV):
        if role == CONTENT_ROLE and env.get(key, "").strip():
            raise RuntimeError(f"The content role must not hold {key}: only the index role (intake and linkage) is given the key. Remove it from this deployment's Secret.")
    if deployment(env) != "production":
        return
    missing = [f"{name} ({PRODUCTION_SECRETS[name]})" for name in ROLE_SECRETS[role] if not env.get(name, "").strip()]
    if missing:
        raise RuntimeError("STORY_DEPLOYMENT=production needs these environment variables: " + "; ".join(missing))
    for key in (KEY_ENV, SEALING_KEY_ENV):
        if key in ROLE_SECRETS[role]:
            parse_key(env[key], key)


def mart_url(env: Mapping[str, str] = os.environ) -> str | None:
    """Where the mart is exported (production always; local only when ``STORY_MART_URL`` is set)."""
    return env.get(MART_URL_ENV, "").strip() or None
