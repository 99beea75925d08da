#!/usr/bin/env bash
# Packs the package, installs the tarball into a fresh temporary project and uses it there:
# the built addon, the loader, the types and the conformance bin must all be in the tarball.
# Needs a prior `npm run build` (or build:release). Offline: the tarball has no dependencies.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$here"
ls paystate.*.node >/dev/null 2>&1 || { echo "pack-test: no built addon; run npm run build first" >&2; exit 1; }
tgz="$(npm pack --silent --pack-destination "$tmp" 2>/dev/null | tail -n 1)"
listing="$(tar -tzf "$tmp/$tgz")"
echo "packed $tgz:" $listing
for f in package/index.js package/index.d.ts package/bin/paystate-conformance.js package/paystate.linux-x64-gnu.node; do
  grep -qx "$f" <<<"$listing" || { echo "pack-test: $f missing from the tarball" >&2; exit 1; }
done
mkdir "$tmp/app"
cd "$tmp/app"
printf '{"name":"pack-test-app","version":"1.0.0","private":true}\n' > package.json
npm install --no-audit --no-fund --loglevel=error "$tmp/$tgz" 2>&1 | grep -v 'nodedir' || true
node -e '
  const ps = require("paystate")
  const { invoice } = ps.Invoice.create({ id: "inv_1", due: "10.50", asset: "USDT_TRC20", expiresIn: 900 }, Date.now())
  const ev = invoice.observeTransfer({ txId: "t1", amount: "10.5", asset: "USDT_TRC20", confirmed: true }, Date.now())
  if (invoice.status !== "paid" || ev.at(-1).type !== "invoice.paid") throw new Error("unexpected state " + invoice.status)
  const signed = ps.sign("usdt_gateway", "s3cret", "{}")
  new ps.Verifier("usdt_gateway", "s3cret").verify(signed.headers, Buffer.from("{}"), Date.now())
  try { invoice.cancel(Date.now()) } catch (e) { if (e.code !== "invalid_transition") throw e }
  console.log("pack-test: require(\"paystate\") works in a fresh project")
'
test -f node_modules/paystate/index.d.ts
./node_modules/.bin/paystate-conformance "$here/../tests/scenarios"
