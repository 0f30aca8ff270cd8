"""Team-token hashing as the services do it: any secret hashes to hex SHA-256(secret ‖ pepper), and
tokens in the shapes the services accept (hand-seeded ``tokid.toksecret`` rows) verify."""

from __future__ import annotations

import hashlib

import pytest

from incidentfox_auth import AuthError, hash_team_token, hash_token_secret, verify_team_token

PEPPER = "team-token-pepper"


@pytest.mark.parametrize("secret", ["toksecret", "", "with space", "ünïcode", "a.b", "x" * 2000])
def test_any_secret_hashes_as_the_services_hash_it(secret: str) -> None:
    expected = hashlib.sha256(secret.encode() + PEPPER.encode()).hexdigest()
    assert hash_token_secret(secret, PEPPER) == expected


def test_an_empty_pepper_is_refused() -> None:
    with pytest.raises(AuthError) as e:
        hash_token_secret("toksecret", "")
    assert e.value.code == "invalid_config"


@pytest.mark.parametrize("token", ["tokid.toksecret", "EBB404E7.short", "t-1_x~.s~_-9"])
def test_legacy_shapes_hash_and_verify(token: str) -> None:
    token_id, secret = token.split(".")
    stored = hash_token_secret(secret, PEPPER)
    assert hash_team_token(token, PEPPER) == {"token_id": token_id, "token_hash": stored}
    assert verify_team_token(token, stored, PEPPER) is True
    assert verify_team_token(token + "x", stored, PEPPER) is False


@pytest.mark.parametrize("token", ["tokid.", ".toksecret", "tok id.secret", "tokid.tok+secret", "a" * 129 + ".s"])
def test_other_shapes_stay_malformed(token: str) -> None:
    with pytest.raises(AuthError) as e:
        hash_team_token(token, PEPPER)
    assert e.value.code == "token_malformed"
