//! The Authorization Code + PKCE + nonce flow: `begin` and `complete`.

use super::config::LoginConfig;
use super::cookies::{
    SetCookie, NONCE_COOKIE, REQUIRE_ROLE_COOKIE, RETURN_TO_COOKIE, SESSION_COOKIE_MAX_AGE,
    STATE_COOKIE, VERIFIER_COOKIE,
};
use super::return_to::sanitize_return_to;
use super::transport;
use crate::cookie::{escape_value, parse_cookie_header, unescape_value, SESSION_COOKIE};
use crate::error::{err, ErrorCode, Result};
use crate::jose::b64;
use crate::observe::events;
use crate::oidc::{Identity, KeySource, OidcConfig, OidcValidator};
use crate::secret::Secret;
use crate::text::clip;
use openidconnect::core::{CoreClient, CoreResponseType};
use openidconnect::{
    AuthUrl, AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, IssuerUrl, JsonWebKeySet, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use serde_json::Value;
use std::collections::HashMap;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
    EndpointNotSet,
>;

/// Where to send the browser, and the cookies to set first.
#[derive(Debug, Clone)]
pub struct LoginStart {
    /// The provider's authorization URL with `state`, `nonce` and the S256 PKCE challenge.
    pub authorization_url: String,
    /// The login cookies: state (with the required role, if any), PKCE verifier, nonce and
    /// return-to.
    pub cookies: Vec<SetCookie>,
}

/// A completed login.
#[derive(Clone)]
pub struct LoginResult {
    /// Who signed in.
    pub identity: Identity,
    /// The verified ID token (for the session cookie).
    pub id_token: String,
    /// The sanitised same-origin path to go to.
    pub return_to: String,
    /// The role this login attempt was started for, if any (the app decides what it means).
    /// It comes from the state cookie of this very attempt, so a role asked for by an earlier,
    /// abandoned login never carries over to one that asked for none.
    pub require_role: Option<String>,
    /// The login cookies, cleared.
    pub clear_cookies: Vec<SetCookie>,
    secure: bool,
}

impl std::fmt::Debug for LoginResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResult")
            .field("identity", &self.identity)
            .field("return_to", &self.return_to)
            .field("require_role", &self.require_role)
            .finish_non_exhaustive()
    }
}

impl LoginResult {
    /// The web UI's session cookie (`incidentfox_session_token`, path `/`, 7 days) holding the ID
    /// token.
    pub fn session_cookie(&self) -> SetCookie {
        SetCookie {
            path: "/".to_owned(),
            max_age: SESSION_COOKIE_MAX_AGE,
            ..SetCookie::login(SESSION_COOKIE, self.id_token.clone(), self.secure)
        }
    }
}

/// The web UI's OIDC login.
#[derive(Debug)]
pub struct OidcLogin {
    config: LoginConfig,
    client: Client,
    http: reqwest::Client,
    validator: OidcValidator,
    /// The discovery document says `authorization_response_iss_parameter_supported`: a callback
    /// without `iss` is then refused (RFC 9207).
    iss_required: bool,
}

/// A random value as 43 base64url characters (32 bytes), like the web UI's state and verifier.
fn random_token() -> Result<String> {
    Ok(b64::encode(crate::random::bytes::<32>()?))
}

fn config_error(what: &str, e: impl std::fmt::Display) -> crate::error::Error {
    err(ErrorCode::InvalidConfig, format!("{what}: {e}"))
}

impl OidcLogin {
    /// Prepares the login: explicit endpoints are used as given, missing ones are read from the
    /// issuer's discovery document (one fetch, now).
    pub async fn new(config: LoginConfig) -> Result<OidcLogin> {
        config.validate()?;
        let Endpoints {
            authorization,
            token,
            jwks,
            iss_supported,
        } = endpoints(&config).await?;
        let mut client = CoreClient::new(
            ClientId::new(config.client_id.clone()),
            IssuerUrl::new(config.issuer.clone()).map_err(|e| config_error("issuer", e))?,
            JsonWebKeySet::default(),
        )
        .set_auth_uri(
            AuthUrl::new(authorization).map_err(|e| config_error("authorization endpoint", e))?,
        )
        .set_token_uri(TokenUrl::new(token).map_err(|e| config_error("token endpoint", e))?)
        .set_redirect_uri(
            RedirectUrl::new(config.redirect_uri())
                .map_err(|e| config_error("public base url", e))?,
        );
        if let Some(secret) = &config.client_secret {
            let text = String::from_utf8_lossy(secret.expose()).into_owned();
            client = client.set_client_secret(ClientSecret::new(text));
        }
        // ID tokens go through the library's own validator: the provider's key set is cached
        // and refetched on an unknown kid, so a key rotation at the provider is picked up.
        let validator = OidcValidator::new(
            OidcConfig::new(
                config.issuer.clone(),
                config.client_id.clone(),
                KeySource::Url(jwks),
            )
            .with_algorithms(config.algorithms.clone())
            .with_groups_claim(config.groups_claim.clone())
            .with_jwks_settings(config.jwks)
            .with_required_claims(vec!["iat".into(), "nonce".into()]),
        )?;
        Ok(OidcLogin {
            config,
            client,
            http: transport::client()?,
            validator,
            iss_required: iss_supported,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &LoginConfig {
        &self.config
    }

    /// The authorization URL and the cookies to set; `return_to` is sanitised now and again at
    /// the callback. `require_role` is kept in the state cookie, after the state and a `.`, so it
    /// belongs to this attempt only; a value with anything but ASCII letters, digits, `-`, `_`,
    /// `.` and `:`, or longer than 64 bytes, is dropped.
    pub fn begin(&self, return_to: Option<&str>, require_role: Option<&str>) -> Result<LoginStart> {
        let result = self.start(return_to, require_role);
        events::login_outcome("begin", result.as_ref().err().map(|e| e.code()));
        result
    }

    fn start(&self, return_to: Option<&str>, require_role: Option<&str>) -> Result<LoginStart> {
        let state = random_token()?;
        let nonce = random_token()?;
        let verifier = PkceCodeVerifier::new(random_token()?);
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
        let (state_for_url, nonce_for_url) = (state.clone(), nonce.clone());
        let mut request = self
            .client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                move || CsrfToken::new(state_for_url),
                move || Nonce::new(nonce_for_url),
            )
            .set_pkce_challenge(challenge);
        // `openid` is always sent by the crate; the rest in the configured order.
        for scope in self.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, _, _) = request.url();
        let secure = self.config.cookie_secure;
        let state_cookie = match require_role.filter(|r| is_role(r)) {
            Some(role) => format!("{state}{ROLE_SEPARATOR}{role}"),
            None => state,
        };
        let cookies = vec![
            SetCookie::login(STATE_COOKIE, state_cookie, secure),
            SetCookie::login(VERIFIER_COOKIE, verifier.secret().clone(), secure),
            SetCookie::login(NONCE_COOKIE, nonce, secure),
            SetCookie::login(
                RETURN_TO_COOKIE,
                escape_value(&sanitize_return_to(return_to)),
                secure,
            ),
        ];
        Ok(LoginStart {
            authorization_url: url.to_string(),
            cookies,
        })
    }

    /// Finishes the login from the callback's query string and `Cookie` header.
    ///
    /// The callback's `iss` (RFC 9207) is checked first, error answers included: when present it
    /// must be exactly the configured issuer, and when the provider's discovery document says
    /// `authorization_response_iss_parameter_supported` it must be present; otherwise
    /// `invalid_issuer`. That tells a response of this provider from one another provider sent
    /// to the same callback (a mix-up).
    pub async fn complete(&self, query: &str, cookie_header: &str) -> Result<LoginResult> {
        let result = self.finish(query, cookie_header).await;
        events::login_outcome("complete", result.as_ref().err().map(|e| e.code()));
        result
    }

    async fn finish(&self, query: &str, cookie_header: &str) -> Result<LoginResult> {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect();
        self.check_issuer(&pairs)?;
        let params: HashMap<String, String> = pairs.into_iter().collect();
        let cookies = parse_cookie_header(cookie_header);
        if let Some(error) = params.get("error") {
            return Err(err(
                ErrorCode::LoginDenied,
                format!("the provider answered `{}`", clip(error)),
            ));
        }
        let cookie = |name: &str| cookies.get(name).filter(|v| !v.is_empty());
        let (expected, require_role) = split_state_cookie(
            cookie(STATE_COOKIE).ok_or_else(|| state_error("the state cookie is missing"))?,
        )?;
        let presented = params
            .get("state")
            .ok_or_else(|| state_error("the callback has no state"))?;
        // Constant time: the state is the CSRF secret.
        if !Secret::new(expected.as_bytes()).matches(presented.as_bytes()) {
            return Err(state_error("state does not match the state cookie"));
        }
        let verifier = cookie(VERIFIER_COOKIE)
            .ok_or_else(|| state_error("the pkce verifier cookie is missing"))?;
        let nonce =
            cookie(NONCE_COOKIE).ok_or_else(|| state_error("the nonce cookie is missing"))?;
        let code = params
            .get("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| err(ErrorCode::CodeExchangeFailed, "the callback has no code"))?;

        let id_token = self.exchange(code, verifier).await?;
        let verified = self.validator.verify(&id_token).await?;
        let claimed = verified
            .claims()
            .get("nonce")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !Secret::new(nonce.as_bytes()).matches(claimed.as_bytes()) {
            return Err(err(
                ErrorCode::InvalidNonce,
                "the id token's nonce does not match the nonce cookie",
            ));
        }
        // Decoded strictly: a value that is not UTF-8 once decoded is no path, so `/`.
        let return_to = cookie(RETURN_TO_COOKIE)
            .map(String::as_str)
            .and_then(unescape_value);
        let secure = self.config.cookie_secure;
        let clear_cookies = [
            STATE_COOKIE,
            VERIFIER_COOKIE,
            NONCE_COOKIE,
            RETURN_TO_COOKIE,
            REQUIRE_ROLE_COOKIE,
        ]
        .iter()
        .map(|name| SetCookie::login(name, String::new(), secure).cleared())
        .collect();
        Ok(LoginResult {
            identity: verified.identity().clone(),
            id_token,
            return_to: sanitize_return_to(return_to.as_deref()),
            require_role: require_role.map(str::to_owned),
            clear_cookies,
            secure,
        })
    }

    /// RFC 9207: `iss`, when the callback has one, is exactly the configured issuer; with none,
    /// the provider must not have promised one.
    fn check_issuer(&self, pairs: &[(String, String)]) -> Result<()> {
        let issuers: Vec<&str> = pairs
            .iter()
            .filter(|(name, _)| name == "iss")
            .map(|(_, value)| value.as_str())
            .collect();
        match issuers.as_slice() {
            [] if self.iss_required => Err(err(
                ErrorCode::InvalidIssuer,
                "the callback has no `iss`, which the provider's discovery document promises \
                 (authorization_response_iss_parameter_supported, RFC 9207)",
            )),
            [] => Ok(()),
            [issuer] if *issuer == self.config.issuer => Ok(()),
            [issuer] => Err(err(
                ErrorCode::InvalidIssuer,
                format!(
                    "the callback's `iss` `{}` is not the configured issuer (RFC 9207): the \
                     response may come from another provider",
                    clip(issuer)
                ),
            )),
            _ => Err(err(
                ErrorCode::InvalidIssuer,
                "the callback has more than one `iss`",
            )),
        }
    }

    /// The code exchange with the PKCE verifier (and the client secret when configured).
    async fn exchange(&self, code: &str, verifier: &str) -> Result<String> {
        let client = self.http.clone();
        let send = move |request| transport::send(client.clone(), request);
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
            .request_async(&send)
            .await
            .map_err(|e| match e {
                RequestTokenError::Request(e) => err(ErrorCode::ProviderUnavailable, e.to_string()),
                RequestTokenError::ServerResponse(r) => err(
                    ErrorCode::CodeExchangeFailed,
                    format!(
                        "the provider refused the code: `{}`",
                        clip(r.error().as_ref())
                    ),
                ),
                other => err(
                    ErrorCode::CodeExchangeFailed,
                    format!("unusable token response: {}", clip(&other.to_string())),
                ),
            })?;
        response.id_token().map(ToString::to_string).ok_or_else(|| {
            err(
                ErrorCode::CodeExchangeFailed,
                "the token response has no id_token",
            )
        })
    }
}

fn state_error(why: &str) -> crate::error::Error {
    err(ErrorCode::InvalidState, why.to_owned())
}

/// Between the state and the required role in the state cookie: never in a state (base64url).
const ROLE_SEPARATOR: char = '.';

/// The state cookie's state and required role. The role is checked again here: the cookie came
/// back from the browser, and a role that `begin` would not have written is no role to act on.
fn split_state_cookie(value: &str) -> Result<(&str, Option<&str>)> {
    match value.split_once(ROLE_SEPARATOR) {
        None => Ok((value, None)),
        Some((state, role)) if is_role(role) => Ok((state, Some(role))),
        Some(_) => Err(state_error("the state cookie's required role is malformed")),
    }
}

/// A role name: only cookie-safe characters (it is echoed into a cookie value), at most 64.
fn is_role(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// What the login needs to know of the provider.
struct Endpoints {
    authorization: String,
    token: String,
    jwks: String,
    /// `authorization_response_iss_parameter_supported` (false without discovery).
    iss_supported: bool,
}

/// Authorization, token and JWKS URLs: configured, or from the discovery document, whose issuer
/// must be ours.
async fn endpoints(config: &LoginConfig) -> Result<Endpoints> {
    if let (Some(a), Some(t), Some(j)) = (
        &config.authorization_endpoint,
        &config.token_endpoint,
        &config.jwks_url,
    ) {
        return Ok(Endpoints {
            authorization: a.clone(),
            token: t.clone(),
            jwks: j.clone(),
            iss_supported: false,
        });
    }
    let fetcher = crate::keys::Fetcher::new(crate::keys::FetchLimits::default())?;
    let base = config.issuer.trim_end_matches('/');
    let url = crate::http::check_url(&format!("{base}/.well-known/openid-configuration"))?;
    let body = fetcher
        .get(&url)
        .await
        .map_err(|e| err(ErrorCode::ProviderUnavailable, e.message().to_owned()))?;
    let document = crate::jose::json::parse_object(&body).map_err(|e| {
        err(
            ErrorCode::ProviderUnavailable,
            format!("discovery document {e}"),
        )
    })?;
    let text = |name: &str| {
        document
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if text("issuer").as_deref() != Some(config.issuer.as_str()) {
        return Err(err(
            ErrorCode::InvalidIssuer,
            "the discovery document names another issuer",
        ));
    }
    let pick = |given: &Option<String>, name: &str| {
        given.clone().or_else(|| text(name)).ok_or_else(|| {
            err(
                ErrorCode::ProviderUnavailable,
                format!("the discovery document has no `{name}`"),
            )
        })
    };
    let token = pick(&config.token_endpoint, "token_endpoint")?;
    let jwks = pick(&config.jwks_url, "jwks_uri")?;
    // The code and the keys travel over these: the discovered URLs get the same https (or
    // loopback http) rule as configured ones.
    for url in [&token, &jwks] {
        crate::http::check_url(url)?;
    }
    Ok(Endpoints {
        authorization: pick(&config.authorization_endpoint, "authorization_endpoint")?,
        token,
        jwks,
        // Anything but `true` (absent, or not a boolean) promises nothing.
        iss_supported: document.get("authorization_response_iss_parameter_supported")
            == Some(&Value::Bool(true)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://idp.example.test";

    async fn login() -> Result<OidcLogin> {
        let mut config = LoginConfig::new(ISSUER, "web-ui", "https://ui.example.test");
        config.authorization_endpoint = Some(format!("{ISSUER}/auth"));
        config.token_endpoint = Some(format!("{ISSUER}/token"));
        config.jwks_url = Some(format!("{ISSUER}/jwks"));
        OidcLogin::new(config).await
    }

    fn cookie<'a>(start: &'a LoginStart, name: &str) -> Option<&'a str> {
        start
            .cookies
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value.as_str())
    }

    fn state_param(start: &LoginStart) -> Option<String> {
        url::Url::parse(&start.authorization_url)
            .ok()?
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
    }

    /// The code of `complete`'s refusal (`None` when it did not refuse).
    async fn refusal(login: &OidcLogin, query: &str, cookies: &str) -> Option<ErrorCode> {
        login.complete(query, cookies).await.err().map(|e| e.code())
    }

    #[tokio::test]
    async fn the_required_role_travels_in_the_state_cookie() -> Result<()> {
        let login = login().await?;
        let start = login.begin(None, Some("org.admin:write"))?;
        let state = state_param(&start).unwrap_or_default();
        assert_eq!(state.len(), 43);
        assert_eq!(
            cookie(&start, STATE_COOKIE),
            Some(format!("{state}.org.admin:write").as_str())
        );
        assert_eq!(cookie(&start, REQUIRE_ROLE_COOKIE), None);
        for dropped in [None, Some("bad role"), Some(""), Some("a;b")] {
            let start = login.begin(None, dropped)?;
            assert_eq!(cookie(&start, STATE_COOKIE), state_param(&start).as_deref());
        }
        let long = "r".repeat(65);
        let start = login.begin(None, Some(&long))?;
        assert_eq!(cookie(&start, STATE_COOKIE), state_param(&start).as_deref());
        Ok(())
    }

    #[test]
    fn the_state_cookie_is_split_and_its_role_checked() {
        assert!(matches!(split_state_cookie("abc"), Ok(("abc", None))));
        assert!(matches!(
            split_state_cookie("abc.org.admin"),
            Ok(("abc", Some("org.admin")))
        ));
        for bad in ["abc.", "abc.a%20b", "abc.a b", "abc.é"] {
            assert_eq!(
                split_state_cookie(bad).err().map(|e| e.code()),
                Some(ErrorCode::InvalidState),
                "{bad}"
            );
        }
    }

    #[tokio::test]
    async fn a_role_the_state_cookie_could_not_have_been_given_is_refused() -> Result<()> {
        let login = login().await?;
        let cookies = "ifx_oidc_state=s.%3Cscript%3E; ifx_oidc_verifier=v; ifx_oidc_nonce=n";
        assert_eq!(
            refusal(&login, "?state=s&code=c", cookies).await,
            Some(ErrorCode::InvalidState)
        );
        Ok(())
    }

    /// RFC 9207: checked before anything else, error answers included.
    #[tokio::test]
    async fn the_callbacks_iss_must_be_the_issuer() -> Result<()> {
        let mut login = login().await?;
        let no_cookies = "";
        for query in [
            "state=s&code=c&iss=https%3A%2F%2Fevil.example",
            "state=s&code=c&iss=https%3A%2F%2Fidp.example.test%2F",
            "state=s&code=c&iss=HTTPS%3A%2F%2Fidp.example.test",
            "state=s&code=c&iss=",
            "state=s&code=c&iss=https%3A%2F%2Fidp.example.test&iss=https%3A%2F%2Fevil.example",
            "error=access_denied&state=s&iss=https%3A%2F%2Fevil.example",
        ] {
            assert_eq!(
                refusal(&login, query, no_cookies).await,
                Some(ErrorCode::InvalidIssuer),
                "{query}"
            );
        }
        // The right issuer, or none (no discovery document promised one): on to the state.
        for query in [
            "state=s&code=c&iss=https%3A%2F%2Fidp.example.test",
            "state=s&code=c",
        ] {
            assert_eq!(
                refusal(&login, query, no_cookies).await,
                Some(ErrorCode::InvalidState),
                "{query}"
            );
        }
        assert_eq!(
            refusal(
                &login,
                "error=access_denied&iss=https%3A%2F%2Fidp.example.test",
                ""
            )
            .await,
            Some(ErrorCode::LoginDenied)
        );
        // Promised by the discovery document: a callback without one is refused.
        login.iss_required = true;
        assert_eq!(
            refusal(&login, "state=s&code=c", no_cookies).await,
            Some(ErrorCode::InvalidIssuer)
        );
        assert_eq!(
            refusal(&login, "error=access_denied", no_cookies).await,
            Some(ErrorCode::InvalidIssuer)
        );
        assert_eq!(
            refusal(
                &login,
                "state=s&code=c&iss=https%3A%2F%2Fidp.example.test",
                ""
            )
            .await,
            Some(ErrorCode::InvalidState)
        );
        Ok(())
    }
}
