//! Calls into plugin code that turn a panic into an error of that plugin, so that one bad
//! connector never takes the worker down.

use std::panic::AssertUnwindSafe;

use connect_api::error::ConnectError;
use futures::FutureExt;

/// Runs a plugin future; a panic becomes an error saying `what` panicked and why.
pub(crate) async fn guarded<T>(
    what: &str,
    future: impl Future<Output = Result<T, ConnectError>>,
) -> Result<T, ConnectError> {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => Err(panicked(what, payload)),
    }
}

/// Runs a synchronous plugin call; a panic becomes an error saying `what` panicked and why.
pub(crate) fn guarded_sync<T>(
    what: &str,
    call: impl FnOnce() -> Result<T, ConnectError>,
) -> Result<T, ConnectError> {
    std::panic::catch_unwind(AssertUnwindSafe(call))
        .unwrap_or_else(|payload| Err(panicked(what, payload)))
}

/// The error for a panic of `what`.
pub(crate) fn panicked(what: &str, payload: Box<dyn std::any::Any + Send>) -> ConnectError {
    let message = if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    };
    ConnectError::other(format!("{what} panicked: {message}"))
}
