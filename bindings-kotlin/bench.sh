#!/usr/bin/env bash
# The Kotlin/JVM benchmark (JMH, src/bench/java/paystate/bench/BindingBench.java): builds
# through Maven with -Pbench (release library, tests skipped), runs JMH (1 fork, 5 warm-up
# and 9 measured 1 s iterations per benchmark), then prints each benchmark's median over
# the 9 iterations and the ratios that BENCHMARKS.md "Kotlin/JVM binding" quotes.
# Usage: bindings-kotlin/bench.sh [JMH regexp]            (from anywhere; ~2 minutes)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mvn -B -ntp -q -f "$here" -Pbench -Dkotlin.compiler.incremental=true -Djmh.args="${1:-BindingBench}" verify
python3 - "$here/target/jmh.json" <<'PY'
import json, statistics, sys
runs = json.load(open(sys.argv[1]))
med = {}
for r in runs:
    name = r["benchmark"].rsplit(".", 1)[-1]
    raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
    med[name] = statistics.median(raw)
    print(f"{name:22s} median {med[name]:10.1f} ns/op  (min {min(raw):.1f}, max {max(raw):.1f}, n={len(raw)})")
def ratio(a, b):
    if a in med and b in med:
        r = med[b] / med[a]
        word = f"{r:.2f}x faster" if r >= 1 else f"{1 / r:.1f}x slower"
        print(f"{a} vs {b}: paystate {word} (median {med[a]:.0f} vs {med[b]:.0f} ns)")
ratio("verifyPaystate", "verifyJdk")
ratio("verifyPaystate", "verifyJdkCachedMac")
ratio("verifyPaystateRequest", "verifyJdk")
ratio("verifyPaystateRequest", "verifyJdkCachedMac")
if "jnaFloor" in med and "jnaStatusOnly" in med:
    share = 2 * med["jnaStatusOnly"] / med["jnaFloor"]
    # Since the generated calls reuse their statuses (ffi/kotlin-call-status.py), this is what
    # jnaFloor's 2 calls would cost on top if each still allocated one.
    print(f"2 x jnaStatusOnly (2 freshly allocated call statuses) = {share:.0%} of jnaFloor")
if "observeTransfer" in med:
    print(f"observeTransfer = {med['observeTransfer'] / 1000:.2f} us (goal <= 10 us)")
PY
