#!/usr/bin/env bash
# Drift checks of the two layers of the package:
# - native.d.ts and native.js (the addon's types and loader) must be what napi-rs generates
#   from src/*.rs and dts-header.d.ts (which imports types.d.ts): rebuilds, then compares with the committed copies;
# - index.d.ts (the public types, written by hand) and index.js (the public module) must
#   declare and export the same names (scripts/check-exports.js).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp native.d.ts native.js "$tmp/"
npm run --silent build >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
status=0
for f in native.d.ts native.js; do
  if ! diff -u "$tmp/$f" "$f"; then
    echo "check-dts: $f is stale: run npm run build and commit it" >&2
    status=1
  fi
done
node scripts/check-exports.js || status=1
[ "$status" = 0 ] && echo "check-dts: native.d.ts and native.js are current; index.d.ts matches index.js"
exit "$status"
