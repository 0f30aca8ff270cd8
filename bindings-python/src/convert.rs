//! Plain conversions between Python values and core inputs.

use crate::errors::invalid_argument;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};
use std::collections::HashMap;

/// An environment: the given mapping, or `os.environ` when `None`.
pub fn env_map(
    py: Python<'_>,
    env: Option<&Bound<'_, PyAny>>,
) -> PyResult<HashMap<String, String>> {
    let owned;
    let source = match env {
        Some(e) => e,
        None => {
            owned = py.import("os")?.getattr("environ")?;
            &owned
        }
    };
    let mapping = source
        .cast::<PyMapping>()
        .map_err(|_| invalid_argument("env must be a mapping of str to str"))?;
    let mut out = HashMap::new();
    for item in mapping.items()?.iter() {
        let (k, v): (String, String) = item
            .extract()
            .map_err(|_| invalid_argument("env must be a mapping of str to str"))?;
        out.insert(k, v);
    }
    Ok(out)
}

/// A JSON value as Python objects (dicts, lists, str, int, float, bool, None).
pub fn to_python<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| invalid_argument(format!("conversion: {e}")))
}

/// A Python value as JSON.
pub fn from_python(value: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    pythonize::depythonize(value).map_err(|e| invalid_argument(format!("not json-like: {e}")))
}

/// A dict from a JSON object value.
pub fn dict<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyDict>> {
    to_python(py, value)?
        .cast_into::<PyDict>()
        .map_err(|_| invalid_argument("expected a json object"))
}
