//! The README's main job, run as a user runs it: the quickstart copies `test.txt` into
//! `test.sink.txt` on the embedded log, and a second run on the same directory resumes from the
//! stored offset.

#![allow(clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Command;

fn run(binary: &Path, dir: &Path) -> String {
    let output = Command::new(binary)
        .arg(dir)
        .output()
        .expect("starting the file_pipeline example");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "file_pipeline failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn copies_the_file_and_resumes_on_the_next_run() {
    let binary = support::example_binary("file_pipeline");
    let dir = tempfile::tempdir().expect("temp dir");

    let first = run(&binary, dir.path());
    let sink = std::fs::read_to_string(dir.path().join("test.sink.txt")).expect("sink file");
    assert_eq!(sink, "foo 0\nbar 0\n");
    assert!(
        first.contains(r#"source offset of {"filename":"#),
        "the stored source offset is printed:\n{first}"
    );

    // The second run appends two lines; the source resumes after the first two, so the sink
    // holds each line once.
    run(&binary, dir.path());
    let sink = std::fs::read_to_string(dir.path().join("test.sink.txt")).expect("sink file");
    assert_eq!(sink, "foo 0\nbar 0\nfoo 1\nbar 1\n");
}
