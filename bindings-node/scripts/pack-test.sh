#!/usr/bin/env bash
# The package as a user gets it: builds both tarballs (main + this platform's, release
# binary) into a temporary directory with scripts/dist.sh, then installs them into a fresh
# project with Rust hidden and uses them there (scripts/test-dist.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bash "$here/dist.sh" "$tmp"
bash "$here/test-dist.sh" "$tmp"
