//! The test broker and the independent client agree with rskafka on what a topic holds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Duration;

use connect_testkit::kafka_python::{self, ConsumedRecord, Expect, ProduceRecord};
use connect_testkit::{Storage, require_broker};
use rskafka::chrono::{DateTime, TimeZone, Utc};
use rskafka::client::partition::{Compression, OffsetAt, PartitionClient, UnknownTopicHandling};
use rskafka::record::{Record, RecordAndOffset};

const PARTITIONS: i32 = 3;

fn timestamp(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).unwrap()
}

/// Record `i` of partition `p`: binary keys and values, a varying number of headers, and a
/// null key / null value now and then.
fn record(p: i32, i: i64) -> Record {
    let mut headers = BTreeMap::new();
    for h in 0..(i % 3) {
        headers.insert(format!("h{h}"), vec![p as u8, i as u8, h as u8, 0xff]);
    }
    Record {
        key: (i % 4 != 3).then(|| format!("key-{p}-{i}").into_bytes()),
        value: (i % 5 != 4).then(|| {
            let mut v = format!("value-{p}-{i}-").into_bytes();
            v.extend_from_slice(&[0, 1, 0xfe]);
            v
        }),
        headers,
        timestamp: timestamp(1_700_000_000_000 + i64::from(p) * 1_000 + i),
    }
}

async fn partition(client: &rskafka::client::Client, topic: &str, p: i32) -> PartitionClient {
    client
        .partition_client(topic, p, UnknownTopicHandling::Retry)
        .await
        .unwrap()
}

fn assert_same(consumed: &ConsumedRecord, expected: &Record, p: i32, offset: i64) {
    let at = format!("partition {p} offset {offset}");
    assert_eq!(consumed.partition, p, "{at}");
    assert_eq!(consumed.offset, offset, "{at}");
    assert_eq!(consumed.key, expected.key, "{at}");
    assert_eq!(consumed.value, expected.value, "{at}");
    let headers: Vec<(String, Option<Vec<u8>>)> = expected
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    assert_eq!(consumed.headers, headers, "{at}");
    assert_eq!(
        consumed.timestamp_ms,
        expected.timestamp.timestamp_millis(),
        "{at}"
    );
}

#[tokio::test]
async fn rskafka_writes_read_back_by_rskafka_and_kafka_python() {
    let broker = require_broker!();
    let topic = "smoke";
    broker.create_topic(topic, PARTITIONS).await.unwrap();
    let client = broker.client().await.unwrap();

    let mut expected: BTreeMap<i32, Vec<Record>> = BTreeMap::new();
    for p in 0..PARTITIONS {
        let pc = partition(&client, topic, p).await;
        // A different number of records per partition, in two batches.
        let n = 5 + i64::from(p) * 3;
        let records: Vec<Record> = (0..n).map(|i| record(p, i)).collect();
        let first = pc
            .produce(records[..2].to_vec(), Compression::NoCompression)
            .await
            .unwrap();
        let second = pc
            .produce(records[2..].to_vec(), Compression::NoCompression)
            .await
            .unwrap();
        assert_eq!(first, vec![0, 1], "partition {p}");
        assert_eq!(second, (2..n).collect::<Vec<_>>(), "partition {p}");

        let (fetched, high_watermark) = pc.fetch_records(0, 1..1_000_000, 1_000).await.unwrap();
        assert_eq!(high_watermark, n, "partition {p}");
        let want: Vec<RecordAndOffset> = records
            .iter()
            .cloned()
            .zip(0..)
            .map(|(record, offset)| RecordAndOffset { record, offset })
            .collect();
        assert_eq!(fetched, want, "partition {p}");

        // A fetch that starts inside the second batch.
        let (tail, _) = pc.fetch_records(3, 1..1_000_000, 1_000).await.unwrap();
        assert_eq!(tail, want[3..].to_vec(), "partition {p} from offset 3");

        expected.insert(p, records);
    }

    let total = expected.values().map(Vec::len).sum();
    let consumed = kafka_python::consume_all(&broker.bootstrap(), topic, Expect::Count(total))
        .await
        .unwrap();
    assert_eq!(consumed.len(), total);
    let mut consumed = consumed.iter();
    for (p, records) in &expected {
        for (offset, record) in (0..).zip(records) {
            assert_same(consumed.next().unwrap(), record, *p, offset);
        }
    }
}

#[tokio::test]
async fn kafka_python_writes_read_back_by_rskafka() {
    let broker = require_broker!();
    let topic = "from-python";
    broker.create_topic(topic, PARTITIONS).await.unwrap();

    let records: Vec<ProduceRecord> = (0..9)
        .map(|i| {
            let mut r = ProduceRecord::new(format!("v{i}"))
                .key(format!("k{i}"))
                .header("n", vec![i as u8])
                .partition(i % PARTITIONS)
                .timestamp_ms(1_600_000_000_000 + i64::from(i));
            if i == 4 {
                r.value = None; // a tombstone
                r.headers.push(("empty".to_owned(), Vec::new()));
            }
            r
        })
        .collect();
    let produced = kafka_python::produce(&broker.bootstrap(), topic, &records)
        .await
        .unwrap();
    let positions: Vec<(i32, i64)> = produced.iter().map(|w| (w.partition, w.offset)).collect();
    assert_eq!(
        positions,
        vec![
            (0, 0),
            (1, 0),
            (2, 0),
            (0, 1),
            (1, 1),
            (2, 1),
            (0, 2),
            (1, 2),
            (2, 2)
        ]
    );

    let client = broker.client().await.unwrap();
    for p in 0..PARTITIONS {
        let (fetched, high_watermark) = partition(&client, topic, p)
            .await
            .fetch_records(0, 1..1_000_000, 1_000)
            .await
            .unwrap();
        assert_eq!(high_watermark, 3, "partition {p}");
        let offsets: Vec<i64> = fetched.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, vec![0, 1, 2], "partition {p}");
        for (fetched, i) in fetched.iter().zip((p..9).step_by(PARTITIONS as usize)) {
            let r = &fetched.record;
            assert_eq!(r.key.as_deref(), Some(format!("k{i}").as_bytes()));
            if i == 4 {
                assert_eq!(r.value, None);
            } else {
                assert_eq!(r.value.as_deref(), Some(format!("v{i}").as_bytes()));
            }
            assert_eq!(r.headers.get("n"), Some(&vec![i as u8]));
            assert_eq!(r.timestamp, timestamp(1_600_000_000_000 + i64::from(i)));
        }
    }

    // The tombstone and its empty header value survive the round trip.
    let consumed = kafka_python::consume_all(&broker.bootstrap(), topic, Expect::Count(9))
        .await
        .unwrap();
    let tombstone = consumed
        .iter()
        .find(|r| r.key.as_deref() == Some(b"k4"))
        .unwrap();
    assert_eq!(tombstone.value, None);
    assert_eq!(tombstone.header("n"), Some(Some(&[4u8][..])));
    assert_eq!(tombstone.header("empty"), Some(Some(&[][..])));
}

#[tokio::test]
async fn committed_offsets_are_visible() {
    let broker = require_broker!();
    let topic = "offsets";
    broker.create_topic(topic, PARTITIONS).await.unwrap();
    let bootstrap = broker.bootstrap();

    let none = kafka_python::committed_offsets(&bootstrap, "group-a", topic)
        .await
        .unwrap();
    assert_eq!(none, BTreeMap::new());

    let offsets = BTreeMap::from([(0, 5), (2, 11)]);
    kafka_python::commit_offsets(&bootstrap, "group-a", topic, &offsets)
        .await
        .unwrap();
    let committed = kafka_python::committed_offsets(&bootstrap, "group-a", topic)
        .await
        .unwrap();
    assert_eq!(committed, offsets);
    let other = kafka_python::committed_offsets(&bootstrap, "group-b", topic)
        .await
        .unwrap();
    assert_eq!(other, BTreeMap::new());
}

#[tokio::test]
async fn consume_all_reports_missing_records() {
    let broker = require_broker!();
    broker.create_topic("short", 1).await.unwrap();
    let produced =
        kafka_python::produce(&broker.bootstrap(), "short", &[ProduceRecord::new("only")])
            .await
            .unwrap();
    assert_eq!(produced.len(), 1);
    let err = kafka_python::consume_all(
        &broker.bootstrap(),
        "short",
        Expect::CountWithin(2, Duration::from_secs(2)),
    )
    .await
    .unwrap_err();
    match err {
        kafka_python::KafkaPythonError::Incomplete {
            expected, received, ..
        } => {
            assert_eq!(expected, 2);
            assert_eq!(received.len(), 1);
            assert_eq!(received[0].value.as_deref(), Some(&b"only"[..]));
        }
        other => panic!("expected Incomplete, got {other}"),
    }
    let idle = kafka_python::consume_all(
        &broker.bootstrap(),
        "short",
        Expect::Idle(Duration::from_millis(500)),
    )
    .await
    .unwrap();
    assert_eq!(idle.len(), 1);
}

#[tokio::test]
async fn sqlite_broker_keeps_records_across_restart() {
    let mut broker = require_broker!(Storage::Sqlite);
    let topic = "durable";
    broker.create_topic(topic, 1).await.unwrap();
    let records: Vec<Record> = (0..5).map(|i| record(0, i)).collect();
    {
        let client = broker.client().await.unwrap();
        let offsets = partition(&client, topic, 0)
            .await
            .produce(records.clone(), Compression::NoCompression)
            .await
            .unwrap();
        assert_eq!(offsets, vec![0, 1, 2, 3, 4]);
    }

    let port = broker.port();
    broker.stop().await;
    assert!(!broker.is_running());
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "the stopped broker still accepts connections"
    );
    broker.restart().await.unwrap();
    assert_eq!(broker.port(), port);

    let client = broker.client().await.unwrap();
    let pc = partition(&client, topic, 0).await;
    assert_eq!(pc.get_offset(OffsetAt::Latest).await.unwrap(), 5);
    let (fetched, high_watermark) = pc.fetch_records(0, 1..1_000_000, 1_000).await.unwrap();
    assert_eq!(high_watermark, 5);
    assert_eq!(
        fetched.into_iter().map(|r| r.record).collect::<Vec<_>>(),
        records
    );
    let next = pc
        .produce(vec![record(0, 5)], Compression::NoCompression)
        .await
        .unwrap();
    assert_eq!(next, vec![5]);
}

#[tokio::test]
async fn dropping_the_broker_stops_it() {
    let broker = require_broker!();
    let port = broker.port();
    let log = broker.log_path().to_path_buf();
    assert!(log.exists());
    drop(broker);
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "the dropped broker still accepts connections"
    );
    assert!(!log.exists(), "the broker's directory was not removed");
}
