#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! What lands on disk, as Confluent's HDFS connector lays it out: directories and file names
//! (`topics/<topic>/<encoded partition>/<topic>+<p>+<start>+<end>.<ext>`), `topics.dir` and
//! `logs.dir` templates, the WAL, every format read back by independent readers (fastavro,
//! pyarrow) or as text, and every partitioner's directories, driving the real task through the
//! harness on the local file system.

mod support;

use std::collections::BTreeMap;

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use bytes::Bytes;
use chrono::{NaiveDate, TimeZone, Utc};
use connect_api::data::logical;
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::task::SinkTask;
use connect_avro::AvroData;
use connect_hdfs::wal;
use connect_testkit::file_readers::{ReadFile, read_avro, read_parquet};
use serde_json::{Value as Json, json};
use support::Harness;

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

fn location_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Location")
        .field("region", Schema::string())
        .field("country", Schema::string())
        .build()
        .unwrap()
}

/// A struct of many types: primitives, an optional string, bytes, a nested struct, an array
/// and the Date, Timestamp and Decimal logical types.
fn event_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Event")
        .version(1)
        .field("id", Schema::int32())
        .field("seq", Schema::int64())
        .field("name", Schema::string())
        .field("note", Schema::optional_string())
        .field("active", Schema::boolean())
        .field("score", Schema::float64())
        .field("payload", Schema::bytes())
        .field("location", location_schema())
        .field(
            "tags",
            SchemaBuilder::array(Schema::string()).build().unwrap(),
        )
        .field("day", logical::date_schema())
        .field("at", logical::timestamp_schema())
        .field(
            "amount",
            logical::decimal_builder(2)
                .parameter("connect.decimal.precision", "10")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

/// 2024-03-01T10:00:00.123Z.
fn base_time() -> i64 {
    Utc.with_ymd_and_hms(2024, 3, 1, 10, 0, 0)
        .unwrap()
        .timestamp_millis()
        + 123
}

fn base_day() -> i32 {
    logical::date_to_days(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap())
}

fn region(i: i64) -> (&'static str, &'static str) {
    [("eu", "fr"), ("us", "ca"), ("eu", "de")][(i % 3) as usize]
}

fn unscaled_amount(i: i64) -> i64 {
    if i % 3 == 2 { -5 - i } else { 1234 + 100 * i }
}

fn tags(i: i64) -> Vec<String> {
    (0..=i % 3).map(|t| format!("t{t}")).collect()
}

fn payload(i: i64) -> Vec<u8> {
    vec![i as u8, 0xff, 0x10]
}

/// The `i`-th event.
fn event(schema: &Schema, i: i64) -> Value {
    let (region, country) = region(i);
    let location = Struct::new(location_schema())
        .unwrap()
        .with("region", region)
        .unwrap()
        .with("country", country)
        .unwrap();
    let mut event = Struct::new(schema.clone()).unwrap();
    event
        .put("id", Value::Int32(i as i32))
        .unwrap()
        .put("seq", Value::Int64(1000 + i))
        .unwrap()
        .put("name", format!("event-{i}"))
        .unwrap()
        .put(
            "note",
            if i % 2 == 0 {
                Value::Null
            } else {
                Value::String(format!("note-{i}"))
            },
        )
        .unwrap()
        .put("active", i % 2 == 0)
        .unwrap()
        .put("score", Value::Float64(i as f64 + 0.5))
        .unwrap()
        .put("payload", Value::Bytes(Bytes::from(payload(i))))
        .unwrap()
        .put("location", Value::Struct(location))
        .unwrap()
        .put(
            "tags",
            Value::Array(tags(i).into_iter().map(Value::String).collect()),
        )
        .unwrap()
        .put("day", Value::Date(base_day() + i as i32))
        .unwrap()
        .put("at", Value::Timestamp(base_time() + i * 60_000))
        .unwrap()
        .put(
            "amount",
            Value::Decimal(BigDecimal::new(BigInt::from(unscaled_amount(i)), 2)),
        )
        .unwrap();
    Value::Struct(event)
}

/// The `i`-th event as pyarrow and fastavro hand it to the file reader script.
fn event_row(i: i64) -> Json {
    let (region, country) = region(i);
    let at = Utc.timestamp_millis_opt(base_time() + i * 60_000).unwrap();
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap() + chrono::Days::new(i as u64);
    json!({
        "id": i,
        "seq": 1000 + i,
        "name": format!("event-{i}"),
        "note": if i % 2 == 0 { Json::Null } else { json!(format!("note-{i}")) },
        "active": i % 2 == 0,
        "score": i as f64 + 0.5,
        "payload": {"base64": base64(&payload(i))},
        "location": {"region": region, "country": country},
        "tags": tags(i),
        "day": {"date": day.format("%Y-%m-%d").to_string()},
        "at": {"timestamp": at.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()},
        "amount": {"decimal": decimal_text(unscaled_amount(i))},
    })
}

/// The `i`-th event as Kafka's `JsonConverter` writes its payload (`schemas.enable=false`,
/// `decimal.format=BASE64`), fields in schema order.
fn event_json_line(i: i64) -> String {
    let (region, country) = region(i);
    let note = if i % 2 == 0 {
        "null".to_owned()
    } else {
        format!("\"note-{i}\"")
    };
    let tags: Vec<String> = tags(i).iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        "{{\"id\":{i},\"seq\":{},\"name\":\"event-{i}\",\"note\":{note},\"active\":{},\
         \"score\":{}.5,\"payload\":\"{}\",\"location\":{{\"region\":\"{region}\",\
         \"country\":\"{country}\"}},\"tags\":[{}],\"day\":{},\"at\":{},\"amount\":\"{}\"}}",
        1000 + i,
        i % 2 == 0,
        i,
        base64(&payload(i)),
        tags.join(","),
        base_day() as i64 + i,
        base_time() + i * 60_000,
        base64(&twos_complement(unscaled_amount(i))),
    )
}

/// `unscaled / 100` as Python's `str(Decimal)` prints a scale-2 decimal.
fn decimal_text(unscaled: i64) -> String {
    let sign = if unscaled < 0 { "-" } else { "" };
    let abs = unscaled.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The minimal big-endian two's complement bytes of `n` (Java's `BigInteger.toByteArray`).
fn twos_complement(n: i64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0x00 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (k, b)| n | u32::from(*b) << (16 - 8 * k));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn test_helpers_encode_as_java_does() {
    assert_eq!(base64(b"Man"), "TWFu");
    assert_eq!(base64(b"Ma"), "TWE=");
    assert_eq!(base64(b"M"), "TQ==");
    assert_eq!(twos_complement(1234), vec![0x04, 0xd2]);
    assert_eq!(twos_complement(128), vec![0x00, 0x80]);
    assert_eq!(twos_complement(-5), vec![0xfb]);
    assert_eq!(twos_complement(-129), vec![0xff, 0x7f]);
    assert_eq!(twos_complement(0), vec![0x00]);
    assert_eq!(decimal_text(-7), "-0.07");
    assert_eq!(decimal_text(1234), "12.34");
}

/// A small struct for the partitioner tests.
fn sale_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.example.Sale")
        .field("id", Schema::int64())
        .field("region", Schema::string())
        .field("country", Schema::string())
        .field("shard", Schema::int32())
        .field("at", logical::timestamp_schema())
        .build()
        .unwrap()
}

fn sale(id: i64, region: &str, country: &str, shard: i32, at: i64) -> Value {
    Value::Struct(
        Struct::new(sale_schema())
            .unwrap()
            .with("id", id)
            .unwrap()
            .with("region", region)
            .unwrap()
            .with("country", country)
            .unwrap()
            .with("shard", Value::Int32(shard))
            .unwrap()
            .with("at", Value::Timestamp(at))
            .unwrap(),
    )
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .timestamp_millis()
}

// ---------------------------------------------------------------------------------------------
// Running the task and looking at the files
// ---------------------------------------------------------------------------------------------

fn harness(props: &[(&str, &str)]) -> Harness {
    let mut all = vec![("retry.backoff.ms", "0")];
    all.extend_from_slice(props);
    Harness::new(&all)
}

/// Runs a task until every record was handed over (and two idle cycles more), then stops it.
async fn run_to_end(harness: &mut Harness) {
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 2).await.unwrap();
    let reported = running.context.reporter.reported.lock().unwrap().len();
    assert_eq!(reported, 0, "records were reported as bad");
    running.task.stop().await.unwrap();
}

fn read(harness: &Harness, path: &str) -> String {
    std::fs::read_to_string(harness.root().join(path)).unwrap()
}

fn abs(harness: &Harness, paths: &[String]) -> Vec<std::path::PathBuf> {
    paths.iter().map(|p| harness.root().join(p)).collect()
}

/// The `id` of each JSON line of a committed file.
fn ids(harness: &Harness, path: &str) -> Vec<i64> {
    read(harness, path)
        .lines()
        .map(|line| {
            serde_json::from_str::<Json>(line).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect()
}

/// Every committed file under `topics/` with the ids it holds, and nothing left being written.
fn committed_ids(harness: &Harness) -> Vec<(String, Vec<i64>)> {
    assert_eq!(harness.files("topics/+tmp"), Vec::<String>::new());
    harness
        .files("topics")
        .into_iter()
        .map(|path| {
            let ids = ids(harness, &path);
            (path, ids)
        })
        .collect()
}

fn owned(expected: &[(&str, &[i64])]) -> Vec<(String, Vec<i64>)> {
    expected
        .iter()
        .map(|(path, ids)| ((*path).to_owned(), ids.to_vec()))
        .collect()
}

/// The complete blocks of a WAL file (relative to the root), with paths made relative.
fn wal_blocks(harness: &Harness, path: &str) -> Vec<Vec<(String, String)>> {
    let bytes = std::fs::read(harness.root().join(path)).unwrap();
    let contents = wal::decode(&bytes);
    assert_eq!(contents.tail, wal::WalTail::Clean, "{path}");
    let url = format!("file://{}/", harness.root().display());
    let relative = |p: &str| {
        p.strip_prefix(&url)
            .unwrap_or_else(|| panic!("{p} is not under {url}"))
            .to_owned()
    };
    contents
        .complete_blocks()
        .into_iter()
        .map(|block| {
            block
                .into_iter()
                .map(|(temp, committed)| (relative(&temp), relative(&committed)))
                .collect()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Layout and names
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn default_layout_names_and_wal() {
    let mut harness = harness(&[
        ("format.class", "io.confluent.connect.hdfs.json.JsonFormat"),
        ("flush.size", "3"),
    ]);
    let schema = event_schema();
    for i in 0..6 {
        harness.add("orders", 0, Some(schema.clone()), event(&schema, i), None);
    }
    for i in 0..3 {
        harness.add(
            "orders",
            1,
            Some(schema.clone()),
            event(&schema, 10 + i),
            None,
        );
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 2).await.unwrap();
    // Every record is committed: the commits left nothing being written.
    assert_eq!(harness.files("topics/+tmp"), Vec::<String>::new());
    running.task.stop().await.unwrap();

    assert_eq!(
        committed_ids(&harness),
        owned(&[
            (
                "topics/orders/partition=0/orders+0+0000000000+0000000002.json",
                &[0, 1, 2]
            ),
            (
                "topics/orders/partition=0/orders+0+0000000003+0000000005.json",
                &[3, 4, 5]
            ),
            (
                "topics/orders/partition=1/orders+1+0000000000+0000000002.json",
                &[10, 11, 12]
            ),
        ])
    );
    // The WAL is truncated after each commit: `log` moves to `log.1`, which keeps the latest
    // block, naming the temporary file and the committed file of each encoded partition.
    assert_eq!(
        harness.files("logs"),
        ["logs/orders/0/log.1", "logs/orders/1/log.1"]
    );
    let blocks = wal_blocks(&harness, "logs/orders/0/log.1");
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    assert_eq!(blocks[0].len(), 1, "{blocks:?}");
    let (temp, committed) = &blocks[0][0];
    assert_eq!(
        committed,
        "topics/orders/partition=0/orders+0+0000000003+0000000005.json"
    );
    assert!(
        temp.starts_with("topics/+tmp/orders/partition=0/") && temp.ends_with("_tmp.json"),
        "{temp}"
    );
    let blocks = wal_blocks(&harness, "logs/orders/1/log.1");
    assert_eq!(
        blocks.iter().map(|b| b[0].1.as_str()).collect::<Vec<_>>(),
        ["topics/orders/partition=1/orders+1+0000000000+0000000002.json"]
    );
    // The pre-commit offsets are the offsets after the last committed files.
    assert_eq!(
        harness
            .committed
            .iter()
            .map(|(tp, offset)| (tp.partition, *offset))
            .collect::<BTreeMap<_, _>>(),
        [(0, 6), (1, 3)].into_iter().collect()
    );
}

#[tokio::test]
async fn records_not_yet_committed_leave_no_temporary_file_after_stop() {
    let mut harness = harness(&[("format.class", "StringFormat"), ("flush.size", "3")]);
    // Large values, so that the writer moves bytes of the open file to its temporary file
    // before the commit.
    let line = |i: usize| format!("{i}:{}", "x".repeat(700 * 1024));
    for i in 0..5 {
        harness.add(
            "orders",
            0,
            Some(Schema::optional_string()),
            Value::String(line(i)),
            None,
        );
    }
    let mut running = harness.start(None).await.unwrap();
    harness.run(&mut running, 1).await.unwrap();
    // Offsets 3 and 4 are in a temporary file (its bytes may still be on their way: like
    // HDFS, the store makes them visible at sync or close).
    let temp = harness.files("topics/+tmp");
    assert_eq!(temp.len(), 1, "{temp:?}");
    assert!(
        temp[0].starts_with("topics/+tmp/orders/partition=0/") && temp[0].ends_with("_tmp.txt"),
        "{temp:?}"
    );
    running.task.stop().await.unwrap();
    assert_eq!(harness.files("topics/+tmp"), Vec::<String>::new());
    let committed = harness.files("topics");
    assert_eq!(
        committed,
        ["topics/orders/partition=0/orders+0+0000000000+0000000002.txt"]
    );
    let expected: String = (0..3).map(|i| line(i) + "\n").collect();
    assert!(read(&harness, &committed[0]) == expected);
}

#[tokio::test]
async fn zero_pad_width_is_configurable_and_never_truncates() {
    for (width, expected) in [
        (
            "3",
            [
                "topics/t/partition=0/t+0+000+002.json",
                "topics/t/partition=0/t+0+003+005.json",
                "topics/t/partition=0/t+0+006+008.json",
                "topics/t/partition=0/t+0+009+011.json",
            ],
        ),
        (
            "1",
            [
                "topics/t/partition=0/t+0+0+2.json",
                "topics/t/partition=0/t+0+3+5.json",
                "topics/t/partition=0/t+0+6+8.json",
                "topics/t/partition=0/t+0+9+11.json",
            ],
        ),
        (
            "0",
            [
                "topics/t/partition=0/t+0+0+2.json",
                "topics/t/partition=0/t+0+3+5.json",
                "topics/t/partition=0/t+0+6+8.json",
                "topics/t/partition=0/t+0+9+11.json",
            ],
        ),
    ] {
        let mut harness = harness(&[
            ("format.class", "JsonFormat"),
            ("flush.size", "3"),
            ("filename.offset.zero.pad.width", width),
        ]);
        let schema = event_schema();
        for i in 0..12 {
            harness.add("t", 0, Some(schema.clone()), event(&schema, i), None);
        }
        run_to_end(&mut harness).await;
        let files: Vec<String> = committed_ids(&harness)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        // Sorted as strings: with width 1, `t+0+9+11` sorts after `t+0+6+8` anyway.
        assert_eq!(files, expected, "width {width}");
    }
}

#[tokio::test]
async fn topics_and_logs_dirs_expand_the_topic() {
    let mut harness = harness(&[
        ("format.class", "JsonFormat"),
        ("flush.size", "2"),
        ("topics.dir", "data/${topic}"),
        ("logs.dir", "/wal/${topic}/"),
    ]);
    let schema = event_schema();
    for topic in ["orders", "users"] {
        for i in 0..2 {
            harness.add(topic, 0, Some(schema.clone()), event(&schema, i), None);
        }
    }
    run_to_end(&mut harness).await;
    assert_eq!(
        harness.files(""),
        [
            "data/orders/orders/partition=0/orders+0+0000000000+0000000001.json",
            "data/users/users/partition=0/users+0+0000000000+0000000001.json",
            "wal/orders/orders/0/log.1",
            "wal/users/users/0/log.1",
        ]
    );
    let blocks = wal_blocks(&harness, "wal/users/users/0/log.1");
    let (temp, committed) = &blocks[0][0];
    assert_eq!(
        committed,
        "data/users/users/partition=0/users+0+0000000000+0000000001.json"
    );
    assert!(
        temp.starts_with("data/users/+tmp/users/partition=0/"),
        "{temp}"
    );
}

#[tokio::test]
async fn topics_and_logs_dirs_expand_capture_groups() {
    let mut harness = harness(&[
        ("format.class", "JsonFormat"),
        ("flush.size", "2"),
        ("topic.capture.groups.regex", r"(\w+)\.(\w+)"),
        ("topics.dir", "${1}/raw"),
        ("logs.dir", "${2}/wal/${0}"),
    ]);
    let schema = event_schema();
    for i in 0..2 {
        harness.add(
            "sales.orders",
            3,
            Some(schema.clone()),
            event(&schema, i),
            None,
        );
    }
    run_to_end(&mut harness).await;
    assert_eq!(
        harness.files(""),
        [
            "orders/wal/sales.orders/sales.orders/3/log.1",
            "sales/raw/sales.orders/partition=3/sales.orders+3+0000000000+0000000001.json",
        ]
    );
    assert_eq!(harness.files("sales/raw/+tmp"), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// Formats, read back by independent readers
// ---------------------------------------------------------------------------------------------

/// Writes events 0..6 of one partition with flush.size=3; the two committed files.
async fn write_events(props: &[(&str, &str)], extension: &str) -> (Harness, Vec<String>) {
    let mut all = vec![("flush.size", "3")];
    all.extend_from_slice(props);
    let mut harness = harness(&all);
    let schema = event_schema();
    for i in 0..6 {
        harness.add("events", 0, Some(schema.clone()), event(&schema, i), None);
    }
    run_to_end(&mut harness).await;
    let files = harness.files("topics");
    assert_eq!(
        files,
        [
            format!("topics/events/partition=0/events+0+0000000000+0000000002{extension}"),
            format!("topics/events/partition=0/events+0+0000000003+0000000005{extension}"),
        ]
    );
    (harness, files)
}

fn rows(range: std::ops::Range<i64>) -> Vec<Json> {
    range.map(event_row).collect()
}

/// The Avro schema Confluent's `AvroData` makes of [`event_schema`] (Avro's `Schema.toString`,
/// which fastavro hands back with full names).
fn expected_avro_schema() -> Json {
    let logical = |physical: &str, name: &str, logical: &str| {
        json!({
            "type": physical,
            "connect.version": 1,
            "connect.name": format!("org.apache.kafka.connect.data.{name}"),
            "logicalType": logical,
        })
    };
    json!({
        "type": "record",
        "name": "com.example.Event",
        "fields": [
            {"name": "id", "type": "int"},
            {"name": "seq", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "note", "type": ["null", "string"], "default": null},
            {"name": "active", "type": "boolean"},
            {"name": "score", "type": "double"},
            {"name": "payload", "type": "bytes"},
            {"name": "location", "type": {
                "type": "record",
                "name": "com.example.Location",
                "fields": [
                    {"name": "region", "type": "string"},
                    {"name": "country", "type": "string"},
                ],
                "connect.name": "com.example.Location",
            }},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {"name": "day", "type": logical("int", "Date", "date")},
            {"name": "at", "type": logical("long", "Timestamp", "timestamp-millis")},
            {"name": "amount", "type": {
                "type": "bytes",
                "scale": 2,
                "precision": 10,
                "connect.version": 1,
                "connect.parameters": {"scale": "2", "connect.decimal.precision": "10"},
                "connect.name": "org.apache.kafka.connect.data.Decimal",
                "logicalType": "decimal",
            }},
        ],
        "connect.version": 1,
        "connect.name": "com.example.Event",
    })
}

/// The metadata of an Avro object container file's header (`avro.schema`, `avro.codec`, ...).
fn avro_header(file: &[u8]) -> BTreeMap<String, Vec<u8>> {
    fn long(file: &[u8], at: &mut usize) -> i64 {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = file[*at];
            *at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        (value >> 1) as i64 ^ -((value & 1) as i64)
    }
    fn bytes<'a>(file: &'a [u8], at: &mut usize) -> &'a [u8] {
        let len = long(file, at) as usize;
        *at += len;
        &file[*at - len..*at]
    }
    assert_eq!(&file[..4], b"Obj\x01", "not an Avro object container file");
    let mut at = 4;
    let mut metadata = BTreeMap::new();
    loop {
        let mut count = long(file, &mut at);
        if count == 0 {
            break;
        }
        if count < 0 {
            count = -count;
            long(file, &mut at);
        }
        for _ in 0..count {
            let key = String::from_utf8(bytes(file, &mut at).to_vec()).unwrap();
            let value = bytes(file, &mut at).to_vec();
            metadata.insert(key, value);
        }
    }
    metadata
}

/// The records of an Avro file as apache-avro decodes them.
fn apache_avro_records(file: &[u8]) -> Vec<apache_avro::types::Value> {
    apache_avro::Reader::new(file)
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn avro_files_read_back_with_fastavro() {
    let mut uncompressed: Vec<Vec<u8>> = Vec::new();
    for codec in ["null", "deflate", "snappy"] {
        let mut props = vec![("format.class", "io.confluent.connect.hdfs.avro.AvroFormat")];
        if codec != "null" {
            props.push(("avro.codec", codec));
        }
        let (harness, files) = write_events(&props, ".avro").await;
        let contents: Vec<Vec<u8>> = files
            .iter()
            .map(|path| std::fs::read(harness.root().join(path)).unwrap())
            .collect();
        for (file, path) in contents.iter().zip(&files) {
            let header = avro_header(file);
            assert_eq!(header["avro.codec"], codec.as_bytes(), "{path}");
            let schema: Json = serde_json::from_slice(&header["avro.schema"]).unwrap();
            // Avro's Schema.toString form: the record's name split from its namespace.
            assert_eq!(schema["name"], "Event", "{path}");
            assert_eq!(schema["namespace"], "com.example", "{path}");
        }
        if codec == "null" {
            uncompressed = contents.clone();
        } else {
            // The same records and the same schema as the uncompressed files.
            for (file, plain) in contents.iter().zip(&uncompressed) {
                assert_eq!(
                    apache_avro_records(file),
                    apache_avro_records(plain),
                    "{codec}"
                );
                assert_eq!(
                    avro_header(file)["avro.schema"],
                    avro_header(plain)["avro.schema"]
                );
            }
        }
        // fastavro reads snappy blocks through cramjam, which the test command installs.
        let read: Vec<ReadFile> = read_avro(&abs(&harness, &files)).await.unwrap();
        assert_eq!(read.len(), 2);
        for (file, range) in read.iter().zip([0..3, 3..6]) {
            assert_eq!(file.rows, rows(range), "{codec}: {}", file.path);
            assert_eq!(file.metadata["codec"], codec, "{}", file.path);
            assert_eq!(file.schema, expected_avro_schema(), "{}", file.path);
        }
    }
}

#[tokio::test]
async fn parquet_files_read_back_with_pyarrow() {
    let expected_avro: Json = serde_json::from_str(
        AvroData::default()
            .from_connect_schema(&event_schema())
            .unwrap()
            .text(),
    )
    .unwrap();
    let expected_columns = json!([
        {"name": "id", "type": "int32", "nullable": false},
        {"name": "seq", "type": "int64", "nullable": false},
        {"name": "name", "type": "string", "nullable": false},
        {"name": "note", "type": "string", "nullable": true},
        {"name": "active", "type": "bool", "nullable": false},
        {"name": "score", "type": "double", "nullable": false},
        {"name": "payload", "type": "binary", "nullable": false},
        {"name": "location", "type": "struct<region: string not null, country: string not null>",
         "nullable": false},
        {"name": "tags", "type": "list<element: string not null>", "nullable": false},
        {"name": "day", "type": "date32[day]", "nullable": false},
        {"name": "at", "type": "timestamp[ms, tz=UTC]", "nullable": false},
        {"name": "amount", "type": "decimal128(10, 2)", "nullable": false},
    ]);
    for (codec, expected_codec) in [
        (None, "SNAPPY"),
        (Some("gzip"), "GZIP"),
        (Some("zstd"), "ZSTD"),
    ] {
        let mut props = vec![(
            "format.class",
            "io.confluent.connect.hdfs.parquet.ParquetFormat",
        )];
        if let Some(codec) = codec {
            props.push(("parquet.codec", codec));
        }
        let (harness, files) = write_events(&props, ".parquet").await;
        let read = read_parquet(&abs(&harness, &files)).await.unwrap();
        assert_eq!(read.len(), 2);
        for (file, range) in read.iter().zip([0..3, 3..6]) {
            assert_eq!(file.rows, rows(range), "{codec:?}: {}", file.path);
            assert_eq!(file.schema, expected_columns, "{}", file.path);
            assert_eq!(file.metadata["codec"], expected_codec, "{}", file.path);
            assert_eq!(file.metadata["row_groups"], 1, "{}", file.path);
            let kv = &file.metadata["key_value"];
            let avro: Json =
                serde_json::from_str(kv["parquet.avro.schema"].as_str().unwrap()).unwrap();
            assert_eq!(avro, expected_avro, "{}", file.path);
            assert_eq!(avro["name"], "Event");
            assert_eq!(avro["namespace"], "com.example");
            assert_eq!(avro["connect.name"], "com.example.Event");
            let connect: Json =
                serde_json::from_str(kv["connect.schema"].as_str().unwrap()).unwrap();
            assert_eq!(connect["name"], "com.example.Event");
        }
    }
}

#[tokio::test]
async fn parquet_avro_schema_follows_connect_meta_data() {
    let (harness, files) = write_events(
        &[
            ("format.class", "ParquetFormat"),
            ("connect.meta.data", "false"),
        ],
        ".parquet",
    )
    .await;
    let read = read_parquet(&abs(&harness, &files[..1])).await.unwrap();
    let avro: Json = serde_json::from_str(
        read[0].metadata["key_value"]["parquet.avro.schema"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(avro["name"], "Event");
    assert!(avro.get("connect.name").is_none(), "{avro}");
    assert!(avro.get("connect.version").is_none(), "{avro}");
    assert_eq!(read[0].rows, rows(0..3));
}

#[tokio::test]
async fn json_files_hold_one_converter_payload_per_line() {
    let (harness, files) = write_events(
        &[("format.class", "io.confluent.connect.hdfs.json.JsonFormat")],
        ".json",
    )
    .await;
    for (path, range) in files.iter().zip([0..3, 3..6]) {
        let expected: String = range.map(|i| event_json_line(i) + "\n").collect();
        assert_eq!(read(&harness, path), expected, "{path}");
    }
}

#[tokio::test]
async fn string_files_hold_one_line_per_record() {
    let mut harness = harness(&[
        (
            "format.class",
            "io.confluent.connect.hdfs.string.StringFormat",
        ),
        ("flush.size", "3"),
    ]);
    let lines = [
        "first line",
        "zweite Zeile",
        "{\"not\": \"parsed\"}",
        "4",
        "",
        "six",
    ];
    for line in lines {
        harness.add(
            "logs",
            0,
            Some(Schema::optional_string()),
            Value::from(line),
            None,
        );
    }
    run_to_end(&mut harness).await;
    assert_eq!(
        harness.files("topics"),
        [
            "topics/logs/partition=0/logs+0+0000000000+0000000002.txt",
            "topics/logs/partition=0/logs+0+0000000003+0000000005.txt",
        ]
    );
    assert_eq!(
        read(
            &harness,
            "topics/logs/partition=0/logs+0+0000000000+0000000002.txt"
        ),
        "first line\nzweite Zeile\n{\"not\": \"parsed\"}\n"
    );
    assert_eq!(
        read(
            &harness,
            "topics/logs/partition=0/logs+0+0000000003+0000000005.txt"
        ),
        "4\n\nsix\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Partitioners
// ---------------------------------------------------------------------------------------------

/// Runs `sales` (id, region, country, shard, field time, record time) through one partition
/// with `props` and flush.size=`flush`; the committed files and their ids.
async fn partition_sales(
    props: &[(&str, &str)],
    flush: &str,
    sales: &[(&str, &str, i32, i64, i64)],
) -> Vec<(String, Vec<i64>)> {
    let mut all = vec![("format.class", "JsonFormat"), ("flush.size", flush)];
    all.extend_from_slice(props);
    let mut harness = harness(&all);
    for (id, (region, country, shard, field_time, record_time)) in sales.iter().enumerate() {
        harness.add(
            "sales",
            0,
            Some(sale_schema()),
            sale(id as i64, region, country, *shard, *field_time),
            Some(*record_time),
        );
    }
    run_to_end(&mut harness).await;
    committed_ids(&harness)
}

#[tokio::test]
async fn default_partitioner_by_class_name() {
    let t = utc(2024, 3, 1, 10, 0);
    let files = partition_sales(
        &[(
            "partitioner.class",
            "io.confluent.connect.storage.partitioner.DefaultPartitioner",
        )],
        "2",
        &[("eu", "fr", 1, t, t), ("us", "ca", 2, t, t)],
    )
    .await;
    assert_eq!(
        files,
        owned(&[(
            "topics/sales/partition=0/sales+0+0000000000+0000000001.json",
            &[0, 1]
        )])
    );
}

#[tokio::test]
async fn field_partitioner_with_one_field() {
    let t = utc(2024, 3, 1, 10, 0);
    let files = partition_sales(
        &[
            (
                "partitioner.class",
                "io.confluent.connect.storage.partitioner.FieldPartitioner",
            ),
            ("partition.field.name", "region"),
        ],
        "2",
        &[("eu", "fr", 1, t, t), ("eu", "de", 2, t, t)],
    )
    .await;
    assert_eq!(
        files,
        owned(&[(
            "topics/sales/region=eu/sales+0+0000000000+0000000001.json",
            &[0, 1]
        )])
    );

    // An integer field, through the deprecated HDFS class name.
    let files = partition_sales(
        &[
            (
                "partitioner.class",
                "io.confluent.connect.hdfs.partitioner.FieldPartitioner",
            ),
            ("partition.field.name", "shard"),
        ],
        "2",
        &[("eu", "fr", 7, t, t), ("us", "ca", 7, t, t)],
    )
    .await;
    assert_eq!(
        files,
        owned(&[(
            "topics/sales/shard=7/sales+0+0000000000+0000000001.json",
            &[0, 1]
        )])
    );
}

#[tokio::test]
async fn field_partitioner_with_two_fields() {
    let t = utc(2024, 3, 1, 10, 0);
    let files = partition_sales(
        &[
            (
                "partitioner.class",
                "io.confluent.connect.storage.partitioner.FieldPartitioner",
            ),
            ("partition.field.name", "region,country"),
        ],
        "4",
        &[
            ("eu", "fr", 1, t, t),
            ("us", "ca", 1, t, t),
            ("eu", "fr", 1, t, t),
            ("eu", "de", 1, t, t),
        ],
    )
    .await;
    assert_eq!(
        files,
        owned(&[
            (
                "topics/sales/region=eu/country=de/sales+0+0000000003+0000000003.json",
                &[3]
            ),
            (
                "topics/sales/region=eu/country=fr/sales+0+0000000000+0000000002.json",
                &[0, 2]
            ),
            (
                "topics/sales/region=us/country=ca/sales+0+0000000001+0000000001.json",
                &[1]
            ),
        ])
    );
}

/// Confluent's rule: `flush.size` counts the records of a Kafka partition across its encoded
/// partitions, so one rotation commits one file per open encoded partition, some holding fewer
/// than flush.size records.
#[tokio::test]
async fn one_rotation_commits_one_file_per_open_encoded_partition() {
    let t = utc(2024, 3, 1, 10, 0);
    let mut harness = harness(&[
        ("format.class", "JsonFormat"),
        ("flush.size", "3"),
        ("partitioner.class", "FieldPartitioner"),
        ("partition.field.name", "region"),
    ]);
    for (id, region) in ["eu", "us", "eu", "us", "eu", "us"].iter().enumerate() {
        harness.add(
            "sales",
            0,
            Some(sale_schema()),
            sale(id as i64, region, "xx", 0, t),
            None,
        );
    }
    // Kafka partition 1 counts its own records: its three make one file.
    for id in 10..13 {
        harness.add(
            "sales",
            1,
            Some(sale_schema()),
            sale(id, "eu", "xx", 0, t),
            None,
        );
    }
    run_to_end(&mut harness).await;
    assert_eq!(
        committed_ids(&harness),
        owned(&[
            (
                "topics/sales/region=eu/sales+0+0000000000+0000000002.json",
                &[0, 2]
            ),
            (
                "topics/sales/region=eu/sales+0+0000000004+0000000004.json",
                &[4]
            ),
            (
                "topics/sales/region=eu/sales+1+0000000000+0000000002.json",
                &[10, 11, 12]
            ),
            (
                "topics/sales/region=us/sales+0+0000000001+0000000001.json",
                &[1]
            ),
            (
                "topics/sales/region=us/sales+0+0000000003+0000000005.json",
                &[3, 5]
            ),
        ])
    );
    // The last commit of partition 0 is one WAL block with both files.
    let blocks = wal_blocks(&harness, "logs/sales/0/log.1");
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let mut committed: Vec<&str> = blocks[0].iter().map(|(_, c)| c.as_str()).collect();
    committed.sort_unstable();
    assert_eq!(
        committed,
        [
            "topics/sales/region=eu/sales+0+0000000004+0000000004.json",
            "topics/sales/region=us/sales+0+0000000003+0000000005.json",
        ]
    );
}

const HOURLY_FORMAT: &str = "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH";

#[tokio::test]
async fn time_based_partitioner_on_record_time() {
    let files = partition_sales(
        &[
            (
                "partitioner.class",
                "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
            ),
            ("path.format", HOURLY_FORMAT),
            ("partition.duration.ms", "3600000"),
            ("locale", "en"),
            ("timezone", "UTC"),
            ("timestamp.extractor", "Record"),
        ],
        "3",
        &[
            // The field times are decoys: the Kafka record time decides.
            ("eu", "fr", 0, 0, utc(2024, 3, 1, 10, 15)),
            ("eu", "fr", 0, 0, utc(2024, 3, 1, 10, 59)),
            ("eu", "fr", 0, 0, utc(2024, 3, 1, 11, 0)),
            ("eu", "fr", 0, 0, utc(2023, 12, 31, 23, 30)),
        ],
    )
    .await;
    // The fourth record waits for the next rotation; it is discarded at stop.
    assert_eq!(
        files,
        owned(&[
            (
                "topics/sales/year=2024/month=03/day=01/hour=10/sales+0+0000000000+0000000001.json",
                &[0, 1]
            ),
            (
                "topics/sales/year=2024/month=03/day=01/hour=11/sales+0+0000000002+0000000002.json",
                &[2]
            ),
        ])
    );
}

#[tokio::test]
async fn time_based_partitioner_on_a_record_field() {
    let files = partition_sales(
        &[
            (
                "partitioner.class",
                "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
            ),
            ("path.format", "'year'=YYYY/'month'=MM/'day'=dd/"),
            ("partition.duration.ms", "86400000"),
            ("locale", "en"),
            ("timezone", "UTC"),
            ("timestamp.extractor", "RecordField"),
            ("timestamp.field", "at"),
        ],
        "3",
        &[
            // The record times are decoys: the `at` field decides.
            (
                "eu",
                "fr",
                0,
                utc(2023, 12, 31, 23, 59),
                utc(2024, 6, 1, 0, 0),
            ),
            ("eu", "fr", 0, utc(2024, 1, 1, 0, 0), utc(2024, 6, 1, 0, 0)),
            (
                "eu",
                "fr",
                0,
                utc(2024, 1, 1, 23, 59),
                utc(2024, 6, 1, 0, 0),
            ),
        ],
    )
    .await;
    assert_eq!(
        files,
        owned(&[
            (
                "topics/sales/year=2023/month=12/day=31/sales+0+0000000000+0000000000.json",
                &[0]
            ),
            (
                "topics/sales/year=2024/month=01/day=01/sales+0+0000000001+0000000002.json",
                &[1, 2]
            ),
        ])
    );
}

#[tokio::test]
async fn hourly_and_daily_partitioners_on_record_time() {
    let times = [
        utc(2024, 2, 29, 23, 59),
        utc(2024, 3, 1, 0, 0),
        utc(2024, 3, 1, 0, 30),
    ];
    let sales: Vec<(&str, &str, i32, i64, i64)> =
        times.iter().map(|t| ("eu", "fr", 0, 0, *t)).collect();
    let hourly = partition_sales(
        &[
            (
                "partitioner.class",
                "io.confluent.connect.storage.partitioner.HourlyPartitioner",
            ),
            ("locale", "en"),
            ("timezone", "UTC"),
            ("timestamp.extractor", "Record"),
        ],
        "3",
        &sales,
    )
    .await;
    assert_eq!(
        hourly,
        owned(&[
            (
                "topics/sales/year=2024/month=02/day=29/hour=23/sales+0+0000000000+0000000000.json",
                &[0]
            ),
            (
                "topics/sales/year=2024/month=03/day=01/hour=00/sales+0+0000000001+0000000002.json",
                &[1, 2]
            ),
        ])
    );
    let daily = partition_sales(
        &[
            (
                "partitioner.class",
                "io.confluent.connect.storage.partitioner.DailyPartitioner",
            ),
            ("locale", "en"),
            ("timezone", "UTC"),
            ("timestamp.extractor", "Record"),
        ],
        "3",
        &sales,
    )
    .await;
    assert_eq!(
        daily,
        owned(&[
            (
                "topics/sales/year=2024/month=02/day=29/sales+0+0000000000+0000000000.json",
                &[0]
            ),
            (
                "topics/sales/year=2024/month=03/day=01/sales+0+0000000001+0000000002.json",
                &[1, 2]
            ),
        ])
    );
}

#[tokio::test]
async fn a_non_utc_timezone_shifts_the_directories() {
    // 03:30Z is 22:30 the day before in New York in winter (UTC-5); 03:30Z in July is 23:30
    // (UTC-4, daylight saving time); 05:10Z in winter is 00:10 local.
    let sales = [
        ("eu", "fr", 0, 0, utc(2024, 3, 1, 3, 30)),
        ("eu", "fr", 0, 0, utc(2024, 7, 1, 3, 30)),
        ("eu", "fr", 0, 0, utc(2024, 3, 1, 5, 10)),
    ];
    let hourly = partition_sales(
        &[
            (
                "partitioner.class",
                "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
            ),
            ("path.format", HOURLY_FORMAT),
            ("partition.duration.ms", "3600000"),
            ("locale", "en"),
            ("timezone", "America/New_York"),
            ("timestamp.extractor", "Record"),
        ],
        "3",
        &sales,
    )
    .await;
    assert_eq!(
        hourly,
        owned(&[
            (
                "topics/sales/year=2024/month=02/day=29/hour=22/sales+0+0000000000+0000000000.json",
                &[0]
            ),
            (
                "topics/sales/year=2024/month=03/day=01/hour=00/sales+0+0000000002+0000000002.json",
                &[2]
            ),
            (
                "topics/sales/year=2024/month=06/day=30/hour=23/sales+0+0000000001+0000000001.json",
                &[1]
            ),
        ])
    );
    let daily = partition_sales(
        &[
            (
                "partitioner.class",
                "io.confluent.connect.storage.partitioner.DailyPartitioner",
            ),
            ("locale", "en"),
            ("timezone", "America/New_York"),
            ("timestamp.extractor", "Record"),
        ],
        "3",
        &sales,
    )
    .await;
    assert_eq!(
        daily,
        owned(&[
            (
                "topics/sales/year=2024/month=02/day=29/sales+0+0000000000+0000000000.json",
                &[0]
            ),
            (
                "topics/sales/year=2024/month=03/day=01/sales+0+0000000002+0000000002.json",
                &[2]
            ),
            (
                "topics/sales/year=2024/month=06/day=30/sales+0+0000000001+0000000001.json",
                &[1]
            ),
        ])
    );
}
