"""A FastAPI service authenticated by incidentfox-auth: the config service's ``GET /api/v1/auth/me`` and one
orchestrator admin route.

Run it (``pip install 'incidentfox-auth[fastapi]' uvicorn``)::

    ADMIN_TOKEN=break-glass-token-0123456789abcdef ORCHESTRATOR_REQUIRE_ADMIN_STAR=0 python examples/app.py
    curl -s localhost:8000/api/v1/auth/me -H 'Authorization: Bearer break-glass-token-0123456789abcdef'
    # {"role":"admin","auth_kind":"admin_token","can_write":true,"permissions":["admin:*"]}
    curl -s -X POST localhost:8000/api/v1/admin/provision/team -H 'Authorization: Bearer nope' \\
        -H 'content-type: application/json' -d '{"org_id": "org-1", "team_node_id": "team-1"}'
    # 401 {"error":{"code":"invalid_credentials","status":401,"message":"..."}}
    curl -s localhost:8000/healthz    # {"ready":true,"jwks":null,"jti_store":null}
    curl -s localhost:8000/metrics    # incidentfox_auth_verifications_total{kind=...,outcome=...} ...

Every setting comes from the services' environment variables (``ADMIN_TOKEN``, ``OIDC_*``,
``ADMIN_GROUP_PERMISSIONS_JSON``, ``ORCHESTRATOR_*``, ``TOKEN_PEPPER``, ``IMPERSONATION_*``, ...).
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import Depends, FastAPI
from pydantic import BaseModel

from incidentfox_auth import Authenticator, Principal
from incidentfox_auth.fastapi import (
    configure,
    get_authenticator,
    install,
    observability_router,
    require_principal,
    require_route,
    require_team_member,
)


class ProvisionTeam(BaseModel):
    """The orchestrator's provision request (the fields this example needs)."""

    org_id: str
    team_node_id: str


def create_app(authenticator: Authenticator | None = None) -> FastAPI:
    """The service; ``authenticator`` defaults to ``Authenticator.from_env()`` on first request."""
    configure(authenticator)
    app = FastAPI(title="incidentfox-auth example")
    install(app)
    # GET /metrics (OpenMetrics text) and GET /healthz (200 ready, 503 not) for the authenticator.
    app.include_router(observability_router())

    @app.get("/api/v1/auth/me")
    async def me(principal: Principal = Depends(require_principal())) -> dict[str, Any]:
        """Who the caller is: the config service's response, members in its order."""
        return principal.to_dict()

    @app.post("/api/v1/admin/provision/team")
    async def provision_team(
        body: ProvisionTeam,
        principal: Principal = Depends(require_route("provision_team")),
    ) -> dict[str, Any]:
        """An orchestrator admin route: admin, admin star (when required) and admin:provision."""
        decision = get_authenticator().routes.authorize(principal, "provision_team")
        return {
            "provisioned": {"org_id": body.org_id, "team_node_id": body.team_node_id},
            "by": principal.subject or principal.auth_kind,
            "grant": decision.matched_grant,
        }

    @app.get("/api/v1/team/config")
    async def team_config(principal: Principal = Depends(require_team_member())) -> dict[str, Any]:
        """A team-scoped read: a member of a team (read-only impersonation included), no
        anonymous visitor. A write would add ``write=True``; a route with the team in its path,
        ``team_id_param``."""
        return {
            "org_id": principal.org_id,
            "team_node_id": principal.team_node_id,
            "can_write": principal.can_write,
        }

    return app


app = create_app()


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
