//! Kafka Connect's REST API over a [`Runtime`]: the same paths, query parameters, status codes,
//! JSON shapes and error messages as Apache Kafka Connect's, so that its tools and `curl`
//! sessions work unchanged.
//!
//! * [`router`] builds the [`axum::Router`] to mount or serve yourself;
//! * [`serve`] serves it on a listener until a shutdown future completes.
//!
//! Every error answers `{"error_code": N, "message": "..."}` with HTTP status N: 404 for an
//! unknown connector, 409 for a duplicate, 400 for an invalid configuration or request, 500 for
//! anything else. Request bodies are limited to [`MAX_BODY_BYTES`] (413 beyond).
//!
//! ```no_run
//! use connect_api::config::ConfigMap;
//! use connect_runtime::{Runtime, config::WorkerConfig, rest};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let worker = WorkerConfig::standalone(ConfigMap::from([
//!     ("key.converter".to_owned(), "StringConverter".to_owned()),
//!     ("value.converter".to_owned(), "StringConverter".to_owned()),
//!     ("offset.storage.file.filename".to_owned(), "/tmp/connect.offsets".to_owned()),
//! ]))?;
//! let runtime = Runtime::builder(worker).build().await?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8083").await?;
//! // curl http://127.0.0.1:8083/connectors
//! rest::serve(runtime.clone(), listener, async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await?;
//! runtime.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod connectors;
mod error;
mod extract;
mod forward;
mod loggers;
mod metrics;
mod openapi;
mod plugins;
mod secrets;
mod security;

use std::future::Future;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::middleware::map_response;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post, put};
use serde_json::json;

pub use error::RestError;
pub use extract::MAX_BODY_BYTES;
pub(crate) use extract::encode_path_segment;
pub use loggers::{EnvFilterLevels, LogLevels, LoggerLevel, ROOT_LOGGER, install_log_levels};
pub use security::{
    BASIC_AUTH_CREDENTIALS_FILE, BasicAuth, ListenerSecurity, TlsListener, tls_acceptor,
};

use crate::Runtime;

/// What the handlers share.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) runtime: Runtime,
    /// Sends requests on to other workers of a Connect cluster.
    pub(crate) http: reqwest::Client,
}

/// Kafka Connect's REST API over `runtime`, as an [`axum::Router`] with its state applied.
///
/// Unknown paths answer 404 and unsupported methods 405, both in the JSON error shape.
pub fn router(runtime: Runtime) -> Router {
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(90))
        .build()
        .unwrap_or_default();
    let state = AppState { runtime, http };
    Router::new()
        .route("/", get(root))
        .route("/health", get(health))
        .route("/metrics", get(metrics::metrics))
        .route("/openapi.json", get(openapi::handler))
        .route("/admin/loggers", get(loggers::list))
        .route("/admin/loggers/{name}", get(loggers::get).put(loggers::put))
        .route(
            "/connectors",
            get(connectors::list).post(connectors::create),
        )
        .route(
            "/connectors/{name}",
            get(connectors::info).delete(connectors::delete),
        )
        .route(
            "/connectors/{name}/config",
            get(connectors::get_config)
                .put(connectors::put_config)
                .patch(connectors::patch_config),
        )
        .route("/connectors/{name}/status", get(connectors::status))
        .route(
            "/connectors/{name}/tasks",
            get(connectors::tasks).post(connectors::put_task_configs),
        )
        .route(
            "/connectors/{name}/tasks-config",
            get(connectors::tasks_config),
        )
        .route(
            "/connectors/{name}/tasks/{task}/status",
            get(connectors::task_status),
        )
        .route(
            "/connectors/{name}/tasks/{task}/restart",
            post(connectors::restart_task),
        )
        .route("/connectors/{name}/restart", post(connectors::restart))
        .route("/connectors/{name}/pause", put(connectors::pause))
        .route("/connectors/{name}/resume", put(connectors::resume))
        .route("/connectors/{name}/stop", put(connectors::stop))
        .route("/connectors/{name}/topics", get(connectors::topics))
        .route(
            "/connectors/{name}/topics/reset",
            put(connectors::reset_topics),
        )
        .route(
            "/connectors/{name}/offsets",
            get(connectors::offsets)
                .patch(connectors::alter_offsets)
                .delete(connectors::reset_offsets),
        )
        .route("/connector-plugins", get(plugins::list))
        .route("/connector-plugins/{plugin}/config", get(plugins::config))
        .route(
            "/connector-plugins/{plugin}/config/validate",
            put(plugins::validate),
        )
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            forward::forwarding,
        ))
        .with_state(state)
        .layer(map_response(extract::json_errors))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// The OpenAPI 3.1 document describing every endpoint of the REST API, as `GET /openapi.json`
/// serves it: paths, parameters, request bodies, responses and their JSON schemas. Tools and
/// generated documentation read it without starting a worker.
///
/// ```
/// let document = connect_runtime::rest::openapi();
/// assert_eq!(document["openapi"], "3.1.0");
/// assert_eq!(
///     document["paths"]["/connectors"]["post"]["operationId"],
///     "createConnector"
/// );
/// ```
pub fn openapi() -> serde_json::Value {
    openapi::document()
}

/// Serves [`router`]`(runtime)` on `listener` until `shutdown` completes, then stops accepting
/// connections and waits for the requests under way.
///
/// # Errors
///
/// When accepting connections fails.
pub async fn serve(
    runtime: Runtime,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(runtime))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn not_found() -> Response {
    RestError::generic(StatusCode::NOT_FOUND).into_response()
}

/// A stable cluster id for the embedded log, derived from its directory (22 characters of
/// URL-safe base64, like Kafka's); `None` on Kafka.
fn cluster_id(runtime: &Runtime) -> Option<String> {
    let worker = runtime.worker_config();
    if worker.bootstrap_servers().is_some() {
        return None;
    }
    let dir = worker.embedded_log_dir();
    let text = dir.to_string_lossy();
    let fnv = |seed: u64| {
        text.bytes().fold(seed, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&fnv(0xcbf2_9ce4_8422_2325).to_be_bytes());
    bytes[8..].copy_from_slice(&fnv(0x8422_2325_cbf2_9ce4).to_be_bytes());
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = String::with_capacity(22);
    for byte in bytes {
        bits = (bits << 8) | u32::from(byte);
        count += 8;
        while count >= 6 {
            count -= 6;
            out.push(char::from(ALPHABET[((bits >> count) & 0x3f) as usize]));
        }
    }
    if count > 0 {
        out.push(char::from(
            ALPHABET[((bits << (6 - count)) & 0x3f) as usize],
        ));
    }
    Some(out)
}

/// `GET /`: the version, commit and cluster id (Kafka's `ServerInfo`).
async fn root(State(state): State<AppState>) -> Response {
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commit": option_env!("KCONNECT_GIT_COMMIT").unwrap_or("unknown"),
        "kafka_cluster_id": cluster_id(&state.runtime),
    }))
    .into_response()
}

/// `GET /health`: the runtime is built before the API is served, so it is always ready.
async fn health() -> Response {
    Json(json!({
        "status": "healthy",
        "message": "Worker has completed startup and is ready to handle requests.",
    }))
    .into_response()
}
