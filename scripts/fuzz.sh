#!/usr/bin/env bash
# Fuzzes every reader with AFL++ (cargo-afl, stable Rust): scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Runs each target (default: all) for SECONDS (default 30), seeded from the repository's example
# files, fuzz/seeds/<target>/ and fuzz/corpus/<target>/, with a per-input timeout of 2 s. Fails
# naming the target and the input on any crash or hang. Installs cargo-afl (which builds AFL++) if
# missing. Results: fuzz/out/<target>/default/{crashes,hangs,queue,fuzzer_stats}.
# Replay an input with a backtrace: cd fuzz && cargo run --bin <target> -- <file>
set -euo pipefail

SECONDS_EACH=${1:-30}
shift || true
ALL_TARGETS=(table catalogue xlsx opensdg geojson rules)
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CARGO_AFL_VERSION=0.18.2

if ! command -v cc >/dev/null || ! command -v make >/dev/null; then
    apt-get update -qq && apt-get install -y -qq build-essential >/dev/null
fi
if ! cargo afl --version >/dev/null 2>&1; then
    cargo install cargo-afl --version "$CARGO_AFL_VERSION" --locked
fi
# `cargo install cargo-afl` builds AFL++; build it here if that did not happen.
if ! built=$(cargo afl config --build 2>&1); then
    grep -q "already built" <<<"$built" || { echo "$built" >&2; exit 1; }
fi

cd "$ROOT/fuzz"
cargo afl build --release --locked $(printf -- '--bin %s ' "${TARGETS[@]}")

# The seeds each target starts from, besides fuzz/seeds/<target> and fuzz/corpus/<target>.
repo_seeds() {
    case $1 in
        table) ls "$ROOT"/examples/daten-*.csv "$ROOT"/tests/fixtures/*/*.csv "$ROOT"/crates/demo/data/*.csv ;;
        catalogue) ls "$ROOT"/examples/katalog/*.csv ;;
        rules) ls "$ROOT"/examples/regeln.yml ;;
        *) ;;
    esac
}

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export AFL_SKIP_CRASHES=0 AFL_QUIET=1
failed=0
printf '%-10s %8s %10s %8s %6s %7s\n' target seconds execs crashes hangs corpus
for t in "${TARGETS[@]}"; do
    out="$ROOT/fuzz/out/$t"
    rm -rf "$out"
    mkdir -p "$out/in"
    for f in $(repo_seeds "$t") "$ROOT"/fuzz/seeds/"$t"/* "$ROOT"/fuzz/corpus/"$t"/*; do
        [ -f "$f" ] && cp "$f" "$out/in/$(basename "$(dirname "$f")")-$(basename "$f")"
    done
    cargo afl fuzz -i "$out/in" -o "$out" -x "$ROOT/fuzz/dict/$t.dict" -t 2000 -m none \
        -V "$SECONDS_EACH" -- "$ROOT/fuzz/target/release/$t" >"$out/afl.log" 2>&1 || {
        echo "$t: afl-fuzz failed (fuzz/out/$t/afl.log):" >&2
        tail -20 "$out/afl.log" >&2
        failed=1
        continue
    }
    stat() { sed -n "s/^$1 *: *//p" "$out/default/fuzzer_stats"; }
    printf '%-10s %8s %10s %8s %6s %7s\n' "$t" "$(stat run_time)" "$(stat execs_done)" \
        "$(stat saved_crashes)" "$(stat saved_hangs)" "$(stat corpus_count)"
    for kind in crashes hangs; do
        for f in "$out/default/$kind"/id:*; do
            [ -e "$f" ] || continue
            echo "$t: $kind: $f" >&2
            failed=1
        done
    done
done
exit $failed
