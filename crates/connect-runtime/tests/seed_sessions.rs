//! The curl sessions of the operator guides, run by `tests/scripts/seed_sessions.sh` against a
//! live `connect-standalone` on the broker, checking every answer: the HDFS sink of the guides is
//! created from its JSON file, read, updated, restarted and deleted.

#![cfg(feature = "hdfs")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Standalone, lines, wait_until, write_properties};
use connect_testkit::require_broker;

#[tokio::test]
async fn the_seed_curl_sessions_get_the_answers_they_expect() {
    let broker = require_broker!();
    // One partition, as the guides' single-broker setup has: the script looks for partition 0.
    broker.create_topic("connect-test", 1).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (input, hdfs) = (dir.path().join("test.txt"), dir.path().join("hdfs"));
    std::fs::write(&input, "foo\nbar\n").unwrap();
    let worker = write_properties(
        &dir.path().join("worker.properties"),
        &[
            ("key.converter", "StringConverter"),
            ("value.converter", "StringConverter"),
            (
                "offset.storage.file.filename",
                dir.path().join("offsets").to_str().unwrap(),
            ),
            ("listeners", &url),
            ("bootstrap.servers", &broker.bootstrap()),
        ],
    );
    let source = write_properties(
        &dir.path().join("source.properties"),
        &[
            ("name", "local-file-source"),
            ("connector.class", "FileStreamSource"),
            ("topic", "connect-test"),
            ("file", input.to_str().unwrap()),
        ],
    );
    let standalone = Standalone::start(dir.path(), "worker", &worker, &[source]);
    wait_until(
        "the REST API answers",
        Duration::from_secs(30),
        Some(&standalone),
        || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
    )
    .await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/seed_sessions.sh"
    );
    let out = tokio::process::Command::new("bash")
        .arg(script)
        .env("CONNECT_URL", &url)
        .env("HDFS_DIR", &hdfs)
        .env("SOURCE_TOPIC", "connect-test")
        .output()
        .await
        .unwrap();
    let log = standalone.log_text();
    assert!(
        out.status.success(),
        "the script failed:\n{}\n{}\nworker log:\n{log}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The sink the script created committed both lines, one file each (flush.size=1), before
    // it was deleted.
    let partition = hdfs.join("topics/connect-test/partition=0");
    assert_eq!(
        lines(&partition.join("connect-test+0+0000000000+0000000000.txt")),
        ["foo"]
    );
    assert_eq!(
        lines(&partition.join("connect-test+0+0000000001+0000000001.txt")),
        ["bar"]
    );
    assert!(standalone.terminate().await.success());
}
