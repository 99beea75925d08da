#!/usr/bin/env node
'use strict'
/**
 * paystate-conformance — the Node conformance runner.
 *
 * Drives this package's public API (not a Rust runner) through the scenario files of
 * conformance/FORMAT.md (docs/spec.md §10), with the step semantics of the reference runner
 * (cli/src/conformance/mod.rs): a fresh world per scenario, unknown ops, fields and expect
 * keys fail the scenario, an expected error must leave every state unchanged.
 *
 * Every error code a step meets comes from the core: invoice commands reach it through
 * `invoice.apply` (the core's command reader), the other ops hand the step's values to the
 * API as they are. A value the API cannot take at all (a missing field, a number where it
 * takes text) fails the scenario instead of being given a code here. The one code the runner
 * raises itself is the world's (an unknown or reused invoice, session or delivery id), and
 * the grammar names it.
 *
 * Usage: paystate-conformance [FILE_OR_DIR ...]   (plus the colon-separated dirs in
 * PAYSTATE_SCENARIOS). Prints one line per failing scenario and ends with
 * `N passed, N failed`; exits 0 only when none failed.
 */
const fs = require('node:fs')
const path = require('node:path')
const ps = require('..')

/** A scenario failure (not an error of the step under test). */
class Failure extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message)
    /** @type {number | undefined} */
    this.step = undefined
    /** @type {string | undefined} */
    this.op = undefined
  }
}
const fail = (m) => new Failure(m)

// Which fields each op takes and which expect keys each op family checks come from the
// scenario grammar (conformance/grammar.json, copied into this package by
// scripts/gen-vocabulary.py), so every language's runner reads one table.
const GRAMMAR = require('../grammar.json')
const FIELDS = Object.fromEntries(
  Object.entries(GRAMMAR.ops).map(([op, d]) => [op, [...Object.keys(d.required), ...Object.keys(d.optional || {})]]),
)

const INVOICE_COMMANDS = new Set([
  'observe_transfer', 'confirm_transfer', 'drop_transfer', 'cancel',
  'request_refund', 'settle_refund', 'mark', 'claim_txid',
])

/** The state keys `expect` may check after `op` (`error` is allowed for every op). */
const expectKeys = (op) => GRAMMAR.expect.families[GRAMMAR.ops[op].expect]

// ---- step field readers --------------------------------------------------------------------

const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k)
const isCount = (v) => typeof v === 'number' && Number.isInteger(v)
const isString = (v) => typeof v === 'string'
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)

// The JSON shape of each grammar type the runner reads itself. A value of another shape
// cannot be handed to the API, so it fails the scenario; the texts inside (an amount's
// digits, a scheme's name) and the ranges of numbers are the core's to judge.
const WIRE_TYPES = {
  string: isString,
  id: isString,
  amount: isString,
  time: isString,
  enum: isString,
  seconds: isCount,
  milliseconds: isCount,
  integer: isCount,
  boolean: (v) => typeof v === 'boolean',
  object: isObject,
  strings: (v) => Array.isArray(v) && v.every(isString),
  string_map: (v) => isObject(v) && Object.values(v).every(isString),
}

/** The fields of one step, read as the grammar types them. */
class Step {
  constructor(op, fields) {
    const spec = GRAMMAR.ops[op]
    this.op = op
    this.fields = fields
    this.kinds = { ...spec.required, ...(spec.optional || {}) }
  }

  /** The field's value, or `undefined` when the step omits it. */
  get(name) {
    if (!has(this.fields, name)) return undefined
    const value = this.fields[name]
    const kind = this.kinds[name]
    const base = kind.split(':')[0]
    if (!WIRE_TYPES[base](value)) {
      const described = GRAMMAR.types[kind] || GRAMMAR.types[`${base}:<name>`]
      throw fail(`field ${JSON.stringify(name)} must be ${described}, found ${JSON.stringify(value)}`)
    }
    return value
  }

  /** The field's value; a step without it cannot call the API. */
  need(name) {
    const value = this.get(name)
    if (value === undefined) throw fail(`field ${JSON.stringify(name)} is missing, and ${this.op} needs it`)
    return value
  }

  /** Exactly one of two fields: the name given and its value. */
  oneOf(a, b) {
    const [x, y] = [this.get(a), this.get(b)]
    if ((x === undefined) === (y === undefined)) throw fail(`give exactly one of ${a} and ${b}`)
    return x !== undefined ? [a, x] : [b, y]
  }
}

/** Strict, padded standard base64 (as the reference runner reads `body_base64`). */
function decodeBase64(text) {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null
  return Buffer.from(text, 'base64')
}

/**
 * The world's own error (conformance/FORMAT.md, "world error"): an invoice, session or
 * delivery id that is unknown, or created twice. The grammar names its code.
 */
function unknownOrReused(field, what, id) {
  const e = /** @type {Error & {code: string, field: string}} */ (new Error(`${field}: ${JSON.stringify(id)} ${what}`))
  e.name = 'PaystateError'
  e.code = GRAMMAR.world_error.code
  e.field = field
  return e
}

// ---- the world ---------------------------------------------------------------------------

class World {
  constructor() {
    /** @type {Map<string, {invoice: ps.Invoice, journal: ps.JournalEntry[]}>} */
    this.invoices = new Map()
    this.matcher = new ps.Matcher()
    /** @type {Map<string, ps.Session>} */
    this.sessions = new Map()
    this.guard = new ps.ReplayGuard()
    /** @type {Map<string, ps.DeliveryPlan>} */
    this.deliveries = new Map()
  }

  /** Every state, serialised: equal strings mean an unchanged world. */
  fingerprint() {
    const parts = []
    for (const [id, t] of this.invoices) parts.push(id, t.invoice.toJSONString(), JSON.stringify(t.journal))
    parts.push(JSON.stringify(this.matcher), JSON.stringify(this.guard))
    for (const [id, s] of this.sessions) parts.push(id, JSON.stringify(s))
    for (const [id, d] of this.deliveries) parts.push(id, JSON.stringify(d))
    return parts.join('\u0000')
  }

  tracked(id) {
    const t = this.invoices.get(id)
    if (!t) throw unknownOrReused('invoice', 'is unknown', id)
    return t
  }

  runStep(step) {
    if (step === null || typeof step !== 'object' || Array.isArray(step)) throw fail('a step must be a JSON object')
    const op = typeof step.op === 'string' ? step.op : null
    if (op === null) throw fail('step has no op')
    const fields = FIELDS[op]
    if (!fields) throw fail(`unknown op ${JSON.stringify(op)}`)
    for (const k of Object.keys(step)) {
      if (!['op', 'at', 'expect'].includes(k) && !fields.includes(k)) throw fail(`field ${JSON.stringify(k)} is not a field of ${op}`)
    }
    if (typeof step.at !== 'string') throw fail('step has no "at" time')
    let at
    try {
      at = ps.parseTimestamp(step.at)
    } catch (e) {
      throw fail(e.message)
    }
    let expect = null
    if (has(step, 'expect')) {
      const e = step.expect
      if (e === null || typeof e !== 'object' || Array.isArray(e)) throw fail('expect must be an object')
      const allowed = expectKeys(op)
      for (const k of Object.keys(e)) {
        if (k !== 'error' && !allowed.includes(k)) throw fail(`unknown expect key ${JSON.stringify(k)} for ${op}`)
      }
      if (has(e, 'error') && Object.keys(e).length > 1) throw fail('expect has error and state keys at once')
      expect = e
    }
    const before = this.fingerprint()
    let out
    let err = null
    try {
      out = this.execute(op, at, new Step(op, step))
    } catch (e) {
      if (e instanceof Failure) throw e
      if (!ps.isPaystateError(e) && !(e && e.name === 'PaystateError')) {
        throw fail(`unexpected ${e && e.name}: ${e && e.message}`)
      }
      err = e
    }
    const wantCode = expect && has(expect, 'error') ? expect.error : undefined
    if (err) {
      if (wantCode === undefined) throw fail(`unexpected error ${err.code}: ${err.message}`)
      if (wantCode !== err.code) throw fail(`expected error ${JSON.stringify(wantCode)}, got ${err.code} (${err.message})`)
      if (this.fingerprint() !== before) throw fail(`error ${err.code} changed the state`)
      return
    }
    if (wantCode !== undefined) throw fail(`expected error ${JSON.stringify(wantCode)}, but the step succeeded`)
    if (expect) this.check(expect, out)
  }

  execute(op, at, s) {
    const f = s.fields
    if (op === 'create_invoice') {
      const spec = s.need('invoice')
      const { invoice, events } = ps.Invoice.create(/** @type {ps.InvoiceSpec} */ (spec), at)
      if (this.invoices.has(invoice.id)) throw unknownOrReused('invoice.id', 'already exists', invoice.id)
      this.invoices.set(invoice.id, {
        invoice,
        journal: [{ at: at.toISOString(), command: { op: 'create_invoice', invoice: spec } }],
      })
      return { invoice: invoice.id, events: events.map((e) => e.type) }
    }
    if (INVOICE_COMMANDS.has(op)) {
      const id = s.need('invoice')
      const command = { op }
      for (const [k, v] of Object.entries(f)) if (!['op', 'at', 'expect', 'invoice'].includes(k)) command[k] = v
      const t = this.tracked(id)
      const events = t.invoice.apply(command, at)
      t.journal.push({ at: at.toISOString(), command })
      return { invoice: id, events: events.map((e) => e.type) }
    }
    switch (op) {
      case 'tick': {
        const named = s.get('invoice')
        if (named !== undefined) this.tracked(named)
        const out = { invoice: named, events: [] }
        for (const [id, t] of this.invoices) {
          const events = t.invoice.tick(at)
          t.journal.push({ at: at.toISOString(), command: { op: 'tick' } })
          if (id === named) out.events = events.map((e) => e.type)
        }
        for (const s of this.sessions.values()) s.tick(at)
        for (const d of this.deliveries.values()) d.tick(at)
        return out
      }
      case 'replay': {
        const id = s.need('invoice')
        const t = this.tracked(id)
        const rebuilt = ps.Invoice.replay(t.journal)
        if (!rebuilt.equals(t.invoice)) throw fail('replaying the journal did not rebuild the identical state')
        t.invoice = rebuilt
        return { invoice: id, events: [] }
      }
      case 'allocate_amount': {
        const id = s.need('invoice')
        this.tracked(id)
        const payable = this.matcher.allocate(s.need('account'), id, s.need('due'), s.need('step'), s.get('allowance'))
        return { payable }
      }
      case 'register_amount': {
        const id = s.need('invoice')
        this.tracked(id)
        this.matcher.register(s.need('account'), id, s.need('payable'), s.get('allowance'))
        return {}
      }
      case 'match_transfer': {
        return { matched: this.matcher.match(s.need('account'), s.need('amount')) }
      }
      case 'release':
        this.matcher.release(s.need('invoice'))
        return {}
      case 'open_session': {
        const sid = s.need('session')
        if (this.sessions.has(sid)) throw unknownOrReused('session', 'already exists', sid)
        const invoice = this.tracked(s.need('invoice')).invoice
        const session = ps.Session.open(sid, invoice, s.need('ttl'), at)
        this.sessions.set(sid, session)
        return { expiresAt: session.expiresAt }
      }
      case 'use_session': {
        const sid = s.need('session')
        const session = this.sessions.get(sid)
        if (!session) throw unknownOrReused('session', 'is unknown', sid)
        session.use(this.tracked(session.invoiceId).invoice, at)
        return {}
      }
      case 'verify_signature':
      case 'sign':
        return this.signature(op, at, s)
      case 'plan_delivery':
      case 'report_attempt':
        return this.delivery(op, at, s)
      default:
        throw fail(`op ${JSON.stringify(op)} is in the grammar but this runner cannot run it`)
    }
  }

  signature(op, at, s) {
    const scheme = /** @type {ps.Scheme} */ (s.need('scheme'))
    const pairs = (name) => Object.entries(s.get(name) || {})
    if (op === 'verify_signature') {
      const secrets = s.need('secrets')
      const headers = pairs('headers')
      const [which, given] = s.oneOf('body', 'body_base64')
      const body = which === 'body' ? Buffer.from(given, 'utf8') : decodeBase64(given)
      if (body === null) throw fail('body_base64 is not standard padded base64')
      const tolerance = s.get('tolerance_seconds')
      const options = tolerance === undefined ? undefined : { toleranceSeconds: tolerance }
      const verified = new ps.Verifier(scheme, secrets, options).verify(headers, body, at)
      if (s.get('replay_guard')) this.guard.record(verified, at)
      return { valid: true }
    }
    const secret = s.need('secret')
    const body = s.need('body')
    const inputs = pairs('headers')
    const find = (names) => {
      for (const n of names) {
        const hit = inputs.find(([k]) => k.toLowerCase() === n.toLowerCase())
        if (hit) return hit[1]
      }
      return undefined
    }
    const ts = find(['webhook-timestamp', 'X-GatePay-Timestamp', 'timestamp', 't'])
    const timestamp = ts === undefined ? at : ps.parseSchemeTimestamp(scheme, ts)
    const signed = new ps.Signer(scheme, [secret]).sign(body, {
      id: find(['webhook-id', 'id']),
      nonce: find(['X-GatePay-Nonce', 'nonce']),
      timestamp,
    })
    return { headers: signed.headers, signature: signed.signature }
  }

  delivery(op, at, s) {
    const id = s.need('delivery')
    let next
    if (op === 'plan_delivery') {
      if (this.deliveries.has(id)) throw unknownOrReused('delivery', 'already exists', id)
      const plan = new ps.DeliveryPlan(id, /** @type {ps.DeliveryPolicy} */ (s.need('policy')), at)
      this.deliveries.set(id, plan)
      next = plan.next
    } else {
      // The core judges the report, both or neither included (docs/spec.md §7).
      const outcome = ps.reportOutcome(s.get('http_status'), s.get('error'))
      const duration = s.get('duration_ms')
      const plan = this.deliveries.get(id)
      if (!plan) throw unknownOrReused('delivery', 'is unknown', id)
      next = plan.report(outcome, at, duration)
    }
    return { next }
  }

  check(expect, out) {
    const tracked = out.invoice !== undefined ? this.invoices.get(out.invoice) : undefined
    for (const [key, want] of Object.entries(expect)) {
      switch (key) {
        case 'events': {
          const w = Array.isArray(want) ? want.filter((x) => typeof x === 'string') : []
          const got = out.events || []
          if (JSON.stringify(w) !== JSON.stringify(got)) throw fail(`events: expected ${JSON.stringify(w)}, got ${JSON.stringify(got)}`)
          break
        }
        case 'payable':
          if (!amountEq(want, out.payable)) throw fail(`payable: expected ${JSON.stringify(want)}, got ${JSON.stringify(out.payable)}`)
          break
        case 'match': {
          const got = out.matched === undefined ? undefined : matchValue(out.matched)
          if (got === undefined || !deepEqual(got, want)) throw fail(`match: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`)
          break
        }
        case 'expires_at':
          if (!timeEq(want, out.expiresAt)) throw fail(`expires_at: expected ${JSON.stringify(want)}, got ${out.expiresAt && out.expiresAt.toISOString()}`)
          break
        case 'valid':
          if (out.valid === undefined || want !== out.valid) throw fail(`valid: expected ${JSON.stringify(want)}, got ${out.valid}`)
          break
        case 'next':
          if (!out.next || !nextEq(want, out.next)) throw fail(`next: expected ${JSON.stringify(want)}, got ${JSON.stringify(out.next)}`)
          break
        case 'signature':
          if (typeof out.signature !== 'string' || out.signature !== want) throw fail(`signature: expected ${JSON.stringify(want)}, got ${JSON.stringify(out.signature)}`)
          break
        case 'headers': {
          if (!out.headers) throw fail('this step produced no headers')
          if (want === null || typeof want !== 'object' || Array.isArray(want)) throw fail('expect.headers must be an object')
          for (const [name, value] of Object.entries(want)) {
            const hit = Object.entries(out.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())
            if (!hit || hit[1] !== value) throw fail(`header ${name}: expected ${JSON.stringify(value)}, got ${hit ? JSON.stringify(hit[1]) : 'nothing'}`)
          }
          break
        }
        default: {
          if (!tracked) throw fail(`expect.${key} needs an invoice on the step`)
          const inv = tracked.invoice
          const snap = inv.snapshot()
          if (key === 'exceptions') {
            const w = (Array.isArray(want) ? want.filter((x) => typeof x === 'string') : []).sort()
            const g = [...snap.exceptions].sort()
            if (JSON.stringify(w) !== JSON.stringify(g)) throw fail(`exceptions: expected ${JSON.stringify(w)}, got ${JSON.stringify(g)}`)
            break
          }
          if (key === 'version') {
            // The count of accepted commands (docs/spec.md §2 "State documents"): a whole number.
            if (inv.version !== want) throw fail(`version: expected ${JSON.stringify(want)}, got ${inv.version}`)
            break
          }
          if (key === 'deadline') {
            if (!timeEq(want, inv.deadline)) throw fail(`deadline: expected ${JSON.stringify(want)}, got ${inv.deadline.toISOString()}`)
            break
          }
          const got = {
            status: snap.status,
            amount_paid: snap.amountPaid,
            amount_pending: snap.amountPending,
            amount_held: snap.amountHeld,
            surplus: snap.surplus,
            amount_refunded: snap.amountRefunded,
            refundable: snap.refundable,
          }[key]
          if (got === undefined) throw fail(`unknown expect key ${JSON.stringify(key)}`)
          const same = key !== 'status' && typeof want === 'string' ? decimalsEqual(want, got) : got === want
          if (!same) throw fail(`${key}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`)
        }
      }
    }
  }
}

function parseAmountOrNull(s) {
  try {
    return ps.normalizeAmount(s)
  } catch {
    return null
  }
}
function decimalsEqual(a, b) {
  return parseAmountOrNull(a) === parseAmountOrNull(b)
}
function amountEq(want, got) {
  if (typeof want !== 'string' || got === undefined) return false
  const w = parseAmountOrNull(want)
  return w !== null && w === parseAmountOrNull(got)
}
function timeEq(want, got) {
  if (typeof want !== 'string' || !(got instanceof Date)) return false
  try {
    return ps.parseTimestamp(want).getTime() === got.getTime()
  } catch {
    return false
  }
}
function matchValue(m) {
  if (m.kind === 'matched') return { matched: m.invoiceId }
  if (m.kind === 'ambiguous') return { ambiguous: m.invoiceIds }
  return 'unmatched'
}
function nextEq(want, got) {
  if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
    return got.kind === 'retry' && Object.keys(want).length === 1 && has(want, 'retry_at') && timeEq(want.retry_at, got.retryAt)
  }
  return (got.kind === 'delivered' && want === 'delivered') || (got.kind === 'gave_up' && want === 'gave_up')
}
function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Runs one scenario document; throws a Failure (with `.step`) when it fails. */
function runScenario(doc) {
  if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.steps)) throw fail('scenario has no steps array')
  if (typeof doc.name !== 'string') throw fail('scenario has no name')
  const world = new World()
  doc.steps.forEach((step, i) => {
    try {
      world.runStep(step)
    } catch (e) {
      const f = e instanceof Failure ? e : fail(`runner error: ${e && e.stack}`)
      f.step = i
      f.op = step && typeof step.op === 'string' ? step.op : undefined
      throw f
    }
  })
}

/** Every `*.json` below each path (a file is taken as is), sorted by path. */
function collect(paths) {
  const out = []
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(p)
      else if (entry.name.endsWith('.json')) out.push(p)
    }
  }
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) walk(p)
    else out.push(p)
  }
  return [...new Set(out)].sort()
}

/** Runs every scenario file below `paths`: `{passed, failed: [{file, message}]}`. */
function runPaths(paths) {
  const report = { passed: 0, failed: [] }
  for (const file of collect(paths)) {
    try {
      let doc
      try {
        doc = JSON.parse(fs.readFileSync(file, 'utf8'))
      } catch (e) {
        throw fail(`not JSON: ${e.message}`)
      }
      runScenario(doc)
      report.passed++
    } catch (e) {
      const where = e.step !== undefined ? `step ${e.step}${e.op ? ` (${e.op})` : ''}: ` : ''
      report.failed.push({ file, message: where + e.message })
    }
  }
  return report
}

function main(argv) {
  const paths = [...argv]
  for (const p of (process.env.PAYSTATE_SCENARIOS || '').split(':')) if (p) paths.push(p)
  if (paths.length === 0) {
    process.stderr.write('usage: paystate-conformance FILE_OR_DIR... (or PAYSTATE_SCENARIOS=dir:dir)\n')
    return 2
  }
  let report
  try {
    report = runPaths(paths)
  } catch (e) {
    process.stderr.write(`paystate-conformance: ${e.message}\n`)
    return 2
  }
  for (const f of report.failed) process.stdout.write(`${f.file}: ${f.message}\n`)
  process.stdout.write(`${report.passed} passed, ${report.failed.length} failed\n`)
  return report.failed.length === 0 ? 0 : 1
}

module.exports = { runPaths, runScenario, collect }

if (require.main === module) process.exitCode = main(process.argv.slice(2))
