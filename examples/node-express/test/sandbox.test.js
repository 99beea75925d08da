'use strict'
// The example as a seed-001 shop, end to end against `paystate sandbox` (the built binary).
//
// Both run as processes on loopback ports: the sandbox with a temp SQLite file, a fixed key
// and secret; the shop (`node server.js`) on a fresh PostgreSQL database with GATEWAY_URL
// pointing at the sandbox and its `/webhooks/usdt-gateway` as every invoice's callbackUrl.
// Orders are created through the shop and paid through the sandbox's controls; the shop
// must mark them as the gateway's signed webhooks and its status say. Every wait is
// bounded; every process is killed by its pid (process group) in `after`.
//
// The binary: PAYSTATE_SANDBOX_BIN, else target/debug/paystate-sandbox (examples/ci.sh
// builds it with `cargo build -p paystate-sandbox --locked`).
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const ps = require('paystate')
const { configFromEnv } = require('../server.js')
const { freshDatabase, REQUEST_TIMEOUT_MS } = require('./helpers.js')

const ROOT = path.join(__dirname, '..', '..', '..')
const SANDBOX_BIN = process.env.PAYSTATE_SANDBOX_BIN ?? path.join(ROOT, 'target', 'debug', 'paystate-sandbox')
const API_KEY = 'test_shop_e2e_key'
const SECRET = 'shop-e2e-webhook-secret'
const START_TIMEOUT_MS = 30_000
const WAIT_MS = 15_000
/** Seed 001's first retry comes one minute after the failed attempt. */
const FIRST_RETRY_S = 60

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set()
let database
let tmp
let sandbox
let shop

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address())
      server.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(what, check, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await sleep(50)
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`)
}

/** A child in its own process group, logging to a file; `ready()` polled until true. */
async function startProcess(argv, env, log, ready) {
  const out = fs.openSync(log, 'a')
  const child = spawn(argv[0], argv.slice(1), { env, detached: true, stdio: ['ignore', out, out] })
  fs.closeSync(out)
  running.add(child)
  let exited = null
  child.on('exit', (code, signal) => {
    running.delete(child)
    exited = code ?? signal
  })
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`${argv[0]} exited (${exited}): ${fs.readFileSync(log, 'utf8').slice(-2000)}`)
    try {
      if (await ready()) return child
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error(`${argv[0]} not ready in ${START_TIMEOUT_MS} ms`)
}

async function stopProcess(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((resolve) => child.once('exit', resolve))
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    return // already gone
  }
  await Promise.race([gone, sleep(10_000)])
}

/**
 * @param {string} base @param {string} method @param {string} path
 * @param {{ body?: any, headers?: Record<string, string> }} [options]
 */
function call(base, method, path, { body, headers = {} } = {}) {
  return fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
}

async function json(resPromise, status = 200) {
  const res = await resPromise
  const text = await res.text()
  assert.equal(res.status, status, text)
  return JSON.parse(text)
}

class Sandbox {
  constructor(port) {
    this.base = `http://127.0.0.1:${port}`
    this.port = port
  }
  request(method, path, body) {
    return call(this.base, method, path, { body, headers: { authorization: `Bearer ${API_KEY}` } })
  }
  async start() {
    const argv = [SANDBOX_BIN, '--port', String(this.port), '--database', path.join(tmp, 'sandbox.sqlite3')]
    argv.push('--api-key', API_KEY, '--webhook-secret', SECRET)
    this.child = await startProcess(argv, process.env, path.join(tmp, 'sandbox.log'), async () => {
      return (await this.request('GET', '/sandbox/clock')).status === 200
    })
  }
  pay(invoiceId, amount) {
    return json(this.request('POST', `/sandbox/invoices/${invoiceId}/pay`, amount === undefined ? {} : { amount }))
  }
  advance(seconds) {
    return json(this.request('POST', '/sandbox/clock/advance', { seconds }))
  }
  async deliveries(invoiceId) {
    return (await json(this.request('GET', `/sandbox/deliveries?invoiceId=${invoiceId}`))).data
  }
}

class Shop {
  constructor(port, gatewayBase) {
    this.port = port
    this.base = `http://127.0.0.1:${port}`
    this.gatewayBase = gatewayBase
  }
  async start() {
    /** @type {Record<string, string>} */
    const env = {
      ...process.env,
      DATABASE_URL: database.url,
      PORT: String(this.port),
      GATEWAY_URL: this.gatewayBase,
      GATEWAY_API_KEY: API_KEY,
      GATEWAY_WEBHOOK_SECRETS: SECRET,
      CALLBACK_URL: `${this.base}/webhooks/usdt-gateway`,
    }
    delete env.WEBHOOK_SECRETS
    const argv = [process.execPath, path.join(__dirname, '..', 'server.js')]
    this.child = await startProcess(argv, env, path.join(tmp, 'shop.log'), async () => {
      return (await call(this.base, 'GET', '/orders/_ready')).status === 404
    })
  }
  async order(amount, extra = {}) {
    return json(call(this.base, 'POST', '/orders', { body: { amount, ...extra } }), 201)
  }
  get(reference) {
    return json(call(this.base, 'GET', `/orders/${reference}`))
  }
  sync(reference) {
    return json(call(this.base, 'POST', `/orders/${reference}/sync`))
  }
  async events(invoiceId) {
    return (await json(call(this.base, 'GET', `/invoices/${invoiceId}/events`))).map((e) => e.type)
  }
}

/** The invoice's webhooks whose last attempt the shop answered 200. */
async function delivered(invoiceId) {
  return (await sandbox.deliveries(invoiceId)).filter((d) => d.attempts.length > 0 && d.attempts.at(-1).statusCode === 200)
}

before(async () => {
  assert.ok(fs.existsSync(SANDBOX_BIN), `${SANDBOX_BIN} missing: cargo build -p paystate-sandbox --locked`)
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paystate-shop-'))
  database = await freshDatabase()
  sandbox = new Sandbox(await freePort())
  await sandbox.start()
  shop = new Shop(await freePort(), sandbox.base)
  await shop.start()
})

after(async () => {
  for (const child of [...running]) await stopProcess(child)
  if (database) await database.drop()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

test('the gateway configuration comes from the environment; the key and secret never show in errors', () => {
  const gatewayEnv = { DATABASE_URL: 'postgres://x', GATEWAY_URL: 'http://127.0.0.1:1', CALLBACK_URL: 'http://127.0.0.1:2/w' }
  assert.throws(() => configFromEnv({ ...gatewayEnv, GATEWAY_WEBHOOK_SECRETS: SECRET }), /GATEWAY_API_KEY/)
  try {
    configFromEnv({ ...gatewayEnv, GATEWAY_API_KEY: API_KEY })
    assert.fail('no webhook secret accepted')
  } catch (err) {
    assert.match(String(err), /GATEWAY_WEBHOOK_SECRETS/)
    assert.ok(!String(err).includes(API_KEY))
  }
  // WEBHOOK_SECRETS is optional for a gateway's shop.
  assert.deepEqual(configFromEnv({ ...gatewayEnv, GATEWAY_API_KEY: API_KEY, GATEWAY_WEBHOOK_SECRETS: `${SECRET}, s2` }), {
    databaseUrl: 'postgres://x',
    webhookSecrets: [],
    port: 3000,
    gateway: { baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY, webhookSecrets: [SECRET, 's2'], callbackUrl: 'http://127.0.0.1:2/w' },
  })
})

test('an exact payment marks the order paid', async () => {
  const order = await shop.order('25.5', { reference: 'E2E-EXACT', metadata: { sku: 'tea' } })
  assert.equal(order.status, 'pending')
  assert.equal(order.reference, 'E2E-EXACT')
  assert.equal(order.due, '25.5')
  // The gateway holds the same invoice under the same id and reference.
  const atGateway = await json(sandbox.request('GET', '/api/v1/invoices/reference/E2E-EXACT'))
  assert.equal(atGateway.id, order.id)
  assert.equal(ps.compareAmounts(atGateway.amountUsdtExact, '25.5'), 0)
  // The same reference again is the same order, not a second invoice.
  const again = await json(call(shop.base, 'POST', '/orders', { body: { amount: '25.5', reference: 'E2E-EXACT' } }), 200)
  assert.equal(again.id, order.id)
  const other = await call(shop.base, 'POST', '/orders', { body: { amount: '25.6', reference: 'E2E-EXACT' } })
  assert.equal(other.status, 409)
  assert.equal((await other.json()).code, 'reference_conflict')

  await sandbox.pay(order.id)
  await waitFor('webhook applied', async () => (await shop.get('E2E-EXACT')).status === 'paid')
  assert.equal((await shop.get('E2E-EXACT')).amount_paid, '25.5')
  assert.equal((await shop.events(order.id)).filter((t) => t === 'invoice.paid').length, 1)
  const hooks = await delivered(order.id)
  assert.equal(hooks.length, 1)
  assert.equal(hooks[0].attempts.length, 1)
  assert.equal((await shop.sync('E2E-EXACT')).gateway_status, 'confirmed')
})

test('a short payment leaves the order unpaid until the rest arrives', async () => {
  const order = await shop.order('10.5', { reference: 'E2E-SHORT' })
  await sandbox.pay(order.id, '4')
  // The gateway saw the short payment (its own core state) ...
  const { state } = await json(sandbox.request('GET', `/sandbox/invoices/${order.id}`))
  const snap = ps.Invoice.fromJSON(state).snapshot()
  assert.equal(snap.amountPaid, '4')
  assert.equal(snap.status, 'pending')
  // ... and seed 001 sends nothing for it: no webhook, still pending at the gateway, and
  // the shop does not mark the order paid.
  await sandbox.advance(0)
  assert.deepEqual(await sandbox.deliveries(order.id), [])
  const synced = await shop.sync('E2E-SHORT')
  assert.equal(synced.gateway_status, 'pending')
  assert.equal(synced.status, 'pending')
  assert.equal(synced.amount_paid, '0')

  await sandbox.pay(order.id, '6.5')
  await waitFor('webhook applied', async () => (await shop.get('E2E-SHORT')).status === 'paid')
  assert.equal((await shop.get('E2E-SHORT')).amount_paid, '10.5')
  assert.equal((await delivered(order.id)).length, 1)
})

test('an unpaid order expires with the gateway clock', async () => {
  const order = await shop.order('3', { reference: 'E2E-EXPIRE', expires_in: 300 })
  await sandbox.advance(299)
  assert.equal((await shop.sync('E2E-EXPIRE')).status, 'pending')
  await sandbox.advance(1)
  const synced = await shop.sync('E2E-EXPIRE')
  assert.equal(synced.gateway_status, 'expired')
  assert.equal(synced.status, 'expired')
  assert.ok((await shop.events(order.id)).includes('invoice.expired'))
  assert.deepEqual(await sandbox.deliveries(order.id), [])
})

test('a webhook missed while the shop is down is retried on the seed schedule and applied once', async () => {
  const order = await shop.order('7.25', { reference: 'E2E-RETRY' })
  await stopProcess(shop.child) // down: the first attempt finds nobody listening
  await sandbox.pay(order.id)
  await sandbox.advance(0)
  let [hook] = await sandbox.deliveries(order.id)
  assert.equal(hook.attempts.length, 1)
  assert.equal(hook.attempts[0].statusCode, null)

  await shop.start() // same database, same port
  assert.equal((await shop.get('E2E-RETRY')).status, 'pending')
  await sandbox.advance(FIRST_RETRY_S - 1) // not due yet
  assert.equal((await sandbox.deliveries(order.id))[0].attempts.length, 1)
  await sandbox.advance(1) // the seed's first retry: one minute later
  ;[hook] = await sandbox.deliveries(order.id)
  assert.deepEqual(
    hook.attempts.map((a) => a.statusCode),
    [null, 200],
  )
  assert.equal((await shop.get('E2E-RETRY')).status, 'paid')
  await sandbox.advance(24 * 3600) // nothing more is sent once acknowledged
  assert.equal((await sandbox.deliveries(order.id))[0].attempts.length, 2)

  // The same signed bytes again (a retry whose answer was lost): acknowledged, not applied.
  const { headers } = ps.sign('usdt_gateway', SECRET, hook.body)
  const again = await json(
    call(shop.base, 'POST', '/webhooks/usdt-gateway', { body: hook.body, headers: { ...headers, 'x-invoice-reference': 'E2E-RETRY' } }),
  )
  assert.equal(again.duplicate, true)
  assert.equal((await shop.events(order.id)).filter((t) => t === 'invoice.paid').length, 1)
})

test('a forged webhook is refused', async () => {
  await shop.order('5', { reference: 'E2E-FORGED' })
  const body = JSON.stringify({ invoice_reference: 'E2E-FORGED', status: 'confirmed' })
  const { headers } = ps.sign('usdt_gateway', 'not-the-secret', body)
  const res = await call(shop.base, 'POST', '/webhooks/usdt-gateway', { body, headers: { ...headers, 'x-invoice-reference': 'E2E-FORGED' } })
  assert.equal(res.status, 401)
  assert.equal((await res.json()).code, 'signature_mismatch')
  assert.equal((await shop.get('E2E-FORGED')).status, 'pending')
})
