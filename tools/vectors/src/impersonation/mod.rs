//! Generates `testdata/vectors/impersonation.json`: impersonation and visitor tokens with the
//! expected verdict, for the Rust, Python and Node suites alike.
//!
//! The tokens are minted by this library (fixed `iat`, random `jti`) or crafted byte for byte with
//! `SigningKey::sign_parts`; the OIDC and RS256 tokens use `testdata/keys/keys.json`. Each
//! expectation is written from the documented rules (docs/compatibility.md, docs/SECURITY.md), never read back from
//! the verifier.
//!
//! Run with `cargo run -p incidentfox-auth-vectors -- impersonation`, then
//! `scripts/pyjwt_vectors.py`, which appends the PyJWT-minted cases and records the agent
//! runtime's (PyJWT) verdict for every case. This generator rewrites the whole file, so the script must run
//! after it. One function per family of cases, in the order the file lists them.

mod claims;
mod crafted;
mod minted;

use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, VisitorRequest,
    DEFAULT_AUDIENCE, ISSUER, LEGACY_AUDIENCE,
};
use incidentfox_auth::jose::b64;
use incidentfox_auth::{Algorithm, SigningKey};
use serde_json::{json, Map, Value};
use std::path::PathBuf;

const NOW: i64 = 1_700_000_000;
const SECRET: &str = "incidentfox-impersonation-test-secret-do-not-use";
const OTHER_SECRET: &str = "a-different-secret-the-verifier-does-not-know";
const CUSTOM_AUDIENCE: &str = "incidentfox-agent-runtime-staging";
const ORG: &str = "org-acme";
const TEAM: &str = "team-payments";
const SUBJECT: &str = "okta|00u1admin";
const EMAIL: &str = "admin@acme.example";
const SESSION: &str = "vs-5b1e0c2d";
const JTI: &str = "0f8e4c7a9b2d4e1f8a6c3b5d7e9f1a2b";
const MAX_TOKEN_BYTES: usize = 16 * 1024;

fn root() -> PathBuf {
    crate::testdata()
}

fn pkcs8_key(keys: &Value, name: &str) -> SigningKey {
    let entry = &keys[name];
    let alg = Algorithm::from_name(entry["alg"].as_str().unwrap()).unwrap();
    let der = b64::decode(entry["pkcs8_b64"].as_str().unwrap()).unwrap();
    SigningKey::from_pkcs8(alg, &der)
        .unwrap()
        .with_kid(entry["kid"].as_str().unwrap())
}

/// The `/auth/me` JSON of an impersonation principal (docs/compatibility.md): `["team:read"]`, no write,
/// `email` omitted when unknown.
fn me_impersonation(email: Option<&str>) -> Value {
    let mut me = json!({
        "role": "team", "auth_kind": "impersonation", "org_id": ORG, "team_node_id": TEAM,
        "subject": SUBJECT,
    });
    if let Some(email) = email {
        me["email"] = json!(email);
    }
    me["can_write"] = json!(false);
    me["permissions"] = json!(["team:read"]);
    me
}

/// The `/auth/me` JSON of a visitor principal: `["team:read","agent:invoke"]`, no write.
fn me_visitor(session: Option<&str>) -> Value {
    let mut me = json!({
        "role": "team", "auth_kind": "visitor", "org_id": ORG, "team_node_id": TEAM,
        "subject": format!("visitor:{SESSION}"), "can_write": false,
        "permissions": ["team:read", "agent:invoke"],
    });
    if let Some(session) = session {
        me["visitor_session_id"] = json!(session);
    }
    me
}

fn valid_impersonation(email: Option<&str>) -> Value {
    json!({"valid": true, "kind": "team_impersonation", "me": me_impersonation(email)})
}

/// A minted impersonation token's expectation: the verdict plus every claim but the random `jti`,
/// the claim names in the config service's order, and `exp - iat`.
fn minted_impersonation(email: Option<&str>, audience: &str, iat: i64, ttl: i64) -> Value {
    let mut expect = valid_impersonation(email);
    expect["claims"] = json!({
        "iss": ISSUER, "aud": audience, "sub": SUBJECT, "email": email, "org_id": ORG,
        "team_node_id": TEAM, "ifx_kind": "team_impersonation", "scope": ["team:read"],
        "iat": iat, "exp": iat + ttl,
    });
    expect["claim_names"] = json!([
        "iss",
        "aud",
        "sub",
        "email",
        "org_id",
        "team_node_id",
        "ifx_kind",
        "scope",
        "iat",
        "exp",
        "jti"
    ]);
    expect["exp_minus_iat"] = json!(ttl);
    expect["jti_hex_chars"] = json!(32);
    expect
}

fn minted_visitor(audience: &str, iat: i64, ttl: i64) -> Value {
    let mut expect = json!({"valid": true, "kind": "visitor", "me": me_visitor(Some(SESSION))});
    expect["claims"] = json!({
        "iss": ISSUER, "aud": audience, "sub": format!("visitor:{SESSION}"), "org_id": ORG,
        "team_node_id": TEAM, "ifx_kind": "visitor", "visitor_session_id": SESSION,
        "scope": ["team:read", "agent:invoke"], "iat": iat, "exp": iat + ttl,
    });
    expect["claim_names"] = json!([
        "iss",
        "aud",
        "sub",
        "org_id",
        "team_node_id",
        "ifx_kind",
        "visitor_session_id",
        "scope",
        "iat",
        "exp",
        "jti"
    ]);
    expect["exp_minus_iat"] = json!(ttl);
    expect["jti_hex_chars"] = json!(32);
    expect
}

/// One vector, built member by member.
struct Case {
    name: String,
    description: String,
    token: String,
    config: Option<Value>,
    now: Option<Value>,
    stricter: Option<String>,
}

impl Case {
    fn new(name: &str, description: &str, token: &str) -> Case {
        Case {
            name: name.to_owned(),
            description: description.to_owned(),
            token: token.to_owned(),
            config: None,
            now: None,
            stricter: None,
        }
    }
    fn config(mut self, overrides: Value) -> Case {
        self.config = Some(overrides);
        self
    }
    fn now(mut self, now: Value) -> Case {
        self.now = Some(now);
        self
    }
    /// The agent runtime's rules (PyJWT) accept this token; the library refuses it, for `why`.
    fn stricter(mut self, why: &str) -> Case {
        self.stricter = Some(why.to_owned());
        self
    }
    fn expect(self, expect: Value) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("description".into(), json!(self.description));
        m.insert("source".into(), json!("incidentfox-auth"));
        if let Some(config) = self.config {
            m.insert("config".into(), config);
        }
        if let Some(now) = self.now {
            m.insert("now".into(), now);
        }
        m.insert("token".into(), json!(self.token));
        m.insert("expect".into(), expect);
        if let Some(why) = self.stricter {
            m.insert("stricter_than_services".into(), json!(why));
        }
        Value::Object(m)
    }
    fn invalid(self, code: &str) -> Value {
        self.expect(json!({"valid": false, "code": code}))
    }
}

/// Crafts tokens byte for byte.
struct Crafter {
    hs256: SigningKey,
}

impl Crafter {
    /// The claims of a well-formed impersonation token issued 30 s before `NOW`.
    fn base() -> Map<String, Value> {
        json!({
            "iss": ISSUER, "aud": DEFAULT_AUDIENCE, "sub": SUBJECT, "email": EMAIL,
            "org_id": ORG, "team_node_id": TEAM, "ifx_kind": "team_impersonation",
            "scope": ["team:read"], "iat": NOW - 30, "exp": NOW + 870, "jti": JTI,
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    /// The base claims with `changes` applied: a value replaces (in place) or appends; `None`
    /// removes the member.
    fn claims(changes: &[(&str, Option<Value>)]) -> Map<String, Value> {
        let mut claims = Crafter::base();
        for (name, value) in changes {
            match value {
                Some(v) => {
                    claims.insert((*name).to_owned(), v.clone());
                }
                None => {
                    claims.shift_remove(*name);
                }
            }
        }
        claims
    }

    fn raw(&self, header: &str, payload: &str) -> String {
        self.hs256
            .sign_parts(header.as_bytes(), payload.as_bytes())
            .unwrap()
    }

    fn with_header(&self, header: &str, changes: &[(&str, Option<Value>)]) -> String {
        let payload = serde_json::to_string(&Crafter::claims(changes)).unwrap();
        self.raw(header, &payload)
    }

    fn token(&self, changes: &[(&str, Option<Value>)]) -> String {
        self.with_header(r#"{"alg":"HS256","typ":"JWT"}"#, changes)
    }
}

fn signer(audience: &str, secret: &str) -> ImpersonationSigner {
    let mut config = ImpersonationConfig::new(secret);
    config.audience = audience.to_owned();
    ImpersonationSigner::new(config, None).unwrap()
}

fn impersonation_request(email: Option<&str>, ttl: Option<i64>) -> ImpersonationRequest {
    ImpersonationRequest {
        org_id: ORG.into(),
        team_node_id: TEAM.into(),
        subject: SUBJECT.into(),
        email: email.map(str::to_owned),
        ttl_seconds: ttl,
    }
}

fn visitor_request(ttl: Option<i64>) -> VisitorRequest {
    VisitorRequest {
        org_id: ORG.into(),
        team_node_id: TEAM.into(),
        session_id: SESSION.into(),
        email: None,
        ttl_seconds: ttl,
    }
}

/// Sets the low bit of the last base64url character: the same bytes, a non-canonical spelling.
fn non_canonical(token: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let (head, last) = token.split_at(token.len() - 1);
    let index = ALPHABET
        .iter()
        .position(|&c| c == last.as_bytes()[0])
        .unwrap();
    assert_eq!(index & 0b11, 0, "a 32-byte MAC leaves two zero bits");
    format!("{head}{}", ALPHABET[index | 1] as char)
}

/// The smallest `pad` claim that makes the token exactly `len` bytes, or more than `len` when
/// `over` is set.
fn padded_token(crafter: &Crafter, len: usize, over: bool) -> String {
    // base64url grows by 4 characters per 3 bytes: the pad is about three quarters of `len`.
    (len * 3 / 4 - 1024..len * 3 / 4)
        .map(|n| crafter.token(&[("pad", Some(json!("x".repeat(n))))]))
        .find(|t| if over { t.len() > len } else { t.len() == len })
        .expect("a padding length reaches the size")
}

// One `push` per case reads better than a 500-line `vec![]`.
#[allow(clippy::vec_init_then_push)]
/// The keys, signers and shared configuration overrides the families draw on.
struct Ctx {
    rs256: SigningKey,
    es256: SigningKey,
    crafter: Crafter,
    hs384: SigningKey,
    runtime: tokio::runtime::Runtime,
    ours: ImpersonationSigner,
    legacy: ImpersonationSigner,
    custom: ImpersonationSigner,
    stranger: ImpersonationSigner,
    legacy_on: Value,
    custom_on: Value,
    iat: i64,
}

impl Ctx {
    fn new() -> Ctx {
        let keys: Value =
            serde_json::from_slice(&std::fs::read(root().join("keys/keys.json")).unwrap()).unwrap();
        Ctx {
            rs256: pkcs8_key(&keys, "rs256"),
            es256: pkcs8_key(&keys, "es256"),
            crafter: Crafter {
                hs256: SigningKey::hmac(Algorithm::HS256, SECRET.as_bytes()).unwrap(),
            },
            hs384: SigningKey::hmac(Algorithm::HS384, SECRET.as_bytes()).unwrap(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
            ours: signer(DEFAULT_AUDIENCE, SECRET),
            legacy: signer(LEGACY_AUDIENCE, SECRET),
            custom: signer(CUSTOM_AUDIENCE, SECRET),
            stranger: signer(DEFAULT_AUDIENCE, OTHER_SECRET),
            legacy_on: json!({"accept_legacy_audience": true}),
            custom_on: json!({"audience": CUSTOM_AUDIENCE}),
            iat: NOW - 30,
        }
    }

    /// A team-impersonation token minted by `s` at `iat`.
    fn mint(
        &self,
        s: &ImpersonationSigner,
        email: Option<&str>,
        ttl: Option<i64>,
        iat: i64,
    ) -> String {
        self.runtime
            .block_on(s.mint_at(&impersonation_request(email, ttl), iat))
            .unwrap()
            .token
    }

    /// A visitor token minted by `s` at `iat`.
    fn mint_visitor(&self, s: &ImpersonationSigner, ttl: Option<i64>, iat: i64) -> String {
        self.runtime
            .block_on(s.mint_visitor_at(&visitor_request(ttl), iat))
            .unwrap()
            .token
    }
}

/// Writes `impersonation.json` (the PyJWT cases are appended afterwards by `scripts/pyjwt_vectors.py`).
pub fn generate() {
    let x = Ctx::new();
    let mut cases: Vec<Value> = Vec::new();
    minted::minted(&x, &mut cases);
    minted::audiences(&x, &mut cases);
    crafted::headers_and_algorithms(&x, &mut cases);
    crafted::encoding_and_size(&x, &mut cases);
    claims::required_claims(&x, &mut cases);
    claims::issuer(&x, &mut cases);
    claims::kind_and_scope(&x, &mut cases);
    claims::claim_types(&x, &mut cases);
    claims::jti(&x, &mut cases);

    let mut names = std::collections::HashSet::new();
    for case in &cases {
        assert!(
            names.insert(case["name"].as_str().unwrap().to_owned()),
            "duplicate case name {}",
            case["name"]
        );
    }
    let doc = json!({
        "description": "Impersonation and visitor tokens (HS256) with the expected verdict, shared \
            by the Rust, Python and Node suites. For each case: build the impersonation verifier \
            from `secret` and `config` with the case's `config` overrides applied, and verify \
            `token` (signature and claims only, no JTI store) at `now` (the case's `now` when \
            present). `expect` is either {valid: true, kind, me} (`me`: the exact GET \
            /api/v1/auth/me JSON of the principal, members in this order) or {valid: false, code} \
            with the exact error code. Minted cases also list `claims` (every claim but the \
            random jti, exact values), `claim_names` (all claims, in order), `exp_minus_iat` and \
            `jti_hex_chars` (the jti is that many lowercase hex digits). `source` is who made the \
            token: this library (`cargo run -p incidentfox-auth-vectors -- impersonation`, which \
            rewrites the file) or PyJWT exactly as the config service mints (appended by \
            `scripts/pyjwt_vectors.py`, which also records in `pyjwt` the verdict of the agent \
            runtime's PyJWT rules for every case: `valid` or the exception class; and the \
            PyJWT release in `pyjwt_version`). \
            `stricter_than_services` says why the library refuses a token the agent runtime's rules \
            accept; \
            elsewhere the two verdicts agree. Do not edit by hand.",
        "now": NOW,
        "secret": SECRET,
        "config": {
            "audience": DEFAULT_AUDIENCE,
            "accept_legacy_audience": false,
            "leeway_seconds": 0,
        },
        "cases": cases,
    });
    let path = root().join("vectors/impersonation.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
    println!(
        "wrote {} ({} cases)",
        path.display(),
        doc["cases"].as_array().map_or(0, Vec::len)
    );
}
