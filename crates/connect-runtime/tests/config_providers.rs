//! Config providers (KIP-297): a FileStream source whose `file` comes from `${file:...}` and whose
//! `topic` comes from `${env:...}` copies lines end to end, while the stored config and the task
//! configs keep the references; a provider that cannot read its file fails the connector.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::props;
use connect_runtime::Runtime;
use connect_runtime::config::WorkerConfig;

async fn runtime(dir: &std::path::Path) -> Runtime {
    let offsets = dir.join("connect.offsets");
    let worker = WorkerConfig::standalone(props(&[
        ("key.converter", "StringConverter"),
        ("value.converter", "StringConverter"),
        ("offset.storage.file.filename", offsets.to_str().unwrap()),
        ("offset.flush.interval.ms", "200"),
        ("embedded.log.dir", dir.join("log").to_str().unwrap()),
        ("config.providers", "file,env"),
        (
            "config.providers.file.class",
            "org.apache.kafka.common.config.provider.FileConfigProvider",
        ),
        (
            "config.providers.env.class",
            "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
        ),
    ]))
    .unwrap();
    Runtime::builder(worker).build().await.unwrap()
}

#[tokio::test]
async fn file_and_env_references_are_resolved_when_tasks_start() {
    // Cargo sets CARGO_PKG_NAME in the environment of the tests it runs ("connect-runtime").
    let topic = std::env::var("CARGO_PKG_NAME").expect("cargo sets CARGO_PKG_NAME");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, "one\ntwo\n").unwrap();
    let secrets = dir.path().join("secrets.properties");
    std::fs::write(
        &secrets,
        format!(
            "input.file={}\n",
            input.to_str().unwrap().replace('\\', "\\\\")
        ),
    )
    .unwrap();
    let file_ref = format!("${{file:{}:input.file}}", secrets.display());
    let runtime = runtime(dir.path()).await;
    runtime
        .create_connector(
            props(&[
                ("name", "src"),
                ("connector.class", "FileStreamSource"),
                ("file", &file_ref),
                ("topic", "${env:CARGO_PKG_NAME}"),
            ]),
            None,
        )
        .await
        .unwrap();
    runtime
        .create_connector(
            props(&[
                ("name", "sink"),
                ("connector.class", "FileStreamSink"),
                ("file", output.to_str().unwrap()),
                ("topics", &topic),
            ]),
            None,
        )
        .await
        .unwrap();
    let mut copied = String::new();
    for _ in 0..300 {
        copied = std::fs::read_to_string(&output).unwrap_or_default();
        if copied == "one\ntwo\n" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        copied,
        "one\ntwo\n",
        "{:?}",
        runtime.connector_status("src").await.unwrap()
    );
    // The stored config and the task configs keep the references.
    let info = runtime.connector_info("src").await.unwrap();
    assert_eq!(info.config["file"], file_ref);
    assert_eq!(info.config["topic"], "${env:CARGO_PKG_NAME}");
    for task in runtime.task_configs("src").await.unwrap() {
        for value in task.values() {
            assert_ne!(value, input.to_str().unwrap(), "{task:?}");
            assert_ne!(value, &topic, "{task:?}");
        }
    }
    runtime.shutdown().await;
}

#[tokio::test]
async fn a_connector_whose_secrets_file_is_unreadable_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.properties");
    let runtime = runtime(dir.path()).await;
    // As Kafka's validation resolves references before it checks values, a reference that
    // cannot be resolved refuses the connector rather than creating one that fails.
    let error = runtime
        .create_connector(
            props(&[
                ("name", "src"),
                ("connector.class", "FileStreamSource"),
                (
                    "file",
                    &format!("${{file:{}:input.file}}", missing.display()),
                ),
                ("topic", "t"),
            ]),
            None,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("missing.properties"), "{error}");
    assert!(runtime.connectors().await.is_empty());
    runtime.shutdown().await;
}
