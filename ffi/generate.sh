#!/usr/bin/env bash
# Builds the UniFFI library and the pinned uniffi-bindgen (dev profile), then generates the
# Kotlin and Swift sources where each build expects them:
#   Kotlin -> bindings-kotlin/target/generated-sources/uniffi/paystate/paystate_ffi.kt
#   Swift  -> bindings-swift/Sources/Paystate/Paystate.swift
#             bindings-swift/Sources/PaystateFFI/include/{PaystateFFI.h,module.modulemap}
# Usage: bindings-swift/generate.sh [--no-build] [--check]    (from anywhere)
#   --no-build  use the library and bindgen already in target/debug
#   --check     also fail (exit 1) if the committed Swift sources differ from what the
#               current library generates (drift check for CI; the Kotlin is never committed)
# Env:   CARGO_TARGET_DIR is honoured (default: <repo>/target).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

build=1
check=0
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --check) check=1 ;;
    *) echo "generate.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [[ $build == 1 ]]; then
  (cd "$root" && cargo build --locked -p paystate-ffi -p uniffi-bindgen)
fi

case "$(uname -s)" in
  Darwin) lib="$target/debug/libpaystate_ffi.dylib" ;;
  *) lib="$target/debug/libpaystate_ffi.so" ;;
esac
bindgen="$target/debug/uniffi-bindgen"
[[ -f "$lib" ]] || { echo "generate.sh: $lib not found (cargo build -p paystate-ffi)" >&2; exit 1; }
[[ -x "$bindgen" ]] || { echo "generate.sh: $bindgen not found (cargo build -p uniffi-bindgen)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Library mode: the interface comes from the metadata in the built library; the config is
# bindings-swift/uniffi.toml. --no-format: ktlint/swift-format are not installed here.
(cd "$root" && "$bindgen" generate "$lib" -l kotlin -l swift --no-format -o "$tmp")

kt_out="$root/bindings-kotlin/target/generated-sources/uniffi"
rm -rf "$kt_out"
mkdir -p "$kt_out/paystate"
cp "$tmp/paystate/paystate_ffi.kt" "$kt_out/paystate/"

swift_src="$here/Sources/Paystate"
ffi_inc="$here/Sources/PaystateFFI/include"
mkdir -p "$swift_src" "$ffi_inc"
if [[ $check == 1 ]]; then
  drift=0
  cmp -s "$tmp/Paystate.swift" "$swift_src/Paystate.swift" || drift=1
  cmp -s "$tmp/PaystateFFI.h" "$ffi_inc/PaystateFFI.h" || drift=1
  cmp -s "$tmp/PaystateFFI.modulemap" "$ffi_inc/module.modulemap" || drift=1
  if [[ $drift == 1 ]]; then
    echo "generate.sh: the committed Swift bindings are stale; run bindings-swift/generate.sh and commit" >&2
    exit 1
  fi
fi
cp "$tmp/Paystate.swift" "$swift_src/Paystate.swift"
cp "$tmp/PaystateFFI.h" "$ffi_inc/PaystateFFI.h"
# SwiftPM looks for include/module.modulemap in a C target.
cp "$tmp/PaystateFFI.modulemap" "$ffi_inc/module.modulemap"

echo "generated: $kt_out/paystate/paystate_ffi.kt"
echo "generated: $swift_src/Paystate.swift, $ffi_inc/PaystateFFI.h, $ffi_inc/module.modulemap"
