//! The order service run as a user runs it: started, stopped with SIGTERM, started again on the
//! same directory. Graceful shutdown commits source and sink offsets, so every shop's orders
//! reach the output file exactly once, in order, across the restart; on a Kafka broker the topic
//! holds them exactly once too, as an independent client reads it.

// Test helpers fail the test with a message, as the tests themselves do.
#![allow(clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use connect_testkit::kafka_python::{self, Expect};
use connect_testkit::require_broker;
use support::Service;

const SHOPS: usize = 3;
/// How long the service may take to stop after SIGTERM.
const EXIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the output may take to reach the expected number of lines.
const OUTPUT_TIMEOUT: Duration = Duration::from_secs(60);

/// Starts the order service on `dir`, with `extra` arguments.
fn start(binary: &Path, dir: &Path, extra: &[&str]) -> Service {
    let mut command = Command::new(binary);
    command
        .arg("--dir")
        .arg(dir)
        .args(["--shops", &SHOPS.to_string()])
        .args(["--orders-per-second", "50", "--tasks", "2"])
        .args(extra);
    Service::start(command, "the order_service example")
}

/// Waits until `output` holds at least `lines` complete lines.
fn wait_for_lines(service: &mut Service, output: &Path, lines: usize) {
    let deadline = Instant::now() + OUTPUT_TIMEOUT;
    loop {
        let have = complete_lines(output).len();
        if have >= lines {
            return;
        }
        if let Some(status) = service.exited() {
            panic!(
                "the service exited ({status}) with {have} of {lines} lines written\n{}",
                service.printed()
            );
        }
        assert!(
            Instant::now() < deadline,
            "{} holds {have} lines, not {lines}, after {OUTPUT_TIMEOUT:?}\n{}",
            output.display(),
            service.printed()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends SIGTERM as `kill` does and waits for the service to exit; returns what it printed on
/// stdout.
fn terminate(mut service: Service) -> String {
    let status = service.terminate(EXIT_TIMEOUT);
    assert!(
        status.success(),
        "the service exited with {status} after SIGTERM\n{}",
        service.printed()
    );
    service.stdout()
}

/// The newline-terminated lines of `path` (none while it does not exist).
fn complete_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let complete = text.rfind('\n').map_or("", |end| &text[..=end]);
    complete.lines().map(str::to_owned).collect()
}

/// Order ids per shop, in the order given.
fn ids_by_shop<'a>(
    orders: impl IntoIterator<Item = &'a serde_json::Value>,
) -> BTreeMap<String, Vec<i64>> {
    let mut by_shop: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for order in orders {
        let shop = order["shop"]
            .as_str()
            .unwrap_or_else(|| panic!("no shop in {order}"));
        let id = order["order_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no order_id in {order}"));
        by_shop.entry(shop.to_owned()).or_default().push(id);
    }
    by_shop
}

/// Every shop's ids are 0, 1, 2, ... in this order: no gap, no duplicate, nothing reordered.
fn assert_contiguous(what: &str, by_shop: &BTreeMap<String, Vec<i64>>) {
    let shops: Vec<String> = (0..SHOPS).map(|n| format!("shop-{n}")).collect();
    assert_eq!(
        by_shop.keys().cloned().collect::<Vec<_>>(),
        shops,
        "{what}: every shop has orders"
    );
    for (shop, ids) in by_shop {
        let expected: Vec<i64> = (0..).take(ids.len()).collect();
        assert_eq!(ids, &expected, "{what}: the order ids of {shop}");
    }
}

/// The orders in the output file, parsed.
fn output_orders(output: &Path) -> Vec<serde_json::Value> {
    complete_lines(output)
        .iter()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}: {line:?} is not JSON: {e}", output.display()))
        })
        .collect()
}

/// Runs the service twice on `dir` (stopping each run with SIGTERM once some orders are out) and
/// checks the output; returns the orders of the output file.
fn run_twice(binary: &Path, dir: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let output: PathBuf = dir.join("orders.jsonl");

    let mut first = start(binary, dir, extra);
    wait_for_lines(&mut first, &output, 150);
    let printed = terminate(first);
    assert!(
        printed.contains(&format!("output: {}", output.display())),
        "the service says where the output goes:\n{printed}"
    );
    let after_first = complete_lines(&output).len();

    let mut second = start(binary, dir, extra);
    wait_for_lines(&mut second, &output, after_first + 150);
    let printed = terminate(second);
    for shop in 0..SHOPS {
        let starting = format!("shop-{shop}: starting at order ");
        let line = printed
            .lines()
            .find(|line| line.starts_with(&starting))
            .unwrap_or_else(|| panic!("no {starting:?} line in:\n{printed}"));
        let next: i64 = line[starting.len()..].parse().expect("an order id");
        assert!(next > 0, "the second run resumes shop-{shop}: {line}");
    }

    let orders = output_orders(&output);
    assert_contiguous("output file", &ids_by_shop(&orders));
    orders
}

#[test]
fn restarts_resume_every_shop_without_gap_or_duplicate() {
    let binary = support::example_binary("order_service");
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let orders = run_twice(&binary, dir.path(), &[]);
    assert!(orders.len() >= 300, "{} orders", orders.len());
    let first = &orders[0];
    for field in ["customer", "amount_cents", "created_at"] {
        assert!(first.get(field).is_some(), "{field} in {first}");
    }
    eprintln!(
        "{} orders over two runs in {:?}",
        orders.len(),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn on_kafka_the_topic_holds_every_order_once() {
    let broker = require_broker!();
    let bootstrap = broker.bootstrap();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_owned();
    let servers = bootstrap.clone();
    // Building and running the example block; keep them off the test's async threads.
    let in_file = tokio::task::spawn_blocking(move || {
        let binary = support::example_binary("order_service");
        run_twice(&binary, &path, &["--bootstrap-servers", &servers])
    })
    .await
    .expect("the service runs");

    let records =
        kafka_python::consume_all(&bootstrap, "orders", Expect::Idle(Duration::from_secs(3)))
            .await
            .expect("reading the orders topic");
    let orders: Vec<serde_json::Value> = records
        .iter()
        .map(|record| {
            let value = record.value.as_deref().expect("a value");
            let order: serde_json::Value =
                serde_json::from_slice(value).expect("the value is JSON");
            let key = record.key.as_deref().expect("a key");
            assert_eq!(
                Some(std::str::from_utf8(key).expect("a text key")),
                order["shop"].as_str(),
                "the key is the shop"
            );
            order
        })
        .collect();
    // Records of one shop share a partition (they have the same key), so reading partition by
    // partition keeps each shop's order.
    let in_topic = ids_by_shop(&orders);
    assert_contiguous("topic", &in_topic);
    for (shop, ids) in ids_by_shop(&in_file) {
        assert!(
            in_topic[&shop].len() >= ids.len(),
            "the topic holds every order of {shop} that reached the file"
        );
    }
}
