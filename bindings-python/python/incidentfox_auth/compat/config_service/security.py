"""``config_service/src/core/security.py``: token generation and the team-token hash."""

from __future__ import annotations

import os
import secrets

from ..._native import hash_token_secret
from ...errors import ConfigurationError

__all__ = ["generate_token", "get_token_pepper", "hash_token"]


def generate_token(token_bytes: int = 32) -> str:
    """``token_bytes`` random bytes as unpadded base64url: the secret part of a new token."""
    return secrets.token_urlsafe(token_bytes)


def hash_token(token: str, *, pepper: str) -> str:
    """The stored hash of ``token``: lowercase hex SHA-256 of the token followed by the pepper.

    Any string hashes, as before. An empty pepper raises the package's ``InvalidConfigError``
    (a ``ValueError``): a hash without pepper could be guessed offline from a leaked table."""
    return hash_token_secret(token, pepper)


def get_token_pepper() -> str:
    """``TOKEN_PEPPER``, used byte for byte; ``RuntimeError`` when unset, and also when the
    package would not use it (empty or blank: team tokens are off then)."""
    pepper = os.environ.get("TOKEN_PEPPER") or ""
    try:
        # The package's own check of a pepper, rather than a copy of it here.
        hash_token_secret("", pepper)
    except ConfigurationError as e:
        raise RuntimeError("TOKEN_PEPPER is not set") from e
    return pepper
