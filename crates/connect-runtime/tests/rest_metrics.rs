//! `GET /metrics` over real HTTP against an in-process runtime on the embedded log: the counters
//! of a FileStream source and sink that copied a few lines, and the state of a failing task.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use connect_api::config::ConfigMap;
use connect_runtime::config::WorkerConfig;
use connect_runtime::{Runtime, rest};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;

/// A series and what its value must satisfy.
type Check<'a> = (&'a str, fn(f64) -> bool);

struct Server {
    base: String,
    client: Client,
    runtime: Runtime,
    dir: TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut worker: ConfigMap = [
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            ("offset.flush.interval.ms", "100"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        worker.insert(
            "offset.storage.file.filename".into(),
            dir.path().join("offsets").to_str().unwrap().to_owned(),
        );
        let runtime = Runtime::builder(WorkerConfig::standalone(worker).unwrap())
            .build()
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(rest::serve(runtime.clone(), listener, async move {
            let _ = stopped.await;
        }));
        Server {
            base,
            client: Client::new(),
            runtime,
            dir,
            stop: Some(stop),
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }

    async fn create(&self, name: &str, config: Value) {
        let response = self
            .client
            .post(format!("{}/connectors", self.base))
            .json(&json!({"name": name, "config": config}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }

    /// `GET /metrics`: its content type and text.
    async fn metrics(&self) -> (String, String) {
        let response = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        (content_type, response.text().await.unwrap())
    }

    /// Waits until every check holds on the metrics text; returns it.
    async fn wait_for_metrics(&self, checks: &[Check<'_>]) -> String {
        let mut text = String::new();
        for _ in 0..200 {
            text = self.metrics().await.1;
            if checks
                .iter()
                .all(|(series, check)| value(&text, series).is_some_and(check))
            {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for the metrics; last:\n{text}");
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.runtime.shutdown().await;
    }
}

/// The value of one series (name and labels exactly as written), if present.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(series)?.strip_prefix(' ')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn labels(connector: &str) -> String {
    format!("{{connector=\"{connector}\",task=\"0\"}}")
}

#[tokio::test]
async fn counts_records_commits_and_states_per_task() {
    let server = Server::start().await;
    std::fs::write(server.path("in.txt"), "one\ntwo\nthree\n").unwrap();
    server
        .create(
            "source",
            json!({
                "connector.class": "FileStreamSource",
                "file": server.path("in.txt"),
                "topic": "lines",
            }),
        )
        .await;
    server
        .create(
            "sink",
            json!({
                "connector.class": "FileStreamSink",
                "file": server.path("out.txt"),
                "topics": "lines",
            }),
        )
        .await;
    let (source, sink) = (labels("source"), labels("sink"));
    let series = |name: &str, labels: &str| format!("{name}{labels}");
    let polled = series("connect_source_records_polled_total", &source);
    let written_source = series("connect_records_written_total", &source);
    let commits_source =
        "connect_offset_commits_total{connector=\"source\",task=\"0\",result=\"success\"}";
    let read = series("connect_sink_records_read_total", &sink);
    let written_sink = series("connect_records_written_total", &sink);
    let commits_sink =
        "connect_offset_commits_total{connector=\"sink\",task=\"0\",result=\"success\"}";
    let text = server
        .wait_for_metrics(&[
            (&polled, |v| v == 3.0),
            (&written_source, |v| v == 3.0),
            (commits_source, |v| v >= 1.0),
            (&written_sink, |v| v == 3.0),
            (commits_sink, |v| v >= 1.0),
        ])
        .await;
    assert_eq!(
        std::fs::read_to_string(server.path("out.txt")).unwrap(),
        "one\ntwo\nthree\n"
    );
    let exact = |series: String, expected: f64| {
        assert_eq!(
            value(&text, &series),
            Some(expected),
            "{series} in:\n{text}"
        );
    };
    exact(polled, 3.0);
    exact(series("connect_records_processed_total", &source), 3.0);
    exact(written_source, 3.0);
    exact(read, 3.0);
    exact(series("connect_sink_records_read_total", &source), 0.0);
    exact(series("connect_records_processed_total", &sink), 3.0);
    exact(written_sink, 3.0);
    for labels in [&source, &sink] {
        exact(series("connect_records_failed_total", labels), 0.0);
        exact(series("connect_deadletterqueue_records_total", labels), 0.0);
        let count = value(
            &text,
            &series("connect_offset_commit_latency_seconds_count", labels),
        )
        .unwrap();
        assert!(count >= 1.0, "{text}");
    }
    for connector in ["source", "sink"] {
        exact(
            format!("connect_task_state{{connector=\"{connector}\",task=\"0\",state=\"RUNNING\"}}"),
            1.0,
        );
        exact(
            format!("connect_task_state{{connector=\"{connector}\",task=\"0\",state=\"FAILED\"}}"),
            0.0,
        );
    }
    exact("connect_connectors".to_owned(), 2.0);

    // A sink task that cannot open its file fails: FAILED is 1, RUNNING 0.
    server
        .create(
            "broken",
            json!({
                "connector.class": "FileStreamSink",
                "file": server.path("missing/dir/out.txt"),
                "topics": "lines",
            }),
        )
        .await;
    let text = server
        .wait_for_metrics(&[(
            "connect_task_state{connector=\"broken\",task=\"0\",state=\"FAILED\"}",
            |v| v == 1.0,
        )])
        .await;
    assert_eq!(
        value(
            &text,
            "connect_task_state{connector=\"broken\",task=\"0\",state=\"RUNNING\"}"
        ),
        Some(0.0),
        "{text}"
    );
    assert_eq!(value(&text, "connect_connectors"), Some(3.0));

    // A deleted connector's tasks have no state series any more.
    let response = server
        .client
        .delete(format!("{}/connectors/broken", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let text = server.metrics().await.1;
    assert!(
        !text.contains("connect_task_state{connector=\"broken\""),
        "{text}"
    );
    assert_eq!(value(&text, "connect_connectors"), Some(2.0));
    server.stop().await;
}

#[tokio::test]
async fn metrics_are_openmetrics_text() {
    let server = Server::start().await;
    let (content_type, text) = server.metrics().await;
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    // Families without series are left out until a task starts.
    for line in ["# TYPE connect_connectors gauge", "connect_connectors 0"] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in:\n{text}");
    }
    assert!(text.ends_with("# EOF\n"), "{text}");
    server.stop().await;
}
