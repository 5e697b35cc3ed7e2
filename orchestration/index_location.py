"""The index role's code location in production: intake and linkage, under the linkage team's own account and Secret."""

from orchestration.definitions import build_definitions
from orchestration.deployment import INDEX_ROLE

defs = build_definitions(role=INDEX_ROLE)
