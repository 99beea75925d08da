'use strict'
/**
 * An Express payment backend on paystate — a starting point, not a framework.
 *
 *   POST /invoices            create an invoice            (JSON body)
 *   GET  /invoices/:id        its status and amounts       (applies passed deadlines first)
 *   POST /webhooks/payments   signed transfer notifications from the payment gateway
 *                             (seed 001 `usdt_gateway`: X-Webhook-Signature = hex HMAC-SHA256
 *                             of the RAW body)
 *
 * paystate does no I/O: this file owns the HTTP, the clock and the storage (an in-memory
 * Map of stored invoice JSON here; a database table in production), and paystate decides.
 *
 * Run: WEBHOOK_SECRET=... PORT=3000 node server.js
 */
const express = require('express')
const ps = require('paystate')

/** HTTP status for each paystate error code a client can cause. */
function httpStatus(code) {
  switch (code) {
    case 'signature_missing':
    case 'signature_malformed':
    case 'signature_mismatch':
    case 'timestamp_out_of_tolerance':
      return 401
    case 'invalid_transition':
    case 'integrity_conflict':
    case 'asset_mismatch':
    case 'replayed':
      return 409
    default:
      return 422
  }
}

/**
 * Builds the app. Everything the service needs from the outside world is injected, so tests
 * can pin the clock and inspect the store.
 * @param {{ webhookSecret: string | string[], now?: () => Date, store?: Map<string, string> }} options
 */
function createApp({ webhookSecret, now = () => new Date(), store = new Map() }) {
  const app = express()
  // Built once: the secrets are decoded and pre-keyed here, so each request only hashes.
  // Pass [newSecret, oldSecret] while rotating keys; `verified.keyIndex` says which matched.
  const verifier = new ps.Verifier('usdt_gateway', webhookSecret)
  // Remembers accepted deliveries so a captured request cannot be replayed. Persist it
  // (`guard.toJSON()`) next to your data if you run several processes.
  const guard = new ps.ReplayGuard()

  const load = (id) => (store.has(id) ? ps.Invoice.fromJSON(/** @type {string} */ (store.get(id))) : null)
  const save = (invoice) => store.set(invoice.id, invoice.toJSONString())
  const view = (invoice) => ({
    id: invoice.id,
    reference: invoice.reference,
    asset: invoice.asset,
    due: invoice.due,
    deadline: invoice.deadline.toISOString(),
    ...invoice.snapshot(),
  })

  // THE CLASSIC PITFALL: a webhook signature is computed over the exact bytes the sender
  // sent. If `express.json()` runs first, the body is parsed and any re-serialisation
  // (key order, spacing, number formatting) no longer matches the signature. So this route
  // is registered BEFORE the JSON parser and takes the body raw, as a Buffer.
  app.post('/webhooks/payments', express.raw({ type: 'application/json', limit: '1mb' }), (req, res) => {
    if (!Buffer.isBuffer(req.body)) {
      // express.raw only reads bodies whose Content-Type matches; anything else arrives as {}.
      return res.status(415).json({ code: 'unsupported_media_type', message: 'send application/json' })
    }
    const at = now()
    let verified
    try {
      verified = verifier.verify(req.headers, req.body, at)
      guard.record(verified, at)
    } catch (err) {
      if (ps.isPaystateError(err) && err.code === 'replayed') {
        // Already processed: answer 200 so the sender stops retrying.
        return res.status(200).json({ duplicate: true })
      }
      throw err
    }
    // Only now, with the bytes authenticated, parse them.
    const note = JSON.parse(req.body.toString('utf8'))
    const invoice = load(String(note.invoice_id))
    if (!invoice) return res.status(404).json({ code: 'unknown_invoice' })
    const events = invoice.observeTransfer(
      { txId: note.tx_id, amount: note.amount, asset: note.asset, confirmed: note.confirmed === true },
      at,
    )
    save(invoice)
    // Publish `events` here (queue, outbox table, emails). Event ids are stable: deduplicate on them.
    res.json({ status: invoice.status, events: events.map((e) => ({ id: e.id, type: e.type })) })
  })

  // Every other route gets parsed JSON.
  app.use(express.json())

  app.post('/invoices', (req, res) => {
    const body = req.body ?? {}
    const { invoice, events } = ps.Invoice.create(
      {
        id: body.id,
        reference: body.reference,
        due: body.due, // a decimal string: a JSON number is refused with invalid_amount
        asset: body.asset ?? 'USDT_TRC20',
        expiresIn: body.expires_in ?? 900,
        tolerance: body.tolerance,
      },
      now(),
    )
    if (store.has(invoice.id)) return res.status(409).json({ code: 'invoice_exists' })
    save(invoice)
    res.status(201).json({ ...view(invoice), events: events.map((e) => e.type) })
  })

  app.get('/invoices/:id', (req, res) => {
    const invoice = load(req.params.id)
    if (!invoice) return res.status(404).json({ code: 'unknown_invoice' })
    // The core never reads a clock: apply the deadlines passed by now, then answer.
    if (invoice.tick(now()).length > 0) save(invoice)
    res.json({ ...view(invoice), nextDeadline: invoice.nextDeadline()?.toISOString() ?? null })
  })

  // Express 5 forwards thrown errors here: paystate errors carry a stable code and field.
  app.use((err, req, res, next) => {
    if (ps.isPaystateError(err)) {
      return res.status(httpStatus(err.code)).json({ code: err.code, field: err.field ?? null, message: err.message })
    }
    if (err instanceof TypeError) return res.status(400).json({ code: 'bad_request', message: err.message })
    if (err && err.type === 'entity.parse.failed') return res.status(400).json({ code: 'malformed_json' })
    next(err)
  })
  return app
}

module.exports = { createApp }

if (require.main === module) {
  const secret = process.env.WEBHOOK_SECRET
  if (!secret) {
    console.error('set WEBHOOK_SECRET')
    process.exit(1)
  }
  const port = Number(process.env.PORT || 3000)
  createApp({ webhookSecret: secret }).listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`))
}
