//! The records_to_json example checks its own round trip; it runs as a user runs it.

#![allow(clippy::expect_used)]

mod support;

use std::process::Command;

#[test]
fn writes_and_reads_back_the_records() {
    let output = Command::new(support::example_binary("records_to_json"))
        .output()
        .expect("starting the records_to_json example");
    assert!(
        output.status.success(),
        "records_to_json failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(r#""payload""#),
        "the JSON envelope is printed"
    );
}
