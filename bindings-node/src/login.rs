//! `OidcLogin`: the web UI's login flow (Authorization Code + PKCE + nonce), for a server-side
//! exchange in Node services. `lib/next.js` and `lib/express.js` build the route handlers on it.

use crate::convert::env_map;
use crate::errors::IntoJs;
use crate::runtime::promise;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::login::{self, LoginConfig, SetCookie};
use incidentfox_auth::{Algorithm, Secret};
use napi::bindgen_prelude::{Null, PromiseRaw};
use napi::{Either, Env};
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::Arc;

/// Settings of `OidcLogin.create(...)`, as the `WEB_UI_*` variables hold them.
#[napi(object)]
pub struct OidcLoginOptions {
    /// The provider's issuer: ID tokens must carry it, and discovery starts from it.
    pub issuer: String,
    /// The client id (the ID token's audience).
    pub client_id: String,
    /// The web UI's public base URL; the callback is `<base>/api/auth/callback`.
    pub public_base_url: String,
    /// The client secret, for confidential clients.
    pub client_secret: Option<String>,
    /// The authorization endpoint (default: from discovery).
    pub authorization_endpoint: Option<String>,
    /// The token endpoint (default: from discovery).
    pub token_endpoint: Option<String>,
    /// The JWKS URL for ID tokens (default: from discovery).
    pub jwks_url: Option<String>,
    /// Scopes requested (default `openid email profile groups`); must include `openid`.
    pub scopes: Option<Vec<String>>,
    /// Set `Secure` on the login and session cookies (default: on when `publicBaseUrl` is
    /// https); `false` with an https `publicBaseUrl` is `ERR_INVALID_CONFIG`.
    pub cookie_secure: Option<bool>,
    /// Algorithms accepted for ID tokens (default `["RS256"]`).
    pub algorithms: Option<Vec<String>>,
    /// Claim name or JSON pointer of the groups (default `groups`).
    pub groups_claim: Option<String>,
}

/// Options of `begin`.
#[napi(object)]
pub struct BeginOptions {
    /// Where to go after login: a same-origin path; anything else becomes `/`.
    pub return_to: Option<String>,
    /// The role the login is started for (the app decides what it means); kept in the state
    /// cookie, so it belongs to this login attempt only. A value with anything but ASCII
    /// letters, digits, `-`, `_`, `.` and `:`, or over 64 bytes, is dropped.
    pub require_role: Option<String>,
}

/// A cookie to set (or clear, with `maxAge` 0), with its `Set-Cookie` header value.
#[napi(object)]
pub struct LoginCookie {
    /// Name.
    pub name: String,
    /// Value (empty when clearing).
    pub value: String,
    /// `Path`.
    pub path: String,
    /// `Max-Age` in seconds (0 clears).
    pub max_age: u32,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `Secure`.
    pub secure: bool,
    /// `SameSite`.
    #[napi(ts_type = "'Lax' | 'Strict' | 'None'")]
    pub same_site: String,
    /// The whole `Set-Cookie` header value.
    pub header: String,
}

impl From<&SetCookie> for LoginCookie {
    fn from(cookie: &SetCookie) -> Self {
        LoginCookie {
            name: cookie.name.clone(),
            value: cookie.value.clone(),
            path: cookie.path.clone(),
            max_age: u32::try_from(cookie.max_age).unwrap_or(u32::MAX),
            http_only: cookie.http_only,
            secure: cookie.secure,
            same_site: cookie.same_site.to_owned(),
            header: cookie.header_value(),
        }
    }
}

/// Where to send the browser, and the cookies to set first.
#[napi(object)]
pub struct LoginStart {
    /// The provider's authorization URL with `state`, `nonce` and the S256 PKCE challenge.
    pub authorization_url: String,
    /// The login cookies: state (with the required role, if any), PKCE verifier, nonce and
    /// return-to.
    pub cookies: Vec<LoginCookie>,
}

/// Who signed in, from the verified ID token.
#[napi(object)]
pub struct LoginIdentity {
    /// The subject.
    pub subject: String,
    /// The email, when the token has one.
    pub email: Either<String, Null>,
    /// The groups, read from the configured groups claim.
    pub groups: Vec<String>,
    /// The organisation, when the token names one.
    pub org_id: Either<String, Null>,
    /// The team node, when the token names one.
    pub team_node_id: Either<String, Null>,
}

/// A completed login.
#[napi(object)]
pub struct LoginResult {
    /// Who signed in.
    pub identity: LoginIdentity,
    /// The verified ID token.
    pub id_token: String,
    /// The sanitised same-origin path to go to, as a browser would request it: dot segments
    /// resolved, non-ASCII text percent-encoded (always a valid `Location` value).
    pub return_to: String,
    /// The role this login attempt was started for, if any.
    pub require_role: Either<String, Null>,
    /// The login cookies, cleared: set them all on the response.
    pub clear_cookies: Vec<LoginCookie>,
    /// The web UI's session cookie (`incidentfox_session_token`, path `/`, 7 days) holding the ID
    /// token.
    pub session_cookie: LoginCookie,
}

/// `null` in JS when absent (a member that is always there, unlike an optional one).
fn nullable(value: Option<String>) -> Either<String, Null> {
    value.map_or(Either::B(Null), Either::A)
}

impl From<login::LoginResult> for LoginResult {
    fn from(result: login::LoginResult) -> Self {
        let session_cookie = LoginCookie::from(&result.session_cookie());
        let identity = result.identity;
        LoginResult {
            identity: LoginIdentity {
                subject: identity.subject,
                email: nullable(identity.email),
                groups: identity.groups,
                org_id: nullable(identity.org_id),
                team_node_id: nullable(identity.team_node_id),
            },
            id_token: result.id_token,
            return_to: result.return_to,
            require_role: nullable(result.require_role),
            clear_cookies: result.clear_cookies.iter().map(LoginCookie::from).collect(),
            session_cookie,
        }
    }
}

fn config(options: OidcLoginOptions) -> incidentfox_auth::Result<LoginConfig> {
    let mut config = LoginConfig::new(options.issuer, options.client_id, options.public_base_url);
    config.client_secret = options.client_secret.map(Secret::new);
    config.authorization_endpoint = options.authorization_endpoint;
    config.token_endpoint = options.token_endpoint;
    config.jwks_url = options.jwks_url;
    if let Some(scopes) = options.scopes {
        config.scopes = scopes;
    }
    if let Some(secure) = options.cookie_secure {
        config.cookie_secure = secure;
    }
    if let Some(names) = options.algorithms {
        config.algorithms = Algorithm::parse_list(&names)?;
    }
    if let Some(claim) = options.groups_claim {
        config.groups_claim = claim;
    }
    Ok(config)
}

/// Authorization Code + PKCE + nonce login against one provider.
#[napi]
pub struct OidcLogin {
    inner: Arc<login::OidcLogin>,
}

#[napi]
impl OidcLogin {
    /// Prepares the login; missing endpoints are read from the issuer's discovery document
    /// (one fetch, now). Rejects with `ERR_INVALID_CONFIG` or `ERR_PROVIDER_UNAVAILABLE`.
    #[napi]
    pub fn create<'env>(
        env: &'env Env,
        options: OidcLoginOptions,
    ) -> napi::Result<PromiseRaw<'env, OidcLogin>> {
        promise(env, async move {
            let inner = login::OidcLogin::new(config(options)?).await?;
            Ok(OidcLogin {
                inner: Arc::new(inner),
            })
        })
    }

    /// Reads the `WEB_UI_*` variables (`env`, else the process environment) and prepares the
    /// login; resolves to `null` unless `WEB_UI_OIDC_ENABLED=1`. Every problem is named in one
    /// `ERR_INVALID_CONFIG` rejection.
    #[napi(ts_return_type = "Promise<OidcLogin | null>")]
    pub fn from_env<'env>(
        env: &'env Env,
        vars: Option<HashMap<String, Option<String>>>,
    ) -> napi::Result<PromiseRaw<'env, Option<OidcLogin>>> {
        let vars = env_map(vars);
        promise(env, async move {
            let Some(config) = LoginConfig::from_env_source(&vars)? else {
                return Ok(None);
            };
            let inner = login::OidcLogin::new(config).await?;
            Ok(Some(OidcLogin {
                inner: Arc::new(inner),
            }))
        })
    }

    /// The callback URL registered with the provider (`<publicBaseUrl>/api/auth/callback`).
    #[napi(getter)]
    pub fn redirect_uri(&self) -> String {
        self.inner.config().redirect_uri()
    }

    /// Whether the cookies are `Secure`.
    #[napi(getter)]
    pub fn cookie_secure(&self) -> bool {
        self.inner.config().cookie_secure
    }

    /// The authorization URL and the login cookies to set before redirecting there;
    /// `returnTo` is sanitised now and again at the callback.
    #[napi]
    pub fn begin(&self, env: &Env, options: Option<BeginOptions>) -> napi::Result<LoginStart> {
        let (return_to, require_role) =
            options.map_or((None, None), |o| (o.return_to, o.require_role));
        let start = self
            .inner
            .begin(return_to.as_deref(), require_role.as_deref())
            .js(env)?;
        Ok(LoginStart {
            authorization_url: start.authorization_url,
            cookies: start.cookies.iter().map(LoginCookie::from).collect(),
        })
    }

    /// Finishes the login from the callback's query string (with or without `?`) and the
    /// request's `Cookie` header: exchanges the code, verifies the ID token and its nonce.
    /// Rejects with `ERR_INVALID_STATE`, `ERR_INVALID_NONCE`, `ERR_CODE_EXCHANGE_FAILED`,
    /// `ERR_LOGIN_DENIED`, `ERR_PROVIDER_UNAVAILABLE` or a token error of the ID token.
    #[napi]
    pub fn complete<'env>(
        &self,
        env: &'env Env,
        query: String,
        cookie_header: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, LoginResult>> {
        let login = Arc::clone(&self.inner);
        promise(env, async move {
            let result = login
                .complete(&query, cookie_header.as_deref().unwrap_or_default())
                .await?;
            Ok(LoginResult::from(result))
        })
    }
}
