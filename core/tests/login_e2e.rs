#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The web UI login end to end against a real OpenID Provider: npm `oidc-provider` run by
//! `testdata/oidc-provider/server.js` (see the top of that file for what it offers). Each login
//! goes over HTTP the way a browser would: `begin` → the authorization URL → the provider's login
//! form → its consent form → the redirect to our callback, which is not followed: its query and
//! a `Cookie` header built from `begin`'s cookies go to `complete`.
//!
//! Needs Node.js and `npm ci` in `testdata/oidc-provider` (`scripts/test-login.sh` does both);
//! without them every test fails with that instruction. Tests that change the provider (key
//! rotation, clock) or stop it start their own; the others share one.

use incidentfox_auth::config::FromEnv;
use incidentfox_auth::login::{LoginConfig, LoginResult, LoginStart, OidcLogin};
use incidentfox_auth::{Error, ErrorCode, Secret};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The web UI's base URL; nothing listens there (the redirect to it is never followed).
const PUBLIC_BASE_URL: &str = "http://127.0.0.1:9";
const REDIRECT_URI: &str = "http://127.0.0.1:9/api/auth/callback";
const CLIENT_ID: &str = "incidentfox-web-ui";
const CLIENT_SECRET: &str = "web-ui-test-secret";
const PUBLIC_CLIENT_ID: &str = "incidentfox-web-ui-public";
/// The ID token lifetime the provider is started with.
const ID_TOKEN_TTL: u64 = 600;
/// `LoginConfig`'s default key-set cooldown: an unknown kid refetches at most once per this long.
const JWKS_COOLDOWN: Duration = incidentfox_auth::login::LOGIN_JWKS_COOLDOWN;

// ---------------------------------------------------------------------------------------------
// The provider process
// ---------------------------------------------------------------------------------------------

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/oidc-provider")
}

/// A running `server.js`; killed on drop, and it exits by itself when this process dies (its
/// stdin, which we hold, closes).
struct Provider {
    child: Child,
    _stdin: ChildStdin,
    issuer: String,
    log: PathBuf,
}

impl Provider {
    /// Starts a provider; its stderr goes to a log under the target's tmp dir, named `name` (a
    /// fresh name per start when `None`).
    fn start(name: Option<&str>) -> Provider {
        let dir = provider_dir();
        let installed = dir.join("node_modules/oidc-provider/package.json");
        assert!(
            installed.is_file(),
            "{} is missing: run `npm ci` in testdata/oidc-provider first \
             (scripts/test-login.sh does it)",
            installed.display()
        );
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = name.map_or_else(|| format!("{}-{n}", std::process::id()), str::to_owned);
        let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("oidc-provider-{name}.log"));
        let log_file = std::fs::File::create(&log).expect("create the provider log");
        let node = std::env::var("NODE").unwrap_or_else(|_| "node".to_owned());
        let mut child = Command::new(&node)
            .current_dir(&dir)
            .args([
                "server.js",
                "--port",
                "0",
                "--redirect-uri",
                REDIRECT_URI,
                "--id-token-ttl",
                &ID_TOKEN_TTL.to_string(),
                "--exit-with-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run `{node}` (Node.js is needed): {e}"));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let ready: Value = serde_json::from_str(line.trim()).unwrap_or_else(|_| {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the provider did not start (stdout: {line:?}); its log {}:\n{}",
                log.display(),
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
        let issuer = ready["issuer"].as_str().unwrap().to_owned();
        assert_eq!(
            issuer,
            format!("http://127.0.0.1:{}", ready["port"].as_u64().unwrap())
        );
        Provider {
            child,
            _stdin: stdin,
            issuer,
            log,
        }
    }

    /// Calls a test admin endpoint; returns the provider's state.
    async fn admin(&self, path_and_query: &str) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}{path_and_query}", self.issuer))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path_and_query}: {response:?}"
        );
        serde_json::from_str(&response.text().await.unwrap()).unwrap()
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.stop();
        // Kept when the test failed, for its reason.
        if std::thread::panicking() {
            eprintln!("the provider's log: {}", self.log.display());
        } else {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// The provider shared by tests that do not change it.
fn shared() -> &'static Provider {
    static SHARED: OnceLock<Provider> = OnceLock::new();
    SHARED.get_or_init(|| Provider::start(Some("shared")))
}

// ---------------------------------------------------------------------------------------------
// Configurations
// ---------------------------------------------------------------------------------------------

/// The confidential client, configured as the web UI is: from `WEB_UI_*` variables, endpoints by
/// discovery.
fn env_config(issuer: &str) -> LoginConfig {
    let env: HashMap<&str, &str> = HashMap::from([
        ("WEB_UI_OIDC_ENABLED", "1"),
        ("WEB_UI_OIDC_ISSUER", issuer),
        ("WEB_UI_OIDC_CLIENT_ID", CLIENT_ID),
        ("WEB_UI_OIDC_CLIENT_SECRET", CLIENT_SECRET),
        ("WEB_UI_PUBLIC_BASE_URL", PUBLIC_BASE_URL),
    ]);
    LoginConfig::from_env_source(&env)
        .expect("valid login env")
        .expect("login enabled")
}

async fn login_for(provider: &Provider) -> OidcLogin {
    OidcLogin::new(env_config(&provider.issuer))
        .await
        .expect("OidcLogin::new")
}

// ---------------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------------

/// What the user does on the provider's login page.
#[derive(Clone, Copy)]
enum User<'a> {
    /// Signs in with this username (any password) and consents.
    SignsIn(&'a str),
    /// Follows the page's "Cancel" link.
    Cancels,
}

/// A browser with its own cookie jar that does not follow redirects by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// The value of the first `attr="…"` in `html` that ends with `suffix`.
fn attribute<'h>(html: &'h str, attr: &str, suffix: &str) -> Option<&'h str> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle).find_map(|(at, _)| {
        let rest = &html[at + needle.len()..];
        let value = &rest[..rest.find('"')?];
        value.ends_with(suffix).then_some(value)
    })
}

/// Goes from `authorization_url` through the provider's pages as `user` until the provider
/// redirects to our callback; returns that redirect's query (without `?`).
async fn authorize(browser: &reqwest::Client, authorization_url: &str, user: User<'_>) -> String {
    let mut next = reqwest::Url::parse(authorization_url).unwrap();
    let mut form: Option<Vec<(&str, String)>> = None;
    for _ in 0..20 {
        let request = match form.take() {
            Some(fields) => browser
                .post(next.clone())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(fields)
                        .finish(),
                ),
            None => browser.get(next.clone()),
        };
        let response = request.send().await.unwrap();
        let status = response.status();
        if status.is_redirection() {
            let location = response.headers()["location"].to_str().unwrap().to_owned();
            next = next.join(&location).unwrap();
            if next.as_str().starts_with(REDIRECT_URI) {
                return next.query().unwrap_or_default().to_owned();
            }
            continue;
        }
        let body = response.text().await.unwrap();
        assert!(status.is_success(), "{next}: {status}: {body}");
        if body.contains(r#"name="prompt" value="login""#) {
            match user {
                User::SignsIn(username) => {
                    form = Some(vec![
                        ("prompt", "login".to_owned()),
                        ("login", username.to_owned()),
                        ("password", "any password".to_owned()),
                    ]);
                    next = next.join(attribute(&body, "action", "").unwrap()).unwrap();
                }
                User::Cancels => {
                    next = next
                        .join(attribute(&body, "href", "/abort").unwrap())
                        .unwrap();
                }
            }
        } else if body.contains(r#"name="prompt" value="consent""#) {
            form = Some(vec![("prompt", "consent".to_owned())]);
            next = next.join(attribute(&body, "action", "").unwrap()).unwrap();
        } else {
            panic!("unexpected page at {next}: {body}");
        }
    }
    panic!("no redirect to the callback after 20 steps");
}

/// The `Cookie` header a browser sends to the callback after `begin` set these cookies.
fn cookie_header(start: &LoginStart) -> String {
    start
        .cookies
        .iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect::<Vec<_>>()
        .join("; ")
}

fn cookie_value<'s>(start: &'s LoginStart, name: &str) -> &'s str {
    &start.cookies.iter().find(|c| c.name == name).unwrap().value
}

fn query_param(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Replaces (or, with `None`, removes) one query parameter.
fn with_param(query: &str, name: &str, value: Option<&str>) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if k != name {
            out.append_pair(&k, &v);
        } else if let Some(value) = value {
            out.append_pair(&k, value);
        }
    }
    out.finish()
}

/// Replaces (or, with `None`, removes) one cookie of a `Cookie` header.
fn with_cookie(header: &str, name: &str, value: Option<&str>) -> String {
    header
        .split("; ")
        .filter_map(|pair| match pair.split_once('=') {
            Some((n, _)) if n == name => value.map(|v| format!("{n}={v}")),
            _ => Some(pair.to_owned()),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A login up to the callback: what `begin` returned, the callback query and the cookie header.
struct Callback {
    start: LoginStart,
    query: String,
    cookies: String,
}

async fn to_callback(
    login: &OidcLogin,
    return_to: Option<&str>,
    require_role: Option<&str>,
    user: User<'_>,
) -> Callback {
    let start = login.begin(return_to, require_role).expect("begin");
    let query = authorize(&browser(), &start.authorization_url, user).await;
    let cookies = cookie_header(&start);
    Callback {
        start,
        query,
        cookies,
    }
}

async fn log_in(login: &OidcLogin, user: &str) -> LoginResult {
    let callback = to_callback(login, None, None, User::SignsIn(user)).await;
    login
        .complete(&callback.query, &callback.cookies)
        .await
        .unwrap_or_else(|e| panic!("login as {user} failed: {e:?}"))
}

fn expect_code(outcome: Result<LoginResult, Error>, code: &str) {
    match outcome {
        Ok(result) => panic!("expected `{code}`, the login succeeded: {result:?}"),
        Err(e) => {
            assert_eq!(e.code().as_str(), code, "{e:?}");
            assert_eq!(Some(e.code()), ErrorCode::from_name(code));
        }
    }
}

fn token_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    let bytes = incidentfox_auth::jose::b64::decode(part).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn kid(token: &str) -> String {
    token_part(token, 0)["kid"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------------------------------------
// Logins that succeed
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn alice_logs_in_with_groups_from_the_id_token() {
    let provider = shared();
    let login = login_for(provider).await;
    let callback = to_callback(
        &login,
        Some("/teams/42?tab=agents"),
        Some("admin"),
        User::SignsIn("alice"),
    )
    .await;

    // What went to the provider.
    let url = reqwest::Url::parse(&callback.start.authorization_url).unwrap();
    assert!(url
        .as_str()
        .starts_with(&format!("{}/auth?", provider.issuer)));
    let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["redirect_uri"], REDIRECT_URI);
    assert_eq!(params["scope"], "openid email profile groups");
    assert_eq!(params["code_challenge_method"], "S256");
    // The required role rides in the state cookie, after the state.
    assert_eq!(
        format!("{}.admin", params["state"]),
        cookie_value(&callback.start, "ifx_oidc_state")
    );
    assert_eq!(
        params["nonce"],
        cookie_value(&callback.start, "ifx_oidc_nonce")
    );
    let names: Vec<&str> = callback
        .start
        .cookies
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "ifx_oidc_state",
            "ifx_oidc_verifier",
            "ifx_oidc_nonce",
            "ifx_oidc_return_to",
        ]
    );
    // What came back: a code, our state and the issuer (RFC 9207).
    assert!(query_param(&callback.query, "code").is_some());
    assert_eq!(
        query_param(&callback.query, "state").as_deref(),
        Some(params["state"].as_str())
    );
    assert_eq!(
        query_param(&callback.query, "iss").as_deref(),
        Some(provider.issuer.as_str())
    );

    let result = login
        .complete(&callback.query, &callback.cookies)
        .await
        .expect("complete");
    assert_eq!(result.identity.subject, "alice");
    assert_eq!(result.identity.email.as_deref(), Some("alice@example.com"));
    assert_eq!(result.identity.groups, ["incidentfox-config-admin", "sre"]);
    assert_eq!(result.return_to, "/teams/42?tab=agents");
    assert_eq!(result.require_role.as_deref(), Some("admin"));
    // The groups are in the ID token itself, which is what the session cookie carries.
    let claims = token_part(&result.id_token, 1);
    assert_eq!(claims["groups"][0], "incidentfox-config-admin");
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["iss"], provider.issuer.as_str());
    assert_eq!(
        claims["nonce"],
        cookie_value(&callback.start, "ifx_oidc_nonce")
    );
    assert_eq!(kid(&result.id_token), "test-key-1");
    let session = result.session_cookie();
    assert_eq!(session.name, "incidentfox_session_token");
    assert_eq!(session.value, result.id_token);
    let cleared: Vec<(&str, u64)> = result
        .clear_cookies
        .iter()
        .map(|c| (c.name.as_str(), c.max_age))
        .collect();
    assert_eq!(
        cleared,
        [
            ("ifx_oidc_state", 0),
            ("ifx_oidc_verifier", 0),
            ("ifx_oidc_nonce", 0),
            ("ifx_oidc_return_to", 0),
            ("ifx_oidc_require_role", 0)
        ]
    );
}

#[tokio::test]
async fn anyone_else_logs_in_as_a_viewer() {
    let login = login_for(shared()).await;
    let result = log_in(&login, "bob").await;
    assert_eq!(result.identity.subject, "bob");
    assert_eq!(result.identity.email.as_deref(), Some("bob@example.com"));
    assert_eq!(result.identity.groups, ["viewer"]);
    assert_eq!(result.return_to, "/");
    assert_eq!(result.require_role, None);
}

#[tokio::test]
async fn explicit_endpoints_work_without_discovery() {
    let provider = shared();
    let mut config = LoginConfig::new(&provider.issuer, CLIENT_ID, PUBLIC_BASE_URL);
    config.client_secret = Some(Secret::new(CLIENT_SECRET));
    config.authorization_endpoint = Some(format!("{}/auth", provider.issuer));
    config.token_endpoint = Some(format!("{}/token", provider.issuer));
    config.jwks_url = Some(format!("{}/jwks", provider.issuer));
    let login = OidcLogin::new(config).await.unwrap();
    let result = log_in(&login, "alice").await;
    assert_eq!(result.identity.groups, ["incidentfox-config-admin", "sre"]);
}

/// The provider rotates its signing key: the new key signs while both are published, then the
/// old one is dropped. The login's validator refetches the key set on the unknown kid, but at
/// most once per cooldown (30 s) after its last fetch: a login within that window of the previous
/// fetch fails with `unknown_key_id`, the first one after it succeeds. A validator with an empty
/// cache (a new `OidcLogin`) succeeds at once, which shows the provider's side is right.
#[tokio::test]
async fn key_rotation_is_picked_up_by_refetching_the_key_set() {
    let provider = Provider::start(None);
    let login = login_for(&provider).await;
    let first = log_in(&login, "alice").await;
    let fetched = Instant::now(); // the key set was fetched during that `complete`
    assert_eq!(kid(&first.id_token), "test-key-1");

    let state = provider.admin("/__test/rotate").await;
    assert_eq!(state["signing_kid"], "test-key-2");
    assert_eq!(
        state["published_kids"],
        serde_json::json!(["test-key-2", "test-key-1"])
    );

    // ID tokens come from the token endpoint, not from an attacker, so the login's validator
    // may refetch on an unknown kid after a one-second cooldown: the rotation is picked up.
    let after_cooldown = fetched + JWKS_COOLDOWN + Duration::from_millis(200);
    tokio::time::sleep(after_cooldown.saturating_duration_since(Instant::now())).await;
    let result = log_in(&login, "alice").await;
    assert_eq!(kid(&result.id_token), "test-key-2");
    assert_eq!(result.identity.groups, ["incidentfox-config-admin", "sre"]);

    // A new login fetches the current set on first use.
    let fresh = login_for(&provider).await;
    let result = log_in(&fresh, "bob").await;
    assert_eq!(kid(&result.id_token), "test-key-2");
    assert_eq!(result.identity.groups, ["viewer"]);

    // The old key is dropped from the JWKS; logins go on (the new key is already cached).
    let state = provider.admin("/__test/retire").await;
    assert_eq!(state["published_kids"], serde_json::json!(["test-key-2"]));
    let jwks = reqwest::get(format!("{}/jwks", provider.issuer))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let jwks: Value = serde_json::from_str(&jwks).unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, ["test-key-2"]);
    let result = log_in(&login, "alice").await;
    assert_eq!(kid(&result.id_token), "test-key-2");
}

// ---------------------------------------------------------------------------------------------
// Logins that fail, each with its code
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_tampered_or_missing_state_is_invalid_state() {
    let login = login_for(shared()).await;
    let callback = to_callback(&login, None, None, User::SignsIn("alice")).await;
    let state = query_param(&callback.query, "state").unwrap();
    let mut tampered = state.clone();
    tampered.replace_range(..1, if state.starts_with('A') { "B" } else { "A" });
    for query in [
        with_param(&callback.query, "state", Some(&tampered)),
        with_param(&callback.query, "state", Some("")),
        with_param(&callback.query, "state", None),
    ] {
        expect_code(
            login.complete(&query, &callback.cookies).await,
            "invalid_state",
        );
    }
    // The code was never sent: the untouched callback still logs in.
    let result = login
        .complete(&callback.query, &callback.cookies)
        .await
        .unwrap();
    assert_eq!(result.identity.subject, "alice");
}

/// The provider sends `iss` (RFC 9207) and says so in its discovery document: a callback whose
/// `iss` is another issuer's, or that has none, is refused before the code is sent anywhere.
#[tokio::test]
async fn the_callbacks_iss_must_be_the_providers() {
    let provider = shared();
    let discovery = reqwest::get(format!(
        "{}/.well-known/openid-configuration",
        provider.issuer
    ))
    .await
    .unwrap()
    .bytes()
    .await
    .unwrap();
    let discovery: Value = serde_json::from_slice(&discovery).unwrap();
    assert_eq!(
        discovery["authorization_response_iss_parameter_supported"],
        true
    );
    let login = login_for(provider).await;
    let callback = to_callback(&login, None, None, User::SignsIn("alice")).await;
    for (query, why) in [
        (
            with_param(&callback.query, "iss", Some("https://evil.example")),
            "is not the configured issuer",
        ),
        (
            with_param(
                &callback.query,
                "iss",
                Some(&format!("{}/", provider.issuer)),
            ),
            "is not the configured issuer",
        ),
        (
            with_param(&callback.query, "iss", None),
            "the callback has no `iss`",
        ),
    ] {
        let e = login.complete(&query, &callback.cookies).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidIssuer, "{query}: {e:?}");
        assert!(e.message().contains(why), "{e:?}");
    }
    // The code was never sent: the untouched callback still logs in.
    let result = login
        .complete(&callback.query, &callback.cookies)
        .await
        .unwrap();
    assert_eq!(result.identity.subject, "alice");

    // Explicit endpoints read no discovery document, so only an `iss` that is there is checked.
    let mut config = LoginConfig::new(&provider.issuer, CLIENT_ID, PUBLIC_BASE_URL);
    config.client_secret = Some(Secret::new(CLIENT_SECRET));
    config.authorization_endpoint = Some(format!("{}/auth", provider.issuer));
    config.token_endpoint = Some(format!("{}/token", provider.issuer));
    config.jwks_url = Some(format!("{}/jwks", provider.issuer));
    let explicit = OidcLogin::new(config).await.unwrap();
    let callback = to_callback(&explicit, None, None, User::SignsIn("alice")).await;
    let wrong = with_param(&callback.query, "iss", Some("https://evil.example"));
    expect_code(
        explicit.complete(&wrong, &callback.cookies).await,
        "invalid_issuer",
    );
    let without = with_param(&callback.query, "iss", None);
    let result = explicit
        .complete(&without, &callback.cookies)
        .await
        .unwrap();
    assert_eq!(result.identity.subject, "alice");
}

/// A role asked for by one login attempt is that attempt's only: a later login that asked for
/// none, in the same browser, is not given it (the browser keeps every cookie of the first
/// attempt that the second does not overwrite).
#[tokio::test]
async fn a_required_role_belongs_to_its_login_attempt() {
    let login = login_for(shared()).await;
    let abandoned = login.begin(None, Some("admin")).unwrap();
    let callback = to_callback(&login, None, None, User::SignsIn("bob")).await;
    let mut jar: Vec<(String, String)> = Vec::new();
    for c in abandoned.cookies.iter().chain(&callback.start.cookies) {
        jar.retain(|(name, _)| *name != c.name);
        jar.push((c.name.clone(), c.value.clone()));
    }
    // And a required-role cookie an earlier version of the login left behind.
    jar.push(("ifx_oidc_require_role".into(), "admin".into()));
    let cookies = jar
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let result = login.complete(&callback.query, &cookies).await.unwrap();
    assert_eq!(result.identity.subject, "bob");
    assert_eq!(result.require_role, None);

    // A role written into the state cookie that `begin` would never write is refused.
    let callback = to_callback(&login, None, Some("admin"), User::SignsIn("bob")).await;
    let state = query_param(&callback.query, "state").unwrap();
    let cookies = with_cookie(
        &callback.cookies,
        "ifx_oidc_state",
        Some(&format!("{state}.admin%0d%0a")),
    );
    expect_code(
        login.complete(&callback.query, &cookies).await,
        "invalid_state",
    );
}

#[tokio::test]
async fn missing_login_cookies_are_invalid_state() {
    let login = login_for(shared()).await;
    let callback = to_callback(&login, None, None, User::SignsIn("alice")).await;
    for cookie in ["ifx_oidc_state", "ifx_oidc_verifier", "ifx_oidc_nonce"] {
        let cookies = with_cookie(&callback.cookies, cookie, None);
        assert_ne!(cookies, callback.cookies);
        expect_code(
            login.complete(&callback.query, &cookies).await,
            "invalid_state",
        );
    }
    expect_code(login.complete(&callback.query, "").await, "invalid_state");
    // A state cookie from another login does not match either.
    let other = login.begin(None, None).unwrap();
    let cookies = with_cookie(
        &callback.cookies,
        "ifx_oidc_state",
        Some(cookie_value(&other, "ifx_oidc_state")),
    );
    expect_code(
        login.complete(&callback.query, &cookies).await,
        "invalid_state",
    );
}

#[tokio::test]
async fn a_replayed_code_is_code_exchange_failed() {
    let login = login_for(shared()).await;
    let callback = to_callback(&login, None, None, User::SignsIn("alice")).await;
    login
        .complete(&callback.query, &callback.cookies)
        .await
        .unwrap();
    expect_code(
        login.complete(&callback.query, &callback.cookies).await,
        "code_exchange_failed",
    );
}

#[tokio::test]
async fn a_wrong_pkce_verifier_or_client_secret_is_code_exchange_failed() {
    let provider = shared();
    let login = login_for(provider).await;
    let callback = to_callback(&login, None, None, User::SignsIn("alice")).await;
    let other = login.begin(None, None).unwrap();
    let cookies = with_cookie(
        &callback.cookies,
        "ifx_oidc_verifier",
        Some(cookie_value(&other, "ifx_oidc_verifier")),
    );
    expect_code(
        login.complete(&callback.query, &cookies).await,
        "code_exchange_failed",
    );

    let mut config = env_config(&provider.issuer);
    config.client_secret = Some(Secret::new("not-the-secret"));
    let wrong_secret = OidcLogin::new(config).await.unwrap();
    let callback = to_callback(&wrong_secret, None, None, User::SignsIn("alice")).await;
    expect_code(
        wrong_secret
            .complete(&callback.query, &callback.cookies)
            .await,
        "code_exchange_failed",
    );
}

#[tokio::test]
async fn a_tampered_nonce_cookie_is_invalid_nonce() {
    let login = login_for(shared()).await;
    let callback = to_callback(&login, None, None, User::SignsIn("alice")).await;
    let other = login.begin(None, None).unwrap();
    let cookies = with_cookie(
        &callback.cookies,
        "ifx_oidc_nonce",
        Some(cookie_value(&other, "ifx_oidc_nonce")),
    );
    expect_code(
        login.complete(&callback.query, &cookies).await,
        "invalid_nonce",
    );
}

/// The token endpoint hands back a genuine ID token minted for another client: the authorization
/// request is made for the public client, and the token request goes through the provider's
/// `/__test/token-as/<public client>`, which replays it as that client. The nonce is ours, the
/// signature is the provider's; only the audience is wrong.
#[tokio::test]
async fn an_id_token_for_another_client_is_invalid_audience() {
    let provider = shared();
    let mut config = LoginConfig::new(&provider.issuer, CLIENT_ID, PUBLIC_BASE_URL);
    config.client_secret = Some(Secret::new(CLIENT_SECRET));
    config.authorization_endpoint = Some(format!("{}/auth", provider.issuer));
    config.token_endpoint = Some(format!(
        "{}/__test/token-as/{PUBLIC_CLIENT_ID}",
        provider.issuer
    ));
    config.jwks_url = Some(format!("{}/jwks", provider.issuer));
    let login = OidcLogin::new(config).await.unwrap();

    let start = login.begin(None, None).unwrap();
    let mut url = reqwest::Url::parse(&start.authorization_url).unwrap();
    let query = with_param(url.query().unwrap(), "client_id", Some(PUBLIC_CLIENT_ID));
    url.set_query(Some(&query));
    let callback = authorize(&browser(), url.as_str(), User::SignsIn("alice")).await;
    expect_code(
        login.complete(&callback, &cookie_header(&start)).await,
        "invalid_audience",
    );
}

/// The provider's clock is set back by more than the ID token's lifetime plus the validator's
/// 30 s leeway, so the ID token it issues (with a consistent code exchange on its side) expired
/// five minutes ago.
#[tokio::test]
async fn an_expired_id_token_is_token_expired() {
    let provider = Provider::start(None);
    let login = login_for(&provider).await;
    let offset = -(ID_TOKEN_TTL as i64 + 300);
    let state = provider
        .admin(&format!("/__test/clock?offset={offset}"))
        .await;
    assert_eq!(state["clock_offset"], offset);

    let callback = to_callback(&login, None, None, User::SignsIn("alice")).await;
    expect_code(
        login.complete(&callback.query, &callback.cookies).await,
        "token_expired",
    );

    // The same provider with its clock right again: the login goes through.
    provider.admin("/__test/clock?offset=0").await;
    let result = log_in(&login, "alice").await;
    let claims = token_part(&result.id_token, 1);
    let now = incidentfox_auth::time::unix_now();
    assert!(claims["exp"].as_f64().unwrap() > now);
}

#[tokio::test]
async fn access_denied_at_the_provider_is_login_denied() {
    let login = login_for(shared()).await;
    let callback = to_callback(&login, None, None, User::Cancels).await;
    assert_eq!(
        query_param(&callback.query, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&callback.query, "code"), None);
    expect_code(
        login.complete(&callback.query, &callback.cookies).await,
        "login_denied",
    );
}

/// The provider requires PKCE: an authorization request without a challenge comes back as an
/// error, which the callback reports as `login_denied`.
#[tokio::test]
async fn the_provider_refuses_a_request_without_pkce() {
    let login = login_for(shared()).await;
    let start = login.begin(None, None).unwrap();
    let mut url = reqwest::Url::parse(&start.authorization_url).unwrap();
    let query = with_param(url.query().unwrap(), "code_challenge", None);
    let query = with_param(&query, "code_challenge_method", None);
    url.set_query(Some(&query));
    let callback = authorize(&browser(), url.as_str(), User::SignsIn("alice")).await;
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some("invalid_request"),
        "{callback}"
    );
    expect_code(
        login.complete(&callback, &cookie_header(&start)).await,
        "login_denied",
    );
}

#[tokio::test]
async fn open_redirect_return_to_values_end_as_root() {
    let login = login_for(shared()).await;
    for evil in [
        "//evil.example",
        "https://evil.example",
        "/\\evil",
        "/%2F%2Fevil",
        "/%2f%2fevil.example/path",
        "/%5Cevil",
        "javascript:alert(1)",
        "/redirect?x=1&to=https%3A%2F%2Fevil.example",
        "/a&%0d%0aSet-Cookie:%20x=1",
    ] {
        let callback = to_callback(&login, Some(evil), None, User::SignsIn("alice")).await;
        let result = login
            .complete(&callback.query, &callback.cookies)
            .await
            .unwrap_or_else(|e| panic!("{evil}: {e:?}"));
        assert_eq!(result.return_to, "/", "{evil}");
    }
    // The cookie is checked again at the callback: one rewritten in the browser ends as `/` too.
    let callback = to_callback(&login, Some("/ok"), None, User::SignsIn("alice")).await;
    let cookies = with_cookie(
        &callback.cookies,
        "ifx_oidc_return_to",
        Some("%2F%2Fevil.example"),
    );
    let result = login.complete(&callback.query, &cookies).await.unwrap();
    assert_eq!(result.return_to, "/");
    // The whole cookie is decoded: what follows a raw `&` is checked too.
    let callback = to_callback(&login, Some("/ok"), None, User::SignsIn("alice")).await;
    let cookies = with_cookie(
        &callback.cookies,
        "ifx_oidc_return_to",
        Some("%2Fok&%0d%0aSet-Cookie:%20x=1"),
    );
    let result = login.complete(&callback.query, &cookies).await.unwrap();
    assert_eq!(result.return_to, "/");
    // A kept path comes back exactly, `&`, `+` and escapes included.
    let kept = "/search?q=a%26b+c&page=2";
    let callback = to_callback(&login, Some(kept), None, User::SignsIn("alice")).await;
    let result = login
        .complete(&callback.query, &callback.cookies)
        .await
        .unwrap();
    assert_eq!(result.return_to, kept);
}

#[tokio::test]
async fn a_provider_that_is_gone_is_provider_unavailable() {
    let mut provider = Provider::start(None);
    let login = login_for(&provider).await;
    let callback = to_callback(&login, None, None, User::SignsIn("alice")).await;
    let issuer = provider.issuer.clone();
    provider.stop();
    expect_code(
        login.complete(&callback.query, &callback.cookies).await,
        "provider_unavailable",
    );
    // Discovery against it fails the same way.
    let e = OidcLogin::new(env_config(&issuer)).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ProviderUnavailable, "{e:?}");
}

/// A token endpoint answering 502/503 (the provider is down behind its proxy) means the provider
/// is unavailable, not that it refused the code.
#[tokio::test]
async fn a_token_endpoint_answering_5xx_is_provider_unavailable() {
    let provider = shared();
    for status in [502, 503] {
        let mut config = LoginConfig::new(&provider.issuer, CLIENT_ID, PUBLIC_BASE_URL);
        config.client_secret = Some(Secret::new(CLIENT_SECRET));
        config.authorization_endpoint = Some(format!("{}/auth", provider.issuer));
        config.token_endpoint = Some(format!("{}/__test/status/{status}", provider.issuer));
        config.jwks_url = Some(format!("{}/jwks", provider.issuer));
        let login = OidcLogin::new(config).await.unwrap();
        let callback = to_callback(&login, None, None, User::SignsIn("alice")).await;
        expect_code(
            login.complete(&callback.query, &callback.cookies).await,
            "provider_unavailable",
        );
    }
}
