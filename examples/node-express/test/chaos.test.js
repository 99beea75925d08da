'use strict'
// The service as it is deployed: SERVERS `node server.js` processes on one DATABASE_URL.
// A provider delivers CHAOS_PAYMENTS distinct signed payments to one invoice, CHAOS_PARALLEL
// at a time, spread over the processes' ports; every process is SIGKILLed (by its process
// group) after KILL_AFTER answers; they are restarted; the provider re-sends every delivery.
// Every re-send must be answered 2xx, every delivery answered 2xx before the kill must come
// back as a duplicate, and `amount_paid` must be exactly the sum.
//
// Loopback only; every wait is bounded; every process is killed by its pid in `after`, also
// when an assertion fails.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const path = require('node:path')
const { Pool } = require('pg')
const { SECRET, freshDatabase, deliver, postJson, get } = require('./helpers.js')

const CHAOS_PAYMENTS = Number(process.env.CHAOS_PAYMENTS ?? 300)
const CHAOS_PARALLEL = Number(process.env.CHAOS_PARALLEL ?? 24)
const SERVERS = Number(process.env.CHAOS_SERVERS ?? 2)
const KILL_AFTER = Math.floor(CHAOS_PAYMENTS / 3)
const START_TIMEOUT_MS = 20_000
const PHASE_TIMEOUT_MS = 180_000

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set()
let database

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL') // the process group: the server and anything it started
  } catch {
    // already gone
  }
}

after(async () => {
  for (const child of running) killGroup(child)
  running.clear()
  if (database) await database.drop()
})

/** Starts one `node server.js` (PORT=0: it prints the port it got) and waits until it listens. */
function startServer(url) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'server.js')], {
      env: { ...process.env, DATABASE_URL: url, WEBHOOK_SECRETS: SECRET, PORT: '0' },
      detached: true, // its own process group, killed as a whole
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    running.add(child)
    let out = ''
    const timer = setTimeout(() => reject(new Error(`server not listening after ${START_TIMEOUT_MS} ms: ${out}`)), START_TIMEOUT_MS)
    child.stdout.on('data', (chunk) => {
      out += chunk
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, base: `http://127.0.0.1:${m[1]}` })
      }
    })
    child.stderr.on('data', (chunk) => {
      out += chunk
    })
    child.on('exit', (code, signal) => {
      running.delete(child)
      clearTimeout(timer)
      reject(new Error(`server exited (${code ?? signal}): ${out}`))
    })
  })
}

async function startAll(url) {
  return Promise.all(Array.from({ length: SERVERS }, () => startServer(url)))
}

async function killAll(servers) {
  await Promise.all(
    servers.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined)
          child.once('exit', resolve)
          killGroup(child)
        }),
    ),
  )
}

/**
 * Sends every delivery, `parallel` at a time, round-robin over `bases`; calls `onAnswers`
 * once `answersBefore` have been answered (or failed). Returns status (0: no answer) and body.
 */
async function burst(bases, deliveries, parallel, onAnswers = null, answersBefore = 0) {
  const results = new Map()
  let next = 0
  let fired = false
  const deadline = Date.now() + PHASE_TIMEOUT_MS
  async function worker() {
    while (next < deliveries.length) {
      assert.ok(Date.now() < deadline, `deliveries unanswered after ${PHASE_TIMEOUT_MS} ms`)
      const i = next++
      const [id, body] = deliveries[i]
      let result
      try {
        const res = await deliver(bases[i % bases.length], id, body)
        result = [res.status, await res.json()]
      } catch {
        result = [0, null] // connection refused / reset: the server is gone
      }
      results.set(id, result)
      if (onAnswers && !fired && results.size >= answersBefore) {
        fired = true
        await onAnswers()
      }
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  return results
}

/** Distinct six-decimal amounts (USDT_TRC20's scale) as strings, and their exact sum. */
function amounts(n) {
  const micros = Array.from({ length: n }, (_, k) => BigInt(k + 1) * 1_000_000n + (BigInt(((k + 1) * 7919) % 1_000_000) || 1n))
  const text = (m) => `${m / 1_000_000n}.${String(m % 1_000_000n).padStart(6, '0')}`
  return { each: micros.map(text), total: text(micros.reduce((a, b) => a + b, 0n)), totalMicros: micros.reduce((a, b) => a + b, 0n) }
}

/** A decimal string in micro-units, exactly (no float anywhere). */
function toMicros(s) {
  const [whole, frac = ''] = s.split('.')
  return BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, '0').slice(0, 6))
}

before(async () => {
  database = await freshDatabase()
})

test(`SIGKILL of ${SERVERS} processes mid-burst, restart, full re-send: every payment counted once`, async () => {
  const pays = amounts(CHAOS_PAYMENTS)
  let servers = await startAll(database.url)
  let res = await postJson(servers[0].base, '/invoices', { id: 'chaos', amount: pays.total, expires_in: 3600 })
  assert.equal(res.status, 201)
  const deliveries = pays.each.map((amount, i) => [
    `msg_${i}`,
    JSON.stringify({ invoice_id: 'chaos', tx_id: `0xtx${i}`, amount, asset: 'USDT_TRC20', confirmed: true }),
  ])

  // Phase 1: the burst, every process killed after KILL_AFTER answers.
  const doomed = servers
  const first = await burst(
    servers.map((s) => s.base),
    deliveries,
    CHAOS_PARALLEL,
    () => killAll(doomed),
    KILL_AFTER,
  )
  const acked = [...first].filter(([, [status]]) => status >= 200 && status < 300).map(([id]) => id)
  const unanswered = [...first].filter(([, [status]]) => status === 0).length
  const other = [...first].filter(([, [status]]) => status !== 0 && (status < 200 || status >= 300))
  assert.deepEqual(other, [])
  assert.ok(acked.length >= KILL_AFTER && acked.length < CHAOS_PAYMENTS, 'the kill did not land mid-burst')
  assert.ok(unanswered > 0, 'the kill did not land mid-burst')

  // Phase 2: restart; the provider re-sends every delivery.
  servers = await startAll(database.url)
  const second = await burst(
    servers.map((s) => s.base),
    deliveries,
    CHAOS_PARALLEL,
  )
  const statuses = new Set([...second.values()].map(([status]) => status))
  assert.deepEqual([...statuses], [200], JSON.stringify([...second].filter(([, [s]]) => s !== 200).slice(0, 5)))
  for (const id of acked) assert.equal(second.get(id)[1].duplicate, true, id)
  const appliedNow = [...second.values()].filter(([, body]) => body.duplicate === false).length

  res = await get(servers[1 % servers.length].base, '/invoices/chaos')
  const view = await res.json()
  assert.equal(toMicros(view.amount_paid), pays.totalMicros)
  assert.equal(view.status, 'paid')
  const pool = new Pool({ connectionString: database.url, max: 1 })
  try {
    const n = async (sql) => Number((await pool.query(sql)).rows[0].n)
    assert.equal(await n('SELECT COUNT(*) AS n FROM invoice_journal'), CHAOS_PAYMENTS + 1)
    assert.equal(await n('SELECT COUNT(*) AS n FROM replay_keys'), CHAOS_PAYMENTS)
    assert.equal(await n("SELECT COUNT(*) AS n FROM outbox WHERE type = 'invoice.payment_received'"), CHAOS_PAYMENTS)
  } finally {
    await pool.end()
  }
  await killAll(servers)
  console.log(
    `chaos: ${CHAOS_PAYMENTS} payments, ${CHAOS_PARALLEL} parallel over ${SERVERS} node processes; ` +
      `before SIGKILL ${acked.length} answered 2xx, ${unanswered} unanswered; re-send: ${CHAOS_PAYMENTS} x 200 ` +
      `(${appliedNow} applied now, ${CHAOS_PAYMENTS - appliedNow} duplicates); amount_paid ${view.amount_paid} = sum ${pays.total}`,
  )
})
