"""Independent Kafka client used by connect-testkit to check topics from outside the project.

Run as `python3 -c <this file> COMMAND ARGS...` by `connect_testkit::kafka_python`.
Everything is written as JSON on stdout, one object a line, with bytes in standard base64
(`null` for a null key, value or header value). Diagnostics go to stderr.

Commands:
  consume BOOTSTRAP TOPIC EXPECTED IDLE_MS TIMEOUT_MS
      Reads every partition of TOPIC from its earliest offset without a consumer group.
      EXPECTED >= 0: stops once that many records were read (plus a short grace poll so that
      extra records show up); exits 3 if TIMEOUT_MS passes first.
      EXPECTED < 0: stops once no new record arrived for IDLE_MS.
      Prints {"partition","offset","key","value","headers":[[k, v]],"timestamp_ms"} lines.
  produce BOOTSTRAP TOPIC  (stdin: JSON array of {"partition","key","value","headers","timestamp_ms"})
      (kafka-python cannot send a null header value, so header values are never null here.)
      Sends the records in order and prints {"partition","offset"} for each.
  committed BOOTSTRAP GROUP TOPIC
      Prints one object {"<partition>": offset} with the offsets GROUP committed for TOPIC.
  commit BOOTSTRAP GROUP TOPIC  (stdin: JSON object {"<partition>": offset})
      Commits those offsets for GROUP without joining it (as a standalone consumer would).
"""

import base64
import json
import sys
import time

try:
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.structs import OffsetAndMetadata
except ImportError as err:  # reported as "not installed" by the Rust side
    sys.stderr.write("KCHECK_KAFKA_PYTHON_MISSING: %s\n" % err)
    sys.exit(4)

EXIT_INCOMPLETE = 3
CLIENT_ID = "connect-testkit-kcheck"
GRACE_MS = 250


def b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


def unb64(text):
    return None if text is None else base64.b64decode(text)


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")


def consume(bootstrap, topic, expected, idle_ms, timeout_ms):
    expected, idle_ms, timeout_ms = int(expected), int(idle_ms), int(timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000.0
    consumer = KafkaConsumer(
        bootstrap_servers=[bootstrap],
        client_id=CLIENT_ID,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=30000,
    )
    try:
        partitions = None
        while True:
            partitions = consumer.partitions_for_topic(topic)
            if partitions:
                break
            if time.monotonic() >= deadline:
                sys.stderr.write("topic %r not found within %d ms\n" % (topic, timeout_ms))
                return EXIT_INCOMPLETE
            time.sleep(0.1)
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)

        count = 0
        last_record = time.monotonic()
        grace_until = None
        while True:
            now = time.monotonic()
            if grace_until is not None and now >= grace_until:
                return 0
            if expected < 0 and now - last_record >= idle_ms / 1000.0:
                return 0
            if expected >= 0 and grace_until is None and now >= deadline:
                sys.stderr.write(
                    "read %d of %d records from %r within %d ms\n"
                    % (count, expected, topic, timeout_ms)
                )
                return EXIT_INCOMPLETE
            batches = consumer.poll(timeout_ms=100)
            for tp in sorted(batches, key=lambda t: t.partition):
                for rec in batches[tp]:
                    emit(
                        {
                            "partition": rec.partition,
                            "offset": rec.offset,
                            "key": b64(rec.key),
                            "value": b64(rec.value),
                            "headers": [[k, b64(v)] for (k, v) in (rec.headers or [])],
                            "timestamp_ms": rec.timestamp,
                        }
                    )
                    count += 1
                    last_record = time.monotonic()
            if expected >= 0 and count >= expected and grace_until is None:
                grace_until = time.monotonic() + GRACE_MS / 1000.0
    finally:
        consumer.close()


def produce(bootstrap, topic):
    records = json.load(sys.stdin)
    producer = KafkaProducer(
        bootstrap_servers=[bootstrap],
        client_id=CLIENT_ID,
        acks="all",
        retries=3,
        max_in_flight_requests_per_connection=1,
        linger_ms=0,
        request_timeout_ms=30000,
        delivery_timeout_ms=60000,
    )
    try:
        futures = []
        for rec in records:
            headers = [(k, base64.b64decode(v)) for (k, v) in (rec.get("headers") or [])]
            futures.append(
                producer.send(
                    topic,
                    key=unb64(rec.get("key")),
                    value=unb64(rec.get("value")),
                    headers=headers or None,
                    partition=rec.get("partition"),
                    timestamp_ms=rec.get("timestamp_ms"),
                )
            )
        producer.flush(timeout=60)
        for future in futures:
            meta = future.get(timeout=60)
            emit({"partition": meta.partition, "offset": meta.offset})
    finally:
        producer.close(timeout=10)
    return 0


def topic_partitions(bootstrap, topic, timeout_s=30.0):
    """The partition numbers of TOPIC, from a consumer that joins no group."""
    consumer = KafkaConsumer(bootstrap_servers=[bootstrap], client_id=CLIENT_ID, group_id=None)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            partitions = consumer.partitions_for_topic(topic)
            if partitions:
                return sorted(partitions)
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)
    finally:
        consumer.close()


def committed(bootstrap, group, topic):
    # Name the partitions: nisshi 0.6.0 answers an OffsetFetch for "all topics" of a group with
    # a response kafka-python cannot decode. (KafkaAdminClient.describe_topics cannot be used
    # to find them either: it rejects the authorized-operations bits nisshi sends.)
    partitions = topic_partitions(bootstrap, topic)
    if partitions is None:
        sys.stderr.write("topic %r not found\n" % topic)
        return 1
    admin = KafkaAdminClient(
        bootstrap_servers=[bootstrap], client_id=CLIENT_ID, request_timeout_ms=30000
    )
    try:
        offsets = admin.list_consumer_group_offsets(
            group, partitions=[TopicPartition(topic, p) for p in partitions]
        )
    finally:
        admin.close()
    result = {}
    for tp, meta in offsets.items():
        if tp.topic == topic and meta.offset >= 0:
            result[str(tp.partition)] = meta.offset
    emit(result)
    return 0


def commit(bootstrap, group, topic):
    wanted = json.load(sys.stdin)
    consumer = KafkaConsumer(
        bootstrap_servers=[bootstrap],
        client_id=CLIENT_ID,
        group_id=group,
        enable_auto_commit=False,
        request_timeout_ms=30000,
    )
    try:
        offsets = {
            TopicPartition(topic, int(p)): OffsetAndMetadata(int(o), "", -1)
            for (p, o) in wanted.items()
        }
        consumer.assign(list(offsets))
        consumer.commit(offsets)
    finally:
        consumer.close(autocommit=False)
    return 0


COMMANDS = {
    "consume": (consume, 5),
    "produce": (produce, 2),
    "committed": (committed, 3),
    "commit": (commit, 3),
}


def main(argv):
    if not argv or argv[0] not in COMMANDS or len(argv) - 1 != COMMANDS[argv[0]][1]:
        sys.stderr.write("usage: kcheck.py consume|produce|committed|commit ARGS... (got %r)\n" % argv)
        return 2
    func = COMMANDS[argv[0]][0]
    return func(*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
