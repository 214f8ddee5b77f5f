#!/usr/bin/env bash
# `kimo evaluate` against the pandas reference (scripts/evaluate-pandas.py) on the same SQLite
# database, measured in one run: each is run RUNS times, alternating; the fastest wall time and the
# least CPU time (user + system) of each count. Also checks that both find the same number of
# warnings per rule type.
#
#   scripts/bench-evaluate.sh /tmp/state/s.db [path/to/kimo]
#   RUNS=3 AS_OF=2026-12-01 scripts/bench-evaluate.sh /tmp/state/s.db
set -euo pipefail
db=${1:?Aufruf: scripts/bench-evaluate.sh DATENBANK.db [KIMO-BINÄRDATEI]}
kimo=${2:-./target/release/kimo}
runs=${RUNS:-2}
as_of=${AS_OF:-$(date +%F)}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# Prints "WALL CPU" in seconds for one run of the command.
measure() {
    /usr/bin/time -f "%e %U %S" -o "$out" "$@" > /dev/null
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$out"
}

best() { sort -n | head -1; }

kimo_wall=(); kimo_cpu=(); pandas_wall=(); pandas_cpu=()
for i in $(seq "$runs"); do
    read -r w c < <(measure "$kimo" --database "sqlite://$db" evaluate --as-of "$as_of")
    kimo_wall+=("$w"); kimo_cpu+=("$c")
    echo "Lauf $i: kimo evaluate   ${w} s (CPU ${c} s)"
    read -r w c < <(measure python3 "$here/evaluate-pandas.py" "$db" --as-of "$as_of")
    pandas_wall+=("$w"); pandas_cpu+=("$c")
    echo "Lauf $i: pandas-Skript   ${w} s (CPU ${c} s)"
done
kw=$(printf '%s\n' "${kimo_wall[@]}" | best); kc=$(printf '%s\n' "${kimo_cpu[@]}" | best)
pw=$(printf '%s\n' "${pandas_wall[@]}" | best); pc=$(printf '%s\n' "${pandas_cpu[@]}" | best)
awk -v kw="$kw" -v kc="$kc" -v pw="$pw" -v pc="$pc" 'BEGIN {
    printf "Bestwerte: kimo %.2f s (CPU %.2f s), pandas %.2f s (CPU %.2f s)\n", kw, kc, pw, pc
    printf "Verhältnis pandas / kimo: %.1f (Laufzeit), %.1f (CPU-Zeit)\n", pw / kw, pc / kc
}' | sed 's/\([0-9]\)\.\([0-9]\)/\1,\2/g'
echo "Warnhinweise je Regeltyp (pandas, dann die von kimo gespeicherten):"
python3 "$here/evaluate-pandas.py" "$db" --as-of "$as_of" --compare | tail -n +2
