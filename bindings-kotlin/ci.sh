#!/usr/bin/env bash
# Kotlin/JVM stage: checks the committed Swift is what the current UniFFI library generates
# (drift check), then runs the Maven build, which itself builds the release library, writes
# the Kotlin, packs the library into the jar and runs the unit tests and the Kotlin
# conformance runner (tests/scenarios, ../shared/conformance/examples, $PAYSTATE_SCENARIOS).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v mvn >/dev/null || { apt-get update -qq && apt-get install -y -q --no-install-recommends maven; }
ffi/generate.sh --release --check
mvn -B -ntp -f bindings-kotlin verify
