//! Generates `testdata/vectors/me.json`: credential + configuration → the `/auth/me` JSON (or
//! the error code), for the Rust, Python and Node suites alike.
//!
//! Tokens are signed with the keys of `testdata/keys/keys.json` at a fixed clock, and each
//! expectation is written from the documented rules, not read back from the library.
//!
//! Run with `cargo run -p incidentfox-auth-vectors -- me`. One function per family of cases, in
//! the order the file lists them.

use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, VisitorRequest,
};
use incidentfox_auth::jose::b64;
use incidentfox_auth::team_tokens::{generate as generate_team_token, hash_secret, TokenPepper};
use incidentfox_auth::{Algorithm, SigningKey};
use serde_json::{json, Map, Value};
use std::path::PathBuf;

const NOW: i64 = 1_700_000_000;
const ISSUER: &str = "https://idp.incidentfox.test";
const AUDIENCE: &str = "incidentfox-config-service";
const ADMIN_TOKEN: &str = "break-glass-admin-token-for-tests";
const INTERNAL_SECRET: &str = "internal-service-secret-0123456789abcdef";
const PEPPER: &str = "team-token-pepper-for-tests";
const IMPERSONATION_SECRET: &str = "impersonation-secret-for-me-vectors-0123456789";

fn root() -> PathBuf {
    crate::testdata()
}

/// The keys, the base environment and the claims the families share.
struct Ctx {
    rs: SigningKey,
    es: SigningKey,
    admin_groups: Value,
    base_env: Value,
    none: Value,
}

impl Ctx {
    fn new() -> Ctx {
        let keys: Value =
            serde_json::from_slice(&std::fs::read(root().join("keys/keys.json")).unwrap()).unwrap();
        let jwks = json!({"keys": [keys["rs256"]["public_jwk"], keys["es256"]["public_jwk"]]});
        Ctx {
            rs: key(&keys, "rs256"),
            es: key(&keys, "es256"),
            admin_groups: json!({"groups": ["incidentfox-config-admin", "sre"]}),
            base_env: json!({
                "ADMIN_AUTH_MODE": "both",
                "ADMIN_TOKEN": ADMIN_TOKEN,
                "OIDC_ENABLED": "1",
                "OIDC_ISSUER": ISSUER,
                "OIDC_AUDIENCE": AUDIENCE,
                "OIDC_ALG": "RS256,ES256",
                "OIDC_JWKS_JSON": jwks.to_string(),
                "ADMIN_GROUP_PERMISSIONS_JSON": r#"{"sre": ["admin:provision", "admin:agent:run"], "readers": "admin:provision:read, admin:pipeline:read"}"#,
                "TOKEN_PEPPER": PEPPER,
                "IMPERSONATION_JWT_SECRET": IMPERSONATION_SECRET,
            }),
            none: json!({}),
        }
    }

    /// A token signed by `k` with the standard claims plus `extra`.
    fn sign(&self, k: &SigningKey, extra: Value) -> String {
        k.sign_claims(&claims(extra)).unwrap()
    }
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
    fn headers(&mut self, name: &str, env: Value, headers: Value, expect: Value) {
        self.0
            .push(json!({"name": name, "env": env, "headers": headers, "expect": expect}));
    }
}

/// A stored row for a freshly generated token: (token, row).
fn team_row(
    pepper: &TokenPepper,
    kind: &str,
    team: Option<&str>,
    revoked_at: Option<i64>,
    expires_at: Option<i64>,
) -> (String, Value) {
    let token = generate_team_token().unwrap();
    let row = json!({
        "org_id": "org-1", "team_node_id": team, "token_id": token.token_id(),
        "token_hash": token.stored_hash(pepper), "revoked_at": revoked_at,
        "expires_at": expires_at, "kind": kind,
    });
    (token.token().to_owned(), row)
}

/// Writes `me.json`.
pub fn generate() {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

async fn run() {
    let x = Ctx::new();
    let mut c = Cases(Vec::new());
    admin(&x, &mut c);
    let team_tokens = team_tokens(&x, &mut c);
    impersonation(&x, &mut c).await;
    team_oidc(&x, &mut c);

    let doc = json!({
        "description": "Credentials and configuration -> the GET /api/v1/auth/me JSON. For each \
            case: take `base_env`, apply the case's `env` on top (a value replaces the base value), \
            build the authenticator from exactly that environment with an \
            in-memory JTI store and a team-token lookup holding the rows of `team_tokens` \
            (`kind` team or org_admin; times in Unix seconds, null = never), then authenticate the \
            request at `now`. The request's headers are: `Authorization: Bearer <credential>` when \
            `credential` is present (no header when it is empty), `X-Internal-Service: \
            <internal_service>` when that is present, or exactly `headers` (names are \
            case-insensitive). `expect` is either {me: <exact JSON, members in this order, optional \
            members omitted>} or {error: <code>} (an error while building the authenticator \
            counts). Generated by `cargo run -p incidentfox-auth-vectors -- me` from \
            testdata/keys/keys.json; do not edit by hand.",
        "now": NOW,
        "base_env": x.base_env,
        "team_tokens": team_tokens,
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

/// Admin credentials: the break-glass token, admin OIDC tokens and the internal-service header.
fn admin(x: &Ctx, c: &mut Cases) {
    let Ctx {
        rs,
        es,
        admin_groups,
        none,
        ..
    } = x;

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
        "a legacy-shaped team token nobody stored",
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
        &x.sign(rs, admin_groups.clone()),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "email": "alice@example.com",
               "can_write": true, "permissions": ["admin:*", "admin:provision", "admin:agent:run"]}),
    );
    c.me(
        "oidc admin with an empty default gets only mapped groups",
        json!({"ADMIN_PERMISSIONS_DEFAULT": ""}),
        &x.sign(es, json!({"groups": ["incidentfox-config-admin", "readers", "sre", "readers"]})),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "email": "alice@example.com",
               "can_write": true, "permissions": ["admin:provision:read", "admin:pipeline:read", "admin:provision", "admin:agent:run"]}),
    );
    c.me(
        "oidc admin in the admin group only gets the default",
        json!({"ADMIN_PERMISSIONS_DEFAULT": "admin:provision:read"}),
        &x.sign(
            rs,
            json!({"groups": "incidentfox-config-admin", "email": null}),
        ),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "can_write": true,
               "permissions": ["admin:provision:read"]}),
    );
    c.me(
        "groups come from the configured claim, not `groups`",
        json!({"OIDC_GROUPS_CLAIM": "cognito:groups", "ADMIN_PERMISSIONS_DEFAULT": ""}),
        &x.sign(rs, json!({"groups": ["incidentfox-config-admin", "sre"], "cognito:groups": ["incidentfox-config-admin", "readers"]})),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "email": "alice@example.com",
               "can_write": true, "permissions": ["admin:provision:read", "admin:pipeline:read"]}),
    );
    c.me(
        "groups through a json pointer",
        json!({"OIDC_GROUPS_CLAIM": "/realm_access/roles", "ADMIN_PERMISSIONS_DEFAULT": ""}),
        &x.sign(rs, json!({"realm_access": {"roles": ["incidentfox-config-admin", "sre"]}})),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "email": "alice@example.com",
               "can_write": true, "permissions": ["admin:provision", "admin:agent:run"]}),
    );
    c.me(
        "custom admin group, subject and email claims, org and team",
        json!({"OIDC_ADMIN_GROUP": "platform-admins", "OIDC_SUBJECT_CLAIM": "oid", "OIDC_EMAIL_CLAIM": "upn"}),
        &x.sign(rs, json!({"groups": ["platform-admins"], "oid": "u-42", "upn": "u42@example.com", "org_id": "org-1", "team_node_id": "team-9"})),
        json!({"role": "admin", "auth_kind": "oidc", "org_id": "org-1", "team_node_id": "team-9", "subject": "u-42",
               "email": "u42@example.com", "can_write": true, "permissions": ["admin:*"]}),
    );
    c.error(
        "oidc user outside the admin group",
        none.clone(),
        &x.sign(rs, json!({"groups": ["sre"]})),
        "not_admin",
    );
    c.error(
        "oidc user with no groups claim",
        none.clone(),
        &x.sign(rs, json!({})),
        "not_admin",
    );
    c.error(
        "admin group matching is case-sensitive",
        none.clone(),
        &x.sign(rs, json!({"groups": ["IncidentFox-Config-Admin"]})),
        "not_admin",
    );
    c.error(
        "oidc token refused in token mode",
        json!({"ADMIN_AUTH_MODE": "token"}),
        &x.sign(rs, admin_groups.clone()),
        "invalid_credentials",
    );
    c.error(
        "expired oidc token",
        none.clone(),
        &x.sign(
            rs,
            json!({"groups": ["incidentfox-config-admin"], "exp": NOW - 31}),
        ),
        "token_expired",
    );
    c.error(
        "wrong audience",
        none.clone(),
        &x.sign(
            rs,
            json!({"groups": ["incidentfox-config-admin"], "aud": "incidentfox-agent-runtime"}),
        ),
        "invalid_audience",
    );
    c.error(
        "a non-list groups claim",
        none.clone(),
        &x.sign(rs, json!({"groups": 7})),
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
        "the services' fixed `agent` value is refused",
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
}

/// Team and org-admin tokens, found through the lookup built from `team_tokens`; returns those rows.
fn team_tokens(x: &Ctx, c: &mut Cases) -> Vec<Value> {
    let Ctx { none, .. } = x;
    let pepper = TokenPepper::new(PEPPER).unwrap();
    let (team, team_row_v) = team_row(&pepper, "team", Some("team-1"), None, Some(NOW + 86_400));
    let (org_admin, org_row) = team_row(&pepper, "org_admin", None, None, None);
    let (revoked, revoked_row) = team_row(&pepper, "team", Some("team-1"), Some(NOW - 10), None);
    let (expired, expired_row) = team_row(&pepper, "team", Some("team-1"), None, Some(NOW));
    let (unknown, _) = team_row(&pepper, "team", Some("team-1"), None, None);
    let team_me = json!({"role": "team", "auth_kind": "team_token", "org_id": "org-1", "team_node_id": "team-1",
                         "can_write": true, "permissions": ["team:read", "team:write"]});
    c.me("team token", none.clone(), &team, team_me.clone());
    // The services accept any `<id>.<secret>` whose hash matches a row (hand-seeded rows).
    let legacy_row = json!({
        "org_id": "org-1", "team_node_id": "team-2", "token_id": "tokid",
        "token_hash": hash_secret("toksecret", &pepper), "revoked_at": null,
        "expires_at": null, "kind": "team",
    });
    c.me("a legacy-shaped team token (hand-seeded row)", none.clone(), "tokid.toksecret",
        json!({"role": "team", "auth_kind": "team_token", "org_id": "org-1", "team_node_id": "team-2",
               "can_write": true, "permissions": ["team:read", "team:write"]}));
    c.error(
        "a legacy-shaped team token with another secret",
        none.clone(),
        "tokid.toksecreT",
        "invalid_credentials",
    );
    c.error(
        "a team token with an empty secret is malformed",
        none.clone(),
        "tokid.",
        "token_malformed",
    );
    c.error(
        "a team token with an empty id is malformed",
        none.clone(),
        ".toksecret",
        "token_malformed",
    );
    c.error(
        "a team token with a character outside the URL-safe set is malformed",
        none.clone(),
        "tokid.tok+secret",
        "token_malformed",
    );
    c.error(
        "a team token id over 128 characters is malformed",
        none.clone(),
        &format!("{}.toksecret", "a".repeat(129)),
        "token_malformed",
    );
    c.error(
        "a team token secret over 512 characters is malformed",
        none.clone(),
        &format!("tokid.{}", "s".repeat(513)),
        "token_malformed",
    );
    c.headers(
        "team token in X-IncidentFox-Team-Token",
        none.clone(),
        json!({"X-IncidentFox-Team-Token": team}),
        json!({"me": team_me}),
    );
    c.headers("admin token in X-Admin-Token", none.clone(), json!({"x-admin-token": ADMIN_TOKEN}),
        json!({"me": {"role": "admin", "auth_kind": "admin_token", "can_write": true, "permissions": ["admin:*"]}}));
    c.headers("Authorization wins over the other headers", none.clone(),
        json!({"Authorization": format!("bearer {team}"), "X-Admin-Token": "not-the-admin-token"}),
        json!({"me": {"role": "team", "auth_kind": "team_token", "org_id": "org-1", "team_node_id": "team-1",
                      "can_write": true, "permissions": ["team:read", "team:write"]}}));
    c.headers(
        "a non-bearer Authorization counts as no credential",
        none.clone(),
        json!({"Authorization": format!("Basic {team}")}),
        json!({"error": "missing_credentials"}),
    );
    c.me("org-admin token", none.clone(), &org_admin,
        json!({"role": "admin", "auth_kind": "admin_token", "org_id": "org-1", "can_write": true, "permissions": ["admin:*"]}));
    c.error(
        "revoked team token",
        none.clone(),
        &revoked,
        "token_revoked",
    );
    c.error(
        "team token expired at exactly expires_at",
        none.clone(),
        &expired,
        "token_expired",
    );
    c.error(
        "team token nobody stored",
        none.clone(),
        &unknown,
        "invalid_credentials",
    );
    let (id, secret) = team.split_once('.').unwrap();
    let mut wrong = secret.chars().collect::<Vec<_>>();
    wrong[0] = if wrong[0] == 'A' { 'B' } else { 'A' };
    c.error(
        "team token with another secret",
        none.clone(),
        &format!("{id}.{}", wrong.iter().collect::<String>()),
        "invalid_credentials",
    );
    c.error(
        "team token ids are matched exactly (an uppercase spelling is another id)",
        none.clone(),
        &format!("{}.{secret}", id.to_uppercase()),
        "invalid_credentials",
    );
    c.error(
        "team tokens refused when TEAM_AUTH_MODE=oidc",
        json!({"TEAM_AUTH_MODE": "oidc"}),
        &team,
        "invalid_credentials",
    );
    c.error(
        "team tokens refused without TOKEN_PEPPER",
        json!({"TOKEN_PEPPER": ""}),
        &team,
        "invalid_credentials",
    );
    c.error(
        "org-admin tokens refused when ADMIN_AUTH_MODE=oidc",
        json!({"ADMIN_AUTH_MODE": "oidc"}),
        &org_admin,
        "invalid_credentials",
    );
    vec![team_row_v, org_row, revoked_row, expired_row, legacy_row]
}

/// Impersonation and visitor tokens, minted at the fixed clock.
async fn impersonation(x: &Ctx, c: &mut Cases) {
    let Ctx { none, .. } = x;
    let signer =
        ImpersonationSigner::new(ImpersonationConfig::new(IMPERSONATION_SECRET), None).unwrap();
    let request = ImpersonationRequest {
        org_id: "org-1".into(),
        team_node_id: "team-1".into(),
        subject: "alice".into(),
        email: Some("alice@example.com".into()),
        ttl_seconds: None,
    };
    let imp = signer.mint_at(&request, NOW - 60).await.unwrap().token;
    let visitor = signer
        .mint_visitor_at(
            &VisitorRequest {
                org_id: "org-1".into(),
                team_node_id: "team-1".into(),
                session_id: "s-42".into(),
                email: None,
                ttl_seconds: None,
            },
            NOW - 60,
        )
        .await
        .unwrap()
        .token;
    let visitor_with_email = signer
        .mint_visitor_at(
            &VisitorRequest {
                org_id: "org-1".into(),
                team_node_id: "team-1".into(),
                session_id: "s-43".into(),
                email: Some("visitor@example.com".into()),
                ttl_seconds: None,
            },
            NOW - 60,
        )
        .await
        .unwrap()
        .token;
    let old = signer.mint_at(&request, NOW - 2000).await.unwrap().token;
    c.me("impersonation token", none.clone(), &imp,
        json!({"role": "team", "auth_kind": "impersonation", "org_id": "org-1", "team_node_id": "team-1", "subject": "alice",
               "email": "alice@example.com", "can_write": false, "permissions": ["team:read"]}));
    c.headers("impersonation token in X-IncidentFox-Team-Token", none.clone(), json!({"X-IncidentFox-Team-Token": imp}),
        json!({"me": {"role": "team", "auth_kind": "impersonation", "org_id": "org-1", "team_node_id": "team-1", "subject": "alice",
               "email": "alice@example.com", "can_write": false, "permissions": ["team:read"]}}));
    c.me("visitor token", none.clone(), &visitor,
        json!({"role": "team", "auth_kind": "visitor", "org_id": "org-1", "team_node_id": "team-1", "subject": "visitor:s-42",
               "can_write": false, "permissions": ["team:read", "agent:invoke"], "visitor_session_id": "s-42"}));
    c.me("visitor token with an email", none.clone(), &visitor_with_email,
        json!({"role": "team", "auth_kind": "visitor", "org_id": "org-1", "team_node_id": "team-1", "subject": "visitor:s-43",
               "email": "visitor@example.com", "can_write": false, "permissions": ["team:read", "agent:invoke"],
               "visitor_session_id": "s-43"}));
    c.error(
        "expired impersonation token",
        none.clone(),
        &old,
        "token_expired",
    );
    c.error(
        "impersonation token under another secret",
        json!({"IMPERSONATION_JWT_SECRET": "a-different-impersonation-secret-0123"}),
        &imp,
        "invalid_signature",
    );
    c.error(
        "impersonation off: the token goes to oidc, which never accepts hs256",
        json!({"IMPERSONATION_JWT_SECRET": ""}),
        &imp,
        "algorithm_not_allowed",
    );
    c.error(
        "impersonation token for another audience",
        json!({"IMPERSONATION_JWT_AUDIENCE": "incidentfox-orchestrator"}),
        &imp,
        "invalid_audience",
    );
}

/// Team members signed in with OIDC.
fn team_oidc(x: &Ctx, c: &mut Cases) {
    let Ctx {
        rs, admin_groups, ..
    } = x;
    let member = x.sign(
        rs,
        json!({"groups": ["sre"], "org_id": "org-1", "team_node_id": "team-7"}),
    );
    c.me("team oidc member when TEAM_AUTH_MODE=both", json!({"TEAM_AUTH_MODE": "both"}), &member,
        json!({"role": "team", "auth_kind": "oidc", "org_id": "org-1", "team_node_id": "team-7", "subject": "alice",
               "email": "alice@example.com", "can_write": true, "permissions": ["team:read", "team:write"]}));
    c.error(
        "team oidc member without a team_node_id",
        json!({"TEAM_AUTH_MODE": "oidc"}),
        &x.sign(rs, json!({"groups": ["sre"], "org_id": "org-1"})),
        "permission_denied",
    );
    c.me("an admin-group member is an admin even when team oidc is on", json!({"TEAM_AUTH_MODE": "oidc"}), &x.sign(rs, admin_groups.clone()),
        json!({"role": "admin", "auth_kind": "oidc", "subject": "alice", "email": "alice@example.com",
               "can_write": true, "permissions": ["admin:*", "admin:provision", "admin:agent:run"]}));
    c.error(
        "bad TEAM_AUTH_MODE fails at load",
        json!({"TEAM_AUTH_MODE": "sometimes"}),
        ADMIN_TOKEN,
        "invalid_config",
    );
}
