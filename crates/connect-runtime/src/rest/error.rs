//! Errors of the REST API, answered as Kafka Connect does: `{"error_code": N, "message": "..."}`
//! with HTTP status N.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use connect_api::error::ConnectError;
use serde::Serialize;

use super::forward::ForwardTo;
use crate::distributed::ClusterRedirect;
use crate::distributed::signature::SignatureError;

/// An error answered by the REST API (Kafka's `ConnectRestException` and its exception mapper).
///
/// ```
/// use axum::http::StatusCode;
/// use connect_api::error::ConnectError;
/// use connect_runtime::rest::RestError;
///
/// let error = RestError::from(ConnectError::NotFound("Connector x not found".into()));
/// assert_eq!(error.status(), StatusCode::NOT_FOUND);
/// assert_eq!(error.message(), "Connector x not found");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestError {
    status: StatusCode,
    message: String,
    /// The worker that completes the request instead, in a Connect cluster.
    forward_to: Option<String>,
}

/// The JSON body of an error response.
#[derive(Debug, Serialize)]
struct ErrorMessage<'a> {
    error_code: u16,
    message: &'a str,
}

impl RestError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            forward_to: None,
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 403 Forbidden.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Jersey's wording for a status without a more specific message: `HTTP 404 Not Found`.
    pub(crate) fn generic(status: StatusCode) -> Self {
        let reason = status.canonical_reason().unwrap_or("Error");
        Self::new(status, format!("HTTP {} {reason}", status.as_u16()))
    }
}

impl std::fmt::Display for RestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.status.as_u16())
    }
}

impl std::error::Error for RestError {}

impl From<ConnectError> for RestError {
    fn from(error: ConnectError) -> Self {
        if let ConnectError::Other {
            source: Some(source),
            ..
        } = &error
        {
            if let Some(redirect) = source.downcast_ref::<ClusterRedirect>() {
                let mut rest = Self::new(StatusCode::CONFLICT, redirect.to_string());
                if let ClusterRedirect::Forward { url } = redirect {
                    rest.forward_to = Some(url.clone());
                }
                return rest;
            }
            if let Some(refused) = source.downcast_ref::<SignatureError>() {
                let status = match refused {
                    SignatureError::Invalid => StatusCode::FORBIDDEN,
                    SignatureError::NoKey => StatusCode::SERVICE_UNAVAILABLE,
                    SignatureError::Key(_) => StatusCode::INTERNAL_SERVER_ERROR,
                    SignatureError::Missing | SignatureError::UnsupportedAlgorithm(_) => {
                        StatusCode::BAD_REQUEST
                    }
                };
                return Self::new(status, refused.to_string());
            }
        }
        let status = match &error {
            ConnectError::NotFound(_) => StatusCode::NOT_FOUND,
            ConnectError::AlreadyExists(_) => StatusCode::CONFLICT,
            ConnectError::Config(_) | ConnectError::IllegalWorkerState(_) => {
                StatusCode::BAD_REQUEST
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, error.to_string())
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let body = ErrorMessage {
            error_code: self.status.as_u16(),
            message: &self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(url) = self.forward_to {
            response.extensions_mut().insert(ForwardTo(url));
        }
        response
    }
}
