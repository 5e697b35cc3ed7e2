"""The content role's code location in production: analysis to reports, with nothing that reaches the index zone."""

from orchestration.definitions import build_definitions
from orchestration.deployment import CONTENT_ROLE

defs = build_definitions(role=CONTENT_ROLE)
