'use strict'
// Starts the real server on a loopback port and talks HTTP to it with fetch. Bounded: every
// request has a timeout, the server is closed after the tests.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const ps = require('paystate')
const { createApp } = require('../server.js')

const SECRET = 'whsec-test-secret'
let clock = new Date('2026-01-01T00:00:00Z')
let server
let base

before(async () => {
  const app = createApp({ webhookSecret: SECRET, now: () => clock })
  await new Promise((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve)
  })
  base = `http://127.0.0.1:${server.address().port}`
})

after(() => new Promise((resolve) => server.close(resolve)))

function request(path, init = {}) {
  return fetch(base + path, { ...init, signal: AbortSignal.timeout(5000) })
}
function postJson(path, body) {
  return request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}
/** Sends a webhook exactly as the gateway would: raw bytes plus their signature. */
function webhook(raw, secret = SECRET, extraHeaders = {}) {
  const { headers } = ps.sign('usdt_gateway', secret, raw)
  return request('/webhooks/payments', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers, ...extraHeaders },
    body: raw,
  })
}

test('create an invoice, read its status', async () => {
  let res = await postJson('/invoices', { id: 'ord_1', reference: 'ORDER-1', due: '25.50', expires_in: 900 })
  assert.equal(res.status, 201)
  let body = await res.json()
  assert.equal(body.status, 'pending')
  assert.equal(body.due, '25.5')
  assert.deepEqual(body.events, ['invoice.created'])
  res = await request('/invoices/ord_1')
  body = await res.json()
  assert.equal(res.status, 200)
  assert.equal(body.amountPaid, '0')
  assert.equal(body.nextDeadline, '2026-01-01T00:15:00.000Z')
})

test('a signed webhook with the raw body pays the invoice; a replay is acknowledged once', async () => {
  // Note the spacing and the number's text: the signature covers these exact bytes.
  const raw = '{"invoice_id": "ord_1", "tx_id": "0xabc", "amount": "25.50",  "asset": "USDT_TRC20", "confirmed": true}'
  clock = new Date('2026-01-01T00:05:00Z')
  let res = await webhook(raw)
  assert.equal(res.status, 200)
  const body = await res.json()
  assert.equal(body.status, 'paid')
  assert.deepEqual(body.events.map((e) => e.type), ['invoice.payment_received', 'invoice.paid'])
  res = await webhook(raw)
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { duplicate: true })
  res = await request('/invoices/ord_1')
  assert.equal((await res.json()).status, 'paid')
})

test('bad signatures are 401; a re-serialised body does not verify', async () => {
  const raw = '{"invoice_id": "ord_1", "tx_id": "0xdef", "amount": "1", "asset": "USDT_TRC20", "confirmed": true}'
  let res = await webhook(raw, 'wrong-secret')
  assert.equal(res.status, 401)
  assert.equal((await res.json()).code, 'signature_mismatch')
  // The pitfall the raw route avoids: sign the original, send JSON.stringify(JSON.parse(raw)).
  const { headers } = ps.sign('usdt_gateway', SECRET, raw)
  res = await request('/webhooks/payments', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(JSON.parse(raw)),
  })
  assert.equal(res.status, 401)
  res = await request('/webhooks/payments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw })
  assert.equal(res.status, 401)
  assert.equal((await res.json()).code, 'signature_missing')
  res = await request('/webhooks/payments', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: raw })
  assert.equal(res.status, 415)
})

test('contract errors come back with their code and field', async () => {
  let res = await postJson('/invoices', { id: 'ord_2', due: 25.5 })
  assert.equal(res.status, 422)
  let body = await res.json()
  assert.equal(body.code, 'invalid_amount')
  assert.equal(body.field, 'invoice.due')
  res = await postJson('/invoices', { id: 'ord_3', due: '1.0000001' })
  assert.equal((await res.json()).code, 'too_many_decimals')
  res = await postJson('/invoices', { id: 'ord_1', due: '1' })
  assert.equal(res.status, 409)
  res = await request('/invoices/nope')
  assert.equal(res.status, 404)
  res = await request('/invoices', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })
  assert.equal(res.status, 400)
})

test('the status endpoint applies passed deadlines', async () => {
  await postJson('/invoices', { id: 'ord_4', due: '5', expires_in: 60 })
  clock = new Date('2026-01-01T01:00:00Z')
  const res = await request('/invoices/ord_4')
  const body = await res.json()
  assert.equal(body.status, 'expired')
  assert.equal(body.nextDeadline, null)
})
