//! Tests of the embedded log through the `Log` trait and its files on disk.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use connect_log::embedded::{EmbeddedLog, EmbeddedLogOptions, FsyncPolicy};
use connect_log::{Log, LogError, LogRecord, NewTopic, OffsetSpec, Partition, StoredRecord};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// No fsync (the tests do not cut power) and no time retention (test records carry 2023
/// timestamps).
fn options() -> EmbeddedLogOptions {
    EmbeddedLogOptions {
        fsync: FsyncPolicy::Never,
        retention: None,
        ..EmbeddedLogOptions::default()
    }
}

fn small_segments(segment_bytes: u64) -> EmbeddedLogOptions {
    EmbeddedLogOptions {
        segment_bytes,
        ..options()
    }
}

/// A record whose contents follow from `seed`, with a value of `len` bytes.
fn record(seed: u64, len: usize) -> LogRecord {
    let value: Vec<u8> = (0..len)
        .map(|i| (seed as usize * 31 + i * 7) as u8)
        .collect();
    LogRecord {
        key: Some(Bytes::from(format!("key-{seed}"))),
        value: Some(Bytes::from(value)),
        headers: vec![("seed".into(), Some(Bytes::from(seed.to_string())))],
        timestamp: 1_700_000_000_000 + seed as i64,
    }
}

async fn fetch_all(log: &dyn Log, partition: &Partition, from: i64) -> Vec<StoredRecord> {
    let latest = log.offset(partition, OffsetSpec::Latest).await.unwrap();
    let mut out = Vec::new();
    let mut next = from;
    while next < latest {
        let fetched = log
            .fetch(partition, next, 64 << 10, Duration::ZERO)
            .await
            .unwrap();
        assert!(
            !fetched.records.is_empty(),
            "no records at {next} below {latest}"
        );
        assert_eq!(
            fetched.records[0].offset, next,
            "fetch must start at the requested offset"
        );
        next = fetched.records.last().unwrap().offset + 1;
        out.extend(fetched.records);
    }
    out
}

fn segment_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

fn base_of(path: &Path) -> i64 {
    path.file_stem().unwrap().to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn round_trip_keeps_headers_nulls_and_empty_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    assert!(log.create_topic(&NewTopic::new("t", 1)).await.unwrap());
    let p = Partition::new("t", 0);
    let records = vec![
        LogRecord {
            key: None,
            value: None,
            headers: vec![],
            timestamp: -1,
        },
        LogRecord {
            key: Some(Bytes::new()),
            value: Some(Bytes::new()),
            headers: vec![
                ("h".into(), None),
                ("h".into(), Some(Bytes::from_static(b"second"))),
                ("".into(), Some(Bytes::new())),
                ("h".into(), None),
                ("ünï".into(), Some(Bytes::from_static(&[0, 255, 10]))),
            ],
            timestamp: 0,
        },
        LogRecord {
            key: Some(Bytes::from_static(b"k")),
            value: None,
            headers: vec![("a".into(), Some(Bytes::from_static(b"1")))],
            timestamp: i64::MAX,
        },
        LogRecord {
            key: None,
            value: Some(Bytes::from(vec![7u8; 100_000])),
            headers: vec![],
            timestamp: 1_700_000_000_000,
        },
    ];
    assert_eq!(
        log.append(&p, records.clone()).await.unwrap(),
        vec![0, 1, 2, 3]
    );
    assert_eq!(log.append(&p, vec![]).await.unwrap(), Vec::<i64>::new());
    let check = |stored: Vec<StoredRecord>| {
        assert_eq!(
            stored.iter().map(|r| r.offset).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
        let back: Vec<_> = stored.into_iter().map(|r| r.record).collect();
        assert_eq!(back, records);
        // Null and empty stay distinct.
        assert_eq!(back[0].key, None);
        assert_eq!(back[1].key, Some(Bytes::new()));
        assert_eq!(back[1].headers[0], ("h".to_string(), None));
    };
    let fetched = log.fetch(&p, 0, usize::MAX, Duration::ZERO).await.unwrap();
    assert_eq!(fetched.high_watermark, 4);
    check(fetched.records);
    drop(log);
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    check(fetch_all(&log, &p, 0).await);
    let fetched = log.fetch(&p, 2, usize::MAX, Duration::ZERO).await.unwrap();
    assert_eq!(fetched.records.len(), 2);
    assert_eq!(fetched.records[0].record, records[2]);
}

#[tokio::test]
async fn offsets_are_dense_across_appends_and_segment_rolls() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), small_segments(2000))
        .await
        .unwrap();
    log.create_topic(&NewTopic::new("t", 2)).await.unwrap();
    let p = Partition::new("t", 1);
    let mut expected = Vec::new();
    for batch in 0..60u64 {
        let n = 1 + (batch % 7) as usize;
        let records: Vec<_> = (0..n)
            .map(|i| {
                record(
                    expected.len() as u64 + i as u64,
                    20 + (batch as usize * 37) % 300,
                )
            })
            .collect();
        let offsets = log.append(&p, records.clone()).await.unwrap();
        let start = expected.len() as i64;
        assert_eq!(offsets, (start..start + n as i64).collect::<Vec<_>>());
        expected.extend(records);
    }
    let latest = expected.len() as i64;
    assert_eq!(log.offset(&p, OffsetSpec::Latest).await.unwrap(), latest);
    assert_eq!(log.offset(&p, OffsetSpec::Earliest).await.unwrap(), 0);
    // The other partition is untouched.
    assert_eq!(
        log.offset(&Partition::new("t", 0), OffsetSpec::Latest)
            .await
            .unwrap(),
        0
    );

    let pdir = dir.path().join("t-1");
    let logs = segment_files(&pdir, "log");
    assert!(
        logs.len() >= 10,
        "expected many segments, got {}",
        logs.len()
    );
    assert_eq!(base_of(&logs[0]), 0);
    // Closed segments have an index; the active one does not.
    assert_eq!(segment_files(&pdir, "index").len(), logs.len() - 1);
    for (file, next) in logs.iter().zip(logs.iter().skip(1)) {
        assert!(
            std::fs::metadata(file).unwrap().len() <= 2000 || base_of(next) - base_of(file) <= 7
        );
        assert!(base_of(next) > base_of(file));
    }
    let name = logs[0].file_name().unwrap().to_str().unwrap();
    assert_eq!(name, "00000000000000000000.log");

    let all = fetch_all(&log, &p, 0).await;
    assert_eq!(all.len(), expected.len());
    for (i, (stored, want)) in all.iter().zip(&expected).enumerate() {
        assert_eq!(stored.offset, i as i64);
        assert_eq!(&stored.record, want);
    }
    // Every offset can be fetched directly, including the first of each segment.
    for offset in 0..latest {
        let fetched = log.fetch(&p, offset, 1, Duration::ZERO).await.unwrap();
        assert_eq!(fetched.records.len(), 1);
        assert_eq!(fetched.records[0].offset, offset);
        assert_eq!(fetched.records[0].record, expected[offset as usize]);
    }
    // A large fetch spans segment boundaries.
    let fetched = log.fetch(&p, 0, 1 << 20, Duration::ZERO).await.unwrap();
    assert!(fetched.records.len() > 7);
    assert_eq!(
        fetched.records.iter().map(|r| r.offset).collect::<Vec<_>>(),
        (0..fetched.records.len() as i64).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn reopen_keeps_topics_configs_records_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    let opts = EmbeddedLogOptions {
        default_partitions: 3,
        ..options()
    };
    let log = EmbeddedLog::open(dir.path(), opts.clone()).await.unwrap();
    assert!(
        log.create_topic(&NewTopic::new("defaulted", -1))
            .await
            .unwrap()
    );
    let small = NewTopic::new("small", 1)
        .with_config("segment.bytes", "500")
        .with_config("retention.ms", "-1")
        .with_config("min.insync.replicas", "2");
    assert!(log.create_topic(&small).await.unwrap());
    assert!(
        log.create_topic(&NewTopic::new("connect-configs", 1).compacted())
            .await
            .unwrap()
    );
    assert!(
        !log.create_topic(&NewTopic::new("small", 4)).await.unwrap(),
        "existing topic"
    );
    let topics = log.list_topics().await.unwrap();
    let want: BTreeMap<String, i32> = [
        ("connect-configs".into(), 1),
        ("defaulted".into(), 3),
        ("small".into(), 1),
    ]
    .into();
    assert_eq!(topics, want);

    let sp = Partition::new("small", 0);
    for i in 0..10 {
        log.append(&sp, vec![record(i, 200)]).await.unwrap();
    }
    let segments_before = segment_files(&dir.path().join("small-0"), "log").len();
    assert!(
        segments_before >= 4,
        "segment.bytes=500 must roll, got {segments_before}"
    );
    let dp = Partition::new("defaulted", 2);
    log.append(&dp, vec![record(100, 10), record(101, 10)])
        .await
        .unwrap();
    log.commit_offsets("connect-sink", &[(dp.clone(), 2), (sp.clone(), 7)])
        .await
        .unwrap();
    assert!(log.describe().starts_with("embedded ("));
    drop(log);

    let meta = std::fs::read_to_string(dir.path().join("topics/small.json")).unwrap();
    assert!(meta.contains("\"segment.bytes\": \"500\""), "{meta}");

    // Reopened with different defaults: the topic's own configs still apply.
    let log = EmbeddedLog::open(
        dir.path(),
        EmbeddedLogOptions {
            segment_bytes: 1 << 30,
            ..opts
        },
    )
    .await
    .unwrap();
    assert_eq!(log.recovered_bytes(), 0);
    assert_eq!(log.list_topics().await.unwrap(), want);
    assert_eq!(log.partition_count("defaulted").await.unwrap(), Some(3));
    assert_eq!(log.partition_count("missing").await.unwrap(), None);
    let records = fetch_all(&log, &sp, 0).await;
    assert_eq!(
        records.into_iter().map(|r| r.record).collect::<Vec<_>>(),
        (0..10).map(|i| record(i, 200)).collect::<Vec<_>>()
    );
    let records = fetch_all(&log, &dp, 0).await;
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].record, record(101, 10));
    for i in 10..14 {
        assert_eq!(
            log.append(&sp, vec![record(i, 200)]).await.unwrap(),
            vec![i as i64]
        );
    }
    assert!(segment_files(&dir.path().join("small-0"), "log").len() >= segments_before + 3);
    let committed = log
        .committed_offsets("connect-sink", &[dp.clone(), sp.clone()])
        .await
        .unwrap();
    assert_eq!(committed, HashMap::from([(dp, 2), (sp, 7)]));
}

/// Appends `batches` batches of 3 records to `t-0` and returns the segment file's length after
/// each append.
async fn fill(log: &EmbeddedLog, batches: u64, file: &Path) -> Vec<u64> {
    let p = Partition::new("t", 0);
    let mut lengths = Vec::new();
    for b in 0..batches {
        log.append(&p, (0..3).map(|i| record(b * 3 + i, 50)).collect())
            .await
            .unwrap();
        lengths.push(std::fs::metadata(file).unwrap().len());
    }
    lengths
}

async fn check_intact(log: &EmbeddedLog, count: u64) {
    let p = Partition::new("t", 0);
    assert_eq!(
        log.offset(&p, OffsetSpec::Latest).await.unwrap(),
        count as i64
    );
    let all = fetch_all(log, &p, 0).await;
    assert_eq!(
        all.into_iter().map(|r| r.record).collect::<Vec<_>>(),
        (0..count).map(|i| record(i, 50)).collect::<Vec<_>>()
    );
    // The next append continues right after the last complete record, and reads back.
    let next = log.append(&p, vec![record(count, 50)]).await.unwrap();
    assert_eq!(next, vec![count as i64]);
    let fetched = log
        .fetch(&p, count as i64, 1 << 20, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(fetched.records[0].record, record(count, 50));
}

/// `check_intact`, then reopens: the recovered log opens clean, with the appended record.
async fn check_intact_and_reopen(log: EmbeddedLog, dir: &Path, count: u64) {
    check_intact(&log, count).await;
    drop(log);
    let log = EmbeddedLog::open(dir, options()).await.unwrap();
    assert_eq!(log.recovered_bytes(), 0, "a recovered log opens clean");
    check_intact(&log, count + 1).await;
}

#[tokio::test]
async fn torn_tail_with_garbage_is_truncated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t-0/00000000000000000000.log");
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
    let lengths = fill(&log, 10, &file).await;
    drop(log);
    let garbage: Vec<u8> = (0..37u8).map(|i| i.wrapping_mul(71)).collect();
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.extend_from_slice(&garbage);
    std::fs::write(&file, &bytes).unwrap();

    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    assert_eq!(log.recovered_bytes(), 37);
    assert_eq!(std::fs::metadata(&file).unwrap().len(), lengths[9]);
    check_intact(&log, 30).await;
    drop(log);
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    assert_eq!(log.recovered_bytes(), 0, "a recovered log opens clean");
}

#[tokio::test]
async fn torn_tail_cut_mid_frame_is_truncated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t-0/00000000000000000000.log");
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
    let lengths = fill(&log, 10, &file).await;
    drop(log);
    // Cut the last frame in its middle: its 3 records are gone, the 27 before stay.
    let cut = lengths[8] + (lengths[9] - lengths[8]) / 2;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .unwrap()
        .set_len(cut)
        .unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    assert_eq!(log.recovered_bytes(), cut - lengths[8]);
    check_intact_and_reopen(log, dir.path(), 27).await;
}

#[tokio::test]
async fn corrupt_byte_in_last_frame_is_truncated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t-0/00000000000000000000.log");
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
    let lengths = fill(&log, 5, &file).await;
    drop(log);
    let mut bytes = std::fs::read(&file).unwrap();
    let at = (lengths[3] + 40) as usize;
    bytes[at] ^= 0x40;
    std::fs::write(&file, &bytes).unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    assert_eq!(log.recovered_bytes(), lengths[4] - lengths[3]);
    check_intact_and_reopen(log, dir.path(), 12).await;
}

#[tokio::test]
async fn missing_or_stale_indexes_are_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), small_segments(600))
        .await
        .unwrap();
    log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
    let p = Partition::new("t", 0);
    for i in 0..40 {
        log.append(&p, vec![record(i, 100)]).await.unwrap();
    }
    drop(log);
    let pdir = dir.path().join("t-0");
    let indexes = segment_files(&pdir, "index");
    assert!(indexes.len() >= 5);
    std::fs::remove_file(&indexes[0]).unwrap();
    std::fs::write(&indexes[1], b"not an index").unwrap();
    let mut bytes = std::fs::read(&indexes[2]).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&indexes[2], bytes).unwrap();
    let log = EmbeddedLog::open(dir.path(), small_segments(600))
        .await
        .unwrap();
    assert_eq!(log.recovered_bytes(), 0);
    let all = fetch_all(&log, &p, 0).await;
    assert_eq!(
        all.into_iter().map(|r| r.record).collect::<Vec<_>>(),
        (0..40).map(|i| record(i, 100)).collect::<Vec<_>>()
    );
    for offset in [0, 3, 7, 19, 39] {
        let fetched = log.fetch(&p, offset, 1, Duration::ZERO).await.unwrap();
        assert_eq!(fetched.records[0].record, record(offset as u64, 100));
    }
}

#[tokio::test]
async fn corrupt_closed_segment_truncates_the_log_there() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), small_segments(600))
        .await
        .unwrap();
    log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
    let p = Partition::new("t", 0);
    for i in 0..20 {
        log.append(&p, vec![record(i, 100)]).await.unwrap();
    }
    drop(log);
    let pdir = dir.path().join("t-0");
    let logs = segment_files(&pdir, "log");
    assert!(logs.len() >= 4);
    // Damage the second segment's last frame, and drop its index so it is scanned.
    let victim = &logs[1];
    let mut bytes = std::fs::read(victim).unwrap();
    let len = bytes.len();
    bytes[len - 5] ^= 0xff;
    std::fs::write(victim, bytes).unwrap();
    std::fs::remove_file(victim.with_extension("index")).unwrap();
    let later: u64 = logs[2..]
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();

    let log = EmbeddedLog::open(dir.path(), small_segments(600))
        .await
        .unwrap();
    assert!(log.recovered_bytes() > later);
    let latest = log.offset(&p, OffsetSpec::Latest).await.unwrap();
    assert!(
        latest > base_of(victim) && latest < base_of(&logs[2]),
        "latest {latest}"
    );
    assert_eq!(segment_files(&pdir, "log").len(), 2);
    let all = fetch_all(&log, &p, 0).await;
    assert_eq!(
        all.into_iter().map(|r| r.record).collect::<Vec<_>>(),
        (0..latest as u64)
            .map(|i| record(i, 100))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        log.append(&p, vec![record(99, 10)]).await.unwrap(),
        vec![latest]
    );
}

const KILL_CHILD_DIR: &str = "CONNECT_LOG_KILL_TEST_DIR";

fn kill_record(partition: i32, offset: i64) -> LogRecord {
    let seed = offset as u64 * 2 + partition as u64;
    record(seed, 10 + (offset as usize * 13) % 990)
}

/// Not a test on its own: the child process of `kill_minus_nine_keeps_every_acknowledged_record`,
/// which runs this binary with `KILL_CHILD_DIR` set. It appends forever, printing every
/// acknowledged offset.
#[test]
fn kill_minus_nine_child() {
    let Ok(dir) = std::env::var(KILL_CHILD_DIR) else {
        return;
    };
    // A failed assertion in an appending task stops the child, so the parent notices.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("{info}");
        std::process::abort();
    }));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let opts = EmbeddedLogOptions {
            segment_bytes: 256 << 10,
            ..options()
        };
        let log = EmbeddedLog::open(dir, opts).await.unwrap();
        log.create_topic(&NewTopic::new("t", 2)).await.unwrap();
        let tasks: Vec<_> = (0..2)
            .map(|partition| {
                let log = log.clone();
                tokio::spawn(async move {
                    let p = Partition::new("t", partition);
                    let mut next = 0i64;
                    loop {
                        let n = 1 + (next % 40);
                        let batch = (next..next + n)
                            .map(|o| kill_record(partition, o))
                            .collect();
                        let offsets = log.append(&p, batch).await.unwrap();
                        assert_eq!(offsets, (next..next + n).collect::<Vec<_>>());
                        next += n;
                        println!("ACK {partition} {}", next - 1);
                    }
                })
            })
            .collect();
        drop(tasks);
        std::future::pending::<()>().await;
    });
}

#[test]
fn kill_minus_nine_keeps_every_acknowledged_record() {
    if std::env::var(KILL_CHILD_DIR).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "kill_minus_nine_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(KILL_CHILD_DIR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let parse = |line: &str| -> Option<(usize, i64)> {
        let mut parts = line.strip_prefix("ACK ")?.split(' ');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    let mut acked = [-1i64; 2];
    let mut acks = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while acks < 400 || acked.iter().any(|a| *a < 0) {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the child stopped acknowledging appends");
        if let Some((p, offset)) = parse(&line) {
            assert!(offset > acked[p]);
            acked[p] = offset;
            acks += 1;
        }
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9), "{status:?}");
    // Acknowledgements printed before the kill count too.
    reader.join().unwrap();
    for line in rx.try_iter() {
        if let Some((p, offset)) = parse(&line) {
            acked[p] = acked[p].max(offset);
        }
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let opts = EmbeddedLogOptions {
            segment_bytes: 256 << 10,
            ..options()
        };
        let log = EmbeddedLog::open(dir.path(), opts).await.unwrap();
        eprintln!("acked {acked:?}, recovered {} bytes", log.recovered_bytes());
        for (partition, last_acked) in acked.into_iter().enumerate() {
            let p = Partition::new("t", partition as i32);
            let latest = log.offset(&p, OffsetSpec::Latest).await.unwrap();
            assert!(
                latest > last_acked,
                "partition {partition}: latest {latest}, acked {last_acked}"
            );
            // Every record is present and intact: acknowledged ones, and any complete batch
            // written just before the kill.
            let all = fetch_all(&log, &p, 0).await;
            assert_eq!(all.len() as i64, latest);
            for stored in &all {
                assert_eq!(
                    stored.record,
                    kill_record(partition as i32, stored.offset),
                    "offset {}",
                    stored.offset
                );
            }
            let next = log
                .append(&p, vec![kill_record(partition as i32, latest)])
                .await
                .unwrap();
            assert_eq!(next, vec![latest]);
        }
    });
}

#[tokio::test]
async fn fetch_at_high_watermark_waits_for_an_append() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
    let p = Partition::new("t", 0);
    log.append(&p, vec![record(0, 10)]).await.unwrap();

    let waiting = {
        let log = log.clone();
        let p = p.clone();
        tokio::spawn(async move {
            let start = Instant::now();
            let fetched = log
                .fetch(&p, 1, 1 << 20, Duration::from_secs(20))
                .await
                .unwrap();
            (fetched, start.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the fetch must wait for an append");
    log.append(&p, vec![record(1, 10), record(2, 10)])
        .await
        .unwrap();
    let (fetched, elapsed) = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .unwrap()
        .unwrap();
    // Woken by the append, long before its 20 s wait.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(fetched.high_watermark, 3);
    assert_eq!(
        fetched.records.iter().map(|r| r.offset).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(fetched.records[1].record, record(2, 10));
}

#[tokio::test]
async fn fetch_at_high_watermark_times_out_empty() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    log.create_topic(&NewTopic::new("t", 2)).await.unwrap();
    let p = Partition::new("t", 0);
    let start = Instant::now();
    let fetched = log
        .fetch(&p, 0, 1 << 20, Duration::from_millis(300))
        .await
        .unwrap();
    let elapsed = start.elapsed();
    assert!(fetched.records.is_empty());
    assert_eq!(fetched.high_watermark, 0);
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    // An append to another partition does not wake it.
    let other = {
        let log = log.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            log.append(&Partition::new("t", 1), vec![record(0, 10)])
                .await
                .unwrap();
        })
    };
    let fetched = log
        .fetch(&p, 0, 1 << 20, Duration::from_millis(300))
        .await
        .unwrap();
    assert!(fetched.records.is_empty());
    other.await.unwrap();
    // Zero wait returns at once.
    let start = Instant::now();
    log.fetch(&p, 0, 1 << 20, Duration::ZERO).await.unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "a zero wait does not wait"
    );
}

#[tokio::test]
async fn fetch_respects_max_bytes_but_returns_at_least_one_record() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
    let p = Partition::new("t", 0);
    let big = LogRecord {
        value: Some(Bytes::from(vec![1u8; 1000])),
        ..LogRecord::default()
    };
    log.append(&p, vec![big.clone(); 10]).await.unwrap();
    let one = log.fetch(&p, 4, 10, Duration::ZERO).await.unwrap();
    assert_eq!(one.records.len(), 1);
    assert_eq!(one.records[0].offset, 4);
    assert_eq!(one.records[0].record, big);
    // Each record takes 1020 bytes: 3 fit in 3500.
    let three = log.fetch(&p, 2, 3500, Duration::ZERO).await.unwrap();
    assert_eq!(
        three.records.iter().map(|r| r.offset).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    let rest = log.fetch(&p, 2, 1 << 20, Duration::ZERO).await.unwrap();
    assert_eq!(rest.records.len(), 8);
    assert_eq!(rest.high_watermark, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_to_many_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let log: Arc<dyn Log> = Arc::new(
        EmbeddedLog::open(dir.path(), small_segments(64 << 10))
            .await
            .unwrap(),
    );
    const PARTITIONS: i32 = 8;
    const TASKS: u64 = 32;
    const BATCHES: u64 = 40;
    const BATCH: u64 = 25;
    log.create_topic(&NewTopic::new("t", PARTITIONS))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let log = log.clone();
            tokio::spawn(async move {
                let p = Partition::new("t", (task % PARTITIONS as u64) as i32);
                let mut offsets = Vec::new();
                for b in 0..BATCHES {
                    let batch = (0..BATCH)
                        .map(|i| record(task * 1_000_000 + b * BATCH + i, 40))
                        .collect();
                    let got = log.append(&p, batch).await.unwrap();
                    assert_eq!(got.len(), BATCH as usize);
                    assert!(
                        got.windows(2).all(|w| w[1] == w[0] + 1),
                        "a batch gets consecutive offsets"
                    );
                    offsets.extend(got);
                }
                (task, offsets)
            })
        })
        .collect();
    let mut by_offset: HashMap<Partition, HashMap<i64, u64>> = HashMap::new();
    for t in tasks {
        let (task, offsets) = t.await.unwrap();
        let p = Partition::new("t", (task % PARTITIONS as u64) as i32);
        assert!(
            offsets.windows(2).all(|w| w[1] > w[0]),
            "one task's appends keep their order"
        );
        for (i, offset) in offsets.into_iter().enumerate() {
            let previous = by_offset
                .entry(p.clone())
                .or_default()
                .insert(offset, task * 1_000_000 + i as u64);
            assert!(previous.is_none(), "offset {offset} of {p} given twice");
        }
    }
    let per_partition = (TASKS / PARTITIONS as u64 * BATCHES * BATCH) as i64;
    for partition in 0..PARTITIONS {
        let p = Partition::new("t", partition);
        assert_eq!(
            log.offset(&p, OffsetSpec::Latest).await.unwrap(),
            per_partition
        );
        let all = fetch_all(log.as_ref(), &p, 0).await;
        assert_eq!(all.len() as i64, per_partition);
        let seeds = &by_offset[&p];
        let mut seen = HashSet::new();
        for stored in all {
            assert_eq!(stored.record, record(seeds[&stored.offset], 40));
            assert!(seen.insert(seeds[&stored.offset]));
        }
    }
}

#[tokio::test]
async fn group_offsets_persist_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    log.create_topic(&NewTopic::new("a", 2)).await.unwrap();
    log.create_topic(&NewTopic::new("b", 1)).await.unwrap();
    let (a0, a1, b0) = (
        Partition::new("a", 0),
        Partition::new("a", 1),
        Partition::new("b", 0),
    );
    let long = "g/".repeat(300);
    let groups = [
        "connect-sink",
        "a/b",
        "../../etc",
        ".",
        "",
        "ünï côdé",
        "a%2Fb",
        long.as_str(),
    ];
    for (i, group) in groups.iter().enumerate() {
        let i = i as i64;
        log.commit_offsets(group, &[(a0.clone(), i), (b0.clone(), 100 + i)])
            .await
            .unwrap();
    }
    // A later commit overwrites one partition and keeps the others.
    log.commit_offsets("a/b", &[(a0.clone(), 42), (a1.clone(), 7)])
        .await
        .unwrap();
    log.commit_offsets("connect-sink", &[]).await.unwrap();
    let missing = Partition::new("missing", 0);
    assert!(matches!(
        log.commit_offsets("connect-sink", &[(missing.clone(), 1)]).await,
        Err(LogError::UnknownPartition(p)) if p == "missing-0"
    ));
    drop(log);
    for entry in std::fs::read_dir(dir.path().join("groups")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            name.starts_with("group-") && name.ends_with(".json") && name.len() <= 255,
            "{name}"
        );
        assert!(!name.contains('/') && !name.contains(".."), "{name}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path().join("groups"))
            .unwrap()
            .count(),
        groups.len()
    );

    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    let all = [a0.clone(), a1.clone(), b0.clone(), missing];
    for (i, group) in groups.iter().enumerate() {
        let i = i as i64;
        let got = log.committed_offsets(group, &all).await.unwrap();
        let want = if *group == "a/b" {
            HashMap::from([(a0.clone(), 42), (a1.clone(), 7), (b0.clone(), 100 + i)])
        } else {
            HashMap::from([(a0.clone(), i), (b0.clone(), 100 + i)])
        };
        assert_eq!(got, want, "group {group:?}");
    }
    assert!(
        log.committed_offsets("never-committed", &all)
            .await
            .unwrap()
            .is_empty()
    );
    let only = log
        .committed_offsets("a/b", std::slice::from_ref(&a1))
        .await
        .unwrap();
    assert_eq!(only, HashMap::from([(a1, 7)]));
}

#[tokio::test]
async fn deleted_group_offsets_stay_deleted_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    log.create_topic(&NewTopic::new("a", 3)).await.unwrap();
    let p = |n| Partition::new("a", n);
    let all = [p(0), p(1), p(2)];
    log.commit_offsets("sink", &[(p(0), 10), (p(1), 11), (p(2), 12)])
        .await
        .unwrap();
    log.commit_offsets("other", &[(p(0), 5), (p(1), 6)])
        .await
        .unwrap();

    log.delete_committed_offsets("sink", &[p(0), p(2)])
        .await
        .unwrap();
    assert_eq!(
        log.committed_offsets("sink", &all).await.unwrap(),
        HashMap::from([(p(1), 11)])
    );
    // Other groups keep theirs.
    assert_eq!(
        log.committed_offsets("other", &all).await.unwrap(),
        HashMap::from([(p(0), 5), (p(1), 6)])
    );
    // Deleting offsets that are not there (again, or of a group that never committed, or
    // nothing at all) is fine.
    log.delete_committed_offsets("sink", &[p(0)]).await.unwrap();
    log.delete_committed_offsets("never-committed", &[p(0)])
        .await
        .unwrap();
    log.delete_committed_offsets("sink", &[]).await.unwrap();
    // Unknown partitions are errors, as for commits, and nothing is deleted.
    let missing = Partition::new("missing", 0);
    assert!(matches!(
        log.delete_committed_offsets("sink", &[p(1), missing.clone()]).await,
        Err(LogError::UnknownPartition(m)) if m == "missing-0"
    ));
    assert!(matches!(
        log.delete_committed_offsets("sink", &[p(3)]).await,
        Err(LogError::UnknownPartition(m)) if m == "a-3"
    ));
    assert_eq!(
        log.committed_offsets("sink", &all).await.unwrap(),
        HashMap::from([(p(1), 11)])
    );
    // A commit after a delete brings the partition back.
    log.commit_offsets("sink", &[(p(2), 20)]).await.unwrap();
    log.delete_committed_offsets("other", &[p(0), p(1)])
        .await
        .unwrap();
    drop(log);

    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    assert_eq!(
        log.committed_offsets("sink", &all).await.unwrap(),
        HashMap::from([(p(1), 11), (p(2), 20)])
    );
    assert!(
        log.committed_offsets("other", &all)
            .await
            .unwrap()
            .is_empty()
    );
    // No temporary files were left behind.
    for entry in std::fs::read_dir(dir.path().join("groups")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(name.ends_with(".json"), "{name}");
    }
}

#[tokio::test]
async fn retention_by_size_deletes_oldest_segments() {
    let dir = tempfile::tempdir().unwrap();
    let opts = EmbeddedLogOptions {
        retention_bytes: Some(3000),
        retention: None,
        ..small_segments(1000)
    };
    let log = EmbeddedLog::open(dir.path(), opts).await.unwrap();
    log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
    log.create_topic(&NewTopic::new("kept", 1).with_config("retention.bytes", "-1"))
        .await
        .unwrap();
    let (p, kept) = (Partition::new("t", 0), Partition::new("kept", 0));
    for i in 0..100 {
        log.append(&p, vec![record(i, 100)]).await.unwrap();
        log.append(&kept, vec![record(i, 100)]).await.unwrap();
    }
    log.enforce_retention().await.unwrap();
    let pdir = dir.path().join("t-0");
    let logs = segment_files(&pdir, "log");
    let sizes: Vec<u64> = logs
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .collect();
    let total: u64 = sizes.iter().sum();
    // Deleting the oldest remaining segment would go below the limit.
    assert!(total - sizes[0] < 3000, "sizes {sizes:?}");
    assert!(total >= 3000 || logs.len() == 1, "sizes {sizes:?}");
    let earliest = log.offset(&p, OffsetSpec::Earliest).await.unwrap();
    assert!(earliest > 50, "earliest {earliest}");
    assert_eq!(earliest, base_of(&logs[0]));
    assert_eq!(
        segment_files(&pdir, "index").len(),
        logs.len() - 1,
        "indexes go with their segments"
    );
    assert_eq!(log.offset(&p, OffsetSpec::Latest).await.unwrap(), 100);
    let rest = fetch_all(&log, &p, earliest).await;
    assert_eq!(rest.len() as i64, 100 - earliest);
    assert_eq!(rest[0].record, record(earliest as u64, 100));
    match log.fetch(&p, 0, 1 << 20, Duration::ZERO).await {
        Err(LogError::OffsetOutOfRange {
            earliest: e,
            latest: 100,
            offset: 0,
            ..
        }) => assert_eq!(e, earliest),
        other => panic!("expected OffsetOutOfRange, got {other:?}"),
    }
    assert_eq!(log.offset(&kept, OffsetSpec::Earliest).await.unwrap(), 0);
    // The earliest offset stays where retention left it after a reopen.
    drop(log);
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    assert_eq!(
        log.offset(&p, OffsetSpec::Earliest).await.unwrap(),
        earliest
    );
}

#[tokio::test]
async fn retention_by_time_uses_record_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let opts = EmbeddedLogOptions {
        retention: Some(Duration::from_secs(3600)),
        ..small_segments(600)
    };
    let log = EmbeddedLog::open(dir.path(), opts).await.unwrap();
    log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
    log.create_topic(&NewTopic::new("compacted", 1).compacted())
        .await
        .unwrap();
    log.create_topic(&NewTopic::new("forever", 1).with_config("retention.ms", "-1"))
        .await
        .unwrap();
    log.create_topic(&NewTopic::new("short", 1).with_config("retention.ms", "60000"))
        .await
        .unwrap();
    let now = now_ms();
    // Each batch (~650 bytes) fills a 600-byte segment: one batch per segment.
    let batch = |first: u64, timestamp: i64| -> Vec<LogRecord> {
        (first..first + 5)
            .map(|i| LogRecord {
                timestamp,
                ..record(i, 100)
            })
            .collect()
    };
    for name in ["t", "compacted", "forever", "short"] {
        let p = Partition::new(name, 0);
        for b in 0..5 {
            log.append(&p, batch(b * 5, now - 2 * 3600 * 1000))
                .await
                .unwrap();
        }
        log.append(&p, batch(25, now - 30 * 60 * 1000))
            .await
            .unwrap(); // 30 minutes old
        log.append(&p, batch(30, now)).await.unwrap();
        log.append(&p, batch(35, now)).await.unwrap();
    }
    log.enforce_retention().await.unwrap();
    let earliest = |name: &'static str| {
        let log = log.clone();
        async move {
            log.offset(&Partition::new(name, 0), OffsetSpec::Earliest)
                .await
                .unwrap()
        }
    };
    assert_eq!(earliest("t").await, 25, "segments older than 1 h are gone");
    assert_eq!(
        earliest("short").await,
        30,
        "the topic's retention.ms overrides the default"
    );
    assert_eq!(
        earliest("compacted").await,
        0,
        "compacted topics are never deleted by retention"
    );
    assert_eq!(earliest("forever").await, 0);
    assert_eq!(
        base_of(&segment_files(&dir.path().join("t-0"), "log")[0]),
        25
    );
    let p = Partition::new("t", 0);
    let rest = fetch_all(&log, &p, 25).await;
    assert_eq!(rest.len(), 15);
    assert!(matches!(
        log.fetch(&p, 24, 100, Duration::ZERO).await,
        Err(LogError::OffsetOutOfRange { earliest: 25, .. })
    ));
    // The active segment is never deleted, however old.
    log.create_topic(&NewTopic::new("old", 1).with_config("retention.ms", "60000"))
        .await
        .unwrap();
    let old = Partition::new("old", 0);
    log.append(&old, batch(0, 0)).await.unwrap();
    assert_eq!(log.enforce_retention().await.unwrap(), 0);
    assert_eq!(earliest("old").await, 0);
    assert_eq!(fetch_all(&log, &old, 0).await.len(), 5);
    // Once it is closed, it goes.
    log.append(&old, batch(5, 0)).await.unwrap();
    log.enforce_retention().await.unwrap();
    assert_eq!(earliest("old").await, 5);
    assert_eq!(log.offset(&old, OffsetSpec::Latest).await.unwrap(), 10);
}

#[tokio::test]
async fn out_of_range_offsets_and_unknown_partitions_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    log.create_topic(&NewTopic::new("t", 2)).await.unwrap();
    let p = Partition::new("t", 1);
    log.append(&p, vec![record(0, 10), record(1, 10)])
        .await
        .unwrap();
    for offset in [3, 100, -1] {
        match log.fetch(&p, offset, 1 << 20, Duration::from_secs(5)).await {
            Err(LogError::OffsetOutOfRange {
                partition,
                offset: o,
                earliest: 0,
                latest: 2,
            }) => {
                assert_eq!(partition, p);
                assert_eq!(o, offset);
            }
            other => panic!("offset {offset}: expected OffsetOutOfRange, got {other:?}"),
        }
    }
    for (topic, partition) in [("nope", 0), ("t", 2), ("t", -1)] {
        let unknown = Partition::new(topic, partition);
        let name = format!("{topic}-{partition}");
        let is_unknown =
            |r: Result<(), LogError>| matches!(r, Err(LogError::UnknownPartition(n)) if n == name);
        assert!(is_unknown(
            log.append(&unknown, vec![record(0, 1)]).await.map(drop)
        ));
        assert!(is_unknown(
            log.fetch(&unknown, 0, 1, Duration::ZERO).await.map(drop)
        ));
        assert!(is_unknown(
            log.offset(&unknown, OffsetSpec::Earliest).await.map(drop)
        ));
        assert!(is_unknown(
            log.commit_offsets("g", &[(unknown.clone(), 0)]).await
        ));
    }
    let err = log
        .append(&Partition::new("nope", 0), vec![])
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "unknown topic or partition nope-0");
}

#[tokio::test]
async fn invalid_topics_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    let long = "x".repeat(250);
    for name in [
        "",
        ".",
        "..",
        "a b",
        "a/b",
        "../escape",
        "tab\t",
        "ünï",
        long.as_str(),
    ] {
        match log.create_topic(&NewTopic::new(name, 1)).await {
            Err(LogError::Invalid(message)) => assert!(message.contains("topic name"), "{message}"),
            other => panic!("{name:?}: expected Invalid, got {other:?}"),
        }
    }
    assert!(
        log.create_topic(&NewTopic::new("x".repeat(249), 1))
            .await
            .unwrap()
    );
    for partitions in [0, -2, 100_001] {
        match log.create_topic(&NewTopic::new("t", partitions)).await {
            Err(LogError::Invalid(message)) => assert!(message.contains("partitions"), "{message}"),
            other => panic!("{partitions}: expected Invalid, got {other:?}"),
        }
    }
    for (key, value) in [
        ("retention.ms", "soon"),
        ("segment.bytes", "0"),
        ("cleanup.policy", "shred"),
    ] {
        match log
            .create_topic(&NewTopic::new("t", 1).with_config(key, value))
            .await
        {
            Err(LogError::Invalid(message)) => assert!(message.contains(key), "{message}"),
            other => panic!("{key}={value}: expected Invalid, got {other:?}"),
        }
    }
    assert_eq!(
        log.list_topics().await.unwrap().len(),
        1,
        "nothing invalid was created"
    );
    assert!(!dir.path().join("t-0").exists());
}

#[tokio::test]
async fn a_directory_is_opened_by_one_log_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let log = EmbeddedLog::open(dir.path(), options()).await.unwrap();
    let err = EmbeddedLog::open(dir.path(), options()).await.unwrap_err();
    assert!(err.to_string().contains("already open"), "{err}");
    let clone = log.clone();
    drop(log);
    assert!(
        EmbeddedLog::open(dir.path(), options()).await.is_err(),
        "a clone keeps it open"
    );
    drop(clone);
    EmbeddedLog::open(dir.path(), options()).await.unwrap();
}

#[tokio::test]
async fn every_fsync_policy_round_trips() {
    for fsync in [
        FsyncPolicy::Always,
        FsyncPolicy::Interval(Duration::from_millis(20)),
        FsyncPolicy::Never,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let opts = EmbeddedLogOptions {
            fsync,
            ..small_segments(500)
        };
        let log = EmbeddedLog::open(dir.path(), opts.clone()).await.unwrap();
        log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
        let p = Partition::new("t", 0);
        for i in 0..10 {
            log.append(&p, vec![record(i, 100)]).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
        log.flush().await.unwrap();
        log.commit_offsets("g", &[(p.clone(), 10)]).await.unwrap();
        drop(log);
        let log = EmbeddedLog::open(dir.path(), opts).await.unwrap();
        let all = fetch_all(&log, &p, 0).await;
        assert_eq!(
            all.into_iter().map(|r| r.record).collect::<Vec<_>>(),
            (0..10).map(|i| record(i, 100)).collect::<Vec<_>>(),
            "{fsync:?}"
        );
        assert_eq!(
            log.committed_offsets("g", std::slice::from_ref(&p))
                .await
                .unwrap()[&p],
            10
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let zero = EmbeddedLogOptions {
        fsync: FsyncPolicy::Interval(Duration::ZERO),
        ..options()
    };
    assert!(matches!(
        EmbeddedLog::open(dir.path(), zero).await,
        Err(LogError::Invalid(_))
    ));
}

#[tokio::test]
async fn sparse_index_finds_every_offset_before_and_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let opts = small_segments(256 << 10);
    let log = EmbeddedLog::open(dir.path(), opts.clone()).await.unwrap();
    log.create_topic(&NewTopic::new("t", 1)).await.unwrap();
    let p = Partition::new("t", 0);
    // Many small frames: the sparse index of each segment has many entries.
    for i in 0..3000u64 {
        let n = 1 + (i % 3) as usize;
        let batch = (0..n).map(|j| record(i * 10 + j as u64, 60)).collect();
        log.append(&p, batch).await.unwrap();
    }
    let expected: Vec<LogRecord> = (0..3000u64)
        .flat_map(|i| (0..1 + (i % 3)).map(move |j| record(i * 10 + j, 60)))
        .collect();
    assert!(segment_files(&dir.path().join("t-0"), "log").len() >= 2);
    async fn check(log: &EmbeddedLog, p: &Partition, expected: &[LogRecord]) {
        let last = expected.len() as i64 - 1;
        for offset in (0..=last).step_by(7).chain([last]) {
            let fetched = log.fetch(p, offset, 1, Duration::ZERO).await.unwrap();
            assert_eq!(fetched.records.len(), 1);
            assert_eq!(fetched.records[0].offset, offset);
            assert_eq!(fetched.records[0].record, expected[offset as usize]);
        }
    }
    check(&log, &p, &expected).await;
    drop(log);
    let log = EmbeddedLog::open(dir.path(), opts).await.unwrap();
    check(&log, &p, &expected).await;
}
