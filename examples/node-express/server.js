'use strict'
/**
 * An Express payment backend on paystate and PostgreSQL — a starting point, not a framework.
 *
 *   POST /invoices              create an invoice: {"id", "amount", "asset"?, "expires_in"?, "reference"?}
 *   GET  /invoices/:id          its status and amounts (`status`, `amount_paid`, ...)
 *   GET  /invoices/:id/events   its outbox rows
 *   POST /webhooks/payments     a Standard-Webhooks-signed transfer notification
 *                               {"invoice_id", "tx_id", "amount", "asset", "confirmed"}
 *   POST /tasks/tick            applies passed deadlines, purges expired replay keys
 *
 * As the shop of a seed-001 gateway (`usdt_gateway`; `paystate sandbox` is one), with
 * GATEWAY_URL, GATEWAY_API_KEY, GATEWAY_WEBHOOK_SECRETS and CALLBACK_URL set:
 *
 *   POST /orders                {"amount", "asset"?, "reference"?, "expires_in"?, "metadata"?}:
 *                               creates the invoice at the gateway and keeps a copy keyed by
 *                               the gateway's reference (the same reference again: same order)
 *   GET  /orders/:reference     the copy: status (`paid` once the webhook arrived), amounts
 *   POST /orders/:reference/sync  asks the gateway; `expired` there applies the deadline here
 *   POST /webhooks/usdt-gateway the gateway's X-Webhook-Signature webhook, verified and parsed
 *                               by paystate, applied like a transfer notification
 *
 * Run (the environment is the whole configuration; start as many processes as you like on
 * one database):
 *
 *   DATABASE_URL=postgres://... WEBHOOK_SECRETS=whsec_...[,whsec_...] PORT=3000 node server.js
 *   DATABASE_URL=postgres://... GATEWAY_URL=http://127.0.0.1:8080 GATEWAY_API_KEY=test_... \
 *     GATEWAY_WEBHOOK_SECRETS=... CALLBACK_URL=http://127.0.0.1:3000/webhooks/usdt-gateway node server.js
 *
 * paystate does no I/O: this file owns the HTTP, the clock and the storage, and paystate
 * decides. How a webhook is applied (`applyCommand`; docs/architecture.md, "Optimistic
 * concurrency"): verify the raw bytes, read the invoice and apply the command in memory,
 * then ONE transaction claims the delivery's replay key, writes the invoice with
 * `UPDATE ... WHERE version = $n`, appends the journal entry and the outbox rows. A crash
 * before COMMIT leaves nothing, so the provider's retry applies the payment; after COMMIT
 * the key is there, so the retry is acknowledged (2xx) and not applied twice. When another
 * process wrote the invoice first, the command is re-applied to the fresh state; after
 * OPTIMISTIC_ATTEMPTS conflicts the last attempt takes the row lock (`FOR UPDATE`) first.
 */
const { randomBytes } = require('node:crypto')
const express = require('express')
const { Pool } = require('pg')
const ps = require('paystate')

const SCHEMA = `
CREATE TABLE IF NOT EXISTS invoices (
  id text PRIMARY KEY,
  state text NOT NULL,                -- Invoice.toJSONString(), as the core wrote it
  version bigint NOT NULL,            -- paystate's version: optimistic concurrency
  status text NOT NULL,
  next_deadline timestamptz           -- when to tick it next (NULL: never)
);
CREATE INDEX IF NOT EXISTS invoices_next_deadline ON invoices (next_deadline);
CREATE TABLE IF NOT EXISTS invoice_journal (
  invoice_id text NOT NULL,
  version bigint NOT NULL,            -- the invoice's version after this command
  at timestamptz NOT NULL,
  command jsonb NOT NULL,             -- the command in the journal shape (Invoice.replay)
  PRIMARY KEY (invoice_id, version)
);
CREATE TABLE IF NOT EXISTS outbox (
  position bigint GENERATED ALWAYS AS IDENTITY,  -- publication order
  event_id text PRIMARY KEY,          -- "{invoice_id}:{seq}", stable across replays
  invoice_id text NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_invoice ON outbox (invoice_id);
-- Replay protection as rows (docs/spec.md §6): a key is kept until the time after which
-- the signature check refuses the delivery anyway, then purged.
CREATE TABLE IF NOT EXISTS replay_keys (
  key text PRIMARY KEY,               -- verified.replay.key
  keep_until timestamptz NOT NULL     -- verified.replay.keepUntil
);
CREATE INDEX IF NOT EXISTS replay_keys_keep_until ON replay_keys (keep_until);
-- Orders created at a seed-001 gateway: its reference names the order, its id the invoice.
CREATE TABLE IF NOT EXISTS gateway_orders (
  reference text PRIMARY KEY,
  invoice_id text NOT NULL UNIQUE REFERENCES invoices (id),
  payment_url text NOT NULL
);
`
/** Serialises schema creation between processes starting at once (any constant works). */
const SCHEMA_LOCK = 7_023_001
/**
 * Optimistic attempts before the last one, which takes the row lock. Few: on a hot invoice
 * every lost attempt is a wasted parse-apply-serialise of the whole document.
 */
const OPTIMISTIC_ATTEMPTS = 2
/** Expired replay keys deleted per webhook, so the table stays small without a scheduler. */
const PURGE_PER_WEBHOOK = 64

class UnknownInvoice extends Error {}
class BadRequest extends Error {
  /** @param {number} status @param {string} code @param {string | null} field @param {string} message */
  constructor(status, code, field, message) {
    super(message)
    this.status = status
    this.code = code
    this.field = field
  }
}

/** Creates the tables when missing; safe to run from every process at start. */
async function migrate(pool) {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK])
    await client.query(SCHEMA)
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/** Runs `fn` in one transaction on one connection; rolls back when it throws. */
async function transaction(pool, fn) {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/** The gateway refused a call or could not be reached: `status` is what our client gets. */
class GatewayError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** A rollback that is not an error: the attempt lost a race and is tried again. */
class Retry extends Error {}

function rowValues(invoice) {
  return [invoice.id, invoice.toJSONString(), invoice.version, invoice.status, invoice.nextDeadline()]
}

async function writeJournalAndOutbox(client, invoice, command, now, events) {
  await client.query('INSERT INTO invoice_journal (invoice_id, version, at, command) VALUES ($1, $2, $3, $4)', [
    invoice.id,
    invoice.version,
    now,
    JSON.stringify(command),
  ])
  for (const e of events) {
    await client.query(
      'INSERT INTO outbox (event_id, invoice_id, type, payload) VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING',
      [e.id, e.invoiceId, e.type, JSON.stringify(e)],
    )
  }
}

async function loadInvoice(db, invoiceId, lock = '') {
  const { rows } = await db.query(`SELECT state, version FROM invoices WHERE id = $1 ${lock}`, [invoiceId])
  if (rows.length === 0) return null
  return { invoice: ps.Invoice.fromJSON(rows[0].state), version: Number(rows[0].version) }
}

/**
 * Applies `command` (journal shape) to the stored invoice at `now` and, when `replay` is
 * given, records its key in the same transaction. Returns `{invoice, events, duplicate}`.
 * Throws UnknownInvoice or a paystate error with nothing recorded.
 * @param {import('pg').Pool} pool
 * @param {string} invoiceId
 * @param {any} command
 * @param {Date} now
 * @param {{ key: string, keepUntil: Date } | undefined} replay
 */
async function applyCommand(pool, invoiceId, command, now, replay) {
  for (let attempt = 0; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
    const underLock = attempt === OPTIMISTIC_ATTEMPTS
    let read = null
    let events = []
    if (!underLock) {
      // Optimistic: read and apply without holding any lock.
      if (replay && (await seen(pool, replay.key, now))) return duplicate(pool, invoiceId)
      read = await loadInvoice(pool, invoiceId)
      if (!read) throw new UnknownInvoice(invoiceId)
      events = read.invoice.apply(command, now)
    }
    try {
      return await transaction(pool, async (client) => {
        if (replay) {
          // Claim the key first: a concurrent delivery with the same key waits here until
          // this transaction ends, then finds it taken (or free again after a rollback).
          const claimed = await client.query(
            `INSERT INTO replay_keys (key, keep_until) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET keep_until = EXCLUDED.keep_until WHERE replay_keys.keep_until <= $3
             RETURNING key`,
            [replay.key, replay.keepUntil, now],
          )
          if (claimed.rowCount === 0) return duplicate(client, invoiceId) // nothing was written
        }
        if (underLock) {
          read = await loadInvoice(client, invoiceId, 'FOR UPDATE')
          if (!read) throw new UnknownInvoice(invoiceId)
          events = read.invoice.apply(command, now)
        }
        if (events.length > 0) {
          const [id, state, version, status, deadline] = rowValues(read.invoice)
          const updated = await client.query(
            'UPDATE invoices SET state = $2, version = $3, status = $4, next_deadline = $5 WHERE id = $1 AND version = $6',
            [id, state, version, status, deadline, read.version],
          )
          if (updated.rowCount !== 1) throw new Retry()
          await writeJournalAndOutbox(client, read.invoice, command, now, events)
        } else if (!underLock) {
          // No events: a repeat that changes nothing (the core may still count it in
          // `version`), so nothing to write but the key. That verdict holds for the version
          // read: hold it (FOR SHARE) until the key is committed.
          const { rows } = await client.query('SELECT version FROM invoices WHERE id = $1 FOR SHARE', [invoiceId])
          if (rows.length !== 1 || Number(rows[0].version) !== read.version) throw new Retry()
        }
        if (replay) {
          await client.query(
            `DELETE FROM replay_keys WHERE key IN
               (SELECT key FROM replay_keys WHERE keep_until <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
            [now, PURGE_PER_WEBHOOK],
          )
        }
        return { invoice: read.invoice, events, duplicate: false }
      })
    } catch (err) {
      if (err instanceof Retry) continue // another process won: re-apply to the fresh state
      throw err
    }
  }
  throw new Error('unreachable: the last attempt holds the row lock')
}

async function seen(db, key, now) {
  const { rowCount } = await db.query('SELECT 1 FROM replay_keys WHERE key = $1 AND keep_until > $2', [key, now])
  return rowCount > 0
}

async function duplicate(db, invoiceId) {
  const read = await loadInvoice(db, invoiceId)
  if (!read) throw new UnknownInvoice(invoiceId)
  return { invoice: read.invoice, events: [], duplicate: true }
}

function view(invoice) {
  const snap = invoice.snapshot()
  const deadline = invoice.nextDeadline()
  return {
    id: invoice.id,
    reference: invoice.reference,
    status: snap.status,
    exceptions: snap.exceptions,
    asset: invoice.asset,
    due: invoice.due,
    amount_paid: snap.amountPaid,
    amount_pending: snap.amountPending,
    amount_held: snap.amountHeld,
    refundable: snap.refundable,
    deadline: invoice.deadline.toISOString(),
    next_deadline: deadline ? deadline.toISOString() : null,
    version: invoice.version,
  }
}

/**
 * The notification's fields, checked: strings, and `confirmed` a JSON boolean (`"false"`
 * is refused, never read as true; absent means unconfirmed).
 * @param {Buffer} raw
 */
function parseNotification(raw) {
  let note
  try {
    note = JSON.parse(raw.toString('utf8'))
  } catch {
    throw new BadRequest(422, 'invalid_field', 'body', 'the body is not JSON')
  }
  if (note === null || typeof note !== 'object' || Array.isArray(note)) {
    throw new BadRequest(422, 'invalid_field', 'body', 'the body is not a JSON object')
  }
  for (const field of ['invoice_id', 'tx_id', 'amount', 'asset']) {
    if (typeof note[field] !== 'string') throw new BadRequest(422, 'invalid_field', field, `${field} must be a string`)
  }
  const confirmed = note.confirmed === undefined ? false : note.confirmed
  if (typeof confirmed !== 'boolean') {
    throw new BadRequest(422, 'invalid_field', 'confirmed', 'confirmed must be true or false')
  }
  return { invoiceId: note.invoice_id, txId: note.tx_id, amount: note.amount, asset: note.asset, confirmed }
}

/** HTTP status for each paystate error code a request can cause. */
function httpStatus(code) {
  switch (code) {
    case 'signature_missing':
    case 'signature_malformed':
    case 'signature_mismatch':
    case 'timestamp_out_of_tolerance':
      return 401
    case 'integrity_conflict':
    case 'invalid_transition':
      return 409
    default:
      return 422
  }
}

/**
 * A seed-001 gateway (`usdt_gateway`) the shop creates its invoices at. `callbackUrl` is
 * this service's `/webhooks/usdt-gateway` as the gateway reaches it.
 * @typedef {{ baseUrl: string, apiKey: string, webhookSecrets: string[], callbackUrl?: string }} Gateway
 */

/** The seed's answer must come "within 30 seconds"; the shop waits less for its own calls. */
const GATEWAY_TIMEOUT_MS = 15_000

/** One seed-001 call; the parsed JSON document when the status is `expected`, `null` on 409 if `conflictOk`. */
async function gatewayCall(gateway, method, path, body, expected, conflictOk = false) {
  let res
  try {
    res = await fetch(gateway.baseUrl.replace(/\/+$/, '') + path, {
      method,
      headers: {
        authorization: `Bearer ${gateway.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body,
      signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
    })
  } catch (err) {
    // Nothing was recorded here; the client may retry with the same reference.
    throw new GatewayError(502, 'gateway_unreachable', err && err.name ? err.name : 'fetch failed')
  }
  if (conflictOk && res.status === 409) return null
  const text = await res.text()
  let doc = null
  try {
    // Amounts in the gateway's documents are strings (`amountUsdtExact`); none is read as a number.
    doc = JSON.parse(text)
  } catch {
    doc = null
  }
  if (res.status !== expected || doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    const message = doc && typeof doc.message === 'string' ? doc.message : text.slice(0, 200)
    throw new GatewayError(502, 'gateway_refused', `gateway answered ${res.status}: ${message}`)
  }
  return doc
}

/**
 * The shop's copy of the gateway's invoice: our request, parsed by paystate's seed-001
 * dialect at the gateway's id and creation time, so its deadline is the gateway's.
 */
function mirror(sent, doc) {
  let parsed
  let created
  try {
    parsed = ps.usdtGatewayParseInvoice(sent, { id: String(doc.id), now: String(doc.createdAt) })
    created = ps.Invoice.create(parsed.spec, parsed.createdAt)
  } catch (err) {
    if (ps.isPaystateError(err)) throw new GatewayError(502, 'gateway_mismatch', `gateway document: ${err.message}`)
    throw err
  }
  const { invoice } = created
  // An adopted invoice (our earlier attempt's) must be the one we asked for.
  const sameDeadline = new Date(String(doc.expiresAt)).getTime() === invoice.deadline.getTime()
  const sameAmount = typeof doc.amountUsdtExact === 'string' && ps.compareAmounts(doc.amountUsdtExact, invoice.due) === 0
  if (!sameDeadline || !sameAmount || doc.assetCode !== invoice.asset) {
    throw new GatewayError(409, 'reference_conflict', 'the gateway holds a different invoice for this reference')
  }
  return { ...created, createdAt: parsed.createdAt }
}

async function findOrder(db, reference) {
  const { rows } = await db.query('SELECT invoice_id, payment_url FROM gateway_orders WHERE reference = $1', [reference])
  return rows.length === 0 ? null : { invoiceId: rows[0].invoice_id, paymentUrl: rows[0].payment_url }
}

async function orderView(db, reference, at) {
  const order = await findOrder(db, reference)
  const read = order && (await loadInvoice(db, order.invoiceId))
  if (!read) throw new BadRequest(404, 'unknown_order', 'reference', 'no such order')
  return { reference, payment_url: order.paymentUrl, ...view(read.invoice), status_now: read.invoice.statusAt(at) }
}

/** The seed-001 shop: orders created at the gateway, its webhooks applied here. */
function gatewayRoutes(app, pool, gateway, now) {
  const verifier = new ps.Verifier('usdt_gateway', gateway.webhookSecrets)

  app.post('/webhooks/usdt-gateway', express.raw({ type: 'application/json', limit: '1mb' }), async (req, res) => {
    if (!Buffer.isBuffer(req.body)) {
      return res.status(415).json({ code: 'unsupported_media_type', message: 'send application/json' })
    }
    const at = now()
    const verified = verifier.verify(req.headers, req.body, at) // throws: 401
    // The unsigned header only finds the invoice; the signed body must then agree with it
    // (reference, asset, amount), which usdtGatewayParseWebhook checks.
    const reference = String(req.headers['x-invoice-reference'] ?? '')
    const order = await findOrder(pool, reference)
    const read = order && (await loadInvoice(pool, order.invoiceId))
    // Maybe not committed yet: a 404 makes the gateway retry.
    if (!read) throw new BadRequest(404, 'unknown_order', 'reference', 'no such order')
    const result = ps.usdtGatewayParseWebhook(req.body, read.invoice)
    if (result.command === null) {
      // `pending`/`expired`: nothing the core does not derive itself.
      return res.json({ ...(await orderView(pool, reference, at)), duplicate: false, events: [] })
    }
    const applied = await applyCommand(pool, order.invoiceId, result.command, at, verified.replay)
    res.json({ ...(await orderView(pool, reference, at)), duplicate: applied.duplicate, events: applied.events.map((e) => e.type) })
  })

  app.post('/orders', express.json(), async (req, res) => {
    const body = req.body ?? {}
    if (typeof body.amount !== 'string') {
      // Sent on as it came: a decimal string, never through a float.
      throw new BadRequest(422, 'invalid_amount', 'amount', 'amount must be a decimal string')
    }
    const reference = body.reference || `ORDER-${randomBytes(8).toString('hex').toUpperCase()}`
    const request = {
      amountUsdt: body.amount,
      assetCode: body.asset ?? 'USDT_TRC20',
      reference,
      expirySeconds: body.expires_in ?? 1800,
      ...(gateway.callbackUrl ? { callbackUrl: gateway.callbackUrl } : {}),
      ...(body.metadata != null ? { metadata: body.metadata } : {}),
    }
    const sent = Buffer.from(JSON.stringify(request))
    const at = now()
    // The gateway's own rules, checked before the call (its 400 is our 422).
    ps.usdtGatewayParseInvoice(sent, { id: 'check', now: at })
    const existing = await findOrder(pool, reference)
    if (existing) {
      // The same order asked for again: the same answer, unless it asks for another one.
      const known = await loadInvoice(pool, existing.invoiceId)
      if (!known || ps.compareAmounts(body.amount, known.invoice.due) !== 0 || known.invoice.asset !== request.assetCode) {
        throw new BadRequest(409, 'reference_conflict', 'reference', 'another order has it')
      }
      return res.json(await orderView(pool, reference, at))
    }
    let doc = await gatewayCall(gateway, 'POST', '/api/v1/invoices', sent, 201, true)
    // Taken: our earlier attempt created it and did not record it (a crash, a lost answer).
    // Adopt it if it is the invoice we asked for.
    if (doc === null) doc = await gatewayCall(gateway, 'GET', `/api/v1/invoices/reference/${encodeURIComponent(reference)}`, undefined, 200)
    const { invoice, events, createdAt } = mirror(sent, doc)
    const created = await transaction(pool, async (client) => {
      const inserted = await client.query(
        'INSERT INTO invoices (id, state, version, status, next_deadline) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING',
        rowValues(invoice),
      )
      if (inserted.rowCount !== 1) return false
      const order = await client.query(
        'INSERT INTO gateway_orders (reference, invoice_id, payment_url) VALUES ($1, $2, $3) ON CONFLICT (reference) DO NOTHING',
        [reference, invoice.id, String(doc.paymentUrl ?? '')],
      )
      if (order.rowCount !== 1) throw new Retry() // rolls the invoice back: the order exists
      // Journaled at the gateway's creation time, so a replay rebuilds the same deadline.
      await writeJournalAndOutbox(client, invoice, { op: 'create_invoice', invoice: invoice.spec }, createdAt, events)
      return true
    }).catch((err) => {
      if (err instanceof Retry) return false
      throw err
    })
    res.status(created ? 201 : 200).json(await orderView(pool, reference, at))
  })

  app.get('/orders/:reference', async (req, res) => {
    res.json(await orderView(pool, req.params.reference, now()))
  })

  app.post('/orders/:reference/sync', async (req, res) => {
    const at = now()
    const order = await findOrder(pool, req.params.reference)
    const read = order && (await loadInvoice(pool, order.invoiceId))
    if (!read) throw new BadRequest(404, 'unknown_order', 'reference', 'no such order')
    const doc = await gatewayCall(gateway, 'GET', `/api/v1/invoices/${encodeURIComponent(order.invoiceId)}`, undefined, 200)
    if (doc.status === 'expired') {
      // The deadline passed on the gateway's clock (a sandbox's test clock runs ahead of
      // ours): apply it here too. The core expires only what is still unpaid.
      const deadline = read.invoice.deadline
      await applyCommand(pool, order.invoiceId, { op: 'tick' }, at > deadline ? at : deadline, undefined)
    }
    res.json({ ...(await orderView(pool, req.params.reference, at)), gateway_status: doc.status })
  })
}

/**
 * Builds the app on a pg Pool. The clock is injectable for tests. `gateway`, when given, is
 * a seed-001 gateway to create orders at (`/orders`, `/webhooks/usdt-gateway`); without
 * `webhookSecrets` the Standard Webhooks route answers 404.
 * @param {{ pool: import('pg').Pool, webhookSecrets: string[], now?: () => Date, gateway?: Gateway }} options
 */
function createApp({ pool, webhookSecrets, now = () => new Date(), gateway }) {
  const app = express()
  // Built once: the secrets are decoded and pre-keyed here, so each request only hashes.
  // Several secrets during a key rotation; `verified.keyIndex` says which matched.
  const verifier = webhookSecrets.length > 0 ? new ps.Verifier('standard_webhooks', webhookSecrets) : null

  // THE CLASSIC PITFALL: the signature covers the exact bytes the sender sent. If
  // `express.json()` ran first, the body would be parsed and any re-serialisation would no
  // longer match. So this route is registered BEFORE the JSON parser and takes the raw body.
  app.post('/webhooks/payments', express.raw({ type: 'application/json', limit: '1mb' }), async (req, res) => {
    if (!Buffer.isBuffer(req.body)) {
      // express.raw only reads bodies whose Content-Type matches; anything else arrives as {}.
      return res.status(415).json({ code: 'unsupported_media_type', message: 'send application/json' })
    }
    if (!verifier) return res.status(404).json({ code: 'not_configured', message: 'no WEBHOOK_SECRETS configured' })
    const at = now()
    const verified = verifier.verify(req.headers, req.body, at) // throws: 401
    // Only now, with the bytes authenticated, parse them.
    const note = parseNotification(req.body)
    const command = {
      op: 'observe_transfer',
      transfer: { tx_id: note.txId, amount: note.amount, asset: note.asset, confirmed: note.confirmed },
    }
    const applied = await applyCommand(pool, note.invoiceId, command, at, verified.replay)
    // The outbox rows are written; a relay publishes them (event ids are stable: deduplicate on them).
    res.json({ ...view(applied.invoice), duplicate: applied.duplicate, events: applied.events.map((e) => e.type) })
  })

  if (gateway) gatewayRoutes(app, pool, gateway, now)

  // Every other route gets parsed JSON.
  app.use(express.json())

  app.post('/invoices', async (req, res) => {
    const body = req.body ?? {}
    const at = now()
    const { invoice, events } = ps.Invoice.create(
      {
        id: body.id,
        reference: body.reference,
        due: body.amount, // a decimal string: a JSON number is refused with invalid_amount
        asset: body.asset ?? 'USDT_TRC20',
        expiresIn: body.expires_in ?? 1800,
      },
      at,
    )
    const created = await transaction(pool, async (client) => {
      const inserted = await client.query(
        'INSERT INTO invoices (id, state, version, status, next_deadline) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING',
        rowValues(invoice),
      )
      if (inserted.rowCount !== 1) return false
      await writeJournalAndOutbox(client, invoice, { op: 'create_invoice', invoice: invoice.spec }, at, events)
      return true
    })
    if (!created) return res.status(409).json({ code: 'invoice_exists', field: 'id' })
    res.status(201).json(view(invoice))
  })

  app.get('/invoices/:id', async (req, res) => {
    const read = await loadInvoice(pool, req.params.id)
    if (!read) return res.status(404).json({ code: 'unknown_invoice', field: 'invoice_id' })
    // The core never reads a clock: `status_now` is the status once passed deadlines apply.
    res.json({ ...view(read.invoice), status_now: read.invoice.statusAt(now()) })
  })

  app.get('/invoices/:id/events', async (req, res) => {
    const { rows } = await pool.query('SELECT payload FROM outbox WHERE invoice_id = $1 ORDER BY position', [req.params.id])
    res.json(rows.map((r) => r.payload))
  })

  app.post('/tasks/tick', async (req, res) => {
    const at = now()
    const { rows } = await pool.query('SELECT id FROM invoices WHERE next_deadline <= $1 ORDER BY id', [at])
    for (const { id } of rows) await applyCommand(pool, id, { op: 'tick' }, at, undefined)
    const purged = await pool.query('DELETE FROM replay_keys WHERE keep_until <= $1', [at])
    res.json({ ticked: rows.map((r) => r.id), replay_keys_purged: purged.rowCount })
  })

  // Express 5 forwards thrown errors and rejected promises here. Anything but 2xx makes a
  // webhook sender retry, and nothing was recorded for the delivery.
  app.use((err, req, res, next) => {
    if (ps.isPaystateError(err)) {
      return res.status(httpStatus(err.code)).json({ code: err.code, field: err.field ?? null, message: err.message })
    }
    if (err instanceof BadRequest) return res.status(err.status).json({ code: err.code, field: err.field, message: err.message })
    if (err instanceof UnknownInvoice) return res.status(404).json({ code: 'unknown_invoice', field: 'invoice_id' })
    if (err instanceof GatewayError) return res.status(err.status).json({ code: err.code, message: err.message })
    if (err instanceof TypeError) return res.status(400).json({ code: 'bad_request', message: err.message })
    if (err && err.type === 'entity.parse.failed') return res.status(400).json({ code: 'malformed_json' })
    if (res.headersSent) return next(err)
    console.error('request failed:', err && err.message)
    res.status(503).json({ code: 'unavailable', message: 'try again' })
  })
  return app
}

function list(text) {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/**
 * The configuration from the environment: DATABASE_URL, WEBHOOK_SECRETS, PORT; with
 * GATEWAY_URL also GATEWAY_API_KEY, GATEWAY_WEBHOOK_SECRETS and CALLBACK_URL (a seed-001
 * gateway's shop; WEBHOOK_SECRETS is then optional).
 */
function configFromEnv(env = process.env) {
  const databaseUrl = (env.DATABASE_URL ?? '').trim()
  const webhookSecrets = list(env.WEBHOOK_SECRETS)
  const port = Number(env.PORT ?? '3000')
  if (!databaseUrl) throw new Error('set DATABASE_URL (postgres://user:password@host:port/db)')
  let gateway
  const baseUrl = (env.GATEWAY_URL ?? '').trim()
  if (baseUrl) {
    const apiKey = (env.GATEWAY_API_KEY ?? '').trim()
    const secrets = list(env.GATEWAY_WEBHOOK_SECRETS)
    if (!apiKey) throw new Error("set GATEWAY_API_KEY to the gateway's Bearer key")
    if (secrets.length === 0) throw new Error("set GATEWAY_WEBHOOK_SECRETS to the gateway's webhook secrets")
    gateway = { baseUrl, apiKey, webhookSecrets: secrets, callbackUrl: (env.CALLBACK_URL ?? '').trim() || undefined }
  } else if (webhookSecrets.length === 0) {
    throw new Error("set WEBHOOK_SECRETS to the provider's whsec_... secrets, comma-separated")
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number')
  return { databaseUrl, webhookSecrets, port, ...(gateway ? { gateway } : {}) }
}

async function main() {
  const config = configFromEnv()
  const pool = new Pool({ connectionString: config.databaseUrl, max: 10 })
  // An idle connection that breaks (database restart) must not take the process down.
  pool.on('error', (err) => console.error('idle database connection failed:', err.message))
  await migrate(pool)
  const app = createApp({ pool, webhookSecrets: config.webhookSecrets, gateway: config.gateway })
  const server = app.listen(config.port, '127.0.0.1', () => {
    const address = server.address()
    console.log(`listening on 127.0.0.1:${typeof address === 'object' && address ? address.port : config.port}`)
  })
  const stop = () => server.close(() => pool.end().then(() => process.exit(0)))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

module.exports = { createApp, migrate, applyCommand, configFromEnv, OPTIMISTIC_ATTEMPTS }

if (require.main === module) {
  main().catch((err) => {
    console.error(err.message)
    process.exit(1)
  })
}
