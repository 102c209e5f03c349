//! Checks topics with kafka-python, an independent Kafka client.
//!
//! Each function runs `python3` with the checker script that ships in this crate
//! (`python/kcheck.py`) and parses what it prints. kafka-python shares no code with this
//! project, so what it reads is what a third-party consumer would see. `./scripts/test.sh`
//! installs it ([`KAFKA_PYTHON_VERSION`]).

use std::collections::BTreeMap;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

/// The kafka-python release `./scripts/test.sh` installs.
pub const KAFKA_PYTHON_VERSION: &str = "2.3.3";

/// The checker script, run with `python3 -c`.
const SCRIPT: &str = include_str!("../python/kcheck.py");

/// How long [`Expect::Count`] waits for the records to arrive.
pub const DEFAULT_CONSUME_TIMEOUT: Duration = Duration::from_secs(30);

/// Exit status of the script when the expected records did not all arrive in time.
const EXIT_INCOMPLETE: i32 = 3;
/// Exit status of the script when `import kafka` fails.
const EXIT_MISSING: i32 = 4;
/// Extra time given to the Python process beyond its own timeouts before it is killed.
const PROCESS_SLACK: Duration = Duration::from_secs(60);

/// A record as kafka-python read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumedRecord {
    /// Partition it was read from.
    pub partition: i32,
    /// Its offset in that partition.
    pub offset: i64,
    /// Key bytes; `None` for a null key.
    pub key: Option<Vec<u8>>,
    /// Value bytes; `None` for a null value (a tombstone).
    pub value: Option<Vec<u8>>,
    /// Headers in record order; a `None` value is a null header value.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    /// Record timestamp, milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
}

impl ConsumedRecord {
    /// The value of the last header named `key`, if any (`Some(None)` for a null value).
    pub fn header(&self, key: &str) -> Option<Option<&[u8]>> {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }
}

/// When [`consume_all`] stops reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Once this many records were read, plus a 250 ms grace poll so that records beyond the
    /// expected ones are returned too. Fails if they do not arrive within
    /// [`DEFAULT_CONSUME_TIMEOUT`].
    Count(usize),
    /// Like `Count`, with its own time limit.
    CountWithin(usize, Duration),
    /// Once no new record arrived for this long (also for an empty topic). Does not rely on
    /// end offsets, which nisshi's `memory://` engine reports wrongly.
    Idle(Duration),
}

/// A record for [`produce`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProduceRecord {
    /// Target partition; `None` lets kafka-python's default partitioner choose (murmur2 of the
    /// key, like the Java client).
    pub partition: Option<i32>,
    /// Key bytes; `None` for a null key.
    #[serde(serialize_with = "ser_bytes")]
    pub key: Option<Vec<u8>>,
    /// Value bytes; `None` for a null value.
    #[serde(serialize_with = "ser_bytes")]
    pub value: Option<Vec<u8>>,
    /// Headers in order. (kafka-python cannot produce a null header value.)
    #[serde(serialize_with = "ser_headers")]
    pub headers: Vec<(String, Vec<u8>)>,
    /// Record timestamp in milliseconds since the Unix epoch; `None` for the producer's clock.
    pub timestamp_ms: Option<i64>,
}

impl ProduceRecord {
    /// A record with this value and nothing else set.
    pub fn new(value: impl Into<Vec<u8>>) -> Self {
        Self {
            value: Some(value.into()),
            ..Self::default()
        }
    }

    /// Sets the key.
    #[must_use]
    pub fn key(mut self, key: impl Into<Vec<u8>>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Appends a header.
    #[must_use]
    pub fn header(mut self, key: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((key.into(), value.into()));
        self
    }

    /// Sends the record to this partition.
    #[must_use]
    pub fn partition(mut self, partition: i32) -> Self {
        self.partition = Some(partition);
        self
    }

    /// Sets the record timestamp (milliseconds since the Unix epoch).
    #[must_use]
    pub fn timestamp_ms(mut self, timestamp_ms: i64) -> Self {
        self.timestamp_ms = Some(timestamp_ms);
        self
    }
}

/// Where [`produce`] wrote a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Produced {
    /// The partition.
    pub partition: i32,
    /// The offset the broker assigned.
    pub offset: i64,
}

/// A failed kafka-python check. Its `Debug` form is its message (with Python's stderr
/// unescaped), so `.unwrap()` in a test prints something readable.
#[derive(thiserror::Error)]
pub enum KafkaPythonError {
    /// `python3` could not be run.
    #[error("could not run python3 for the kafka-python check: {0}")]
    Spawn(#[source] std::io::Error),
    /// `import kafka` failed.
    #[error(
        "kafka-python is not importable by python3: run ./scripts/test.sh (installs it) or \
         `python3 -m pip install kafka-python=={KAFKA_PYTHON_VERSION}`\n{stderr}"
    )]
    NotInstalled {
        /// What Python printed.
        stderr: String,
    },
    /// The script failed; `stderr` has Python's traceback.
    #[error("kafka-python {command} failed ({status}):\n{stderr}")]
    Failed {
        /// `consume`, `produce`, `committed` or `commit`.
        command: &'static str,
        /// The exit status.
        status: ExitStatus,
        /// What Python printed to stderr.
        stderr: String,
    },
    /// [`consume_all`] read fewer records than expected before its time limit.
    #[error(
        "kafka-python read {} of {expected} expected records: {stderr}",
        received.len()
    )]
    Incomplete {
        /// How many were expected.
        expected: usize,
        /// What was read, sorted by partition and offset.
        received: Vec<ConsumedRecord>,
        /// What Python printed to stderr.
        stderr: String,
    },
    /// The Python process did not finish in time and was killed.
    #[error("kafka-python {command} did not finish within {waited:?}")]
    Hung {
        /// `consume`, `produce`, `committed` or `commit`.
        command: &'static str,
        /// How long it was given.
        waited: Duration,
    },
    /// The script printed something that is not what it should print.
    #[error("unexpected output from the kafka-python {command} check: {detail}")]
    Output {
        /// `consume`, `produce`, `committed` or `commit`.
        command: &'static str,
        /// What was wrong.
        detail: String,
    },
}

impl std::fmt::Debug for KafkaPythonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")?;
        if let Self::Incomplete { received, .. } = self {
            write!(f, "\nreceived: {received:#?}")?;
        }
        Ok(())
    }
}

/// Reads `topic` from the earliest offset of every partition, without a consumer group, and
/// returns the records sorted by partition and offset.
///
/// # Errors
///
/// [`KafkaPythonError::Incomplete`] (with what was read) when [`Expect::Count`] is not met in
/// time; the other variants when Python or kafka-python fail.
pub async fn consume_all(
    bootstrap: &str,
    topic: &str,
    expect: Expect,
) -> Result<Vec<ConsumedRecord>, KafkaPythonError> {
    let (expected, idle, timeout) = match expect {
        Expect::Count(n) => (Some(n), Duration::ZERO, DEFAULT_CONSUME_TIMEOUT),
        Expect::CountWithin(n, timeout) => (Some(n), Duration::ZERO, timeout),
        Expect::Idle(idle) => (None, idle, idle + DEFAULT_CONSUME_TIMEOUT),
    };
    let expected_arg = expected.map_or_else(|| "-1".to_owned(), |n| n.to_string());
    let args = [
        bootstrap.to_owned(),
        topic.to_owned(),
        expected_arg,
        idle.as_millis().to_string(),
        timeout.as_millis().to_string(),
    ];
    let out = run("consume", &args, None, timeout + PROCESS_SLACK).await?;
    let mut received = Vec::new();
    for line in out.stdout.lines().filter(|l| !l.trim().is_empty()) {
        let raw: RawConsumed =
            serde_json::from_str(line).map_err(|e| KafkaPythonError::Output {
                command: "consume",
                detail: format!("{e} in {line:?}"),
            })?;
        received.push(raw.decode()?);
    }
    received.sort_by_key(|r| (r.partition, r.offset));
    match out.status.code() {
        Some(0) => Ok(received),
        Some(EXIT_INCOMPLETE) => Err(KafkaPythonError::Incomplete {
            expected: expected.unwrap_or(0),
            received,
            stderr: out.stderr,
        }),
        _ => Err(out.failure("consume")),
    }
}

/// Produces `records` to `topic` in order (acks=all, one request in flight) and returns where
/// each landed.
///
/// # Errors
///
/// When Python or kafka-python fail; the error carries Python's stderr.
pub async fn produce(
    bootstrap: &str,
    topic: &str,
    records: &[ProduceRecord],
) -> Result<Vec<Produced>, KafkaPythonError> {
    let input = serde_json::to_vec(records).map_err(|e| KafkaPythonError::Output {
        command: "produce",
        detail: format!("could not encode the records: {e}"),
    })?;
    let args = [bootstrap.to_owned(), topic.to_owned()];
    let out = run("produce", &args, Some(input), Duration::from_secs(120)).await?;
    if out.status.code() != Some(0) {
        return Err(out.failure("produce"));
    }
    let produced = out
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            serde_json::from_str::<Produced>(line).map_err(|e| KafkaPythonError::Output {
                command: "produce",
                detail: format!("{e} in {line:?}"),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if produced.len() != records.len() {
        return Err(KafkaPythonError::Output {
            command: "produce",
            detail: format!(
                "{} results for {} records; stderr:\n{}",
                produced.len(),
                records.len(),
                out.stderr
            ),
        });
    }
    Ok(produced)
}

/// The offsets consumer group `group` has committed for `topic`, by partition. Partitions
/// without a commit are absent.
///
/// # Errors
///
/// When Python or kafka-python fail; the error carries Python's stderr.
pub async fn committed_offsets(
    bootstrap: &str,
    group: &str,
    topic: &str,
) -> Result<BTreeMap<i32, i64>, KafkaPythonError> {
    let args = [bootstrap.to_owned(), group.to_owned(), topic.to_owned()];
    let out = run("committed", &args, None, Duration::from_secs(90)).await?;
    if out.status.code() != Some(0) {
        return Err(out.failure("committed"));
    }
    let line = out
        .stdout
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let raw: BTreeMap<String, i64> =
        serde_json::from_str(line).map_err(|e| KafkaPythonError::Output {
            command: "committed",
            detail: format!("{e} in {line:?}"),
        })?;
    raw.into_iter()
        .map(|(p, offset)| {
            p.parse::<i32>()
                .map(|p| (p, offset))
                .map_err(|e| KafkaPythonError::Output {
                    command: "committed",
                    detail: format!("partition {p:?}: {e}"),
                })
        })
        .collect()
}

/// Commits `offsets` (partition to next offset to read) for consumer group `group` on
/// `topic`, without joining the group, the way a standalone consumer commits. The group must
/// have no active members.
///
/// # Errors
///
/// When Python or kafka-python fail; the error carries Python's stderr.
pub async fn commit_offsets(
    bootstrap: &str,
    group: &str,
    topic: &str,
    offsets: &BTreeMap<i32, i64>,
) -> Result<(), KafkaPythonError> {
    let input = serde_json::to_vec(offsets).map_err(|e| KafkaPythonError::Output {
        command: "commit",
        detail: format!("could not encode the offsets: {e}"),
    })?;
    let args = [bootstrap.to_owned(), group.to_owned(), topic.to_owned()];
    let out = run("commit", &args, Some(input), Duration::from_secs(90)).await?;
    if out.status.code() != Some(0) {
        return Err(out.failure("commit"));
    }
    Ok(())
}

struct Output {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Output {
    fn failure(self, command: &'static str) -> KafkaPythonError {
        if self.status.code() == Some(EXIT_MISSING) {
            KafkaPythonError::NotInstalled {
                stderr: self.stderr,
            }
        } else {
            KafkaPythonError::Failed {
                command,
                status: self.status,
                stderr: self.stderr,
            }
        }
    }
}

async fn run(
    command: &'static str,
    args: &[String],
    stdin: Option<Vec<u8>>,
    limit: Duration,
) -> Result<Output, KafkaPythonError> {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(command)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(KafkaPythonError::Spawn)?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(&input)
            .await
            .map_err(KafkaPythonError::Spawn)?;
        drop(pipe);
    }
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_| KafkaPythonError::Hung {
            command,
            waited: limit,
        })?
        .map_err(KafkaPythonError::Spawn)?;
    let result = Output {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    if result.status.code() == Some(EXIT_MISSING) {
        return Err(result.failure(command));
    }
    Ok(result)
}

#[derive(Deserialize)]
struct RawConsumed {
    partition: i32,
    offset: i64,
    key: Option<String>,
    value: Option<String>,
    headers: Vec<(String, Option<String>)>,
    timestamp_ms: i64,
}

impl RawConsumed {
    fn decode(self) -> Result<ConsumedRecord, KafkaPythonError> {
        let headers = self
            .headers
            .into_iter()
            .map(|(k, v)| Ok((k, decode(v)?)))
            .collect::<Result<_, KafkaPythonError>>()?;
        Ok(ConsumedRecord {
            partition: self.partition,
            offset: self.offset,
            key: decode(self.key)?,
            value: decode(self.value)?,
            headers,
            timestamp_ms: self.timestamp_ms,
        })
    }
}

fn decode(text: Option<String>) -> Result<Option<Vec<u8>>, KafkaPythonError> {
    text.map(|t| BASE64.decode(t.as_bytes()))
        .transpose()
        .map_err(|e| KafkaPythonError::Output {
            command: "consume",
            detail: format!("bad base64: {e}"),
        })
}

fn ser_bytes<S: serde::Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(b) => s.serialize_some(&BASE64.encode(b)),
        None => s.serialize_none(),
    }
}

fn ser_headers<S: serde::Serializer>(
    headers: &[(String, Vec<u8>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq as _;
    let mut seq = s.serialize_seq(Some(headers.len()))?;
    for (k, v) in headers {
        seq.serialize_element(&(k, BASE64.encode(v)))?;
    }
    seq.end()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn produce_records_encode_bytes_as_base64() {
        let rec = ProduceRecord::new(*b"v\x00")
            .key("k")
            .header("h", [0xffu8])
            .partition(2)
            .timestamp_ms(7);
        let json = serde_json::to_value([rec]).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{
                "partition": 2,
                "key": "aw==",
                "value": "dgA=",
                "headers": [["h", "/w=="]],
                "timestamp_ms": 7
            }])
        );
    }

    #[test]
    fn consumed_lines_decode() {
        let raw: RawConsumed = serde_json::from_str(
            r#"{"partition":1,"offset":5,"key":null,"value":"dgA=","headers":[["a","/w=="],["b",null]],"timestamp_ms":9}"#,
        )
        .unwrap();
        let rec = raw.decode().unwrap();
        assert_eq!(rec.key, None);
        assert_eq!(rec.value.as_deref(), Some(&b"v\x00"[..]));
        assert_eq!(rec.header("a"), Some(Some(&[0xffu8][..])));
        assert_eq!(rec.header("b"), Some(None));
        assert_eq!(rec.header("c"), None);
    }

    #[test]
    fn the_script_is_valid_python() {
        let status = std::process::Command::new("python3")
            .args(["-c", "import ast, sys; ast.parse(sys.stdin.read())"])
            .stdin(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write as _;
                child.stdin.take().unwrap().write_all(SCRIPT.as_bytes())?;
                child.wait()
            });
        // python3 itself is a requirement of the test suite.
        assert!(status.unwrap().success());
    }
}
