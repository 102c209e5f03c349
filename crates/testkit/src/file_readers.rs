//! Reads Parquet and Avro files with pyarrow and fastavro, readers that share no code with this
//! project, so a test sees what a downstream Spark, Hive or Python job would see.
//!
//! `./scripts/test.sh` installs both ([`PYARROW_VERSION`], [`FASTAVRO_VERSION`], and cramjam for
//! fastavro's snappy codec).

use std::path::Path;

use serde::Deserialize;
use tokio::process::Command;

/// The pyarrow release `./scripts/test.sh` installs.
pub const PYARROW_VERSION: &str = "26.0.1";
/// The fastavro release `./scripts/test.sh` installs.
pub const FASTAVRO_VERSION: &str = "1.13.1";

/// The reader script, run with `python3 -c`.
const SCRIPT: &str = include_str!("../python/read_files.py");

/// Exit status of the script when the reader library cannot be imported.
const EXIT_MISSING: i32 = 4;

/// A file as the independent reader saw it.
#[derive(Debug, Clone, Deserialize)]
pub struct ReadFile {
    /// The path read.
    pub path: String,
    /// Parquet: `[{name, type, nullable}]` as pyarrow names them; Avro: the writer schema.
    pub schema: serde_json::Value,
    /// Every row, bytes as `{"base64"}`, decimals as `{"decimal"}`, times as ISO strings.
    pub rows: Vec<serde_json::Value>,
    /// Parquet: row group count, codec and key/value metadata; Avro: the codec.
    pub metadata: serde_json::Value,
}

/// A failed read.
#[derive(Debug, thiserror::Error)]
pub enum FileReaderError {
    /// `python3` could not be run.
    #[error("could not run python3 to read data files: {0}")]
    Spawn(#[source] std::io::Error),
    /// The reader library is missing.
    #[error(
        "{library} is not importable by python3: run ./scripts/test.sh (installs it) or `python3 -m pip install {library}`\n{stderr}"
    )]
    NotInstalled {
        /// `pyarrow` or `fastavro`.
        library: &'static str,
        /// What Python printed.
        stderr: String,
    },
    /// The reader failed (a corrupt file, for example); `stderr` has Python's traceback.
    #[error("reading {paths} with {library} failed:\n{stderr}")]
    Failed {
        /// `pyarrow` or `fastavro`.
        library: &'static str,
        /// The files.
        paths: String,
        /// What Python printed.
        stderr: String,
    },
    /// The script printed something unexpected.
    #[error("unexpected output from the file reader: {0}")]
    Output(String),
}

/// Reads Parquet files with pyarrow.
pub async fn read_parquet(paths: &[impl AsRef<Path>]) -> Result<Vec<ReadFile>, FileReaderError> {
    read("parquet", "pyarrow", paths).await
}

/// Reads Avro container files with fastavro.
pub async fn read_avro(paths: &[impl AsRef<Path>]) -> Result<Vec<ReadFile>, FileReaderError> {
    read("avro", "fastavro", paths).await
}

async fn read(
    kind: &str,
    library: &'static str,
    paths: &[impl AsRef<Path>],
) -> Result<Vec<ReadFile>, FileReaderError> {
    let output = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(kind)
        .args(paths.iter().map(|p| p.as_ref().as_os_str()))
        .output()
        .await
        .map_err(FileReaderError::Spawn)?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.code() == Some(EXIT_MISSING) {
        return Err(FileReaderError::NotInstalled { library, stderr });
    }
    if !output.status.success() {
        let paths = paths
            .iter()
            .map(|p| p.as_ref().display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(FileReaderError::Failed {
            library,
            paths,
            stderr,
        });
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            serde_json::from_str(line).map_err(|e| FileReaderError::Output(format!("{e}: {line}")))
        })
        .collect()
}
