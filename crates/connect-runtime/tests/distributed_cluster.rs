//! Three `connect-distributed` processes on loopback against the test broker (nisshi), checked
//! from outside only: their REST APIs, what kafka-python reads from the topics, the files the
//! connectors write, and the workers' logs.
//!
//! * A connector created through a worker that is probably not the leader (the write is
//!   forwarded) runs its tasks spread over the three workers, and every worker reports the
//!   same status and the same connector list.
//! * kill -9 of the worker running a file source: after the lost-work delay its tasks run on
//!   the survivors and no line is lost (at-least-once), in the topic and in the sink's file.
//! * A worker joining takes a share of the tasks without stopping the ones that stay put.
//! * A task stopped cleanly resumes on another worker from its committed offsets (no
//!   duplicates), and a full restart of the cluster replays the connectors from the config
//!   topic.
//! * Conflicting concurrent config writes settle on one config everywhere; invalid worker
//!   properties and an unreachable broker make the worker fail loudly.
//!
//! Every test checks the workers' logs for a task or connector running on two workers at once
//! (see [`double_runs`]). Needs nisshi (`NISSHI_BIN` or `./scripts/test.sh`) and kafka-python;
//! see connect-testkit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{Distributed, Ending, free_port, write_lines, write_properties};
use connect_testkit::kafka_python::{self, Expect, ProduceRecord};
use connect_testkit::{Broker, require_broker};
use reqwest::Method;
use serde_json::{Value, json};

/// `session.timeout.ms` of every worker.
const SESSION_TIMEOUT: Duration = Duration::from_secs(6);
/// `scheduled.rebalance.max.delay.ms` of every worker: short, so that the delay before lost
/// work is reassigned shows, but the tests stay fast.
const MAX_DELAY: Duration = Duration::from_secs(5);
/// How long the cluster gets to reach an expected state after a change.
const SETTLE: Duration = Duration::from_secs(90);
/// How far apart the workers' log clocks (the same machine's) may seem.
const CLOCK_TOLERANCE: Duration = Duration::from_millis(500);
/// Lines of each worker's log quoted when a test fails.
const LOG_TAIL_LINES: usize = 150;

const STRING_CONVERTER: &str = "org.apache.kafka.connect.storage.StringConverter";

// ---------------------------------------------------------------------------------------------
// Worker logs: when each worker started and stopped each task and connector.
// ---------------------------------------------------------------------------------------------

/// What a run is of: a task (`task=<connector>-<n>`) or a connector (`connector=<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Task,
    Connector,
}

impl Item {
    /// The start message, the stop message and the field naming the item.
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Task => ("starting task", "task stopped", "task"),
            Self::Connector => ("starting connector", "connector stopped", "connector"),
        }
    }
}

/// A start or a stop a worker logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Start,
    Stop,
}

/// Removes ANSI escape sequences (colours, italics), in case the log has them.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Milliseconds since the Unix epoch of an RFC 3339 timestamp such as
/// `2026-11-21T23:40:00.123456Z` or `2026-11-21T23:40:00.123+01:00`.
fn parse_timestamp_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        if digits.bytes().all(|c| c.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = text.get(19..)?;
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<3}", &fraction[..digits.min(3)]);
        millis = padded.parse::<i64>().ok()?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            sign * (hours * 60 + minutes)
        }
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second
        - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

/// The text after the first whole-word occurrence of `phrase` in `line`.
fn after_phrase<'a>(line: &'a str, phrase: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(found) = line[from..].find(phrase) {
        let start = from + found;
        let end = start + phrase.len();
        let before_ok = line[..start].ends_with(' ') || start == 0;
        let after_ok = line[end..].is_empty() || line[end..].starts_with(' ');
        if before_ok && after_ok {
            return Some(&line[end..]);
        }
        from = end;
    }
    None
}

/// The value of the field `name=value` in a tracing line's fields (quotes removed).
fn field<'a>(fields: &'a str, name: &str) -> Option<&'a str> {
    fields
        .split_whitespace()
        .find_map(|token| token.strip_prefix(name)?.strip_prefix('='))
        .map(|value| value.trim_matches('"'))
}

/// Every start and stop of a task or connector in a worker's log: (ms since the epoch, event,
/// item), in log order.
fn events(log: &str, item: Item) -> Vec<(i64, Event, String)> {
    let (start, stop, name) = item.words();
    let mut found = Vec::new();
    for raw in log.lines() {
        let line = strip_ansi(raw);
        let Some(at) = line.split_whitespace().next().and_then(parse_timestamp_ms) else {
            continue;
        };
        for (phrase, event) in [(start, Event::Start), (stop, Event::Stop)] {
            if let Some(value) = after_phrase(&line, phrase).and_then(|rest| field(rest, name)) {
                found.push((at, event, value.to_owned()));
            }
        }
    }
    found
}

/// One stretch of time a worker ran a task or connector: from its start to its stop, or open
/// (`end: None`) when the log has no stop after the start.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    item: String,
    start: i64,
    end: Option<i64>,
}

/// The runs in a worker's log. A second start without a stop in between belongs to the first
/// run (the earlier start is kept, which can only make an overlap longer).
fn runs(log: &str, item: Item) -> Vec<Run> {
    let mut open: BTreeMap<String, i64> = BTreeMap::new();
    let mut done = Vec::new();
    for (at, event, name) in events(log, item) {
        match event {
            Event::Start => {
                open.entry(name).or_insert(at);
            }
            Event::Stop => {
                if let Some(start) = open.remove(&name) {
                    done.push(Run {
                        item: name,
                        start,
                        end: Some(at),
                    });
                }
            }
        }
    }
    done.extend(open.into_iter().map(|(item, start)| Run {
        item,
        start,
        end: None,
    }));
    done
}

/// One worker process as the overlap check sees it.
struct WorkerRuns {
    name: String,
    runs: Vec<Run>,
    /// When and how the process ended; `None` while it runs.
    ended: Option<(i64, Ending)>,
}

/// Items that ran on two workers at once for longer than allowed: up to the clock tolerance
/// between live workers, up to the session timeout plus 2 s when one of the two runs ended
/// because the test killed its worker with SIGKILL (the run ends at the moment of the kill).
/// A run still open on a worker that is running ends `now_ms`.
fn double_runs(workers: &[WorkerRuns], now_ms: i64) -> Vec<String> {
    let tolerance = i64::try_from(CLOCK_TOLERANCE.as_millis()).unwrap();
    let after_kill = i64::try_from((SESSION_TIMEOUT + Duration::from_secs(2)).as_millis()).unwrap();
    // (end, whether it ended with a kill -9)
    let end_of = |run: &Run, worker: &WorkerRuns| -> (i64, bool) {
        match (run.end, worker.ended) {
            (Some(end), _) => (end, false),
            (None, Some((at, how))) => (at, how == Ending::Killed),
            (None, None) => (now_ms, false),
        }
    };
    let mut found = Vec::new();
    for (i, a) in workers.iter().enumerate() {
        for b in &workers[i + 1..] {
            for ra in &a.runs {
                for rb in b.runs.iter().filter(|rb| rb.item == ra.item) {
                    let (end_a, killed_a) = end_of(ra, a);
                    let (end_b, killed_b) = end_of(rb, b);
                    let overlap = end_a.min(end_b) - ra.start.max(rb.start);
                    let allowed = if killed_a || killed_b {
                        after_kill
                    } else {
                        tolerance
                    };
                    if overlap > allowed {
                        found.push(format!(
                            "{} ran on {} ({}..{}{}) and on {} ({}..{}{}) at once for {overlap} ms \
                             (allowed {allowed} ms)",
                            ra.item,
                            a.name,
                            ra.start,
                            end_a,
                            if killed_a { ", killed" } else { "" },
                            b.name,
                            rb.start,
                            end_b,
                            if killed_b { ", killed" } else { "" },
                        ));
                    }
                }
            }
        }
    }
    found
}

fn epoch_ms(at: SystemTime) -> i64 {
    i64::try_from(at.duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Connector status as the REST API reports it.
// ---------------------------------------------------------------------------------------------

/// `GET /connectors/{name}/status`, reduced to states and worker ids.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Status {
    /// The connector's (state, worker_id).
    connector: (String, String),
    /// Each task's (state, worker_id) by task id.
    tasks: BTreeMap<u64, (String, String)>,
}

impl Status {
    fn parse(value: &Value) -> Option<Self> {
        let pair = |v: &Value| -> Option<(String, String)> {
            Some((
                v.get("state")?.as_str()?.to_owned(),
                v.get("worker_id")?.as_str()?.to_owned(),
            ))
        };
        let connector = pair(value.get("connector")?)?;
        let mut tasks = BTreeMap::new();
        for task in value.get("tasks")?.as_array()? {
            tasks.insert(task.get("id")?.as_u64()?, pair(task)?);
        }
        Some(Self { connector, tasks })
    }

    /// The connector and exactly `tasks` tasks (ids 0..tasks) are RUNNING.
    fn running(&self, tasks: usize) -> bool {
        self.connector.0 == "RUNNING"
            && self.tasks.len() == tasks
            && self.tasks.keys().copied().eq(0..tasks as u64)
            && self.tasks.values().all(|(state, _)| state == "RUNNING")
    }

    /// Tasks per worker id.
    fn load(&self) -> BTreeMap<&str, usize> {
        let mut load = BTreeMap::new();
        for (_, worker) in self.tasks.values() {
            *load.entry(worker.as_str()).or_default() += 1;
        }
        load
    }

    /// The worker ids running the connector or one of its tasks.
    fn workers(&self) -> BTreeSet<&str> {
        self.tasks
            .values()
            .map(|(_, w)| w.as_str())
            .chain([self.connector.1.as_str()])
            .collect()
    }

    fn task_worker(&self, task: u64) -> &str {
        self.tasks.get(&task).map_or("", |(_, w)| w.as_str())
    }
}

/// A record of the status topic: key `status-task-<connector>-<n>` (or `status-connector-…`).
#[derive(Debug, Clone)]
struct StatusRecord {
    partition: i32,
    offset: i64,
    key: String,
    state: String,
    worker_id: String,
}

// ---------------------------------------------------------------------------------------------
// Input and output files.
// ---------------------------------------------------------------------------------------------

/// `line-000001` for 1.
fn line(i: usize) -> String {
    format!("line-{i:06}")
}

/// Which of `line(1..=n)` are not among `seen`, and how many of `seen` are repeats.
fn missing_and_duplicates<'a>(
    seen: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> (Vec<usize>, usize) {
    let mut unique = HashSet::new();
    let mut duplicates = 0;
    for value in seen {
        if !unique.insert(value) {
            duplicates += 1;
        }
    }
    let missing = (1..=n)
        .filter(|i| !unique.contains(line(*i).as_str()))
        .collect();
    (missing, duplicates)
}

/// Kafka Connect worker properties for a worker of `group` listening on `port`.
fn worker_properties(bootstrap: &str, group: &str, port: u16) -> Vec<(String, String)> {
    let session = SESSION_TIMEOUT.as_millis().to_string();
    let delay = MAX_DELAY.as_millis().to_string();
    [
        ("bootstrap.servers", bootstrap.to_owned()),
        ("group.id", group.to_owned()),
        ("config.storage.topic", format!("{group}-configs")),
        ("offset.storage.topic", format!("{group}-offsets")),
        ("status.storage.topic", format!("{group}-status")),
        ("config.storage.replication.factor", "1".to_owned()),
        ("offset.storage.replication.factor", "1".to_owned()),
        ("status.storage.replication.factor", "1".to_owned()),
        ("offset.storage.partitions", "5".to_owned()),
        ("listeners", format!("http://127.0.0.1:{port}")),
        ("key.converter", STRING_CONVERTER.to_owned()),
        ("value.converter", STRING_CONVERTER.to_owned()),
        ("offset.flush.interval.ms", "1000".to_owned()),
        ("session.timeout.ms", session),
        ("heartbeat.interval.ms", "1000".to_owned()),
        ("scheduled.rebalance.max.delay.ms", delay),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn write_worker_properties(path: &Path, properties: &[(String, String)]) -> PathBuf {
    let pairs: Vec<(&str, &str)> = properties
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    write_properties(path, &pairs)
}

fn file_source(file: &Path, topic: &str) -> Value {
    json!({
        "connector.class": "FileStreamSource",
        "file": file.to_str().unwrap(),
        "topic": topic,
    })
}

fn file_sink(file: &Path, topic: &str, tasks: usize) -> Value {
    json!({
        "connector.class": "FileStreamSink",
        "file": file.to_str().unwrap(),
        "topics": topic,
        "tasks.max": tasks.to_string(),
    })
}

// ---------------------------------------------------------------------------------------------
// The cluster: worker processes, REST calls, polling.
// ---------------------------------------------------------------------------------------------

/// A worker's place in the cluster: its properties file and REST port. Restarting a slot
/// starts a fresh process with the same properties.
struct Slot {
    properties: PathBuf,
    port: u16,
}

/// Worker processes of one group, with REST helpers that fail the test with every worker's
/// log. The directory (logs, properties, data files) is kept when a test fails.
struct Cluster {
    /// Every process started, with its slot, in start order; ended ones stay for their logs.
    /// (First, so that the processes are gone before their directory is removed.)
    processes: Vec<(usize, Distributed)>,
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
    bootstrap: String,
    group: String,
    slots: Vec<Slot>,
    http: reqwest::Client,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(dir) = self.dir.take()
        {
            let kept = dir.keep();
            eprintln!("cluster {} kept its logs in {}", self.group, kept.display());
        }
    }
}

impl Cluster {
    /// Starts `n` workers of a new group and waits until each answers REST requests.
    async fn start(broker: &Broker, group: &str, n: usize) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("kconnect-cluster-")
            .tempdir()
            .unwrap();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let mut cluster = Self {
            path: dir.path().to_path_buf(),
            dir: Some(dir),
            bootstrap: broker.bootstrap(),
            group: group.to_owned(),
            slots: Vec::new(),
            processes: Vec::new(),
            http,
        };
        for _ in 0..n {
            cluster.add_slot();
        }
        for slot in 0..n {
            cluster.start_slot(slot);
        }
        for slot in 0..n {
            cluster.wait_ready(slot).await;
        }
        cluster
    }

    /// A path in the cluster's directory.
    fn path(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    fn add_slot(&mut self) -> usize {
        let port = free_port();
        let slot = self.slots.len();
        let properties = self.path(&format!("w{}.properties", slot + 1));
        write_worker_properties(
            &properties,
            &worker_properties(&self.bootstrap, &self.group, port),
        );
        self.slots.push(Slot { properties, port });
        slot
    }

    /// Starts a fresh process for `slot` (`w2`, then `w2-2` for its second process, …).
    fn start_slot(&mut self, slot: usize) {
        let earlier = self.processes.iter().filter(|(s, _)| *s == slot).count();
        let name = if earlier == 0 {
            format!("w{}", slot + 1)
        } else {
            format!("w{}-{}", slot + 1, earlier + 1)
        };
        let Slot { properties, port } = &self.slots[slot];
        let process = Distributed::start(&self.path, &name, properties, *port);
        self.processes.push((slot, process));
    }

    /// Starts one more worker and waits until it answers; returns its slot.
    async fn add_worker(&mut self) -> usize {
        let slot = self.add_slot();
        self.start_slot(slot);
        self.wait_ready(slot).await;
        slot
    }

    /// The latest process of `slot`.
    fn process(&self, slot: usize) -> &Distributed {
        self.processes
            .iter()
            .rev()
            .find(|(s, _)| *s == slot)
            .map(|(_, p)| p)
            .unwrap()
    }

    fn process_mut(&mut self, slot: usize) -> &mut Distributed {
        self.processes
            .iter_mut()
            .rev()
            .find(|(s, _)| *s == slot)
            .map(|(_, p)| p)
            .unwrap()
    }

    fn worker_id(&self, slot: usize) -> String {
        format!("127.0.0.1:{}", self.slots[slot].port)
    }

    fn slot_of(&self, worker_id: &str) -> Option<usize> {
        (0..self.slots.len()).find(|slot| self.worker_id(*slot) == worker_id)
    }

    /// Slots whose latest process the test has not stopped.
    fn live_slots(&self) -> Vec<usize> {
        (0..self.slots.len())
            .filter(|slot| self.process(*slot).ended.is_none())
            .collect()
    }

    /// Every process's log tail, for failure messages.
    fn report(&self) -> String {
        let mut out = String::new();
        for (slot, process) in &self.processes {
            let text = process.log_text();
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..];
            out.push_str(&format!(
                "\n===== {} (worker {}, {}, log {}), last {} of {} lines:\n{}\n",
                process.name,
                self.worker_id(*slot),
                match process.ended {
                    None => "running".to_owned(),
                    Some((_, how)) => format!("{how:?}"),
                },
                process.log.display(),
                tail.len(),
                lines.len(),
                tail.join("\n"),
            ));
        }
        out
    }

    /// Fails the test with `message` and every worker's log.
    fn fail(&self, message: impl std::fmt::Display) -> ! {
        panic!(
            "cluster {}: {message}\nworker logs:{}",
            self.group,
            self.report()
        )
    }

    fn ensure(&self, condition: bool, message: impl FnOnce() -> String) {
        if !condition {
            self.fail(message());
        }
    }

    /// Fails the test when a worker the test did not stop has exited.
    fn check_alive(&mut self) {
        let mut crashed = Vec::new();
        for (_, process) in &mut self.processes {
            if process.ended.is_none()
                && let Some(status) = process.exit_status()
            {
                crashed.push(format!("{} exited with {status}", process.name));
            }
        }
        if !crashed.is_empty() {
            self.fail(format!(
                "workers exited unexpectedly: {}",
                crashed.join(", ")
            ));
        }
    }

    /// One REST request, no retries: (HTTP status, body as JSON, or a JSON string when it is
    /// not JSON, or null when empty), or why no answer came.
    async fn send(
        &self,
        slot: usize,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        let url = format!("http://127.0.0.1:{}{path}", self.slots[slot].port);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| format!("{method} {url}: reading the body: {e}"))?;
        let value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok((status, value))
    }

    async fn get(&self, slot: usize, path: &str) -> Result<(u16, Value), String> {
        self.send(slot, Method::GET, path, None).await
    }

    /// A write, retried while the cluster answers 409 because of a rebalance (not because the
    /// connector exists) or the worker cannot be reached. Returns the first other answer and
    /// whether an earlier attempt got no answer (so it may have been carried out).
    async fn write(
        &mut self,
        slot: usize,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> ((u16, Value), bool) {
        let deadline = Instant::now() + SETTLE;
        let mut unanswered = false;
        loop {
            self.check_alive();
            let last = match self.send(slot, method.clone(), path, body).await {
                Ok((409, body)) if !body.to_string().contains("already exists") => {
                    format!("409 {body}")
                }
                Ok(answer) => return (answer, unanswered),
                Err(error) => {
                    unanswered = true;
                    error
                }
            };
            if Instant::now() > deadline {
                self.fail(format!(
                    "{method} {path} on {} kept failing for {SETTLE:?}; last: {last}",
                    self.process(slot).name
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// `POST /connectors` through `slot`; expects 201.
    async fn create(&mut self, slot: usize, name: &str, config: &Value) {
        let body = json!({"name": name, "config": config});
        let ((status, answer), unanswered) = self
            .write(slot, Method::POST, "/connectors", Some(&body))
            .await;
        // An attempt without an answer may have created it.
        let created = status == 201 || (status == 409 && unanswered);
        self.ensure(created, || {
            format!("POST /connectors {name} answered {status} {answer}")
        });
        if status == 201 {
            self.ensure(answer.get("name") == Some(&json!(name)), || {
                format!("POST /connectors {name} answered 201 with {answer}")
            });
        }
    }

    /// `PUT /connectors/{name}/config` through `slot`; expects 200 or 201.
    async fn put_config(&mut self, slot: usize, name: &str, config: &Value) {
        let path = format!("/connectors/{name}/config");
        let ((status, answer), _) = self.write(slot, Method::PUT, &path, Some(config)).await;
        self.ensure(status == 200 || status == 201, || {
            format!("PUT {path} answered {status} {answer}")
        });
    }

    /// Waits until every live worker answers ([`SETTLE`]), failing with `what` and the logs;
    /// `probe` gets the answers by slot and says whether they are what the test waits for.
    async fn wait_all<T>(
        &mut self,
        what: &str,
        path: &str,
        mut probe: impl FnMut(&BTreeMap<usize, (u16, Value)>) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + SETTLE;
        loop {
            self.check_alive();
            let mut answers = BTreeMap::new();
            let mut last = String::new();
            for slot in self.live_slots() {
                match self.get(slot, path).await {
                    Ok(answer) => {
                        answers.insert(slot, answer);
                    }
                    Err(error) => last = error,
                }
            }
            if answers.len() == self.live_slots().len()
                && let Some(found) = probe(&answers)
            {
                return found;
            }
            if Instant::now() > deadline {
                let seen: Vec<String> = answers
                    .iter()
                    .map(|(slot, (status, body))| {
                        format!("{}: {status} {body}", self.process(*slot).name)
                    })
                    .collect();
                self.fail(format!(
                    "timed out after {SETTLE:?} waiting until {what}; GET {path} answered:\n{}\n{last}",
                    seen.join("\n")
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until `slot` answers `GET /connectors` with 200.
    async fn wait_ready(&mut self, slot: usize) {
        let deadline = Instant::now() + SETTLE;
        loop {
            self.check_alive();
            let last = match self.get(slot, "/connectors").await {
                Ok((200, _)) => return,
                Ok((status, body)) => format!("{status} {body}"),
                Err(error) => error,
            };
            if Instant::now() > deadline {
                self.fail(format!(
                    "{} did not answer GET /connectors within {SETTLE:?}; last: {last}",
                    self.process(slot).name
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until every live worker reports the same status for `name` and `check` holds.
    async fn wait_status(
        &mut self,
        name: &str,
        what: &str,
        check: impl Fn(&Status) -> bool,
    ) -> Status {
        let path = format!("/connectors/{name}/status");
        let what = format!("every worker reports {name} as {what}");
        self.wait_all(&what, &path, |answers| {
            let statuses: Vec<Status> = answers
                .values()
                .filter(|(code, _)| *code == 200)
                .filter_map(|(_, body)| Status::parse(body))
                .collect();
            let first = statuses.first()?;
            (statuses.len() == answers.len() && statuses.iter().all(|s| s == first) && check(first))
                .then(|| first.clone())
        })
        .await
    }

    /// Like [`Self::wait_status`], then waits until the status stays the same for `quiet`
    /// (the rebalance rounds after a change are over).
    async fn wait_status_settled(
        &mut self,
        name: &str,
        what: &str,
        quiet: Duration,
        check: impl Fn(&Status) -> bool,
    ) -> Status {
        let deadline = Instant::now() + SETTLE;
        let mut status = self.wait_status(name, what, &check).await;
        loop {
            tokio::time::sleep(quiet).await;
            let again = self.wait_status(name, what, &check).await;
            if again == status {
                return status;
            }
            if Instant::now() > deadline {
                self.fail(format!(
                    "the status of {name} kept changing for {SETTLE:?}: last {again:?}"
                ));
            }
            status = again;
        }
    }

    /// Waits until `GET /connectors` lists exactly `names` on every live worker.
    async fn wait_listed(&mut self, names: &[&str]) {
        let expected: BTreeSet<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let what = format!("every worker lists exactly {expected:?}");
        self.wait_all(&what, "/connectors", |answers| {
            answers
                .values()
                .all(|(code, body)| {
                    let listed: Option<BTreeSet<String>> = body.as_array().map(|names| {
                        names
                            .iter()
                            .filter_map(|n| n.as_str().map(str::to_owned))
                            .collect()
                    });
                    *code == 200 && listed.as_ref() == Some(&expected)
                })
                .then_some(())
        })
        .await;
    }

    /// Waits until every live worker answers `GET path` with 200 and the same body.
    async fn wait_same(&mut self, path: &str) -> Value {
        let what = format!("every worker answers GET {path} alike");
        self.wait_all(&what, path, |answers| {
            let (_, first) = answers.values().next()?;
            answers
                .values()
                .all(|(code, body)| *code == 200 && body == first)
                .then(|| first.clone())
        })
        .await
    }

    /// Waits until the file holds every `line(1..=n)`; returns (lines, duplicates).
    async fn wait_for_lines(&mut self, file: &Path, n: usize, timeout: Duration) -> (usize, usize) {
        let deadline = Instant::now() + timeout;
        loop {
            self.check_alive();
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let (missing, duplicates) = missing_and_duplicates(text.lines(), n);
            if missing.is_empty() {
                return (text.lines().count(), duplicates);
            }
            if Instant::now() > deadline {
                self.fail(format!(
                    "after {timeout:?}, {} lacks {} of {n} lines (first ones: {:?})",
                    file.display(),
                    missing.len(),
                    &missing[..missing.len().min(10)],
                ));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Waits until `file` has at least `n` lines.
    async fn wait_for_line_count(&mut self, file: &Path, n: usize) {
        let deadline = Instant::now() + SETTLE;
        while common::line_count(file) < n {
            self.check_alive();
            if Instant::now() > deadline {
                self.fail(format!(
                    "{} has {} lines after {SETTLE:?}, expected at least {n}",
                    file.display(),
                    common::line_count(file)
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The values kafka-python reads from `topic` once it has at least `n` records and no more
    /// came for 3 s.
    async fn topic_values(&self, topic: &str, n: usize) -> Vec<String> {
        if let Err(error) = kafka_python::consume_all(
            &self.bootstrap,
            topic,
            Expect::CountWithin(n, Duration::from_secs(120)),
        )
        .await
        {
            let short = match &error {
                kafka_python::KafkaPythonError::Incomplete { received, .. } => {
                    format!("read {} of {n} records", received.len())
                }
                other => format!("{other}"),
            };
            self.fail(format!("topic {topic} did not reach {n} records: {short}"));
        }
        match kafka_python::consume_all(
            &self.bootstrap,
            topic,
            Expect::Idle(Duration::from_secs(3)),
        )
        .await
        {
            Ok(records) => records
                .iter()
                .map(|r| {
                    String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned()
                })
                .collect(),
            Err(error) => self.fail(format!("reading topic {topic}: {error}")),
        }
    }

    /// Checks that `topic` holds every `line(1..=n)` exactly once.
    async fn assert_topic_exactly(&self, topic: &str, n: usize) {
        let values = self.topic_values(topic, n).await;
        let (missing, duplicates) = missing_and_duplicates(values.iter().map(String::as_str), n);
        self.ensure(missing.is_empty() && duplicates == 0 && values.len() == n, || {
            format!(
                "topic {topic} should hold line 1..={n} once each; it has {} records, {duplicates} \
                 duplicates, {} missing (first ones: {:?})",
                values.len(),
                missing.len(),
                &missing[..missing.len().min(10)]
            )
        });
    }

    /// The records of the status topic (read until it is idle for 2 s).
    async fn status_records(&self) -> Vec<StatusRecord> {
        let topic = format!("{}-status", self.group);
        let records = match kafka_python::consume_all(
            &self.bootstrap,
            &topic,
            Expect::Idle(Duration::from_secs(2)),
        )
        .await
        {
            Ok(records) => records,
            Err(error) => self.fail(format!("reading the status topic {topic}: {error}")),
        };
        records
            .into_iter()
            .filter_map(|r| {
                let key = String::from_utf8(r.key?).ok()?;
                let value: Value = serde_json::from_slice(r.value.as_deref()?).ok()?;
                Some(StatusRecord {
                    partition: r.partition,
                    offset: r.offset,
                    key,
                    state: value.get("state")?.as_str()?.to_owned(),
                    worker_id: value.get("worker_id")?.as_str()?.to_owned(),
                })
            })
            .collect()
    }

    /// kill -9 of the latest process of `slot`.
    async fn kill9(&mut self, slot: usize) {
        self.process_mut(slot).kill9().await;
    }

    /// SIGTERM to the latest process of `slot`; it must leave and exit with 0.
    async fn terminate(&mut self, slot: usize) {
        let status = self.process_mut(slot).terminate().await;
        let name = self.process(slot).name.clone();
        self.ensure(status.success(), || {
            format!("{name} exited with {status} after SIGTERM")
        });
    }

    /// SIGTERM to every live worker, one after the other; each must exit with 0.
    async fn terminate_all(&mut self) {
        for slot in self.live_slots() {
            self.terminate(slot).await;
        }
    }

    /// Fails when the logs show a task or connector running on two workers at once (see
    /// [`double_runs`]).
    fn assert_no_double_runs(&self) {
        let now = epoch_ms(SystemTime::now());
        let mut found = Vec::new();
        for item in [Item::Task, Item::Connector] {
            let workers: Vec<WorkerRuns> = self
                .processes
                .iter()
                .map(|(_, p)| WorkerRuns {
                    name: p.name.clone(),
                    runs: runs(&p.log_text(), item),
                    ended: p.ended.map(|(at, how)| (epoch_ms(at), how)),
                })
                .collect();
            found.extend(double_runs(&workers, now));
        }
        self.ensure(found.is_empty(), || {
            format!("ran on two workers at once:\n{}", found.join("\n"))
        });
    }

    /// The runs of `item` the latest process of `slot` logged.
    fn runs_on(&self, slot: usize, item: Item) -> Vec<Run> {
        runs(&self.process(slot).log_text(), item)
    }
}

// ---------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_created_through_one_worker_runs_on_all_and_reads_the_same_everywhere() {
    let broker = require_broker!();
    let mut cluster = Cluster::start(&broker, "spread", 3).await;
    broker.create_topic("events", 6).await.unwrap();
    broker.create_topic("second", 1).await.unwrap();
    let output = cluster.path("events.out");

    // Through the second worker: if it is not the leader, the write is forwarded.
    cluster
        .create(1, "events-sink", &file_sink(&output, "events", 3))
        .await;
    let status = cluster
        .wait_status("events-sink", "3 RUNNING tasks on 3 workers", |s| {
            s.running(3) && s.load().len() == 3
        })
        .await;
    for worker in status.workers() {
        cluster.ensure(cluster.slot_of(worker).is_some(), || {
            format!("status names an unknown worker {worker}: {status:?}")
        });
    }

    // Every task consumes its share of the six partitions.
    let records: Vec<ProduceRecord> = (1..=60)
        .map(|i| ProduceRecord::new(line(i)).partition(i32::try_from(i % 6).unwrap()))
        .collect();
    kafka_python::produce(&broker.bootstrap(), "events", &records)
        .await
        .unwrap();
    cluster
        .wait_for_lines(&output, 60, Duration::from_secs(60))
        .await;

    // A second connector through the third worker: every worker lists both.
    let input = cluster.path("second.in");
    write_lines(&input, 1..=10, line);
    cluster
        .create(2, "second-source", &file_source(&input, "second"))
        .await;
    cluster.wait_listed(&["events-sink", "second-source"]).await;
    cluster
        .wait_status("second-source", "RUNNING with its task", |s| s.running(1))
        .await;
    cluster.assert_topic_exactly("second", 10).await;

    // The internal endpoint for task configs takes only requests signed with the session key
    // (the group runs the default sessioned protocol), on every worker.
    let forged = json!([{"task.class": "FileStreamSinkTask", "topics": "events"}]);
    for slot in 0..3 {
        let url = format!(
            "http://127.0.0.1:{}/connectors/events-sink/tasks",
            cluster.slots[slot].port
        );
        let unsigned = cluster.http.post(&url).json(&forged).send().await.unwrap();
        let status = unsigned.status().as_u16();
        let body = unsigned.text().await.unwrap();
        cluster.ensure(
            status == 400 && body.contains("Internal request missing required signature"),
            || format!("unsigned task configs on worker {slot}: {status} {body}"),
        );
        let wrong = cluster
            .http
            .post(&url)
            .json(&forged)
            .header("X-Connect-Authorization", "AAAA")
            .header("X-Connect-Request-Signature-Algorithm", "HmacSHA256")
            .send()
            .await
            .unwrap();
        let status = wrong.status().as_u16();
        let body = wrong.text().await.unwrap();
        cluster.ensure(status == 403 && body.contains("invalid signature"), || {
            format!("wrongly signed task configs on worker {slot}: {status} {body}")
        });
    }

    // The connector's info and task configs read the same from every worker.
    let info = cluster.wait_same("/connectors/events-sink").await;
    cluster.ensure(info.get("name") == Some(&json!("events-sink")), || {
        format!("GET /connectors/events-sink answered {info}")
    });
    let tasks = cluster.wait_same("/connectors/events-sink/tasks").await;
    cluster.ensure(tasks.as_array().map(Vec::len) == Some(3), || {
        format!("GET /connectors/events-sink/tasks answered {tasks}")
    });

    cluster.terminate_all().await;
    cluster.assert_no_double_runs();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_worker_running_a_source_moves_its_work_and_loses_no_line() {
    const TOTAL: usize = 100_000;
    const BEFORE_KILL: usize = 40_000;
    let broker = require_broker!();
    let mut cluster = Cluster::start(&broker, "kill9", 3).await;
    broker.create_topic("lines", 1).await.unwrap();
    let input = cluster.path("input.txt");
    let output = cluster.path("output.txt");
    write_lines(&input, 1..=BEFORE_KILL, line);
    cluster
        .put_config(0, "source", &file_source(&input, "lines"))
        .await;
    cluster
        .put_config(1, "sink", &file_sink(&output, "lines", 1))
        .await;
    let source = cluster
        .wait_status("source", "RUNNING", |s| s.running(1))
        .await;
    cluster
        .wait_status("sink", "RUNNING", |s| s.running(1))
        .await;

    // Some lines went through; the rest of the file is written once the source's worker is
    // gone, so the kill lands before the end whatever the speed.
    cluster.wait_for_line_count(&output, 5_000).await;
    let victim_id = source.task_worker(0).to_owned();
    let Some(victim) = cluster.slot_of(&victim_id) else {
        cluster.fail(format!(
            "the source task runs on an unknown worker: {source:?}"
        ))
    };
    cluster.kill9(victim).await;
    let killed_at = Instant::now();
    write_lines(&input, BEFORE_KILL + 1..=TOTAL, line);

    let moved = |s: &Status| s.running(1) && !s.workers().contains(victim_id.as_str());
    let after = cluster
        .wait_status("source", "RUNNING on a surviving worker", moved)
        .await;
    let moved_after = killed_at.elapsed();
    cluster
        .wait_status("sink", "RUNNING on a surviving worker", moved)
        .await;
    println!(
        "source task moved from {victim_id} to {} within {moved_after:?} of the kill",
        after.task_worker(0)
    );

    let (lines, duplicates) = cluster
        .wait_for_lines(&output, TOTAL, Duration::from_secs(180))
        .await;
    println!("sink file: {lines} lines for {TOTAL}, {duplicates} duplicates");
    let values = cluster.topic_values("lines", TOTAL).await;
    let (missing, duplicates) = missing_and_duplicates(values.iter().map(String::as_str), TOTAL);
    cluster.ensure(missing.is_empty(), || {
        format!(
            "topic lines lacks {} of {TOTAL} lines (first ones: {:?})",
            missing.len(),
            &missing[..missing.len().min(10)]
        )
    });
    println!("topic: {} records, {duplicates} duplicates", values.len());

    cluster.assert_no_double_runs();
    cluster.terminate_all().await;
    cluster.assert_no_double_runs();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joining_worker_takes_a_share_without_stopping_tasks_that_stay() {
    let broker = require_broker!();
    let mut cluster = Cluster::start(&broker, "join", 2).await;
    broker.create_topic("shared", 8).await.unwrap();
    let output = cluster.path("shared.out");
    cluster
        .put_config(0, "sink", &file_sink(&output, "shared", 4))
        .await;
    let four_running = |s: &Status| s.running(4);
    let before = cluster
        .wait_status_settled(
            "sink",
            "4 RUNNING tasks",
            Duration::from_secs(3),
            four_running,
        )
        .await;
    let produce = |range: RangeInclusive<usize>| {
        range
            .map(|i| ProduceRecord::new(line(i)).partition(i32::try_from(i % 8).unwrap()))
            .collect::<Vec<_>>()
    };
    kafka_python::produce(&broker.bootstrap(), "shared", &produce(1..=80))
        .await
        .unwrap();
    cluster
        .wait_for_lines(&output, 80, Duration::from_secs(60))
        .await;
    let status_before: HashSet<(i32, i64)> = cluster
        .status_records()
        .await
        .iter()
        .map(|r| (r.partition, r.offset))
        .collect();

    let joined_at = epoch_ms(SystemTime::now());
    let newcomer = cluster.add_worker().await;
    let newcomer_id = cluster.worker_id(newcomer);
    let after = cluster
        .wait_status_settled(
            "sink",
            "4 RUNNING tasks, some on the new worker",
            Duration::from_secs(3),
            |s| s.running(4) && s.load().contains_key(newcomer_id.as_str()),
        )
        .await;
    kafka_python::produce(&broker.bootstrap(), "shared", &produce(81..=160))
        .await
        .unwrap();
    cluster
        .wait_for_lines(&output, 160, Duration::from_secs(60))
        .await;

    // Tasks that stayed on their worker were neither stopped nor started again there.
    let stayed: Vec<u64> = (0..4)
        .filter(|t| before.task_worker(*t) == after.task_worker(*t))
        .collect();
    println!("before the join: {before:?}\nafter: {after:?}\nstayed: {stayed:?}");
    let since = joined_at - i64::try_from(CLOCK_TOLERANCE.as_millis()).unwrap();
    for task in &stayed {
        let item = format!("sink-{task}");
        let slot = cluster.slot_of(after.task_worker(*task)).unwrap();
        let text = cluster.process(slot).log_text();
        let restarts: Vec<(i64, Event)> = events(&text, Item::Task)
            .into_iter()
            .filter(|(at, _, name)| *name == item && *at >= since)
            .map(|(at, event, _)| (at, event))
            .collect();
        cluster.ensure(restarts.is_empty(), || {
            format!(
                "{item} stayed on {} but was stopped or started there after the join at \
                 {joined_at}: {restarts:?}",
                cluster.process(slot).name
            )
        });
        let open: Vec<Run> = cluster
            .runs_on(slot, Item::Task)
            .into_iter()
            .filter(|r| r.item == item && r.end.is_none())
            .collect();
        cluster.ensure(open.len() == 1 && open[0].start < since, || {
            format!(
                "{item} should have run on {} since before the join: {open:?}",
                cluster.process(slot).name
            )
        });
    }

    // Nor did the status topic say anything else about them since the join.
    for record in cluster.status_records().await {
        if status_before.contains(&(record.partition, record.offset)) {
            continue;
        }
        for task in &stayed {
            if record.key == format!("status-task-sink-{task}") {
                let worker = after.task_worker(*task);
                cluster.ensure(
                    record.state == "RUNNING" && record.worker_id == worker,
                    || {
                        format!(
                            "sink-{task} stayed on {worker}, yet the status topic got {record:?} \
                         after the join"
                        )
                    },
                );
            }
        }
    }

    cluster.terminate_all().await;
    cluster.assert_no_double_runs();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_offsets_follow_a_moved_task_and_a_full_restart_replays_the_configs() {
    const N: usize = 1_000;
    const M: usize = 500;
    const K: usize = 300;
    let broker = require_broker!();
    let mut cluster = Cluster::start(&broker, "resume", 3).await;
    broker.create_topic("lines", 1).await.unwrap();
    let input = cluster.path("input.txt");
    let output = cluster.path("output.txt");
    write_lines(&input, 1..=N, line);
    cluster
        .put_config(0, "source", &file_source(&input, "lines"))
        .await;
    cluster
        .put_config(2, "sink", &file_sink(&output, "lines", 1))
        .await;
    cluster.assert_topic_exactly("lines", N).await;

    // A clean stop of the source's worker commits its offsets: the task resumes elsewhere
    // after the last line it sent.
    let source = cluster
        .wait_status("source", "RUNNING", |s| s.running(1))
        .await;
    let stopped_id = source.task_worker(0).to_owned();
    let Some(stopped) = cluster.slot_of(&stopped_id) else {
        cluster.fail(format!(
            "the source task runs on an unknown worker: {source:?}"
        ))
    };
    cluster.terminate(stopped).await;
    write_lines(&input, N + 1..=N + M, line);
    cluster
        .wait_status("source", "RUNNING on another worker", |s| {
            s.running(1) && !s.workers().contains(stopped_id.as_str())
        })
        .await;
    cluster.assert_topic_exactly("lines", N + M).await;
    cluster
        .wait_for_lines(&output, N + M, Duration::from_secs(60))
        .await;

    // Everyone stops; three fresh processes with the same properties read both connectors
    // back from the config topic and carry on from the committed offsets.
    cluster.terminate_all().await;
    for slot in 0..3 {
        cluster.start_slot(slot);
    }
    for slot in 0..3 {
        cluster.wait_ready(slot).await;
    }
    cluster.wait_listed(&["sink", "source"]).await;
    cluster
        .wait_status("source", "RUNNING", |s| s.running(1))
        .await;
    cluster
        .wait_status("sink", "RUNNING", |s| s.running(1))
        .await;
    write_lines(&input, N + M + 1..=N + M + K, line);
    cluster.assert_topic_exactly("lines", N + M + K).await;
    let (lines, duplicates) = cluster
        .wait_for_lines(&output, N + M + K, Duration::from_secs(60))
        .await;
    println!("sink file: {lines} lines, {duplicates} duplicates");

    cluster.terminate_all().await;
    cluster.assert_no_double_runs();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_conflicting_config_writes_settle_on_one_config_everywhere() {
    let broker = require_broker!();
    let mut cluster = Cluster::start(&broker, "conflict", 3).await;
    broker.create_topic("conflict", 3).await.unwrap();
    // The group has formed and every worker follows the config topic.
    let warmup = cluster.path("warmup.out");
    cluster
        .put_config(0, "warmup", &file_sink(&warmup, "conflict", 1))
        .await;
    cluster.wait_listed(&["warmup"]).await;

    let configs: Vec<Value> = (0..3)
        .map(|i| {
            let mut config = file_sink(&cluster.path(&format!("x-{i}.out")), "conflict", i + 1);
            config["name"] = json!("x");
            config
        })
        .collect();
    let mut accepted = Vec::new();
    for round in 1..=10 {
        let answers = futures::future::join_all((0..3).map(|slot| {
            cluster.send(
                slot,
                Method::PUT,
                "/connectors/x/config",
                Some(&configs[slot]),
            )
        }))
        .await;
        for (slot, answer) in answers.iter().enumerate() {
            match answer {
                Ok((200 | 201, _)) => accepted.push(slot),
                Ok((409, _)) => {}
                other => cluster.fail(format!(
                    "round {round}: PUT /connectors/x/config on w{} answered {other:?}",
                    slot + 1
                )),
            }
        }
        println!("round {round}: {answers:?}");
        if !accepted.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    cluster.ensure(!accepted.is_empty(), || {
        "ten rounds of concurrent writes were all refused with 409".to_owned()
    });

    let config = cluster.wait_same("/connectors/x/config").await;
    let Some(winner) = accepted
        .iter()
        .copied()
        .find(|slot| configs[*slot] == config)
    else {
        cluster.fail(format!(
            "the config every worker reports, {config}, is none of the accepted ones \
             (from workers {accepted:?}): {configs:?}"
        ))
    };
    // The tasks follow the winning config too.
    cluster
        .wait_status("x", "RUNNING with the winner's tasks", |s| {
            s.running(winner + 1)
        })
        .await;
    let tasks = cluster.wait_same("/connectors/x/tasks").await;
    cluster.ensure(tasks.as_array().map(Vec::len) == Some(winner + 1), || {
        format!("GET /connectors/x/tasks answered {tasks} for config {config}")
    });

    cluster.terminate_all().await;
    cluster.assert_no_double_runs();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_worker_properties_make_the_worker_exit_naming_the_key() {
    let broker = require_broker!();
    let dir = tempfile::tempdir().unwrap();
    // (case, the key at fault, its value: None leaves the key out)
    let cases = [
        ("bogus-protocol", "connect.protocol", Some("bogus")),
        ("no-group", "group.id", None),
    ];
    for (name, key, value) in cases {
        let port = free_port();
        let mut properties: Vec<(String, String)> =
            worker_properties(&broker.bootstrap(), name, port)
                .into_iter()
                .filter(|(k, _)| k != key)
                .collect();
        if let Some(value) = value {
            properties.push((key.to_owned(), value.to_owned()));
        }
        let file =
            write_worker_properties(&dir.path().join(format!("{name}.properties")), &properties);
        let mut worker = Distributed::start(dir.path(), name, &file, port);
        let Some(status) = worker.wait_exit(Duration::from_secs(30)).await else {
            worker.kill9().await;
            panic!(
                "{name}: the worker still runs 30 s after starting with invalid properties; \
                 log:\n{}",
                worker.log_text()
            );
        };
        let log = worker.log_text();
        assert!(
            !status.success(),
            "{name}: exited with {status}; log:\n{log}"
        );
        assert!(
            log.contains(key),
            "{name}: the worker's output does not name {key}; log:\n{log}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_broker_is_reported_and_never_taken_for_a_running_cluster() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let closed = format!("127.0.0.1:{}", free_port());
    let port = free_port();
    let file = write_worker_properties(
        &dir.path().join("worker.properties"),
        &worker_properties(&closed, "unreachable", port),
    );
    let mut worker = Distributed::start(dir.path(), "unreachable", &file, port);
    let reported = |log: &str| {
        log.lines().map(strip_ansi).any(|line| {
            (line.contains(" ERROR ") || line.contains(" WARN ")) && line.contains(&closed)
        })
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = worker.exit_status() {
            let log = worker.log_text();
            assert!(!status.success(), "exited with {status}; log:\n{log}");
            assert!(
                log.contains(&closed),
                "exited with {status} without naming {closed}; log:\n{log}"
            );
            return;
        }
        if reported(&worker.log_text()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after 90 s the worker neither exited nor logged an error naming {closed}; log:\n{}",
            worker.log_text()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Still running and retrying: it must not accept work as if it belonged to a cluster.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let body = json!({"name": "nowhere", "config": file_source(&dir.path().join("in"), "t")});
    if let Ok(response) = client
        .post(format!("http://127.0.0.1:{port}/connectors"))
        .json(&body)
        .send()
        .await
    {
        let status = response.status();
        assert!(
            !status.is_success(),
            "a worker without a broker accepted a connector ({status}); log:\n{}",
            worker.log_text()
        );
    }
    if let Some(status) = worker.exit_status() {
        assert!(
            !status.success(),
            "exited with {status}; log:\n{}",
            worker.log_text()
        );
    }
    worker.kill9().await;
}

// ---------------------------------------------------------------------------------------------
// The log and status helpers themselves (no broker needed).
// ---------------------------------------------------------------------------------------------

#[test]
fn timestamps_parse_to_epoch_milliseconds() {
    assert_eq!(parse_timestamp_ms("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(parse_timestamp_ms("1970-01-01T00:00:01.5Z"), Some(1_500));
    assert_eq!(
        parse_timestamp_ms("2026-11-21T23:40:00.123456Z"),
        Some(1_795_304_400_123)
    );
    assert_eq!(
        parse_timestamp_ms("2026-11-22T00:40:00.123+01:00"),
        Some(1_795_304_400_123)
    );
    assert_eq!(
        parse_timestamp_ms("2000-02-29T12:00:00Z"),
        Some(951_825_600_000)
    );
    assert_eq!(parse_timestamp_ms("INFO"), None);
    assert_eq!(parse_timestamp_ms("2026-11-21T23:40:00.Z"), None);
}

#[test]
fn log_lines_become_runs_per_task_and_connector() {
    let log = "\
2026-11-21T23:40:00.100000Z  INFO connect_runtime::distributed::herder: starting connector connector=sink
2026-11-21T23:40:00.200000Z  INFO connect_runtime::distributed::herder: starting task task=sink-0
\u{1b}[2m2026-11-21T23:40:00.300000Z\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m \u{1b}[2mconnect_runtime::distributed::herder\u{1b}[0m\u{1b}[2m:\u{1b}[0m starting task \u{1b}[3mtask\u{1b}[0m\u{1b}[2m=\u{1b}[0msink-1
2026-11-21T23:40:00.350000Z  INFO herder{worker=127.0.0.1:1}: connect_runtime::distributed::herder: starting tasks count=2
2026-11-21T23:40:01.000000Z  INFO connect_runtime::distributed::herder: task stopped task=\"sink-0\" reason=revoked
2026-11-21T23:40:02.000000Z  INFO connect_runtime::distributed::herder: starting task task=sink-0
2026-11-21T23:40:03.000000Z  INFO connect_runtime::distributed::herder: connector stopped connector=sink
not a log line: starting task task=sink-9
";
    let tasks = runs(log, Item::Task);
    let at = |s: &str| parse_timestamp_ms(s).unwrap();
    assert_eq!(
        tasks,
        vec![
            Run {
                item: "sink-0".into(),
                start: at("2026-11-21T23:40:00.2Z"),
                end: Some(at("2026-11-21T23:40:01Z")),
            },
            Run {
                item: "sink-0".into(),
                start: at("2026-11-21T23:40:02Z"),
                end: None,
            },
            Run {
                item: "sink-1".into(),
                start: at("2026-11-21T23:40:00.3Z"),
                end: None,
            },
        ]
    );
    assert_eq!(
        runs(log, Item::Connector),
        vec![Run {
            item: "sink".into(),
            start: at("2026-11-21T23:40:00.1Z"),
            end: Some(at("2026-11-21T23:40:03Z")),
        }]
    );
}

#[test]
fn overlaps_are_allowed_only_after_a_kill_9_and_only_for_a_while() {
    let run = |item: &str, start: i64, end: Option<i64>| Run {
        item: item.into(),
        start,
        end,
    };
    let worker = |name: &str, runs: Vec<Run>, ended: Option<(i64, Ending)>| WorkerRuns {
        name: name.into(),
        runs,
        ended,
    };
    // A hand-over with a small clock skew is fine; a real overlap between live workers is not.
    let handover = [
        worker("a", vec![run("t-0", 0, Some(10_000))], None),
        worker("b", vec![run("t-0", 9_700, None)], None),
    ];
    assert!(double_runs(&handover, 20_000).is_empty());
    let twice = [
        worker("a", vec![run("t-0", 0, None)], None),
        worker("b", vec![run("t-0", 5_000, None)], None),
    ];
    let found = double_runs(&twice, 20_000);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("t-0"), "{found:?}");
    // A killed worker's run ends when it was killed; a replacement up to session timeout + 2 s
    // earlier than that (clock-wise) is tolerated, not more.
    let killed = |start_b: i64| {
        [
            worker(
                "a",
                vec![run("t-0", 0, None)],
                Some((10_000, Ending::Killed)),
            ),
            worker("b", vec![run("t-0", start_b, None)], None),
        ]
    };
    assert!(double_runs(&killed(16_000), 30_000).is_empty());
    assert!(double_runs(&killed(3_000), 30_000).is_empty());
    assert_eq!(double_runs(&killed(1_000), 30_000).len(), 1);
    // A SIGTERM'd worker without a stop line gets no such allowance.
    let terminated = [
        worker(
            "a",
            vec![run("t-0", 0, None)],
            Some((10_000, Ending::Terminated)),
        ),
        worker("b", vec![run("t-0", 8_000, None)], None),
    ];
    assert_eq!(double_runs(&terminated, 30_000).len(), 1);
    // Different items never conflict.
    let different = [
        worker("a", vec![run("t-0", 0, None)], None),
        worker("b", vec![run("t-1", 0, None)], None),
    ];
    assert!(double_runs(&different, 30_000).is_empty());
}

#[test]
fn statuses_parse_and_compare() {
    let body = json!({
        "name": "sink",
        "connector": {"state": "RUNNING", "worker_id": "127.0.0.1:1"},
        "tasks": [
            {"id": 1, "state": "RUNNING", "worker_id": "127.0.0.1:2"},
            {"id": 0, "state": "RUNNING", "worker_id": "127.0.0.1:1", "trace": null},
        ],
        "type": "sink",
    });
    let status = Status::parse(&body).unwrap();
    assert!(status.running(2));
    assert!(!status.running(3));
    assert_eq!(status.task_worker(1), "127.0.0.1:2");
    assert_eq!(
        status.load(),
        BTreeMap::from([("127.0.0.1:1", 1), ("127.0.0.1:2", 1)])
    );
    let mut failed = body.clone();
    failed["tasks"][0]["state"] = json!("FAILED");
    assert!(!Status::parse(&failed).unwrap().running(2));
    assert_ne!(Status::parse(&failed).unwrap(), status);
    assert!(Status::parse(&json!({"error_code": 404})).is_none());
}

#[test]
fn missing_and_duplicate_lines_are_counted() {
    let seen = ["line-000001", "line-000003", "line-000003", "junk"];
    let (missing, duplicates) = missing_and_duplicates(seen, 4);
    assert_eq!(missing, vec![2, 4]);
    assert_eq!(duplicates, 1);
    assert_eq!(line(100_000), "line-100000");
}

/// Pause, resume, stop, offsets, restart and delete, each sent to a different worker (so most
/// are forwarded to the leader), and each seen the same way on every worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_operations_through_any_worker_apply_to_the_whole_cluster() {
    let broker = require_broker!();
    let mut cluster = Cluster::start(&broker, "lifecycle", 3).await;
    broker.create_topic("ops", 4).await.unwrap();
    let input = cluster.path("ops.in");
    let output = cluster.path("ops.out");
    write_lines(&input, 1..=50, line);
    cluster
        .create(0, "ops-source", &file_source(&input, "ops"))
        .await;
    cluster
        .create(1, "ops-sink", &file_sink(&output, "ops", 2))
        .await;
    cluster
        .wait_status("ops-sink", "RUNNING with 2 tasks", |s| s.running(2))
        .await;
    cluster.wait_for_lines(&output, 50, SETTLE).await;

    // Pause through one worker: every worker shows the connector and its tasks PAUSED.
    let ((status, body), _) = cluster
        .write(2, Method::PUT, "/connectors/ops-sink/pause", None)
        .await;
    cluster.ensure(status == 202, || format!("pause answered {status} {body}"));
    cluster
        .wait_status("ops-sink", "PAUSED", |s| {
            s.connector.0 == "PAUSED" && s.tasks.values().all(|(state, _)| state == "PAUSED")
        })
        .await;
    let ((status, body), _) = cluster
        .write(0, Method::PUT, "/connectors/ops-sink/resume", None)
        .await;
    cluster.ensure(status == 202, || format!("resume answered {status} {body}"));
    cluster
        .wait_status("ops-sink", "RUNNING again", |s| s.running(2))
        .await;

    // Stop through a worker: no tasks anywhere, STOPPED everywhere; its offsets read anywhere.
    let ((status, body), _) = cluster
        .write(1, Method::PUT, "/connectors/ops-source/stop", None)
        .await;
    cluster.ensure(status == 204, || format!("stop answered {status} {body}"));
    cluster
        .wait_status("ops-source", "STOPPED without tasks", |s| {
            s.connector.0 == "STOPPED" && s.tasks.is_empty()
        })
        .await;
    let offsets = cluster.wait_same("/connectors/ops-source/offsets").await;
    let position = offsets["offsets"][0]["offset"]["position"].as_i64();
    let bytes = i64::try_from(std::fs::metadata(&input).unwrap().len()).unwrap();
    cluster.ensure(position == Some(bytes), || {
        format!("offsets of the stopped source: {offsets} (the file has {bytes} bytes)")
    });
    // Offsets of a stopped connector may be altered through any worker (here: set to what
    // they are, so the resumed source goes on where it stopped).
    let ((status, body), _) = cluster
        .write(
            0,
            Method::PATCH,
            "/connectors/ops-source/offsets",
            Some(&offsets),
        )
        .await;
    cluster.ensure(
        status == 200 && body.to_string().contains("altered successfully"),
        || format!("PATCH offsets answered {status} {body}"),
    );
    let ((status, body), _) = cluster
        .write(2, Method::PUT, "/connectors/ops-source/resume", None)
        .await;
    cluster.ensure(status == 202, || format!("resume answered {status} {body}"));
    cluster
        .wait_status("ops-source", "RUNNING with its task", |s| s.running(1))
        .await;
    write_lines(&input, 51..=60, line);
    cluster.wait_for_lines(&output, 60, SETTLE).await;
    cluster.assert_topic_exactly("ops", 60).await;

    // Restart with its tasks through a worker: everything comes back RUNNING.
    let ((status, body), _) = cluster
        .write(
            0,
            Method::POST,
            "/connectors/ops-sink/restart?includeTasks=true",
            None,
        )
        .await;
    cluster.ensure(status == 202, || {
        format!("restart answered {status} {body}")
    });
    cluster
        .wait_status("ops-sink", "RUNNING after the restart", |s| s.running(2))
        .await;

    // A task restarted through every worker: the ones not running it forward the request.
    for slot in 0..3 {
        let ((status, body), _) = cluster
            .write(
                slot,
                Method::POST,
                "/connectors/ops-sink/tasks/1/restart",
                None,
            )
            .await;
        cluster.ensure(status == 204, || {
            format!("task restart through worker {slot} answered {status} {body}")
        });
    }
    cluster
        .wait_status("ops-sink", "RUNNING after the task restarts", |s| {
            s.running(2)
        })
        .await;

    // Delete through a worker: gone from every worker, and its tasks stopped.
    let ((status, body), _) = cluster
        .write(2, Method::DELETE, "/connectors/ops-sink", None)
        .await;
    cluster.ensure(status == 204, || format!("delete answered {status} {body}"));
    cluster.wait_listed(&["ops-source"]).await;
    cluster
        .wait_all(
            "the sink is unknown everywhere",
            "/connectors/ops-sink/status",
            |answers| answers.values().all(|(code, _)| *code == 404).then_some(()),
        )
        .await;
    write_lines(&input, 61..=70, line);
    cluster.assert_topic_exactly("ops", 70).await;
    let lines = common::line_count(&output);
    cluster.ensure(lines == 60, || {
        format!("the deleted sink went on writing: {lines} lines")
    });

    cluster.terminate_all().await;
    cluster.assert_no_double_runs();
}
