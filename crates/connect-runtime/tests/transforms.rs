//! A transformation chain with a predicate, run by the runtime on the broker and checked with
//! kafka-python: FileStreamSource → HoistField → InsertField → Filter (negated TopicNameMatches)
//! → JsonConverter without schemas.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{eventually, props};
use connect_runtime::Runtime;
use connect_runtime::config::WorkerConfig;
use connect_testkit::kafka_python::{self, Expect};
use connect_testkit::require_broker;

fn chain(name: &str, topic: &str, file: &str) -> connect_api::config::ConfigMap {
    props(&[
        ("name", name),
        ("connector.class", "FileStreamSource"),
        ("topic", topic),
        ("file", file),
        ("transforms", "hoist,insert,keepLines"),
        (
            "transforms.hoist.type",
            "org.apache.kafka.connect.transforms.HoistField$Value",
        ),
        ("transforms.hoist.field", "line"),
        ("transforms.insert.type", "InsertField$Value"),
        ("transforms.insert.topic.field", "topic"),
        ("transforms.insert.static.field", "origin"),
        ("transforms.insert.static.value", "file"),
        ("transforms.keepLines.type", "Filter"),
        ("transforms.keepLines.predicate", "isLines"),
        ("transforms.keepLines.negate", "true"),
        ("predicates", "isLines"),
        (
            "predicates.isLines.type",
            "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        ),
        ("predicates.isLines.pattern", "lines"),
    ])
}

#[tokio::test]
async fn a_chain_with_a_predicate_shapes_what_lands_in_the_topic() {
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    let dir = tempfile::tempdir().unwrap();
    let worker = WorkerConfig::standalone(props(&[
        ("bootstrap.servers", &bootstrap),
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("key.converter.schemas.enable", "false"),
        ("value.converter.schemas.enable", "false"),
        (
            "offset.storage.file.filename",
            dir.path().join("offsets").to_str().unwrap(),
        ),
        ("offset.flush.interval.ms", "200"),
    ]))
    .unwrap();
    let runtime = Runtime::builder(worker).build().await.unwrap();
    broker.create_topic("lines", 1).await.unwrap();
    let (kept, dropped) = (dir.path().join("kept.txt"), dir.path().join("dropped.txt"));
    std::fs::write(&kept, "foo\nbar\n").unwrap();
    std::fs::write(&dropped, "x\ny\nz\n").unwrap();
    runtime
        .create_connector(chain("kept", "lines", kept.to_str().unwrap()), None)
        .await
        .unwrap();
    runtime
        .create_connector(chain("dropped", "other", dropped.to_str().unwrap()), None)
        .await
        .unwrap();

    let records = kafka_python::consume_all(&bootstrap, "lines", Expect::Count(2))
        .await
        .unwrap();
    let values: Vec<serde_json::Value> = records
        .iter()
        .map(|r| serde_json::from_slice(r.value.as_deref().unwrap()).unwrap())
        .collect();
    assert_eq!(
        values,
        [
            serde_json::json!({"line": "foo", "topic": "lines", "origin": "file"}),
            serde_json::json!({"line": "bar", "topic": "lines", "origin": "file"}),
        ]
    );
    // The other connector's records were all filtered out, and its offsets still moved on.
    eventually(
        "the filtered source commits its offset",
        Duration::from_secs(20),
        || async {
            let offsets = runtime.connector_offsets("dropped").await.unwrap();
            if offsets.first().is_some_and(|(_, o)| o["position"] == 6) {
                Ok(())
            } else {
                Err(offsets)
            }
        },
    )
    .await;
    let topics = runtime.log().list_topics().await.unwrap();
    assert!(
        !topics.contains_key("other"),
        "nothing was written to 'other': {topics:?}"
    );
    runtime.shutdown().await;
}

#[tokio::test]
async fn transform_config_errors_are_all_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let worker = WorkerConfig::standalone(props(&[
        ("key.converter", "StringConverter"),
        ("value.converter", "StringConverter"),
        (
            "offset.storage.file.filename",
            dir.path().join("offsets").to_str().unwrap(),
        ),
    ]))
    .unwrap();
    let runtime = Runtime::builder(worker).build().await.unwrap();
    let mut config = props(&[
        ("name", "bad"),
        ("connector.class", "FileStreamSink"),
        ("topics", "t"),
        ("transforms", "hoist,route,nope"),
        ("transforms.hoist.type", "HoistField$Value"),
        ("transforms.route.type", "RegexRouter"),
        ("transforms.route.regex", "(unclosed"),
        ("transforms.nope.type", "com.example.NoSuchTransform"),
    ]);
    let (_, infos) = runtime.validate_connector_config(&config).await.unwrap();
    let errors: Vec<String> = infos
        .iter()
        .flat_map(|i| i.errors.iter().map(move |e| format!("{}: {e}", i.name)))
        .collect();
    let has = |key: &str| errors.iter().any(|e| e.starts_with(key));
    assert!(has("transforms.hoist.field"), "{errors:#?}");
    assert!(has("transforms.route.replacement"), "{errors:#?}");
    assert!(has("transforms.route.regex"), "{errors:#?}");
    assert!(has("transforms.nope.type"), "{errors:#?}");
    let err = runtime
        .create_connector(config.clone(), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("transforms.nope.type") && err.contains("transforms.hoist.field"),
        "{err}"
    );
    config.insert("transforms".into(), "hoist".into());
    config.insert("transforms.hoist.field".into(), "line".into());
    runtime.create_connector(config, None).await.unwrap();
    runtime.shutdown().await;
}
