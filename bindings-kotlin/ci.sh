#!/usr/bin/env bash
# Kotlin/JVM: builds the UniFFI library and bindgen, checks the committed Swift is current,
# generates the Kotlin, and runs the Maven suite (unit tests + the Kotlin conformance runner
# over tests/scenarios, ../shared/conformance/examples and $PAYSTATE_SCENARIOS).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v mvn >/dev/null || { apt-get update -qq && apt-get install -y -q --no-install-recommends maven; }
cargo build --locked -p paystate-ffi -p uniffi-bindgen
bindings-swift/generate.sh --no-build --check
mvn -B -ntp -f bindings-kotlin verify
