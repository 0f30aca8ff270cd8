"""The config service's admin check as a service: ``GET /api/v1/auth/me`` verifying the bearer with PyJWT.

Started by ``bench.py`` as a separate process (``python auth_me_server.py PORT``) on 127.0.0.1.
It stands in for the config service the orchestrator asks: the RS256 key is built once
(``jwt.PyJWK``), the token is verified with issuer, audience and expiry checks, the caller must be
in the admin group, and the body is the principal JSON (the same shape incidentfox-auth returns).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jwt
import uvicorn
from fastapi import FastAPI, Header, HTTPException

ROOT = Path(__file__).resolve().parents[3]
ISSUER = "https://idp.example.com"
AUDIENCE = "incidentfox-config-service"
ADMIN_GROUP = "incidentfox-config-admin"

_keys = json.loads((ROOT / "testdata/keys/keys.json").read_text())
KEY = jwt.PyJWK(_keys["rs256"]["public_jwk"], algorithm="RS256")

app = FastAPI()


@app.get("/api/v1/auth/me")
async def auth_me(authorization: str | None = Header(default=None)) -> dict[str, Any]:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(status_code=401, detail="missing_credentials")
    token = authorization[7:].strip()
    try:
        claims = jwt.decode(
            token,
            KEY,
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=30,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as e:
        raise HTTPException(status_code=401, detail=type(e).__name__) from None
    groups = claims.get("groups") or []
    if ADMIN_GROUP not in groups:
        raise HTTPException(status_code=403, detail="not_admin")
    return {
        "role": "admin",
        "auth_kind": "oidc",
        "subject": claims["sub"],
        "email": claims.get("email"),
        "can_write": True,
        "permissions": ["admin:*"],
    }


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
