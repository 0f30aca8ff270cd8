"""Seeds each fuzz corpus from testdata/: tokens, key sets, permissions, group maps, headers."""

import base64
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
vectors = root / "testdata" / "vectors"
corpus = root / "fuzz" / "corpus"


def seed(target: str, name: str, data: str | bytes) -> None:
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)


attacks = json.loads((vectors / "attacks.json").read_text())
for case in attacks["cases"]:
    seed("verify_token", case["name"], case["token"])
seed("jwks_parse", "attacks", json.dumps(attacks["jwks"]))
def payload(token: str) -> bytes | None:
    """A token's decoded payload segment (the claims' JSON), if it decodes."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        return base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
    except ValueError:
        return None


for case in json.loads((vectors / "impersonation.json").read_text())["cases"]:
    seed("verify_token", "imp_" + case["name"], case["token"])
    seed("header_dispatch", "imp_" + case["name"], "Authorization: Bearer " + case["token"])
    claims = payload(case["token"])
    if claims is not None:
        seed("json_members_differential", "imp_" + case["name"], claims)
for case in attacks["cases"]:
    claims = payload(case["token"])
    if claims is not None:
        seed("json_members_differential", case["name"], claims)

permissions = json.loads((vectors / "permissions.json").read_text())
for case in permissions["parse"]:
    seed("permission_parse", case["name"], case["permission"])
for case in permissions["match"]:
    seed("matcher_differential", case["name"], "\n".join([case["required"], *case["grants"]]))

for case in json.loads((vectors / "rbac.json").read_text())["cases"]:
    document = case.get("env", {}).get("ADMIN_GROUP_PERMISSIONS_JSON")
    if document is not None:
        seed("group_map", case["name"], document)
    seed("env_config", case["name"], "\n".join(f"{k}={v}" for k, v in case.get("env", {}).items()))

me = json.loads((vectors / "me.json").read_text())
for i, case in enumerate(me["cases"]):
    env = {**me["base_env"], **case.get("env", {})}
    seed("env_config", f"me_{i}", "\n".join(f"{k}={v}" for k, v in env.items()))
    if case.get("credential"):
        seed("header_dispatch", f"me_{i}", "Authorization: Bearer " + case["credential"])
    for k, v in (case.get("headers") or {}).items():
        seed("header_dispatch", f"me_h_{i}", f"{k}: {v}")

for i, value in enumerate(
    ["/", "/teams/1?x=y", "//evil.example", "/\\evil", "/%2F%2Fevil", "ifx_oidc_state=a; ifx_oidc_return_to=%2F"]
):
    seed("login_callback", f"seed_{i}", value)

login = json.loads((vectors / "login.json").read_text())
for i, case in enumerate(login["return_to"]):
    seed("login_callback", f"return_to_{i}", case["return_to"])
for i, case in enumerate(login["login_env"]["cases"]):
    env = {**login["login_env"]["base_env"], **case.get("env", {})}
    seed("env_config", f"login_{i}", "\n".join(f"{k}={v}" for k, v in env.items() if v is not None))
print("fuzz: corpora seeded in", corpus)
