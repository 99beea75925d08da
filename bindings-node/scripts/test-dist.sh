#!/usr/bin/env bash
# Installs the npm tarballs from DIR (default <repo>/dist, made by scripts/dist.sh) into a
# fresh npm project with the Rust toolchain hidden, as a user without Rust would, then:
# checks that the loaded binary is the release one from the platform package, runs
# `npx paystate-conformance` over the repository's scenarios and a smoke script (verify a
# signed webhook, pay an invoice), and that without the platform package `require` fails
# naming the platform. Needs only node and npm, and no network (`npm install --offline`:
# the other platforms' optional packages are skipped).
# Usage: bindings-node/scripts/test-dist.sh [DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/.." && pwd)"
dist="$(cd "${1:-$repo/dist}" && pwd)"
version="$(node -p "require('$here/package.json').version")"
main="$dist/paystate-$version.tgz"
plat="$(ls "$dist"/paystate-*-"$version".tgz | grep -v "/paystate-$version.tgz$" | head -n 1)"
[ -f "$main" ] && [ -f "$plat" ] || { echo "test-dist: no tarballs in $dist (run scripts/dist.sh)" >&2; exit 1; }

# No Rust: a PATH of the directories that hold no cargo/rustc, node's own linked in.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
for t in node npm npx; do ln -s "$(command -v "$t")" "$tmp/bin/$t"; done
path="$tmp/bin"
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -n "$d" ] && [ -d "$d" ] || continue
  [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || [ -e "$d/rustup" ] || path="$path:$d"
done
export PATH="$path"
unset CARGO CARGO_HOME RUSTUP_HOME RUSTUP_TOOLCHAIN RUSTC CARGO_TARGET_DIR
if command -v cargo >/dev/null 2>&1 || command -v rustc >/dev/null 2>&1; then
  echo "test-dist: could not hide the Rust toolchain" >&2
  exit 1
fi
echo "test-dist: cargo and rustc are not on PATH"

mkdir "$tmp/app"
cd "$tmp/app"
printf '{"name":"paystate-dist-test","version":"1.0.0","private":true}\n' > package.json
export npm_config_cache="$tmp/npm-cache"
npm install --offline --no-audit --no-fund --loglevel=error "$plat" "$main"
[ ! -e node_modules/paystate/paystate.linux-x64-gnu.node ] || { echo "test-dist: the main package holds a binary" >&2; exit 1; }
node -e '
  const ps = require("paystate")
  const path = require("path"), fs = require("fs")
  const pkg = require.resolve(require("paystate/package.json").name + "/package.json")
  if (ps.buildProfile() !== "release") throw new Error("test-dist: the loaded binary is a " + ps.buildProfile() + " build")
  const dir = path.dirname(require.resolve(process.argv[1] + "/package.json"))
  const bin = fs.readdirSync(dir).find((f) => f.endsWith(".node"))
  console.log(`test-dist: loaded a release binary from ${process.argv[1]} (${bin}, ${fs.statSync(path.join(dir, bin)).size} bytes)`)
' "$(basename "$plat" "-$version.tgz")"
# Every file the public types import (types.d.ts, vocabulary.d.ts) was packed beside index.d.ts.
node -e '
  const fs = require("fs"), path = require("path")
  const dir = path.dirname(require.resolve("paystate/package.json"))
  const dts = fs.readFileSync(path.join(dir, "index.d.ts"), "utf8")
  for (const m of dts.matchAll(/from ["\x27](\.\/[^"\x27]+)["\x27]/g)) {
    const rel = m[1]
    if (!fs.existsSync(path.join(dir, rel + ".d.ts"))) throw new Error("test-dist: index.d.ts imports " + rel + ", not in the package")
  }
  console.log("test-dist: the types index.d.ts imports are in the package")
'
npx --no-install paystate-conformance "$repo/tests/scenarios"
cat > smoke.js <<'JS'
const assert = require('node:assert')
const ps = require('paystate')
const now = Date.parse('2026-03-24T12:00:00Z')
// A signed webhook verifies; a tampered copy does not.
const secret = 'whsec_' + Buffer.from('a test secret of 32 bytes.......').toString('base64')
const body = Buffer.from('{"invoice_id":"inv_1","amount":"10.5"}')
const signed = ps.sign('standard_webhooks', secret, body, { id: 'msg_1', timestamp: now })
const v = new ps.Verifier('standard_webhooks', secret).verify(signed.headers, body, now)
assert.equal(v.keyIndex, 0)
assert.throws(() => new ps.Verifier('standard_webhooks', secret).verify(signed.headers, Buffer.from('{}'), now), (e) => e.code === 'signature_mismatch')
// An invoice is paid.
const { invoice } = ps.Invoice.create({ id: 'inv_1', due: '10.50', asset: 'USDT_TRC20', expiresIn: 900 }, now)
const events = invoice.observeTransfer({ txId: 't1', amount: '10.5', asset: 'USDT_TRC20', confirmed: true }, now + 1000)
assert.equal(invoice.status, 'paid')
assert.deepEqual(events.map((e) => e.type), ['invoice.payment_received', 'invoice.paid'])
console.log('test-dist: smoke passed (webhook verified, invoice paid)')
JS
node smoke.js

# Without its platform package the main package fails clearly, naming the platform.
mkdir "$tmp/bare"
cd "$tmp/bare"
printf '{"name":"paystate-dist-bare","version":"1.0.0","private":true}\n' > package.json
npm install --offline --no-audit --no-fund --loglevel=error --omit=optional "$main"
node -e '
  try { require("paystate"); throw new Error("test-dist: paystate loaded without its platform package") } catch (e) {
    if (e.code !== "ERR_PAYSTATE_NO_BINARY" || !e.message.includes(process.platform + "-" + process.arch)) throw e
    console.log("test-dist: without the platform package: " + e.message.split(". ")[0])
  }
'
