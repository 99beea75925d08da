'use strict'
// The app in this process on a loopback port, on a fresh PostgreSQL database, with a pinned
// clock. Bounded: every request has a timeout; the server, the pools and the database are
// closed after the tests.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { Pool } = require('pg')
const ps = require('paystate')
const { createApp, migrate, applyCommand, configFromEnv, OPTIMISTIC_ATTEMPTS } = require('../server.js')
const { SECRET, freshDatabase, deliver, postJson, get } = require('./helpers.js')

let clock = new Date('2026-01-01T00:00:00Z')
let database
let pool
let server
let base

before(async () => {
  database = await freshDatabase()
  pool = new Pool({ connectionString: database.url, max: 20 })
  await migrate(pool)
  await migrate(pool) // idempotent
  const app = createApp({ pool, webhookSecrets: [SECRET], now: () => clock })
  await new Promise((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve)
  })
  base = `http://127.0.0.1:${server.address().port}`
})

after(async () => {
  if (server) await new Promise((resolve) => server.close(resolve))
  if (pool) await pool.end()
  if (database) await database.drop()
})

const note = (invoiceId, txId, amount, extra = {}) =>
  JSON.stringify({ invoice_id: invoiceId, tx_id: txId, amount, asset: 'USDT_TRC20', ...extra })
const count = async (sql, params = []) => Number((await pool.query(sql, params)).rows[0].n)

test('create, pay unconfirmed then confirmed, read; the journal rebuilds the snapshot', async () => {
  let res = await postJson(base, '/invoices', { id: 'ord_1', reference: 'ORDER-1', amount: '25.50', expires_in: 900 })
  assert.equal(res.status, 201)
  let body = await res.json()
  assert.equal(body.status, 'pending')
  assert.equal(body.due, '25.5')
  // Spacing and the number's text are kept: the signature covers these exact bytes.
  res = await deliver(base, 'msg_1', '{"invoice_id": "ord_1", "tx_id": "0xabc", "amount": "25.50",  "asset": "USDT_TRC20"}', clock)
  assert.equal(res.status, 200)
  body = await res.json()
  assert.equal(body.status, 'processing')
  assert.equal(body.amount_paid, '0')
  res = await deliver(base, 'msg_2', note('ord_1', '0xabc', '25.50', { confirmed: true }), clock)
  body = await res.json()
  assert.equal(res.status, 200)
  assert.deepEqual([body.status, body.amount_paid, body.duplicate], ['paid', '25.5', false])
  assert.deepEqual(body.events, ['invoice.paid'])
  res = await get(base, '/invoices/ord_1')
  body = await res.json()
  assert.deepEqual([body.status, body.amount_paid, body.version], ['paid', '25.5', 3])
  const events = await (await get(base, '/invoices/ord_1/events')).json()
  assert.deepEqual(
    events.map((e) => e.type),
    ['invoice.created', 'invoice.payment_received', 'invoice.processing', 'invoice.paid'],
  )
  const journal = await pool.query("SELECT at, command FROM invoice_journal WHERE invoice_id = 'ord_1' ORDER BY version")
  const rebuilt = ps.Invoice.replay(journal.rows.map((r) => ({ at: r.at, command: r.command })))
  const stored = (await pool.query("SELECT state FROM invoices WHERE id = 'ord_1'")).rows[0].state
  assert.ok(rebuilt.equals(ps.Invoice.fromJSON(stored)))
})

test('a delivery already applied is acknowledged (2xx) and not applied again', async () => {
  await postJson(base, '/invoices', { id: 'ord_2', amount: '5' })
  const raw = note('ord_2', 't2', '5', { confirmed: true })
  let res = await deliver(base, 'm2', raw, clock)
  const first = await res.json()
  assert.deepEqual([res.status, first.duplicate, first.amount_paid], [200, false, '5'])
  res = await deliver(base, 'm2', raw, clock)
  const again = await res.json()
  assert.deepEqual([res.status, again.duplicate, again.amount_paid, again.version], [200, true, '5', first.version])
  // The same transfer under another delivery id: a no-op in the core, no row written.
  res = await deliver(base, 'm2-other', raw, clock)
  const other = await res.json()
  assert.deepEqual([res.status, other.duplicate, other.events, other.amount_paid], [200, false, [], '5'])
  assert.equal(await count("SELECT COUNT(*) AS n FROM invoice_journal WHERE invoice_id = 'ord_2'"), 2)
  assert.equal(await count("SELECT version AS n FROM invoices WHERE id = 'ord_2'"), 2)
})

test('bad signatures are 401; a re-serialised body does not verify; nothing is recorded', async () => {
  const raw = '{"invoice_id": "ord_2", "tx_id": "0xdef", "amount": "1", "asset": "USDT_TRC20", "confirmed": true}'
  const keys = await count('SELECT COUNT(*) AS n FROM replay_keys')
  let res = await deliver(base, 'bad1', raw, clock, 'whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=')
  assert.equal(res.status, 401)
  assert.equal((await res.json()).code, 'signature_mismatch')
  const { headers } = ps.sign('standard_webhooks', SECRET, raw, { id: 'bad2', timestamp: clock })
  res = await fetch(`${base}/webhooks/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(JSON.parse(raw)),
  })
  assert.equal(res.status, 401)
  res = await fetch(`${base}/webhooks/payments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw })
  assert.equal((await res.json()).code, 'signature_missing')
  res = await fetch(`${base}/webhooks/payments`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: raw })
  assert.equal(res.status, 415)
  res = await deliver(base, 'late', raw, new Date(clock.getTime() - 10 * 60_000))
  assert.equal((await res.json()).code, 'timestamp_out_of_tolerance')
  assert.equal(await count('SELECT COUNT(*) AS n FROM replay_keys'), keys)
})

test('confirmed must be a JSON boolean: "false" is refused, never read as true', async () => {
  await postJson(base, '/invoices', { id: 'ord_3', amount: '5' })
  const keys = await count('SELECT COUNT(*) AS n FROM replay_keys')
  for (const [i, confirmed] of ['"false"', '"true"', '1', 'null', '{}'].entries()) {
    const raw = `{"invoice_id": "ord_3", "tx_id": "t3", "amount": "5", "asset": "USDT_TRC20", "confirmed": ${confirmed}}`
    const res = await deliver(base, `m3-${i}`, raw, clock)
    assert.equal(res.status, 422, confirmed)
    assert.equal((await res.json()).field, 'confirmed')
  }
  const body = await (await get(base, '/invoices/ord_3')).json()
  assert.deepEqual([body.status, body.amount_paid, body.amount_pending], ['pending', '0', '0'])
  assert.equal(await count('SELECT COUNT(*) AS n FROM replay_keys'), keys)
  // false is unconfirmed; true pays.
  let res = await deliver(base, 'm3-f', note('ord_3', 't3', '5', { confirmed: false }), clock)
  assert.deepEqual(Object.values(pick(await res.json())), ['processing', '0'])
  res = await deliver(base, 'm3-t', note('ord_3', 't3', '5', { confirmed: true }), clock)
  assert.deepEqual(Object.values(pick(await res.json())), ['paid', '5'])
})

const pick = (b) => ({ status: b.status, amount_paid: b.amount_paid })

test('a webhook that beats its invoice is not acknowledged and records nothing', async () => {
  const raw = note('ord_4', 't4', '7', { confirmed: true })
  let res = await deliver(base, 'm4', raw, clock)
  assert.equal(res.status, 404)
  assert.equal((await res.json()).code, 'unknown_invoice')
  assert.equal(await count("SELECT COUNT(*) AS n FROM replay_keys WHERE key = 'standard_webhooks:m4'"), 0)
  await postJson(base, '/invoices', { id: 'ord_4', amount: '7' })
  res = await deliver(base, 'm4', raw, new Date(clock.getTime() + 30_000)) // the provider's retry
  const body = await res.json()
  assert.deepEqual([res.status, body.duplicate, body.status, body.amount_paid], [200, false, 'paid', '7'])
})

test('a command the core refuses records no key', async () => {
  await postJson(base, '/invoices', { id: 'ord_5', amount: '5' })
  assert.equal((await deliver(base, 'm5a', note('ord_5', 't5', '2', { confirmed: true }), clock)).status, 200)
  let res = await deliver(base, 'm5b', note('ord_5', 't5', '3', { confirmed: true }), clock)
  assert.deepEqual([res.status, (await res.json()).code], [409, 'integrity_conflict'])
  res = await deliver(base, 'm5c', JSON.stringify({ invoice_id: 'ord_5', tx_id: 'x', amount: '1', asset: 'USDT_ERC20' }), clock)
  assert.deepEqual([res.status, (await res.json()).code], [422, 'asset_mismatch'])
  const keys = await pool.query("SELECT key FROM replay_keys WHERE key LIKE 'standard_webhooks:m5%'")
  assert.deepEqual(
    keys.rows.map((r) => r.key),
    ['standard_webhooks:m5a'],
  )
})

test('a failure inside the transaction leaves nothing; the retry applies the payment', async () => {
  await postJson(base, '/invoices', { id: 'ord_6', amount: '6' })
  // The database refuses the outbox row: after the invoice UPDATE and the journal insert.
  await pool.query(`CREATE FUNCTION fail_outbox() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql`)
  await pool.query('CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_outbox()')
  const raw = note('ord_6', 't6', '6', { confirmed: true })
  try {
    const res = await deliver(base, 'm6', raw, clock)
    assert.equal(res.status, 503)
  } finally {
    await pool.query('DROP TRIGGER fail_outbox ON outbox')
    await pool.query('DROP FUNCTION fail_outbox()')
  }
  assert.equal(await count("SELECT version AS n FROM invoices WHERE id = 'ord_6'"), 1)
  assert.equal(await count("SELECT COUNT(*) AS n FROM invoice_journal WHERE invoice_id = 'ord_6'"), 1)
  assert.equal(await count("SELECT COUNT(*) AS n FROM replay_keys WHERE key = 'standard_webhooks:m6'"), 0)
  const res = await deliver(base, 'm6', raw, clock)
  const body = await res.json()
  assert.deepEqual([res.status, body.duplicate, body.amount_paid], [200, false, '6'])
})

test('an optimistic conflict re-applies to the fresh state; the last attempt takes the row lock', async () => {
  await postJson(base, '/invoices', { id: 'ord_7', amount: '100' })
  let races = 0
  let racing = false
  // A pool whose optimistic reads are each followed by another process's write.
  const racingPool = {
    connect: () => pool.connect(),
    query: async (sql, params) => {
      const result = await pool.query(sql, params)
      if (!racing && sql.startsWith('SELECT state, version') && !sql.includes('FOR UPDATE')) {
        racing = true
        races += 1
        const other = { op: 'observe_transfer', transfer: { tx_id: `other${races}`, amount: '1', asset: 'USDT_TRC20', confirmed: true } }
        await applyCommand(pool, 'ord_7', other, clock, undefined)
        racing = false
      }
      return result
    },
  }
  const mine = { op: 'observe_transfer', transfer: { tx_id: 'mine', amount: '10', asset: 'USDT_TRC20', confirmed: true } }
  const replay = { key: 'test:mine', keepUntil: new Date(clock.getTime() + 60_000) }
  const applied = await applyCommand(/** @type {any} */ (racingPool), 'ord_7', mine, clock, replay)
  assert.equal(races, OPTIMISTIC_ATTEMPTS)
  assert.equal(applied.duplicate, false)
  assert.equal(applied.invoice.amountPaid, String(10 + races))
  const body = await (await get(base, '/invoices/ord_7')).json()
  assert.equal(body.amount_paid, String(10 + races))
  assert.equal(await count("SELECT COUNT(*) AS n FROM invoice_journal WHERE invoice_id = 'ord_7'"), races + 2)
})

test('concurrent duplicates are credited once', async () => {
  await postJson(base, '/invoices', { id: 'ord_8', amount: '100' })
  const raw = note('ord_8', 't8', '40.5', { confirmed: true })
  // 20 copies of one delivery and 20 other deliveries of the same transfer, all at once.
  const ids = [...Array(20).fill('same'), ...Array.from({ length: 20 }, (_, i) => `other-${i}`)]
  const answers = await Promise.all(ids.map((id) => deliver(base, id, raw, clock).then(async (r) => [r.status, await r.json()])))
  assert.deepEqual(
    answers.map(([s]) => s),
    Array(40).fill(200),
  )
  assert.equal(answers.slice(0, 20).filter(([, b]) => b.duplicate === false).length, 1)
  const body = await (await get(base, '/invoices/ord_8')).json()
  assert.equal(body.amount_paid, '40.5')
  assert.equal(await count("SELECT COUNT(*) AS n FROM invoice_journal WHERE invoice_id = 'ord_8'"), 2)
  assert.equal(await count("SELECT COUNT(*) AS n FROM replay_keys WHERE key ~ 'standard_webhooks:(same|other-)'"), 21)
})

test('replay keys are rows, purged by time; the ticker applies deadlines', async () => {
  await postJson(base, '/invoices', { id: 'ord_9', amount: '5', expires_in: 60 })
  await deliver(base, 'm9', note('ord_9', 't9', '1', { confirmed: true }), clock)
  const { rows } = await pool.query("SELECT keep_until FROM replay_keys WHERE key = 'standard_webhooks:m9'")
  // Standard Webhooks: kept until the signed time plus the 5-minute tolerance.
  assert.equal(rows[0].keep_until.getTime(), clock.getTime() + 300_000)
  clock = new Date(clock.getTime() + 300_000)
  const res = await postJson(base, '/tasks/tick', {})
  const body = await res.json()
  assert.ok(body.ticked.includes('ord_9'))
  assert.ok(body.replay_keys_purged >= 1)
  assert.equal(await count('SELECT COUNT(*) AS n FROM replay_keys WHERE keep_until <= $1', [clock]), 0)
  const view = await (await get(base, '/invoices/ord_9')).json()
  assert.equal(view.status, 'expired')
})

test('contract errors come back with their code and field; configuration comes from the environment', async () => {
  let res = await postJson(base, '/invoices', { id: 'ord_10', amount: 25.5 })
  assert.equal(res.status, 422)
  assert.deepEqual(Object.values(await res.json()).slice(0, 2), ['invalid_amount', 'invoice.due'])
  res = await postJson(base, '/invoices', { id: 'ord_11', amount: '1.0000001' })
  assert.equal((await res.json()).code, 'too_many_decimals')
  res = await postJson(base, '/invoices', { id: 'ord_1', amount: '1' })
  assert.equal(res.status, 409)
  assert.equal((await get(base, '/invoices/nope')).status, 404)
  res = await fetch(`${base}/invoices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })
  assert.equal(res.status, 400)
  assert.throws(() => configFromEnv({ WEBHOOK_SECRETS: SECRET }), /DATABASE_URL/)
  assert.throws(() => configFromEnv({ DATABASE_URL: 'postgres://x', WEBHOOK_SECRETS: ' , ' }), /WEBHOOK_SECRETS/)
  try {
    configFromEnv({ DATABASE_URL: 'postgres://x', WEBHOOK_SECRETS: SECRET, PORT: 'x' })
    assert.fail('PORT x accepted')
  } catch (err) {
    assert.match(String(err), /PORT/)
    assert.ok(!String(err).includes(SECRET))
  }
  assert.deepEqual(configFromEnv({ DATABASE_URL: 'postgres://x', WEBHOOK_SECRETS: `${SECRET}, whsec_b2xk`, PORT: '0' }), {
    databaseUrl: 'postgres://x',
    webhookSecrets: [SECRET, 'whsec_b2xk'],
    port: 0,
  })
})
