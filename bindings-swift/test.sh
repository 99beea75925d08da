#!/usr/bin/env bash
# Runs the Swift package's tests (unit tests + the Swift conformance runner) where a Swift
# toolchain exists; says so honestly where it does not. Expects the Rust library to be built
# (cargo build -p paystate-ffi) and the bindings generated (../ffi/generate.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v swift >/dev/null 2>&1; then
  echo "swift: skipped (no toolchain)"
  exit 0
fi
"$here/../ffi/generate.sh" --no-build
swift test --package-path "$here"
