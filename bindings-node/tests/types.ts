// Type-level test of index.d.ts: compiled by `tsc -p tsconfig.json` (never run). Every line
// below must type-check; the `@ts-expect-error` lines must NOT.
import * as ps from '../index.js'
import type { InvoiceEvent, InvoiceStatus, MatchResult, PaystateErrorCode, Verified, DeliveryNext } from '../index.js'

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
export { first, status, paidEvents, deadline, amount, restored, replayed, key, sigHeader, codes }
