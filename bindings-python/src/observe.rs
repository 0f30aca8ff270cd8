//! The core's events on Python `logging`.
//!
//! At import the module installs the core's [`Forwarder`] as the process's `tracing`
//! subscriber. Each event it forwards becomes one `logging` record on the logger
//! `incidentfox_auth.<area>`, with the attributes `event` (the name) and `fields` (a dict).
//!
//! Which events are forwarded follows the `logging` configuration: the most verbose level any
//! area logger would accept, read at most once a second from the loggers' attributes (no Python
//! function is called for it), or at once through `refresh_log_level()`. With `DEBUG` off, a
//! successful verification makes no call into Python at all.
//!
//! Events can come from the runtime's worker threads: delivery attaches to the interpreter,
//! drops the event when the interpreter is shutting down, and never panics. No binding call
//! waits on the runtime while attached (`runtime::block_on` detaches first), so a worker
//! delivering an event cannot deadlock against the caller.

use incidentfox_auth::observe::{EventRecord, FieldValue, Forwarder};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use std::fmt::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The areas events are emitted under (the targets' last segments), one logger each.
const AREAS: [&str; 6] = ["keys", "jti", "lookup", "login", "config", "verify"];

/// `logging`'s number for each forwarder level (1 error … 5 trace); trace has no name there.
const PY_LEVELS: [(u8, i64); 5] = [(1, 40), (2, 30), (3, 20), (4, 10), (5, 5)];

/// How often the level is read from `logging`.
const LEVEL_EVERY: Duration = Duration::from_secs(1);

/// The area loggers, `logging.getLogger("incidentfox_auth.<area>")`, fetched once.
static LOGGERS: PyOnceLock<Vec<(&'static str, Py<PyAny>)>> = PyOnceLock::new();

/// The forwarder's level handle, once installed.
static LEVEL: OnceLock<Arc<AtomicU8>> = OnceLock::new();

fn loggers(py: Python<'_>) -> PyResult<&Vec<(&'static str, Py<PyAny>)>> {
    LOGGERS.get_or_try_init(py, || {
        let logging = py.import("logging")?;
        AREAS
            .iter()
            .map(|area| {
                let logger =
                    logging.call_method1("getLogger", (format!("incidentfox_auth.{area}"),))?;
                Ok((*area, logger.unbind()))
            })
            .collect()
    })
}

/// Installs the forwarder (once per process; a subscriber set by someone else is left alone).
pub fn install(py: Python<'_>) -> PyResult<()> {
    loggers(py)?;
    if LEVEL.get().is_some() {
        return Ok(());
    }
    let forwarder = Forwarder::new(deliver).with_level_source(LEVEL_EVERY, || {
        Python::try_attach(|py| level_of(py).ok()).flatten()
    });
    let handle = forwarder.level_handle();
    if let Ok(level) = level_of(py) {
        handle.store(level, Ordering::Relaxed);
    }
    if tracing::subscriber::set_global_default(forwarder).is_ok() {
        let _ = LEVEL.set(handle);
    }
    Ok(())
}

/// The most verbose forwarder level any area logger accepts now, from attributes only:
/// `disabled`, the effective level (`level` up the `parent` chain) and `manager.disable`, as
/// `Logger.isEnabledFor` reads them.
fn level_of(py: Python<'_>) -> PyResult<u8> {
    let mut most = 0;
    for (_, logger) in loggers(py)? {
        let logger = logger.bind(py);
        if logger.getattr("disabled")?.is_truthy()? {
            continue;
        }
        let mut current = logger.clone();
        let effective = loop {
            let level: i64 = current.getattr("level")?.extract()?;
            if level != 0 {
                break level;
            }
            let parent = current.getattr("parent")?;
            if parent.is_none() {
                break 0;
            }
            current = parent;
        };
        let disable: i64 = logger.getattr("manager")?.getattr("disable")?.extract()?;
        let threshold = effective.max(disable.saturating_add(1));
        let level = PY_LEVELS
            .iter()
            .filter(|(_, number)| *number >= threshold)
            .map(|(level, _)| *level)
            .max()
            .unwrap_or(0);
        most = most.max(level);
    }
    Ok(most)
}

/// Reads the `incidentfox_auth` loggers' levels now instead of within the next second.
#[pyfunction]
pub fn refresh_log_level(py: Python<'_>) -> PyResult<()> {
    let level = level_of(py)?;
    if let Some(handle) = LEVEL.get() {
        handle.store(level, Ordering::Relaxed);
    }
    Ok(())
}

/// Hands one event to `logging`; never panics, and drops the event when the interpreter cannot
/// be attached to (it is shutting down) or `logging` raises.
fn deliver(record: EventRecord) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        Python::try_attach(|py| {
            let _ = log(py, &record);
        })
    }));
}

fn py_level(level: &str) -> i64 {
    match level {
        "error" => 40,
        "warn" => 30,
        "info" => 20,
        "debug" => 10,
        _ => 5,
    }
}

fn log(py: Python<'_>, record: &EventRecord) -> PyResult<()> {
    let Some((_, logger)) = loggers(py)?.iter().find(|(area, _)| *area == record.area) else {
        return Ok(());
    };
    let logger = logger.bind(py);
    let level = py_level(record.level);
    if !logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
        return Ok(());
    }
    let mut message = record.name.clone();
    let fields = PyDict::new(py);
    for (name, value) in &record.fields {
        let _ = write!(message, " {name}=");
        match value {
            FieldValue::Str(text) => {
                if text.is_empty() || text.contains([' ', '"', '=', '\n', '\t']) {
                    let _ = write!(message, "{text:?}");
                } else {
                    message.push_str(text);
                }
                fields.set_item(name, text)?;
            }
            FieldValue::U64(n) => {
                let _ = write!(message, "{n}");
                fields.set_item(name, n)?;
            }
            FieldValue::I64(n) => {
                let _ = write!(message, "{n}");
                fields.set_item(name, n)?;
            }
            FieldValue::F64(x) => {
                message.push_str(&short(*x));
                fields.set_item(name, x)?;
            }
            FieldValue::Bool(b) => {
                let _ = write!(message, "{b}");
                fields.set_item(name, b)?;
            }
        }
    }
    let extra = PyDict::new(py);
    extra.set_item("event", &record.name)?;
    extra.set_item("fields", fields)?;
    let options = PyDict::new(py);
    options.set_item("extra", extra)?;
    // The message is passed as is, with no arguments: `logging` applies no `%` formatting.
    logger.call_method("log", (level, message), Some(&options))?;
    Ok(())
}

/// A measurement with at most three decimals (`12.5`, `0.003`, `-1`).
fn short(x: f64) -> String {
    let text = format!("{x:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}
