//! The core's observability for Node: its events handed to JS, and its counters, metric
//! families and health as JS values.
//!
//! When the addon loads, a core `observe::Forwarder` becomes the process's `tracing` subscriber.
//! It hands each event of this library, at or above the level `setEventLevel` set (default
//! `info`), to the JS function `lib/observe.js` registered with `setEventSink`, through a weak
//! threadsafe function: the call is queued (never waited for) on the JS thread, does not keep
//! Node alive, and is dropped, counted in `eventsDropped()`, when the queue is full. So an event
//! emitted on the JS thread itself reaches JS on a later turn of the event loop, and a `debug`
//! event (each verification's outcome) costs no JS call unless the level is `debug`.
//!
//! Policy stays in the core: names, fields, levels and what is redacted are decided there.

use crate::errors::invalid_argument;
use crate::errors::IntoJs;
use incidentfox_auth::observe::{
    families, level_number, EventRecord, FieldValue, Forwarder, JtiStoreStats, JwksStats,
    MetricFamily, Stats,
};
use napi::bindgen_prelude::Function;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};
use napi_derive::napi;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

/// Events waiting for the JS thread, at most; past it an event is dropped rather than waited for.
const QUEUE: usize = 1024;

/// The JS function receiving `{ area, event, level, fields }`.
type Sink = ThreadsafeFunction<Value, (), Value, Status, false, true, QUEUE>;

static SINK: RwLock<Option<Sink>> = RwLock::new(None);
static LEVEL: OnceLock<Arc<AtomicU8>> = OnceLock::new();
static DROPPED: AtomicU64 = AtomicU64::new(0);

fn field_value(value: FieldValue) -> Value {
    match value {
        FieldValue::Str(s) => Value::String(s),
        FieldValue::U64(n) => json!(n),
        FieldValue::I64(n) => json!(n),
        // A non-finite measurement has no JSON number: null.
        FieldValue::F64(x) => json!(x),
        FieldValue::Bool(b) => Value::Bool(b),
    }
}

/// An event as the JS sink takes it.
fn event_value(record: EventRecord) -> Value {
    let fields: Map<String, Value> = record
        .fields
        .into_iter()
        .map(|(name, value)| (name.to_owned(), field_value(value)))
        .collect();
    json!({
        "area": record.area,
        "event": record.name,
        "level": record.level,
        "fields": fields,
    })
}

fn deliver(record: EventRecord) {
    let Ok(sink) = SINK.read() else { return };
    let Some(sink) = sink.as_ref() else { return };
    if sink.call(event_value(record), ThreadsafeFunctionCallMode::NonBlocking) != Status::Ok {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Installs the forwarder when the addon loads (before any validator exists). Another
/// subscriber already installed (impossible for this addon's own copy of `tracing`) wins.
#[napi_derive::module_init]
fn install_forwarder() {
    let forwarder = Forwarder::new(deliver);
    let level = forwarder.level_handle();
    if tracing::subscriber::set_global_default(forwarder).is_ok() {
        let _ = LEVEL.set(level);
    }
}

/// Hands the library's events to `sink`, called with `{ area, event, level, fields }` on the JS
/// thread. The first environment to register keeps the events (the main thread, which loads
/// the package first) until it closes; `lib/observe.js` registers when the package loads.
#[napi(
    ts_args_type = "sink: (event: { area: string, event: string, level: string, fields: Record<string, unknown> }) => void"
)]
pub fn set_event_sink(sink: Function<'_, Value, ()>) -> napi::Result<()> {
    let mut slot = SINK
        .write()
        .map_err(|_| napi::Error::from_reason("the event sink's lock is poisoned"))?;
    if slot.as_ref().is_some_and(|s| !s.aborted()) {
        return Ok(());
    }
    let built: Sink = sink
        .build_threadsafe_function()
        .weak::<true>()
        .max_queue_size::<QUEUE>()
        .build()?;
    *slot = Some(built);
    Ok(())
}

/// Forwards events at `level` and above: `off`, `error`, `warn`, `info` (the default), `debug`
/// or `trace`.
#[napi]
pub fn set_event_level(env: &Env, level: String) -> napi::Result<()> {
    let number = level_number(&level)
        .ok_or_else(|| invalid_argument("the level must be off, error, warn, info, debug or trace"))
        .js(env)?;
    if let Some(handle) = LEVEL.get() {
        handle.store(number, Ordering::Relaxed);
    }
    Ok(())
}

/// Events dropped because the JS thread's queue was full (or the sink was closing).
#[napi]
pub fn events_dropped() -> f64 {
    DROPPED.load(Ordering::Relaxed) as f64
}

/// A snapshot or health report as the core serialises it (snake_case members).
pub fn json_of<T: serde::Serialize>(value: &T) -> napi::Result<Value> {
    serde_json::to_value(value).map_err(|e| napi::Error::from_reason(e.to_string()))
}

fn family_value(family: MetricFamily) -> Value {
    let samples: Vec<Value> = family
        .samples
        .into_iter()
        .map(|sample| {
            let labels: Map<String, Value> = sample
                .labels
                .into_iter()
                .map(|(name, value)| (name.to_owned(), Value::String(value)))
                .collect();
            json!({ "name": sample.name, "labels": labels, "value": sample.value })
        })
        .collect();
    json!({
        "name": family.name,
        "type": family.kind,
        "help": family.help,
        "samples": samples,
    })
}

/// The core's metric families of `stats`, each sample's labels as an object.
pub fn families_of(stats: &Stats) -> Value {
    Value::Array(families(stats).into_iter().map(family_value).collect())
}

/// Every metric family (name, type, help; no samples) the core exposes for an object with a
/// remote key set (`jwks`) and a JTI store (`jtiStore`) or without them: what a registry that
/// names its metrics up front (prom-client) registers, including the families that only have
/// samples later (the key set's age, before the first fetch).
#[napi(
    ts_return_type = "Array<{ name: string, type: 'counter' | 'gauge' | 'histogram', help: string }>"
)]
pub fn metric_catalog(jwks: bool, jti_store: bool) -> Value {
    let every = Stats {
        jwks: jwks.then(|| JwksStats {
            age_seconds: Some(0.0),
            ..JwksStats::default()
        }),
        jti_store: jti_store.then(JtiStoreStats::default),
        ..Stats::default()
    };
    Value::Array(
        families(&every)
            .into_iter()
            .map(|f| json!({ "name": f.name, "type": f.kind, "help": f.help }))
            .collect(),
    )
}
