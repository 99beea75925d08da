#!/usr/bin/env bash
# Swift: runs `swift test` where a Swift toolchain exists (never on Linux CI here); the
# generated sources are drift-checked by bindings-kotlin/ci.sh (same UniFFI library, ffi/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v swift >/dev/null 2>&1; then
  cargo build --locked -p paystate-ffi -p uniffi-bindgen
fi
bindings-swift/test.sh
