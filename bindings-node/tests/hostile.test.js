// @ts-nocheck -- this file passes wrongly typed values on purpose.
'use strict'
// Hostile input into every export (the five dialects included): random buffers and strings,
// mutated seed bodies, huge strings, numbers where strings are expected, NaN, deep JSON,
// negative and far-future times. The only acceptable outcomes are a result, a
// PaystateError (a contract `code`) or a TypeError — never another error, a crash, or a
// hang; a well-typed call with a hostile body never throws TypeError.
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

// Dialect fixtures: valid seed-shaped requests, their invoices and callbacks.
const fs = require('node:fs')
const path = require('node:path')
const GOLDEN = path.join(__dirname, '..', '..', 'core', 'tests', 'dialect_golden')
const golden = (name) => fs.readFileSync(path.join(GOLDEN, name), 'utf8')
const D = {}
D.nocBody = '{"amount": 10.50, "note": "order_123", "notify_url": "https://your-server.com/hook"}'
D.nocCtx = { id: 'inv_noc', now: T0, ttlSeconds: 600 }
D.noc = ps.gatenocParseCheckoutSession(D.nocBody, D.nocCtx)
D.nocInvoice = ps.Invoice.create(D.noc.spec, D.noc.createdAt).invoice
D.nocRender = { baseUrl: 'https://gatenoc.com', merchantId: 7, sessionToken: 'tok' }
D.nocCompletedRender = { bybitPayId: 'SBX-TX-1', paymentRecordId: 'rec_1' }
D.nocCompleted = ps.gatenocRenderPaymentCompleted(D.nocInvoice, D.nocCompletedRender).json
D.ugBody = golden('usdt_gateway_invoice_request.json')
D.ugCtx = { id: 'inv_ug', now: T0, generatedReference: 'INV-1' }
D.ug = ps.usdtGatewayParseInvoice(D.ugBody, D.ugCtx)
D.ugInvoice = ps.Invoice.create(D.ug.spec, D.ug.createdAt).invoice
D.ugRender = { payoutAddress: 'TXyz', paymentUrl: 'https://pay.example.com/o', isTest: true }
D.ugWebhookRender = { merchantId: 'm1', payoutAddress: 'TXyz', txHash: 'abc123', paidAt: T0 }
D.ugWebhook = ps.usdtGatewayRenderWebhook(D.ugInvoice, D.ugWebhookRender).json
D.gpBody = JSON.stringify({ merchantTradeNo: 'ORDER1234', env: { terminalType: 'APP' }, merchantUserId: 123, goods: { goodsType: '02', goodsName: 'charge' }, chain: 'MATIC', fullCurrType: 'USDT_MATIC', orderAmount: '5', surchargeAmount: '0.5', toleranceAmount: '0.1' })
D.gpCtx = { id: 'inv_gp', now: T0, rate: '1' }
D.gp = ps.gatepayParseOrder(D.gpBody, D.gpCtx)
D.gpInvoice = ps.Invoice.create(D.gp.spec, D.gp.createdAt).invoice
D.gpRender = { prepayId: 'p1', qrContent: 'qr', location: 'https://gate/c', address: '0xabc' }
D.gpNotifyRender = { prepayId: 'p1', clientId: 'c1', transactionId: 'tx-1', createTime: T0 }
D.gpNotification = ps.gatepayRenderNotification(D.gpInvoice, 'PAY_SUCCESS', D.gpNotifyRender).json
D.mxBody = golden('monetix_purchase_request.json')
D.mxCtx = { id: 'inv_mx', now: T0, rate: '0.01' }
D.mx = ps.monetixParsePurchase(D.mxBody, D.mxCtx)
D.mxInvoice = ps.Invoice.create(D.mx.spec, D.mx.createdAt).invoice
D.mxInvoice.apply(ps.monetixParseSaleCallback(golden('monetix_sale_success_callback.json'), D.mxInvoice).command, T0)
D.mxRefundBody = golden('monetix_refund_request.json')
D.mxRefund = ps.monetixParseRefund(D.mxRefundBody)
D.mxInvoice.apply(ps.monetixRefundCommand(D.mxRefund, D.mxInvoice, 'rf_1'), T0)
D.mxPayoutBody = golden('monetix_payout_request.json').replace('payment_47', 'payment_48')
D.mxPayout = ps.monetixParsePayout(D.mxPayoutBody)
D.mxDisplayRender = { qrData: '', lifetime: T0, qrUrl: 'https://i.bybit.com/x' }
D.kpBody = '{"public_key": "pk", "private_key": "sk", "email": "buyer@example.com", "price_amount": 725, "merchant_id": 5, "order_id": 11, "add_fee_to_price": 1, "callback_url": "https://yourcallbackurl", "expiration_date": 12, "margin_ratio": 1.5, "banned_coins": ["USDT-ERC20"]}'
D.kpCtx = { id: 'inv_kp', now: T0, rate: '1', fee: '1.5', asset: 'USDT_TRC20' }
D.kp = ps.keypairInvoiceParseInvoice(D.kpBody, D.kpCtx)
D.kpInvoice = ps.Invoice.create(D.kp.spec, D.kp.createdAt).invoice
D.kpRender = { privateKey: 'sk', id: 'kp_1', amount: '726.5', amountCurrency: 'USDT-TRC20', refUrl: 'https://shop.example/cart', ip: '203.0.113.7', createdAt: T0 }
D.kpCallback = ps.keypairInvoiceRenderCallback(D.kp, D.kpRender).json

/** Every dialect export with valid default arguments (the body first where it takes one). */
const DIALECT_SITES = [
  ['gatenocParseCheckoutSession', (a) => ps.gatenocParseCheckoutSession(...a), [D.nocBody, D.nocCtx]],
  ['gatenocCheckMerchantKey', (a) => ps.gatenocCheckMerchantKey(...a), ['k2', ['k1', 'k2']]],
  ['gatenocRenderCheckoutSession', (a) => ps.gatenocRenderCheckoutSession(...a), [D.noc, D.nocRender]],
  ['gatenocRenderPaymentCompleted', (a) => ps.gatenocRenderPaymentCompleted(...a), [D.nocInvoice, D.nocCompletedRender]],
  ['gatenocParsePaymentCompleted', (a) => ps.gatenocParsePaymentCompleted(...a), [D.nocCompleted, D.nocInvoice]],
  ['usdtGatewayParseInvoice', (a) => ps.usdtGatewayParseInvoice(...a), [D.ugBody, D.ugCtx]],
  ['usdtGatewayKeyMode', (a) => ps.usdtGatewayKeyMode(...a), ['Bearer test_abc']],
  ['usdtGatewayDuplicateReference', (a) => ps.usdtGatewayDuplicateReference(...a), ['ORDER-1']],
  ['usdtGatewayErrorBody', (a) => ps.usdtGatewayErrorBody(...a), [429, 'slow down']],
  ['usdtGatewayRenderInvoice', (a) => ps.usdtGatewayRenderInvoice(...a), [D.ug.request, D.ugRender]],
  ['usdtGatewayRenderWebhook', (a) => ps.usdtGatewayRenderWebhook(...a), [D.ugInvoice, D.ugWebhookRender]],
  ['usdtGatewayParseWebhook', (a) => ps.usdtGatewayParseWebhook(...a), [D.ugWebhook, D.ugInvoice]],
  ['gatepayParseOrder', (a) => ps.gatepayParseOrder(...a), [D.gpBody, D.gpCtx]],
  ['gatepayRenderOrder', (a) => ps.gatepayRenderOrder(...a), [D.gp, D.gpRender]],
  ['gatepayRenderNotification', (a) => ps.gatepayRenderNotification(...a), [D.gpInvoice, 'PAY_ERROR', D.gpNotifyRender]],
  ['gatepayParseNotification', (a) => ps.gatepayParseNotification(...a), [D.gpNotification, D.gpInvoice]],
  ['monetixParsePurchase', (a) => ps.monetixParsePurchase(...a), [D.mxBody, D.mxCtx]],
  ['monetixRenderDisplayData', (a) => ps.monetixRenderDisplayData(...a), [D.mx, D.mxDisplayRender]],
  ['monetixParseRefund', (a) => ps.monetixParseRefund(...a), [D.mxRefundBody]],
  ['monetixRefundCommand', (a) => ps.monetixRefundCommand(...a), [D.mxRefund, D.mxInvoice, 'rf_2']],
  ['monetixParsePayout', (a) => ps.monetixParsePayout(...a), [D.mxPayoutBody]],
  ['monetixParseSaleCallback', (a) => ps.monetixParseSaleCallback(...a), [golden('monetix_sale_decline_callback.json'), D.mxInvoice]],
  ['monetixParseRefundCallback', (a) => ps.monetixParseRefundCallback(...a), [golden('monetix_refund_success_callback.json'), D.mxInvoice, 'rf_1']],
  ['monetixParsePayoutCallback', (a) => ps.monetixParsePayoutCallback(...a), [golden('monetix_payout_success_callback.json'), D.mxPayout]],
  ['keypairInvoiceParseInvoice', (a) => ps.keypairInvoiceParseInvoice(...a), [D.kpBody, D.kpCtx]],
  ['keypairInvoiceRenderInvoice', (a) => ps.keypairInvoiceRenderInvoice(...a), ['https://pay.example/i/1']],
  ['keypairInvoiceErrorBody', (a) => ps.keypairInvoiceErrorBody(...a), ['nope']],
  ['keypairInvoiceRenderCallback', (a) => ps.keypairInvoiceRenderCallback(...a), [D.kp.request, D.kpRender]],
  ['keypairInvoiceParseCallback', (a) => ps.keypairInvoiceParseCallback(...a), [D.kpCallback, D.kpInvoice]],
]

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
  ...DIALECT_SITES,
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

test('every dialect export with its valid arguments succeeds', () => {
  for (const [name, call, args] of DIALECT_SITES) assert.equal(outcome(() => call(args)), 'ok', name)
})

/** Random JSON values put in place of a member of a valid body. */
const JSON_VALUES = [
  null, true, false, 0, -0, -1, 1.5, 1e21, 1e308, -1e-7, 2 ** 53 + 1, '', '0', '-1', '1e3', ' 1', '0x10', 'NaN',
  '9'.repeat(400), '0.' + '0'.repeat(300) + '1', 'x'.repeat(5000), '\u0000', '\ud800', 'javascript:alert(1)',
  'http://127.0.0.1/', [], [null], [1, 'a'], {}, { a: { b: { c: [] } } }, deepArray(50), deepObject(50),
]
/** Every path of a JSON document's members (objects only), as key lists. */
function paths(v, prefix = [], out = []) {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const k of Object.keys(v)) {
      out.push([...prefix, k])
      paths(v[k], [...prefix, k], out)
    }
  }
  return out
}
/** A copy of `doc` with the member at `p` set to `value` (or deleted, for `undefined`). */
function setPath(doc, p, value) {
  const copy = structuredClone(doc)
  let node = copy
  for (const k of p.slice(0, -1)) node = node[k]
  if (value === undefined) delete node[p[p.length - 1]]
  else node[p[p.length - 1]] = value
  return copy
}
/** Mutations of a valid body: bytes flipped, truncated, members replaced or removed. */
function mutate(body, i) {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body
  switch (i % 6) {
    case 0:
      return crypto.randomBytes(Math.floor(rand() * 1024))
    case 1:
      return randomString(Math.floor(rand() * 200))
    case 2: {
      const b = Buffer.from(text)
      for (let n = 0; n < 1 + Math.floor(rand() * 4); n++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256)
      return b
    }
    case 3:
      return text.slice(0, Math.floor(rand() * text.length))
    default: {
      const doc = JSON.parse(text)
      const ps_ = paths(doc)
      const p = ps_[Math.floor(rand() * ps_.length)]
      const value = i % 6 === 4 ? JSON_VALUES[Math.floor(rand() * JSON_VALUES.length)] : undefined
      // Callback bodies carry `data` as a JSON string (gatepay): mutate inside it too.
      if (typeof doc.data === 'string' && rand() < 0.5) {
        const inner = JSON.parse(doc.data)
        const ip = paths(inner)
        return JSON.stringify({ ...doc, data: JSON.stringify(setPath(inner, ip[Math.floor(rand() * ip.length)], value)) })
      }
      return JSON.stringify(setPath(doc, p, value))
    }
  }
}

test('random buffers, strings and mutated seed bodies into every dialect parser: a result or a code, never a TypeError', () => {
  const bodySites = DIALECT_SITES.filter(([name]) => /Parse/.test(name))
  assert.equal(bodySites.length, 14)
  let calls = 0
  const seen = { ok: 0, code: 0 }
  for (const [name, call, args] of bodySites) {
    for (let i = 0; i < 300; i++) {
      const a = [...args]
      a[0] = mutate(args[0], i)
      const r = outcome(() => call(a))
      calls++
      if (typeof r !== 'string') assert.fail(`${name} body #${i}: ${r && r.name}: ${r && r.message}`)
      assert.notEqual(r, 'type', `${name}: a well-typed call threw TypeError (body #${i}: ${describe(a[0])})`)
      seen[r]++
    }
  }
  process.stdout.write(`# random dialect bodies: ${calls} calls, ${JSON.stringify(seen)}\n`)
  assert.ok(seen.ok > 0 && seen.code > 0)
})

test('hostile values inside dialect contexts and render objects', () => {
  const objectArgs = [
    ['gatenocParseCheckoutSession', 1],
    ['gatenocRenderCheckoutSession', 1],
    ['gatenocRenderPaymentCompleted', 1],
    ['usdtGatewayParseInvoice', 1],
    ['usdtGatewayRenderInvoice', 1],
    ['usdtGatewayRenderWebhook', 1],
    ['gatepayParseOrder', 1],
    ['gatepayRenderOrder', 1],
    ['gatepayRenderNotification', 2],
    ['monetixParsePurchase', 1],
    ['monetixRenderDisplayData', 1],
    ['keypairInvoiceParseInvoice', 1],
    ['keypairInvoiceRenderCallback', 1],
  ]
  let calls = 0
  for (const [name, pos] of objectArgs) {
    const [, call, args] = DIALECT_SITES.find(([n]) => n === name)
    for (const key of Object.keys(args[pos])) {
      for (const h of [...HOSTILE, undefined]) {
        const a = [...args]
        a[pos] = { ...args[pos], [key]: h }
        const r = outcome(() => call(a))
        calls++
        if (typeof r !== 'string') assert.fail(`${name} ${key} = ${describe(h)} threw ${r && r.name}: ${r && r.message}`)
      }
    }
  }
  // The parsed object's `request` member, replaced.
  for (const [name, call, args] of DIALECT_SITES.filter(([n]) => /Render(CheckoutSession|Invoice|Order|DisplayData|Callback)$/.test(n) && n !== 'keypairInvoiceRenderInvoice')) {
    for (const h of [...HOSTILE, D.nocInvoice, D.noc.request, D.mxRefund.request, D.mxPayout.request]) {
      const r = outcome(() => call([{ request: h }, args[1]]))
      calls++
      if (typeof r !== 'string') assert.fail(`${name} request = ${describe(h)} threw ${r && r.name}: ${r && r.message}`)
    }
  }
  process.stdout.write(`# hostile (inside dialect objects): ${calls} calls\n`)
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
  const deepMember = '{"amount": 1, "note": ' + '['.repeat(100_000) + ']'.repeat(100_000) + '}'
  for (const [name, call, args] of DIALECT_SITES.filter(([n]) => /Parse/.test(n))) {
    for (const body of [big, deep, deepMember, Buffer.from(deepMember)]) assert.equal(outcome(() => call([body, ...args.slice(1)])), 'code', name)
  }
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

test('only an Invoice made by this package passes for one (a copied or forged handle does not)', () => {
  const invoice = ps.Invoice.create({ id: 'inv_forge', due: '5', asset: 'USDT_TRC20', expiresIn: 1800 }, T0).invoice
  const [key] = Object.getOwnPropertyNames(invoice)
  assert.equal(typeof key, 'string', 'the handle property')
  assert.deepEqual(Object.keys(invoice), [], 'nothing enumerable')
  const copied = { [key]: Object.getOwnPropertyDescriptor(invoice, key)?.value }
  assert.ok(invoice.equals(/** @type {any} */ (Object.assign(Object.create(ps.Invoice.prototype), copied))))
  for (const forged of [{ [key]: 0 }, { [key]: 1 }, { [key]: 2 ** 32 }, { [key]: {} }]) {
    assert.throws(() => invoice.equals(/** @type {any} */ (forged)), TypeError)
    assert.throws(() => ps.Session.open('sess', /** @type {any} */ (forged), 60, T0), TypeError)
  }
  assert.ok(ps.Session.open('sess', invoice, 60, T0))
})
