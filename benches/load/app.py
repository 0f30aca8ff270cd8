"""The Python service of `make bench-load` (scripts/bench_load.py): FastAPI under uvicorn.

    python benches/load/serve.py app:app --app-dir benches/load --workers N

(``serve.py`` is uvicorn's command line with TCP_NODELAY kept for N workers.)

Two routes, the same request (the bearer header is sent to both) and a response of the same shape:

- ``GET /auth``: ``Depends(require_principal())``, the package's FastAPI dependency, which awaits
  ``Authenticator.authenticate_async`` on the request's headers; the body is ``principal.to_dict()``.
- ``GET /noauth``: no authentication; the body is a fixed principal-shaped dict.

The authenticator is built from the environment as a service builds it (``OIDC_*``, an inline
``OIDC_JWKS_JSON`` so no request leaves the machine); the runner sets
``OIDC_VERIFIED_CACHE_TTL_SECONDS=0`` for the rows without the verified-token cache. It is built
when the module is imported, in every worker, so a configuration error stops the server before
the first request instead of answering 500s that would be timed.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI

from incidentfox_auth import Authenticator, Principal
from incidentfox_auth.fastapi import configure, install, require_principal

configure(Authenticator.from_env())

app = FastAPI()
install(app)

# The body /auth returns for the runner's token, so both routes serialise the same members.
UNAUTHENTICATED_BODY: dict[str, Any] = {
    "role": "admin",
    "auth_kind": "oidc",
    "subject": "alice",
    "email": "alice@example.com",
    "can_write": True,
    "permissions": ["admin:*"],
}


@app.get("/auth")
async def authenticated(principal: Principal = Depends(require_principal())) -> dict[str, Any]:
    return principal.to_dict()


@app.get("/noauth")
async def unauthenticated() -> dict[str, Any]:
    return UNAUTHENTICATED_BODY
