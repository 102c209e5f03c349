#!/usr/bin/env bash
# Runs every test of the workspace, including the ones that need a Kafka-compatible broker.
#
#   ./scripts/test.sh                         # the whole workspace
#   ./scripts/test.sh -p connect-api          # extra arguments go to `cargo test`
#   ./scripts/test.sh -p connect-testkit -- --nocapture
#
# Installs what the broker tests need, once, outside the clone:
#   $KCONNECT_CACHE (default ~/.cache/kconnect-ci)
#     nisshi-0.6.0/bin/nisshi   the broker (built with `cargo install`, ~14 minutes on 2 cores;
#                               set NISSHI_BIN to use another binary and skip this)
#     target/                   cargo's build output, unless CARGO_TARGET_DIR is set
#   kafka-python (pip, into python3's site-packages): the independent client tests check with.
#   schemathesis (pip, likewise): fuzzes the REST API against its /openapi.json.
#   pyarrow, fastavro, cramjam (pip, likewise): read back the HDFS sink's Parquet and Avro files.
#
# Each broker test starts its own broker on a free loopback port through connect-testkit and
# kills it when the test ends; nothing is left running.
set -euo pipefail

NISSHI_VERSION=0.6.0
KAFKA_PYTHON_VERSION=2.3.3
SCHEMATHESIS_VERSION=4.32.5
PYARROW_VERSION=26.0.1
FASTAVRO_VERSION=1.13.1
CRAMJAM_VERSION=2.14.0

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '==> %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

command -v cargo >/dev/null || die "cargo not found: install the Rust toolchain with rustup"
command -v python3 >/dev/null || die "python3 not found: the broker tests check topics with kafka-python"

CACHE="${KCONNECT_CACHE:-$HOME/.cache/kconnect-ci}"
export KCONNECT_CACHE="$CACHE"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
mkdir -p "$CACHE"
step "cache: $CACHE; cargo target dir: $CARGO_TARGET_DIR"

# The broker.
if [[ -n "${NISSHI_BIN:-}" ]]; then
  step "broker: using NISSHI_BIN=$NISSHI_BIN"
else
  nisshi_root="$CACHE/nisshi-$NISSHI_VERSION"
  if [[ ! -x "$nisshi_root/bin/nisshi" ]]; then
    step "broker: installing nisshi $NISSHI_VERSION into $nisshi_root (once, ~14 minutes)"
    # Its own build directory: an interrupted install resumes, and it is removed afterwards.
    CARGO_TARGET_DIR="$CACHE/nisshi-build" cargo install "nisshi@$NISSHI_VERSION" --locked \
      --no-default-features --features dynostore,libsql --root "$nisshi_root" \
      || die "could not install nisshi $NISSHI_VERSION (see cargo's output above)"
    rm -rf "$CACHE/nisshi-build"
  fi
  export NISSHI_BIN="$nisshi_root/bin/nisshi"
  step "broker: $NISSHI_BIN"
fi

# The independent client.
if ! python3 -c 'import kafka' 2>/dev/null; then
  step "kafka-python: installing kafka-python==$KAFKA_PYTHON_VERSION with pip"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet "kafka-python==$KAFKA_PYTHON_VERSION" \
    || die "could not install kafka-python==$KAFKA_PYTHON_VERSION with 'python3 -m pip'"
  python3 -c 'import kafka' 2>/dev/null \
    || die "kafka-python was installed but 'python3 -c \"import kafka\"' still fails"
fi
step "kafka-python: $(python3 -c 'import kafka; print(kafka.__version__)')"

# The independent readers of the HDFS sink's Parquet and Avro files.
# cramjam gives fastavro its snappy codec.
if ! python3 -c 'import pyarrow, fastavro, cramjam' 2>/dev/null; then
  step "pyarrow, fastavro, cramjam: installing pyarrow==$PYARROW_VERSION fastavro==$FASTAVRO_VERSION cramjam==$CRAMJAM_VERSION with pip"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet "pyarrow==$PYARROW_VERSION" \
    "fastavro==$FASTAVRO_VERSION" "cramjam==$CRAMJAM_VERSION" \
    || die "could not install pyarrow, fastavro and cramjam with 'python3 -m pip'"
  python3 -c 'import pyarrow, fastavro, cramjam' 2>/dev/null \
    || die "pyarrow, fastavro and cramjam were installed but 'python3 -c \"import pyarrow, fastavro, cramjam\"' still fails"
fi
step "pyarrow $(python3 -c 'import pyarrow; print(pyarrow.__version__)'), fastavro $(python3 -c 'import fastavro; print(fastavro.__version__)')"

# The REST API fuzzer (tests/rest_openapi.rs runs it against /openapi.json).
if ! python3 -m schemathesis.cli --version >/dev/null 2>&1; then
  step "schemathesis: installing schemathesis==$SCHEMATHESIS_VERSION with pip"
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION" \
    || die "could not install schemathesis==$SCHEMATHESIS_VERSION with 'python3 -m pip'"
  python3 -m schemathesis.cli --version >/dev/null 2>&1 \
    || die "schemathesis was installed but 'python3 -m schemathesis.cli --version' still fails"
fi
step "$(python3 -m schemathesis.cli --version)"

# `--workspace` would override `-p`: only add it when no package was named.
scope=(--workspace)
for arg in "$@"; do
  case "$arg" in
    --) break ;;
    -p | -p* | --package | --package=*) scope=() ;;
  esac
done

# Both runs are echoed and kept, so that the closing line can total every test binary's counts.
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
step "$(echo cargo test "${scope[@]}" --all-targets "$@")"
cargo test "${scope[@]}" --all-targets "$@" 2>&1 | tee -a "$results"
step "$(echo cargo test "${scope[@]}" --doc "$@")"
cargo test "${scope[@]}" --doc "$@" 2>&1 | tee -a "$results"
awk '/^test result:/ { passed += $4; failed += $6; ignored += $8 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, ignored }' "$results"
