"""Imports the installed wheel and judges two vectors of testdata/vectors/attacks.json: the first
valid token and the first rejected one (each on the file's own validator settings), so a wheel that
imports but whose native code misbehaves fails here. Usage: python check_wheel.py ATTACKS_JSON"""

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
good = next(c for c in plain if c["expect"]["valid"])
bad = next(c for c in plain if not c["expect"]["valid"])
assert validator.verify_cached(good["token"], now=doc["now"]).subject == good["expect"]["subject"]
try:
    validator.verify_cached(bad["token"], now=doc["now"])
except ifx.AuthError as e:
    assert e.code == bad["expect"]["code"], (e.code, bad["name"])
else:
    raise SystemExit(f"{bad['name']} was accepted")
print(f"wheel ok: {good['name']} valid, {bad['name']} -> {bad['expect']['code']}")
