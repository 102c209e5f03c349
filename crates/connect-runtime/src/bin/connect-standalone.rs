//! `connect-standalone worker.properties [connector.properties | connector.json ...]`: runs a
//! Kafka Connect worker in one process, as Apache Kafka's `connect-standalone.sh` does. Without
//! `bootstrap.servers` it runs on the embedded log and needs no broker.

mod worker_process;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use connect_runtime::config::WorkerConfig;

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
    worker_process::load_and_run(&args.worker, WorkerConfig::standalone, &args.connectors).await
}
