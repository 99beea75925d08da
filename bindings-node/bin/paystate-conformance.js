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
 * Usage: paystate-conformance [FILE_OR_DIR ...]   (plus the colon-separated dirs in
 * PAYSTATE_SCENARIOS). Prints one line per failing scenario and ends with
 * `N passed, N failed`; exits 0 only when none failed.
 */
const fs = require('node:fs')
const path = require('node:path')
const ps = require('..')

/**
 * An error raised by the runner itself for a malformed step field (same codes as core).
 * @param {string} code @param {string} field @param {string} message
 * @returns {Error & {code: string, field: string}}
 */
function coded(code, field, message) {
  const e = /** @type {Error & {code: string, field: string}} */ (new Error(`${field}: ${message}`))
  e.name = 'PaystateError'
  e.code = code
  e.field = field
  return e
}

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

// ---- step field readers (the core's JSON reader semantics) ------------------------------

const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k)
function optStr(f, name) {
  if (!has(f, name)) return undefined
  if (typeof f[name] !== 'string') throw coded('invalid_field', name, 'expected a string')
  return f[name]
}
function str(f, name) {
  const v = optStr(f, name)
  if (v === undefined) throw coded('missing_field', name, 'required field is missing')
  return v
}
function optU64(f, name) {
  if (!has(f, name)) return undefined
  const v = f[name]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw coded('invalid_field', name, 'expected a non-negative whole number')
  return v
}
function u64(f, name) {
  const v = optU64(f, name)
  if (v === undefined) throw coded('missing_field', name, 'required field is missing')
  return v
}
function optBool(f, name) {
  if (!has(f, name)) return undefined
  if (typeof f[name] !== 'boolean') throw coded('invalid_field', name, 'expected a boolean')
  return f[name]
}
function optObj(f, name) {
  if (!has(f, name)) return undefined
  const v = f[name]
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw coded('invalid_field', name, 'expected an object')
  return v
}
function optAmount(f, name) {
  if (!has(f, name)) return undefined
  const v = f[name]
  // A JSON number is passed on as is: the core rejects it with invalid_amount, as the reference runner does.
  if (typeof v === 'string' || typeof v === 'number') return ps.normalizeAmount(/** @type {string} */ (v))
  throw coded('invalid_amount', name, 'amounts are decimal strings such as "10.50"')
}
function amount(f, name) {
  const v = optAmount(f, name)
  if (v === undefined) throw coded('missing_field', name, 'required field is missing')
  return v
}

/** Strict, padded standard base64 (as the reference runner reads `body_base64`). */
function decodeBase64(text) {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null
  return Buffer.from(text, 'base64')
}

const unknownOrReused = (field, what, id) => coded('invalid_field', field, `${JSON.stringify(id)} ${what}`)

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
      out = this.execute(op, at, step)
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

  execute(op, at, f) {
    if (op === 'create_invoice') {
      const spec = optObj(f, 'invoice')
      if (spec === undefined) throw coded('missing_field', 'invoice', 'required field is missing')
      const { invoice, events } = ps.Invoice.create(/** @type {ps.InvoiceSpec} */ (spec), at)
      if (this.invoices.has(invoice.id)) throw unknownOrReused('invoice.id', 'already exists', invoice.id)
      this.invoices.set(invoice.id, {
        invoice,
        journal: [{ at: at.toISOString(), command: { op: 'create_invoice', invoice: spec } }],
      })
      return { invoice: invoice.id, events: events.map((e) => e.type) }
    }
    if (INVOICE_COMMANDS.has(op)) {
      const id = str(f, 'invoice')
      const command = { op }
      for (const [k, v] of Object.entries(f)) if (!['op', 'at', 'expect', 'invoice'].includes(k)) command[k] = v
      const t = this.tracked(id)
      const events = t.invoice.apply(command, at)
      t.journal.push({ at: at.toISOString(), command })
      return { invoice: id, events: events.map((e) => e.type) }
    }
    switch (op) {
      case 'tick': {
        const named = optStr(f, 'invoice')
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
        const id = str(f, 'invoice')
        const t = this.tracked(id)
        const rebuilt = ps.Invoice.replay(t.journal)
        if (!rebuilt.equals(t.invoice)) {
          throw coded('integrity_conflict', 'journal', 'replaying the journal did not rebuild the identical state')
        }
        t.invoice = rebuilt
        return { invoice: id, events: [] }
      }
      case 'allocate_amount': {
        const id = str(f, 'invoice')
        this.tracked(id)
        const account = str(f, 'account')
        const payable = this.matcher.allocate(account, id, amount(f, 'due'), amount(f, 'step'), optAmount(f, 'allowance'))
        return { payable }
      }
      case 'register_amount': {
        const id = str(f, 'invoice')
        this.tracked(id)
        const account = str(f, 'account')
        this.matcher.register(account, id, amount(f, 'payable'), optAmount(f, 'allowance'))
        return {}
      }
      case 'match_transfer': {
        const account = str(f, 'account')
        return { matched: this.matcher.match(account, amount(f, 'amount')) }
      }
      case 'release':
        this.matcher.release(str(f, 'invoice'))
        return {}
      case 'open_session': {
        const sid = str(f, 'session')
        if (this.sessions.has(sid)) throw unknownOrReused('session', 'already exists', sid)
        const invoice = this.tracked(str(f, 'invoice')).invoice
        const session = ps.Session.open(sid, invoice, u64(f, 'ttl'), at)
        this.sessions.set(sid, session)
        return { expiresAt: session.expiresAt }
      }
      case 'use_session': {
        const sid = str(f, 'session')
        const session = this.sessions.get(sid)
        if (!session) throw unknownOrReused('session', 'is unknown', sid)
        session.use(this.tracked(session.invoiceId).invoice, at)
        return {}
      }
      case 'verify_signature':
      case 'sign':
        return this.signature(op, at, f)
      case 'plan_delivery':
      case 'report_attempt':
        return this.delivery(op, at, f)
      default:
        throw coded('invalid_field', 'op', `op ${JSON.stringify(op)} is not implemented`)
    }
  }

  signature(op, at, f) {
    const scheme = /** @type {ps.Scheme} */ (str(f, 'scheme'))
    if (!ps.schemes().includes(scheme)) throw coded('invalid_field', 'scheme', `unknown signature scheme ${JSON.stringify(scheme)}`)
    const pairs = (name) => {
      const m = optObj(f, name)
      if (m === undefined) return []
      return Object.entries(m).map(([k, v]) => {
        if (typeof v !== 'string') throw coded('invalid_field', `headers.${k}`, 'header values are strings')
        return /** @type {[string, string]} */ ([k, v])
      })
    }
    if (op === 'verify_signature') {
      if (!has(f, 'secrets')) throw coded('missing_field', 'secrets', 'required field is missing')
      const secrets = f.secrets
      if (!Array.isArray(secrets) || !secrets.every((s) => typeof s === 'string')) {
        throw coded('invalid_field', 'secrets', 'expected an array of strings')
      }
      const headers = pairs('headers')
      const text = optStr(f, 'body')
      const b64 = optStr(f, 'body_base64')
      let body
      if (text !== undefined && b64 === undefined) body = Buffer.from(text, 'utf8')
      else if (text === undefined && b64 !== undefined) {
        body = decodeBase64(b64)
        if (body === null) throw coded('invalid_field', 'body_base64', 'not standard padded base64')
      } else if (text === undefined) throw coded('missing_field', 'body', 'required field is missing')
      else throw coded('invalid_field', 'body_base64', 'give body or body_base64, not both')
      const tolerance = optU64(f, 'tolerance_seconds')
      const options = tolerance === undefined ? undefined : { toleranceSeconds: tolerance }
      const verified = new ps.Verifier(scheme, secrets, options).verify(headers, body, at)
      if (optBool(f, 'replay_guard')) this.guard.record(verified, at)
      return { valid: true }
    }
    const secret = str(f, 'secret')
    const body = str(f, 'body')
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

  delivery(op, at, f) {
    const id = str(f, 'delivery')
    let next
    if (op === 'plan_delivery') {
      if (this.deliveries.has(id)) throw unknownOrReused('delivery', 'already exists', id)
      const plan = new ps.DeliveryPlan(id, /** @type {ps.DeliveryPolicy} */ (str(f, 'policy')), at)
      this.deliveries.set(id, plan)
      next = plan.next
    } else {
      const status = optU64(f, 'http_status')
      const error = optStr(f, 'error')
      /** @type {ps.AttemptOutcome} */
      let outcome
      if (status !== undefined && error === undefined) outcome = status > 65535 ? 0 : status
      else if (status === undefined && error !== undefined) outcome = error === 'timeout' ? 'timeout' : 'error'
      else if (status === undefined) throw coded('missing_field', 'http_status', 'required field is missing')
      else throw coded('invalid_field', 'error', 'give http_status or error, not both')
      const duration = optU64(f, 'duration_ms')
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
