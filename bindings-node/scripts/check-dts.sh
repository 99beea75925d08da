#!/usr/bin/env bash
# Checks that the committed index.d.ts and index.js are what the build generates from
# src/*.rs and dts-header.d.ts: rebuilds (debug), then compares with the committed copies.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp index.d.ts index.js "$tmp/"
npx napi build --platform --js index.js --dts index.d.ts >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
status=0
for f in index.d.ts index.js; do
  if ! diff -u "$tmp/$f" "$f"; then
    echo "check-dts: $f is stale: run npm run build and commit it" >&2
    cp "$tmp/$f" "$f"
    status=1
  fi
done
[ "$status" = 0 ] && echo "check-dts: index.d.ts and index.js are current"
exit "$status"
