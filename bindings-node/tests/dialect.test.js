'use strict'
// The five seed dialects (docs/spec.md §8) through the Node binding: for each, a seed request is
// parsed, the invoice created through the public API, the response rendered and compared
// with the seed's own example (core/tests/dialect_golden), the documented boundaries
// rejected with the provider's field, HTTP status and body, and the provider's callbacks
// parsed into commands that drive the invoice (integrity_conflict when they disagree).
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const ps = require('..')

const GOLDEN = path.join(__dirname, '..', '..', 'core', 'tests', 'dialect_golden')
/** @param {string} name */
const golden = (name) => fs.readFileSync(path.join(GOLDEN, name), 'utf8')
/** @param {string} name @returns {any} */
const goldenJson = (name) => JSON.parse(golden(name))
/** @param {string} iso */
const ms = (iso) => Date.parse(iso)
const CODES = new Set(ps.errorCodes())

/**
 * The error `fn` throws (fails when it returns).
 * @param {() => unknown} fn
 * @returns {any}
 */
function thrown(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  assert.fail('expected a throw')
}

/**
 * Asserts `fn` throws a PaystateError with this code (and field, when given); returns it.
 * @param {() => unknown} fn
 * @param {string} code
 * @param {string} [field]
 * @returns {any} the error (a DialectRejection where the call is a dialect parser)
 */
function rejects(fn, code, field) {
  const e = thrown(fn)
  assert.ok(ps.isPaystateError(e), `expected a PaystateError, got ${e && e.name}: ${e && e.message}`)
  assert.ok(e instanceof Error)
  assert.equal(e.name, 'PaystateError')
  assert.ok(CODES.has(e.code), e.code)
  assert.equal(e.code, code, e.message)
  if (field !== undefined) assert.equal(e.field, field, e.message)
  return e
}

/**
 * Asserts a dialect rejection: code, provider field, HTTP status and (when given) body.
 * @param {() => unknown} fn
 * @param {{ code: string, field?: string, httpStatus: number | null, body?: unknown }} want
 * @returns {any}
 */
function rejection(fn, want) {
  const e = rejects(fn, want.code, want.field)
  assert.equal(e.httpStatus, want.httpStatus, e.message)
  if (want.body !== undefined) {
    assert.deepEqual(e.body, want.body)
    assert.equal(e.bodyJson, want.body === null ? null : JSON.stringify(want.body))
  }
  if (e.body !== null) assert.deepEqual(JSON.parse(e.bodyJson), e.body)
  return e
}

/** @param {ps.DialectParsed} parsed */
function create(parsed) {
  const { invoice, events } = ps.Invoice.create(parsed.spec, parsed.createdAt)
  assert.deepEqual(events.map((e) => e.type), ['invoice.created'])
  assert.equal(invoice.due, parsed.due)
  assert.equal(invoice.createdAt.getTime(), parsed.createdAt.getTime())
  assert.equal(invoice.deadline.getTime(), parsed.deadline.getTime())
  assert.equal(invoice.status, 'pending')
  return invoice
}

/**
 * Applies a callback's command to the invoice and returns the event types.
 * @param {ps.Invoice} invoice
 * @param {ps.CallbackResult} cb
 * @param {number} at
 */
function applyCallback(invoice, cb, at) {
  assert.ok(cb.command, `${cb.providerStatus}: expected a command`)
  return invoice.apply(cb.command, at).map((e) => e.type)
}

/**
 * Sets (or with `undefined`, removes) `obj.a.b.c` in a copy of `obj`.
 * @param {any} obj
 * @param {string} dotted
 * @param {unknown} value
 */
function edit(obj, dotted, value) {
  const copy = structuredClone(obj)
  const keys = dotted.split('.')
  const last = /** @type {string} */ (keys.pop())
  let node = copy
  for (const k of keys) node = node[k]
  if (value === undefined) delete node[last]
  else node[last] = value
  return JSON.stringify(copy)
}

// ---- seed 000: gatenoc ---------------------------------------------------------------

const NOC_NOW = '2026-03-24T11:30:00Z'
const NOC_SEED = '{"amount": 10.50, "note": "order_123", "notify_url": "https://your-server.com/webhooks/gateway-paid", "success_url": "https://yourstore.com/checkout/done", "support_url": "https://yourstore.com/help"}'
/** @param {ps.Body} body @param {Partial<ps.GatenocCheckoutContext>} [ctx] */
const noc = (body, ctx = {}) => ps.gatenocParseCheckoutSession(body, { id: 'inv_noc', now: NOC_NOW, ...ctx })
const NOC_RENDER = { baseUrl: 'https://gatenoc.com', merchantId: 0, sessionToken: 'PAYMENT_SESSION_TOKEN' }

test('gatenoc: the seed request becomes a USD-priced USDT_BYBIT invoice; the 200 response is the seed example', () => {
  const parsed = noc(Buffer.from(NOC_SEED))
  assert.ok(parsed.request instanceof ps.DialectRequest)
  assert.equal(parsed.request.kind, 'gatenoc.checkout_session')
  assert.equal(parsed.due, '10.5')
  assert.equal(parsed.createdAt.getTime(), ms(NOC_NOW))
  assert.equal(parsed.deadline.getTime(), ms('2026-03-24T12:00:00Z'), 'default session lifetime 1800 s')
  assert.equal(parsed.spec.id, 'inv_noc')
  assert.equal(parsed.spec.reference, 'order_123')
  assert.equal(parsed.spec.asset, 'USDT_BYBIT')
  assert.deepEqual(parsed.spec.price, { amount: '10.5', currency: 'USD' })
  assert.equal(parsed.spec.tolerance, 'exact')
  assert.equal(parsed.spec.expires_in, 1800)
  assert.deepEqual(parsed.extra, {
    amount: '10.5',
    currency: 'USD',
    note: 'order_123',
    note_field: 'note',
    notify_url: 'https://your-server.com/webhooks/gateway-paid',
    success_url: 'https://yourstore.com/checkout/done',
    support_url: 'https://yourstore.com/help',
  })
  const invoice = create(parsed)
  assert.equal(invoice.asset, 'USDT_BYBIT')
  assert.equal(invoice.reference, 'order_123')

  const expected = JSON.parse(golden('gatenoc_checkout_response.json').replaceAll('{merchant_id}', '0'))
  for (const arg of [parsed, parsed.request]) {
    const out = ps.gatenocRenderCheckoutSession(arg, NOC_RENDER)
    assert.deepEqual(out.body, expected)
    assert.equal(out.json, JSON.stringify(expected), 'member order, and amount as the JSON number 10.5')
    assert.match(out.json, /"amount":10\.5,/)
  }
})

test('gatenoc: note omitted, legacy username, ttlSeconds', () => {
  const parsed = noc('{"amount": 10.5}')
  const out = ps.gatenocRenderCheckoutSession(parsed, { baseUrl: 'https://gatenoc.com/', merchantId: 7, sessionToken: 'tok' })
  assert.equal(out.body.checkout_url, 'https://gatenoc.com/checkout/7?cs=tok')
  assert.equal(out.body.merchant_id, 7)
  assert.ok(!('note' in out.body), 'the note member is omitted when none was sent')
  assert.equal(parsed.spec.reference, undefined)
  const legacy = noc('{"amount": 10.5, "username": "sandbox_order_1001"}')
  assert.equal(legacy.spec.reference, 'sandbox_order_1001')
  assert.equal(legacy.extra.note_field, 'username')
  rejection(() => noc('{"amount": 10.5, "note": "a", "username": "b"}'), { code: 'invalid_field', field: 'username', httpStatus: 422 })
  const short = noc('{"amount": 5}', { ttlSeconds: 300 })
  assert.equal(short.deadline.getTime(), ms(NOC_NOW) + 300_000)
  assert.equal(create(short).deadline.getTime(), ms(NOC_NOW) + 300_000)
})

test('gatenoc: amount >= 1 (HTTP 422, the seed body), 2 decimals, a JSON number, known members', () => {
  for (const ok of ['1', '1.00', '10.50']) assert.equal(noc(`{"amount": ${ok}}`).due, String(Number(ok)))
  for (const below of ['0.99', '0', '0.0']) {
    const e = rejection(() => noc(`{"amount": ${below}, "note": "order_123"}`), {
      code: 'amount_below_minimum',
      field: 'amount',
      httpStatus: 422,
      body: { error: 'Amount below minimum', min_amount: 1 },
    })
    assert.equal(e.bodyJson, '{"error":"Amount below minimum","min_amount":1}')
  }
  rejection(() => noc('{"amount": 10.505}'), { code: 'too_many_decimals', field: 'amount', httpStatus: 422 })
  // A JSON number in exponent form is still a number, read exactly (docs/spec.md §2).
  assert.equal(noc('{"amount": 1e3}').due, '1000')
  for (const bad of ['"10.50"', '-5', 'true']) {
    const e = thrown(() => noc(`{"amount": ${bad}}`))
    assert.ok(['invalid_amount', 'missing_field'].includes(e.code), `${bad}: ${e.code}`)
    assert.equal(e.field, 'amount')
    assert.equal(e.httpStatus, 422)
  }
  rejection(() => noc('{"note": "x"}'), { code: 'missing_field', field: 'amount', httpStatus: 422 })
  rejection(() => noc('{"amount": 5, "amout": 5}'), { code: 'invalid_field', field: 'amout', httpStatus: 422 })
  const e = rejection(() => noc('[1]'), { code: 'malformed_json', httpStatus: 422 })
  assert.equal(e.field, undefined, 'no field applies to malformed JSON')
  rejection(() => noc('{"amount": 5, "notify_url": "http://your-server.com/hook"}'), { code: 'invalid_field', field: 'notify_url', httpStatus: 422 })
  rejection(() => noc('{"amount": 5, "success_url": "javascript:alert(1)"}'), { code: 'invalid_field', field: 'success_url', httpStatus: 422 })
})

test('gatenoc: X-Merchant-Key (401, constant-time, as sent)', () => {
  assert.equal(ps.gatenocCheckMerchantKey('SANDBOX_PUBLIC_KEY', ['SANDBOX_PUBLIC_KEY']), 0)
  assert.equal(ps.gatenocCheckMerchantKey('k2', ['k1', 'k2']), 1)
  for (const missing of [null, undefined, '']) {
    const e = rejection(() => ps.gatenocCheckMerchantKey(missing, ['k1']), { code: 'signature_missing', field: 'X-Merchant-Key', httpStatus: 401 })
    assert.equal(e.body.error, 'Missing X-Merchant-Key header')
  }
  const e = rejection(() => ps.gatenocCheckMerchantKey('SANDBOX_PUBLIC_KEY ', ['SANDBOX_PUBLIC_KEY']), { code: 'signature_mismatch', httpStatus: 401 })
  assert.equal(e.body.error, 'Invalid merchant key or inactive merchant')
  assert.ok(!e.message.includes('SANDBOX_PUBLIC_KEY'), 'keys never appear in messages')
  assert.ok(!e.bodyJson.includes('SANDBOX_PUBLIC_KEY'))
})

test('gatenoc: payment.completed is rendered, parsed into a command, and pays the invoice', () => {
  const parsed = noc('{"amount": 10.50, "note": "order_123"}')
  const invoice = create(parsed)
  const out = ps.gatenocRenderPaymentCompleted(invoice, { bybitPayId: 'SBX-TX-20260324-0001', paymentRecordId: 'rec_1' })
  assert.equal(out.json, '{"event":"payment.completed","amount":10.5,"bybit_pay_id":"SBX-TX-20260324-0001","note":"order_123","payment_record_id":"rec_1"}')
  assert.deepEqual(out.body, JSON.parse(out.json))
  const cb = ps.gatenocParsePaymentCompleted(out.json, invoice)
  assert.equal(cb.providerStatus, 'payment.completed')
  assert.equal(cb.at, null)
  assert.deepEqual(cb.command, {
    op: 'observe_transfer',
    transfer: { tx_id: 'SBX-TX-20260324-0001', amount: '10.5', asset: 'USDT_BYBIT', confirmed: true },
  })
  // An amount sent as a string is read the same (lenient on callbacks).
  assert.deepEqual(ps.gatenocParsePaymentCompleted(Buffer.from(JSON.stringify({ ...out.body, amount: '10.50' })), invoice).command, cb.command)
  assert.deepEqual(applyCallback(invoice, cb, ms('2026-03-24T11:40:00Z')), ['invoice.payment_received', 'invoice.paid'])
  assert.equal(invoice.status, 'paid')
  assert.equal(invoice.amountPaid, '10.5')
  assert.equal(invoice.transfers[0].txId, 'SBX-TX-20260324-0001')
})

test('gatenoc: a callback that disagrees with the invoice is integrity_conflict and changes nothing', () => {
  const invoice = create(noc('{"amount": 10.50, "note": "order_123"}'))
  const before = invoice.toJSONString()
  const body = { event: 'payment.completed', amount: 10.5, bybit_pay_id: 'x', note: 'order_123', payment_record_id: 'r' }
  rejects(() => ps.gatenocParsePaymentCompleted(JSON.stringify({ ...body, amount: 10 }), invoice), 'integrity_conflict', 'amount')
  rejects(() => ps.gatenocParsePaymentCompleted(JSON.stringify({ ...body, note: 'order_999' }), invoice), 'integrity_conflict', 'note')
  rejects(() => ps.gatenocParsePaymentCompleted(JSON.stringify({ ...body, event: 'payment.refunded' }), invoice), 'invalid_field', 'event')
  rejects(() => ps.gatenocParsePaymentCompleted('{"event": "payment.completed"', invoice), 'malformed_json')
  const e = thrown(() => ps.gatenocParsePaymentCompleted(JSON.stringify({ ...body, amount: 10 }), invoice))
  assert.equal(e.httpStatus, undefined, 'callback errors are plain PaystateErrors, not provider answers')
  assert.equal(invoice.toJSONString(), before)
})

// ---- seed 001: usdt_gateway ----------------------------------------------------------

const UG_NOW = '2024-01-15T14:30:00Z'
const UG_ID = '550e8400-e29b-41d4-a716-446655440000'
/** @param {ps.Body} body @param {Partial<ps.UsdtGatewayInvoiceContext>} [ctx] */
const ug = (body, ctx = {}) => ps.usdtGatewayParseInvoice(body, { id: UG_ID, now: UG_NOW, ...ctx })
/** @param {string} extra */
const ugWith = (extra) => ug(`{"amountUsdt": 100, "assetCode": "USDT_TRC20"${extra}}`)
const UG_RENDER = { payoutAddress: 'TXyz123...abc456', paymentUrl: 'https://pay.example.com/ORDER-12345', isTest: true }
const UG_400 = (/** @type {string} */ message) => ({ statusCode: 400, message, error: 'Bad Request' })

test('usdt_gateway: the seed request becomes an invoice due in USDT_TRC20; the 201 response is the seed example', () => {
  const parsed = ug(fs.readFileSync(path.join(GOLDEN, 'usdt_gateway_invoice_request.json')))
  assert.equal(parsed.request.kind, 'usdt_gateway.invoice')
  assert.equal(parsed.due, '150')
  assert.equal(parsed.spec.due, '150')
  assert.equal(parsed.spec.asset, 'USDT_TRC20')
  assert.equal(parsed.spec.reference, 'ORDER-12345')
  assert.equal(parsed.spec.expires_in, 1800)
  assert.equal(parsed.spec.tolerance, 'exact')
  assert.deepEqual(parsed.spec.metadata, { orderId: '12345' })
  assert.equal(parsed.extra.amountUsdtExact, '150.0000')
  assert.equal(parsed.extra.useWhiteLabel, true)
  const invoice = create(parsed)
  assert.equal(invoice.asset, 'USDT_TRC20')
  assert.deepEqual(/** @type {any} */ (invoice.toJSON()).spec, parsed.spec, 'the invoice stores the spec as parsed')

  const expected = goldenJson('usdt_gateway_invoice_response.json')
  const out = ps.usdtGatewayRenderInvoice(parsed.request, UG_RENDER)
  assert.deepEqual(out.body, expected)
  assert.equal(out.json, JSON.stringify(expected), 'member order')
  // Without useWhiteLabel there is no whiteLabel member.
  const plain = ps.usdtGatewayRenderInvoice(ugWith(', "useWhiteLabel": false'), UG_RENDER)
  assert.ok(!('whiteLabel' in plain.body))
  assert.ok(!('metadata' in plain.body))
})

test('usdt_gateway: amountUsdt has at most 4 decimals and is at least 0.0001 (HTTP 400, the API body)', () => {
  assert.equal(ug('{"amountUsdt": 0.0001, "assetCode": "USDT_TRC20"}').due, '0.0001')
  assert.equal(ug('{"amountUsdt": "0.0001", "assetCode": "USDT_TRC20"}').due, '0.0001')
  assert.equal(ug('{"amountUsdt": 150.0000, "assetCode": "USDT_BSC"}').due, '150')
  for (const bad of ['0.00009', '0.00001', '1.23456', '1.00001']) {
    rejection(() => ug(`{"amountUsdt": ${bad}, "assetCode": "USDT_TRC20"}`), {
      code: 'too_many_decimals',
      field: 'amountUsdt',
      httpStatus: 400,
      body: UG_400('Amount must have at most 4 decimal places'),
    })
  }
  for (const below of ['0', '0.0000']) {
    rejection(() => ug(`{"amountUsdt": ${below}, "assetCode": "USDT_TRC20"}`), {
      code: 'amount_below_minimum',
      field: 'amountUsdt',
      httpStatus: 400,
      body: UG_400('Amount must be at least 0.0001'),
    })
  }
  // A JSON number in exponent form is still a number, read exactly (docs/spec.md §2).
  assert.equal(ug('{"amountUsdt": 1e2, "assetCode": "USDT_TRC20"}').due, '100')
  rejection(() => ug('{"assetCode": "USDT_TRC20"}'), { code: 'missing_field', field: 'amountUsdt', httpStatus: 400 })
})

test('usdt_gateway: expirySeconds 300..7200 (default 1800), assets, lengths, generated reference', () => {
  /** @param {string | number} s */
  const exp = (s) => ugWith(`, "expirySeconds": ${s}`)
  const t0 = ms(UG_NOW)
  assert.equal(ugWith('').deadline.getTime(), t0 + 1800_000)
  assert.equal(exp(300).deadline.getTime(), t0 + 300_000)
  assert.equal(exp(7200).deadline.getTime(), t0 + 7200_000)
  assert.equal(create(exp(7200)).deadline.getTime(), t0 + 7200_000)
  for (const bad of [299, 7201, 0, 1800.5]) {
    const e = rejection(() => exp(bad), { code: 'invalid_field', field: 'expirySeconds', httpStatus: 400 })
    assert.equal(e.body.statusCode, 400)
    assert.equal(e.body.error, 'Bad Request')
  }
  for (const ok of ['USDT_TRC20', 'USDT_ERC20', 'USDT_BSC']) assert.equal(ug(`{"amountUsdt": 1, "assetCode": "${ok}"}`).spec.asset, ok)
  for (const bad of ['USDT_POLYGON', 'USDT_BYBIT', 'BTC', 'usdt_trc20']) {
    rejection(() => ug(`{"amountUsdt": 1, "assetCode": "${bad}"}`), { code: 'invalid_asset', field: 'assetCode', httpStatus: 400 })
  }
  rejection(() => ug('{"amountUsdt": 1}'), { code: 'missing_field', field: 'assetCode', httpStatus: 400 })
  assert.equal(ugWith(`, "reference": "${'x'.repeat(50)}"`).spec.reference, 'x'.repeat(50))
  rejection(() => ugWith(`, "reference": "${'x'.repeat(51)}"`), { code: 'invalid_field', field: 'reference', httpStatus: 400 })
  rejection(() => ugWith(`, "title": "${'x'.repeat(201)}"`), { code: 'invalid_field', field: 'title', httpStatus: 400 })
  rejection(() => ugWith(', "callbackUrl": "nope"'), { code: 'invalid_field', field: 'callbackUrl', httpStatus: 400 })
  rejection(() => ugWith(', "expiry": 300'), { code: 'invalid_field', field: 'expiry', httpStatus: 400 })
  const generated = ug('{"amountUsdt": 1, "assetCode": "USDT_TRC20"}', { generatedReference: 'INV-7' })
  assert.equal(generated.spec.reference, 'INV-7')
  assert.equal(ug('{"amountUsdt": 1, "assetCode": "USDT_TRC20", "reference": "R-1"}', { generatedReference: 'INV-7' }).spec.reference, 'R-1')
})

test('usdt_gateway: API keys, the 409 duplicate reference and error bodies', () => {
  assert.equal(ps.usdtGatewayKeyMode('Bearer test_abc123'), 'test')
  assert.equal(ps.usdtGatewayKeyMode('Bearer live_xyz789'), 'live')
  for (const missing of [null, undefined, '']) {
    rejection(() => ps.usdtGatewayKeyMode(missing), {
      code: 'signature_missing',
      field: 'Authorization',
      httpStatus: 401,
      body: { statusCode: 401, message: 'Missing API key', error: 'Unauthorized' },
    })
  }
  for (const bad of ['test_abc', 'Bearer prod_abc', 'Bearer test_', 'Bearer  live_x']) {
    rejection(() => ps.usdtGatewayKeyMode(bad), { code: 'signature_malformed', field: 'Authorization', httpStatus: 401 })
  }
  const dup = ps.usdtGatewayDuplicateReference('ORDER-12345')
  assert.ok(ps.isPaystateError(dup), 'returned, not thrown')
  assert.equal(dup.code, 'invalid_field')
  assert.equal(dup.field, 'reference')
  assert.equal(dup.httpStatus, 409)
  assert.deepEqual(dup.body, { statusCode: 409, message: 'Invoice with reference ORDER-12345 already exists', error: 'Conflict' })
  assert.equal(dup.bodyJson, JSON.stringify(dup.body))
  for (const [status, error] of [[403, 'Forbidden'], [404, 'Not Found'], [409, 'Conflict'], [429, 'Too Many Requests']]) {
    const out = ps.usdtGatewayErrorBody(Number(status), 'm')
    assert.deepEqual(out.body, { statusCode: status, message: 'm', error })
    assert.equal(out.json, JSON.stringify(out.body))
  }
  rejects(() => ps.usdtGatewayErrorBody(70_000, 'm'), 'invalid_field', 'status')
  rejects(() => ps.usdtGatewayErrorBody(4.5, 'm'), 'invalid_field', 'status')
})

/** The seed invoice with the webhook example's metadata, created. */
function ugInvoice() {
  const body = golden('usdt_gateway_invoice_request.json').replace('"metadata": { "orderId": "12345" }', '"metadata": { "orderId": "12345", "customerId": "user-001" }')
  return create(ug(body))
}

test('usdt_gateway: the webhook is the seed example; parsed, it pays the invoice', () => {
  const invoice = ugInvoice()
  const expected = goldenJson('usdt_gateway_webhook.json')
  const out = ps.usdtGatewayRenderWebhook(invoice, {
    merchantId: '550e8400-e29b-41d4-a716...',
    payoutAddress: 'TXyz123...abc456',
    txHash: 'abc123...def789',
    paidAt: new Date('2024-01-15T14:32:00Z'),
  })
  assert.deepEqual(out.body, expected)
  assert.equal(out.json, JSON.stringify(expected))
  const cb = ps.usdtGatewayParseWebhook(golden('usdt_gateway_webhook.json'), invoice)
  assert.equal(cb.providerStatus, 'confirmed')
  assert.ok(cb.at instanceof Date)
  assert.equal(cb.at.getTime(), ms('2024-01-15T14:32:00Z'))
  assert.deepEqual(cb.command, {
    op: 'observe_transfer',
    transfer: { tx_id: 'abc123...def789', amount: '150', asset: 'USDT_TRC20', confirmed: true, at: '2024-01-15T14:32:00Z' },
  })
  assert.deepEqual(applyCallback(invoice, cb, ms('2024-01-15T14:33:00Z')), ['invoice.payment_received', 'invoice.paid'])
  assert.equal(invoice.status, 'paid')
  assert.equal(invoice.transfers[0].madeAt.getTime(), ms('2024-01-15T14:32:00Z'))
})

test('a callback\'s command holds the core\'s value: frozen, applied without JSON, same result as its copy', () => {
  const a = ugInvoice()
  const b = a.clone()
  const cb = ps.usdtGatewayParseWebhook(golden('usdt_gateway_webhook.json'), a)
  const command = /** @type {any} */ (cb.command)
  // It prints and compares as the plain command; it cannot be edited out of step with the value it holds.
  assert.deepEqual(Object.keys(command), ['op', 'transfer'])
  assert.ok(Object.isFrozen(command) && Object.isFrozen(command.transfer))
  assert.throws(() => {
    'use strict'
    command.transfer.amount = '1'
  }, TypeError)
  // A copy holds nothing and is read as JSON: the same events and the same state.
  const copy = JSON.parse(JSON.stringify(command))
  const now = ms('2024-01-15T14:33:00Z')
  const held = a.apply(command, now)
  const read = b.apply(copy, now)
  assert.deepEqual(held, read)
  assert.ok(a.equals(b))
  // An edited copy is the edited command.
  const c = ugInvoice()
  const edited = { ...copy, transfer: { ...copy.transfer, confirmed: false } }
  assert.deepEqual(c.apply(edited, now).map((e) => e.type), ['invoice.payment_received', 'invoice.processing'])
})

test('usdt_gateway: webhook statuses map exhaustively; disagreement is integrity_conflict', () => {
  const invoice = ugInvoice()
  const hook = goldenJson('usdt_gateway_webhook.json')
  for (const status of ['pending', 'expired']) {
    const cb = ps.usdtGatewayParseWebhook(edit(hook, 'status', status), invoice)
    assert.equal(cb.providerStatus, status)
    assert.equal(cb.command, null)
  }
  rejects(() => ps.usdtGatewayParseWebhook(edit(hook, 'status', 'paid'), invoice), 'invalid_field', 'status')
  rejects(() => ps.usdtGatewayParseWebhook(edit(hook, 'asset_code', 'USDT_BSC'), invoice), 'integrity_conflict', 'asset_code')
  rejects(() => ps.usdtGatewayParseWebhook(edit(hook, 'amount_usdt_exact', '149.0000'), invoice), 'integrity_conflict', 'amount_usdt_exact')
  rejects(() => ps.usdtGatewayParseWebhook(edit(hook, 'amount_usdt_exact', '150.0001'), invoice), 'integrity_conflict', 'amount_usdt_exact')
  rejects(() => ps.usdtGatewayParseWebhook(edit(hook, 'invoice_reference', 'ORDER-1'), invoice), 'integrity_conflict', 'invoice_reference')
  assert.equal(invoice.status, 'pending')
  assert.deepEqual(invoice.transfers, [])
})

// ---- seed 002: gatepay ---------------------------------------------------------------

const GP_NOW = '2023-02-28T07:41:05Z'
const GP_BASE = { env: { terminalType: 'APP' }, merchantUserId: 123, goods: { goodsType: '02', goodsName: 'charge', goodsDetail: 'd' }, chain: 'MATIC', fullCurrType: 'USDT_MATIC' }
/** @param {ps.Body} body @param {Partial<ps.GatepayOrderContext>} [ctx] */
const gp = (body, ctx = {}) => ps.gatepayParseOrder(body, { id: 'inv_gp', now: GP_NOW, ...ctx })
/** @param {Record<string, unknown>} fields */
const gpOrder = (fields) => gp(JSON.stringify({ merchantTradeNo: 'ORDER1234', ...GP_BASE, ...fields }))
const GP_RENDER = {
  prepayId: '65466648727916544',
  qrContent: 'http://openplatform.gate.io/qr/GA0cskPehKxQpshvm3Goeve8dHpwCl6yCHLSWUYrLqo=',
  location: 'https://www.gate.com/cashier?prepayid=65466648727916544',
  address: '0x86608d3C9f979b98a3b2417216eD859d313E339D',
}

test('gatepay: the seed example breaks its own merchantTradeNo rule (5-32): the ERROR body, no HTTP status', () => {
  const e = rejection(() => gp(golden('gatepay_order_request.json')), { code: 'invalid_field', field: 'merchantTradeNo', httpStatus: null })
  assert.equal(e.body.status, 'ERROR')
  assert.equal(e.body.code, 'invalid_field')
  assert.equal(e.body.errorMessage, e.message)
  rejection(() => gp(golden('gatepay_order_request.json').replace('"163"', '"16300"')), { code: 'missing_field', field: 'orderAmount', httpStatus: null })
  /** @param {number} n */
  const tradeNo = (n) => gp(JSON.stringify({ merchantTradeNo: '7'.repeat(n), ...GP_BASE, orderAmount: '1' }))
  rejection(() => tradeNo(4), { code: 'invalid_field', field: 'merchantTradeNo', httpStatus: null })
  assert.equal(tradeNo(5).spec.reference, '77777')
  assert.equal(tradeNo(32).spec.reference, '7'.repeat(32))
  rejection(() => tradeNo(33), { code: 'invalid_field', field: 'merchantTradeNo', httpStatus: null })
})

test('gatepay: an order becomes a USDT_POLYGON invoice; the success response is the seed example', () => {
  const parsed = gpOrder({ currency: 'USDT', orderAmount: '1', channelId: '123456', orderExpireTime: 1677573665219 })
  assert.equal(parsed.request.kind, 'gatepay.order')
  assert.equal(parsed.due, '1')
  assert.equal(parsed.spec.asset, 'USDT_POLYGON')
  assert.equal(parsed.spec.reference, 'ORDER1234')
  assert.equal(parsed.deadline.getTime(), 1677573665219)
  assert.equal(parsed.extra.merchantUserId, 123)
  const invoice = create(parsed)
  assert.equal(invoice.asset, 'USDT_POLYGON')
  const expected = goldenJson('gatepay_order_response.json')
  // The seed answers a MATIC order with chain BSC / USDT_EOS and inUsdt 93.99 for a 1 USDT
  // order: those members echo the request and the amount instead.
  expected.data.chain.chain_type = 'MATIC'
  expected.data.chain.fullCurrType = 'USDT_MATIC'
  expected.data.inUsdt = '1'
  const out = ps.gatepayRenderOrder(parsed, GP_RENDER)
  assert.deepEqual(out.body, expected)
  assert.equal(out.json, JSON.stringify(expected), 'member order')
  // Without orderExpireTime the order lives one hour.
  assert.equal(gpOrder({ orderAmount: '1' }).deadline.getTime(), ms(GP_NOW) + 3600_000)
})

test('gatepay: amounts are strings (6 decimals crypto, 2 fiat at the host rate), surcharge and tolerance', () => {
  assert.equal(gpOrder({ orderAmount: '118.750001' }).due, '118.750001')
  assert.equal(gpOrder({ orderAmount: '118.7500000' }).due, '118.75', 'trailing zeros are free')
  rejection(() => gpOrder({ orderAmount: '118.7500001' }), { code: 'too_many_decimals', field: 'orderAmount', httpStatus: null })
  rejection(() => gpOrder({ orderAmount: 118.75 }), { code: 'invalid_amount', field: 'orderAmount', httpStatus: null })
  rejection(() => gpOrder({ orderAmount: '0' }), { code: 'invalid_amount', field: 'orderAmount', httpStatus: null })
  rejection(() => gpOrder({ currency: 'BTC', orderAmount: '1' }), { code: 'invalid_asset', field: 'currency', httpStatus: null })
  const fiat = gpOrder({ fiatCurrency: 'USD', fiatAmount: '100.01' })
  assert.equal(fiat.due, '100.01')
  assert.deepEqual(fiat.spec.price, { amount: '100.01', currency: 'USD' })
  rejection(() => gpOrder({ fiatCurrency: 'USD', fiatAmount: '100.001' }), { code: 'too_many_decimals', field: 'fiatAmount', httpStatus: null })
  rejection(() => gpOrder({ fiatAmount: '100' }), { code: 'missing_field', field: 'fiatCurrency', httpStatus: null })
  const eur = gp(JSON.stringify({ merchantTradeNo: 'ORDER1234', ...GP_BASE, fiatCurrency: 'EUR', fiatAmount: '10' }), { rate: '1.1' })
  assert.equal(eur.due, '11')
  assert.equal(create(eur).due, '11')
  const surcharged = gpOrder({ orderAmount: '5', surchargeAmount: '0.5', toleranceAmount: '1' })
  assert.equal(surcharged.due, '5.5')
  assert.deepEqual(surcharged.spec.tolerance, { absolute: '1' })
  rejection(() => gpOrder({ orderAmount: '5', toleranceAmount: '5' }), { code: 'invalid_field', field: 'toleranceAmount', httpStatus: null })
  // The tolerance pays through the core: due 5.5, allowance 1, 4.5 pays.
  const invoice = create(surcharged)
  invoice.observeTransfer({ txId: 't', amount: '4.5', asset: 'USDT_POLYGON', confirmed: true }, ms(GP_NOW))
  assert.equal(invoice.status, 'paid')
})

test('gatepay: notifications (data as a JSON string) drive the invoice; PAY_ERROR marks it invalid, PAY_CLOSE nothing', () => {
  const parsed = gpOrder({ orderAmount: '5', surchargeAmount: '0.5' })
  const invoice = create(parsed)
  const render = { prepayId: '65466648727916544', clientId: '4186d0c6', transactionId: 'tx-1', createTime: '2023-02-28T07:45:00Z' }
  const out = ps.gatepayRenderNotification(invoice, 'PAY_SUCCESS', render)
  assert.equal(out.body.bizType, 'PAY')
  assert.equal(out.body.bizStatus, 'PAY_SUCCESS')
  assert.equal(typeof out.body.data, 'string', 'data is a JSON string')
  const data = JSON.parse(/** @type {string} */ (out.body.data))
  assert.equal(data.merchantTradeNo, 'ORDER1234')
  assert.equal(data.payAmount, '5.5')
  assert.equal(data.createTime, ms('2023-02-28T07:45:00Z'))
  const cb = ps.gatepayParseNotification(out.json, invoice)
  assert.equal(cb.providerStatus, 'PAY_SUCCESS')
  assert.deepEqual(cb.command, { op: 'observe_transfer', transfer: { tx_id: 'tx-1', amount: '5.5', asset: 'USDT_POLYGON', confirmed: true } })

  /** @param {Record<string, unknown>} d @param {string} status */
  const note = (d, status) => JSON.stringify({ bizType: 'PAY', bizId: '1', bizStatus: status, data: JSON.stringify(d) })
  const good = { merchantTradeNo: 'ORDER1234', currency: 'USDT', orderAmount: '5', surchargeAmount: '0.5' }
  assert.deepEqual(ps.gatepayParseNotification(note(good, 'PAY_SUCCESS'), invoice).command, {
    op: 'observe_transfer',
    transfer: { tx_id: '1', amount: '5.5', asset: 'USDT_POLYGON', confirmed: true },
  })
  const closed = ps.gatepayParseNotification(note(good, 'PAY_CLOSE'), invoice)
  assert.equal(closed.providerStatus, 'PAY_CLOSE')
  assert.equal(closed.command, null)
  rejects(() => ps.gatepayParseNotification(note(good, 'PAY_PENDING'), invoice), 'invalid_field', 'bizStatus')
  // @ts-expect-error the types allow the three documented statuses; the core says invalid_field
  rejects(() => ps.gatepayRenderNotification(invoice, 'PAY_MAYBE', render), 'invalid_field', 'bizStatus')
  rejects(() => ps.gatepayParseNotification(note({ ...good, merchantTradeNo: 'ORDER9999' }, 'PAY_SUCCESS'), invoice), 'integrity_conflict', 'data.merchantTradeNo')
  rejects(() => ps.gatepayParseNotification(note({ ...good, currency: 'BTC' }, 'PAY_SUCCESS'), invoice), 'integrity_conflict', 'data.currency')
  rejects(() => ps.gatepayParseNotification(note({ ...good, orderAmount: '4', surchargeAmount: '0' }, 'PAY_SUCCESS'), invoice), 'integrity_conflict', 'data.orderAmount')
  rejects(() => ps.gatepayParseNotification(note({ ...good, chain: 'BSC' }, 'PAY_SUCCESS'), invoice), 'integrity_conflict', 'data.chain')
  assert.equal(invoice.status, 'pending', 'nothing applied so far')

  assert.deepEqual(applyCallback(invoice, cb, ms('2023-02-28T07:45:00Z')), ['invoice.payment_received', 'invoice.paid'])
  assert.equal(invoice.status, 'paid')

  const failed = create(gpOrder({ orderAmount: '5', surchargeAmount: '0.5' }))
  const error = ps.gatepayParseNotification(ps.gatepayRenderNotification(failed, 'PAY_ERROR', render).json, failed)
  assert.deepEqual(error.command, { op: 'mark', status: 'invalid' })
  assert.deepEqual(applyCallback(failed, error, ms('2023-02-28T07:45:00Z')), ['invoice.invalid'])
  assert.equal(failed.status, 'invalid')
})

// ---- seed 003: monetix ---------------------------------------------------------------

const MX_NOW = '2022-03-25T11:08:05Z'
/** @param {ps.Body} body */
const mx = (body) => ps.monetixParsePurchase(body, { id: 'inv_mx', now: MX_NOW, rate: '0.01' })
const MX_PURCHASE = goldenJson('monetix_purchase_request.json')
function mxInvoice() {
  const parsed = mx(golden('monetix_purchase_request.json'))
  return { parsed, invoice: create(parsed) }
}

test('monetix: the seed purchase (123.00 RUB as 12300 minor units) becomes a USDT_BYBIT invoice at the host rate', () => {
  const { parsed, invoice } = mxInvoice()
  assert.equal(parsed.request.kind, 'monetix.purchase')
  assert.equal(parsed.due, '1.23', '12300 minor RUB x 0.01')
  assert.deepEqual(parsed.spec.price, { amount: '123', currency: 'RUB' })
  assert.equal(parsed.spec.rate, '0.01')
  assert.equal(parsed.spec.asset, 'USDT_BYBIT')
  assert.equal(parsed.spec.reference, 'payment_47')
  assert.equal(parsed.deadline.getTime(), ms('2022-03-25T12:08:05Z'), 'the QR code lives one hour')
  assert.equal(parsed.extra.interface, 'gate')
  assert.equal(parsed.extra.project_id, 1234)
  assert.deepEqual(parsed.extra.payment, { minor: 12300, amount: '123', currency: 'RUB' })
  assert.equal(invoice.due, '1.23')
  // The default rate is 1.
  assert.equal(ps.monetixParsePurchase(golden('monetix_purchase_request.json'), { id: 'i', now: MX_NOW }).due, '123')

  const out = ps.monetixRenderDisplayData(parsed, { qrData: '', lifetime: 1_752_056_369_000, qrUrl: 'https://i.bybit.com/dfewabkz' })
  assert.deepEqual(out.body, goldenJson('monetix_display_data.json'))
  assert.equal(out.body[3].data, '12300')
  assert.equal(out.json, JSON.stringify(goldenJson('monetix_display_data.json')))

  const page = '{"project_id": 1234, "payment_id": "payment_47", "customer_id": "customer_123", "customer_first_name": "John", "customer_last_name": "Doe", "customer_email": "johndoe@example.com", "payment_currency": "RUB", "payment_amount": 12300, "force_payment_method": "bybit", "signature": "kUi2x9dKHAVNU0FYldJrxh4yo+52Kt8KU+Y19vySO/RLUkDJrOcZzUCwX6R/ekpZhkIQg=="}'
  const pp = mx(page)
  assert.equal(pp.extra.interface, 'payment_page')
  assert.equal(pp.due, '1.23')
  rejection(() => mx(page.replace('12300', '123.5')), { code: 'invalid_amount', field: 'payment_amount', httpStatus: null, body: null })
  rejection(() => mx(page.replace('"bybit"', '"card"')), { code: 'invalid_field', field: 'force_payment_method', httpStatus: null, body: null })
})

test('monetix: amounts are whole positive minor units; BRL/EUR/RUB/USD only; no documented HTTP answer', () => {
  assert.equal(mx(edit(MX_PURCHASE, 'payment.amount', 1)).due, '0.0001')
  // Whole minor units written as `1e4` or `12300.0` are whole numbers, read exactly (docs/spec.md §2).
  const amountOf = (text) => edit(MX_PURCHASE, 'payment.amount', '@').replace('"@"', text)
  assert.equal(mx(amountOf('1e4')).due, '1')
  assert.equal(mx(amountOf('12300.0')).due, '1.23')
  for (const bad of ['0', '"12300"', '123.45', '-1', 'true', '[12300]']) {
    const body = edit(MX_PURCHASE, 'payment.amount', '@').replace('"@"', bad)
    rejection(() => mx(body), { code: 'invalid_amount', field: 'payment.amount', httpStatus: null, body: null })
  }
  rejection(() => mx(edit(MX_PURCHASE, 'payment.amount', null)), { code: 'missing_field', field: 'payment.amount', httpStatus: null, body: null })
  for (const ok of ['BRL', 'EUR', 'RUB', 'USD']) assert.deepEqual(mx(edit(MX_PURCHASE, 'payment.currency', ok)).spec.price, { amount: '123', currency: ok })
  for (const bad of ['JPY', 'XYZ', 'rub', 'USDT']) {
    rejection(() => mx(edit(MX_PURCHASE, 'payment.currency', bad)), { code: 'invalid_field', field: 'payment.currency', httpStatus: null, body: null })
  }
  for (const f of ['general.project_id', 'general.payment_id', 'general.signature', 'customer.email', 'payment.amount', 'payment.currency', 'customer']) {
    rejection(() => mx(edit(MX_PURCHASE, f, undefined)), { code: 'missing_field', field: f, httpStatus: null, body: null })
  }
  rejection(() => mx(edit(MX_PURCHASE, 'customer.ip_address', '198.51.100')), { code: 'invalid_field', field: 'customer.ip_address', httpStatus: null })
  assert.equal(mx(edit(MX_PURCHASE, 'return_url', 'https://x.example')).due, '1.23', 'other optional parameters are accepted')
})

test('monetix: sale callbacks: success pays, decline marks invalid, intermediate is nothing, disagreement conflicts', () => {
  const { invoice } = mxInvoice()
  const ok = ps.monetixParseSaleCallback(golden('monetix_sale_success_callback.json'), invoice)
  assert.equal(ok.providerStatus, 'success')
  assert.equal(/** @type {Date} */ (ok.at).getTime(), ms('2022-03-25T11:08:45Z'))
  assert.deepEqual(ok.command, {
    op: 'observe_transfer',
    transfer: { tx_id: '28', amount: '1.23', asset: 'USDT_BYBIT', confirmed: true, at: '2022-03-25T11:08:45Z' },
  })
  const sale = goldenJson('monetix_sale_success_callback.json')
  rejects(() => ps.monetixParseSaleCallback(edit(sale, 'operation.sum_initial.amount', 12299), invoice), 'integrity_conflict', 'operation.sum_initial.amount')
  rejects(() => ps.monetixParseSaleCallback(edit(sale, 'operation.sum_initial.currency', 'EUR'), invoice), 'integrity_conflict', 'operation.sum_initial.currency')
  rejects(() => ps.monetixParseSaleCallback(edit(sale, 'payment.id', 'payment_48'), invoice), 'integrity_conflict', 'payment.id')
  rejects(() => ps.monetixParseSaleCallback(edit(sale, 'operation.status', 'approved'), invoice), 'invalid_field', 'operation.status')
  rejects(() => ps.monetixParseSaleCallback(edit(sale, 'operation.type', 'refund'), invoice), 'invalid_field', 'operation.type')
  const processing = ps.monetixParseSaleCallback(edit(sale, 'operation.status', 'processing'), invoice)
  assert.equal(processing.providerStatus, 'processing')
  assert.equal(processing.command, null)
  assert.equal(invoice.status, 'pending')
  assert.deepEqual(applyCallback(invoice, ok, ms('2022-03-25T11:08:46Z')), ['invoice.payment_received', 'invoice.paid'])
  assert.equal(invoice.status, 'paid')

  const declined = mxInvoice().invoice
  const no = ps.monetixParseSaleCallback(golden('monetix_sale_decline_callback.json'), declined)
  assert.equal(no.providerStatus, 'decline')
  assert.deepEqual(no.command, { op: 'mark', status: 'invalid' })
  assert.deepEqual(applyCallback(declined, no, ms('2022-03-25T11:20:30Z')), ['invoice.invalid'])
})

test('monetix: a refund request becomes request_refund in proportion; its callback settles it', () => {
  const { invoice } = mxInvoice()
  applyCallback(invoice, ps.monetixParseSaleCallback(golden('monetix_sale_success_callback.json'), invoice), ms('2022-03-25T11:09:00Z'))
  const refund = ps.monetixParseRefund(golden('monetix_refund_request.json'))
  assert.equal(refund.request.kind, 'monetix.refund')
  assert.equal(refund.refund.payment_id, 'payment_47')
  assert.equal(refund.refund.amount, 12300)
  assert.equal(refund.refund.currency, 'RUB')
  assert.equal(refund.refund.full, false)
  const cmd = ps.monetixRefundCommand(refund, invoice, 'rf_1')
  assert.deepEqual(cmd, { op: 'request_refund', refund_id: 'rf_1', amount: '1.23' })
  assert.deepEqual(ps.monetixRefundCommand(refund.request, invoice, 'rf_1'), cmd)
  assert.deepEqual(invoice.apply(cmd, ms('2022-03-25T11:10:00Z')).map((e) => e.type), ['invoice.refund_requested'])

  // The callback names no refund id: the single refund in flight is meant.
  const cb = ps.monetixParseRefundCallback(golden('monetix_refund_success_callback.json'), invoice)
  assert.equal(cb.providerStatus, 'success')
  assert.deepEqual(cb.command, { op: 'settle_refund', refund_id: 'rf_1', outcome: 'succeeded' })
  assert.equal(/** @type {Date} */ (cb.at).getTime(), ms('2021-09-09T10:02:18Z'), "operation.date; payment.date's 5-digit year is ignored")
  const failed = ps.monetixParseRefundCallback(golden('monetix_refund_decline_callback.json'), invoice, 'rf_1')
  assert.deepEqual(failed.command, { op: 'settle_refund', refund_id: 'rf_1', outcome: 'failed' })
  rejects(() => ps.monetixParseRefundCallback(golden('monetix_refund_decline_callback.seed.txt'), invoice), 'malformed_json')
  assert.deepEqual(applyCallback(invoice, cb, ms('2022-03-25T11:20:00Z')), ['invoice.refunded'])
  assert.equal(invoice.status, 'refunded')
  rejects(() => ps.monetixParseRefundCallback(golden('monetix_refund_success_callback.json'), invoice, null), 'invalid_field', 'refund_id')

  // Half of the price refunds half of the due; another currency or payment conflicts.
  const paid = mxInvoice().invoice
  applyCallback(paid, ps.monetixParseSaleCallback(golden('monetix_sale_success_callback.json'), paid), ms('2022-03-25T11:09:00Z'))
  const half = ps.monetixParseRefund(golden('monetix_refund_request.json').replace('12300', '6150'))
  assert.deepEqual(ps.monetixRefundCommand(half, paid, 'rf_2'), { op: 'request_refund', refund_id: 'rf_2', amount: '0.615' })
  const full = ps.monetixParseRefund(golden('monetix_refund_request.json').replace('"amount": 12300, ', ''))
  assert.equal(full.refund.full, true)
  assert.equal(full.refund.amount, null)
  assert.deepEqual(ps.monetixRefundCommand(full, paid, 'rf_3'), { op: 'request_refund', refund_id: 'rf_3' })
  const eur = ps.monetixParseRefund(golden('monetix_refund_request.json').replace('"currency": "RUB"', '"currency": "EUR"'))
  rejects(() => ps.monetixRefundCommand(eur, paid, 'rf_4'), 'integrity_conflict', 'payment.currency')
  const other = ps.monetixParseRefund(golden('monetix_refund_request.json').replace('payment_47', 'payment_48'))
  rejects(() => ps.monetixRefundCommand(other, paid, 'rf_5'), 'integrity_conflict', 'general.payment_id')
  const big = edit(goldenJson('monetix_refund_success_callback.json'), 'operation.sum_initial.amount', 12301)
  rejects(() => ps.monetixParseRefundCallback(big, paid, 'x'), 'integrity_conflict', 'operation.sum_initial.amount')
  rejection(
    () => ps.monetixParseRefund(golden('monetix_refund_request.json').replace('"description": "Refund description",', '')),
    { code: 'missing_field', field: 'payment.description', httpStatus: null, body: null },
  )
})

test('monetix: payouts belong to no invoice; their callbacks are checked against the request', () => {
  const payout = ps.monetixParsePayout(golden('monetix_payout_request.json').replace('payment_47', 'payment_48'))
  assert.equal(payout.request.kind, 'monetix.payout')
  assert.equal(payout.payout.payment_id, 'payment_48')
  assert.deepEqual(payout.payout.payment, { minor: 12300, amount: '123', currency: 'RUB' })
  const ok = ps.monetixParsePayoutCallback(golden('monetix_payout_success_callback.json'), payout)
  assert.deepEqual({ ...ok, at: ok.at && ok.at.getTime() }, { providerStatus: 'success', outcome: 'succeeded', operationId: '29', at: ms('2022-03-25T11:08:45Z') })
  assert.equal(ps.monetixParsePayoutCallback(golden('monetix_payout_decline_callback.json'), payout.request).outcome, 'failed')
  const pending = edit(goldenJson('monetix_payout_success_callback.json'), 'operation.status', 'awaiting customer action')
  assert.equal(ps.monetixParsePayoutCallback(pending, payout).outcome, 'in_progress')
  const other = ps.monetixParsePayout(golden('monetix_payout_request.json'))
  rejects(() => ps.monetixParsePayoutCallback(golden('monetix_payout_success_callback.json'), other), 'integrity_conflict', 'payment.id')
  const more = edit(goldenJson('monetix_payout_success_callback.json'), 'operation.sum_initial.amount', 12400)
  rejects(() => ps.monetixParsePayoutCallback(more, payout), 'integrity_conflict', 'operation.sum_initial')
  rejects(() => ps.monetixParsePayoutCallback(golden('monetix_sale_success_callback.json'), payout), 'invalid_field', 'operation.type')
  rejection(() => ps.monetixParsePayout(golden('monetix_payout_request.json').replace('"amount": 12300', '"amount": 0')), {
    code: 'invalid_amount',
    field: 'payment.amount',
    httpStatus: null,
    body: null,
  })
  rejection(() => ps.monetixParsePayout(golden('monetix_payout_request.json').replace('"account_id": "123456",', '')), {
    code: 'missing_field',
    field: 'customer.account_id',
    httpStatus: null,
  })
})

// ---- seed 004: keypair_invoice -------------------------------------------------------

const KP_NOW = '2026-01-01T00:00:00Z'
const KP_SEED = '{"public_key": "yourpublickey", "private_key": "yourprivatekey", "email": "buyer@example.com", "price_amount": 725, "price_currency": "USD", "merchant_id": 5, "order_id": 11, "customer_id": 12, "test": 1, "title": "title", "description": "description", "add_fee_to_price": 1, "cancel_url": "https://yourcancelurl", "success_url": "https://yoursuccessurl", "callback_url": "https://yourcallbackurl", "expiration_date": 12, "margin_ratio": 1.5}'
/** @param {ps.Body} body @param {Partial<ps.KeypairInvoiceContext>} [ctx] */
const kp = (body, ctx = {}) => ps.keypairInvoiceParseInvoice(body, { id: 'inv_kp', now: KP_NOW, fee: '1.5', ...ctx })
/** @param {string} extra */
const kpWith = (extra) => kp(`{"public_key": "pk", "private_key": "sk", "price_amount": 5${extra}}`)
const KP_RENDER = {
  privateKey: 'yourprivatekey',
  id: 'kp_991',
  amount: '726.5',
  amountCurrency: 'USDT-TRC20',
  refUrl: 'https://shop.example/cart',
  ip: '203.0.113.7',
  createdAt: new Date(KP_NOW),
}

test('keypair_invoice: the seed request (price + fee, margin, 12 h) becomes an invoice; the key is dropped', () => {
  const parsed = kp(KP_SEED)
  assert.equal(parsed.request.kind, 'keypair_invoice.invoice')
  assert.equal(parsed.due, '726.5', 'price 725 + fee 1.5')
  assert.deepEqual(parsed.spec.price, { amount: '725', currency: 'USD' })
  assert.equal(parsed.spec.surcharge, '1.5')
  assert.equal(parsed.spec.reference, '11')
  assert.deepEqual(parsed.spec.tolerance, { absolute: '1.5' })
  assert.equal(parsed.spec.expires_in, 43_200)
  assert.equal(parsed.spec.asset, 'USDT_TRC20')
  assert.equal(parsed.extra.public_key, 'yourpublickey')
  assert.equal(parsed.extra.test, true)
  assert.ok(!JSON.stringify(parsed).includes('yourprivatekey'), 'the private key is never kept')
  const invoice = create(parsed)
  assert.equal(invoice.deadline.getTime(), ms('2026-01-01T12:00:00Z'))
  const ok = ps.keypairInvoiceRenderInvoice('https://pay.example/i/1')
  assert.deepEqual(ok.body, { status: 'success', message: 'https://pay.example/i/1' })
  assert.equal(ok.json, '{"status":"success","message":"https://pay.example/i/1"}')
  assert.deepEqual(ps.keypairInvoiceErrorBody('nope').body, { status: 'error', message: ['nope'] })
  assert.equal(ps.keypairInvoiceErrorBody('nope').json, '{"status":"error","message":["nope"]}')
})

test('keypair_invoice: expiration_date 1..12 hours (default 12), HTTP 422 with the message array', () => {
  const t0 = ms(KP_NOW)
  assert.equal(kpWith('').deadline.getTime(), t0 + 12 * 3600_000)
  assert.equal(kpWith(', "expiration_date": 1').deadline.getTime(), t0 + 3600_000)
  assert.equal(kpWith(', "expiration_date": 12').deadline.getTime(), t0 + 12 * 3600_000)
  assert.equal(kpWith(', "expiration_date": "12"').extra.expiration_date, 12)
  for (const bad of ['13', '0', '1.5', '-1']) {
    const e = rejection(() => kpWith(`, "expiration_date": ${bad}`), { code: 'invalid_field', field: 'expiration_date', httpStatus: 422 })
    assert.deepEqual(e.body, { status: 'error', message: [e.message] })
  }
  rejection(() => kp('{"public_key": "pk", "private_key": "sk"}'), { code: 'missing_field', field: 'price_amount', httpStatus: 422 })
  rejection(() => kp('{"public_key": "pk", "price_amount": 5}'), { code: 'missing_field', field: 'private_key', httpStatus: 422 })
  rejection(() => kp('{"public_key": "pk", "private_key": "sk", "price_amount": 0}'), { code: 'invalid_amount', field: 'price_amount', httpStatus: 422 })
  rejection(() => kp('{"public_key": "pk", "private_key": "sk", "price_amount": 10.123}'), { code: 'too_many_decimals', field: 'price_amount', httpStatus: 422 })
  rejection(() => kpWith(', "margin_ratio": 5'), { code: 'invalid_field', field: 'margin_ratio', httpStatus: 422 })
  rejection(() => kpWith(', "add_fee_to_price": 2'), { code: 'invalid_field', field: 'add_fee_to_price', httpStatus: 422 })
  rejection(() => kpWith(', "callback_url": "http://127.0.0.1/cb"'), { code: 'invalid_field', field: 'callback_url', httpStatus: 422 })
  rejection(() => kpWith(', "colour": 3'), { code: 'invalid_field', field: 'colour', httpStatus: 422 })
  rejection(() => kpWith(', "email": "not-an-email"'), { code: 'invalid_field', field: 'email', httpStatus: 422 })
  const e = rejection(() => kp('{"public_key": "pk", "private_key": "s3cr3t-private-key", "price_amount": 5, "private_key2": 1}'), {
    code: 'invalid_field',
    field: 'private_key2',
    httpStatus: 422,
  })
  assert.ok(!e.message.includes('s3cr3t') && !e.bodyJson.includes('s3cr3t') && !e.stack.includes('s3cr3t'), 'the private key never appears')
})

test('keypair_invoice: banned coins and the host asset', () => {
  assert.equal(kpWith(', "banned_coins": ["BTC", "ETH", "USDT-TRC20"]').spec.asset, 'USDT_ERC20')
  assert.equal(kpWith(', "banned_coins": "[\\"USDT-ERC20\\"]"').spec.asset, 'USDT_TRC20')
  rejection(() => kpWith(', "banned_coins": ["USDT"]'), { code: 'invalid_asset', field: 'banned_coins', httpStatus: 422 })
  assert.equal(kp('{"public_key": "pk", "private_key": "sk", "price_amount": 5}', { asset: 'USDT_BSC' }).spec.asset, 'USDT_BSC')
  rejection(() => kp('{"public_key": "pk", "private_key": "sk", "price_amount": 5, "banned_coins": ["USDT-ERC20"]}', { asset: 'USDT_ERC20' }), {
    code: 'invalid_asset',
    field: 'banned_coins',
    httpStatus: 422,
  })
  // A host asset that is not an asset is the host's error: a plain PaystateError.
  // @ts-expect-error the types allow only the five assets
  const e = rejects(() => kp('{"public_key": "pk", "private_key": "sk", "price_amount": 5}', { asset: 'BTC' }), 'invalid_asset', 'asset')
  assert.equal(e.httpStatus, undefined)
})

test('keypair_invoice: the callback (seed member order) pays through the margin; disagreement conflicts', () => {
  const parsed = kp(KP_SEED)
  const invoice = create(parsed)
  const out = ps.keypairInvoiceRenderCallback(parsed, KP_RENDER)
  assert.deepEqual(Object.keys(out.body), [
    'private_key', 'id', 'email', 'merchant_id', 'order_id', 'customer_id', 'price_amount', 'price_currency', 'amount',
    'amount_currency', 'add_fee_to_price', 'title', 'description', 'ref_url', 'cancel_url', 'success_url', 'callback_url',
    'ip', 'test', 'created_at', 'expiration_date',
  ])
  assert.equal(out.body.private_key, 'yourprivatekey', 'the seed repeats the key for comparison')
  assert.equal(out.body.amount, '726.5')
  assert.equal(out.body.order_id, '11')
  assert.equal(out.body.test, 1)
  assert.equal(out.body.created_at, '2026-01-01T00:00:00Z')
  assert.deepEqual(ps.keypairInvoiceRenderCallback(parsed.request, KP_RENDER), out)
  const cb = ps.keypairInvoiceParseCallback(out.json, invoice)
  assert.equal(cb.providerStatus, 'success')
  assert.deepEqual(cb.command, { op: 'observe_transfer', transfer: { tx_id: 'kp_991', amount: '726.5', asset: 'USDT_TRC20', confirmed: true } })
  const body = JSON.parse(out.json)
  for (const [field, value] of [['price_amount', '700'], ['price_currency', 'EUR'], ['amount_currency', 'USDT-ERC20'], ['amount_currency', 'BTC'], ['order_id', '12']]) {
    rejects(() => ps.keypairInvoiceParseCallback(edit(body, field, value), invoice), 'integrity_conflict', field)
  }
  assert.equal(invoice.status, 'pending')
  assert.deepEqual(applyCallback(invoice, cb, ms('2026-01-01T00:05:00Z')), ['invoice.payment_received', 'invoice.paid'])
  assert.equal(invoice.status, 'paid')

  // Seed: margin 1 on 5 USDT: 4 pays, 3.9 does not; margin 2: 3.9 pays.
  for (const [margin, amount, status] of [['1', '4', 'paid'], ['1', '3.9', 'pending'], ['2', '3.9', 'paid']]) {
    const p = kp(`{"public_key": "pk", "private_key": "sk", "price_amount": 5, "order_id": "o1", "margin_ratio": ${margin}}`)
    const inv = create(p)
    const r = ps.keypairInvoiceParseCallback(ps.keypairInvoiceRenderCallback(p, { ...KP_RENDER, amount }).json, inv)
    applyCallback(inv, r, ms('2026-01-01T00:10:00Z'))
    assert.equal(inv.status, status, `margin ${margin}, paid ${amount}`)
  }
})

// ---- binding behaviour ---------------------------------------------------------------

test('amounts are strings: a JS number or bigint where an amount is expected is rejected, never rounded', () => {
  const number = [
    () => ps.gatepayParseOrder(JSON.stringify({ merchantTradeNo: 'ORDER1234', ...GP_BASE, fiatCurrency: 'EUR', fiatAmount: '10' }), { id: 'i', now: GP_NOW, rate: /** @type {any} */ (1.1) }),
    () => ps.monetixParsePurchase(golden('monetix_purchase_request.json'), { id: 'i', now: MX_NOW, rate: /** @type {any} */ (0.01) }),
    () => kp(KP_SEED, { rate: /** @type {any} */ (1) }),
    () => kp(KP_SEED, { fee: /** @type {any} */ (1.5) }),
    () => kp(KP_SEED, { fee: /** @type {any} */ (2n) }),
    () => ps.keypairInvoiceRenderCallback(kp(KP_SEED), { ...KP_RENDER, amount: /** @type {any} */ (726.5) }),
  ]
  for (const call of number) {
    const e = thrown(call)
    assert.ok(e instanceof TypeError || (ps.isPaystateError(e) && e.code === 'invalid_amount'), `${e.name}: ${e.message}`)
  }
  // @ts-expect-error rate is a decimal string
  assert.throws(() => ps.monetixParsePurchase(golden('monetix_purchase_request.json'), { id: 'i', now: MX_NOW, rate: { value: '1' } }), TypeError)
  // The same values as strings are accepted.
  assert.equal(kp(KP_SEED, { rate: '1', fee: '1.5' }).due, '726.5')
})

test('wrong JavaScript types are TypeErrors; a missing context member is missing_field', () => {
  // @ts-expect-error bodies are bytes or text, not parsed JSON
  assert.throws(() => ps.gatenocParseCheckoutSession({ amount: '10.5' }, { id: 'i', now: NOC_NOW }), TypeError)
  // @ts-expect-error bodies are bytes or text
  assert.throws(() => ps.usdtGatewayParseInvoice(42, { id: 'i', now: UG_NOW }), TypeError)
  // @ts-expect-error the context is required
  assert.throws(() => ps.gatepayParseOrder('{}'), TypeError)
  // @ts-expect-error merchantId is a number
  assert.throws(() => ps.gatenocRenderCheckoutSession(noc('{"amount": 5}'), { ...NOC_RENDER, merchantId: '7' }), TypeError)
  // @ts-expect-error isTest is a boolean
  assert.throws(() => ps.usdtGatewayRenderInvoice(ugWith(''), { ...UG_RENDER, isTest: 'yes' }), TypeError)
  // @ts-expect-error an Invoice is not a parsed request
  assert.throws(() => ps.gatenocRenderCheckoutSession(create(noc('{"amount": 5}')), NOC_RENDER), TypeError)
  // @ts-expect-error a parsed request is not an Invoice
  assert.throws(() => ps.gatenocParsePaymentCompleted('{}', noc('{"amount": 5}').request), TypeError)
  // @ts-expect-error keys are strings
  assert.throws(() => ps.gatenocCheckMerchantKey('k', [1]), TypeError)
  rejects(() => ps.usdtGatewayParseInvoice('{"amountUsdt": 1, "assetCode": "USDT_TRC20"}', /** @type {any} */ ({ now: UG_NOW })), 'missing_field', 'id')
  rejects(() => ps.gatenocParseCheckoutSession('{"amount": 1}', /** @type {any} */ ({ id: 'i', now: null })), 'missing_field', 'now')
  rejects(() => ps.gatenocRenderCheckoutSession(noc('{"amount": 5}'), /** @type {any} */ ({ baseUrl: 'x', merchantId: 1 })), 'missing_field', 'sessionToken')
  rejects(() => ps.gatenocParseCheckoutSession('{"amount": 1}', { id: 'i', now: 'yesterday' }), 'invalid_field', 'now')
  // Bodies may be a Buffer, a Uint8Array or a string: the same result.
  const text = '{"amount": 10.5, "note": "n1"}'
  const fromText = noc(text)
  for (const body of [Buffer.from(text), new TextEncoder().encode(text)]) assert.deepEqual(noc(body).spec, fromText.spec)
})

test('a renderer takes only its own dialect\'s request', () => {
  const noc5 = noc('{"amount": 5}')
  const e = thrown(() => ps.usdtGatewayRenderInvoice(noc5, UG_RENDER))
  assert.ok(e instanceof TypeError)
  assert.match(e.message, /usdt_gateway\.invoice/)
  assert.match(e.message, /gatenoc\.checkout_session/)
  assert.throws(() => ps.gatepayRenderOrder(noc5.request, GP_RENDER), TypeError)
  assert.throws(() => ps.monetixRenderDisplayData(noc5, { qrData: '', lifetime: 0, qrUrl: 'u' }), TypeError)
  assert.throws(() => ps.keypairInvoiceRenderCallback(noc5, KP_RENDER), TypeError)
  const refund = ps.monetixParseRefund(golden('monetix_refund_request.json'))
  const payout = ps.monetixParsePayout(golden('monetix_payout_request.json'))
  const { parsed, invoice } = mxInvoice()
  assert.throws(() => ps.monetixRefundCommand(/** @type {any} */ (payout), invoice, 'rf'), TypeError)
  assert.throws(() => ps.monetixRefundCommand(/** @type {any} */ (parsed), invoice, 'rf'), TypeError)
  assert.throws(() => ps.monetixParsePayoutCallback(golden('monetix_payout_success_callback.json'), /** @type {any} */ (refund)), TypeError)
  assert.throws(() => ps.gatenocRenderCheckoutSession(/** @type {any} */ ({ request: {} }), NOC_RENDER), TypeError)
  // A spoofed object is not a DialectRequest.
  const fake = Object.create(ps.DialectRequest.prototype)
  assert.throws(() => ps.gatenocRenderCheckoutSession(fake, NOC_RENDER), TypeError)
})

test('a parsed spec round-trips through Invoice.replay and the journal', () => {
  const parsed = kp(KP_SEED)
  const invoice = create(parsed)
  const cb = ps.keypairInvoiceParseCallback(ps.keypairInvoiceRenderCallback(parsed, KP_RENDER).json, invoice)
  assert.ok(cb.command)
  invoice.apply(cb.command, ms('2026-01-01T00:05:00Z'))
  const replayed = ps.Invoice.replay([
    { at: parsed.createdAt, command: { op: 'create_invoice', invoice: parsed.spec } },
    { at: ms('2026-01-01T00:05:00Z'), command: cb.command },
  ])
  assert.ok(replayed.equals(invoice))
  assert.equal(replayed.status, 'paid')
})

test('every dialect export has JSDoc in the public types (index.d.ts, or native.d.ts it re-exports)', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const native = fs.readFileSync(path.join(__dirname, '..', 'native.d.ts'), 'utf8')
  const reexported = new Set([...dts.matchAll(/^export \{([^}]*)\} from '\.\/native'/gm)].flatMap((m) => m[1].split(',').map((n) => n.trim()).filter(Boolean)))
  const prefixes = ['gatenoc', 'usdtGateway', 'gatepay', 'monetix', 'keypairInvoice']
  const exports = Object.keys(ps).filter((k) => prefixes.some((p) => k.startsWith(p)))
  assert.equal(exports.length, 29, exports.join(', '))
  const declaredHere = [...dts.matchAll(/^export declare function (\w+)\(/gm)].map((m) => m[1])
  const declared = [...declaredHere, ...[...reexported].filter((k) => native.includes(`export declare function ${k}(`))].filter((k) => prefixes.some((p) => k.startsWith(p)))
  assert.deepEqual(declared.sort(), [...exports].sort(), 'the public types declare exactly the dialect exports')
  for (const name of [...exports, 'DialectRequest']) {
    const text = reexported.has(name) ? native : dts
    const decl = name === 'DialectRequest' ? 'export declare class DialectRequest ' : `export declare function ${name}(`
    const at = text.indexOf(decl)
    assert.ok(at > 0, `${name} is not declared`)
    const before = text.slice(0, at).trimEnd()
    assert.ok(before.endsWith('*/'), `${name} has no JSDoc`)
    const doc = before.slice(before.lastIndexOf('/**'))
    assert.ok(doc.length > 40, `${name}: JSDoc too short: ${doc}`)
  }
  assert.match(reexported.has('DialectRequest') ? native : dts, /\/\*\*[^/]*\*\/\s*get kind\(\): DialectRequestKind/)
})
