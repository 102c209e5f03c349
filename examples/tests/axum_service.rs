//! The axum service run as a user runs it: started on a free port, its own route called, a
//! FileStreamSource created through the embedded Kafka Connect REST API, and stopped with
//! SIGTERM.

// Test helpers fail the test with a message, as the tests themselves do.
#![allow(clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::Service;

/// How long the service may take to print its address, and a connector to get going.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the service may take to stop after SIGTERM.
const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts the service on a free port, its state in `dir`.
fn start(dir: &Path) -> Service {
    let mut command = Command::new(support::example_binary("axum_service"));
    command.args(["--listen", "127.0.0.1:0", "--dir"]).arg(dir);
    Service::start(command, "the axum_service example")
}

/// The base URL from the `listening on http://ADDR` line.
fn base_url(service: &Service) -> String {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match service.next_line(left) {
            Ok(line) => {
                if let Some(url) = line.strip_prefix("listening on ") {
                    return url.to_owned();
                }
            }
            Err(RecvTimeoutError::Timeout) => panic!(
                "no `listening on` line within {START_TIMEOUT:?}\n{}",
                service.printed()
            ),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the service exited before listening\n{}", service.printed())
            }
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
    let mut service = start(&temp.path().join("state"));
    let base = base_url(&service);
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
    let exit = service.terminate(EXIT_TIMEOUT);
    assert!(exit.success(), "exit status {exit}\n{}", service.printed());
    let printed = service.printed();
    assert!(printed.contains("SIGTERM: stopping"), "{printed}");
    assert!(printed.contains("stopped"), "{printed}");
    eprintln!("stopped {:?} after SIGTERM", started_stopping.elapsed());
}
