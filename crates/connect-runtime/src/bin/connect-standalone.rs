//! `connect-standalone worker.properties [connector.properties | connector.json ...]`: runs a
//! Kafka Connect worker in one process, as Apache Kafka's `connect-standalone.sh` does. Without
//! `bootstrap.servers` it runs on the embedded log and needs no broker.

mod worker_process;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use connect_runtime::config::{WorkerConfig, load_properties};

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
    worker_process::init_logging();
    let args = Args::parse();
    worker_process::exit_code(
        async {
            let props = load_properties(&args.worker)?;
            let worker = WorkerConfig::standalone(props).with_context(|| {
                format!("invalid worker configuration {}", args.worker.display())
            })?;
            worker_process::run(worker, &args.connectors).await
        }
        .await,
    )
}
