//! Reads Parquet and Avro files with pyarrow and fastavro, readers that share no code with this
//! project, so a test sees what a downstream Spark, Hive or Python job would see; and encodes or
//! decodes bare Avro bodies with fastavro, as another producer or consumer of Confluent's wire
//! format would.
//!
//! `./scripts/test.sh` installs both ([`PYARROW_VERSION`], [`FASTAVRO_VERSION`], and cramjam for
//! fastavro's snappy codec).

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
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

/// Every file below `dir`, at any depth (none when `dir` does not exist): e.g. the temporary
/// files a sink left under `+tmp`.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for path in std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
        {
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

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

/// Encodes JSON records as Avro binary bodies with fastavro's schemaless writer, one per
/// record (top-level decimals as strings, timestamp-millis as epoch milliseconds).
pub async fn encode_avro(
    schema: &str,
    records: &[serde_json::Value],
) -> Result<Vec<Vec<u8>>, FileReaderError> {
    let input =
        serde_json::to_string(records).map_err(|e| FileReaderError::Output(e.to_string()))?;
    let out = run_python("encode-avro", "fastavro", &[schema], input).await?;
    out.lines()
        .map(|line| {
            BASE64
                .decode(line)
                .map_err(|e| FileReaderError::Output(format!("{e}: {line}")))
        })
        .collect()
}

/// Decodes Avro binary bodies with fastavro's schemaless reader against `schema`, as JSON
/// (bytes as `{"base64"}`, decimals as `{"decimal"}`, times as ISO strings).
pub async fn decode_avro(
    schema: &str,
    payloads: &[impl AsRef<[u8]>],
) -> Result<Vec<serde_json::Value>, FileReaderError> {
    let input = payloads
        .iter()
        .map(|p| BASE64.encode(p.as_ref()))
        .collect::<Vec<_>>()
        .join("\n");
    let out = run_python("decode-avro", "fastavro", &[schema], input).await?;
    out.lines()
        .map(|line| {
            serde_json::from_str(line).map_err(|e| FileReaderError::Output(format!("{e}: {line}")))
        })
        .collect()
}

/// Runs the script's `kind` command with `args`, `input` on its standard input; its standard
/// output.
async fn run_python(
    kind: &str,
    library: &'static str,
    args: &[impl AsRef<std::ffi::OsStr>],
    input: String,
) -> Result<String, FileReaderError> {
    use tokio::io::AsyncWriteExt as _;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(kind)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(FileReaderError::Spawn)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .await
            .map_err(FileReaderError::Spawn)?;
    }
    let output = child
        .wait_with_output()
        .await
        .map_err(FileReaderError::Spawn)?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.code() == Some(EXIT_MISSING) {
        return Err(FileReaderError::NotInstalled { library, stderr });
    }
    if !output.status.success() {
        let paths = args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(FileReaderError::Failed {
            library,
            paths: format!("{kind} {paths}"),
            stderr,
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

async fn read(
    kind: &str,
    library: &'static str,
    paths: &[impl AsRef<Path>],
) -> Result<Vec<ReadFile>, FileReaderError> {
    let args: Vec<&std::ffi::OsStr> = paths.iter().map(|p| p.as_ref().as_os_str()).collect();
    let out = run_python(kind, library, &args, String::new()).await?;
    out.lines()
        .map(|line| {
            serde_json::from_str(line).map_err(|e| FileReaderError::Output(format!("{e}: {line}")))
        })
        .collect()
}
