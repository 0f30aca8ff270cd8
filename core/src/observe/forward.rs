//! Hands the library's events to a foreign logging system (Python `logging`, Node
//! `diagnostics_channel`) as plain records.
//!
//! A binding installs one [`Forwarder`] as the process's `tracing` subscriber. It sees only this
//! library's events, skips those below its level before any field is read, and turns the rest
//! into an [`EventRecord`] for the binding's `deliver` function.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

/// A field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Text.
    Str(String),
    /// A count.
    U64(u64),
    /// A signed number.
    I64(i64),
    /// A measurement.
    F64(f64),
    /// A flag.
    Bool(bool),
}

/// One event, ready for a foreign logger.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// The event name (one of [`super::EVENT_NAMES`]).
    pub name: String,
    /// The area: the target's last segment (`keys`, `jti`, `login`, ...).
    pub area: &'static str,
    /// `error`, `warn`, `info`, `debug` or `trace`.
    pub level: &'static str,
    /// The other fields, in the order emitted.
    pub fields: Vec<(&'static str, FieldValue)>,
}

/// The levels, most severe first, as numbers a binding can store: error 1 … trace 5, 0 off.
pub fn level_number(level: &str) -> Option<u8> {
    match level {
        "off" => Some(0),
        "error" => Some(1),
        "warn" => Some(2),
        "info" => Some(3),
        "debug" => Some(4),
        "trace" => Some(5),
        _ => None,
    }
}

fn number_of(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

fn name_of(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

type Deliver = dyn Fn(EventRecord) + Send + Sync;
type LevelSource = dyn Fn() -> Option<u8> + Send + Sync;

/// A `tracing` subscriber that forwards this library's events and nothing else.
pub struct Forwarder {
    deliver: Box<Deliver>,
    max_level: Arc<AtomicU8>,
    source: Option<(Box<LevelSource>, Duration)>,
    started: Instant,
    next_refresh_ms: AtomicU64,
}

impl std::fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forwarder")
            .field("max_level", &self.max_level.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Forwarder {
    /// Forwards events at `info` and above to `deliver` until the level is changed.
    pub fn new(deliver: impl Fn(EventRecord) + Send + Sync + 'static) -> Forwarder {
        Forwarder {
            deliver: Box::new(deliver),
            max_level: Arc::new(AtomicU8::new(3)),
            source: None,
            started: Instant::now(),
            next_refresh_ms: AtomicU64::new(0),
        }
    }

    /// The level as a shared handle: store a [`level_number`] to change what is forwarded.
    pub fn level_handle(&self) -> Arc<AtomicU8> {
        self.max_level.clone()
    }

    /// Asks `source` for the level at most once per `every` (a foreign logger's configuration
    /// can change at any time; asking on every event would cost a foreign call on the hot path).
    pub fn with_level_source(
        mut self,
        every: Duration,
        source: impl Fn() -> Option<u8> + Send + Sync + 'static,
    ) -> Forwarder {
        self.source = Some((Box::new(source), every));
        self
    }

    fn level(&self) -> u8 {
        if let Some((source, every)) = &self.source {
            let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let due = self.next_refresh_ms.load(Ordering::Relaxed);
            let next = now.saturating_add(u64::try_from(every.as_millis()).unwrap_or(1000));
            if now >= due
                && self
                    .next_refresh_ms
                    .compare_exchange(due, next, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                if let Some(level) = source() {
                    self.max_level.store(level, Ordering::Relaxed);
                }
            }
        }
        self.max_level.load(Ordering::Relaxed)
    }
}

fn ours(metadata: &Metadata<'_>) -> bool {
    metadata.target().starts_with("incidentfox_auth::")
}

impl Subscriber for Forwarder {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if ours(metadata) && metadata.is_event() {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        ours(metadata) && number_of(metadata.level()) <= self.level()
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let area = metadata
            .target()
            .rsplit("::")
            .next()
            .unwrap_or("incidentfox_auth");
        let mut fields = Fields::default();
        event.record(&mut fields);
        (self.deliver)(EventRecord {
            name: fields.name.unwrap_or_default(),
            area,
            level: name_of(metadata.level()),
            fields: fields.others,
        });
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

#[derive(Default)]
struct Fields {
    name: Option<String>,
    others: Vec<(&'static str, FieldValue)>,
}

impl Fields {
    fn push(&mut self, field: &Field, value: FieldValue) {
        match (field.name(), value) {
            ("event", FieldValue::Str(name)) => self.name = Some(name),
            (name, value) => self.others.push((name, value)),
        }
    }
}

impl Visit for Fields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.push(field, FieldValue::F64(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, FieldValue::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, FieldValue::U64(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, FieldValue::Bool(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, FieldValue::Str(value.to_owned()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.push(field, FieldValue::Str(format!("{value:?}")));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn capture(level: u8) -> (Forwarder, Arc<Mutex<Vec<EventRecord>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let forwarder = Forwarder::new(move |r| sink.lock().unwrap().push(r));
        forwarder.level_handle().store(level, Ordering::Relaxed);
        (forwarder, seen)
    }

    #[test]
    fn forwards_ours_at_or_above_the_level() {
        let (forwarder, seen) = capture(3);
        tracing::subscriber::with_default(forwarder, || {
            crate::observe::events::jwks_unknown_kid(true);
            crate::observe::events::verification("oidc", None);
            tracing::info!(target: "hyper::client", "not ours");
        });
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].name, "jwks.unknown_kid_refetch");
        assert_eq!(seen[0].area, "keys");
        assert_eq!(seen[0].level, "info");
    }

    #[test]
    fn debug_carries_kind_and_outcome() {
        let (forwarder, seen) = capture(4);
        tracing::subscriber::with_default(forwarder, || {
            crate::observe::events::verification(
                "impersonation",
                Some(crate::ErrorCode::TokenExpired),
            );
        });
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen[0].fields,
            vec![
                ("kind", FieldValue::Str("impersonation".into())),
                ("outcome", FieldValue::Str("token_expired".into())),
            ]
        );
    }

    #[test]
    fn a_level_source_is_asked_at_most_once_per_interval() {
        let asked = Arc::new(AtomicU64::new(0));
        let counter = asked.clone();
        let forwarder =
            Forwarder::new(|_| {}).with_level_source(Duration::from_secs(60), move || {
                counter.fetch_add(1, Ordering::Relaxed);
                Some(4)
            });
        for _ in 0..100 {
            let _ = forwarder.level();
        }
        assert_eq!(asked.load(Ordering::Relaxed), 1);
        assert_eq!(forwarder.level(), 4);
    }
}
