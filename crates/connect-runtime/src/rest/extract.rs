//! Request parsing that answers every problem with Kafka's JSON error shape instead of axum's
//! plain-text rejections.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Query, Request};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use connect_api::config::ConfigMap;
use serde_json::Value;

use super::error::RestError;

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request body parsed as JSON; `None` when the body is empty.
pub(crate) struct JsonBody(pub Option<Value>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = RestError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            let status = rejection.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                RestError::new(
                    status,
                    format!("Request body is larger than the limit of {MAX_BODY_BYTES} bytes"),
                )
            } else {
                RestError::new(status, rejection.body_text())
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(None));
        }
        serde_json::from_slice(&bytes)
            .map(|value| JsonBody(Some(value)))
            .map_err(|e| RestError::bad_request(format!("Invalid JSON in the request body: {e}")))
    }
}

/// A JSON value where Kafka expects a string: strings as they are, numbers and booleans as
/// their text (Jackson coerces scalars), null as `None`.
fn scalar_text(key: &str, value: Value) -> Result<Option<String>, RestError> {
    match value {
        Value::String(text) => Ok(Some(text)),
        Value::Number(number) => Ok(Some(number.to_string())),
        Value::Bool(flag) => Ok(Some(flag.to_string())),
        Value::Null => Ok(None),
        Value::Array(_) | Value::Object(_) => Err(RestError::bad_request(format!(
            "Cannot deserialize the value of '{key}' as a string: configuration values must be strings"
        ))),
    }
}

/// A configuration patch: a JSON object of strings, where null means "remove".
pub(crate) fn config_patch(value: Value) -> Result<Vec<(String, Option<String>)>, RestError> {
    let Value::Object(map) = value else {
        return Err(RestError::bad_request(
            "The connector configuration must be a JSON object",
        ));
    };
    map.into_iter()
        .map(|(key, value)| {
            let text = scalar_text(&key, value)?;
            Ok((key, text))
        })
        .collect()
}

/// A connector configuration: a JSON object of strings (null values are dropped).
pub(crate) fn config_map(value: Value) -> Result<ConfigMap, RestError> {
    Ok(config_patch(value)?
        .into_iter()
        .filter_map(|(key, value)| value.map(|value| (key, value)))
        .collect())
}

/// A name as one percent-encoded path segment (unreserved characters kept).
pub(crate) fn encode_path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Parses the query string into its pairs.
pub(crate) fn query_pairs(uri: &Uri) -> Result<Vec<(String, String)>, RestError> {
    if uri.query().is_none_or(str::is_empty) {
        return Ok(Vec::new());
    }
    Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(pairs)| pairs)
        .map_err(|e| RestError::bad_request(format!("Invalid query string: {}", e.body_text())))
}

/// The boolean query parameter `name` (last occurrence wins), `default` when absent.
pub(crate) fn bool_param(
    pairs: &[(String, String)],
    name: &str,
    default: bool,
) -> Result<bool, RestError> {
    match pairs.iter().rev().find(|(key, _)| key == name) {
        None => Ok(default),
        Some((_, value)) => match value.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(RestError::bad_request(format!(
                "Invalid value '{value}' for query parameter '{name}': expected true or false"
            ))),
        },
    }
}

/// Turns any error response that is not already JSON (axum's rejections, 405s, panics caught
/// by the server) into Kafka's `{"error_code", "message"}` shape.
pub(crate) async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (_, body) = response.into_parts();
    let text = axum::body::to_bytes(Body::new(body), 64 * 1024)
        .await
        .ok()
        .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        .unwrap_or_default();
    if text.trim().is_empty() {
        RestError::generic(status).into_response()
    } else {
        RestError::new(status, text.trim().to_owned()).into_response()
    }
}
