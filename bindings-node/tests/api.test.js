'use strict'
// The public API, end to end: invoices, events, journal and replay, state round trips,
// matcher, sessions, signatures, replay guard, delivery plans, errors.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const ps = require('..')

const T0 = Date.parse('2026-01-01T00:00:00Z')
const min = (n) => T0 + n * 60_000

function create(extra = {}) {
  return ps.Invoice.create({ id: 'inv_1', due: '5', asset: 'USDT_TRC20', expiresIn: 1800, ...extra }, T0)
}

function codeOf(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  assert.fail('expected a throw')
}

test('create returns the invoice and its created event; getters are typed', () => {
  const { invoice, events } = create({ reference: 'ORDER-1', tolerance: { absolute: '1' } })
  assert.equal(events.length, 1)
  assert.equal(events[0].type, 'invoice.created')
  assert.equal(events[0].id, 'inv_1:1')
  assert.ok(events[0].at instanceof Date)
  assert.equal(invoice.id, 'inv_1')
  assert.equal(invoice.reference, 'ORDER-1')
  assert.equal(invoice.status, 'pending')
  assert.equal(invoice.due, '5')
  assert.equal(invoice.threshold, '4')
  assert.equal(invoice.asset, 'USDT_TRC20')
  assert.equal(invoice.deadline.getTime(), min(30))
  assert.equal(invoice.createdAt.getTime(), T0)
  assert.equal(invoice.nextDeadline().getTime(), min(30))
  assert.equal(invoice.version, 1)
  assert.deepEqual(invoice.exceptions, [])
})

test('observe, confirm, drop, tick: statuses and events follow the core', () => {
  const { invoice } = create()
  let ev = invoice.observeTransfer({ txId: 't1', amount: '5', asset: 'USDT_TRC20', confirmed: false }, min(5))
  assert.deepEqual(ev.map((e) => e.type), ['invoice.payment_received', 'invoice.processing'])
  assert.equal(ev[0].txId, 't1')
  assert.equal(ev[0].amount, '5')
  assert.equal(invoice.amountPending, '5')
  ev = invoice.dropTransfer('t1', min(6))
  assert.deepEqual(ev.map((e) => e.type), ['invoice.payment_dropped'])
  assert.equal(invoice.status, 'pending')
  ev = invoice.observeTransfer({ tx_id: 't2', amount: '5.000000', asset: 'USDT_TRC20', confirmed: false, at: new Date(min(7)) }, new Date(min(7)))
  ev = invoice.confirmTransfer('t2', min(8))
  assert.deepEqual(ev.map((e) => e.type), ['invoice.paid'])
  assert.equal(invoice.snapshot().amountPaid, '5')
  assert.equal(invoice.nextDeadline(), null)
  const { invoice: other } = create({ id: 'inv_2' })
  assert.deepEqual(other.tick(min(30)).map((e) => e.type), ['invoice.expired'])
  assert.equal(other.statusAt(min(31)), 'expired')
})

test('events carry exactly their fields and each its own snapshot of the state after the step', () => {
  const { invoice } = create()
  invoice.claimTxid('tx_claimed', min(1))
  const paid = invoice.observeTransfer({ txId: 't|1,x', amount: '6.50', asset: 'USDT_TRC20', confirmed: true }, min(2))
  assert.deepEqual(paid.map((e) => e.type), ['invoice.payment_received', 'invoice.paid'])
  const snap = invoice.snapshot()
  assert.deepEqual(Object.keys(paid[0]), ['id', 'type', 'invoiceId', 'at', 'txId', 'amount', 'invoice'])
  assert.deepEqual(Object.keys(paid[1]), ['id', 'type', 'invoiceId', 'at', 'invoice'])
  assert.equal(paid[0].txId, 't|1,x')
  assert.equal(paid[0].amount, '6.5')
  assert.equal(paid[1].at.getTime(), min(2))
  for (const e of paid) {
    assert.equal(e.invoiceId, 'inv_1')
    assert.deepEqual({ ...e.invoice, exceptions: [...e.invoice.exceptions].sort() }, { ...snap, exceptions: [...snap.exceptions].sort() })
  }
  assert.equal(snap.surplus, '1.5')
  assert.deepEqual([...snap.exceptions].sort(), ['overpaid', 'txid_claimed'])
  assert.notEqual(paid[0].invoice, paid[1].invoice)
  assert.notEqual(paid[0].invoice.exceptions, paid[1].invoice.exceptions)
  const refund = invoice.requestRefund({ refundId: 'r 1', amount: '1' }, min(3))
  assert.deepEqual(Object.keys(refund[0]), ['id', 'type', 'invoiceId', 'at', 'refundId', 'amount', 'invoice'])
  assert.equal(refund[0].refundId, 'r 1')
  assert.equal(refund[0].invoice.refundsInFlight, '1')
})

test('refunds, mark, claim, cancel', () => {
  const { invoice } = create()
  invoice.claimTxid('tx_claimed', min(1))
  assert.deepEqual(invoice.exceptions, ['txid_claimed'])
  invoice.observeTransfer({ txId: 't1', amount: '6', asset: 'USDT_TRC20', confirmed: true }, min(2))
  assert.deepEqual(invoice.snapshot().exceptions.sort(), ['overpaid', 'txid_claimed'])
  const ev = invoice.requestRefund({ refundId: 'r1', amount: '1' }, min(3))
  assert.equal(ev[0].type, 'invoice.refund_requested')
  assert.equal(ev[0].refundId, 'r1')
  invoice.settleRefund('r1', 'succeeded', min(4))
  assert.equal(invoice.status, 'paid')
  assert.equal(invoice.refunds[0].state, 'succeeded')
  assert.equal(invoice.transfers[0].txId, 't1')
  const e = codeOf(() => invoice.requestRefund({ refundId: 'r2', amount: '100' }, min(5)))
  assert.equal(e.code, 'refund_exceeds_available')
  assert.equal(e.field, 'amount')
  const { invoice: c } = create({ id: 'inv_c' })
  assert.equal(c.cancel(min(1))[0].type, 'invoice.cancelled')
  assert.equal(codeOf(() => c.cancel(min(2))).code, 'invalid_transition')
  const { invoice: m } = create({ id: 'inv_m' })
  assert.equal(m.mark('paid', min(1))[0].type, 'invoice.paid')
  assert.ok(m.exceptions.includes('marked'))
  // @ts-expect-error the types allow only 'paid' and 'invalid'; the core says invalid_field
  assert.equal(codeOf(() => m.mark('refunded', min(1))).code, 'invalid_field')
})

test('a failed command leaves the invoice untouched', () => {
  const { invoice } = create()
  const before = invoice.toJSONString()
  const e = codeOf(() => invoice.observeTransfer({ txId: 't1', amount: '1', asset: 'USDT_ERC20', confirmed: true }, min(1)))
  assert.equal(e.code, 'asset_mismatch')
  assert.equal(e.name, 'PaystateError')
  assert.ok(e instanceof Error)
  assert.ok(ps.isPaystateError(e))
  assert.equal(invoice.toJSONString(), before)
  assert.equal(codeOf(() => invoice.confirmTransfer('nope', min(1))).code, 'unknown_transfer')
  assert.equal(codeOf(() => invoice.settleRefund('nope', 'failed', min(1))).code, 'unknown_refund')
})

test('toJSON / fromJSON round trip, JSON.stringify, clone, equals', () => {
  const { invoice } = create({ metadata: { order: { sku: 'A-1', qty: 2 } }, latePayment: { acceptWithin: 600 } })
  invoice.observeTransfer({ txId: 't1', amount: '2', asset: 'USDT_TRC20', confirmed: true }, min(1))
  const state = invoice.toJSON()
  assert.equal(state.schema_version, 1)
  const fromObj = ps.Invoice.fromJSON(state)
  const fromText = ps.Invoice.fromJSON(JSON.stringify(invoice))
  assert.ok(fromObj.equals(invoice))
  assert.ok(fromText.equals(invoice))
  assert.equal(fromText.toJSONString(), invoice.toJSONString())
  assert.equal(codeOf(() => invoice.clone().cancel(min(2))).code, 'invalid_transition')
})

test('clone is independent', () => {
  const { invoice } = create()
  const copy = invoice.clone()
  copy.observeTransfer({ txId: 't1', amount: '1', asset: 'USDT_TRC20', confirmed: true }, min(1))
  assert.equal(invoice.amountPaid, '0')
  assert.equal(copy.amountPaid, '1')
  assert.ok(!copy.equals(invoice))
  assert.equal(codeOf(() => ps.Invoice.fromJSON('{"schema_version": 99}')).code, 'invalid_field')
  assert.equal(codeOf(() => ps.Invoice.fromJSON('{')).code, 'malformed_json')
})

test('journal replay rebuilds the identical state; apply takes journal-shaped commands', () => {
  const spec = { id: 'inv_j', due: '10', asset: 'USDT_TRC20', expires_in: 600 }
  const { invoice } = ps.Invoice.create(spec, T0)
  /** @type {import('..').JournalEntry[]} */
  const journal = [{ at: T0, command: { op: 'create_invoice', invoice: spec } }]
  /** @type {Array<[number, import('..').Command]>} */
  const steps = [
    [min(1), { op: 'observe_transfer', transfer: { tx_id: 'a', amount: '4', asset: 'USDT_TRC20', confirmed: true } }],
    [min(2), { op: 'claim_txid', tx_id: 'b' }],
    [min(20), { op: 'tick' }],
    [min(21), { op: 'request_refund', refund_id: 'r' }],
  ]
  for (const [at, command] of steps) {
    invoice.apply(command, at)
    journal.push({ at: new Date(at), command })
  }
  assert.equal(invoice.status, 'expired')
  const rebuilt = ps.Invoice.replay(journal)
  assert.ok(rebuilt.equals(invoice))
  assert.equal(codeOf(() => ps.Invoice.replay([])).code, 'invalid_field')
  // @ts-expect-error unknown ops are rejected by the types and by the core
  assert.equal(codeOf(() => invoice.apply({ op: 'explode' }, min(22))).code, 'invalid_field')
})

test('amounts: decimal strings only; numbers and bigints are invalid_amount', () => {
  const { invoice } = create()
  for (const bad of [4, 4.5, NaN, 10n]) {
    // @ts-expect-error numbers and bigints are not amounts
    const e = codeOf(() => invoice.observeTransfer({ txId: 't', amount: bad, asset: 'USDT_TRC20', confirmed: true }, min(1)))
    assert.equal(e.code, 'invalid_amount', String(bad))
    assert.equal(e.field, 'transfer.amount')
    assert.match(e.message, /decimal strings/)
  }
  assert.equal(codeOf(() => create({ id: 'x', due: 5 })).code, 'invalid_amount')
  assert.equal(codeOf(() => create({ id: 'x', due: '1e3' })).code, 'invalid_amount')
  assert.equal(codeOf(() => create({ id: 'x', due: '1.0000001' })).code, 'too_many_decimals')
  assert.equal(ps.normalizeAmount('10.50'), '10.5')
  assert.equal(ps.compareAmounts('4', '4.000000'), 0)
  assert.equal(ps.compareAmounts('4', '4.1'), -1)
  assert.equal(ps.assetScale('USDT_BSC'), 18)
  assert.equal(codeOf(() => ps.assetScale('DOGE')).code, 'invalid_asset')
})

test('times: Date, milliseconds or RFC 3339; bad times are invalid_field or TypeError', () => {
  const a = create({ id: 'a' }).invoice
  const b = ps.Invoice.create({ id: 'a', due: '5', asset: 'USDT_TRC20', expiresAt: new Date(min(30)) }, new Date(T0)).invoice
  const c = ps.Invoice.create({ id: 'a', due: '5', asset: 'USDT_TRC20', expiresAt: '2026-01-01T00:30:00Z' }, '2026-01-01T00:00:00Z').invoice
  const d = ps.Invoice.create({ id: 'a', due: '5', asset: 'USDT_TRC20', expires_at: min(30) }, T0).invoice
  for (const x of [b, c, d]) assert.equal(x.deadline.getTime(), a.deadline.getTime())
  for (const bad of [NaN, Infinity, -1, 1e17, new Date('nope'), 'yesterday']) {
    assert.equal(codeOf(() => a.tick(bad)).code, 'invalid_field', String(bad))
  }
  // @ts-expect-error an object is not a time
  assert.ok(codeOf(() => a.tick({})) instanceof TypeError)
  assert.ok(codeOf(() => a.tick(undefined)) instanceof TypeError)
})

test('matcher: allocate, match, ambiguity, release, state', () => {
  const m = new ps.Matcher()
  assert.equal(m.allocate('acct', 'i1', '10', '0.01'), '10')
  assert.equal(m.allocate('acct', 'i2', '10', '0.01'), '10.01')
  assert.deepEqual(m.match('acct', '10.01'), { kind: 'matched', invoiceId: 'i2' })
  assert.deepEqual(m.match('acct', '9'), { kind: 'unmatched' })
  m.register('acct', 'i3', '10', '0.5')
  assert.deepEqual(m.match('acct', '10'), { kind: 'ambiguous', invoiceIds: ['i1', 'i3'] })
  assert.equal(m.payable('i2'), '10.01')
  assert.equal(m.size, 3)
  const copy = ps.Matcher.fromJSON(JSON.stringify(m))
  assert.deepEqual(copy.match('acct', '10.01'), { kind: 'matched', invoiceId: 'i2' })
  m.release('i2')
  assert.equal(m.payable('i2'), null)
  assert.equal(codeOf(() => m.allocate('acct', 'i1', '10', '0.01')).code, 'invalid_field')
})

test('sessions and session tokens', () => {
  const { invoice } = create()
  const s = ps.Session.open('s1', invoice, 600, min(0))
  assert.equal(s.expiresAt.getTime(), min(10))
  assert.equal(s.invoiceId, 'inv_1')
  s.use(invoice, min(1))
  assert.equal(s.usedAt.getTime(), min(1))
  assert.equal(codeOf(() => s.use(invoice, min(2))).code, 'session_used')
  const s2 = ps.Session.fromJSON(JSON.stringify(ps.Session.open('s2', invoice, 60, min(0))))
  assert.equal(codeOf(() => s2.use(invoice, min(5))).code, 'session_expired')
  assert.equal(s2.usedAt, null)
  // A tick moves the session's clock: a use dated before it counts as of the tick.
  const s3 = ps.Session.open('s3', invoice, 600, min(0))
  s3.tick(min(10))
  s3.tick(min(3))
  assert.equal(codeOf(() => s3.use(invoice, min(9))).code, 'session_expired')
  const s4 = ps.Session.open('s4', invoice, 600, min(0))
  s4.tick(min(9))
  s4.use(invoice, min(1))
  assert.equal(s4.usedAt.getTime(), min(9))
  const token = ps.sessionToken('server-secret', 's1')
  assert.match(token, /^[0-9a-f]{64}$/)
  assert.equal(ps.verifySessionToken('server-secret', 's1', token), true)
  assert.equal(ps.verifySessionToken(Buffer.from('server-secret'), 's2', token), false)
})

const SECRETS = { standard_webhooks: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }
const OTHER = { standard_webhooks: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD' }

test('every scheme: sign then verify, key rotation, mismatch, body as Buffer/Uint8Array/string', () => {
  const body = '{"id":"evt_1","amount":10.50,"nested":{"b":true,"a":null},"list":[1,"x"]}'
  const now = new Date(1_700_000_000_000)
  for (const scheme of ps.schemes()) {
    const secret = SECRETS[scheme] || 'k3y'
    const other = OTHER[scheme] || 'other'
    const signed = new ps.Signer(scheme, secret).sign(body, { id: 'msg_1', nonce: 'n0nce', timestamp: now })
    const sent = signed.body || Buffer.from(body)
    const v = new ps.Verifier(scheme, [other, secret])
    for (const b of [sent, new Uint8Array(sent), sent.toString('utf8')]) {
      const ok = v.verify(signed.headers, b, now)
      assert.equal(ok.keyIndex, 1, scheme)
      assert.equal(ok.scheme, scheme)
    }
    const lower = Object.fromEntries(Object.entries(signed.headers).map(([k, val]) => [k.toLowerCase(), val]))
    const upper = Object.fromEntries(Object.entries(signed.headers).map(([k, val]) => [k.toUpperCase(), val]))
    v.verify(lower, sent, now)
    v.verify(upper, sent, now)
    v.verify(new Headers(signed.headers), sent, now)
    v.verify(new Map(Object.entries(lower)), sent, now)
    v.verify(Object.entries(signed.headers), sent, now)
    const e = codeOf(() => new ps.Verifier(scheme, other).verify(signed.headers, sent, now))
    assert.equal(e.code, 'signature_mismatch', scheme)
    assert.ok(!e.message.includes(secret))
    assert.equal(ps.verify(scheme, secret, signed.headers, sent, now).keyIndex, 0)
    assert.ok(!String(v).includes(secret))
  }
})

test('verify errors come in the contract order; replay guard catches repeats', () => {
  const secret = SECRETS.standard_webhooks
  const now = 1_700_000_000_000
  const body = Buffer.from('{"type":"invoice.paid"}')
  const signed = ps.sign('standard_webhooks', secret, body, { id: 'msg_1', timestamp: now })
  const v = new ps.Verifier('standard_webhooks', secret)
  assert.equal(codeOf(() => v.verify({}, body, now)).code, 'signature_missing')
  assert.equal(codeOf(() => v.verify({ ...signed.headers, 'webhook-timestamp': 'abc' }, body, now)).code, 'signature_malformed')
  assert.equal(codeOf(() => v.verify(signed.headers, body, now + 301_000)).code, 'timestamp_out_of_tolerance')
  assert.equal(new ps.Verifier('standard_webhooks', secret, { skipTimeCheck: true }).verify(signed.headers, body, now + 10_000_000).keyIndex, 0)
  assert.equal(new ps.Verifier('standard_webhooks', secret, { toleranceSeconds: 0 }).toleranceSeconds, 0)
  assert.equal(codeOf(() => v.verify(signed.headers, Buffer.from('{}'), now)).code, 'signature_mismatch')
  assert.equal(codeOf(() => new ps.Verifier('monetix', 'k').verify({}, 'not json', now)).code, 'malformed_json')
  const verified = v.verify(signed.headers, body, now)
  assert.equal(verified.replay.key, 'standard_webhooks:msg_1')
  assert.ok(verified.timestamp instanceof Date)
  const guard = new ps.ReplayGuard(10)
  guard.record(verified, now)
  assert.equal(codeOf(() => guard.record(verified, now + 1000)).code, 'replayed')
  assert.equal(guard.size, 1)
  assert.ok(guard.contains('standard_webhooks:msg_1', now))
  const restored = ps.ReplayGuard.fromJSON(JSON.stringify(guard))
  assert.equal(codeOf(() => restored.record(verified, now)).code, 'replayed')
  assert.equal(guard.nextDeadline().getTime(), verified.replay.keepUntil.getTime())
  guard.tick(now + 10_000_000)
  assert.equal(guard.size, 0)
  // @ts-expect-error not a scheme
  assert.equal(codeOf(() => new ps.Verifier('svix', secret)).code, 'invalid_field')
  assert.equal(codeOf(() => new ps.Verifier('github', [])).code, 'invalid_field')
  assert.equal(ps.parseSchemeTimestamp('stripe', '1700000000').getTime(), 1_700_000_000_000)
})

test('delivery plans: schedule, finish, state', () => {
  const plan = new ps.DeliveryPlan('evt_1:hook', 'standard_webhooks', T0)
  assert.deepEqual(plan.next, { kind: 'retry', retryAt: new Date(T0) })
  let next = plan.report(503, T0, 120)
  assert.ok(next.kind === 'retry')
  assert.equal(next.retryAt.getTime(), T0 + 5000)
  assert.equal(plan.tick(T0 + 5000), true)
  next = plan.report('timeout', T0 + 5000)
  assert.ok(next.kind === 'retry')
  assert.equal(next.retryAt.getTime(), T0 + 5000 + 300_000)
  const copy = ps.DeliveryPlan.fromJSON(plan.toJSON())
  assert.deepEqual(copy.report(410, T0 + 400_000), { kind: 'gave_up' })
  assert.deepEqual(plan.report(200, T0 + 400_000, 15_000), { kind: 'delivered' })
  assert.equal(plan.isFinished, true)
  assert.equal(plan.nextDeadline(), null)
  assert.deepEqual(plan.attempts.map((a) => a.outcome), [503, 'timeout', 200])
  assert.equal(codeOf(() => plan.report(200, T0 + 500_000)).code, 'invalid_transition')
  assert.equal(codeOf(() => new ps.DeliveryPlan('x', 'usdt_gateway', T0).report(999, T0)).code, 'invalid_field')
  // Any other text names a transport error (docs/spec.md §7); empty text names nothing.
  const other = new ps.DeliveryPlan('y', 'keypair_invoice', T0)
  assert.deepEqual(other.report('connection_refused', T0), { kind: 'retry', retryAt: new Date(T0 + 300_000) })
  assert.deepEqual(other.attempts.map((a) => a.outcome), ['error'])
  assert.equal(codeOf(() => other.report('', T0)).code, 'invalid_field')
  assert.equal(codeOf(() => other.report(70_000, T0)).code, 'invalid_field')
  assert.equal(other.attempts.length, 1)
  // @ts-expect-error not a policy
  assert.equal(codeOf(() => new ps.DeliveryPlan('x', 'carrier_pigeon', T0)).code, 'invalid_field')
})

test('reportOutcome: exactly one of a status or a failure, judged by the core', () => {
  assert.equal(ps.reportOutcome(200), 200)
  assert.equal(ps.reportOutcome(undefined, 'timeout'), 'timeout')
  assert.equal(ps.reportOutcome(null, 'connection_refused'), 'error')
  /** @type {Array<[number | null | undefined, string | null | undefined, string, string]>} */
  const cases = [
    [undefined, undefined, 'missing_field', 'http_status'],
    [null, null, 'missing_field', 'http_status'],
    [200, 'dns', 'invalid_field', 'error'],
    [99, undefined, 'invalid_field', 'http_status'],
    [-1, undefined, 'invalid_field', 'http_status'],
    [undefined, '', 'invalid_field', 'error'],
  ]
  for (const [status, error, code, field] of cases) {
    const err = codeOf(() => ps.reportOutcome(status, error))
    assert.deepEqual([err.code, err.field], [code, field], `${status} ${error}`)
  }
  // @ts-expect-error a status is a number
  assert.throws(() => ps.reportOutcome('200'), TypeError)
  // What it returns is what a plan takes and reads back.
  const plan = new ps.DeliveryPlan('z', 'keypair_invoice', T0)
  assert.deepEqual(plan.report(ps.reportOutcome(undefined, 'dns'), T0), { kind: 'retry', retryAt: new Date(T0 + 300_000) })
  assert.deepEqual(plan.attempts.map((a) => a.outcome), ['error'])
})

test('names of the contract are exported as data', () => {
  assert.equal(ps.errorCodes().length, 23)
  assert.ok(ps.errorCodes().includes('timestamp_out_of_tolerance'))
  assert.deepEqual(ps.statuses().slice(0, 3), ['pending', 'processing', 'paid'])
  assert.ok(ps.exceptions().includes('paid_late'))
  assert.ok(ps.eventTypes().includes('invoice.refund_failed'))
  assert.equal(ps.schemes().length, 11)
  assert.deepEqual(ps.deliveryPolicies(), ['usdt_gateway', 'keypair_invoice', 'standard_webhooks'])
  assert.ok(ps.assets().includes('USDT_BYBIT'))
  const table = ps.transitionTable()
  assert.ok(table.length > 10)
  assert.equal(table[0].from, null)
  assert.match(ps.transitionMermaid(), /stateDiagram/)
  assert.equal(ps.isPaystateError(new Error('x')), false)
  assert.equal(ps.isPaystateError('invalid_amount'), false)
})
