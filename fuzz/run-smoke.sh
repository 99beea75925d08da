#!/usr/bin/env bash
# Fuzz smoke test for CI: build every cargo-fuzz target on stable (no sanitizer, so no
# nightly) and run each for a short, bounded time on a scratch copy of its committed seed
# corpus (fuzz/corpus-seeds/<target>). Fails (non-zero exit) if any target crashes, hits
# an invariant violation, times out or runs out of memory, or does not build.
#
# Usage: fuzz/run-smoke.sh [seconds-per-target]      (default 20; env FUZZ_SECONDS too)
#        FUZZ_TARGETS="amount_parse matcher_ops" fuzz/run-smoke.sh   (a subset)
# Output: one line per target with executions and coverage, then `N passed, N failed`.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
seconds="${1:-${FUZZ_SECONDS:-20}}"
cargo_fuzz_version="0.13.2"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz $cargo_fuzz_version"
    cargo install cargo-fuzz --locked --version "$cargo_fuzz_version" || exit 1
fi

cd "$root" || exit 1
targets="${FUZZ_TARGETS:-$(cargo fuzz list --fuzz-dir fuzz)}"

echo "building fuzz targets (cargo fuzz build -s none)"
start_build=$(date +%s)
if ! cargo fuzz build -s none --fuzz-dir fuzz; then
    echo "fuzz build FAILED"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "built in $(( $(date +%s) - start_build )) s"

bin_dir="$here/target/$(rustc -vV | sed -n 's/^host: //p')/release"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/paystate-fuzz-smoke.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

passed=0
failed=0
start_all=$(date +%s)
for t in $targets; do
    corpus="$scratch/corpus-$t"
    artifacts="$here/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    if [ -d "$here/corpus-seeds/$t" ]; then
        cp "$here/corpus-seeds/$t/"* "$corpus/" 2>/dev/null
    fi
    log="$scratch/$t.log"
    "$bin_dir/$t" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        printf 'fuzz %-20s ok    %8s execs  cov %5s  ft %6s  (%ss)\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$seconds"
    else
        failed=$((failed + 1))
        printf 'fuzz %-20s FAIL  exit %s after %s execs\n' "$t" "$rc" "${execs:-?}"
        grep -m1 -A3 -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/    /'
        grep -m1 'Test unit written to' "$log" | sed 's/^/    /'
        echo "    reproduce: $bin_dir/$t <artifact>   (or: cargo fuzz run -s none --fuzz-dir fuzz $t <artifact>)"
    fi
done
echo "fuzzed $(echo $targets | wc -w) targets in $(( $(date +%s) - start_all )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
