#!/usr/bin/env bash
# The scale benchmark in one command (see BENCHMARKS.md):
#
#   bash apitable-bench/run.sh [apitable-bench options, e.g. --runs-long 3 --runs-short 7]
#
# Builds the release binaries, makes a Python venv with the official SDK (`pip install
# apitable`, only here: never in tests or CI), starts a redis-server of its own on a free
# loopback port, runs every scenario for apitable-orm and the SDK side by side on one emulator
# binary (rate limiter on, 5 requests/s), then the decode bench's headline. Takes a while
# (about 35 minutes on 2 cores); prints one Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== building release binaries" >&2
cargo build --release -p apitable-emulator -p apitable-bench >&2

VENV=target/bench-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import apitable" 2>/dev/null; then
    echo "== creating $VENV with the APITable Python SDK" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet apitable >&2
fi
SDK_VERSION=$("$VENV/bin/pip" show apitable 2>/dev/null | sed -n 's/^Version: //p')

# A redis-server of our own for the shared-budget scenario, on a free port.
REDIS_ARGS=()
REDIS_PID=""
if command -v redis-server >/dev/null 2>&1; then
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
        >target/bench-redis.log 2>&1 &
    REDIS_PID=$!
    REDIS_ARGS=(--redis "redis://127.0.0.1:$PORT")
fi
cleanup() {
    if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

echo "== scale benchmark (apitable SDK $SDK_VERSION)" >&2
target/release/apitable-bench all \
    --emulator target/release/apitable-emulator \
    --python "$VENV/bin/python" \
    --sdk-script apitable-bench/sdk_bench.py \
    "${REDIS_ARGS[@]}" "$@"

echo
echo "== decode bench headline (cargo bench -p apitable-orm --bench decode)" >&2
DECODE_HEADLINE_ONLY=1 cargo bench -q -p apitable-orm --bench decode 2>/dev/null | sed -n '/steady state/,$p'
