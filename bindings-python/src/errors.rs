//! Core errors as the exception classes of `incidentfox_auth.errors`.

use incidentfox_auth::{Error, ErrorCode};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// The `AuthError` subclass for `error`, built by `incidentfox_auth.errors.from_code`, so the
/// classes stay pure Python and the mapping lives in one place.
pub fn to_py(error: &Error) -> PyErr {
    Python::attach(|py| {
        let built = py
            .import("incidentfox_auth.errors")
            .and_then(|m| m.call_method1("from_code", (error.code().as_str(), error.message())));
        match built {
            Ok(exception) => PyErr::from_value(exception),
            Err(e) => PyRuntimeError::new_err(format!(
                "{}: {} (and incidentfox_auth.errors is unusable: {e})",
                error.code(),
                error.message()
            )),
        }
    })
}

/// Result conversion for `?` in binding code.
pub trait IntoPy<T> {
    /// Maps a core error to its Python exception.
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(|e| to_py(&e))
    }
}

/// An `invalid_config` error for a bad argument.
pub fn invalid_argument(message: impl Into<String>) -> PyErr {
    to_py(&Error::new(ErrorCode::InvalidConfig, message))
}

/// An HTTP answer as Python receives it: status, `(name, value)` header pairs and the body.
type HttpAnswer = (u16, Vec<(&'static str, &'static str)>, String);

/// The answer a service gives an untrusted caller for error code `code`: status, `(name, value)`
/// header pairs and the JSON body, whose message is the code's fixed one (the core's
/// `ErrorCode::http_response`); `None` for a code the core does not know.
#[pyfunction]
pub fn error_http_response(code: &str) -> Option<HttpAnswer> {
    let answer = ErrorCode::from_name(code)?.http_response();
    Some((answer.status, answer.headers, answer.body))
}
