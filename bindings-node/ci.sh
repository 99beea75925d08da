#!/usr/bin/env bash
# Node: npm ci, build the addon, check the committed index.d.ts/index.js are current,
# type-check, run node --test (API, hostile input, the JS conformance runner over every
# scenario directory), pack-and-install test, then the Express example against a real
# server on loopback.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund
npm run build
npm run check:dts
npm run typecheck
npm test
npm run pack:test
