//! `connect-standalone worker.properties [connector.properties | connector.json ...]`: runs a
//! Kafka Connect worker in one process, as Apache Kafka's `connect-standalone.sh` does. Without
//! `bootstrap.servers` it runs on the embedded log and needs no broker.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use connect_runtime::Runtime;
use connect_runtime::config::{WorkerConfig, load_properties, parse_connector_file};
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
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
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
    let runtime = Runtime::builder(worker)
        .build()
        .await
        .context("the worker could not start")?;
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
    tracing::info!("shutting down: stopping tasks and committing offsets");
    runtime.shutdown().await;
    Ok(())
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
