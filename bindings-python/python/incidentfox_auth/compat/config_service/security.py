"""``config_service/src/core/security.py``: token generation and the team-token hash."""

from __future__ import annotations

import os
import secrets

from ..._native import hash_token_secret

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
    """``TOKEN_PEPPER``, used byte for byte; ``RuntimeError`` when unset or empty."""
    pepper = os.environ.get("TOKEN_PEPPER") or ""
    if not pepper:
        raise RuntimeError("TOKEN_PEPPER is not set")
    return pepper
