//! Runs the examples as a user would: built by cargo, started as processes.

#![allow(dead_code, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

/// Builds the example `name` (a no-op when it is up to date) and returns its executable.
///
/// # Panics
///
/// When cargo cannot build it: the test fails with cargo's output.
pub fn example_binary(name: &str) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "-p",
            "connect-examples",
            "--example",
            name,
            "--message-format=json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("running cargo to build example {name}: {e}"));
    assert!(
        output.status.success(),
        "cargo could not build example {name}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == name)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo built example {name} but named no executable"))
}
