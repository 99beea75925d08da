'use strict'
// The raw N-API verify (src/fastverify.rs) against the napi-rs exports it stands in front
// of: on every input it gives their answer, or `undefined` and leaves the call to them.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const ps = require('..')
// Called with wrong types on purpose, hence untyped.
const native = /** @type {any} */ (require('../native.js'))

const fast = native.verifierVerifyFast()
const now = Date.parse('2026-01-01T00:00:00Z')
const secret = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')

/** The slow path's outcome: its answer, or the error's constructor, code, field and message. */
function slow(h, args) {
  const f = args.length <= 4 ? native.verifierVerify1 : args.length <= 6 ? native.verifierVerify3 : native.verifierVerify6
  try {
    return f(h, ...args)
  } catch (e) {
    return { error: e.constructor.name, code: e.code, field: e.field, message: e.message }
  }
}

/** `fast` answers as the slow path does, or leaves the call to it (and says which). */
function same(h, args) {
  const r = fast(h, ...args)
  const s = slow(h, args)
  if (r === undefined) return 'slow'
  assert.equal(r, s)
  return 'fast'
}

test('the raw verify answers as verifierVerify1/3/6, or leaves the call to them', () => {
  const body = Buffer.from('{"type":"invoice.paid","id":"evt_1"}')
  for (const scheme of /** @type {const} */ (['standard_webhooks', 'stripe', 'usdt_gateway'])) {
    const signed = ps.sign(scheme, secret, body, { id: 'msg_1', nonce: 'n0nce', timestamp: now })
    const h = native.verifierNew(scheme, secret)
    const names = JSON.parse(native.verifierInfo(h)).headers.slice(0, 3)
    const values = names.map((n) => signed.headers[n] ?? signed.headers[Object.keys(signed.headers).find((k) => k.toLowerCase() === n)])
    // The common case takes the raw path.
    assert.equal(same(h, [body, now, ...values]), 'fast', scheme)
    assert.equal(same(h, [body.toString(), now, ...values]), 'fast', scheme)
    assert.equal(same(h, [new Uint8Array(body), now + 0.75, ...values]), 'fast', scheme)
    // A body inside a larger buffer: the view's offset counts.
    const big = Buffer.concat([Buffer.from('garbage'), body, Buffer.from('tail')])
    assert.equal(same(h, [big.subarray(7, 7 + body.length), now, ...values]), 'fast', scheme)
    // Errors and unusual arguments go to the slow path, which throws as before.
    for (const args of [
      [body.subarray(1), now, ...values],
      [big, now, ...values],
      [Buffer.alloc(0), now, ...values],
      [body, now + 10_000_000_000, ...values],
      [body, new Date(now), ...values],
      [body, new Date(now).toISOString(), ...values],
      [body, NaN, ...values],
      [body, 1e300, ...values],
      [body, undefined, ...values],
      [new Uint16Array(4), now, ...values],
      [new Uint8ClampedArray(body), now, ...values],
      [body.buffer, now, ...values],
      [42, now, ...values],
      [body, now, ...values.map(() => undefined)],
      [body, now, ...values.map((v) => v + '\ud800')],
      [body, now, ...values.map((v) => v + 'é')],
      [body, now, ...values.map((v) => v + ' '.repeat(2000))],
      [body, now, ...values.map(() => 7)],
      [body, now, ...values.map(() => null)],
      [body, now],
    ]) {
      same(h, args)
    }
  }
})

test('long header values, however close to the stack buffer, answer as before', () => {
  const body = Buffer.from('{"id":"evt_2"}')
  const h = native.verifierNew('standard_webhooks', [secret])
  const signed = ps.sign('standard_webhooks', secret, body, { id: 'msg_2', timestamp: now })
  const id = signed.headers['webhook-id']
  const ts = signed.headers['webhook-timestamp']
  const sig = signed.headers['webhook-signature']
  const seen = new Set()
  // Extra (non-matching) signatures in front of the real one push the value's length
  // across the raw path's room, byte by byte, in ASCII and with 2- and 3-byte characters.
  for (const pad of ['a', 'é', '€']) {
    for (let n = 900; n < 1100; n++) {
      const value = `v1,${Buffer.from(pad.repeat(n)).toString('base64').slice(0, n)} ${sig}`
      seen.add(same(h, [body, now, id, ts, value]))
      seen.add(same(h, [body, now, id, ts, `v1,${pad.repeat(n)} ${sig}`]))
    }
  }
  assert.deepEqual([...seen].sort(), ['fast', 'slow'])
})

test('Verifier.verify gives the same results through either path', () => {
  const body = Buffer.from('{"id":"evt_3"}')
  const signed = ps.sign('standard_webhooks', secret, body, { id: 'msg_3', timestamp: now })
  const v = new ps.Verifier('standard_webhooks', secret)
  const quick = v.verify(signed.headers, body, now)
  const viaDate = v.verify(signed.headers, body, new Date(now))
  assert.deepEqual(quick.toJSON(), viaDate.toJSON())
  assert.deepEqual(v.verify(signed.headers, body.toString(), now).toJSON(), quick.toJSON())
  const wrong = Buffer.alloc(32, 7).toString('base64')
  assert.throws(() => v.verify({ ...signed.headers, 'webhook-signature': `v1,${wrong}` }, body, now), { code: 'signature_mismatch' })
  assert.throws(() => v.verify({ ...signed.headers, 'webhook-signature': 'v1,AAAA' }, body, now), {
    code: 'signature_malformed',
    message: 'signature malformed: webhook-signature has no usable v1,<base64> entry',
  })
  assert.throws(() => v.verify(signed.headers, /** @type {any} */ (new Float32Array(2)), now), TypeError)
})
