#!/usr/bin/env bash
# State-scale benchmark behind docs/performance.md: generates the data set, imports it into SQLite and
# (with KIMO_BENCH_POSTGRES_URL, a user that may create databases) into PostgreSQL, then loads the
# indicator page and the observations API with 64 connections (wrk, from Debian's package `wrk`).
# Usage: scripts/bench-state.sh [DIR]   (default /tmp/kimo-state; needs ~5 GB of memory)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/kimo-state}
secs=${KIMO_BENCH_SECONDS:-20}
cargo build --release -q
kimo=./target/release/kimo
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

[ -f "$dir/daten.csv" ] || $kimo bench generate --areas 450 --indicators 70 --years 15 "$dir"
rows=$(($(wc -l < "$dir/daten.csv") - 1))
echo "data set: $rows observations"

dbs=("sqlite://$dir/state.db")
rm -f "$dir"/state.db*
if [ -n "${KIMO_BENCH_POSTGRES_URL:-}" ]; then
  psql "$KIMO_BENCH_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS kimo_bench" -c "CREATE DATABASE kimo_bench" 2>/dev/null
  dbs+=("${KIMO_BENCH_POSTGRES_URL%/*}/kimo_bench")
fi

page="/indikatoren/I07?gebiet=A123"
api="/api/v1/indicators/I07/observations?area=A123"
for db in "${dbs[@]}"; do
  echo "== ${db%%://*}"
  $kimo --database "$db" import "$dir"/katalog/*.csv "$dir/daten.csv" | grep "Werte/s"
  for mode in cached no-cache; do
    flag=(); [ "$mode" = no-cache ] && flag=(--no-cache)
    $kimo --database "$db" serve --port 18099 "${flag[@]}" 2>/dev/null &
    pid=$!
    for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:18099/ && break; sleep 0.2; done
    for path in "$page" "$api"; do
      curl -fs -o /dev/null "http://127.0.0.1:18099$path"   # warm-up: first render fills the cache
      echo "-- $mode $path"
      wrk -t2 -c64 -d"${secs}s" --latency "http://127.0.0.1:18099$path" \
        | grep -E "^ +(50|99)%|Requests/sec|Non-2xx"
    done
    kill -INT $pid; wait $pid 2>/dev/null || true
  done
done
