//! The Kafka log against the test broker (nisshi), checked from outside with kafka-python.
//!
//! Needs nisshi (`NISSHI_BIN` or `./scripts/test.sh`) and kafka-python; see connect-testkit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use connect_log::kafka::protocol::{
    Cluster, ConnectionConfig, ErrorCode, GroupCoordinator, GroupProtocol, JoinGroup,
    JoinGroupResult, RetryPolicy, SyncGroup,
};
use connect_log::kafka::{CompressionType, KafkaConfig, KafkaLog};
use connect_log::{Log, LogError, LogRecord, NewTopic, OffsetSpec, Partition};
use connect_testkit::kafka_python::{self, Expect, ProduceRecord};
use connect_testkit::{Broker, Storage, require_broker};

const TS: i64 = 1_700_000_000_000;

async fn connect(broker: &Broker) -> KafkaLog {
    KafkaLog::connect(KafkaConfig::new([broker.bootstrap()]))
        .await
        .unwrap()
}

fn record(key: Option<&str>, value: Option<&str>, headers: &[(&str, &str)], ts: i64) -> LogRecord {
    LogRecord {
        key: key.map(|k| Bytes::copy_from_slice(k.as_bytes())),
        value: value.map(|v| Bytes::copy_from_slice(v.as_bytes())),
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Some(Bytes::copy_from_slice(v.as_bytes()))))
            .collect(),
        timestamp: ts,
    }
}

fn bytes(s: &str) -> Option<Vec<u8>> {
    Some(s.as_bytes().to_vec())
}

#[tokio::test]
async fn appended_records_are_what_kafka_python_reads() {
    let broker = require_broker!();
    let log = connect(&broker).await;
    assert_eq!(log.describe(), format!("kafka ({})", broker.bootstrap()));
    assert!(
        log.create_topic(&NewTopic::new("appended", 2))
            .await
            .unwrap()
    );

    let p0 = Partition::new("appended", 0);
    let p1 = Partition::new("appended", 1);
    let offsets = log
        .append(
            &p0,
            vec![
                record(Some("k1"), Some("v1"), &[("h1", "x"), ("h2", "")], TS),
                record(None, Some("no key"), &[], TS + 1),
                record(Some("tombstone"), None, &[], TS + 2),
            ],
        )
        .await
        .unwrap();
    assert_eq!(offsets, [0, 1, 2]);
    let offsets = log
        .append(&p0, vec![record(Some(""), Some(""), &[], TS + 3)])
        .await
        .unwrap();
    assert_eq!(offsets, [3]);
    // Repeated header keys keep the last value; a null header value becomes empty.
    let mut repeated = record(
        Some("r"),
        Some("rv"),
        &[("dup", "first"), ("dup", "last")],
        TS + 4,
    );
    repeated.headers.push(("null".into(), None));
    assert_eq!(log.append(&p1, vec![repeated]).await.unwrap(), [0]);
    assert_eq!(log.append(&p1, vec![]).await.unwrap(), Vec::<i64>::new());

    let read = kafka_python::consume_all(&broker.bootstrap(), "appended", Expect::Count(5))
        .await
        .unwrap();
    assert_eq!(read.len(), 5, "{read:#?}");
    let summary: Vec<_> = read
        .iter()
        .map(|r| {
            (
                r.partition,
                r.offset,
                r.key.clone(),
                r.value.clone(),
                r.timestamp_ms,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (0, 0, bytes("k1"), bytes("v1"), TS),
            (0, 1, None, bytes("no key"), TS + 1),
            (0, 2, bytes("tombstone"), None, TS + 2),
            (0, 3, bytes(""), bytes(""), TS + 3),
            (1, 0, bytes("r"), bytes("rv"), TS + 4),
        ]
    );
    assert_eq!(
        read[0].headers,
        [("h1".to_owned(), bytes("x")), ("h2".to_owned(), bytes(""))]
    );
    assert!(read[1].headers.is_empty());
    assert_eq!(
        read[4].headers,
        [
            ("dup".to_owned(), bytes("last")),
            ("null".to_owned(), bytes(""))
        ]
    );
}

#[tokio::test]
async fn records_from_kafka_python_are_fetched_with_their_offsets() {
    // SQLite: the end-offset checks need nisshi's correct high watermark.
    let broker = require_broker!(Storage::Sqlite);
    broker.create_topic("produced", 1).await.unwrap();
    let records: Vec<ProduceRecord> = (0..6)
        .map(|i| {
            let mut r = ProduceRecord::new(format!("value-{i}"))
                .key(format!("key-{i}"))
                .partition(0)
                .timestamp_ms(TS + i)
                .header("n", i.to_string());
            // kafka-python refuses a record with neither key nor value.
            if i == 2 {
                r.key = None;
            }
            if i == 4 {
                r.value = None;
            }
            r
        })
        .collect();
    let produced = kafka_python::produce(&broker.bootstrap(), "produced", &records)
        .await
        .unwrap();
    let produced_offsets: Vec<i64> = produced.iter().map(|p| p.offset).collect();
    assert_eq!(produced_offsets, [0, 1, 2, 3, 4, 5]);

    let log = connect(&broker).await;
    let p = Partition::new("produced", 0);
    let fetched = log
        .fetch(&p, 0, 1 << 20, Duration::from_millis(500))
        .await
        .unwrap();
    assert_eq!(fetched.high_watermark, 6);
    let offsets: Vec<i64> = fetched.records.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, [0, 1, 2, 3, 4, 5]);
    for (i, stored) in fetched.records.iter().enumerate() {
        let r = &stored.record;
        let key = (i != 2).then(|| Bytes::from(format!("key-{i}")));
        let value = (i != 4).then(|| Bytes::from(format!("value-{i}")));
        assert_eq!((&r.key, &r.value), (&key, &value), "offset {i}");
        assert_eq!(r.timestamp, TS + i as i64);
        assert_eq!(
            r.headers,
            [("n".to_owned(), Some(Bytes::from(i.to_string())))]
        );
    }

    // From the middle of the batch kafka-python wrote.
    let fetched = log
        .fetch(&p, 3, 1 << 20, Duration::from_millis(500))
        .await
        .unwrap();
    let offsets: Vec<i64> = fetched.records.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, [3, 4, 5]);
    // At the end: nothing after waiting, and the high watermark.
    let started = Instant::now();
    let fetched = log
        .fetch(&p, 6, 1 << 20, Duration::from_millis(300))
        .await
        .unwrap();
    assert!(fetched.records.is_empty());
    assert_eq!(fetched.high_watermark, 6);
    assert!(started.elapsed() < Duration::from_secs(10));
    // A tiny max_bytes still returns at least one record.
    let fetched = log
        .fetch(&p, 1, 1, Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(fetched.records.first().map(|r| r.offset), Some(1));

    assert_eq!(log.offset(&p, OffsetSpec::Earliest).await.unwrap(), 0);
    assert_eq!(log.offset(&p, OffsetSpec::Latest).await.unwrap(), 6);
}

#[tokio::test]
async fn every_compression_type_round_trips() {
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    for (i, compression) in [
        CompressionType::Gzip,
        CompressionType::Snappy,
        CompressionType::Lz4,
        CompressionType::Zstd,
    ]
    .into_iter()
    .enumerate()
    {
        let mut config = KafkaConfig::new([bootstrap.clone()]);
        config.compression = compression;
        let log = KafkaLog::connect(config).await.unwrap();
        let topic = format!("compressed-{i}");
        log.create_topic(&NewTopic::new(&topic, 1)).await.unwrap();
        let p = Partition::new(topic.as_str(), 0);
        let value = "x".repeat(1000);
        let batch = (0..3)
            .map(|n| record(Some(&n.to_string()), Some(&value), &[], TS))
            .collect();
        assert_eq!(
            log.append(&p, batch).await.unwrap(),
            [0, 1, 2],
            "{compression:?}"
        );
        let fetched = log
            .fetch(&p, 0, 1 << 20, Duration::from_millis(200))
            .await
            .unwrap();
        let keys: Vec<_> = fetched
            .records
            .iter()
            .map(|r| r.record.key.clone())
            .collect();
        assert_eq!(
            keys,
            [Some("0".into()), Some("1".into()), Some("2".into())],
            "{compression:?}"
        );
        assert!(
            fetched
                .records
                .iter()
                .all(|r| r.record.value.as_deref() == Some(value.as_bytes()))
        );
        if compression == CompressionType::Gzip {
            // kafka-python decompresses gzip without extra Python packages.
            let read = kafka_python::consume_all(&bootstrap, &topic, Expect::Count(3))
                .await
                .unwrap();
            assert!(
                read.iter()
                    .all(|r| r.value.as_deref() == Some(value.as_bytes()))
            );
        }
    }
}

/// Topic configs as kafka-python's admin client describes them.
async fn kafka_python_topic_configs(
    bootstrap: &str,
    topic: &str,
) -> Result<BTreeMap<String, String>, String> {
    const SCRIPT: &str = r#"
import json, sys
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
admin = KafkaAdminClient(bootstrap_servers=[sys.argv[1]], client_id="connect-log-test")
responses = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, sys.argv[2])])
out = {}
for response in responses:
    for result in response.resources:
        error_code, error_message, _type, _name, entries = result[:5]
        if error_code:
            sys.exit("error %s: %s" % (error_code, error_message))
        for entry in entries:
            if entry[1] is not None:
                out[entry[0]] = entry[1]
print(json.dumps(out))
"#;
    let out = tokio::process::Command::new("python3")
        .args(["-c", SCRIPT, bootstrap, topic])
        .output()
        .await
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).map_err(|e| format!("{e} in {text:?}"))
}

#[tokio::test]
async fn topics_are_created_with_their_configs() {
    let broker = require_broker!();
    let log = connect(&broker).await;
    let topic = NewTopic::new("connect-configs", 3)
        .compacted()
        .with_config("retention.ms", "86400000")
        .with_replication_factor(1);
    assert!(log.create_topic(&topic).await.unwrap());
    // Exists already: Ok(false), settings unchanged.
    assert!(
        !log.create_topic(&NewTopic::new("connect-configs", 5))
            .await
            .unwrap()
    );
    assert_eq!(
        log.partition_count("connect-configs").await.unwrap(),
        Some(3)
    );
    assert_eq!(log.partition_count("no-such-topic").await.unwrap(), None);
    assert_eq!(
        log.list_topics().await.unwrap().get("connect-configs"),
        Some(&3)
    );

    // Through our DescribeConfigs.
    let configs = log.topic_configs("connect-configs").await.unwrap();
    assert_eq!(
        configs.get("cleanup.policy").map(String::as_str),
        Some("compact"),
        "{configs:?}"
    );
    assert_eq!(
        configs.get("retention.ms").map(String::as_str),
        Some("86400000"),
        "{configs:?}"
    );
    // Kafka answers UNKNOWN_TOPIC_OR_PARTITION; nisshi 0.6.0 answers with no configs.
    match log.topic_configs("no-such-topic").await {
        Err(LogError::UnknownPartition(_)) => {}
        Ok(configs) if configs.is_empty() => {}
        other => panic!("expected no configs for an unknown topic, got {other:?}"),
    }

    // From outside, through kafka-python's admin client.
    let outside = kafka_python_topic_configs(&broker.bootstrap(), "connect-configs")
        .await
        .unwrap();
    assert_eq!(
        outside.get("cleanup.policy").map(String::as_str),
        Some("compact"),
        "{outside:?}"
    );
    assert_eq!(
        outside.get("retention.ms").map(String::as_str),
        Some("86400000"),
        "{outside:?}"
    );

    // A default topic is not compacted.
    assert!(log.create_topic(&NewTopic::new("plain", 1)).await.unwrap());
    let configs = log.topic_configs("plain").await.unwrap();
    assert_ne!(
        configs.get("cleanup.policy").map(String::as_str),
        Some("compact")
    );
}

#[tokio::test]
async fn committed_offsets_are_shared_with_kafka_python() {
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    let log = connect(&broker).await;
    log.create_topic(&NewTopic::new("sunk", 3)).await.unwrap();
    let p = |n| Partition::new("sunk", n);

    // Ours → kafka-python.
    log.commit_offsets("connect-sink", &[(p(0), 42), (p(2), 7)])
        .await
        .unwrap();
    let seen = kafka_python::committed_offsets(&bootstrap, "connect-sink", "sunk")
        .await
        .unwrap();
    assert_eq!(seen, BTreeMap::from([(0, 42), (2, 7)]));
    let ours = log
        .committed_offsets("connect-sink", &[p(0), p(1), p(2)])
        .await
        .unwrap();
    assert_eq!(ours, HashMap::from([(p(0), 42), (p(2), 7)]));
    // A later commit replaces the offset.
    log.commit_offsets("connect-sink", &[(p(0), 50)])
        .await
        .unwrap();
    let seen = kafka_python::committed_offsets(&bootstrap, "connect-sink", "sunk")
        .await
        .unwrap();
    assert_eq!(seen, BTreeMap::from([(0, 50), (2, 7)]));

    // kafka-python → ours.
    kafka_python::commit_offsets(
        &bootstrap,
        "python-group",
        "sunk",
        &BTreeMap::from([(1, 13)]),
    )
    .await
    .unwrap();
    let ours = log
        .committed_offsets("python-group", &[p(0), p(1), p(2)])
        .await
        .unwrap();
    assert_eq!(ours, HashMap::from([(p(1), 13)]));

    // A group that never committed, and nothing asked.
    assert!(
        log.committed_offsets("nobody", &[p(0)])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        log.committed_offsets("connect-sink", &[])
            .await
            .unwrap()
            .is_empty()
    );
    log.commit_offsets("connect-sink", &[]).await.unwrap();
}

#[tokio::test]
async fn deleted_committed_offsets_are_gone_for_kafka_python_too() {
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    let log = connect(&broker).await;
    log.create_topic(&NewTopic::new("reset", 2)).await.unwrap();
    let p = |n| Partition::new("reset", n);

    log.commit_offsets("connect-reset", &[(p(0), 42), (p(1), 7)])
        .await
        .unwrap();
    // nisshi 0.6.0 has no OffsetDelete: this goes through KafkaLog's fallback (a commit of
    // offset -1, checked afterwards); Kafka 2.4+ through OffsetDelete.
    log.commit_offsets("bystander", &[(p(0), 3)]).await.unwrap();
    log.delete_committed_offsets("connect-reset", &[p(0)])
        .await
        .unwrap();
    let ours = log
        .committed_offsets("connect-reset", &[p(0), p(1)])
        .await
        .unwrap();
    assert_eq!(ours, HashMap::from([(p(1), 7)]));
    let seen = kafka_python::committed_offsets(&bootstrap, "connect-reset", "reset")
        .await
        .unwrap();
    assert_eq!(seen, BTreeMap::from([(1, 7)]));
    // Other groups keep theirs.
    let seen = kafka_python::committed_offsets(&bootstrap, "bystander", "reset")
        .await
        .unwrap();
    assert_eq!(seen, BTreeMap::from([(0, 3)]));

    // Deleting again, for a group that never committed, or nothing at all, is fine.
    log.delete_committed_offsets("connect-reset", &[p(0)])
        .await
        .unwrap();
    log.delete_committed_offsets("nobody", &[p(0), p(1)])
        .await
        .unwrap();
    log.delete_committed_offsets("connect-reset", &[])
        .await
        .unwrap();
    // A commit after a delete brings the partition back.
    log.commit_offsets("connect-reset", &[(p(0), 9)])
        .await
        .unwrap();
    let seen = kafka_python::committed_offsets(&bootstrap, "connect-reset", "reset")
        .await
        .unwrap();
    assert_eq!(seen, BTreeMap::from([(0, 9), (1, 7)]));
}

#[tokio::test]
async fn out_of_range_offsets_and_unknown_partitions() {
    let broker = require_broker!(Storage::Sqlite);
    let log = connect(&broker).await;
    log.create_topic(&NewTopic::new("ranged", 1)).await.unwrap();
    let p = Partition::new("ranged", 0);
    let batch = (0..5)
        .map(|i| record(None, Some(&i.to_string()), &[], TS))
        .collect();
    assert_eq!(log.append(&p, batch).await.unwrap(), [0, 1, 2, 3, 4]);

    match log.fetch(&p, 10, 1 << 20, Duration::from_millis(100)).await {
        Err(LogError::OffsetOutOfRange {
            partition,
            offset,
            earliest,
            latest,
        }) => {
            assert_eq!((partition, offset, earliest, latest), (p.clone(), 10, 0, 5));
        }
        other => panic!("expected OffsetOutOfRange, got {other:?}"),
    }
    let err = log
        .fetch(&p, -3, 1 << 20, Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LogError::OffsetOutOfRange {
                offset: -3,
                earliest: 0,
                latest: 5,
                ..
            }
        ),
        "{err:?}"
    );
    // The partition still works afterwards.
    assert_eq!(
        log.fetch(&p, 4, 1 << 20, Duration::ZERO)
            .await
            .unwrap()
            .records
            .len(),
        1
    );

    let unknown = Partition::new("never-created", 0);
    let err = log
        .append(&unknown, vec![record(None, Some("x"), &[], TS)])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, LogError::UnknownPartition(s) if s == "never-created-0"),
        "{err:?}"
    );
    let err = log
        .fetch(&unknown, 0, 1024, Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(err, LogError::UnknownPartition(_)), "{err:?}");
    let err = log
        .offset(&unknown, OffsetSpec::Earliest)
        .await
        .unwrap_err();
    assert!(matches!(err, LogError::UnknownPartition(_)), "{err:?}");
    // The topic was not created on the way.
    assert_eq!(log.partition_count("never-created").await.unwrap(), None);

    let beyond = Partition::new("ranged", 7);
    let err = log
        .append(&beyond, vec![record(None, Some("x"), &[], TS)])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, LogError::UnknownPartition(s) if s == "ranged-7"),
        "{err:?}"
    );
    let err = log
        .fetch(&Partition::new("ranged", -1), 0, 1024, Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(err, LogError::UnknownPartition(_)), "{err:?}");
}

fn group_client(broker: &Broker) -> GroupCoordinator {
    let cluster = Arc::new(Cluster::new(
        vec![broker.bootstrap()],
        ConnectionConfig::new("group-test", Duration::from_secs(30)),
        RetryPolicy::default(),
    ));
    cluster.group("connect-cluster")
}

fn join_request(metadata: &'static str) -> JoinGroup {
    JoinGroup {
        group_id: "connect-cluster".into(),
        member_id: String::new(),
        group_instance_id: None,
        protocol_type: "connect".into(),
        protocols: vec![GroupProtocol {
            name: "sessioned".into(),
            metadata: Bytes::from_static(metadata.as_bytes()),
        }],
        session_timeout: Duration::from_secs(10),
        rebalance_timeout: Duration::from_secs(10),
        reason: Some("test".into()),
    }
}

fn sync_request(joined: &JoinGroupResult, assignments: Vec<(String, Bytes)>) -> SyncGroup {
    SyncGroup {
        group_id: "connect-cluster".into(),
        generation_id: joined.generation_id,
        member_id: joined.member_id.clone(),
        group_instance_id: None,
        protocol_type: "connect".into(),
        protocol_name: joined.protocol_name.clone(),
        assignments,
    }
}

/// One member's side of a rebalance, as a worker runs it: join; the leader assigns once it
/// sees `expected` members; re-join when told to (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION).
/// Returns the join result and the assignment received.
async fn member(
    group: &GroupCoordinator,
    metadata: &'static str,
    expected: usize,
) -> (JoinGroupResult, Bytes) {
    let mut join = join_request(metadata);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            Instant::now() < deadline,
            "{metadata}: no stable generation within 60 s"
        );
        let joined = group.join_group(&join).await.unwrap();
        assert!(!joined.member_id.is_empty());
        join.member_id = joined.member_id.clone();
        let assignments = if joined.is_leader() {
            if joined.members.len() < expected {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            joined
                .members
                .iter()
                .map(|m| {
                    let text = format!("assignment for {}", String::from_utf8_lossy(&m.metadata));
                    (m.member_id.clone(), Bytes::from(text))
                })
                .collect()
        } else {
            Vec::new()
        };
        match group.sync_group(&sync_request(&joined, assignments)).await {
            Ok(assignment) if !assignment.is_empty() => return (joined, assignment),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.code(),
                    Some(ErrorCode::REBALANCE_IN_PROGRESS | ErrorCode::ILLEGAL_GENERATION)
                ) => {}
            Err(e) => panic!("{metadata}: SyncGroup failed: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn offsets_of_a_group_with_members_are_not_deleted() {
    let broker = require_broker!();
    let log = connect(&broker).await;
    log.create_topic(&NewTopic::new("busy", 1)).await.unwrap();
    let p0 = Partition::new("busy", 0);
    log.commit_offsets("connect-cluster", &[(p0.clone(), 42)])
        .await
        .unwrap();
    let group = group_client(&broker);
    let (joined, _) = member(&group, "worker-1", 1).await;
    // Kafka answers OffsetDelete with NON_EMPTY_GROUP; nisshi 0.6.0 (no OffsetDelete) rejects
    // the fallback's commit outside the generation with UNKNOWN_MEMBER_ID.
    let err = log
        .delete_committed_offsets("connect-cluster", std::slice::from_ref(&p0))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, LogError::Invalid(m) if m.contains("\"connect-cluster\"") && m.contains("active members")),
        "{err:?}"
    );
    assert_eq!(
        log.committed_offsets("connect-cluster", std::slice::from_ref(&p0))
            .await
            .unwrap(),
        HashMap::from([(p0.clone(), 42)])
    );
    // Once the member left, the offsets can be deleted.
    group.leave_group(&joined.member_id, None).await.unwrap();
    log.delete_committed_offsets("connect-cluster", std::slice::from_ref(&p0))
        .await
        .unwrap();
    assert!(
        log.committed_offsets("connect-cluster", std::slice::from_ref(&p0))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn two_members_join_sync_heartbeat_and_leave_a_connect_group() {
    let broker = require_broker!();
    // Two workers, each with its own connections.
    let a = group_client(&broker);
    let b = group_client(&broker);
    let ((joined_a, got_a), (joined_b, got_b)) = tokio::join!(
        member(&a, "worker-a:8083", 2),
        member(&b, "worker-b:8083", 2)
    );

    // One generation, one leader, the protocol of the group.
    assert_eq!(joined_a.generation_id, joined_b.generation_id);
    assert_eq!(joined_a.leader, joined_b.leader);
    assert_ne!(joined_a.member_id, joined_b.member_id);
    assert_eq!(joined_a.protocol_name.as_deref(), Some("sessioned"));
    assert_eq!(joined_b.protocol_name.as_deref(), Some("sessioned"));
    assert!(joined_a.is_leader() != joined_b.is_leader());
    let (leader, follower, leader_join, follower_join) = if joined_a.is_leader() {
        (&a, &b, &joined_a, &joined_b)
    } else {
        (&b, &a, &joined_b, &joined_a)
    };
    // The leader saw both members' metadata; the follower saw none.
    assert!(follower_join.members.is_empty());
    let mut seen: Vec<(String, Bytes)> = leader_join
        .members
        .iter()
        .map(|m| (m.member_id.clone(), m.metadata.clone()))
        .collect();
    seen.sort();
    let mut expected = vec![
        (
            joined_a.member_id.clone(),
            Bytes::from_static(b"worker-a:8083"),
        ),
        (
            joined_b.member_id.clone(),
            Bytes::from_static(b"worker-b:8083"),
        ),
    ];
    expected.sort();
    assert_eq!(seen, expected);
    // Each member received exactly the bytes the leader assigned to it.
    assert_eq!(got_a, Bytes::from_static(b"assignment for worker-a:8083"));
    assert_eq!(got_b, Bytes::from_static(b"assignment for worker-b:8083"));

    // Heartbeats of the current generation succeed; an older generation must re-join
    // (Kafka says ILLEGAL_GENERATION, nisshi REBALANCE_IN_PROGRESS).
    let generation = leader_join.generation_id;
    leader
        .heartbeat(generation, &leader_join.member_id, None)
        .await
        .unwrap();
    follower
        .heartbeat(generation, &follower_join.member_id, None)
        .await
        .unwrap();
    let err = leader
        .heartbeat(generation - 1, &leader_join.member_id, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.code(),
            Some(ErrorCode::ILLEGAL_GENERATION | ErrorCode::REBALANCE_IN_PROGRESS)
        ),
        "{err}"
    );
    let err = leader
        .heartbeat(generation, "not-a-member", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::UNKNOWN_MEMBER_ID), "{err}");

    // The follower leaves: the leader is told to rebalance, and re-joins alone.
    follower
        .leave_group(&follower_join.member_id, None)
        .await
        .unwrap();
    let err = leader
        .heartbeat(generation, &leader_join.member_id, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::REBALANCE_IN_PROGRESS), "{err}");
    let mut rejoin = join_request("worker-leader");
    rejoin.member_id = leader_join.member_id.clone();
    let alone = leader.join_group(&rejoin).await.unwrap();
    assert!(alone.is_leader());
    assert!(alone.generation_id > generation);
    let metadata: Vec<_> = alone.members.iter().map(|m| m.metadata.clone()).collect();
    assert_eq!(metadata, [Bytes::from_static(b"worker-leader")]);
    leader.leave_group(&alone.member_id, None).await.unwrap();
    let err = leader
        .heartbeat(alone.generation_id, &alone.member_id, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::UNKNOWN_MEMBER_ID), "{err}");
}

#[tokio::test]
async fn a_broker_restart_is_survived() {
    let mut broker = require_broker!(Storage::Sqlite);
    let mut config = KafkaConfig::new([broker.bootstrap()]);
    config.api_timeout = Duration::from_secs(3);
    config.request_timeout = Duration::from_secs(5);
    let log = KafkaLog::connect(config).await.unwrap();
    log.create_topic(&NewTopic::new("durable", 1))
        .await
        .unwrap();
    let p = Partition::new("durable", 0);
    let first: Vec<_> = (0..3)
        .map(|i| record(None, Some(&format!("before-{i}")), &[], TS))
        .collect();
    assert_eq!(log.append(&p, first).await.unwrap(), [0, 1, 2]);
    log.commit_offsets("g", &[(p.clone(), 3)]).await.unwrap();

    broker.stop().await;
    let started = Instant::now();
    let err = log
        .append(&p, vec![record(None, Some("lost"), &[], TS)])
        .await
        .unwrap_err();
    assert!(err.is_retriable(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    let err = log
        .committed_offsets("g", std::slice::from_ref(&p))
        .await
        .unwrap_err();
    assert!(err.is_retriable(), "{err:?}");

    broker.restart().await.unwrap();
    let offsets = log
        .append(&p, vec![record(None, Some("after"), &[], TS)])
        .await
        .unwrap();
    assert_eq!(offsets, [3]);
    let fetched = log
        .fetch(&p, 0, 1 << 20, Duration::from_millis(200))
        .await
        .unwrap();
    let values: Vec<_> = fetched
        .records
        .iter()
        .map(|r| r.record.value.clone().unwrap())
        .collect();
    assert_eq!(values, ["before-0", "before-1", "before-2", "after"]);
    assert_eq!(fetched.high_watermark, 4);
    assert_eq!(
        log.committed_offsets("g", std::slice::from_ref(&p))
            .await
            .unwrap(),
        HashMap::from([(p.clone(), 3)])
    );
    log.commit_offsets("g", &[(p.clone(), 4)]).await.unwrap();
    assert!(
        !log.create_topic(&NewTopic::new("durable", 1))
            .await
            .unwrap()
    );
    let seen = kafka_python::committed_offsets(&broker.bootstrap(), "g", "durable")
        .await
        .unwrap();
    assert_eq!(seen, BTreeMap::from([(0, 4)]));
}

#[tokio::test]
async fn a_topic_fetched_before_it_exists_is_read_once_created() {
    let broker = require_broker!(Storage::Sqlite);
    let log = connect(&broker).await;
    let partition = Partition::new("late", 0);
    let before = log
        .fetch(&partition, 0, 1 << 20, Duration::from_millis(50))
        .await;
    assert!(
        matches!(before, Err(LogError::UnknownPartition(_))),
        "{before:?}"
    );
    assert!(log.create_topic(&NewTopic::new("late", 1)).await.unwrap());
    let record = LogRecord {
        value: Some(Bytes::from_static(b"v")),
        timestamp: 1,
        ..LogRecord::default()
    };
    assert_eq!(log.append(&partition, vec![record]).await.unwrap(), [0]);
    let fetched = log
        .fetch(&partition, 0, 1 << 20, Duration::from_millis(500))
        .await
        .unwrap();
    assert_eq!(fetched.records.len(), 1, "{fetched:?}");
    assert_eq!(fetched.records[0].record.value.as_deref(), Some(&b"v"[..]));
}
