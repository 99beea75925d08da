#!/usr/bin/env bash
# Builds the UniFFI library (paystate-ffi) and the pinned uniffi-bindgen, then generates the
# Kotlin and Swift sources where each packaging folder expects them:
#   Kotlin -> bindings-kotlin/target/generated-sources/uniffi/paystate/paystate_ffi.kt
#   Swift  -> bindings-swift/Sources/Paystate/Paystate.swift
#             bindings-swift/Sources/PaystateFFI/include/{PaystateFFI.h,module.modulemap}
# Usage: ffi/generate.sh [--no-build] [--check] [--release] [--kotlin-only]
#                        [--jna-resources DIR]                        (from anywhere)
#   --no-build     use the library and bindgen already built
#   --check        also fail (exit 1) if the committed Swift sources differ from what the
#                  current library generates (drift check for CI; the Kotlin is never committed)
#   --release      build and read the release library (target/release); the bindgen itself
#                  is always the dev build
#   --kotlin-only  write only the Kotlin (what the Maven build asks for)
#   --jna-resources DIR  also copy the library to DIR/<jna-prefix>/ (linux-x86-64, ...), the
#                  resource path where JNA's Native.load finds it inside a jar
# Env:   CARGO_TARGET_DIR is honoured (default: <repo>/target); PAYSTATE_KOTLIN_OUT overrides
#        the Kotlin output root (default bindings-kotlin/target/generated-sources/uniffi).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
swift_pkg="$root/bindings-swift"

build=1
check=0
profile=debug
kotlin_only=0
jna_dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0 ;;
    --check) check=1 ;;
    --release) profile=release ;;
    --kotlin-only) kotlin_only=1 ;;
    --jna-resources) shift; jna_dir="${1:?--jna-resources needs a directory}" ;;
    *) echo "generate.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if [[ $build == 1 ]]; then
  command -v cargo >/dev/null || {
    echo "generate.sh: cargo not found: building paystate-ffi needs the Rust toolchain (https://rustup.rs)" >&2
    exit 1
  }
  # Feature `jni`: the Kotlin binding's JNI hot paths (src/jvm.rs, ffi/kotlin-jni.py). It adds
  # no UniFFI metadata, so the Swift generated from this library is the same (--check proves it).
  if [[ $profile == release ]]; then
    (cd "$root" && cargo build --locked --release -p paystate-ffi --features paystate-ffi/jni && cargo build --locked -p uniffi-bindgen)
  else
    (cd "$root" && cargo build --locked -p paystate-ffi -p uniffi-bindgen --features paystate-ffi/jni)
  fi
fi

# JNA's resource prefix for this platform (com.sun.jna.Platform.RESOURCE_PREFIX).
case "$(uname -s)-$(uname -m)" in
  Darwin-arm64) libname=libpaystate_ffi.dylib; jna_prefix=darwin-aarch64 ;;
  Darwin-x86_64) libname=libpaystate_ffi.dylib; jna_prefix=darwin-x86-64 ;;
  Linux-aarch64) libname=libpaystate_ffi.so; jna_prefix=linux-aarch64 ;;
  Linux-x86_64) libname=libpaystate_ffi.so; jna_prefix=linux-x86-64 ;;
  *) libname=libpaystate_ffi.so; jna_prefix="" ;;
esac
lib="$target/$profile/$libname"
bindgen="$target/debug/uniffi-bindgen"
[[ -f "$lib" ]] || { echo "generate.sh: $lib not found (cargo build -p paystate-ffi)" >&2; exit 1; }
[[ -x "$bindgen" ]] || { echo "generate.sh: $bindgen not found (cargo build -p uniffi-bindgen)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Library mode: the interface comes from the metadata in the built library; the config is
# ffi/uniffi.toml (found from the crate's manifest). --no-format: ktlint/swift-format are not
# installed here.
langs=(-l kotlin)
[[ $kotlin_only == 1 ]] || langs+=(-l swift)
(cd "$root" && "$bindgen" generate "$lib" "${langs[@]}" --no-format -o "$tmp")

# Every native call reuses its JNA call status instead of allocating one (the script says why).
python3 "$here/kotlin-call-status.py" "$tmp/paystate/paystate_ffi.kt"
# Verifier.verify/verifyRequest and Invoice.observeTransfer go through JNI (the script says why).
python3 "$here/kotlin-jni.py" "$tmp/paystate/paystate_ffi.kt"

kt_out="${PAYSTATE_KOTLIN_OUT:-$root/bindings-kotlin/target/generated-sources/uniffi}"
rm -rf "$kt_out"
mkdir -p "$kt_out/paystate"
cp "$tmp/paystate/paystate_ffi.kt" "$kt_out/paystate/"
echo "generated: $kt_out/paystate/paystate_ffi.kt"

if [[ -n $jna_dir ]]; then
  [[ -n $jna_prefix ]] || { echo "generate.sh: no JNA resource prefix known for $(uname -s)-$(uname -m)" >&2; exit 1; }
  rm -rf "${jna_dir:?}/$jna_prefix"
  mkdir -p "$jna_dir/$jna_prefix"
  cp "$lib" "$jna_dir/$jna_prefix/$libname"
  echo "copied:    $lib -> $jna_dir/$jna_prefix/$libname"
fi

[[ $kotlin_only == 1 ]] && exit 0

swift_src="$swift_pkg/Sources/Paystate"
ffi_inc="$swift_pkg/Sources/PaystateFFI/include"
mkdir -p "$swift_src" "$ffi_inc"
if [[ $check == 1 ]]; then
  drift=0
  cmp -s "$tmp/Paystate.swift" "$swift_src/Paystate.swift" || drift=1
  cmp -s "$tmp/PaystateFFI.h" "$ffi_inc/PaystateFFI.h" || drift=1
  cmp -s "$tmp/PaystateFFI.modulemap" "$ffi_inc/module.modulemap" || drift=1
  if [[ $drift == 1 ]]; then
    echo "generate.sh: the committed Swift bindings are stale; run ffi/generate.sh and commit" >&2
    exit 1
  fi
fi
cp "$tmp/Paystate.swift" "$swift_src/Paystate.swift"
cp "$tmp/PaystateFFI.h" "$ffi_inc/PaystateFFI.h"
# SwiftPM looks for include/module.modulemap in a C target.
cp "$tmp/PaystateFFI.modulemap" "$ffi_inc/module.modulemap"
echo "generated: $swift_src/Paystate.swift, $ffi_inc/PaystateFFI.h, $ffi_inc/module.modulemap"
