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
 * Run (the environment is the whole configuration; start as many processes as you like on
 * one database):
 *
 *   DATABASE_URL=postgres://... WEBHOOK_SECRETS=whsec_...[,whsec_...] PORT=3000 node server.js
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
 * Builds the app on a pg Pool. The clock is injectable for tests.
 * @param {{ pool: import('pg').Pool, webhookSecrets: string[], now?: () => Date }} options
 */
function createApp({ pool, webhookSecrets, now = () => new Date() }) {
  const app = express()
  // Built once: the secrets are decoded and pre-keyed here, so each request only hashes.
  // Several secrets during a key rotation; `verified.keyIndex` says which matched.
  const verifier = new ps.Verifier('standard_webhooks', webhookSecrets)

  // THE CLASSIC PITFALL: the signature covers the exact bytes the sender sent. If
  // `express.json()` ran first, the body would be parsed and any re-serialisation would no
  // longer match. So this route is registered BEFORE the JSON parser and takes the raw body.
  app.post('/webhooks/payments', express.raw({ type: 'application/json', limit: '1mb' }), async (req, res) => {
    if (!Buffer.isBuffer(req.body)) {
      // express.raw only reads bodies whose Content-Type matches; anything else arrives as {}.
      return res.status(415).json({ code: 'unsupported_media_type', message: 'send application/json' })
    }
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
    if (err instanceof TypeError) return res.status(400).json({ code: 'bad_request', message: err.message })
    if (err && err.type === 'entity.parse.failed') return res.status(400).json({ code: 'malformed_json' })
    if (res.headersSent) return next(err)
    console.error('request failed:', err && err.message)
    res.status(503).json({ code: 'unavailable', message: 'try again' })
  })
  return app
}

/** The configuration from the environment: DATABASE_URL, WEBHOOK_SECRETS, PORT. */
function configFromEnv(env = process.env) {
  const databaseUrl = (env.DATABASE_URL ?? '').trim()
  const webhookSecrets = (env.WEBHOOK_SECRETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
  const port = Number(env.PORT ?? '3000')
  if (!databaseUrl) throw new Error('set DATABASE_URL (postgres://user:password@host:port/db)')
  if (webhookSecrets.length === 0) throw new Error("set WEBHOOK_SECRETS to the provider's whsec_... secrets, comma-separated")
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number')
  return { databaseUrl, webhookSecrets, port }
}

async function main() {
  const config = configFromEnv()
  const pool = new Pool({ connectionString: config.databaseUrl, max: 10 })
  // An idle connection that breaks (database restart) must not take the process down.
  pool.on('error', (err) => console.error('idle database connection failed:', err.message))
  await migrate(pool)
  const app = createApp({ pool, webhookSecrets: config.webhookSecrets })
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
