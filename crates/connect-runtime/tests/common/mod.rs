//! Running `connect-standalone` as an operator would: properties files, a child process, files
//! to watch, signals.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use connect_api::config::ConfigMap;
use connect_runtime::Runtime;
use connect_runtime::worker::State;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Writes a properties file.
pub fn write_properties(path: &Path, pairs: &[(&str, &str)]) -> PathBuf {
    let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(path, text).unwrap();
    path.to_owned()
}

/// Spawns `command` (a binary with its arguments) as the tests run their workers: `RUST_LOG=info`,
/// no stdin, stdout discarded, stderr to `<dir>/<name>.log` (whose path is returned), and killed
/// when the child is dropped.
fn spawn_logged(
    mut command: tokio::process::Command,
    dir: &Path,
    name: &str,
) -> (tokio::process::Child, PathBuf) {
    let log = dir.join(format!("{name}.log"));
    let file = std::fs::File::create(&log).unwrap();
    let child = command
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(file)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    (child, log)
}

/// Appends `line(i)` and a newline for every `i` in `range` to the file at `path`, creating it
/// when missing.
pub fn write_lines(
    path: &Path,
    range: impl IntoIterator<Item = usize>,
    line: impl Fn(usize) -> String,
) {
    use std::io::Write as _;
    let mut file = std::io::BufWriter::new(
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap(),
    );
    for i in range {
        writeln!(file, "{}", line(i)).unwrap();
    }
    file.flush().unwrap();
}

/// A running `connect-standalone`.
pub struct Standalone {
    child: tokio::process::Child,
    pub log: PathBuf,
}

impl Standalone {
    /// Starts the binary with a worker file and connector files; its log goes to `<dir>/<name>.log`.
    pub fn start(dir: &Path, name: &str, worker: &Path, connectors: &[PathBuf]) -> Self {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_connect-standalone"));
        command.arg(worker).args(connectors);
        let (child, log) = spawn_logged(command, dir, name);
        Self { child, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// SIGTERM, then waits for a clean exit.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        match tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await {
            Ok(status) => status.unwrap(),
            Err(_) => panic!(
                "connect-standalone did not exit within 30 s of SIGTERM; log:\n{}",
                self.log_text()
            ),
        }
    }

    /// SIGKILL: no chance to commit or flush anything.
    pub async fn kill9(mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }
}

/// A loopback port that was free a moment ago and that no other caller in this process got.
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<std::collections::BTreeSet<u16>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut given = GIVEN.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        if given.insert(port) {
            return port;
        }
    }
}

/// How a [`Distributed`] worker process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// SIGTERM: it had the chance to leave the group and stop its tasks.
    Terminated,
    /// SIGKILL: it stopped at once, without a word to anyone.
    Killed,
    /// It exited on its own.
    Exited,
}

/// A running (or ended) `connect-distributed` worker. Unlike [`Standalone`], stopping it keeps
/// the value, so that its log can still be read and checked afterwards.
pub struct Distributed {
    child: tokio::process::Child,
    /// A name for messages, e.g. `w2`.
    pub name: String,
    /// Its stderr.
    pub log: PathBuf,
    /// Its REST port on 127.0.0.1 (`listeners` in its properties).
    pub port: u16,
    /// When and how it ended, once it has.
    pub ended: Option<(std::time::SystemTime, Ending)>,
    exit: Option<std::process::ExitStatus>,
}

impl Distributed {
    /// Starts the binary with a worker properties file listening on `port`; its log goes to
    /// `<dir>/<name>.log`.
    pub fn start(dir: &Path, name: &str, properties: &Path, port: u16) -> Self {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_connect-distributed"));
        command.arg(properties).env("NO_COLOR", "1");
        let (child, log) = spawn_logged(command, dir, name);
        Self {
            child,
            name: name.to_owned(),
            log,
            port,
            ended: None,
            exit: None,
        }
    }

    /// `127.0.0.1:<port>`, the worker id the REST API reports.
    pub fn worker_id(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Whether the process is still running (records its exit when it is not).
    pub fn is_running(&mut self) -> bool {
        self.exit_status().is_none()
    }

    /// Its exit status once it has exited.
    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        if self.exit.is_none()
            && let Some(status) = self.child.try_wait().unwrap()
        {
            self.exit = Some(status);
            self.ended
                .get_or_insert((std::time::SystemTime::now(), Ending::Exited));
        }
        self.exit
    }

    /// Waits up to `timeout` for the process to exit by itself.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        if let Some(status) = self.exit_status() {
            return Some(status);
        }
        let status = tokio::time::timeout(timeout, self.child.wait())
            .await
            .ok()?;
        let status = status.unwrap();
        self.exit = Some(status);
        self.ended
            .get_or_insert((std::time::SystemTime::now(), Ending::Exited));
        Some(status)
    }

    /// SIGTERM, then waits (up to 60 s) for it to leave the group and exit.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        if let Some(status) = self.exit_status() {
            return status;
        }
        let pid = self.child.id().unwrap();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        match tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await {
            Ok(status) => {
                let status = status.unwrap();
                self.exit = Some(status);
                self.ended = Some((std::time::SystemTime::now(), Ending::Terminated));
                status
            }
            Err(_) => panic!(
                "connect-distributed {} did not exit within 60 s of SIGTERM; log:\n{}",
                self.name,
                self.log_text()
            ),
        }
    }

    /// SIGKILL: no chance to leave the group, commit or flush anything.
    pub async fn kill9(&mut self) {
        if self.exit_status().is_some() {
            return;
        }
        self.child.start_kill().unwrap();
        let status = self.child.wait().await.unwrap();
        self.exit = Some(status);
        self.ended = Some((std::time::SystemTime::now(), Ending::Killed));
    }
}

/// Waits until `check` holds, failing with `what` and the worker's log after `timeout`.
pub async fn wait_until(
    what: &str,
    timeout: Duration,
    worker: Option<&Standalone>,
    mut check: impl FnMut() -> bool,
) {
    let deadline = Instant::now() + timeout;
    while !check() {
        if Instant::now() > deadline {
            let log = worker.map(Standalone::log_text).unwrap_or_default();
            panic!("timed out after {timeout:?} waiting until {what}; worker log:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls the async `probe` every 50 ms until it returns `Some`, failing after `timeout` with
/// what it last saw. For checks that must await (blocking on them inside the test's runtime
/// could deadlock).
pub async fn eventually<T, S: std::fmt::Debug, F: Future<Output = Result<T, S>>>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match probe().await {
            Ok(found) => return found,
            Err(seen) if Instant::now() > deadline => {
                panic!("timed out after {timeout:?} waiting until {what}; last seen: {seen:?}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// The lines of a file (empty when missing).
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Counts lines in a file without keeping them.
pub fn line_count(path: &Path) -> usize {
    std::fs::read(path).map(|b| bytecount(&b)).unwrap_or(0)
}

fn bytecount(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// A config map from pairs.
pub fn props(pairs: &[(&str, &str)]) -> ConfigMap {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Waits until a task reaches `state` and returns its trace; fails after 15 s with the status.
pub async fn wait_for_task_state(
    runtime: &Runtime,
    name: &str,
    task: usize,
    state: State,
) -> Option<String> {
    for _ in 0..300 {
        let status = runtime.connector_status(name).await.unwrap();
        if let Some(t) = status.tasks.get(task)
            && t.state == state
        {
            return t.trace.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{name} task {task} never reached {state:?}: {:?}",
        runtime.connector_status(name).await.unwrap()
    );
}

#[cfg(feature = "hdfs")]
/// Every committed data file under `dir`, sorted by partition and start offset.
pub fn committed_files(dir: &Path) -> Vec<(PathBuf, connect_hdfs::naming::CommittedFile)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("+tmp") {
                    pending.push(path);
                }
            } else if let Some(file) =
                connect_hdfs::naming::CommittedFile::parse(path.to_str().unwrap())
            {
                found.push((path, file));
            }
        }
    }
    found.sort_by_key(|(_, f)| (f.partition, f.start_offset));
    found
}
