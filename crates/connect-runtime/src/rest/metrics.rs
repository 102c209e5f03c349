//! `GET /metrics`: the worker's metrics in Prometheus' text format (OpenMetrics).

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::RestError;
use crate::metrics;

/// `GET /metrics`: record, commit and state metrics per connector and task.
pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    match state.runtime.metrics().await {
        Ok(text) => ([(CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response(),
        Err(error) => RestError::from(error).into_response(),
    }
}
