// Type-level test of index.d.ts: compiled by `tsc -p tsconfig.json` (never run). Every line
// below must type-check; the `@ts-expect-error` lines must NOT.
import * as ps from '../index.js'
import type { InvoiceEvent, InvoiceStatus, MatchResult, PaystateErrorCode, Verified, DeliveryNext } from '../index.js'
import type {
  CallbackResult,
  DialectParsed,
  DialectRejection,
  DialectRequestKind,
  GatepayBizStatus,
  MonetixParsedPayout,
  MonetixParsedRefund,
  MonetixPayoutResult,
  Rendered,
} from '../index.js'

const now: Date = new Date()
const { invoice, events } = ps.Invoice.create({ id: 'inv_1', due: '10.50', asset: 'USDT_TRC20', expiresIn: 900, tolerance: { percent: '1' } }, now)
const first: InvoiceEvent = events[0]
const status: InvoiceStatus = invoice.status
const paidEvents: InvoiceEvent[] = invoice.observeTransfer({ txId: 't', amount: '10.5', asset: 'USDT_TRC20', confirmed: true }, Date.now())
const deadline: Date | null = invoice.nextDeadline()
const amount: string = invoice.snapshot().amountPaid
invoice.requestRefund({ refundId: 'r1' }, now)
invoice.settleRefund('r1', 'failed', now)
invoice.mark('invalid', now)
invoice.apply({ op: 'confirm_transfer', tx_id: 't' }, now)
const restored: ps.Invoice = ps.Invoice.fromJSON(invoice.toJSON())
const replayed: ps.Invoice = ps.Invoice.replay([{ at: now, command: { op: 'create_invoice', invoice: { id: 'x', due: '1', asset: 'USDT_TRC20', expires_in: 60 } } }])

// @ts-expect-error amounts are strings, never numbers
invoice.observeTransfer({ txId: 't', amount: 10.5, asset: 'USDT_TRC20', confirmed: true }, now)
// @ts-expect-error outcomes are a closed union
invoice.settleRefund('r1', 'maybe', now)

const m = new ps.Matcher()
const payable: string = m.allocate('acct', 'inv_1', '10', '0.01')
const r: MatchResult = m.match('acct', payable)
if (r.kind === 'matched') {
  const id: string = r.invoiceId
} else if (r.kind === 'ambiguous') {
  const ids: string[] = r.invoiceIds
}

const v = new ps.Verifier('standard_webhooks', ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], { toleranceSeconds: 300 })
const verified: Verified = v.verify({ 'webhook-id': 'a' }, Buffer.from('{}'), now)
const key: string | undefined = verified.replay?.key
// @ts-expect-error unknown scheme names are rejected at compile time
new ps.Verifier('svix', 'k')
new ps.ReplayGuard().record(verified, now)
const signed = ps.sign('stripe', 'k', '{}', { timestamp: now })
const sigHeader: string = signed.headers['Stripe-Signature']

const plan = new ps.DeliveryPlan('d', 'standard_webhooks', now)
const next: DeliveryNext = plan.report(503, now, 120)
if (next.kind === 'retry') {
  const at: Date = next.retryAt
}
const s = ps.Session.open('s1', invoice, 600, now)
s.use(invoice, now)

try {
  invoice.cancel(now)
} catch (e) {
  if (ps.isPaystateError(e)) {
    const code: PaystateErrorCode = e.code
    const field: string | undefined = e.field
  }
}
const codes: PaystateErrorCode[] = ps.errorCodes()

// Dialects: parse a provider request, create the invoice, render the answer, apply callbacks.
const parsed: DialectParsed = ps.gatenocParseCheckoutSession('{"amount": 10.50, "note": "order_123"}', { id: 'inv_g', now, ttlSeconds: 900 })
const specFromParsed: ps.InvoiceSpec = parsed.spec
const dueFromParsed: string = parsed.due
const deadlineFromParsed: Date = parsed.deadline
const kind: DialectRequestKind = parsed.request.kind
const { invoice: gInvoice } = ps.Invoice.create(parsed.spec, parsed.createdAt)
const rendered: Rendered = ps.gatenocRenderCheckoutSession(parsed, { baseUrl: 'https://gatenoc.com', merchantId: 7, sessionToken: 'tok' })
const wire: string = rendered.json
ps.gatenocRenderCheckoutSession(parsed.request, { baseUrl: 'https://gatenoc.com', merchantId: 7, sessionToken: 'tok' })
const completed: CallbackResult = ps.gatenocParsePaymentCompleted(ps.gatenocRenderPaymentCompleted(gInvoice, { bybitPayId: 'b', paymentRecordId: 'r' }).json, gInvoice)
if (completed.command !== null) gInvoice.apply(completed.command, now)
const at: Date | null = completed.at
const keyIndex: number = ps.gatenocCheckMerchantKey(null, ['k1', 'k2'])
// @ts-expect-error merchantId is a number
ps.gatenocRenderCheckoutSession(parsed, { baseUrl: 'https://gatenoc.com', merchantId: '7', sessionToken: 'tok' })
// @ts-expect-error a renderer takes a parsed request, not an invoice
ps.gatenocRenderCheckoutSession(gInvoice, { baseUrl: 'https://gatenoc.com', merchantId: 7, sessionToken: 'tok' })

const ug: DialectParsed = ps.usdtGatewayParseInvoice(Buffer.from('{"amountUsdt": 150.0000, "assetCode": "USDT_TRC20"}'), { id: 'inv_u', now: Date.now(), generatedReference: 'R-1' })
const mode: 'test' | 'live' = ps.usdtGatewayKeyMode('Bearer test_abc')
ps.usdtGatewayRenderInvoice(ug, { payoutAddress: 'TX', paymentUrl: 'https://pay.example.com/x', isTest: mode === 'test' })
const dup: DialectRejection = ps.usdtGatewayDuplicateReference('ORDER-1')
const dupStatus: number | null = dup.httpStatus
const limited: Rendered = ps.usdtGatewayErrorBody(429, 'slow down')
const { invoice: uInvoice } = ps.Invoice.create(ug.spec, ug.createdAt)
const hook = ps.usdtGatewayRenderWebhook(uInvoice, { merchantId: 'm', payoutAddress: 'TX', txHash: 'h', paidAt: '2026-01-01T00:00:00Z' })
ps.usdtGatewayParseWebhook(hook.json, uInvoice)

const gp: DialectParsed = ps.gatepayParseOrder(new Uint8Array(2), { id: 'inv_gp', now, rate: '1.1' })
// @ts-expect-error rates are decimal strings, never numbers
ps.gatepayParseOrder('{}', { id: 'inv_gp', now, rate: 1.1 })
ps.gatepayRenderOrder(gp, { prepayId: 'p', qrContent: 'q', location: 'l', address: 'a' })
const bizStatus: GatepayBizStatus = 'PAY_CLOSE'
ps.gatepayParseNotification(ps.gatepayRenderNotification(gInvoice, bizStatus, { prepayId: 'p', clientId: 'c', transactionId: 't', createTime: now }).json, gInvoice)
// @ts-expect-error notification statuses are a closed union
ps.gatepayRenderNotification(gInvoice, 'PAY_MAYBE', { prepayId: 'p', clientId: 'c', transactionId: 't', createTime: now })

const mx: DialectParsed = ps.monetixParsePurchase('{}', { id: 'inv_mx', now, rate: '0.01' })
const display: Rendered<Array<Record<string, string>>> = ps.monetixRenderDisplayData(mx, { qrData: '', lifetime: now, qrUrl: 'https://qr' })
const qrType: string = display.body[0].type
const refund: MonetixParsedRefund = ps.monetixParseRefund('{}')
const refundCommand: ps.Command = ps.monetixRefundCommand(refund, gInvoice, 'rf_1')
ps.monetixParseRefundCallback('{}', gInvoice)
ps.monetixParseRefundCallback('{}', gInvoice, 'rf_1')
ps.monetixParseSaleCallback('{}', gInvoice)
const payout: MonetixParsedPayout = ps.monetixParsePayout('{}')
const payoutResult: MonetixPayoutResult = ps.monetixParsePayoutCallback('{}', payout)
const outcome: 'succeeded' | 'failed' | 'in_progress' = payoutResult.outcome

const kp: DialectParsed = ps.keypairInvoiceParseInvoice('{}', { id: 'inv_kp', now, fee: '1.5', asset: 'USDT_ERC20' })
// @ts-expect-error the host asset is one of the five assets
ps.keypairInvoiceParseInvoice('{}', { id: 'inv_kp', now, asset: 'BTC' })
ps.keypairInvoiceRenderCallback(kp, { privateKey: 'sk', id: 'i', amount: '726.5', amountCurrency: 'USDT-TRC20', refUrl: 'r', ip: '203.0.113.7', createdAt: now })
// @ts-expect-error amounts are decimal strings, never numbers
ps.keypairInvoiceRenderCallback(kp, { privateKey: 'sk', id: 'i', amount: 726.5, amountCurrency: 'USDT-TRC20', refUrl: 'r', ip: '203.0.113.7', createdAt: now })
ps.keypairInvoiceParseCallback('{}', gInvoice)
const okBody: Rendered = ps.keypairInvoiceRenderInvoice('https://pay.example/i/1')
const errBody: Rendered = ps.keypairInvoiceErrorBody('nope')

try {
  ps.usdtGatewayParseInvoice('{}', { id: 'x', now })
} catch (e) {
  if (ps.isPaystateError(e)) {
    const rejected = e as DialectRejection
    const status: number | null = rejected.httpStatus
    const body: Record<string, unknown> | null = rejected.body
    const text: string | null = rejected.bodyJson
    const providerField: string | undefined = rejected.field
  }
}
export { first, status, paidEvents, deadline, amount, restored, replayed, key, sigHeader, codes }
export { specFromParsed, dueFromParsed, deadlineFromParsed, kind, wire, at, keyIndex, dupStatus, limited, display, qrType, refundCommand, outcome, okBody, errBody }
