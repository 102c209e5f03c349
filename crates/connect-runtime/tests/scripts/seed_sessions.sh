#!/usr/bin/env bash
# The curl sessions of the operator guides this project was built from, run against a live
# connect-standalone, with the HDFS sink writing to a local directory: each answer is checked.
#
#   CONNECT_URL=http://127.0.0.1:8083 HDFS_DIR=/tmp/hdfs SOURCE_TOPIC=t bash seed_sessions.sh
set -euo pipefail

url="${CONNECT_URL:?set CONNECT_URL}"
hdfs_dir="${HDFS_DIR:?set HDFS_DIR}"
topic="${SOURCE_TOPIC:?set SOURCE_TOPIC}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# request METHOD PATH [curl args...]: prints the body, keeps the status in $status.
request() {
  local method="$1" path="$2"
  shift 2
  status="$(curl -s -o "$work/body" -w '%{http_code}' -X "$method" "$url$path" "$@")"
  cat "$work/body"
}

# expect STATUS PYTHON-EXPRESSION: checks the last status and evaluates the expression with the
# JSON body bound to `b`.
expect() {
  [[ "$status" == "$1" ]] || fail "expected HTTP $1, got $status: $(cat "$work/body")"
  if [[ $# -gt 1 ]]; then
    python3 -c "import json,sys; b=json.load(open(sys.argv[1])); assert ($2), b" "$work/body" \
      || fail "check failed: $2"
  fi
}

# Seed 004: version, plugins, connectors.
request GET / >/dev/null; expect 200 "'version' in b and 'commit' in b"
request GET /connector-plugins >/dev/null
expect 200 "any(p['class'] == 'org.apache.kafka.connect.file.FileStreamSinkConnector' and p['type'] == 'sink' for p in b)"
request GET /connectors >/dev/null; expect 200 "b == ['local-file-source']"

# Seed 000: create from a JSON file, status, config, replace the config, restart.
cat >"$work/hdfs-sink.json" <<JSON
{"name": "hdfs-sink", "config": {"connector.class": "io.confluent.connect.hdfs.HdfsSinkConnector",
 "tasks.max": "1", "topics": "$topic", "hdfs.url": "file://$hdfs_dir",
 "format.class": "io.confluent.connect.hdfs.string.StringFormat", "flush.size": "1"}}
JSON
request POST /connectors -H "Content-Type: application/json" --data @"$work/hdfs-sink.json" >/dev/null
expect 201 "b['name'] == 'hdfs-sink' and b['type'] == 'sink' and b['config']['topics'] == '$topic'"
for _ in $(seq 50); do
  request GET /connectors/hdfs-sink/status >/dev/null
  python3 -c "import json,sys; b=json.load(open(sys.argv[1])); sys.exit(0 if b['tasks'] and b['tasks'][0]['state'] == 'RUNNING' else 1)" "$work/body" && break
  sleep 0.2
done
expect 200 "b['connector']['state'] == 'RUNNING' and b['tasks'][0]['state'] == 'RUNNING' and b['type'] == 'sink'"
# flush.size=1: each line is committed as a file of its own.
first="$hdfs_dir/topics/$topic/partition=0/$topic+0+0000000000+0000000000.txt"
second="$hdfs_dir/topics/$topic/partition=0/$topic+0+0000000001+0000000001.txt"
for _ in $(seq 100); do
  grep -qx bar "$second" 2>/dev/null && break
  sleep 0.1
done
grep -qx foo "$first" || fail "the sink did not commit $first"
grep -qx bar "$second" || fail "the sink did not commit $second"
request GET /connectors/hdfs-sink/config >/dev/null
expect 200 "b['connector.class'] == 'io.confluent.connect.hdfs.HdfsSinkConnector' and b['name'] == 'hdfs-sink'"
request PUT /connectors/hdfs-sink/config -H "Content-Type: application/json" -d "{
    \"connector.class\": \"io.confluent.connect.hdfs.HdfsSinkConnector\",
    \"tasks.max\": \"4\",
    \"topics\": \"$topic\",
    \"hdfs.url\": \"file://$hdfs_dir\",
    \"format.class\": \"io.confluent.connect.hdfs.parquet.ParquetFormat\",
    \"flush.size\": \"500\",
    \"schema.compatibility\": \"FULL\"
  }" >/dev/null
expect 200 "b['config']['tasks.max'] == '4' and len(b['tasks']) == 4"
request POST /connectors/hdfs-sink/restart >/dev/null; expect 204

# Seed 002: connector status, then a task's status.
request GET /connectors/hdfs-sink/status >/dev/null; expect 200 "len(b['tasks']) == 4"
request GET /connectors/hdfs-sink/tasks/0/status >/dev/null; expect 200 "b['id'] == 0 and b['state'] in ('RUNNING', 'RESTARTING')"
request GET /connectors/hdfs-sink/tasks/9/status >/dev/null
expect 404 "b == {'error_code': 404, 'message': 'No status found for task hdfs-sink-9'}"

# Seed 003: the basic API table: list, config, delete.
request GET /connectors >/dev/null; expect 200 "sorted(b) == ['hdfs-sink', 'local-file-source']"
request DELETE /connectors/hdfs-sink >/dev/null; expect 204
request GET /connectors/hdfs-sink/config >/dev/null
expect 404 "b == {'error_code': 404, 'message': 'Connector hdfs-sink not found'}"
echo "seed sessions: all answers as expected"
