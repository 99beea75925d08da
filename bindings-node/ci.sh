#!/usr/bin/env bash
# Node: npm ci, build the addon (release), check native.d.ts/native.js are current and
# index.d.ts matches index.js, type-check, run node --test (API, hostile input, boundary,
# the JS conformance runner over every scenario directory), build the dist tarballs and
# install them with Rust hidden (pack:test), then the Express example against a real
# server on loopback.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund
npm run build
npm run check:dts
npm run typecheck
npm test
npm run pack:test
