//! `connect-distributed worker.properties`: runs a worker of a Kafka Connect cluster, as Apache
//! Kafka's `connect-distributed.sh` does. The workers of one `group.id` share the connectors
//! and tasks through Kafka's group coordinator; connectors are created through the REST API of
//! any of them and kept in the config topic.

mod worker_process;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use connect_runtime::config::WorkerConfig;

/// Runs a distributed Kafka Connect worker.
#[derive(Debug, Parser)]
#[command(name = "connect-distributed", version, about)]
struct Args {
    /// The worker's properties file.
    worker: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    worker_process::init_logging();
    let args = Args::parse();
    worker_process::load_and_run(&args.worker, WorkerConfig::distributed, &[]).await
}
