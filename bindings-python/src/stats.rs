//! The core's counters, health and metric families as Python values.

use crate::convert::to_python;
use crate::errors::invalid_argument;
use incidentfox_auth::observe::{self, Stats};
use pyo3::prelude::*;
use serde::Serialize;

/// A serializable core value as Python objects (dicts, lists, numbers, str, None).
pub fn py_value<'py>(py: Python<'py>, value: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value).map_err(|e| invalid_argument(e.to_string()))?;
    to_python(py, &json)
}

/// A core value converted to Python when it is handed over (for awaitables).
pub struct AsPython<T>(pub T);

impl<'py, T: Serialize> IntoPyObject<'py> for AsPython<T> {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_value(py, &self.0)
    }
}

/// The metric families of `stats` as dicts; each sample's labels as a dict.
pub fn families<'py>(py: Python<'py>, stats: &Stats) -> PyResult<Bound<'py, PyAny>> {
    let mut json = serde_json::to_value(observe::families(stats))
        .map_err(|e| invalid_argument(e.to_string()))?;
    for family in json.as_array_mut().into_iter().flatten() {
        let samples = family.get_mut("samples").and_then(|s| s.as_array_mut());
        for sample in samples.into_iter().flatten() {
            if let Some(labels) = sample.get_mut("labels") {
                let pairs: serde_json::Map<String, serde_json::Value> = labels
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|pair| {
                        let name = pair.get(0)?.as_str()?.to_owned();
                        Some((name, pair.get(1)?.clone()))
                    })
                    .collect();
                *labels = serde_json::Value::Object(pairs);
            }
        }
    }
    to_python(py, &json)
}
