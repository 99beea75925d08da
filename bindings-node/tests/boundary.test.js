'use strict'
// The JavaScript layer over the addon: header lookup in every accepted shape, results
// built in JavaScript, and secrets that never print (util.inspect, console, JSON).
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const ps = require('..')

/** @param {string} code @param {string} [field] */
const withCode = (code, field) => (/** @type {any} */ e) => e.code === code && (field === undefined || e.field === field)

const NOW = Date.parse('2026-03-24T12:00:00Z')
const SW_SECRET = 'whsec_' + Buffer.from('thirty-two bytes of test secret!').toString('base64')

/** Every way a host may print a value. */
function printed(v) {
  return [util.inspect(v), util.inspect(v, { showHidden: true, depth: 9 }), util.format('%o %O %j', v, v, v), JSON.stringify(v)].join('\n')
}

test('gatenoc: a signed result and its verifier never print the merchant key', () => {
  const key = 'mk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0'
  const signed = ps.sign('gatenoc', key, '{}')
  assert.equal(signed.headers['X-Gateway-Merchant-Key'], key) // the value to send is there
  assert.ok(!printed(signed).includes(key), printed(signed))
  assert.ok(printed(signed).includes('X-Gateway-Merchant-Key'))
  const signer = new ps.Signer('gatenoc', key)
  assert.ok(!printed(signer.sign('{}')).includes(key))
  assert.ok(!printed(signer).includes(key))
  const verifier = new ps.Verifier('gatenoc', [key])
  assert.ok(!printed(verifier).includes(key), printed(verifier))
  const verified = verifier.verify(signed.headers, '{}', NOW)
  assert.equal(verified.keyIndex, 0)
  assert.ok(!printed(verified).includes(key))
})

test('keypair_invoice: the key placed in the signature and body never prints', () => {
  const key = 'pk_4f1c2b3a5d6e7f8091a2b3c4d5e6f708'
  const signed = ps.sign('keypair_invoice', key, '{"id":"inv_1","amount":"10.5"}')
  assert.equal(signed.signature, key)
  assert.ok(signed.body.toString().includes(key))
  const out = printed(signed)
  assert.ok(!out.includes(key), out)
  assert.ok(out.includes('<redacted>'))
  const verifier = new ps.Verifier('keypair_invoice', key)
  assert.ok(!printed(verifier).includes(key))
  assert.ok(!printed(verifier.verify({}, signed.body, NOW)).includes(key))
})

test('headers are read from an object (any case), a Map, a Headers, pairs, or array values', () => {
  const body = Buffer.from('{"n":1}')
  const signed = ps.sign('standard_webhooks', SW_SECRET, body, { id: 'msg_1', timestamp: NOW })
  const v = new ps.Verifier('standard_webhooks', SW_SECRET)
  const lower = Object.fromEntries(Object.entries(signed.headers).map(([k, x]) => [k.toLowerCase(), x]))
  const upper = Object.fromEntries(Object.entries(signed.headers).map(([k, x]) => [k.toUpperCase(), x]))
  const arrays = Object.fromEntries(Object.entries(lower).map(([k, x]) => [k, [x, 'ignored']]))
  const svix = Object.fromEntries(Object.entries(lower).map(([k, x]) => [k.replace('webhook-', 'svix-'), x]))
  for (const h of [signed.headers, lower, upper, arrays, svix, new Map(Object.entries(lower)), new Headers(signed.headers), Object.entries(upper)]) {
    const r = v.verify(h, body, NOW)
    assert.equal(r.scheme, 'standard_webhooks')
    assert.equal(r.keyIndex, 0)
    assert.equal(r.timestamp.getTime(), NOW)
    assert.deepEqual(r.replay && typeof r.replay.key, 'string')
    assert.ok(r.replay.keepUntil instanceof Date)
  }
  const untyped = /** @type {any} */ (v)
  assert.throws(() => untyped.verify({ ...lower, 'webhook-signature': 42 }, body, NOW), TypeError)
  assert.throws(() => untyped.verify([['webhook-id']], body, NOW), TypeError)
  assert.throws(() => untyped.verify('webhook-id: msg_1', body, NOW), TypeError)
  const missing = { ...lower }
  delete missing['webhook-signature']
  assert.throws(() => v.verify(missing, body, NOW), withCode('signature_missing'))
})

test('svix-* spellings count wherever a webhook-* header is absent or blank, and only there', () => {
  const body = Buffer.from('{"n":1}')
  const signed = ps.sign('standard_webhooks', SW_SECRET, body, { id: 'msg_1', timestamp: NOW })
  const v = new ps.Verifier('standard_webhooks', SW_SECRET)
  const lower = Object.fromEntries(Object.entries(signed.headers).map(([k, x]) => [k.toLowerCase(), x]))
  const svix = Object.fromEntries(Object.entries(lower).map(([k, x]) => [k.replace('webhook-', 'svix-'), x]))
  const expected = v.verify(lower, body, NOW).toJSON()
  for (const name of ['id', 'timestamp', 'signature']) {
    for (const blank of ['', ' ', '\t', ' \t ']) {
      // A blank preferred header: the core falls back to its svix-* spelling.
      const h = { ...lower, ...svix, [`webhook-${name}`]: blank }
      assert.deepEqual(v.verify(h, body, NOW).toJSON(), expected, `${name} ${JSON.stringify(blank)}`)
      delete h[`svix-${name}`]
      assert.throws(() => v.verify(h, body, NOW), withCode('signature_missing'))
    }
  }
  // Preferred headers present (even one starting with a space): a wrong svix-* value is never read.
  const wrong = Object.fromEntries(Object.keys(svix).map((k) => [k, 'v1,AAAA']))
  assert.deepEqual(v.verify({ ...lower, ...wrong }, body, NOW).toJSON(), expected)
  const spaced = { ...lower, ...wrong, 'webhook-signature': ` ${lower['webhook-signature']}` }
  assert.deepEqual(v.verify(spaced, body, NOW).toJSON(), expected)
})

test('a verification result is a plain value: toJSON, record in a guard, replay refused', () => {
  const body = '{"n":2}'
  const signed = ps.sign('stripe', 'whsec_k', body, { timestamp: NOW })
  const r = new ps.Verifier('stripe', ['whsec_old', 'whsec_k']).verify(signed.headers, body, NOW)
  assert.equal(r.keyIndex, 1)
  const plain = r.toJSON()
  assert.deepEqual(Object.keys(plain), ['scheme', 'keyIndex', 'timestamp', 'replay'])
  assert.equal(JSON.parse(JSON.stringify(r)).replay.key, r.replay.key)
  const guard = new ps.ReplayGuard()
  guard.record(r, NOW)
  assert.throws(() => guard.record(r, NOW), withCode('replayed'))
  assert.throws(() => new ps.Verified(), TypeError)
  const tagOnly = new ps.Verifier('usdt_gateway', 'k').verify(ps.sign('usdt_gateway', 'k', body).headers, body, NOW)
  assert.equal(tagOnly.timestamp, undefined)
  assert.equal(typeof tagOnly.replay.key, 'string')
})

test('events and snapshots cross as JSON: Dates where the types say Date', () => {
  const { invoice, events } = ps.Invoice.create({ id: 'inv_b', due: '10', asset: 'USDT_TRC20', expiresIn: 60 }, NOW)
  assert.ok(events[0].at instanceof Date)
  const evs = invoice.mark('paid', NOW + 1)
  assert.equal(evs.at(-1).type, 'invoice.paid')
  assert.equal(evs.at(-1).at.getTime(), NOW + 1)
  assert.deepEqual(invoice.snapshot().exceptions, ['marked'])
  const untyped = /** @type {any} */ (invoice)
  assert.throws(() => untyped.mark('pending', NOW + 2), withCode('invalid_field', 'status'))
  assert.throws(() => untyped.observeTransfer({ amount: '1', asset: 'USDT_TRC20', confirmed: true }, NOW + 3), withCode('missing_field', 'transfer.tx_id'))
})

test('the loaded binary says how it was built', () => {
  assert.ok(['release', 'debug'].includes(ps.buildProfile()))
})

test('the new error codes are part of the vocabulary', () => {
  assert.ok(ps.errorCodes().includes('limit_exceeded'))
  assert.ok(ps.errorCodes().includes('invalid_state'))
})
