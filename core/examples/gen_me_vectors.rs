#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Generates `testdata/vectors/me.json`: credential + configuration → the `/auth/me` JSON (or
//! the error code), for the Rust, Python and Node suites alike.
//!
//! Tokens are signed with the keys of `testdata/keys/keys.json` at a fixed clock, and each
//! expectation is written from the documented rules, not read back from the library.
//!
//! Run with `cargo run -p incidentfox-auth --example gen_me_vectors`.

use incidentfox_auth::jose::b64;
use incidentfox_auth::{Algorithm, SigningKey};
use serde_json::{json, Map, Value};
use std::path::PathBuf;

const NOW: i64 = 1_700_000_000;
const ISSUER: &str = "https://idp.incidentfox.test";
const AUDIENCE: &str = "incidentfox-config-service";
const ADMIN_TOKEN: &str = "break-glass-admin-token-for-tests";
const INTERNAL_SECRET: &str = "internal-service-secret-0123456789abcdef";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

fn key(keys: &Value, name: &str) -> SigningKey {
    let entry = &keys[name];
    let alg = Algorithm::from_name(entry["alg"].as_str().unwrap()).unwrap();
    let der = b64::decode(entry["pkcs8_b64"].as_str().unwrap()).unwrap();
    SigningKey::from_pkcs8(alg, &der)
        .unwrap()
        .with_kid(entry["kid"].as_str().unwrap())
}

fn claims(extra: Value) -> Value {
    let mut claims: Map<String, Value> = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "email": "alice@example.com",
        "iat": NOW - 60, "exp": NOW + 3600,
    })
    .as_object()
    .cloned()
    .unwrap();
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        if v.is_null() {
            claims.remove(&k);
        } else {
            claims.insert(k, v);
        }
    }
    Value::Object(claims)
}

struct Cases(Vec<Value>);

impl Cases {
    fn me(&mut self, name: &str, env: Value, credential: &str, me: Value) {
        self.0.push(
            json!({"name": name, "env": env, "credential": credential, "expect": {"me": me}}),
        );
    }
    fn error(&mut self, name: &str, env: Value, credential: &str, code: &str) {
        self.0.push(
            json!({"name": name, "env": env, "credential": credential, "expect": {"error": code}}),
        );
    }
    fn internal(&mut self, name: &str, env: Value, header: &str, expect: Value) {
        self.0
            .push(json!({"name": name, "env": env, "internal_service": header, "expect": expect}));
    }
}

fn main() {
    let keys: Value =
        serde_json::from_slice(&std::fs::read(root().join("keys/keys.json")).unwrap()).unwrap();
    let rs = key(&keys, "rs256");
    let es = key(&keys, "es256");
    let jwks = json!({"keys": [keys["rs256"]["public_jwk"], keys["es256"]["public_jwk"]]});
    let sign = |k: &SigningKey, extra: Value| k.sign_claims(&claims(extra)).unwrap();
    let admin_groups = json!({"groups": ["incidentfox-config-admin", "sre"]});
    let base_env = json!({
        "ADMIN_AUTH_MODE": "both",
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "OIDC_ENABLED": "1",
        "OIDC_ISSUER": ISSUER,
        "OIDC_AUDIENCE": AUDIENCE,
        "OIDC_ALG": "RS256,ES256",
        "OIDC_JWKS_JSON": jwks.to_string(),
        "ADMIN_GROUP_PERMISSIONS_JSON": r#"{"sre": ["admin:provision", "admin:agent:run"], "readers": "admin:provision:read, admin:pipeline:read"}"#,
    });
    let none = json!({});
    let mut c = Cases(Vec::new());

    let admin_me = json!({"role": "admin", "auth_kind": "admin_token", "can_write": true, "permissions": ["admin:*"]});
    c.me(
        "break-glass admin token gets admin:*",
        none.clone(),
        ADMIN_TOKEN,
        admin_me.clone(),
    );
    c.me(
        "admin token in token mode",
        json!({"ADMIN_AUTH_MODE": "token"}),
        ADMIN_TOKEN,
        admin_me,
    );
    c.error(
        "wrong admin token",
        none.clone(),
        "not-the-admin-token",
        "invalid_credentials",
    );
    c.error(
        "the admin token plus one character is another token",
        none.clone(),
        &format!("{ADMIN_TOKEN}x"),
        "invalid_credentials",
    );
    c.error("no credential", none.clone(), "", "missing_credentials");
    c.error(
        "admin token refused in oidc mode",
        json!({"ADMIN_AUTH_MODE": "oidc"}),
        ADMIN_TOKEN,
        "invalid_credentials",
    );
    c.error(
        "one dot is not an admin credential",
        none.clone(),
        "0123456789abcdef0123456789abcdef.secret",
        "invalid_credentials",
    );
    c.error(
        "three dots are never a credential",
        none.clone(),
        "a.b.c.d",
        "invalid_credentials",
    );

    c.me(
        "oidc admin: defaults then mapped groups",
        none.clone(),
        &sign(&rs, admin_groups.clone()),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "email": "alice@example.com",
               "can_write": true, "permissions": ["admin:*", "admin:provision", "admin:agent:run"]}),
    );
    c.me(
        "oidc admin with an empty default gets only mapped groups",
        json!({"ADMIN_PERMISSIONS_DEFAULT": ""}),
        &sign(&es, json!({"groups": ["incidentfox-config-admin", "readers", "sre", "readers"]})),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "email": "alice@example.com",
               "can_write": true, "permissions": ["admin:provision:read", "admin:pipeline:read", "admin:provision", "admin:agent:run"]}),
    );
    c.me(
        "oidc admin in the admin group only gets the default",
        json!({"ADMIN_PERMISSIONS_DEFAULT": "admin:provision:read"}),
        &sign(
            &rs,
            json!({"groups": "incidentfox-config-admin", "email": null}),
        ),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "can_write": true,
               "permissions": ["admin:provision:read"]}),
    );
    c.me(
        "groups come from the configured claim, not `groups`",
        json!({"OIDC_GROUPS_CLAIM": "cognito:groups", "ADMIN_PERMISSIONS_DEFAULT": ""}),
        &sign(&rs, json!({"groups": ["incidentfox-config-admin", "sre"], "cognito:groups": ["incidentfox-config-admin", "readers"]})),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "email": "alice@example.com",
               "can_write": true, "permissions": ["admin:provision:read", "admin:pipeline:read"]}),
    );
    c.me(
        "groups through a json pointer",
        json!({"OIDC_GROUPS_CLAIM": "/realm_access/roles", "ADMIN_PERMISSIONS_DEFAULT": ""}),
        &sign(&rs, json!({"realm_access": {"roles": ["incidentfox-config-admin", "sre"]}})),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "email": "alice@example.com",
               "can_write": true, "permissions": ["admin:provision", "admin:agent:run"]}),
    );
    c.me(
        "custom admin group, subject and email claims, org and team",
        json!({"OIDC_ADMIN_GROUP": "platform-admins", "OIDC_SUBJECT_CLAIM": "oid", "OIDC_EMAIL_CLAIM": "upn"}),
        &sign(&rs, json!({"groups": ["platform-admins"], "oid": "u-42", "upn": "u42@example.com", "org_id": "org-1", "team_node_id": "team-9"})),
        json!({"role": "admin", "auth_kind": "oidc", "org_id": "org-1", "team_node_id": "team-9", "subject": "u-42",
               "email": "u42@example.com", "can_write": true, "permissions": ["admin:*"]}),
    );
    c.error(
        "oidc user outside the admin group",
        none.clone(),
        &sign(&rs, json!({"groups": ["sre"]})),
        "not_admin",
    );
    c.error(
        "oidc user with no groups claim",
        none.clone(),
        &sign(&rs, json!({})),
        "not_admin",
    );
    c.error(
        "admin group matching is case-sensitive",
        none.clone(),
        &sign(&rs, json!({"groups": ["IncidentFox-Config-Admin"]})),
        "not_admin",
    );
    c.error(
        "oidc token refused in token mode",
        json!({"ADMIN_AUTH_MODE": "token"}),
        &sign(&rs, admin_groups.clone()),
        "invalid_credentials",
    );
    c.error(
        "expired oidc token",
        none.clone(),
        &sign(
            &rs,
            json!({"groups": ["incidentfox-config-admin"], "exp": NOW - 31}),
        ),
        "token_expired",
    );
    c.error(
        "wrong audience",
        none.clone(),
        &sign(
            &rs,
            json!({"groups": ["incidentfox-config-admin"], "aud": "incidentfox-agent-runtime"}),
        ),
        "invalid_audience",
    );
    c.error(
        "a non-list groups claim",
        none.clone(),
        &sign(&rs, json!({"groups": 7})),
        "invalid_claim",
    );
    c.error(
        "invalid group map fails at load",
        json!({"ADMIN_GROUP_PERMISSIONS_JSON": "{not json"}),
        ADMIN_TOKEN,
        "invalid_config",
    );
    c.error(
        "malformed default fails at load",
        json!({"ADMIN_PERMISSIONS_DEFAULT": "admin:*,admin::x"}),
        ADMIN_TOKEN,
        "invalid_config",
    );
    c.error(
        "token mode without ADMIN_TOKEN fails at load",
        json!({"ADMIN_AUTH_MODE": "token", "ADMIN_TOKEN": ""}),
        ADMIN_TOKEN,
        "invalid_config",
    );
    c.error(
        "oidc mode without OIDC fails at load",
        json!({"ADMIN_AUTH_MODE": "oidc", "OIDC_ENABLED": "0"}),
        ADMIN_TOKEN,
        "invalid_config",
    );

    let internal_env = json!({"INTERNAL_SERVICE_SECRET": INTERNAL_SECRET});
    c.internal(
        "internal-service secret",
        internal_env.clone(),
        INTERNAL_SECRET,
        json!({"me": {"role": "admin", "auth_kind": "internal_service", "subject": "internal-service", "can_write": true, "permissions": ["admin:*"]}}),
    );
    c.internal(
        "internal-service secret with narrowed permissions",
        json!({"INTERNAL_SERVICE_SECRET": INTERNAL_SECRET, "INTERNAL_SERVICE_PERMISSIONS": "admin:agent:run"}),
        INTERNAL_SECRET,
        json!({"me": {"role": "admin", "auth_kind": "internal_service", "subject": "internal-service", "can_write": true, "permissions": ["admin:agent:run"]}}),
    );
    c.internal(
        "today's fixed `agent` value is refused",
        internal_env.clone(),
        "agent",
        json!({"error": "invalid_credentials"}),
    );
    c.internal(
        "no secret configured refuses every value",
        none.clone(),
        "agent",
        json!({"error": "invalid_credentials"}),
    );
    c.internal(
        "a short secret fails at load",
        json!({"INTERNAL_SERVICE_SECRET": "agent"}),
        "agent",
        json!({"error": "invalid_config"}),
    );

    let doc = json!({
        "description": "Admin credentials and configuration -> the GET /api/v1/auth/me JSON. For each \
            case: take `base_env`, apply the case's `env` on top (a value replaces the base value), \
            build the admin authenticator from that environment, then authenticate `credential` (the \
            bearer value, without `Bearer `) at `now`, or, when `internal_service` is present, that \
            X-Internal-Service header value. `expect` is either {me: <exact JSON, members in this \
            order, optional members omitted>} or {error: <code>} (an error while building the \
            authenticator counts). Generated by `cargo run -p incidentfox-auth --example \
            gen_me_vectors` from testdata/keys/keys.json; do not edit by hand.",
        "now": NOW,
        "base_env": base_env,
        "cases": c.0,
    });
    let path = root().join("vectors/me.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
    println!(
        "wrote {} ({} cases)",
        path.display(),
        doc["cases"].as_array().map_or(0, Vec::len)
    );
}
