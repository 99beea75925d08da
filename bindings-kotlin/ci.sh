#!/usr/bin/env bash
# Kotlin/JVM stage: lints the JNI entry points (paystate-ffi feature `jni`), checks the
# committed Swift is what the current UniFFI library generates (drift check), then runs the
# Maven build, which itself builds the release library, writes the Kotlin, packs the library
# into the jar and runs the unit tests and the Kotlin conformance runner (tests/scenarios,
# ../shared/conformance/examples, $PAYSTATE_SCENARIOS).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v mvn >/dev/null || { apt-get update -qq && apt-get install -y -q --no-install-recommends maven; }
# The JNI entry points (ffi/src/jvm.rs) exist only with the feature the Kotlin build enables:
# lint them here (the rust stage's workspace clippy builds without it).
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
cargo clippy --locked -p paystate-ffi --all-targets --features paystate-ffi/jni -- -D warnings
ffi/generate.sh --release --check
mvn -B -ntp -f bindings-kotlin verify
