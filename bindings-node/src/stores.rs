//! JTI stores for Node: the in-memory and PostgreSQL stores, and any JS object with `record` /
//! `contains` / `revoke` methods, and `consume` for single use (normalised by `lib/index.js`,
//! see `js_calls.rs`).

use crate::convert::env_map;
use crate::errors::{invalid_argument, IntoJs};
use crate::js_calls::{invoke, js_call, JsCall};
use crate::runtime::promise;
use async_trait::async_trait;
use incidentfox_auth::config::whole_count;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::hooks::HookSettings;
use incidentfox_auth::jti::{self, JtiStore};
use incidentfox_auth::{Error, ErrorCode, Result};
use napi::bindgen_prelude::{
    ClassInstance, Either3, JsObjectValue, Object, PromiseRaw, ToNapiValue, Unknown, ValueType,
};
use napi::Env;
use napi_derive::napi;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A minted token's JTI as recorded (the `impersonation_jtis` row).
#[napi(object)]
pub struct JtiEntry {
    /// The token's `jti`.
    pub jti: String,
    /// The organisation.
    pub org_id: String,
    /// The team node.
    pub team_node_id: String,
    /// The subject (the admin, or `visitor:<session>`).
    pub subject: Option<String>,
    /// The email, when known.
    pub email: Option<String>,
    /// `iat`, Unix seconds.
    pub issued_at: i64,
    /// `exp`, Unix seconds.
    pub expires_at: i64,
}

impl From<JtiEntry> for jti::JtiEntry {
    fn from(e: JtiEntry) -> Self {
        jti::JtiEntry {
            jti: e.jti,
            org_id: e.org_id,
            team_node_id: e.team_node_id,
            subject: e.subject,
            email: e.email,
            issued_at: e.issued_at,
            expires_at: e.expires_at,
        }
    }
}

/// The entry as JS stores receive it: the `JtiEntry` members, camelCase.
fn entry_json(entry: &jti::JtiEntry) -> Value {
    serde_json::json!({
        "jti": entry.jti, "orgId": entry.org_id, "teamNodeId": entry.team_node_id,
        "subject": entry.subject, "email": entry.email,
        "issuedAt": entry.issued_at, "expiresAt": entry.expires_at,
    })
}

/// Options of `new MemoryJtiStore(...)`.
#[napi(object)]
pub struct MemoryJtiStoreOptions {
    /// At most this many entries (default 1,000,000).
    pub capacity: Option<f64>,
}

/// JTIs in memory until their token expires (one process).
#[napi]
pub struct MemoryJtiStore {
    inner: Arc<jti::MemoryJtiStore>,
}

#[napi]
impl MemoryJtiStore {
    /// An empty store.
    #[napi(constructor)]
    pub fn new(env: &Env, options: Option<MemoryJtiStoreOptions>) -> napi::Result<Self> {
        let store = match options.and_then(|o| o.capacity) {
            Some(c) => jti::MemoryJtiStore::with_capacity(whole_count("capacity", c).js(env)?),
            None => jti::MemoryJtiStore::default(),
        };
        Ok(MemoryJtiStore {
            inner: Arc::new(store),
        })
    }
    /// Records a minted token's JTI.
    #[napi]
    pub fn record<'env>(
        &self,
        env: &'env Env,
        entry: JtiEntry,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let store = Arc::clone(&self.inner);
        promise(env, async move { store.record(&entry.into()).await })
    }
    /// Whether `jti` is recorded, not revoked and not expired.
    #[napi]
    pub fn contains<'env>(
        &self,
        env: &'env Env,
        jti: String,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        let store = Arc::clone(&self.inner);
        promise(env, async move { store.contains(&jti).await })
    }
    /// Revokes `jti`; true when it was present.
    #[napi]
    pub fn revoke<'env>(
        &self,
        env: &'env Env,
        jti: String,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        let store = Arc::clone(&self.inner);
        promise(env, async move { store.revoke(&jti).await })
    }
    /// Single use: true exactly once for a recorded, unexpired `jti` (atomic).
    #[napi]
    pub fn consume<'env>(
        &self,
        env: &'env Env,
        jti: String,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        let store = Arc::clone(&self.inner);
        promise(env, async move { store.consume(&jti).await })
    }
    /// How many JTIs are held (approximate while writes are in flight).
    #[napi(getter)]
    pub fn size(&self) -> f64 {
        // u64 → f64: exact below 2^53, far above any capacity.
        self.inner.len() as f64
    }
}

/// Options of `new PostgresJtiStore(...)`.
#[napi(object)]
pub struct PostgresJtiStoreOptions {
    /// Connections in the pool (default 16).
    pub pool_size: Option<f64>,
}

/// JTIs in PostgreSQL (the `impersonation_jtis` table), shared by replicas.
#[napi]
pub struct PostgresJtiStore {
    inner: Arc<jti::PostgresJtiStore>,
}

#[napi]
impl PostgresJtiStore {
    /// A pool for `url`; connections open on first use.
    #[napi(constructor)]
    pub fn new(
        env: &Env,
        url: String,
        options: Option<PostgresJtiStoreOptions>,
    ) -> napi::Result<Self> {
        let mut settings = jti::PostgresSettings::new(url);
        if let Some(size) = options.and_then(|o| o.pool_size) {
            let size = whole_count("poolSize", size).js(env)?;
            settings.pool_size = usize::try_from(size).unwrap_or(usize::MAX);
        }
        Ok(PostgresJtiStore {
            inner: Arc::new(jti::PostgresJtiStore::connect(settings).js(env)?),
        })
    }
    /// Reads `IMPERSONATION_JTI_DATABASE_URL` (or `DATABASE_URL`) and
    /// `IMPERSONATION_JTI_DB_POOL_SIZE`.
    #[napi]
    pub fn from_env(
        env: &Env,
        vars: Option<HashMap<String, Option<String>>>,
    ) -> napi::Result<PostgresJtiStore> {
        let settings = jti::PostgresSettings::from_env_source(&env_map(vars)).js(env)?;
        Ok(PostgresJtiStore {
            inner: Arc::new(jti::PostgresJtiStore::connect(settings).js(env)?),
        })
    }
    /// Creates the table when missing (idempotent).
    #[napi]
    pub fn migrate<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, ()>> {
        let store = Arc::clone(&self.inner);
        promise(env, async move { store.migrate().await })
    }
    /// Deletes rows past their expiry; the number deleted.
    #[napi]
    pub fn purge_expired<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, f64>> {
        let store = Arc::clone(&self.inner);
        // u64 → f64: exact below 2^53 rows.
        promise(
            env,
            async move { store.purge_expired().await.map(|n| n as f64) },
        )
    }
    /// Records a minted token's JTI.
    #[napi]
    pub fn record<'env>(
        &self,
        env: &'env Env,
        entry: JtiEntry,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let store = Arc::clone(&self.inner);
        promise(env, async move { store.record(&entry.into()).await })
    }
    /// Whether `jti` is recorded, not revoked and not expired.
    #[napi]
    pub fn contains<'env>(
        &self,
        env: &'env Env,
        jti: String,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        let store = Arc::clone(&self.inner);
        promise(env, async move { store.contains(&jti).await })
    }
    /// Revokes `jti`; true when it was present.
    #[napi]
    pub fn revoke<'env>(
        &self,
        env: &'env Env,
        jti: String,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        let store = Arc::clone(&self.inner);
        promise(env, async move { store.revoke(&jti).await })
    }
    /// Single use: true exactly once for a recorded, unexpired `jti` (atomic).
    #[napi]
    pub fn consume<'env>(
        &self,
        env: &'env Env,
        jti: String,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        let store = Arc::clone(&self.inner);
        promise(env, async move { store.consume(&jti).await })
    }
}

/// A `jtiStore` argument: one of ours, or a JS object with `record` / `contains` / `revoke`
/// (already normalised by `lib/index.js`).
pub type StoreArg<'a> =
    Either3<ClassInstance<'a, MemoryJtiStore>, ClassInstance<'a, PostgresJtiStore>, Object<'a>>;

/// The hook settings of a constructor: `base` (the defaults, or what the environment says) with
/// its `hookDeadlineSeconds` and `hookMaxInFlight` options.
pub fn hook_settings(
    base: HookSettings,
    deadline_seconds: Option<f64>,
    max_in_flight: Option<f64>,
) -> Result<HookSettings> {
    let max_in_flight = max_in_flight
        .map(|n| whole_count("hookMaxInFlight", n))
        .transpose()?;
    base.with_overrides(deadline_seconds, max_in_flight)
}

/// The core store behind a `jtiStore` argument; a JS object's behind the deadline and bound of
/// `hooks`.
pub fn store_from(
    arg: Option<StoreArg<'_>>,
    hooks: &HookSettings,
) -> Result<Option<Arc<dyn JtiStore>>> {
    Ok(match arg {
        None => None,
        Some(Either3::A(memory)) => Some(memory.inner.clone()),
        Some(Either3::B(pg)) => Some(pg.inner.clone()),
        Some(Either3::C(object)) => Some(hooks.guard_jti_store(Arc::new(JsJtiStore {
            record: method(&object, "record")?,
            contains: method(&object, "contains")?,
            revoke: method(&object, "revoke")?,
            consume: optional_method(&object, "consume")?,
        }))),
    })
}

fn method<A: ToNapiValue + 'static>(object: &Object<'_>, name: &str) -> Result<JsCall<A>> {
    js_call(object, name)
        .map_err(|_| invalid_argument(format!("jtiStore must have a `{name}` method")))
}

/// `object[name]` when it is a function; `None` when it is `null` or missing (`lib/index.js`
/// always sets the member, so an inherited one is never read).
fn optional_method<A: ToNapiValue + 'static>(
    object: &Object<'_>,
    name: &str,
) -> Result<Option<JsCall<A>>> {
    let value: Unknown<'_> = object
        .get_named_property(name)
        .map_err(|_| invalid_argument(format!("jtiStore's `{name}` could not be read")))?;
    match value.get_type() {
        Ok(ValueType::Function) => method(object, name).map(Some),
        _ => Ok(None),
    }
}

/// A JS object used as a JTI store.
struct JsJtiStore {
    record: JsCall<Value>,
    contains: JsCall<String>,
    revoke: JsCall<String>,
    /// The atomic check-and-revoke single use needs, when the object has one.
    consume: Option<JsCall<String>>,
}

impl std::fmt::Debug for JsJtiStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsJtiStore")
    }
}

/// A store's answer: only a real boolean counts (see `lib/index.js`, which passes it through
/// untouched). The message names the type that came back, never the value.
fn boolean(value: &Value, method: &str) -> Result<bool> {
    value.as_bool().ok_or_else(|| {
        let kind = match value {
            Value::Null => "null or undefined",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        };
        Error::new(
            ErrorCode::JtiStoreUnavailable,
            format!("js `{method}` returned {kind}, not a boolean"),
        )
    })
}

#[async_trait]
impl JtiStore for JsJtiStore {
    async fn record(&self, entry: &jti::JtiEntry) -> Result<()> {
        invoke(
            &self.record,
            entry_json(entry),
            "record",
            ErrorCode::JtiStoreUnavailable,
        )
        .await
        .map(|_| ())
    }
    async fn contains(&self, jti: &str) -> Result<bool> {
        let found = invoke(
            &self.contains,
            jti.to_owned(),
            "contains",
            ErrorCode::JtiStoreUnavailable,
        )
        .await?;
        boolean(&found, "contains")
    }
    async fn revoke(&self, jti: &str) -> Result<bool> {
        let revoked = invoke(
            &self.revoke,
            jti.to_owned(),
            "revoke",
            ErrorCode::JtiStoreUnavailable,
        )
        .await?;
        boolean(&revoked, "revoke")
    }
    async fn consume(&self, jti: &str) -> Result<bool> {
        // A single-use verifier refuses a store without `consume` when it is built.
        let Some(consume) = &self.consume else {
            return Err(Error::new(
                ErrorCode::JtiStoreUnavailable,
                "this jtiStore has no `consume` method",
            ));
        };
        let consumed = invoke(
            consume,
            jti.to_owned(),
            "consume",
            ErrorCode::JtiStoreUnavailable,
        )
        .await?;
        boolean(&consumed, "consume")
    }
    fn can_consume(&self) -> bool {
        self.consume.is_some()
    }
}
