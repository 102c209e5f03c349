//! The axum service run as a user runs it: started on a free port, its own route called, a
//! FileStreamSource created through the embedded Kafka Connect REST API, and stopped with
//! SIGTERM.

// Test helpers fail the test with a message, as the tests themselves do.
#![allow(clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long the service may take to print its address, and a connector to get going.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the service may take to stop after SIGTERM.
const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// A running service; killed if the test fails before it stops.
struct Service {
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
    fn start(dir: &std::path::Path) -> Self {
        let binary = support::example_binary("axum_service");
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0", "--dir"])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting the axum_service example");
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

    fn printed(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout.lock().expect("stdout buffer"),
            self.stderr.lock().expect("stderr buffer")
        )
    }

    /// The base URL from the `listening on http://ADDR` line.
    fn base_url(&self) -> String {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        return url.to_owned();
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no `listening on` line within {START_TIMEOUT:?}\n{}",
                    self.printed()
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the service exited before listening\n{}", self.printed())
                }
            }
        }
    }

    /// Sends SIGTERM as `kill` does and waits for the service to exit and its output to be
    /// read to the end.
    async fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("running kill");
        assert!(sent.success(), "kill -TERM {pid} failed: {sent}");
        let deadline = Instant::now() + EXIT_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("checking on the service") {
                for reader in std::mem::take(&mut self.readers) {
                    reader.join().expect("output reader");
                }
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the service did not exit within {EXIT_TIMEOUT:?} of SIGTERM\n{}",
                self.printed()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// GETs `url` and returns its status and JSON body.
async fn get(client: &reqwest::Client, url: &str) -> (u16, Value) {
    let response = client.get(url).send().await.expect("GET");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

/// Polls `url` until `done` accepts its body; returns that body.
async fn poll_until(client: &reqwest::Client, url: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let (status, body) = get(client, url).await;
        if status == 200 && done(&body) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "GET {url} still answers {status} {body} after {START_TIMEOUT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn serves_its_own_routes_and_the_connect_api_then_stops_on_sigterm() {
    let temp = tempfile::tempdir().expect("temp dir");
    let input = temp.path().join("in.txt");
    std::fs::write(&input, "alpha\nbeta\n").expect("writing the input file");
    let mut service = Service::start(&temp.path().join("state"));
    let base = service.base_url();
    let client = reqwest::Client::new();

    // The service's own route.
    let (status, body) = get(&client, &format!("{base}/")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["service"], "axum_service");
    assert_eq!(body["connect_api"], "/connect");

    // Kafka Connect's REST API under /connect: create a FileStreamSource.
    let created = client
        .post(format!("{base}/connect/connectors"))
        .json(&json!({
            "name": "lines",
            "config": {
                "connector.class": "FileStreamSource",
                "file": input.to_str().expect("a UTF-8 path"),
                "topic": "lines",
            },
        }))
        .send()
        .await
        .expect("POST /connect/connectors");
    let status = created.status().as_u16();
    let body: Value = created.json().await.expect("a JSON body");
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["name"], "lines");

    let status_url = format!("{base}/connect/connectors/lines/status");
    poll_until(&client, &status_url, |status| {
        let tasks = status["tasks"].as_array().map_or(&[][..], Vec::as_slice);
        status["connector"]["state"] == "RUNNING"
            && !tasks.is_empty()
            && tasks.iter().all(|task| task["state"] == "RUNNING")
    })
    .await;

    let (status, listed) = get(&client, &format!("{base}/connect/connectors")).await;
    assert_eq!((status, listed), (200, json!(["lines"])));

    // The lines went through: the committed source offset reaches the end of the file.
    let offsets_url = format!("{base}/connect/connectors/lines/offsets");
    poll_until(&client, &offsets_url, |offsets| {
        offsets["offsets"][0]["offset"]["position"] == 11
    })
    .await;

    // The service's own view, through the same runtime.
    let (status, pipelines) = get(&client, &format!("{base}/pipelines")).await;
    assert_eq!(status, 200, "{pipelines}");
    assert_eq!(
        pipelines["pipelines"],
        json!([{"name": "lines", "state": "RUNNING", "tasks": ["RUNNING"]}])
    );

    // An unknown path under /connect answers in Kafka Connect's error shape.
    let (status, error) = get(&client, &format!("{base}/connect/no-such-path")).await;
    assert_eq!(
        (status, &error["error_code"]),
        (404, &json!(404)),
        "{error}"
    );

    let started_stopping = Instant::now();
    let exit = service.terminate().await;
    assert!(exit.success(), "exit status {exit}\n{}", service.printed());
    let printed = service.printed();
    assert!(printed.contains("SIGTERM: stopping"), "{printed}");
    assert!(printed.contains("stopped"), "{printed}");
    eprintln!("stopped {:?} after SIGTERM", started_stopping.elapsed());
}
