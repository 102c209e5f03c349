//! Forwarding writes in a Connect cluster: a request that only the leader (or the worker
//! running a task) can complete is sent on to it, as Kafka's `HerderRequestHandler` does.
//!
//! A user's request carries no `forward` parameter; the first worker that cannot complete it
//! sends it on with `forward=true`, which may be sent on once more with `forward=false` (the
//! leader changed meanwhile); a request with `forward=false` is not sent on again but answered
//! 409, so a request takes at most two hops.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::RestError;
use super::extract::MAX_BODY_BYTES;
use crate::distributed::signature::{ALGORITHM_HEADER, SIGNATURE_HEADER};

/// Marks an error response whose request the worker at this URL completes.
#[derive(Debug, Clone)]
pub(crate) struct ForwardTo(pub(crate) String);

/// The headers a forwarded request keeps: its content type, credentials and, for requests
/// between workers, signature.
const FORWARDED_HEADERS: [&str; 5] = [
    "content-type",
    "accept",
    "authorization",
    SIGNATURE_HEADER,
    ALGORITHM_HEADER,
];

/// Runs a write request here and, when the answer says another worker completes it, forwards
/// it there and answers with that worker's response.
pub(crate) async fn forwarding(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    // Only a distributed worker forwards, and only writes.
    if !state.runtime.is_distributed()
        || request.method() == Method::GET
        || request.method() == Method::HEAD
    {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return RestError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Request body is larger than the limit of {MAX_BODY_BYTES} bytes"),
        )
        .into_response();
    };
    let method = parts.method.clone();
    let uri = parts.uri.clone();
    let headers = parts.headers.clone();
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    let Some(ForwardTo(url)) = response.extensions().get::<ForwardTo>().cloned() else {
        return response;
    };
    let mut query: Vec<String> = Vec::new();
    let mut forward = None;
    for pair in uri.query().unwrap_or_default().split('&') {
        match pair.strip_prefix("forward=") {
            Some(value) => forward = Some(value.to_owned()),
            None if !pair.is_empty() => query.push(pair.to_owned()),
            None => {}
        }
    }
    let next_forward = match forward.as_deref() {
        None => "true",
        Some("true") => "false",
        Some(_) => {
            return RestError::new(
                StatusCode::CONFLICT,
                "Cannot complete request because of a conflicting operation (e.g. worker rebalance)",
            )
            .into_response();
        }
    };
    query.push(format!("forward={next_forward}"));
    let target = format!(
        "{}{}?{}",
        url.trim_end_matches('/'),
        uri.path(),
        query.join("&")
    );
    send(&state, method, &target, &headers, bytes).await
}

async fn send(
    state: &AppState,
    method: Method,
    target: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let mut request = state.http.request(method, target).body(body);
    for name in FORWARDED_HEADERS {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value);
        }
    }
    tracing::debug!(target, "forwarding a REST request");
    let answer = match request.send().await {
        Ok(answer) => answer,
        Err(error) => {
            return RestError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("IO Error trying to forward REST request: {error}"),
            )
            .into_response();
        }
    };
    let status = answer.status();
    let mut kept = HeaderMap::new();
    for name in [header::CONTENT_TYPE, header::LOCATION] {
        if let Some(value) = answer.headers().get(&name) {
            kept.insert(name, value.clone());
        }
    }
    match answer.bytes().await {
        Ok(bytes) => (status, kept, bytes).into_response(),
        Err(error) => RestError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("IO Error trying to forward REST request: {error}"),
        )
        .into_response(),
    }
}
