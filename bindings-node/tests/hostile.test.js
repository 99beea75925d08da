// @ts-nocheck -- this file passes wrongly typed values on purpose.
'use strict'
// Hostile input into every export: random buffers and strings, huge strings, numbers where
// strings are expected, NaN, deep JSON, negative and far-future times. The only acceptable
// outcomes are a result, a PaystateError (a contract `code`) or a TypeError — never another
// error, a crash, or a hang.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const ps = require('..')

const T0 = Date.parse('2026-01-01T00:00:00Z')
const CODES = new Set(ps.errorCodes())

function deepObject(n) {
  let o = { leaf: 1 }
  for (let i = 0; i < n; i++) o = { o }
  return o
}
function deepArray(n) {
  let a = [1]
  for (let i = 0; i < n; i++) a = [a]
  return a
}
let seed = 42
function rand() {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed / 0x7fffffff
}
function randomString(n) {
  let s = ''
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rand() * 0x10000))
  return s
}

const HUGE = 'a'.repeat(2_000_000)
const HOSTILE = [
  undefined, null, true, false, 0, -1, 1.5, -0, NaN, Infinity, -Infinity, 2 ** 64, Number.MAX_SAFE_INTEGER,
  8.64e15, -8.64e15, 1e300, 10n, -(2n ** 100n), '', 'x', '-1', '1e3', '0x10', ' 1', '١٢', 'NaN', HUGE,
  '9'.repeat(1000), '0.' + '0'.repeat(500) + '1', '\u0000\uffff\ud800', randomString(64), Symbol('s'), () => 1,
  {}, [], [[]], [1, [2]], { length: 1e9 }, Object.create(null), deepObject(5000), deepArray(5000),
  new Date(NaN), new Date(8.64e15), new Date(-8.64e15), new Date(0), crypto.randomBytes(64), Buffer.alloc(0),
  new Uint16Array(4), new Float64Array(2), new ArrayBuffer(8), new Map([['a', 1]]), new Set([1]),
  { txId: 1, amount: 5, asset: [], confirmed: 'yes' }, { op: 'tick', extra: deepObject(100) },
  { schema_version: 1 }, { get: () => 1 }, [['a', 1]], { a: ['x'] }, JSON.stringify(deepArray(200)),
  '{"schema_version":1,' + '"a":'.repeat(1) + '[' .repeat(10000) + ']'.repeat(10000) + '}',
]

function outcome(fn) {
  try {
    fn()
    return 'ok'
  } catch (e) {
    if (e instanceof TypeError) return 'type'
    if (e instanceof Error && e.name === 'PaystateError' && CODES.has(e.code) && ps.isPaystateError(e)) return 'code'
    return e
  }
}

function freshInvoice() {
  return ps.Invoice.create({ id: 'inv', due: '5', asset: 'USDT_TRC20', expiresIn: 1800 }, T0).invoice
}
const sigHeaders = () => ps.sign('usdt_gateway', 'k', '{}').headers

/** Every callable export with valid default arguments. */
const SITES = [
  ['Invoice.create', (a) => ps.Invoice.create(...a), [{ id: 'i', due: '5', asset: 'USDT_TRC20', expiresIn: 60 }, T0]],
  ['Invoice.fromJSON', (a) => ps.Invoice.fromJSON(...a), [freshInvoice().toJSON()]],
  ['Invoice.replay', (a) => ps.Invoice.replay(...a), [[{ at: T0, command: { op: 'create_invoice', invoice: { id: 'i', due: '5', asset: 'USDT_TRC20', expires_in: 60 } } }]]],
  ['invoice.apply', (a) => freshInvoice().apply(...a), [{ op: 'tick' }, T0]],
  ['invoice.observeTransfer', (a) => freshInvoice().observeTransfer(...a), [{ txId: 't', amount: '1', asset: 'USDT_TRC20', confirmed: true, at: T0 }, T0]],
  ['invoice.confirmTransfer', (a) => freshInvoice().confirmTransfer(...a), ['t', T0]],
  ['invoice.dropTransfer', (a) => freshInvoice().dropTransfer(...a), ['t', T0]],
  ['invoice.tick', (a) => freshInvoice().tick(...a), [T0]],
  ['invoice.cancel', (a) => freshInvoice().cancel(...a), [T0]],
  ['invoice.requestRefund', (a) => freshInvoice().requestRefund(...a), [{ refundId: 'r', amount: '1' }, T0]],
  ['invoice.settleRefund', (a) => freshInvoice().settleRefund(...a), ['r', 'failed', T0]],
  ['invoice.mark', (a) => freshInvoice().mark(...a), ['paid', T0]],
  ['invoice.claimTxid', (a) => freshInvoice().claimTxid(...a), ['t', T0]],
  ['invoice.statusAt', (a) => freshInvoice().statusAt(...a), [T0]],
  ['invoice.equals', (a) => freshInvoice().equals(...a), [freshInvoice()]],
  ['Matcher.allocate', (a) => new ps.Matcher().allocate(...a), ['acct', 'i', '10', '0.01', '0']],
  ['Matcher.register', (a) => new ps.Matcher().register(...a), ['acct', 'i', '10', '0']],
  ['Matcher.match', (a) => new ps.Matcher().match(...a), ['acct', '10']],
  ['Matcher.release', (a) => new ps.Matcher().release(...a), ['i']],
  ['Matcher.payable', (a) => new ps.Matcher().payable(...a), ['i']],
  ['Matcher.fromJSON', (a) => ps.Matcher.fromJSON(...a), [new ps.Matcher().toJSON()]],
  ['Session.open', (a) => ps.Session.open(...a), ['s', freshInvoice(), 60, T0]],
  ['session.use', (a) => ps.Session.open('s', freshInvoice(), 60, T0).use(...a), [freshInvoice(), T0]],
  ['session.isClosed', (a) => ps.Session.open('s', freshInvoice(), 60, T0).isClosed(...a), [T0]],
  ['Session.fromJSON', (a) => ps.Session.fromJSON(...a), [ps.Session.open('s', freshInvoice(), 60, T0).toJSON()]],
  ['sessionToken', (a) => ps.sessionToken(...a), ['k', 's']],
  ['verifySessionToken', (a) => ps.verifySessionToken(...a), ['k', 's', 'ab']],
  ['new Verifier', (a) => new ps.Verifier(...a), ['usdt_gateway', ['k'], { toleranceSeconds: 10 }]],
  ['verifier.verify', (a) => new ps.Verifier('standard_webhooks', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').verify(...a), [{ 'webhook-id': 'm', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' }, '{}', T0]],
  ['verify', (a) => ps.verify(...a), ['usdt_gateway', 'k', sigHeaders(), '{}', T0, undefined]],
  ['new Signer', (a) => new ps.Signer(...a), ['stripe', 'k']],
  ['signer.sign', (a) => new ps.Signer('gatepay', 'k').sign(...a), ['{}', { id: 'm', nonce: 'n', timestamp: T0 }]],
  ['sign', (a) => ps.sign(...a), ['monetix', 'k', '{"a":1}', {}]],
  ['parseSchemeTimestamp', (a) => ps.parseSchemeTimestamp(...a), ['stripe', '1700000000']],
  ['parseTimestamp', (a) => ps.parseTimestamp(...a), ['2026-01-01T00:00:00Z']],
  ['new ReplayGuard', (a) => new ps.ReplayGuard(...a), [10]],
  ['guard.record', (a) => new ps.ReplayGuard().record(...a), [{ replay: { key: 'k', keepUntil: T0 } }, T0]],
  ['guard.checkAndRecord', (a) => new ps.ReplayGuard().checkAndRecord(...a), ['k', T0, T0]],
  ['guard.contains', (a) => new ps.ReplayGuard().contains(...a), ['k', T0]],
  ['guard.tick', (a) => new ps.ReplayGuard().tick(...a), [T0]],
  ['ReplayGuard.fromJSON', (a) => ps.ReplayGuard.fromJSON(...a), [new ps.ReplayGuard().toJSON()]],
  ['new DeliveryPlan', (a) => new ps.DeliveryPlan(...a), ['d', 'usdt_gateway', T0]],
  ['plan.report', (a) => new ps.DeliveryPlan('d', 'usdt_gateway', T0).report(...a), [500, T0, 10]],
  ['plan.tick', (a) => new ps.DeliveryPlan('d', 'usdt_gateway', T0).tick(...a), [T0]],
  ['DeliveryPlan.fromJSON', (a) => ps.DeliveryPlan.fromJSON(...a), [new ps.DeliveryPlan('d', 'usdt_gateway', T0).toJSON()]],
  ['assetScale', (a) => ps.assetScale(...a), ['USDT_TRC20']],
  ['normalizeAmount', (a) => ps.normalizeAmount(...a), ['1.50']],
  ['compareAmounts', (a) => ps.compareAmounts(...a), ['1', '2']],
  ['isPaystateError', (a) => ps.isPaystateError(...a), [new Error('x')]],
]

test('every export with valid arguments succeeds (the baseline of the hostile runs)', () => {
  for (const [name, call, args] of SITES) {
    const r = outcome(() => call(args))
    assert.ok(r === 'ok' || r === 'code', `${name}: ${r}`)
  }
})

test('hostile values in every argument position: only results, PaystateError or TypeError', () => {
  let calls = 0
  const seen = { ok: 0, code: 0, type: 0 }
  for (const [name, call, args] of SITES) {
    for (let pos = 0; pos < args.length; pos++) {
      for (const h of HOSTILE) {
        const a = [...args]
        a[pos] = h
        const r = outcome(() => call(a))
        calls++
        if (typeof r !== 'string') assert.fail(`${name} arg ${pos} = ${describe(h)} threw ${r && r.name}: ${r && r.message}`)
        seen[r]++
      }
    }
  }
  process.stdout.write(`# hostile: ${calls} calls, ${JSON.stringify(seen)}\n`)
  assert.ok(seen.code > 0 && seen.type > 0)
})

test('hostile values inside object arguments (specs, transfers, headers, options)', () => {
  const objects = [
    (v) => ps.Invoice.create({ id: v, due: '5', asset: 'USDT_TRC20', expiresIn: 60 }, T0),
    (v) => ps.Invoice.create({ id: 'i', due: v, asset: 'USDT_TRC20', expiresIn: 60 }, T0),
    (v) => ps.Invoice.create({ id: 'i', due: '5', asset: v, expiresIn: 60 }, T0),
    (v) => ps.Invoice.create({ id: 'i', due: '5', asset: 'USDT_TRC20', expiresIn: v }, T0),
    (v) => ps.Invoice.create({ id: 'i', due: '5', asset: 'USDT_TRC20', expiresAt: v }, T0),
    (v) => ps.Invoice.create({ id: 'i', due: '5', asset: 'USDT_TRC20', expiresIn: 60, tolerance: v }, T0),
    (v) => ps.Invoice.create({ id: 'i', due: '5', asset: 'USDT_TRC20', expiresIn: 60, latePayment: v }, T0),
    (v) => ps.Invoice.create({ id: 'i', due: '5', asset: 'USDT_TRC20', expiresIn: 60, metadata: v }, T0),
    (v) => ps.Invoice.create({ id: 'i', price: { amount: v, currency: 'USD' }, rate: v, asset: 'USDT_TRC20', expiresIn: 60 }, T0),
    (v) => freshInvoice().observeTransfer({ txId: v, amount: '1', asset: 'USDT_TRC20', confirmed: true }, T0),
    (v) => freshInvoice().observeTransfer({ txId: 't', amount: v, asset: 'USDT_TRC20', confirmed: true }, T0),
    (v) => freshInvoice().observeTransfer({ txId: 't', amount: '1', asset: 'USDT_TRC20', confirmed: v }, T0),
    (v) => freshInvoice().observeTransfer({ txId: 't', amount: '1', asset: 'USDT_TRC20', confirmed: true, at: v }, T0),
    (v) => freshInvoice().requestRefund({ refundId: 'r', amount: v }, T0),
    (v) => freshInvoice().apply({ op: 'observe_transfer', transfer: v }, T0),
    (v) => freshInvoice().apply({ op: v }, T0),
    (v) => ps.Invoice.replay([{ at: v, command: { op: 'tick' } }]),
    (v) => new ps.Verifier('usdt_gateway', 'k').verify({ 'x-webhook-signature': v }, '{}', T0),
    (v) => new ps.Verifier('stripe', 'k').verify({ 'Stripe-Signature': v }, '{}', T0),
    (v) => new ps.Verifier('usdt_gateway', 'k', { toleranceSeconds: v }),
    (v) => new ps.Verifier('usdt_gateway', 'k', { skipTimeCheck: v }),
    (v) => new ps.Verifier('usdt_gateway', [v]),
    (v) => new ps.Signer('standard_webhooks', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').sign('{}', { id: v, timestamp: T0 }),
    (v) => new ps.Signer('stripe', 'k').sign('{}', { timestamp: v }),
    (v) => new ps.ReplayGuard().record({ replay: { key: v, keepUntil: T0 } }, T0),
    (v) => new ps.ReplayGuard().record({ replay: v }, T0),
  ]
  let calls = 0
  for (const [i, call] of objects.entries()) {
    for (const h of HOSTILE) {
      const r = outcome(() => call(h))
      calls++
      if (typeof r !== 'string') assert.fail(`object site ${i} with ${describe(h)} threw ${r && r.name}: ${r && r.message}`)
    }
  }
  process.stdout.write(`# hostile (inside objects): ${calls} calls\n`)
})

test('random buffers and strings into every verifier scheme', () => {
  let calls = 0
  for (const scheme of ps.schemes()) {
    const secret = scheme === 'standard_webhooks' ? 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' : 'k3y'
    const v = new ps.Verifier(scheme, secret)
    const signed = ps.sign(scheme, secret, '{"a":1}', { id: 'm', nonce: 'n', timestamp: T0 })
    for (let i = 0; i < 150; i++) {
      const body = i % 3 === 0 ? crypto.randomBytes(Math.floor(rand() * 2048)) : i % 3 === 1 ? randomString(Math.floor(rand() * 300)) : '{"a":' + randomString(8) + '}'
      const headers = {}
      for (const k of Object.keys(signed.headers)) headers[k] = i % 2 ? randomString(Math.floor(rand() * 200)) : crypto.randomBytes(40).toString(i % 4 ? 'hex' : 'base64')
      for (const hs of [headers, signed.headers]) {
        const r = outcome(() => v.verify(hs, body, T0 + Math.floor((rand() - 0.5) * 1e12)))
        calls++
        if (typeof r !== 'string') assert.fail(`${scheme}: ${r && r.name}: ${r && r.message}`)
        assert.notEqual(r, 'type', `${scheme}: a well-typed call threw TypeError`)
      }
    }
  }
  process.stdout.write(`# random verify: ${calls} calls\n`)
})

test('a huge body and deep JSON are rejected with codes, quickly', () => {
  const started = Date.now()
  const big = Buffer.alloc(8 * 1024 * 1024, 0x7b)
  assert.equal(outcome(() => new ps.Verifier('nowpayments', 'k').verify({ 'x-nowpayments-sig': 'aa' }, big, T0)), 'code')
  assert.equal(outcome(() => new ps.Verifier('usdt_gateway', 'k').verify({ 'x-webhook-signature': 'a'.repeat(64) }, big, T0)), 'code')
  const deep = '['.repeat(100_000) + ']'.repeat(100_000)
  assert.equal(outcome(() => new ps.Verifier('monetix', 'k').verify({}, deep, T0)), 'code')
  assert.equal(outcome(() => ps.Invoice.fromJSON(deep)), 'code')
  assert.equal(outcome(() => ps.Invoice.create({ id: 'i', due: '5', asset: 'USDT_TRC20', expiresIn: 60, metadata: deepObject(100_000) }, T0)), 'code')
  assert.ok(Date.now() - started < 20_000)
})

function describe(h) {
  if (typeof h === 'string') return h.length > 40 ? `string(${h.length})` : JSON.stringify(h)
  if (typeof h === 'bigint') return `${h}n`
  if (typeof h === 'symbol') return 'symbol'
  if (typeof h === 'function') return 'function'
  if (h instanceof Date) return `Date(${h.getTime()})`
  if (Buffer.isBuffer(h)) return `Buffer(${h.length})`
  if (h && typeof h === 'object') return Object.prototype.toString.call(h)
  return String(h)
}
