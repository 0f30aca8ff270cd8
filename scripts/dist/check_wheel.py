"""Imports the installed wheel and judges every case of testdata/vectors/attacks.json that runs on
the file's own validator settings and clock: each valid token with its subject, each rejected one
with its error code. A wheel that imports but whose native code misbehaves on its platform fails
here. Usage: python check_wheel.py ATTACKS_JSON"""

import json
import sys

import incidentfox_auth as ifx

doc = json.load(open(sys.argv[1], encoding="utf-8"))
v = doc["validator"]
validator = ifx.OidcValidator(
    issuer=v["issuer"], audience=v["audiences"], jwks_json=json.dumps(doc["jwks"]),
    algorithms=v["algorithms"], leeway=v["leeway"], groups_claim=v["groups_claim"],
    require_kid=v["require_kid"], max_token_bytes=v["max_token_bytes"],
)
plain = [c for c in doc["cases"] if "validator_overrides" not in c and "now" not in c]
for case in plain:
    want = case["expect"]
    try:
        got = validator.verify_cached(case["token"], now=doc["now"])
    except ifx.AuthError as e:
        assert not want["valid"] and e.code == want["code"], (case["name"], e.code, want)
    else:
        assert want["valid"] and got.subject == want["subject"], (case["name"], want)
valid = sum(c["expect"]["valid"] for c in plain)
print(f"wheel ok: {len(plain)} vectors ({valid} valid, {len(plain) - valid} refused with their codes)")
