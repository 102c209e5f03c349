//! Kafka Connect's quickstart inside a Rust program, with no broker: a FileStreamSource copies
//! `test.txt` into the topic `connect-test` of the embedded log, and a FileStreamSink copies the
//! topic into `test.sink.txt`.
//!
//! `cargo run -p connect-examples --example file_pipeline [DIR]` (a temporary directory when
//! DIR is not given). Run it twice with the same DIR: the source resumes from its stored offset,
//! so only new lines are copied.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use connect_examples::{props, state_dir};
use connect_runtime::Runtime;
use connect_runtime::config::WorkerConfig;
use connect_runtime::offsets::{FileOffsetStore, OffsetStore};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = state_dir(std::env::args().nth(1).map(Into::into), "quickstart")?;
    let (input, output, offsets) = (
        dir.join("test.txt"),
        dir.join("test.sink.txt"),
        dir.join("connect.offsets"),
    );
    let run = std::fs::read_to_string(&input).map_or(0, |text| text.lines().count()) / 2;
    std::fs::write(
        &input,
        format!(
            "{}foo {run}\nbar {run}\n",
            std::fs::read_to_string(&input).unwrap_or_default()
        ),
    )?;

    // The worker: no bootstrap.servers, so records go through the embedded log in `dir`.
    let worker = WorkerConfig::standalone(props(&[
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "offset.storage.file.filename",
            offsets.to_str().context("path")?,
        ),
        ("offset.flush.interval.ms", "1000"),
    ]))?;
    let runtime = Runtime::builder(worker).build().await?;
    runtime
        .create_connector(
            props(&[
                ("name", "local-file-source"),
                ("connector.class", "FileStreamSource"),
                ("file", input.to_str().context("path")?),
                ("topic", "connect-test"),
            ]),
            None,
        )
        .await?;
    runtime
        .create_connector(
            props(&[
                ("name", "local-file-sink"),
                ("connector.class", "FileStreamSink"),
                ("file", output.to_str().context("path")?),
                ("topics", "connect-test"),
            ]),
            None,
        )
        .await?;

    // Wait until the sink caught up with the source file, then stop: offsets are committed.
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read(&output).ok() != std::fs::read(&input).ok() {
        if Instant::now() > deadline {
            bail!(
                "the sink did not catch up; status: {:?}",
                runtime.connector_status("local-file-sink").await?
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for name in runtime.connectors().await {
        let status = runtime.connector_status(&name).await?;
        println!(
            "{name}: {:?}, tasks {:?}",
            status.connector.state,
            status.tasks.iter().map(|t| t.state).collect::<Vec<_>>()
        );
    }
    runtime.shutdown().await;
    println!(
        "{} now holds:\n{}",
        output.display(),
        std::fs::read_to_string(&output)?
    );
    // The offset file is in Apache Kafka Connect's format: either can resume from the other's.
    let store = FileOffsetStore::open(&offsets).await?;
    for (partition, offset) in store.connector_offsets("local-file-source").await? {
        println!(
            "source offset of {}: {}",
            serde_json::Value::from(partition),
            serde_json::Value::from(offset)
        );
    }
    Ok(())
}
