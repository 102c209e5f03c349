//! Runs the examples as a user would: built by cargo, started as processes, watched, stopped
//! with SIGTERM or SIGKILL, and killed when a test fails while they run.

// Helpers fail the test with a message, as the tests themselves do.
#![allow(dead_code, clippy::panic, clippy::expect_used)]

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Builds the example `name` (a no-op when it is up to date) and returns its executable.
///
/// # Panics
///
/// When cargo cannot build it: the test fails with cargo's output.
pub fn example_binary(name: &str) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    // Without the variables `cargo test` sets for this test (CARGO_MANIFEST_DIR, CARGO_PKG_*,
    // ...): build scripts that watch them (ring's does) would see them change, and this build
    // and the next one from a shell would each rebuild half the dependency tree.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_MANIFEST_")
            || key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_BIN_EXE_")
            || [
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "OUT_DIR",
            ]
            .contains(&&*key)
        {
            command.env_remove(&*key);
        }
    }
    let output = command
        .args([
            "build",
            "--quiet",
            "-p",
            "connect-examples",
            "--example",
            name,
            "--message-format=json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("running cargo to build example {name}: {e}"));
    assert!(
        output.status.success(),
        "cargo could not build example {name}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == name)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo built example {name} but named no executable"))
}

/// A started example whose output the test reads as it comes; killed if the test fails before
/// it exits.
pub struct Service {
    child: Child,
    lines: Receiver<String>,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

/// Copies what `stream` prints into `into` until it closes, also sending each line to `lines`.
fn collect(
    stream: impl Read + Send + 'static,
    into: Arc<Mutex<String>>,
    lines: Option<mpsc::Sender<String>>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut text = into.lock().expect("output buffer");
            text.push_str(&line);
            text.push('\n');
            drop(text);
            if let Some(lines) = &lines {
                let _ = lines.send(line);
            }
        }
    })
}

impl Service {
    /// Starts `command` with no input and its output piped to the test; `what` names it in
    /// failure messages.
    pub fn start(mut command: Command, what: &str) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {what}: {e}"));
        let (stdout, stderr) = (Arc::default(), Arc::default());
        let (sender, lines) = mpsc::channel();
        let readers = vec![
            collect(
                child.stdout.take().expect("piped stdout"),
                Arc::clone(&stdout),
                Some(sender),
            ),
            collect(
                child.stderr.take().expect("piped stderr"),
                Arc::clone(&stderr),
                None,
            ),
        ];
        Self {
            child,
            lines,
            stdout,
            stderr,
            readers,
        }
    }

    /// The next line printed on stdout, waiting at most `timeout`.
    pub fn next_line(&self, timeout: Duration) -> Result<String, RecvTimeoutError> {
        self.lines.recv_timeout(timeout)
    }

    /// What it printed on stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().expect("stdout buffer").clone()
    }

    /// What it printed so far, for failure messages.
    pub fn printed(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout.lock().expect("stdout buffer"),
            self.stderr.lock().expect("stderr buffer")
        )
    }

    /// The exit status, once the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("checking on the service")
    }

    /// Sends SIGTERM as `kill` does and waits at most `timeout` for the process to exit and its
    /// output to be read to the end.
    pub fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("running kill");
        assert!(sent.success(), "kill -TERM {pid} failed: {sent}");
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.exited() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the service did not exit within {timeout:?} of SIGTERM\n{}",
                self.printed()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        for reader in std::mem::take(&mut self.readers) {
            reader.join().expect("output reader");
        }
        status
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        kill_if_running(&mut self.child);
    }
}

/// Kills `child` unless it has exited, and reaps it.
fn kill_if_running(child: &mut Child) {
    if matches!(child.try_wait(), Ok(None)) {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// An example running to its end, its output going to files in a directory of the test; killed
/// if the test fails while it runs.
pub struct Run {
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Run {
    /// Starts the example `example` with `args`; its output goes to `<name>.out` and
    /// `<name>.err` in `dir`.
    pub fn start(example: &str, dir: &Path, name: &str, args: &[&str]) -> Self {
        let stdout = dir.join(format!("{name}.out"));
        let stderr = dir.join(format!("{name}.err"));
        let child = Command::new(example_binary(example))
            .args(args)
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).expect("creating the stdout file"))
            .stderr(File::create(&stderr).expect("creating the stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("starting the {example} example: {e}"));
        Self {
            child,
            stdout,
            stderr,
        }
    }

    /// What it printed so far, for failure messages.
    pub fn output(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            std::fs::read_to_string(&self.stdout).unwrap_or_default(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    /// The exit status, once the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("checking on the example")
    }

    /// Waits for the process to exit and returns its standard output; fails the test when it
    /// does not exit 0 within `timeout`.
    pub async fn success(mut self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.exited() {
                assert!(
                    status.success(),
                    "the example exited with {status}\n{}",
                    self.output()
                );
                return std::fs::read_to_string(&self.stdout).expect("reading the stdout file");
            }
            assert!(
                Instant::now() < deadline,
                "the example did not finish within {timeout:?}\n{}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL, as a crash or `kill -9` would.
    pub fn kill9(&mut self) {
        self.child.kill().expect("killing the example");
        self.child.wait().expect("waiting for the killed example");
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        kill_if_running(&mut self.child);
    }
}
