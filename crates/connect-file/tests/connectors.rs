//! The connectors: configuration, validation, task configurations, exactly-once support and
//! offset alteration, with Kafka's messages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use common::props;
use connect_api::config::{ConfigMap, ConfigType};
use connect_api::connector::{
    Connector, ConnectorTransactionBoundaries, ExactlyOnceSupport, SinkConnector, SourceConnector,
};
use connect_api::record::{OffsetMap, TopicPartition};
use connect_file::{
    FileStreamSinkConnector, FileStreamSinkTask, FileStreamSourceConnector, FileStreamSourceTask,
};
use serde_json::json;

fn errors(connector: &dyn Connector, config: &ConfigMap) -> Vec<String> {
    connector
        .validate(config)
        .into_iter()
        .flat_map(|info| info.errors)
        .collect()
}

fn map(value: serde_json::Value) -> OffsetMap {
    value.as_object().unwrap().clone()
}

#[test]
fn class_names_and_versions() {
    assert_eq!(
        FileStreamSourceConnector::CLASS,
        "org.apache.kafka.connect.file.FileStreamSourceConnector"
    );
    assert_eq!(
        FileStreamSinkConnector::CLASS,
        "org.apache.kafka.connect.file.FileStreamSinkConnector"
    );
    assert_eq!(
        FileStreamSourceTask::CLASS,
        "org.apache.kafka.connect.file.FileStreamSourceTask"
    );
    assert_eq!(
        FileStreamSinkTask::CLASS,
        "org.apache.kafka.connect.file.FileStreamSinkTask"
    );
    assert_eq!(
        FileStreamSourceConnector::new().version(),
        connect_api::VERSION
    );
    assert_eq!(
        FileStreamSinkConnector::new().version(),
        connect_api::VERSION
    );
    assert_eq!(
        FileStreamSourceConnector::new().create_task().version(),
        connect_api::VERSION
    );
    assert_eq!(
        FileStreamSinkConnector::new().create_task().version(),
        connect_api::VERSION
    );
}

#[test]
fn config_definitions_match_kafka() {
    let source = FileStreamSourceConnector::new().config();
    assert_eq!(
        source.names().collect::<Vec<_>>(),
        ["file", "topic", "batch.size"]
    );
    let file = source.key("file").unwrap();
    assert_eq!(file.type_(), ConfigType::String);
    assert!(!file.is_required());
    assert_eq!(
        file.documentation(),
        Some("Source filename. If not specified, the standard input will be used")
    );
    assert!(source.key("topic").unwrap().is_required());
    assert_eq!(source.key("batch.size").unwrap().type_(), ConfigType::Int);

    let sink = FileStreamSinkConnector::new().config();
    assert_eq!(sink.names().collect::<Vec<_>>(), ["file"]);
    assert_eq!(
        sink.key("file").unwrap().documentation(),
        Some("Destination filename. If not specified, the standard output will be used")
    );
}

#[test]
fn source_validation_messages() {
    let connector = FileStreamSourceConnector::new();
    assert!(errors(&connector, &props(&[("topic", "t")])).is_empty());
    assert!(
        errors(
            &connector,
            &props(&[("topic", "t"), ("file", "/f"), ("batch.size", "1")])
        )
        .is_empty()
    );
    assert_eq!(
        errors(&connector, &props(&[("file", "/f")])),
        ["Missing required configuration \"topic\" which has no default value."]
    );
    assert_eq!(
        errors(&connector, &props(&[("topic", "")])),
        ["Invalid value  for configuration topic: String must be non-empty"]
    );
    assert_eq!(
        errors(&connector, &props(&[("topic", "t"), ("batch.size", "0")])),
        ["Invalid value 0 for configuration batch.size: Value must be at least 1"]
    );
    assert_eq!(
        errors(&connector, &props(&[("topic", "t"), ("batch.size", "x")])),
        [
            "Invalid value x for configuration batch.size: Not a number of type INT",
            // Kafka's validate also runs the validator on the unparsable (null) value.
            "Invalid value null for configuration batch.size: Value must be non-null",
        ]
    );
    assert!(errors(&FileStreamSinkConnector::new(), &props(&[("topics", "t")])).is_empty());
}

#[tokio::test]
async fn start_fails_on_an_invalid_configuration() {
    let mut connector = FileStreamSourceConnector::new();
    let err = connector.start(&props(&[("topic", "")])).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid value  for configuration topic: String must be non-empty"
    );
}

#[tokio::test]
async fn the_source_has_exactly_one_task_config() {
    let config = props(&[("file", "/in.txt"), ("topic", "t"), ("tasks.max", "5")]);
    let mut connector = FileStreamSourceConnector::new();
    connector.start(&config).await.unwrap();
    for max_tasks in [1, 2, 5] {
        assert_eq!(
            connector.task_configs(max_tasks).unwrap(),
            vec![config.clone()]
        );
    }
    connector.stop().await.unwrap();
}

#[tokio::test]
async fn the_sink_has_max_tasks_identical_task_configs() {
    let config = props(&[("file", "/out.txt"), ("topics", "a,b")]);
    let mut connector = FileStreamSinkConnector::new();
    connector.start(&config).await.unwrap();
    assert_eq!(connector.task_configs(1).unwrap(), vec![config.clone()]);
    assert_eq!(connector.task_configs(3).unwrap(), vec![config.clone(); 3]);
    assert!(connector.task_configs(0).unwrap().is_empty());
    connector.stop().await.unwrap();
}

#[test]
fn exactly_once_is_supported_for_files_only() {
    let connector = FileStreamSourceConnector::new();
    let support = |pairs: &[(&str, &str)]| connector.exactly_once_support(&props(pairs));
    assert_eq!(
        support(&[("topic", "t"), ("file", "/in.txt")]),
        Some(ExactlyOnceSupport::Supported)
    );
    assert_eq!(
        support(&[("topic", "t")]),
        Some(ExactlyOnceSupport::Unsupported)
    );
    assert_eq!(
        support(&[("topic", "t"), ("file", "")]),
        Some(ExactlyOnceSupport::Unsupported)
    );
    assert_eq!(
        support(&[("topic", "t"), ("file", "  ")]),
        Some(ExactlyOnceSupport::Unsupported)
    );
    assert_eq!(
        connector.can_define_transaction_boundaries(&props(&[("file", "/in.txt")])),
        ConnectorTransactionBoundaries::Unsupported
    );
}

#[tokio::test]
async fn source_offsets_can_be_altered_when_valid() {
    let connector = FileStreamSourceConnector::new();
    let config = props(&[("file", "/in.txt"), ("topic", "t")]);
    let offsets = [
        (
            map(json!({"filename": "/in.txt"})),
            Some(map(json!({"position": 0}))),
        ),
        (
            map(json!({"filename": "/old.txt"})),
            Some(map(json!({"position": 1234567890123i64}))),
        ),
        // Resets are allowed for anything, even partitions without a filename.
        (map(json!({"garbage": 1})), None),
    ];
    assert!(connector.alter_offsets(&config, &offsets).await.unwrap());
    assert!(connector.alter_offsets(&config, &[]).await.unwrap());
}

#[tokio::test]
async fn source_offsets_are_rejected_with_kafkas_messages() {
    let connector = FileStreamSourceConnector::new();
    let config = props(&[("file", "/in.txt"), ("topic", "t")]);
    let reject = |partition: serde_json::Value, offset: serde_json::Value| {
        let connector = &connector;
        let config = &config;
        async move {
            connector
                .alter_offsets(config, &[(map(partition), Some(map(offset)))])
                .await
                .unwrap_err()
                .to_string()
        }
    };
    let file = json!({"filename": "/in.txt"});
    assert_eq!(
        reject(file.clone(), json!({"offset": 5})).await,
        "Offset objects should either be null or contain the key 'position'"
    );
    for position in [json!("5"), json!(5.0), json!(null), json!(u64::MAX)] {
        assert_eq!(
            reject(file.clone(), json!({"position": position})).await,
            "The value for the 'position' key in the offset is expected to be a Long value"
        );
    }
    assert_eq!(
        reject(file.clone(), json!({"position": -1})).await,
        "The value for the 'position' key in the offset should be a non-negative value"
    );
    assert_eq!(
        reject(json!({"file": "/in.txt"}), json!({"position": 5})).await,
        "Partition objects should contain the key 'filename'"
    );
    // The offset is checked before the partition, as in Kafka.
    assert_eq!(
        reject(json!({}), json!({"position": -5})).await,
        "The value for the 'position' key in the offset should be a non-negative value"
    );

    for stdin in [
        props(&[("topic", "t")]),
        props(&[("topic", "t"), ("file", "")]),
    ] {
        let err = connector
            .alter_offsets(&stdin, &[(map(file.clone()), None)])
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Offsets cannot be modified if the 'file' configuration is unspecified. \
             This is because stdin is used for input and offsets are not tracked."
        );
    }
}

#[tokio::test]
async fn sink_offsets_can_always_be_altered() {
    let connector = FileStreamSinkConnector::new();
    let offsets = HashMap::from([
        (TopicPartition::new("a", 0), Some(5)),
        (TopicPartition::new("a", 1), None),
    ]);
    assert!(
        connector
            .alter_offsets(&props(&[]), &offsets)
            .await
            .unwrap()
    );
}
