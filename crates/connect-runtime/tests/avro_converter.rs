//! `io.confluent.connect.avro.AvroConverter` end to end on the broker, with a Confluent-protocol
//! schema registry: records in Confluent's wire format (encoded by fastavro, not by this project)
//! go through the converter into the HDFS sink, whose Parquet and Avro files pyarrow and fastavro
//! read back with the right schema; records a source writes through the converter are decoded by
//! fastavro with the schema the converter registered.

#![cfg(all(feature = "hdfs", feature = "schema-registry"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Standalone, committed_files, wait_until, write_properties};
use connect_testkit::file_readers;
use connect_testkit::kafka_python::{self, Expect, ProduceRecord};
use connect_testkit::require_broker;
use connect_testkit::schema_registry::TestRegistry;
use serde_json::{Value as Json, json};

const USER_SCHEMA: &str = r#"{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"name","type":"string"},
  {"name":"age","type":"int"},
  {"name":"email","type":["null","string"],"default":null},
  {"name":"signup","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"balance","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}}
]}"#;

/// Committed data files under `dir`, sorted by start offset.
fn committed_paths(dir: &Path) -> Vec<PathBuf> {
    committed_files(dir)
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

/// Confluent's wire format: magic byte 0, the schema id big-endian, the Avro body.
fn framed(id: u32, body: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0];
    bytes.extend_from_slice(&id.to_be_bytes());
    bytes.extend_from_slice(body);
    bytes
}

fn user(i: i64) -> Json {
    json!({
        "name": format!("user {i}"),
        "age": 20 + i,
        "email": if i % 2 == 0 { json!(format!("u{i}@example.com")) } else { Json::Null },
        "signup": 1_700_000_000_000i64 + i,
        "balance": format!("{i}.25"),
    })
}

#[tokio::test]
async fn confluent_avro_records_into_parquet_and_avro_files_with_their_schema() {
    const USERS: i64 = 40;
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    broker.create_topic("users", 1).await.unwrap();
    let registry = TestRegistry::start().await.unwrap();
    let id = registry.register("users-value", USER_SCHEMA).unwrap();
    let users: Vec<Json> = (0..USERS).map(user).collect();
    let bodies = file_readers::encode_avro(USER_SCHEMA, &users)
        .await
        .unwrap();
    let mut records: Vec<ProduceRecord> = bodies
        .iter()
        .map(|body| ProduceRecord::new(framed(id, body)))
        .collect();
    // Not Confluent's wire format: the dead letter queue takes it, the others flow on.
    records.insert(
        10,
        ProduceRecord::new(b"{\"name\":\"plain json\"}".to_vec()),
    );
    kafka_python::produce(&bootstrap, "users", &records)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let worker = write_properties(
        &dir.path().join("worker.properties"),
        &[
            ("bootstrap.servers", &bootstrap),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            ("value.converter", "io.confluent.connect.avro.AvroConverter"),
            ("value.converter.schema.registry.url", &registry.url()),
            (
                "offset.storage.file.filename",
                dir.path().join("offsets").to_str().unwrap(),
            ),
            ("listeners", "http://127.0.0.1:0"),
            ("offset.flush.interval.ms", "500"),
        ],
    );
    let sink = |name: &str, format: &str| {
        let out = dir.path().join(name);
        let file = write_properties(
            &dir.path().join(format!("{name}.properties")),
            &[
                ("name", name),
                (
                    "connector.class",
                    "io.confluent.connect.hdfs.HdfsSinkConnector",
                ),
                ("topics", "users"),
                ("hdfs.url", &format!("file://{}", out.display())),
                ("format.class", format),
                ("flush.size", "20"),
                ("errors.tolerance", "all"),
                ("errors.deadletterqueue.topic.name", &format!("{name}-dlq")),
                ("errors.deadletterqueue.topic.replication.factor", "1"),
                ("errors.deadletterqueue.context.headers.enable", "true"),
            ],
        );
        (file, out.join("topics"))
    };
    let (parquet_sink, parquet_dir) = sink("parquet-sink", "ParquetFormat");
    let (avro_sink, avro_dir) = sink("avro-sink", "AvroFormat");
    let standalone = Standalone::start(dir.path(), "worker", &worker, &[parquet_sink, avro_sink]);
    wait_until(
        "both sinks committed every user",
        Duration::from_secs(60),
        Some(&standalone),
        || committed_paths(&parquet_dir).len() == 2 && committed_paths(&avro_dir).len() == 2,
    )
    .await;
    let dlq = kafka_python::consume_all(&bootstrap, "parquet-sink-dlq", Expect::Count(1)).await;
    let dlq = dlq.unwrap_or_else(|e| panic!("{e:?}\nworker log:\n{}", standalone.log_text()));
    assert!(standalone.terminate().await.success());

    // The rows are the users, in order, as fastavro encoded them.
    let expected_row = |i: i64| {
        let mut row = user(i);
        row["balance"] = json!({"decimal": format!("{i}.25")});
        row
    };
    let parquet = file_readers::read_parquet(&committed_paths(&parquet_dir))
        .await
        .unwrap();
    let columns: Vec<(String, String, bool)> = parquet[0]
        .schema
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                f["type"].as_str().unwrap().to_owned(),
                f["nullable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("name".to_owned(), "string".to_owned(), false),
            ("age".to_owned(), "int32".to_owned(), false),
            ("email".to_owned(), "string".to_owned(), true),
            (
                "signup".to_owned(),
                "timestamp[ms, tz=UTC]".to_owned(),
                false
            ),
            ("balance".to_owned(), "decimal128(10, 2)".to_owned(), false),
        ]
    );
    let rows: Vec<Json> = parquet.iter().flat_map(|f| f.rows.clone()).collect();
    assert_eq!(rows.len(), USERS as usize);
    for (i, row) in rows.iter().enumerate() {
        let expected = expected_row(i as i64);
        assert_eq!(row["name"], expected["name"]);
        assert_eq!(row["age"], expected["age"]);
        assert_eq!(row["email"], expected["email"]);
        assert_eq!(row["balance"], expected["balance"], "row {i}");
        assert!(
            row["signup"]["timestamp"]
                .as_str()
                .unwrap()
                .starts_with("2023-11-14T22:13:20")
        );
    }
    let avro = file_readers::read_avro(&committed_paths(&avro_dir))
        .await
        .unwrap();
    let schema = &avro[0].schema;
    assert_eq!(schema["name"], "com.example.User", "{schema}");
    let field_types: Vec<&Json> = schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["type"])
        .collect();
    assert_eq!(field_types[0], "string");
    assert_eq!(field_types[1], "int");
    assert_eq!(field_types[2], &json!(["null", "string"]));
    assert_eq!(field_types[3]["logicalType"], "timestamp-millis");
    assert_eq!(field_types[4]["logicalType"], "decimal");
    assert_eq!(field_types[4]["scale"], 2);
    let rows: Vec<Json> = avro.iter().flat_map(|f| f.rows.clone()).collect();
    assert_eq!(rows.len(), USERS as usize);
    for (i, row) in rows.iter().enumerate() {
        let expected = expected_row(i as i64);
        assert_eq!(row["name"], expected["name"]);
        assert_eq!(row["email"], expected["email"]);
        assert_eq!(row["balance"], expected["balance"], "row {i}");
    }

    // The record that was not in the wire format is in the dead letter queue, as it was.
    assert_eq!(
        dlq[0].value.as_deref(),
        Some(&b"{\"name\":\"plain json\"}"[..])
    );
    let message = String::from_utf8(
        dlq[0]
            .header("__connect.errors.exception.message")
            .flatten()
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(message.contains("wire format"), "{message}");
}

#[tokio::test]
async fn a_source_writes_through_the_converter_and_fastavro_reads_it() {
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    broker.create_topic("lines", 1).await.unwrap();
    let registry = TestRegistry::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.txt");
    std::fs::write(&input, "alpha\nbeta\ngamma\n").unwrap();
    let worker = write_properties(
        &dir.path().join("worker.properties"),
        &[
            ("bootstrap.servers", &bootstrap),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            ("value.converter", "AvroConverter"),
            ("value.converter.schema.registry.url", &registry.url()),
            (
                "offset.storage.file.filename",
                dir.path().join("offsets").to_str().unwrap(),
            ),
            ("listeners", "http://127.0.0.1:0"),
        ],
    );
    let source = write_properties(
        &dir.path().join("source.properties"),
        &[
            ("name", "file-source"),
            ("connector.class", "FileStreamSource"),
            ("topic", "lines"),
            ("file", input.to_str().unwrap()),
            ("transforms", "hoist"),
            (
                "transforms.hoist.type",
                "org.apache.kafka.connect.transforms.HoistField$Value",
            ),
            ("transforms.hoist.field", "line"),
        ],
    );
    let standalone = Standalone::start(dir.path(), "worker", &worker, &[source]);
    let consumed = kafka_python::consume_all(&bootstrap, "lines", Expect::Count(3)).await;
    let consumed =
        consumed.unwrap_or_else(|e| panic!("{e:?}\nworker log:\n{}", standalone.log_text()));
    assert!(standalone.terminate().await.success());

    // TopicNameStrategy: the schema is under `lines-value`, and every record names its id.
    assert_eq!(registry.subjects(), ["lines-value"]);
    let id = registry.subject_ids("lines-value")[0];
    let schema = registry.schema(id).unwrap();
    let mut bodies = Vec::new();
    for record in &consumed {
        let value = record.value.as_deref().unwrap();
        assert_eq!(value[0], 0, "magic byte");
        assert_eq!(u32::from_be_bytes(value[1..5].try_into().unwrap()), id);
        bodies.push(value[5..].to_vec());
    }
    let decoded = file_readers::decode_avro(&schema, &bodies).await.unwrap();
    assert_eq!(
        decoded,
        [
            json!({"line": "alpha"}),
            json!({"line": "beta"}),
            json!({"line": "gamma"})
        ]
    );
}
