//! The REST API over real HTTP against an in-process runtime on the embedded log, and the
//! `connect-standalone` binary driven like a `curl` session.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use connect_api::config::ConfigMap;
use connect_runtime::config::WorkerConfig;
use connect_runtime::{Runtime, rest};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;

struct Server {
    base: String,
    client: Client,
    runtime: Runtime,
    dir: TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    async fn start(extra: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut worker: ConfigMap = [
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            ("offset.flush.interval.ms", "200"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        worker.insert(
            "offset.storage.file.filename".into(),
            dir.path().join("offsets").to_str().unwrap().to_owned(),
        );
        for (k, v) in extra {
            worker.insert((*k).to_owned(), (*v).to_owned());
        }
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

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, value)
    }

    async fn raw(&self, method: Method, path: &str, body: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
        )
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn wait_for(&self, path: &str, check: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..200 {
            let (_, value) = self.get(path).await;
            if check(&value) {
                return value;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting on {path}: {:?}", self.get(path).await);
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.runtime.shutdown().await;
    }
}

fn error(code: u16, message: &str) -> Value {
    json!({"error_code": code, "message": message})
}

fn source_config(server: &Server, name: &str) -> Value {
    json!({
        "connector.class": "FileStreamSource",
        "file": server.dir.path().join("in.txt").to_str().unwrap(),
        "topic": "lines",
        "name": name,
    })
}

#[tokio::test]
async fn root_health_and_unknown_paths() {
    let server = Server::start(&[]).await;
    let (status, root) = server.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(root["version"], env!("CARGO_PKG_VERSION"));
    assert!(root["commit"].is_string());
    assert_eq!(root["kafka_cluster_id"].as_str().unwrap().len(), 22);
    assert_eq!(server.get("/").await.1, root, "the cluster id is stable");
    assert_eq!(
        server.get("/health").await,
        (
            StatusCode::OK,
            json!({"status": "healthy", "message": "Worker has completed startup and is ready to handle requests."})
        )
    );
    assert_eq!(
        server.get("/nope").await,
        (StatusCode::NOT_FOUND, error(404, "HTTP 404 Not Found"))
    );
    let (status, body) = server.call(Method::DELETE, "/connectors", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body, error(405, "HTTP 405 Method Not Allowed"));
    assert_eq!(server.get("/connectors").await, (StatusCode::OK, json!([])));
    server.stop().await;
}

#[tokio::test]
async fn connector_lifecycle_and_errors() {
    let server = Server::start(&[]).await;
    std::fs::write(server.dir.path().join("in.txt"), "").unwrap();
    // Create: 201, Location, ConnectorInfo with the name injected and trimmed.
    let mut config = source_config(&server, "src");
    config.as_object_mut().unwrap().remove("name");
    let response = server
        .client
        .post(format!("{}/connectors", server.base))
        .json(&json!({"name": "  src ", "config": config}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["location"], "/connectors/src");
    let info: Value = response.json().await.unwrap();
    assert_eq!(info["name"], "src");
    assert_eq!(info["config"]["name"], "src");
    assert_eq!(info["type"], "source");
    assert_eq!(info["tasks"], json!([{"connector": "src", "task": 0}]));

    // Duplicate: 409.
    let (status, body) = server
        .call(
            Method::POST,
            "/connectors",
            Some(json!({"name": "src", "config": config})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error_code"], 409);
    assert!(body["message"].as_str().unwrap().contains("src"), "{body}");

    // Name mismatch: 400 with Kafka's message.
    let (status, body) = server
        .call(
            Method::POST,
            "/connectors",
            Some(json!({"name": "other", "config": source_config(&server, "src")})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Connector name configuration (src) doesn't match connector name in the URL (other)"
        )
    );

    // Invalid config lists its errors.
    let (status, body) = server
        .call(
            Method::POST,
            "/connectors",
            Some(json!({"name": "bad", "config": {"connector.class": "FileStreamSource"}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "Connector configuration is invalid and contains the following 1 error(s):\n"
        ),
        "{message}"
    );
    assert!(message.contains("topic"), "{message}");
    assert!(message.ends_with("You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"));

    assert_eq!(server.get("/connectors").await.1, json!(["src"]));
    let (_, expanded) = server
        .get("/connectors?expand=status&expand=info&expand=bogus")
        .await;
    assert_eq!(expanded["src"]["info"]["name"], "src");
    assert_eq!(expanded["src"]["status"]["name"], "src");
    let (_, expanded) = server.get("/connectors?expand=bogus").await;
    assert_eq!(expanded, json!({"src": {}}));

    assert_eq!(server.get("/connectors/src").await.1, info);
    assert_eq!(server.get("/connectors/src/config").await.1, info["config"]);
    let status = server
        .wait_for("/connectors/src/status", |s| {
            s["connector"]["state"] == "RUNNING" && s["tasks"][0]["state"] == "RUNNING"
        })
        .await;
    assert_eq!(status["type"], "source");
    assert_eq!(status["tasks"][0]["id"], 0);
    assert!(status["tasks"][0].get("trace").is_none());
    let (code, task) = server.get("/connectors/src/tasks/0/status").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(task["state"], "RUNNING");
    assert_eq!(
        server.get("/connectors/src/tasks/9/status").await,
        (
            StatusCode::NOT_FOUND,
            error(404, "No status found for task src-9")
        )
    );
    assert_eq!(
        server.get("/connectors/src/tasks/x/status").await.0,
        StatusCode::NOT_FOUND
    );
    let (_, tasks) = server.get("/connectors/src/tasks").await;
    assert_eq!(tasks[0]["id"], json!({"connector": "src", "task": 0}));
    assert_eq!(tasks[0]["config"]["topic"], "lines");
    let (_, tasks_config) = server.get("/connectors/src/tasks-config").await;
    assert_eq!(tasks_config["src-0"], tasks[0]["config"]);

    // Unknown connector: 404 "Connector x not found" everywhere.
    for path in [
        "/connectors/x",
        "/connectors/x/config",
        "/connectors/x/status",
        "/connectors/x/tasks",
        "/connectors/x/offsets",
    ] {
        assert_eq!(
            server.get(path).await,
            (StatusCode::NOT_FOUND, error(404, "Connector x not found")),
            "{path}"
        );
    }
    for (method, path) in [
        (Method::PUT, "/connectors/x/pause"),
        (Method::PUT, "/connectors/x/resume"),
        (Method::PUT, "/connectors/x/stop"),
        (Method::DELETE, "/connectors/x"),
        (Method::POST, "/connectors/x/restart"),
    ] {
        let (status, body) = server.call(method, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["error_code"], 404);
    }

    // Pause / resume / restart / stop.
    assert_eq!(
        server
            .call(Method::PUT, "/connectors/src/pause", None)
            .await,
        (StatusCode::ACCEPTED, Value::Null)
    );
    server
        .wait_for("/connectors/src/status", |s| {
            s["connector"]["state"] == "PAUSED"
        })
        .await;
    assert_eq!(
        server
            .call(Method::PUT, "/connectors/src/resume", None)
            .await,
        (StatusCode::ACCEPTED, Value::Null)
    );
    server
        .wait_for("/connectors/src/status", |s| {
            s["connector"]["state"] == "RUNNING"
        })
        .await;
    assert_eq!(
        server
            .call(Method::POST, "/connectors/src/restart", None)
            .await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    let (status, body) = server
        .call(
            Method::POST,
            "/connectors/src/restart?includeTasks=true&onlyFailed=false",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["connector"]["state"], "RESTARTING");
    assert_eq!(body["tasks"][0]["state"], "RESTARTING");
    let (status, body) = server
        .call(
            Method::POST,
            "/connectors/src/restart?includeTasks=maybe",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], 400);
    server
        .wait_for("/connectors/src/status", |s| {
            s["tasks"][0]["state"] == "RUNNING"
        })
        .await;
    assert_eq!(
        server
            .call(Method::POST, "/connectors/src/tasks/0/restart", None)
            .await,
        (StatusCode::NO_CONTENT, Value::Null)
    );

    // Offsets cannot be altered unless STOPPED.
    let (status, body) = server
        .call(
            Method::PATCH,
            "/connectors/src/offsets",
            Some(json!({"offsets": [{"partition": {"filename": "f"}, "offset": {"position": 1}}]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/src/stop' endpoint"
        )
    );
    assert_eq!(
        server
            .call(Method::PATCH, "/connectors/src/offsets", Some(json!({})))
            .await,
        (
            StatusCode::BAD_REQUEST,
            error(
                400,
                "Partitions / offsets need to be provided for an alter offsets request"
            )
        )
    );
    assert_eq!(
        server.call(Method::PUT, "/connectors/src/stop", None).await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    server
        .wait_for("/connectors/src/status", |s| {
            s["connector"]["state"] == "STOPPED"
        })
        .await;

    // PUT config: 200 on update; 201 + Location on create; PATCH removes keys with null.
    let mut updated = source_config(&server, "src");
    updated["batch.size"] = json!("10");
    let (status, body) = server
        .call(Method::PUT, "/connectors/src/config", Some(updated))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["config"]["batch.size"], "10");
    let (status, body) = server
        .call(
            Method::PATCH,
            "/connectors/src/config",
            Some(json!({"batch.size": null, "tasks.max": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["config"].get("batch.size").is_none(), "{body}");
    assert_eq!(body["config"]["tasks.max"], "1");
    assert_eq!(
        server
            .call(
                Method::PATCH,
                "/connectors/x/config",
                Some(json!({"a": "b"}))
            )
            .await,
        (StatusCode::NOT_FOUND, error(404, "Connector x not found"))
    );
    let mut second = source_config(&server, "second");
    second.as_object_mut().unwrap().remove("name");
    let response = server
        .client
        .put(format!("{}/connectors/second/config", server.base))
        .json(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["location"], "/connectors/second");
    let (status, body) = server
        .call(
            Method::PUT,
            "/connectors/third/config",
            Some(source_config(&server, "src")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "Connector name configuration (src) doesn't match connector name in the URL (third)"
    );

    // Topics.
    let (status, body) = server.get("/connectors/src/topics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["src"]["topics"].is_array(), "{body}");
    assert_eq!(
        server
            .call(Method::PUT, "/connectors/src/topics/reset", None)
            .await,
        (StatusCode::ACCEPTED, Value::Null)
    );

    // Delete.
    assert_eq!(
        server
            .call(Method::DELETE, "/connectors/second", None)
            .await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert_eq!(server.get("/connectors").await.1, json!(["src"]));
    server.stop().await;
}

#[tokio::test]
async fn bad_input_answers_json_errors() {
    let server = Server::start(&[]).await;
    for (method, path, body) in [
        (Method::POST, "/connectors", "{not json"),
        (Method::POST, "/connectors", "[1, 2]"),
        (Method::POST, "/connectors", r#"{"name": 5, "config": {}}"#),
        (
            Method::POST,
            "/connectors",
            r#"{"name": "a", "config": {"k": {"x": 1}}}"#,
        ),
        (
            Method::POST,
            "/connectors",
            r#"{"name": "a", "config": {}, "initial_state": "BUSY"}"#,
        ),
        (Method::PUT, "/connectors/a/config", "\"text\""),
        (Method::PATCH, "/connectors/a/offsets", "{\"offsets\": 3}"),
        (
            Method::PUT,
            "/connector-plugins/FileStreamSource/config/validate",
            "{",
        ),
    ] {
        let (status, value) = server.raw(method.clone(), path, body).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{method} {path} {body}: {value}"
        );
        assert_eq!(value["error_code"], 400, "{value}");
        assert!(value["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (status, value) = server
        .get("/connector-plugins?connectorsOnly=perhaps")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(value["error_code"], 400);
    // Oversized body: 413 in the JSON shape.
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let (status, value) = server.raw(Method::POST, "/connectors", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(value["error_code"], 413);
    server.stop().await;
}

#[tokio::test]
async fn connector_plugins_and_validation() {
    let server = Server::start(&[]).await;
    let (status, plugins) = server.get("/connector-plugins").await;
    assert_eq!(status, StatusCode::OK);
    let plugins = plugins.as_array().unwrap();
    assert!(
        plugins
            .iter()
            .all(|p| p["type"] == "source" || p["type"] == "sink")
    );
    assert!(plugins.iter().any(|p| p["class"]
        == "org.apache.kafka.connect.file.FileStreamSinkConnector"
        && p["type"] == "sink"));
    let (_, all) = server.get("/connector-plugins?connectorsOnly=false").await;
    let kinds: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    for kind in [
        "source",
        "sink",
        "transformation",
        "predicate",
        "converter",
        "header_converter",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing: {kinds:?}");
    }

    let (status, keys) = server
        .get("/connector-plugins/FileStreamSource/config")
        .await;
    assert_eq!(status, StatusCode::OK);
    let topic = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "topic")
        .unwrap();
    assert_eq!(topic["type"], "STRING");
    assert_eq!(topic["required"], true);
    assert_eq!(topic["default_value"], Value::Null);
    let batch = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "batch.size")
        .unwrap();
    assert_eq!(batch["type"], "INT");
    assert_eq!(batch["default_value"], "2000");
    assert_eq!(batch["required"], false);
    assert_eq!(
        server.get("/connector-plugins/Nope/config").await,
        (StatusCode::NOT_FOUND, error(404, "Unknown plugin Nope."))
    );
    let (status, _) = server.get("/connector-plugins/RegexRouter/config").await;
    assert_eq!(status, StatusCode::OK);

    // Validation: 200 with errors counted.
    let (status, infos) = server
        .call(
            Method::PUT,
            "/connector-plugins/FileStreamSourceConnector/config/validate",
            Some(json!({"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "name": "v", "tasks.max": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        infos["name"],
        "org.apache.kafka.connect.file.FileStreamSourceConnector"
    );
    assert_eq!(infos["error_count"], 3, "{infos}");
    assert!(
        infos["groups"]
            .as_array()
            .unwrap()
            .contains(&json!("Common"))
    );
    let tasks_max = infos["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["definition"]["name"] == "tasks.max")
        .unwrap();
    assert_eq!(tasks_max["definition"]["type"], "INT");
    assert_eq!(tasks_max["definition"]["default_value"], "1");
    assert_eq!(tasks_max["value"]["name"], "tasks.max");
    assert_eq!(
        tasks_max["value"]["errors"][0],
        "Invalid value x for configuration tasks.max: Not a number of type INT"
    );
    let (status, body) = server
        .call(
            Method::PUT,
            "/connector-plugins/FileStreamSink/config/validate",
            Some(json!({"connector.class": "FileStreamSource"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        error(
            400,
            "Included connector type FileStreamSource does not match request type FileStreamSink"
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn topic_tracking_can_be_disabled() {
    let server = Server::start(&[("topic.tracking.allow.reset", "false")]).await;
    std::fs::write(server.dir.path().join("in.txt"), "").unwrap();
    server
        .call(
            Method::POST,
            "/connectors",
            Some(json!({"name": "src", "config": source_config(&server, "src")})),
        )
        .await;
    assert_eq!(
        server
            .call(Method::PUT, "/connectors/src/topics/reset", None)
            .await,
        (
            StatusCode::FORBIDDEN,
            error(403, "Topic tracking reset is disabled.")
        )
    );
    server.stop().await;
    let server = Server::start(&[("topic.tracking.enable", "false")]).await;
    assert_eq!(
        server.get("/connectors/src/topics").await,
        (
            StatusCode::FORBIDDEN,
            error(403, "Topic tracking is disabled.")
        )
    );
    assert_eq!(
        server
            .call(Method::PUT, "/connectors/src/topics/reset", None)
            .await,
        (
            StatusCode::FORBIDDEN,
            error(403, "Topic tracking is disabled.")
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn file_stream_connectors_copy_lines_and_offsets_can_be_altered() {
    let server = Server::start(&[]).await;
    let input = server.dir.path().join("in.txt");
    let output = server.dir.path().join("out.txt");
    std::fs::write(&input, "one\ntwo\nthree\n").unwrap();
    let (status, _) = server
        .call(
            Method::POST,
            "/connectors",
            Some(json!({"name": "src", "config": source_config(&server, "src")})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = server
        .call(
            Method::POST,
            "/connectors",
            Some(json!({"name": "sink", "config": {
                "connector.class": "FileStreamSink",
                "file": output.to_str().unwrap(),
                "topics": "lines",
            }})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for _ in 0..200 {
        if std::fs::read_to_string(&output).unwrap_or_default() == "one\ntwo\nthree\n" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "one\ntwo\nthree\n"
    );
    let file = input.to_str().unwrap();
    let offsets = server
        .wait_for("/connectors/src/offsets", |o| {
            o["offsets"][0]["offset"]["position"] == 14
        })
        .await;
    assert_eq!(
        offsets,
        json!({"offsets": [{"partition": {"filename": file}, "offset": {"position": 14}}]})
    );
    assert_eq!(
        server
            .call(Method::PUT, "/connectors/src/stop", None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    server
        .wait_for("/connectors/src/status", |s| {
            s["connector"]["state"] == "STOPPED"
        })
        .await;
    let (status, body) = server
        .call(
            Method::PATCH,
            "/connectors/src/offsets",
            Some(
                json!({"offsets": [{"partition": {"filename": file}, "offset": {"position": 4}}]}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"message": "The offsets for this connector have been altered successfully"})
    );
    assert_eq!(
        server.get("/connectors/src/offsets").await.1,
        json!({"offsets": [{"partition": {"filename": file}, "offset": {"position": 4}}]})
    );
    let (status, body) = server
        .call(Method::DELETE, "/connectors/src/offsets", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"message": "The offsets for this connector have been reset successfully"})
    );
    assert_eq!(
        server.get("/connectors/src/offsets").await.1,
        json!({"offsets": []})
    );
    server.stop().await;
}

#[tokio::test]
async fn the_standalone_binary_serves_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let worker = dir.path().join("worker.properties");
    std::fs::write(
        &worker,
        format!(
            "listeners=http://127.0.0.1:{port}\nkey.converter=org.apache.kafka.connect.storage.StringConverter\nvalue.converter=org.apache.kafka.connect.storage.StringConverter\noffset.storage.file.filename={}\n",
            dir.path().join("offsets").display()
        ),
    )
    .unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "hello\n").unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_connect-standalone"))
        .arg(&worker)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = Client::new();
    let mut up = false;
    for _ in 0..200 {
        if client.get(format!("{base}/")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the REST server did not come up");
    let response = client
        .post(format!("{base}/connectors"))
        .json(&json!({"name": "local-file-source", "config": {
            "connector.class": "FileStreamSource", "tasks.max": "1",
            "file": input.to_str().unwrap(), "topic": "connect-test"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let status_of = || async {
        client
            .get(format!("{base}/connectors/local-file-source/status"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let mut state = Value::Null;
    for _ in 0..200 {
        state = status_of().await;
        if state["connector"]["state"] == "RUNNING" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state["connector"]["state"], "RUNNING");
    assert!(state["connector"]["worker_id"].is_string(), "{state}");
    let put = |path: &'static str| {
        let client = client.clone();
        let base = base.clone();
        async move {
            client
                .put(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        put("/connectors/local-file-source/pause").await,
        StatusCode::ACCEPTED
    );
    for _ in 0..200 {
        if status_of().await["connector"]["state"] == "PAUSED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status_of().await["connector"]["state"], "PAUSED");
    assert_eq!(
        put("/connectors/local-file-source/resume").await,
        StatusCode::ACCEPTED
    );
    let deleted = client
        .delete(format!("{base}/connectors/local-file-source"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let list: Value = client
        .get(format!("{base}/connectors"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));
    // SIGTERM: the server stops and the process exits cleanly.
    let pid = child.id().unwrap();
    std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .unwrap();
    let exit = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "{exit:?}");
}
