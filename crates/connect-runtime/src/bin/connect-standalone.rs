//! `connect-standalone worker.properties [connector.properties | connector.json ...]`: runs a
//! Kafka Connect worker in one process, as Apache Kafka's `connect-standalone.sh` does. Without
//! `bootstrap.servers` it runs on the embedded log and needs no broker.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use connect_runtime::config::{WorkerConfig, load_properties, parse_connector_file};
use connect_runtime::{Runtime, rest};
use tracing_subscriber::EnvFilter;

/// Runs a standalone Kafka Connect worker.
#[derive(Debug, Parser)]
#[command(name = "connect-standalone", version, about)]
struct Args {
    /// The worker's properties file.
    worker: PathBuf,
    /// Connector configurations: properties files, or JSON files with a flat map or
    /// `{"name", "config", "initial_state"}`.
    connectors: Vec<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    // RUST_LOG's directives (`info` when unset or invalid), reloadable through /admin/loggers.
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
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let props = load_properties(&args.worker)?;
    let worker = WorkerConfig::standalone(props)
        .with_context(|| format!("invalid worker configuration {}", args.worker.display()))?;
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
    for path in &args.connectors {
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
