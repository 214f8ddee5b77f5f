#!/usr/bin/env bash
# Login and a protected page under load (issue 11, docs/performance.md).
# Needs wrk (Debian: apt-get install wrk), curl and a release build:
#
#   cargo build --release && cp target/release/kimo /tmp/kimo-load
#   scripts/load/run.sh /tmp/kimo-load
#
# Makes a demo database with two accounts, serves it on 127.0.0.1:$PORT and runs:
#   a  the protected page /lagebild (16 connections), /indikatoren/ARB-03 and /api/v1/warnings
#   b  logins with the correct password (scripts/load/login.lua, 8 connections; 1 connection)
#   c  /lagebild with 4 connections alone, then the same while (b) runs
#   d  logins with a wrong password for a second account (throttled) while /lagebild runs,
#      and one correct login by curl during it
#   e  a flood of 100 connections with wrong passwords for a third account while /lagebild runs;
#      the server's peak memory
# The server's CPU time (user + system) is printed for the login runs. The database is
# removed at the end. Run (d) last: its failures throttle logins from 127.0.0.1 for 15 minutes.
set -euo pipefail

BIN=${1:-target/release/kimo}
PORT=${PORT:-8099}
DB=${DB:-/tmp/load.db}
DUR=${DUR:-20s}
HERE=$(cd "$(dirname "$0")" && pwd)
URL=http://127.0.0.1:$PORT
OUT=${OUT:-$(mktemp -d /tmp/kimo-load-out.XXXXXX)}

rm -f "$DB" "$DB-wal" "$DB-shm"
"$BIN" --database "$DB" demo > /dev/null
PW=$("$BIN" --database "$DB" user add last.test --role redaktion | grep -o '[A-Za-z0-9]\{4\}-[A-Za-z0-9]\{4\}-[A-Za-z0-9]\{4\}-[A-Za-z0-9]\{4\}')
"$BIN" --database "$DB" user add last.falsch --role redaktion > /dev/null

"$BIN" --database "$DB" serve --port "$PORT" 2> "$OUT/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -f "$DB" "$DB-wal" "$DB-shm"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "$URL/anmelden" && break; sleep 0.2; done

cpu() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$SERVER/stat"; }
show() { grep -E 'Running|connections|50%|90%|99%|requests in|Requests/sec|Non-2xx|Socket errors|status' "$1"; }

# One login by curl: 303 with the session cookie.
SESSION=$(curl -s -o /dev/null -D - -b 'kimo_anmeldung=abc123' \
  --data-urlencode name=last.test --data-urlencode "passwort=$PW" --data csrf=abc123 \
  "$URL/anmelden" | tr -d '\r' | sed -n 's/^set-cookie: kimo_sitzung=\([0-9a-f]*\);.*/\1/p')
[ -n "$SESSION" ] || { echo "login failed" >&2; exit 1; }
COOKIE="Cookie: kimo_sitzung=$SESSION"
echo "/lagebild with the cookie: $(curl -s -o /dev/null -w '%{http_code}' -H "$COOKIE" "$URL/lagebild"), without: $(curl -s -o /dev/null -w '%{http_code}' "$URL/lagebild")"

page() { wrk -t2 -c"$1" -d"$2" --latency -H "$COOKIE" "$URL$3"; }
logins() { KIMO_NAME=$1 KIMO_PASSWORD=$2 wrk -t2 -c"$3" -d"$4" --latency --timeout "$5" -s "$HERE/login.lua" "$URL"; }

echo "== a: protected pages alone ($(uptime | sed 's/.*load/load/'))"
page 16 "$DUR" /lagebild > "$OUT/a-lagebild.txt"; show "$OUT/a-lagebild.txt"
page 16 10s /indikatoren/ARB-03 > "$OUT/a-indikator.txt"; show "$OUT/a-indikator.txt"
page 16 10s /api/v1/warnings > "$OUT/a-api.txt"; show "$OUT/a-api.txt"

echo "== b: logins alone ($(uptime | sed 's/.*load/load/'))"
c0=$(cpu); logins last.test "$PW" 8 "$DUR" 10s > "$OUT/b-login8.txt"; c1=$(cpu)
show "$OUT/b-login8.txt"; echo "server CPU: $(echo "$c1 - $c0" | bc) s"
c0=$(cpu); KIMO_NAME=last.test KIMO_PASSWORD=$PW wrk -t1 -c1 -d10s --latency -s "$HERE/login.lua" "$URL" > "$OUT/b-login1.txt"; c1=$(cpu)
show "$OUT/b-login1.txt"; echo "server CPU: $(echo "$c1 - $c0" | bc) s"

echo "== c: /lagebild with 4 connections, alone and during logins ($(uptime | sed 's/.*load/load/'))"
page 4 "$DUR" /lagebild > "$OUT/c-alone.txt"; show "$OUT/c-alone.txt"
c0=$(cpu)
logins last.test "$PW" 8 30s 10s > "$OUT/c-login.txt" & L=$!
sleep 4; page 4 "$DUR" /lagebild > "$OUT/c-page.txt"; wait $L; c1=$(cpu)
echo "-- page during logins"; show "$OUT/c-page.txt"
echo "-- logins (30 s)"; show "$OUT/c-login.txt"; echo "server CPU: $(echo "$c1 - $c0" | bc) s"

echo "== d: wrong password for last.falsch (throttled) and /lagebild ($(uptime | sed 's/.*load/load/'))"
logins last.falsch falsch-falsch 8 30s 60s > "$OUT/d-login.txt" & L=$!
sleep 4; page 4 "$DUR" /lagebild > "$OUT/d-page.txt"
T=$(curl -s -o /dev/null -w '%{http_code} after %{time_total} s' -b 'kimo_anmeldung=abc123' \
  --data-urlencode name=last.test --data-urlencode "passwort=$PW" --data csrf=abc123 "$URL/anmelden")
wait $L
echo "-- page during failing logins"; show "$OUT/d-page.txt"
echo "-- failing logins (30 s)"; show "$OUT/d-login.txt"
echo "-- a correct login for last.test by curl at the end of it: $T"
echo "== e: a flood: 100 connections with wrong passwords for a third account, /lagebild meanwhile"
"$BIN" --database "$DB" user add last.flut --role redaktion > /dev/null
echo "server memory before: $(grep VmRSS /proc/$SERVER/status | awk '{print $2/1024 " MB"}')"
logins last.flut falsch-falsch 100 30s 60s > "$OUT/e-login.txt" & L=$!
sleep 2; page 4 10s /lagebild > "$OUT/e-page.txt"; wait $L
echo "-- page during the flood"; show "$OUT/e-page.txt"
echo "-- flood (30 s)"; show "$OUT/e-login.txt"
echo "server memory peak: $(grep VmHWM /proc/$SERVER/status | awk '{print $2/1024 " MB"}')"
echo "(wrk output in $OUT)"
