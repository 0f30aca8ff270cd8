#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Generates `testdata/vectors/impersonation.json`: impersonation and visitor tokens with the
//! expected verdict, for the Rust, Python and Node suites alike.
//!
//! The tokens are minted by this library (fixed `iat`, random `jti`) or crafted byte for byte with
//! `SigningKey::sign_parts`; the OIDC and RS256 tokens use `testdata/keys/keys.json`. Each
//! expectation is written from the documented rules (docs/compatibility.md, docs/SECURITY.md), never read back from
//! the verifier.
//!
//! Run with `cargo run -p incidentfox-auth --example gen_impersonation_vectors`, then
//! `scripts/pyjwt_vectors.py`, which appends the PyJWT-minted cases and records today's
//! (PyJWT) verdict for every case. This example rewrites the whole file, so the script must run
//! after it.

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
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata")
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
/// the claim names in today's order, and `exp - iat`.
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
    /// Today's rules (PyJWT) accept this token; the library refuses it, for `why`.
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
            m.insert("stricter_than_today".into(), json!(why));
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
fn main() {
    let keys: Value =
        serde_json::from_slice(&std::fs::read(root().join("keys/keys.json")).unwrap()).unwrap();
    let rs256 = pkcs8_key(&keys, "rs256");
    let es256 = pkcs8_key(&keys, "es256");
    let crafter = Crafter {
        hs256: SigningKey::hmac(Algorithm::HS256, SECRET.as_bytes()).unwrap(),
    };
    let hs384 = SigningKey::hmac(Algorithm::HS384, SECRET.as_bytes()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let ours = signer(DEFAULT_AUDIENCE, SECRET);
    let legacy = signer(LEGACY_AUDIENCE, SECRET);
    let custom = signer(CUSTOM_AUDIENCE, SECRET);
    let stranger = signer(DEFAULT_AUDIENCE, OTHER_SECRET);
    let mint = |s: &ImpersonationSigner, email: Option<&str>, ttl: Option<i64>, iat: i64| {
        runtime
            .block_on(s.mint_at(&impersonation_request(email, ttl), iat))
            .unwrap()
            .token
    };
    let mint_visitor = |s: &ImpersonationSigner, ttl: Option<i64>, iat: i64| {
        runtime
            .block_on(s.mint_visitor_at(&visitor_request(ttl), iat))
            .unwrap()
            .token
    };
    let legacy_on = json!({"accept_legacy_audience": true});
    let custom_on = json!({"audience": CUSTOM_AUDIENCE});
    let iat = NOW - 30;
    let mut cases: Vec<Value> = Vec::new();

    // --- Tokens this library mints (default TTLs 900 s and 1800 s, minimum 60 s).
    cases.push(
        Case::new(
            "minted_impersonation_with_email",
            "team impersonation token minted by the library, default TTL",
            &mint(&ours, Some(EMAIL), None, iat),
        )
        .expect(minted_impersonation(
            Some(EMAIL),
            DEFAULT_AUDIENCE,
            iat,
            900,
        )),
    );
    cases.push(
        Case::new(
            "minted_impersonation_without_email",
            "minted without an email: the claim is written as null and /auth/me omits it",
            &mint(&ours, None, None, iat),
        )
        .expect(minted_impersonation(None, DEFAULT_AUDIENCE, iat, 900)),
    );
    cases.push(
        Case::new(
            "minted_impersonation_ttl_30_raised_to_60",
            "a requested TTL of 30 s is raised to the 60 s minimum",
            &mint(&ours, Some(EMAIL), Some(30), iat),
        )
        .expect(minted_impersonation(Some(EMAIL), DEFAULT_AUDIENCE, iat, 60)),
    );
    cases.push(
        Case::new(
            "minted_impersonation_ttl_0_raised_to_60",
            "a requested TTL of 0 is raised to 60 s; issued 59 s ago, one second is left",
            &mint(&ours, Some(EMAIL), Some(0), NOW - 59),
        )
        .expect(minted_impersonation(
            Some(EMAIL),
            DEFAULT_AUDIENCE,
            NOW - 59,
            60,
        )),
    );
    cases.push(
        Case::new(
            "minted_impersonation_ttl_raised_then_expired",
            "a TTL raised to 60 s still ends 60 s after iat (issued 60 s ago: expired)",
            &mint(&ours, Some(EMAIL), Some(30), NOW - 60),
        )
        .invalid("token_expired"),
    );
    cases.push(
        Case::new(
            "minted_impersonation_ttl_3600",
            "a requested TTL above the minimum is kept",
            &mint(&ours, Some(EMAIL), Some(3600), iat),
        )
        .expect(minted_impersonation(
            Some(EMAIL),
            DEFAULT_AUDIENCE,
            iat,
            3600,
        )),
    );
    cases.push(
        Case::new(
            "minted_visitor",
            "visitor token minted by the library, default TTL 1800 s, no email claim",
            &mint_visitor(&ours, None, iat),
        )
        .expect(minted_visitor(DEFAULT_AUDIENCE, iat, 1800)),
    );
    cases.push(
        Case::new(
            "minted_visitor_ttl_10_raised_to_60",
            "a visitor TTL of 10 s is raised to 60 s",
            &mint_visitor(&ours, Some(10), iat),
        )
        .expect(minted_visitor(DEFAULT_AUDIENCE, iat, 60)),
    );
    cases.push(
        Case::new(
            "minted_visitor_expired",
            "visitor token issued 1800 s ago expires exactly now",
            &mint_visitor(&ours, None, NOW - 1800),
        )
        .invalid("token_expired"),
    );
    cases.push(
        Case::new(
            "minted_impersonation_expired",
            "expired 100 s ago",
            &mint(&ours, Some(EMAIL), None, NOW - 1000),
        )
        .invalid("token_expired"),
    );
    cases.push(
        Case::new(
            "minted_impersonation_expires_exactly_now",
            "now == exp is expired (leeway 0)",
            &mint(&ours, Some(EMAIL), None, NOW - 900),
        )
        .invalid("token_expired"),
    );
    cases.push(
        Case::new(
            "minted_impersonation_one_second_left",
            "now == exp - 1 is still valid",
            &mint(&ours, Some(EMAIL), None, NOW - 899),
        )
        .expect(minted_impersonation(
            Some(EMAIL),
            DEFAULT_AUDIENCE,
            NOW - 899,
            900,
        )),
    );
    let later = mint(&ours, Some(EMAIL), None, iat);
    cases.push(
        Case::new(
            "minted_impersonation_verified_half_a_second_before_exp",
            "a case `now` half a second before exp: still valid",
            &later,
        )
        .now(json!(NOW as f64 + 869.5))
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "minted_impersonation_verified_at_exp",
            "a case `now` equal to exp: expired",
            &later,
        )
        .now(json!(NOW + 870))
        .invalid("token_expired"),
    );
    cases.push(
        Case::new(
            "minted_impersonation_issued_now",
            "iat == now is not in the future",
            &mint(&ours, Some(EMAIL), None, NOW),
        )
        .expect(minted_impersonation(
            Some(EMAIL),
            DEFAULT_AUDIENCE,
            NOW,
            900,
        )),
    );
    cases.push(
        Case::new(
            "minted_impersonation_issued_in_future",
            "iat one second after now (leeway 0)",
            &mint(&ours, Some(EMAIL), None, NOW + 1),
        )
        .invalid("token_issued_in_future"),
    );
    cases.push(
        Case::new(
            "wrong_secret",
            "minted with another secret",
            &mint(&stranger, Some(EMAIL), None, iat),
        )
        .invalid("invalid_signature"),
    );

    // --- Audiences: configured, legacy (only with the switch), custom.
    let legacy_token = mint(&legacy, Some(EMAIL), None, iat);
    cases.push(
        Case::new(
            "legacy_audience_rejected_by_default",
            "audience incidentfox-config-service without the legacy switch",
            &legacy_token,
        )
        .invalid("invalid_audience"),
    );
    cases.push(
        Case::new(
            "legacy_audience_accepted_with_switch",
            "audience incidentfox-config-service with accept_legacy_audience",
            &legacy_token,
        )
        .config(legacy_on.clone())
        .expect(minted_impersonation(Some(EMAIL), LEGACY_AUDIENCE, iat, 900)),
    );
    cases.push(
        Case::new(
            "legacy_audience_visitor_accepted_with_switch",
            "legacy-audience visitor token with accept_legacy_audience",
            &mint_visitor(&legacy, None, iat),
        )
        .config(legacy_on.clone())
        .expect(minted_visitor(LEGACY_AUDIENCE, iat, 1800)),
    );
    cases.push(
        Case::new(
            "default_audience_accepted_with_legacy_switch",
            "the legacy switch adds an audience, it does not replace the configured one",
            &mint(&ours, Some(EMAIL), None, iat),
        )
        .config(legacy_on.clone())
        .expect(valid_impersonation(Some(EMAIL))),
    );
    let custom_token = mint(&custom, Some(EMAIL), None, iat);
    cases.push(
        Case::new(
            "custom_audience_accepted",
            "minted and verified with a configured custom audience",
            &custom_token,
        )
        .config(custom_on.clone())
        .expect(minted_impersonation(Some(EMAIL), CUSTOM_AUDIENCE, iat, 900)),
    );
    cases.push(
        Case::new(
            "custom_audience_rejected_by_default_config",
            "a custom-audience token under the default audience",
            &custom_token,
        )
        .invalid("invalid_audience"),
    );
    cases.push(
        Case::new(
            "default_audience_rejected_under_custom_audience",
            "a default-audience token when a custom audience is configured",
            &mint(&ours, Some(EMAIL), None, iat),
        )
        .config(custom_on.clone())
        .invalid("invalid_audience"),
    );
    cases.push(
        Case::new(
            "legacy_audience_accepted_with_custom_audience_and_switch",
            "custom audience plus the legacy switch accepts the legacy audience",
            &legacy_token,
        )
        .config(json!({"audience": CUSTOM_AUDIENCE, "accept_legacy_audience": true}))
        .expect(valid_impersonation(Some(EMAIL))),
    );

    // --- Crafted tokens: headers and algorithms.
    let base = crafter.token(&[]);
    cases.push(
        Case::new(
            "crafted_baseline",
            "the crafted claim set, well formed (the negatives below change one thing)",
            &base,
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "header_without_typ",
            "typ is optional",
            &crafter.with_header(r#"{"alg":"HS256"}"#, &[]),
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    let base_payload = serde_json::to_string(&Crafter::base()).unwrap();
    cases.push(
        Case::new(
            "alg_none",
            "alg none with an empty signature",
            &format!(
                "{}.{}.",
                b64::encode(r#"{"alg":"none","typ":"JWT"}"#),
                b64::encode(&base_payload)
            ),
        )
        .invalid("algorithm_not_allowed"),
    );
    cases.push(
        Case::new(
            "alg_hs384",
            "HS384 with the right secret: HS256 only",
            &hs384
                .sign_parts(br#"{"alg":"HS384","typ":"JWT"}"#, base_payload.as_bytes())
                .unwrap(),
        )
        .invalid("algorithm_not_allowed"),
    );
    cases.push(
        Case::new(
            "alg_rs256",
            "RS256 signed with the test RSA key",
            &rs256
                .sign_parts(
                    br#"{"alg":"RS256","typ":"JWT","kid":"rs256-1"}"#,
                    base_payload.as_bytes(),
                )
                .unwrap(),
        )
        .invalid("algorithm_not_allowed"),
    );
    cases.push(
        Case::new(
            "alg_rs256_header_over_hmac",
            "an RS256 header over a valid HS256 MAC (key confusion)",
            &crafter.with_header(r#"{"alg":"RS256","typ":"JWT"}"#, &[]),
        )
        .invalid("algorithm_not_allowed"),
    );
    cases.push(
        Case::new(
            "alg_lowercase_hs256",
            "alg names are case-sensitive",
            &crafter.with_header(r#"{"alg":"hs256","typ":"JWT"}"#, &[]),
        )
        .invalid("algorithm_not_allowed"),
    );
    let oidc_claims = json!({
        "iss": "https://idp.incidentfox.test", "aud": "incidentfox-config-service",
        "sub": "user-123", "email": "alice@incidentfox.test", "groups": ["sre"],
        "org_id": ORG, "team_node_id": TEAM, "iat": NOW - 60, "exp": NOW + 3600,
    });
    cases.push(
        Case::new(
            "oidc_es256_token",
            "an OIDC-style ES256 ID token never passes as an impersonation token",
            &es256.sign_claims(&oidc_claims).unwrap(),
        )
        .invalid("algorithm_not_allowed"),
    );
    cases.push(
        Case::new(
            "jku_header",
            "a jku header is refused even with a valid MAC",
            &crafter.with_header(
                r#"{"alg":"HS256","typ":"JWT","jku":"https://attacker.example/jwks.json"}"#,
                &[],
            ),
        )
        .stricter("a jku/x5u/jwk/x5c header is refused; PyJWT ignores it")
        .invalid("forbidden_header"),
    );
    cases.push(
        Case::new(
            "crit_header",
            "an unknown critical header extension",
            &crafter.with_header(r#"{"alg":"HS256","typ":"JWT","crit":["exp"],"exp":1}"#, &[]),
        )
        .invalid("unsupported_critical_header"),
    );
    cases.push(
        Case::new(
            "duplicate_alg_in_header",
            "header {\"alg\":\"none\",\"alg\":\"HS256\"}: duplicate members are refused",
            &crafter.with_header(r#"{"alg":"none","alg":"HS256","typ":"JWT"}"#, &[]),
        )
        .stricter("duplicate JSON member names are refused; PyJWT's json.loads keeps the last")
        .invalid("token_malformed"),
    );

    // --- Encoding and size.
    cases.push(
        Case::new(
            "non_canonical_base64url_signature",
            "the signature's last character with a non-zero unused bit (same bytes)",
            &non_canonical(&base),
        )
        .stricter(
            "base64url must be canonical; PyJWT before 2.14 ignores the unused bits (2.14 and \
             later refuse them too)",
        )
        .invalid("token_malformed"),
    );
    cases.push(
        Case::new(
            "padded_base64url_signature",
            "the signature with a trailing '=' pad",
            &format!("{base}="),
        )
        .stricter("base64url must be unpadded; PyJWT accepts a trailing '=' (except 2.14)")
        .invalid("token_malformed"),
    );
    cases.push(Case::new("empty_token", "the empty string", "").invalid("token_malformed"));
    let (signing_input, _) = base.rsplit_once('.').unwrap();
    cases.push(
        Case::new("two_segments", "header.payload only", signing_input).invalid("token_malformed"),
    );
    cases.push(
        Case::new(
            "payload_not_an_object",
            "claims that are a JSON array",
            &crafter.raw(r#"{"alg":"HS256","typ":"JWT"}"#, r#"["team:read"]"#),
        )
        .invalid("token_malformed"),
    );
    let exact = padded_token(&crafter, MAX_TOKEN_BYTES, false);
    assert_eq!(exact.len(), MAX_TOKEN_BYTES);
    cases.push(
        Case::new(
            "token_of_exactly_16_kib",
            "16384 bytes is the largest size read",
            &exact,
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    let over = padded_token(&crafter, MAX_TOKEN_BYTES, true);
    assert!(over.len() > MAX_TOKEN_BYTES && over.len() <= MAX_TOKEN_BYTES + 4);
    cases.push(
        Case::new(
            "token_over_16_kib",
            "just over 16384 bytes, otherwise valid",
            &over,
        )
        .stricter("tokens over 16 KiB are refused before decoding; PyJWT has no size cap")
        .invalid("token_too_large"),
    );

    // --- Required claims.
    for name in [
        "exp",
        "iat",
        "sub",
        "org_id",
        "team_node_id",
        "ifx_kind",
        "scope",
        "jti",
        "iss",
        "aud",
    ] {
        cases.push(
            Case::new(
                &format!("missing_{name}"),
                &format!("no `{name}` claim"),
                &crafter.token(&[(name, None)]),
            )
            .invalid("missing_claim"),
        );
    }

    // --- Issuer.
    cases.push(
        Case::new(
            "wrong_issuer",
            "the OIDC issuer",
            &crafter.token(&[("iss", Some(json!("https://idp.incidentfox.test")))]),
        )
        .invalid("invalid_issuer"),
    );
    cases.push(
        Case::new(
            "issuer_with_suffix",
            "the issuer followed by more text",
            &crafter.token(&[("iss", Some(json!("incidentfox-config-service.evil")))]),
        )
        .invalid("invalid_issuer"),
    );
    cases.push(
        Case::new(
            "issuer_prefix",
            "a prefix of the issuer (PyJWT 2.10.0 accepted substrings: CVE-2024-53861)",
            &crafter.token(&[("iss", Some(json!("incidentfox-config")))]),
        )
        .invalid("invalid_issuer"),
    );
    cases.push(
        Case::new(
            "issuer_not_a_string",
            "the issuer inside a list",
            &crafter.token(&[("iss", Some(json!([ISSUER])))]),
        )
        .invalid("invalid_claim"),
    );

    // --- Kind and scope.
    cases.push(
        Case::new(
            "ifx_kind_unknown",
            "ifx_kind team_admin",
            &crafter.token(&[("ifx_kind", Some(json!("team_admin")))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "crafted_visitor_without_session_id",
            "a visitor token without visitor_session_id",
            &crafter.token(&[
                ("sub", Some(json!(format!("visitor:{SESSION}")))),
                ("email", None),
                ("ifx_kind", Some(json!("visitor"))),
            ]),
        )
        .stricter("a visitor token names its session; today's rules do not require it")
        .invalid("missing_claim"),
    );
    cases.push(
        Case::new(
            "crafted_visitor_subject_of_another_session",
            "a visitor token whose sub is not visitor:<its visitor_session_id>",
            &crafter.token(&[
                ("sub", Some(json!("visitor:vs-someone-else"))),
                ("email", None),
                ("ifx_kind", Some(json!("visitor"))),
                ("visitor_session_id", Some(json!(SESSION))),
            ]),
        )
        .stricter("a visitor's subject is its session's; today's rules do not compare them")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "crafted_visitor_subject_of_an_admin",
            "a visitor token whose sub is an admin's",
            &crafter.token(&[
                ("ifx_kind", Some(json!("visitor"))),
                ("visitor_session_id", Some(json!(SESSION))),
            ]),
        )
        .stricter("a visitor's subject is its session's; today's rules do not compare them")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "team_impersonation_with_a_visitor_session",
            "a team-impersonation token carrying visitor_session_id",
            &crafter.token(&[("visitor_session_id", Some(json!(SESSION)))]),
        )
        .stricter("visitor_session_id belongs to visitor tokens; today's rules ignore it")
        .invalid("invalid_claim"),
    );
    for (name, claim, value) in [
        ("empty_sub", "sub", ""),
        ("blank_org_id", "org_id", "  "),
        ("empty_team_node_id", "team_node_id", ""),
        ("sub_with_a_nul", "sub", "admin@example.com\u{0}root"),
        (
            "org_id_with_a_line_break",
            "org_id",
            "org-acme\r\nX-Injected: 1",
        ),
    ] {
        cases.push(
            Case::new(
                name,
                &format!("`{claim}` is {value:?}"),
                &crafter.token(&[(claim, Some(json!(value)))]),
            )
            .stricter("identifiers are non-blank and free of control characters; today's rules only require presence")
            .invalid("invalid_claim"),
        );
    }
    cases.push(
        Case::new(
            "scope_string_team_read",
            "a scope string is one scope",
            &crafter.token(&[("scope", Some(json!("team:read")))]),
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "scope_space_separated_string",
            "\"team:read agent:invoke\" is one scope, not team:read",
            &crafter.token(&[("scope", Some(json!("team:read agent:invoke")))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "scope_list_without_team_read",
            "scope [\"agent:invoke\"]",
            &crafter.token(&[("scope", Some(json!(["agent:invoke"])))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "scope_empty_list",
            "scope []",
            &crafter.token(&[("scope", Some(json!([])))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "scope_number",
            "scope 1",
            &crafter.token(&[("scope", Some(json!(1)))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "scope_list_with_a_non_string",
            "scope [\"team:read\", 7]",
            &crafter.token(&[("scope", Some(json!(["team:read", 7])))]),
        )
        .stricter("every scope must be a string; today only looks for team:read")
        .invalid("invalid_claim"),
    );

    // --- Claim types.
    cases.push(
        Case::new(
            "exp_numeric_string",
            "exp \"1700000870\"",
            &crafter.token(&[("exp", Some(json!((NOW + 870).to_string())))]),
        )
        .stricter("exp must be a number; PyJWT converts a numeric string with int()")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "iat_numeric_string",
            "iat \"1699999970\"",
            &crafter.token(&[("iat", Some(json!((NOW - 30).to_string())))]),
        )
        .stricter("iat must be a number; PyJWT converts a numeric string with int()")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "exp_null",
            "exp null is a wrongly typed claim, not an absent one",
            &crafter.token(&[("exp", Some(Value::Null))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "exp_fractional",
            "a fractional exp in the future",
            &crafter.token(&[("exp", Some(json!(NOW as f64 + 100.5)))]),
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "iat_half_a_second_in_future",
            "iat now + 0.5: compared without truncation",
            &crafter.token(&[("iat", Some(json!(NOW as f64 + 0.5)))]),
        )
        .stricter("NumericDates are compared without truncation; PyJWT truncates iat with int()")
        .invalid("token_issued_in_future"),
    );
    cases.push(
        Case::new(
            "nbf_in_future",
            "nbf one minute ahead",
            &crafter.token(&[("nbf", Some(json!(NOW + 60)))]),
        )
        .invalid("token_not_yet_valid"),
    );
    cases.push(
        Case::new(
            "org_id_number",
            "org_id 42",
            &crafter.token(&[("org_id", Some(json!(42)))]),
        )
        .stricter("org_id must be a string; today only requires it to be present")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "email_number",
            "email 7",
            &crafter.token(&[("email", Some(json!(7)))]),
        )
        .stricter("email must be a string or null; today does not look at it")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "aud_list_containing_audience",
            "aud may be a list; one match is enough",
            &crafter.token(&[("aud", Some(json!(["another-service", DEFAULT_AUDIENCE])))]),
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "aud_list_with_a_non_string",
            "aud [\"incidentfox-agent-runtime\", 1]",
            &crafter.token(&[("aud", Some(json!([DEFAULT_AUDIENCE, 1])))]),
        )
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "duplicate_member_in_claims",
            "org_id twice (org-evil, then org-acme)",
            &crafter.raw(
                r#"{"alg":"HS256","typ":"JWT"}"#,
                &base_payload.replacen(
                    r#""org_id":"org-acme""#,
                    r#""org_id":"org-evil","org_id":"org-acme""#,
                    1,
                ),
            ),
        )
        .stricter("duplicate JSON member names are refused; PyJWT's json.loads keeps the last")
        .invalid("token_malformed"),
    );

    // --- jti.
    cases.push(
        Case::new(
            "jti_64_chars",
            "64 characters fit impersonation_jtis.jti varchar(64)",
            &crafter.token(&[("jti", Some(json!("a".repeat(64))))]),
        )
        .expect(valid_impersonation(Some(EMAIL))),
    );
    cases.push(
        Case::new(
            "jti_65_chars",
            "one character more than impersonation_jtis.jti holds",
            &crafter.token(&[("jti", Some(json!("a".repeat(65))))]),
        )
        .stricter("jti is at most 64 characters (the varchar(64) column); PyJWT has no limit")
        .invalid("invalid_claim"),
    );
    cases.push(
        Case::new(
            "jti_number",
            "jti 12345",
            &crafter.token(&[("jti", Some(json!(12345)))]),
        )
        .invalid("invalid_claim"),
    );

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
            token: this library (`cargo run -p incidentfox-auth --example \
            gen_impersonation_vectors`, which rewrites the file) or PyJWT exactly as today's \
            config_service mints (appended by `scripts/pyjwt_vectors.py`, which also records in \
            `pyjwt` today's verdict for every case: `valid` or the exception class; and the \
            PyJWT release in `pyjwt_version`). \
            `stricter_than_today` says why the library refuses a token today's rules accept; \
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
