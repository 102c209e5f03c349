//! An axum service that embeds the Connect runtime and serves Kafka Connect's REST API beside
//! its own routes, on one listener.
//!
//! | path | served by |
//! |---|---|
//! | `GET /` | the service: what it is and where the Connect API lives |
//! | `GET /pipelines` | the service: its connectors' states, read through the `Runtime` API |
//! | `/connect/...` | Kafka Connect's REST API, `connect_runtime::rest::router(runtime)` |
//!
//! The Connect API is nested under `/connect` rather than merged at the root, so that its paths
//! cannot collide with the service's (both have a `/health`, for instance) and its JSON error
//! answers apply only under `/connect`. Tools that speak the Connect API take
//! `http://HOST:PORT/connect` as the worker's URL (`GET /connect` answers Kafka Connect's
//! `GET /`).
//!
//! On Ctrl-C or SIGTERM the HTTP server stops first (no new requests, those under way finish),
//! then the runtime stops its tasks and commits their offsets.
//!
//! ```text
//! cargo run -p connect-examples --example axum_service -- --listen 127.0.0.1:8080
//! curl -s localhost:8080/
//! echo hello > /tmp/in.txt
//! curl -s -X POST -H 'Content-Type: application/json' localhost:8080/connect/connectors -d '{
//!   "name": "lines",
//!   "config": {"connector.class": "FileStreamSource", "file": "/tmp/in.txt", "topic": "lines"}}'
//! curl -s localhost:8080/connect/connectors/lines/status
//! curl -s localhost:8080/pipelines
//! ```
//!
//! The first line printed, `listening on http://ADDR`, gives the bound address (useful with
//! `--listen 127.0.0.1:0`). `--dir` holds the embedded log and the offsets file (default: a new
//! temporary directory); `--bootstrap-servers HOST:PORT` runs on Kafka instead of the embedded
//! log.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use clap::Parser;
use connect_api::error::ConnectError;
use connect_examples::{Signals, init_tracing, path_str, props, state_dir};
use connect_runtime::Runtime;
use connect_runtime::config::WorkerConfig;
use connect_runtime::rest;
use serde_json::json;

/// A web service with an embedded Connect worker.
#[derive(Debug, Parser)]
#[command(name = "axum_service")]
struct Args {
    /// The address to serve on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Where the embedded log and the offsets file live [default: a new temporary directory].
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Kafka brokers (HOST:PORT,...) to run on instead of the embedded log.
    #[arg(long)]
    bootstrap_servers: Option<String>,
}

/// What the service's own handlers share.
#[derive(Clone)]
struct AppState {
    runtime: Runtime,
    started: Instant,
}

/// `GET /`: the service's own route.
async fn index(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({
        "service": "axum_service",
        "uptime_seconds": state.started.elapsed().as_secs(),
        "connect_api": "/connect",
    }))
}

/// `GET /pipelines`: the service's view of its connectors, e.g. for its own dashboard or
/// readiness check; the handlers of the service use the same `Runtime` as the Connect API.
async fn pipelines(State(state): State<AppState>) -> Response {
    let mut pipelines = Vec::new();
    for name in state.runtime.connectors().await {
        match state.runtime.connector_status(&name).await {
            Ok(status) => pipelines.push(json!({
                "name": name,
                "state": status.connector.state,
                "tasks": status.tasks.iter().map(|task| task.state).collect::<Vec<_>>(),
            })),
            // Deleted between the listing and now.
            Err(ConnectError::NotFound(_)) => {}
            Err(error) => {
                let body = Json(json!({ "error": error.to_string() }));
                return (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
            }
        }
    }
    Json(json!({ "pipelines": pipelines })).into_response()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let args = Args::parse();
    // Listen for signals before anything starts, so that an early SIGTERM stops the service
    // cleanly instead of killing it.
    let mut signals = Signals::listen()?;
    let dir = state_dir(args.dir.clone(), "axum")?;

    // Bind first: the worker reports the bound address as its id in statuses (`worker_id`).
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;

    let mut worker = props(&[
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "offset.storage.file.filename",
            path_str(&dir.join("connect.offsets"))?,
        ),
        ("embedded.log.dir", path_str(&dir.join("connect-log"))?),
        ("offset.flush.interval.ms", "1000"),
        ("listeners", &format!("http://{addr}")),
    ]);
    if let Some(servers) = &args.bootstrap_servers {
        worker.insert("bootstrap.servers".to_owned(), servers.clone());
    }
    let runtime = Runtime::builder(WorkerConfig::standalone(worker)?)
        .build()
        .await?;

    let app = Router::new()
        .route("/", get(index))
        .route("/pipelines", get(pipelines))
        .with_state(AppState {
            runtime: runtime.clone(),
            started: Instant::now(),
        })
        .nest("/connect", rest::router(runtime.clone()));

    println!("listening on http://{addr}");
    println!("Kafka Connect REST API: http://{addr}/connect");
    println!("state: {}", dir.display());

    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let signal = signals.recv().await;
            println!("{signal}: stopping");
        })
        .await?;
    // No request can reach the runtime any more: stop the tasks and commit their offsets.
    runtime.shutdown().await;
    println!("stopped");
    Ok(())
}
