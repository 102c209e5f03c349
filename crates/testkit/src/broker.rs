//! A private nisshi broker per test.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use rskafka::BackoffConfig;
use rskafka::client::{Client, ClientBuilder};
use tempfile::TempDir;

/// The nisshi release the test suite is written against (see `shared/spec/test-broker.md`).
pub const NISSHI_VERSION: &str = "0.6.0";

/// Environment variable naming the nisshi binary to use; it wins over every other location.
pub const NISSHI_BIN_ENV: &str = "NISSHI_BIN";

/// Environment variable naming the cache directory `./scripts/test.sh` installs into
/// (default `$HOME/.cache/kconnect-ci`).
pub const CACHE_ENV: &str = "KCONNECT_CACHE";

/// Environment variable that, set to `1` outside CI, turns "nisshi is not installed" into a
/// skipped test instead of a failure.
pub const SKIP_ENV: &str = "KCONNECT_SKIP_BROKER_TESTS";

/// How long [`Broker::try_start`] waits for the broker's port to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// How long dropping or stopping a broker waits for its process to exit after killing it.
const EXIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Fresh ports tried when the broker exits at start-up (for example because another process
/// took the port between choosing and binding it).
const START_ATTEMPTS: usize = 3;
/// Lines of the broker log quoted in error messages.
const LOG_TAIL_LINES: usize = 40;

/// Runs the broker (`"$@"`) under a small shell that kills it as soon as its standard input
/// reaches end-of-file. The test process holds the only write end of that pipe, so the broker
/// goes away when the [`Broker`] is dropped and also when the test process dies without
/// unwinding (killed, aborted). The shell exits with the broker's status once it is gone.
const WATCHDOG: &str = r#"exec 3<&0 </dev/null
"$@" &
broker=$!
{ read -r _ <&3; kill -KILL "$broker" 2>/dev/null; } &
watcher=$!
wait "$broker"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"
"#;

/// Ports handed out in this process, so that two brokers started at the same moment never
/// get the same one.
static USED_PORTS: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// Where a [`Broker`] keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Storage {
    /// `memory://`: fast, lost on [`Broker::stop`]. nisshi 0.6.0 answers ListOffsets
    /// `Latest` wrongly on this engine; use [`Storage::Sqlite`] when a test checks end offsets.
    #[default]
    Memory,
    /// `sqlite://` in the broker's temporary directory: durable across
    /// [`Broker::restart`], exact offsets, slow (about 48 k records/s produced).
    Sqlite,
}

/// Why a broker could not be found or started. Its `Debug` form is its message, so
/// `.unwrap()` in a test prints the log excerpt readably.
#[derive(thiserror::Error)]
pub enum BrokerError {
    /// No nisshi binary was found.
    #[error(
        "broker tests need nisshi {NISSHI_VERSION}: run ./scripts/test.sh (installs it) or set \
         {NISSHI_BIN_ENV}; looked for: {}",
        searched.join(", ")
    )]
    NotInstalled {
        /// The locations that were checked, in order.
        searched: Vec<String>,
    },
    /// Preparing the broker's directory, log or port failed.
    #[error("could not prepare the test broker ({context}): {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The broker process could not be started at all.
    #[error("could not run {binary}: {source}", binary = binary.display())]
    Spawn {
        /// The nisshi binary.
        binary: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The broker process exited before it accepted connections.
    #[error(
        "{binary} exited with {status} before accepting connections on 127.0.0.1:{port}; \
         log {log}:\n{tail}",
        binary = binary.display(),
        log = log.display()
    )]
    Exited {
        /// The nisshi binary.
        binary: PathBuf,
        /// Its exit status.
        status: ExitStatus,
        /// The port it was asked to listen on.
        port: u16,
        /// Its log file (kept on failure).
        log: PathBuf,
        /// The end of the log.
        tail: String,
    },
    /// The broker did not accept connections in time.
    #[error(
        "{binary} did not accept connections on 127.0.0.1:{port} within {waited:?}; \
         log {log}:\n{tail}",
        binary = binary.display(),
        log = log.display()
    )]
    NotReady {
        /// The nisshi binary.
        binary: PathBuf,
        /// The port it was asked to listen on.
        port: u16,
        /// How long it was given.
        waited: Duration,
        /// Its log file (kept on failure).
        log: PathBuf,
        /// The end of the log.
        tail: String,
    },
    /// A Kafka request to the broker failed.
    #[error("request to the test broker failed: {0}")]
    Client(#[from] rskafka::client::error::Error),
}

impl fmt::Debug for BrokerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// Finds the nisshi binary: `$NISSHI_BIN` if set (and then only there), else `nisshi` on
/// `PATH`, else `$KCONNECT_CACHE/nisshi-0.6.0/bin/nisshi`, else
/// `$HOME/.cache/kconnect-ci/nisshi-0.6.0/bin/nisshi`.
///
/// # Errors
///
/// [`BrokerError::NotInstalled`] listing every place that was checked.
pub fn find_nisshi() -> Result<PathBuf, BrokerError> {
    let mut searched = Vec::new();
    if let Some(explicit) = std::env::var_os(NISSHI_BIN_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(explicit);
        if path.is_file() {
            return Ok(path);
        }
        searched.push(format!(
            "{NISSHI_BIN_ENV}={} (no such file)",
            path.display()
        ));
        return Err(BrokerError::NotInstalled { searched });
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("nisshi");
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    searched.push("nisshi on PATH".to_owned());
    let mut caches: Vec<PathBuf> = Vec::new();
    if let Some(cache) = std::env::var_os(CACHE_ENV).filter(|v| !v.is_empty()) {
        caches.push(PathBuf::from(cache));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        caches.push(PathBuf::from(home).join(".cache").join("kconnect-ci"));
    }
    for cache in caches {
        let candidate = cache
            .join(format!("nisshi-{NISSHI_VERSION}"))
            .join("bin")
            .join("nisshi");
        if candidate.is_file() {
            return Ok(candidate);
        }
        searched.push(candidate.display().to_string());
    }
    Err(BrokerError::NotInstalled { searched })
}

/// Warns once per process, on stderr, when the binary is not the release the suite is written
/// against (its known defects are what the tests work around).
fn warn_on_other_version(binary: &Path) {
    static CHECKED: OnceLock<()> = OnceLock::new();
    CHECKED.get_or_init(|| {
        let version = Command::new(binary)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .unwrap_or_default();
        if version != format!("nisshi {NISSHI_VERSION}") {
            let _ = writeln!(
                io::stderr(),
                "warning: {} reports {version:?}; the broker tests expect nisshi {NISSHI_VERSION}",
                binary.display()
            );
        }
    });
}

/// Whether a missing broker may skip the test rather than fail it.
fn skip_allowed() -> bool {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let skip = std::env::var(SKIP_ENV).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    skip && !ci
}

fn pick_port() -> Result<u16, BrokerError> {
    let io_err = |source| BrokerError::Io {
        context: "choosing a free loopback port".to_owned(),
        source,
    };
    let mut used = USED_PORTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for _ in 0..100 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io_err)?;
        let port = listener.local_addr().map_err(io_err)?.port();
        if used.insert(port) {
            return Ok(port);
        }
    }
    Err(io_err(io::Error::other("no unused port found")))
}

fn log_tail(log: &Path) -> String {
    match std::fs::read_to_string(log) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            let start = lines.len().saturating_sub(LOG_TAIL_LINES);
            if lines.is_empty() {
                "(log is empty)".to_owned()
            } else {
                lines[start..].join("\n")
            }
        }
        Err(err) => format!("(could not read the log: {err})"),
    }
}

/// Kills the broker behind `child` (see [`WATCHDOG`]) and waits for it, blocking for at most
/// [`EXIT_TIMEOUT`].
fn kill_and_wait(mut child: Child) {
    drop(child.stdin.take());
    let deadline = Instant::now() + EXIT_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
        }
    }
}

/// A nisshi broker listening on `127.0.0.1:<port>`, private to one test.
///
/// The broker runs in its own temporary directory, which holds its log (`broker.log`) and,
/// for [`Storage::Sqlite`], its database (`broker.db`). Dropping the value kills the broker
/// and waits for it to exit; the directory is removed unless the thread is panicking, in which
/// case its path is printed so the log can be read.
pub struct Broker {
    binary: PathBuf,
    storage: Storage,
    port: u16,
    dir: Option<TempDir>,
    dir_path: PathBuf,
    log_path: PathBuf,
    child: Option<Child>,
}

impl fmt::Debug for Broker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Broker")
            .field("bootstrap", &self.bootstrap())
            .field("storage", &self.storage)
            .field("binary", &self.binary)
            .field("log", &self.log_path)
            .field("running", &self.child.is_some())
            .finish()
    }
}

impl Broker {
    /// Starts a broker with [`Storage::Memory`]; see [`Broker::start_with`].
    pub async fn start() -> Option<Self> {
        Self::start_with(Storage::Memory).await
    }

    /// Starts a broker for the current test.
    ///
    /// Returns `None` only when nisshi is not installed, `KCONNECT_SKIP_BROKER_TESTS=1` and
    /// `CI` is unset; it then prints `SKIPPED <test>: <reason>` to stderr and the test should
    /// return (the [`require_broker!`](crate::require_broker) macro does that).
    ///
    /// # Panics
    ///
    /// With the [`BrokerError`] message in every other failure case, including nisshi not
    /// being installed: a broker test never passes without a broker unless asked to.
    #[allow(clippy::panic)] // a test helper: failing the test with a clear message is its job
    pub async fn start_with(storage: Storage) -> Option<Self> {
        match Self::try_start(storage).await {
            Ok(broker) => Some(broker),
            Err(err @ BrokerError::NotInstalled { .. }) if skip_allowed() => {
                let current = std::thread::current();
                let test = current.name().unwrap_or("broker test");
                // Straight to stderr: the test harness captures `eprintln!` of passing tests.
                let _ = writeln!(io::stderr(), "SKIPPED {test}: {err} ({SKIP_ENV} is set)");
                None
            }
            Err(err) => panic!("{err}"),
        }
    }

    /// Starts a broker, returning every failure (including nisshi not being installed) as an
    /// error. Most tests want [`require_broker!`](crate::require_broker) instead.
    ///
    /// # Errors
    ///
    /// See [`BrokerError`].
    pub async fn try_start(storage: Storage) -> Result<Self, BrokerError> {
        let binary = find_nisshi()?;
        warn_on_other_version(&binary);
        let dir = tempfile::Builder::new()
            .prefix("kconnect-broker-")
            .tempdir()
            .map_err(|source| BrokerError::Io {
                context: "creating a temporary directory".to_owned(),
                source,
            })?;
        let dir_path = dir.path().to_path_buf();
        let log_path = dir_path.join("broker.log");
        let mut broker = Self {
            binary,
            storage,
            port: 0,
            dir: Some(dir),
            dir_path,
            log_path,
            child: None,
        };
        let mut attempt = 1;
        loop {
            broker.port = pick_port()?;
            match broker.spawn_and_wait().await {
                Ok(()) => return Ok(broker),
                Err(BrokerError::Exited { .. }) if attempt < START_ATTEMPTS => attempt += 1,
                Err(err) => {
                    broker.keep_dir();
                    return Err(err);
                }
            }
        }
    }

    /// The bootstrap address, `127.0.0.1:<port>`.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The loopback port the broker listens on (the same across [`Broker::restart`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The storage engine this broker was started with.
    pub fn storage(&self) -> Storage {
        self.storage
    }

    /// The nisshi binary in use.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The broker's log file (stdout and stderr of every run, appended).
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The `--storage-engine` URL the broker runs with (a SQLite path is relative to the
    /// broker's directory, the parent of [`Broker::log_path`]).
    pub fn storage_url(&self) -> String {
        match self.storage {
            Storage::Memory => "memory://nisshi/".to_owned(),
            // nisshi 0.6.0 resolves the path against its working directory, even an
            // absolute one, and runs in the broker's directory.
            Storage::Sqlite => "sqlite://broker.db".to_owned(),
        }
    }

    /// Whether the broker process is running (it was started and neither stopped nor exited).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => true,
            Some(_) | None => false,
        }
    }

    /// Kills the broker (SIGKILL, like a crash) and waits for it to exit. Does nothing if it
    /// is not running. With [`Storage::Sqlite`] the data stays for [`Broker::restart`].
    pub async fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            // Killing takes milliseconds; waiting on a blocking thread keeps the runtime free.
            let _ = tokio::task::spawn_blocking(move || kill_and_wait(child)).await;
        }
    }

    /// Stops the broker if it is running and starts it again on the same port with the same
    /// storage (the same SQLite file; an empty store for [`Storage::Memory`]).
    ///
    /// # Errors
    ///
    /// [`BrokerError::Exited`] or [`BrokerError::NotReady`] when the new process does not
    /// come up, for example because another process took the port meanwhile.
    pub async fn restart(&mut self) -> Result<(), BrokerError> {
        self.stop().await;
        self.spawn_and_wait().await
    }

    /// A new rskafka client for this broker, with retries bounded to 30 s so that a failing
    /// request fails the test instead of hanging it (rskafka retries forever by default).
    ///
    /// # Errors
    ///
    /// [`BrokerError::Client`] when the broker cannot be reached.
    pub async fn client(&self) -> Result<Client, BrokerError> {
        let backoff = BackoffConfig {
            init_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(1),
            base: 2.0,
            deadline: Some(Duration::from_secs(30)),
        };
        Ok(ClientBuilder::new(vec![self.bootstrap()])
            .client_id("connect-testkit")
            .backoff_config(backoff)
            .build()
            .await?)
    }

    /// Creates `topic` with `partitions` partitions (replication factor 1).
    ///
    /// # Errors
    ///
    /// [`BrokerError::Client`] when the request fails, e.g. because the topic exists.
    pub async fn create_topic(&self, topic: &str, partitions: i32) -> Result<(), BrokerError> {
        let client = self.client().await?;
        client
            .controller_client()?
            .create_topic(topic, partitions, 1, 10_000)
            .await?;
        Ok(())
    }

    fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> BrokerError {
        let context = context.into();
        move |source| BrokerError::Io { context, source }
    }

    async fn spawn_and_wait(&mut self) -> Result<(), BrokerError> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .map_err(Self::io_error(format!(
                "opening {}",
                self.log_path.display()
            )))?;
        let log_err: File = log
            .try_clone()
            .map_err(Self::io_error("duplicating the log file handle"))?;
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let args: Vec<OsString> = vec![
            self.binary.clone().into_os_string(),
            "broker".into(),
            "--listener-url".into(),
            url.clone().into(),
            "--advertised-listener-url".into(),
            url.into(),
            "--storage-engine".into(),
            self.storage_url().into(),
        ];
        let child = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("nisshi-watchdog")
            .args(&args)
            .current_dir(&self.dir_path)
            // nisshi reads these as defaults for its options; keep the caller's out.
            .env_remove("CLUSTER_ID")
            .env_remove("LISTENER_URL")
            .env_remove("ADVERTISED_LISTENER_URL")
            .env_remove("STORAGE_ENGINE")
            .env_remove("SCHEMA_REGISTRY")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .stdin(Stdio::piped())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|source| BrokerError::Spawn {
                binary: self.binary.clone(),
                source,
            })?;
        self.child = Some(child);
        self.wait_ready().await
    }

    async fn wait_ready(&mut self) -> Result<(), BrokerError> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.exit_status()? {
                return Err(self.exited(status));
            }
            if tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, self.port))
                .await
                .is_ok()
            {
                // Someone else's listener on this port would also accept: make sure ours is
                // still alive after a moment.
                tokio::time::sleep(Duration::from_millis(20)).await;
                if let Some(status) = self.exit_status()? {
                    return Err(self.exited(status));
                }
                return Ok(());
            }
            if started.elapsed() >= READY_TIMEOUT {
                if let Some(child) = self.child.take() {
                    let _ = tokio::task::spawn_blocking(move || kill_and_wait(child)).await;
                }
                return Err(BrokerError::NotReady {
                    binary: self.binary.clone(),
                    port: self.port,
                    waited: READY_TIMEOUT,
                    log: self.log_path.clone(),
                    tail: log_tail(&self.log_path),
                });
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The exit status if the process has exited (and then forgets the process).
    fn exit_status(&mut self) -> Result<Option<ExitStatus>, BrokerError> {
        let Some(child) = self.child.as_mut() else {
            return Ok(None);
        };
        match child.try_wait() {
            Ok(Some(status)) => {
                self.child = None;
                Ok(Some(status))
            }
            Ok(None) => Ok(None),
            Err(source) => Err(BrokerError::Io {
                context: "checking on the broker process".to_owned(),
                source,
            }),
        }
    }

    fn exited(&self, status: ExitStatus) -> BrokerError {
        BrokerError::Exited {
            binary: self.binary.clone(),
            status,
            port: self.port,
            log: self.log_path.clone(),
            tail: log_tail(&self.log_path),
        }
    }

    /// Keeps the temporary directory (log, database) after the broker is gone.
    fn keep_dir(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = dir.keep();
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            kill_and_wait(child);
        }
        if std::thread::panicking() && self.dir.is_some() {
            self.keep_dir();
            eprintln!(
                "test broker {} kept its log at {}",
                self.bootstrap(),
                self.log_path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn ports_are_not_handed_out_twice() {
        let ports: BTreeSet<u16> = (0..20).map(|_| pick_port().unwrap()).collect();
        assert_eq!(ports.len(), 20);
    }

    #[test]
    fn log_tail_keeps_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("broker.log");
        let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&log, text).unwrap();
        let tail = log_tail(&log);
        assert!(tail.starts_with("line 60\n"), "{tail}");
        assert!(tail.ends_with("line 99"), "{tail}");
        assert!(log_tail(&dir.path().join("missing")).contains("could not read"));
    }
}
