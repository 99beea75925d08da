// One hot path in a loop, for a profiler: `perf record -g node --perf-basic-prof
// bench/profile.mjs observe` (or `node --cpu-prof bench/profile.mjs stripe`).
// Cases: observe (Invoice.observeTransfer on fresh copies, as in verify.mjs),
// standard_webhooks, stripe (Verifier.verify, 1024-byte body). PROFILE_SECONDS (default 6).
// The event loop turns between batches, so native finalizers run as they do in a server.
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { setImmediate as turn } from 'node:timers/promises'

const require = createRequire(import.meta.url)
const ps = require('../index.js')
const which = process.argv[2] || 'observe'
const seconds = Number(process.env.PROFILE_SECONDS || 6)
const now = Date.now()
const body = Buffer.from('x'.repeat(1024))

let batch
if (which === 'observe') {
  const base = ps.Invoice.create({ id: 'inv_bench', due: '25.50', asset: 'USDT_TRC20', expiresIn: 3600 }, now).invoice
  const transfer = { txId: '0x9f2c1e', amount: '25.5', asset: 'USDT_TRC20', confirmed: true }
  batch = () => {
    const pool = []
    for (let i = 0; i < 20000; i++) pool.push(base.clone())
    for (let i = 0; i < 20000; i++) pool[i].observeTransfer(transfer, now)
  }
} else if (which === 'standard_webhooks' || which === 'stripe') {
  const secret = 'whsec_' + randomBytes(24).toString('base64')
  const signed = ps.sign(which, secret, body, { id: 'msg_2Lh9KRb0pzN4LePd3XiFJjSTh4d', timestamp: Math.floor(now / 1000) * 1000 })
  const headers = { 'content-type': 'application/json', ...signed.headers }
  const verifier = new ps.Verifier(which, secret)
  batch = () => {
    for (let i = 0; i < 20000; i++) verifier.verify(headers, body, now)
  }
} else {
  throw new Error(`unknown case ${which}: observe, standard_webhooks or stripe`)
}
const end = Date.now() + seconds * 1000
let batches = 0
while (Date.now() < end) {
  await turn()
  batch()
  batches++
}
console.log(`${which}: ${batches} batches of 20000`)
