"""What the agent runtime needs: the team token the orchestrator forwards.

The orchestrator sends a team-impersonation (or visitor) token in ``X-IncidentFox-Team-Token``;
the runtime is that token's audience (``IMPERSONATION_JWT_AUDIENCE``). It verifies it with the
package's verifier, configured from the same variables as the config service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config_service.impersonation import (
    extract_visitor_session_id,
    verify_team_impersonation_token,
    verify_visitor_token,
)

__all__ = [
    "TEAM_TOKEN_HEADER",
    "extract_visitor_session_id",
    "team_token_claims",
    "team_token_headers",
    "verify_team_impersonation_token",
    "verify_visitor_token",
]

#: The header carrying the token from the orchestrator to the agent runtime.
TEAM_TOKEN_HEADER = "X-IncidentFox-Team-Token"


def team_token_headers(token: str) -> dict[str, str]:
    """The headers that forward ``token`` (to the agent runtime, or on to the config service)."""
    return {TEAM_TOKEN_HEADER: token}


def team_token_claims(headers: Mapping[str, str]) -> dict[str, Any]:
    """The verified claims of the token in ``X-IncidentFox-Team-Token`` (header names in any
    case); ``ValueError`` when it is missing or invalid."""
    wanted = TEAM_TOKEN_HEADER.lower()
    token = next((v for k, v in headers.items() if k.lower() == wanted), "").strip()
    if not token:
        raise ValueError(f"Missing {TEAM_TOKEN_HEADER}")
    return verify_team_impersonation_token(token)
