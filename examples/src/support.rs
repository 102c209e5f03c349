//! The plumbing the examples share: building configurations, their state directory, logging,
//! generated input, stopping on a signal, and noticing a failed connector. What an example
//! teaches (its connector, task, transform and worker settings) stays in the example.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use connect_api::config::ConfigMap;
use connect_runtime::Runtime;
use connect_runtime::config::WorkerConfig;
use connect_runtime::plugins::Plugins;
use connect_runtime::worker::{ConnectorStatus, State};

/// A configuration from `(key, value)` pairs, as `Runtime::create_connector` and
/// `WorkerConfig::standalone` take it.
pub fn props(pairs: &[(&str, &str)]) -> ConfigMap {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `path` as a configuration value; an error naming the path when it is not valid UTF-8.
///
/// # Errors
///
/// When `path` is not valid UTF-8.
pub fn path_str(path: &Path) -> anyhow::Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not valid UTF-8", path.display()))
}

/// Logs to standard error at the level `RUST_LOG` gives, `warn` by default.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
}

/// The directory an example keeps its state in, created if missing: `dir` when given, else
/// `kconnect-<name>-<process id>` under the system's temporary directory.
///
/// # Errors
///
/// When the directory cannot be created.
pub fn state_dir(dir: Option<PathBuf>, name: &str) -> anyhow::Result<PathBuf> {
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kconnect-{name}-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// [`state_dir`], made absolute: a FileStreamSource's offsets are keyed by its file name as
/// configured, so a file named relative to the working directory would not find them from
/// another one.
///
/// # Errors
///
/// When the directory cannot be created or resolved.
pub fn absolute_state_dir(dir: Option<PathBuf>, name: &str) -> anyhow::Result<PathBuf> {
    let dir = state_dir(dir, name)?;
    dir.canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))
}

/// The FileStreamSource a batch example reads its input with.
#[derive(Debug, Clone, Copy)]
pub struct FileSource<'a> {
    /// The connector's name.
    pub name: &'a str,
    /// The file it reads, line by line.
    pub input: &'a Path,
    /// The topic it writes the lines to.
    pub topic: &'a str,
    /// The partitions of the topic when the source creates it.
    pub partitions: u16,
}

/// Starts a standalone worker with `plugins` and runs `source` on it: the first half of a batch
/// example's pipeline, whose sink the example adds.
///
/// The worker keeps its state in `dir`: the source offsets in `connect.offsets`, stored every
/// half second, and the embedded log in `log`, unless `bootstrap_servers` names a Kafka cluster
/// to run on. `converter` converts keys and values.
///
/// # Errors
///
/// When a path is not valid UTF-8, the worker cannot start, or the source cannot be created.
pub async fn start_with_file_source(
    dir: &Path,
    bootstrap_servers: Option<&str>,
    converter: &str,
    plugins: Plugins,
    source: FileSource<'_>,
) -> anyhow::Result<Runtime> {
    let offsets = dir.join("connect.offsets");
    let log = dir.join("log");
    let mut worker = props(&[
        ("key.converter", converter),
        ("value.converter", converter),
        ("offset.storage.file.filename", path_str(&offsets)?),
        ("embedded.log.dir", path_str(&log)?),
        ("offset.flush.interval.ms", "500"),
    ]);
    if let Some(servers) = bootstrap_servers {
        worker.insert("bootstrap.servers".into(), servers.to_owned());
    }
    let runtime = Runtime::builder(WorkerConfig::standalone(worker)?)
        .plugins(plugins)
        .build()
        .await?;
    let partitions = source.partitions.to_string();
    runtime
        .create_connector(
            props(&[
                ("name", source.name),
                ("connector.class", "FileStreamSource"),
                ("file", path_str(source.input)?),
                ("topic", source.topic),
                ("topic.creation.default.partitions", &partitions),
            ]),
            None,
        )
        .await?;
    Ok(runtime)
}

/// Writes the generated input `text` to `path`, or keeps the file if an earlier run wrote the
/// same; returns `path`. The file is written aside and renamed, so that a run killed while
/// writing leaves no half file to resume from.
///
/// # Errors
///
/// When `path` holds something else (an earlier run with another `--lines`), or on an I/O error.
pub fn write_generated_input(path: &Path, text: &str) -> anyhow::Result<PathBuf> {
    match std::fs::read(path) {
        Ok(existing) if existing == text.as_bytes() => return Ok(path.to_path_buf()),
        Ok(_) => bail!(
            "{} exists with other content: use the --lines of the run that wrote it, or a new --dir",
            path.display()
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
    }
    let partial = path.with_extension("partial");
    std::fs::write(&partial, text).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(path.to_path_buf())
}

/// What failed of a connector, when it or one of its tasks is FAILED:
/// `connector NAME failed: TRACE` or `task NAME-ID failed: TRACE`.
pub fn failure(status: &ConnectorStatus) -> Option<String> {
    let name = &status.name;
    if status.connector.state == State::Failed {
        let trace = status.connector.trace.clone().unwrap_or_default();
        return Some(format!("connector {name} failed: {trace}"));
    }
    let task = status.tasks.iter().find(|t| t.state == State::Failed)?;
    let trace = task.trace.clone().unwrap_or_default();
    Some(format!("task {name}-{} failed: {trace}", task.id))
}

/// Fails, saying which and why, when one of the connectors `names` or one of their tasks is
/// FAILED.
///
/// # Errors
///
/// The [`failure`], or the runtime's error when a connector's status cannot be read.
pub async fn ensure_not_failed(runtime: &Runtime, names: &[&str]) -> anyhow::Result<()> {
    for name in names {
        let status = runtime.connector_status(name).await?;
        if let Some(failure) = failure(&status) {
            bail!(failure);
        }
    }
    Ok(())
}

/// Waits for Ctrl-C and returns the error a run that stops part way ends with: run again with
/// the same `--dir` to carry on.
///
/// # Errors
///
/// Always: interrupted, or the Ctrl-C handler could not be installed.
pub async fn interrupted(dir: &Path) -> anyhow::Result<()> {
    match tokio::signal::ctrl_c().await {
        Ok(()) => Err(anyhow::anyhow!(
            "interrupted; run again with --dir {} to carry on",
            dir.display()
        )),
        Err(error) => Err(error).context("waiting for Ctrl-C"),
    }
}

/// Ctrl-C, and SIGTERM where there is one (what `kill`, systemd and Kubernetes send): what stops
/// a service gracefully.
pub struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers now, so that no signal is missed from here on. Call it before
    /// anything starts, so that an early SIGTERM stops the service cleanly instead of killing it.
    ///
    /// # Errors
    ///
    /// When a handler cannot be installed.
    pub fn listen() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// The name of the next signal that arrives: `Ctrl-C` or `SIGTERM`.
    pub async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => "Ctrl-C",
                _ = self.terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
