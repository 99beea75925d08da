#!/usr/bin/env bash
# Builds PaystateFFI.xcframework (iOS device, iOS simulator, macOS) from ffi/ for shipping
# the Swift package with a binaryTarget. macOS only (needs Xcode's xcodebuild, lipo and the
# Apple Rust targets); it has NEVER been run on this project's Linux machines, where no
# Apple toolchain exists: expect small fixes the first time it runs on a Mac.
# Usage: bindings-swift/build-xcframework.sh [OUT_DIR]      (default: <repo>/dist)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/dist}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

[[ "$(uname -s)" == Darwin ]] || { echo "build-xcframework.sh: needs macOS with Xcode (this is $(uname -s))" >&2; exit 1; }
command -v xcodebuild >/dev/null || { echo "build-xcframework.sh: xcodebuild not found (install Xcode)" >&2; exit 1; }

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
for t in "${targets[@]}"; do
  # A static library without adding "staticlib" to ffi/Cargo.toml (which would make every
  # Linux build archive all dependencies too).
  (cd "$root" && cargo rustc --locked --release -p paystate-ffi --lib --target "$t" --crate-type staticlib)
done

# The generated header and modulemap are committed (ffi/generate.sh keeps them current).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/headers"
cp "$here/Sources/PaystateFFI/include/PaystateFFI.h" "$here/Sources/PaystateFFI/include/module.modulemap" "$work/headers/"

lib() { echo "$target_dir/$1/release/libpaystate_ffi.a"; }
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$work/libpaystate_ffi_sim.a"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$work/libpaystate_ffi_macos.a"

mkdir -p "$out"
rm -rf "$out/PaystateFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$(lib aarch64-apple-ios)" -headers "$work/headers" \
  -library "$work/libpaystate_ffi_sim.a" -headers "$work/headers" \
  -library "$work/libpaystate_ffi_macos.a" -headers "$work/headers" \
  -output "$out/PaystateFFI.xcframework"
(cd "$out" && ditto -c -k --sequesterRsrc --keepParent PaystateFFI.xcframework PaystateFFI.xcframework.zip)
echo "built: $out/PaystateFFI.xcframework (+ .zip; checksum for Package.swift: swift package compute-checksum $out/PaystateFFI.xcframework.zip)"
