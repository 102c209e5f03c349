//! The sink task against real files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use common::props;
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::record::{ConnectRecord, SinkRecord, TimestampType};
use connect_api::task::SinkTask;
use connect_file::FileStreamSinkTask;

fn record(offset: i64, schema: Option<Schema>, value: Value) -> SinkRecord {
    SinkRecord::new(
        ConnectRecord::new("lines", schema, value),
        0,
        offset,
        TimestampType::CreateTime,
    )
}

fn read(path: &std::path::Path) -> String {
    String::from_utf8(std::fs::read(path).unwrap()).unwrap()
}

#[tokio::test]
async fn writes_each_value_as_java_prints_it_then_a_newline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.txt");
    let mut task = FileStreamSinkTask::new();
    task.start(&props(&[
        ("file", path.to_str().unwrap()),
        ("topics", "lines"),
    ]))
    .await
    .unwrap();

    let schema = SchemaBuilder::struct_()
        .name("com.example.Pair")
        .field("a", Schema::int32())
        .field("b", Schema::optional_string())
        .build()
        .unwrap();
    let pair = Struct::new(schema.clone())
        .unwrap()
        .with("a", 1i32)
        .unwrap()
        .with("b", "x")
        .unwrap();
    let records = [
        record(0, Some(Schema::string()), "hello".into()),
        record(1, None, Value::Null),
        record(2, Some(Schema::int64()), 42i64.into()),
        record(3, Some(schema), Value::Struct(pair)),
        record(4, Some(Schema::string()), "".into()),
        record(5, Some(Schema::boolean()), true.into()),
        record(6, Some(Schema::string()), "ünïcødé".into()),
    ];
    task.put(&records[..3]).await.unwrap();
    task.put(&[]).await.unwrap();
    task.put(&records[3..]).await.unwrap();
    task.flush(&HashMap::new()).await.unwrap();
    assert_eq!(
        read(&path),
        "hello\nnull\n42\nStruct{a=1,b=x}\n\ntrue\nünïcødé\n"
    );
    task.stop().await.unwrap();
}

#[tokio::test]
async fn each_put_reaches_the_file_before_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.txt");
    let mut task = FileStreamSinkTask::new();
    task.start(&props(&[("file", path.to_str().unwrap())]))
        .await
        .unwrap();
    assert_eq!(read(&path), "", "start creates the file");
    task.put(&[record(0, None, "one".into())]).await.unwrap();
    assert_eq!(read(&path), "one\n");
    task.put(&[]).await.unwrap();
    assert_eq!(read(&path), "one\n");
    // pre_commit flushes too, and returns the offsets unchanged.
    task.put(&[record(1, None, "two".into())]).await.unwrap();
    let offsets = HashMap::from([(
        connect_api::record::TopicPartition::new("lines", 0),
        connect_api::record::OffsetAndMetadata::new(2),
    )]);
    assert_eq!(task.pre_commit(offsets.clone()).await.unwrap(), offsets);
    assert_eq!(read(&path), "one\ntwo\n");
}

#[tokio::test]
async fn appends_to_existing_contents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.txt");
    std::fs::write(&path, "existing line\n").unwrap();
    for value in ["first run", "second run"] {
        let mut task = FileStreamSinkTask::new();
        task.start(&props(&[("file", path.to_str().unwrap())]))
            .await
            .unwrap();
        task.put(&[record(0, None, value.into())]).await.unwrap();
        // stop flushes and closes.
        task.stop().await.unwrap();
    }
    assert_eq!(read(&path), "existing line\nfirst run\nsecond run\n");
}

#[tokio::test]
async fn large_volumes_are_written_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.txt");
    let mut task = FileStreamSinkTask::new();
    task.start(&props(&[("file", path.to_str().unwrap())]))
        .await
        .unwrap();
    let mut expected = String::new();
    let mut offset = 0;
    for batch in 0..60 {
        let records: Vec<SinkRecord> = (0..500)
            .map(|i| {
                offset += 1;
                let value = format!("batch {batch} record {i} {}", "z".repeat(i % 50));
                expected.push_str(&value);
                expected.push('\n');
                record(offset, None, value.into())
            })
            .collect();
        task.put(&records).await.unwrap();
    }
    task.flush(&HashMap::new()).await.unwrap();
    assert_eq!(read(&path), expected);
    assert!(expected.len() > 4 * 256 * 1024, "several buffers full");
}

#[tokio::test]
async fn a_file_that_cannot_be_created_fails_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("out.txt");
    let path = path.to_str().unwrap();
    let mut task = FileStreamSinkTask::new();
    let err = task.start(&props(&[("file", path)])).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("Couldn't find or create file '{path}' for FileStreamSinkTask")
    );
}

#[tokio::test]
async fn put_before_start_fails_and_stop_is_harmless() {
    let mut task = FileStreamSinkTask::new();
    let err = task.put(&[record(0, None, "x".into())]).await.unwrap_err();
    assert_eq!(err.to_string(), "FileStreamSinkTask has not been started");
    task.stop().await.unwrap();
}
