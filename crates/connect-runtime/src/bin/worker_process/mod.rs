//! What `connect-standalone` and `connect-distributed` share: logging, the REST listeners, the
//! worker's run until a signal, and a clean shutdown.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use connect_api::config::ConfigMap;
use connect_api::error::ConfigError;
use connect_runtime::config::{WorkerConfig, load_properties, parse_connector_file};
use connect_runtime::{Runtime, rest};
use tracing_subscriber::EnvFilter;

/// Logs to stderr with `RUST_LOG`'s directives (`info` when unset or invalid), reloadable
/// through `/admin/loggers`.
pub fn init_logging() {
    let directives = std::env::var(EnvFilter::DEFAULT_ENV)
        .ok()
        .filter(|directives| EnvFilter::try_new(directives).is_ok())
        .unwrap_or_else(|| "info".to_owned());
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(&directives))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter_reloading();
    let levels = rest::EnvFilterLevels::new(subscriber.reload_handle(), &directives);
    subscriber.init();
    rest::install_log_levels(std::sync::Arc::new(levels));
}

/// Reads the worker properties at `path`, parses them with `parse` (standalone or distributed)
/// and runs the worker; the process's exit code is failure, with the error logged, when the
/// worker could not run.
pub async fn load_and_run(
    path: &Path,
    parse: fn(ConfigMap) -> Result<WorkerConfig, ConfigError>,
    connector_files: &[PathBuf],
) -> ExitCode {
    let outcome = async {
        let props = load_properties(path)?;
        let worker = parse(props)
            .with_context(|| format!("invalid worker configuration {}", path.display()))?;
        run(worker, connector_files).await
    };
    match outcome.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a worker until SIGINT or SIGTERM: its REST API on every listener, and the connectors
/// of `connector_files` (standalone) created once it runs. Then the REST API stops accepting
/// requests and the worker shuts down (tasks stopped, offsets committed, the group left).
async fn run(worker: WorkerConfig, connector_files: &[PathBuf]) -> anyhow::Result<()> {
    // Bound first: a port in use or an unsupported listener fails the start at once.
    let listeners = bind_listeners(&worker).await?;
    let security = rest::ListenerSecurity::from_worker(&worker)
        .context("invalid REST listener security (TLS keystore or basic auth credentials)")?;
    let runtime = Runtime::builder(worker)
        .build()
        .await
        .context("the worker could not start")?;
    let (stop_rest, rest_stopped) = tokio::sync::watch::channel(false);
    let mut servers = Vec::new();
    for (listener, https) in listeners {
        let mut stopped = rest_stopped.clone();
        let runtime = runtime.clone();
        let security = security.clone();
        servers.push(tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            security.serve(runtime, listener, https, shutdown).await
        }));
    }
    for path in connector_files {
        // A bad connector file is reported and skipped: the others run.
        let created = async {
            let file = parse_connector_file(path)?;
            runtime
                .create_connector(file.config, file.initial_state)
                .await
        };
        match created.await {
            Ok(info) => {
                tracing::info!(connector = %info.name, file = %path.display(), tasks = info.tasks.len(), "connector created")
            }
            Err(error) => {
                tracing::error!(file = %path.display(), "Failed to create connector: {error}")
            }
        }
    }
    wait_for_shutdown_signal().await?;
    tracing::info!("stopping the REST server");
    let _ = stop_rest.send(true);
    for server in servers {
        match server.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!("the REST server failed: {error}"),
            Err(error) => tracing::error!("the REST server failed: {error}"),
        }
    }
    tracing::info!("shutting down: stopping tasks and committing offsets");
    runtime.shutdown().await;
    Ok(())
}

/// The `host:port` to bind for one `listeners` entry (`http://host:port` or `https://host:port`;
/// an empty host means every interface, as in Kafka), and whether it is HTTPS.
fn listener_address(listener: &str) -> anyhow::Result<(String, bool)> {
    let listener = listener.trim();
    let Some((scheme, rest)) = listener.split_once("://") else {
        anyhow::bail!("invalid listener '{listener}' in 'listeners': expected http://host:port");
    };
    let https = match scheme.to_ascii_lowercase().as_str() {
        "http" => false,
        "https" => true,
        _ => anyhow::bail!(
            "invalid listener '{listener}' in 'listeners': the protocol must be http or https"
        ),
    };
    let rest = rest.trim_end_matches('/');
    let Some((host, port)) = rest.rsplit_once(':') else {
        anyhow::bail!("invalid listener '{listener}' in 'listeners': a port is required");
    };
    let port: u16 = port
        .parse()
        .with_context(|| format!("invalid port in listener '{listener}'"))?;
    let host = if host.is_empty() { "0.0.0.0" } else { host };
    Ok((format!("{host}:{port}"), https))
}

async fn bind_listeners(
    worker: &WorkerConfig,
) -> anyhow::Result<Vec<(tokio::net::TcpListener, bool)>> {
    let configured = worker
        .parsed()
        .get_list("listeners")
        .context("invalid 'listeners'")?;
    let configured = if configured.is_empty() {
        vec!["http://127.0.0.1:8083".to_owned()]
    } else {
        configured.to_vec()
    };
    let mut listeners = Vec::new();
    for listener in &configured {
        let (address, https) = listener_address(listener)?;
        let bound = tokio::net::TcpListener::bind(&address)
            .await
            .with_context(|| format!("could not listen on {listener}"))?;
        match bound.local_addr() {
            Ok(local) => {
                let scheme = if https { "https" } else { "http" };
                tracing::info!("REST server listening at {scheme}://{local}/ ({listener})")
            }
            Err(_) => tracing::info!("REST server listening at {listener}"),
        }
        listeners.push((bound, https));
    }
    Ok(listeners)
}

async fn wait_for_shutdown_signal() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("could not listen for SIGTERM")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("could not listen for SIGINT")?,
        _ = terminate.recv() => {}
    }
    Ok(())
}
