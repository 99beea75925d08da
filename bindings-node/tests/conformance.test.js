'use strict'
// Runs the `paystate-conformance` bin over the shared scenarios, as a user would.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const bin = path.join(root, 'bin', 'paystate-conformance.js')
const dirs = [path.join(root, '..', 'tests', 'scenarios'), path.join(root, '..', '..', 'shared', 'conformance', 'examples')]
  .filter((d) => fs.existsSync(d))

function run(args, env = {}) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 })
}

test('every scenario passes (tests/scenarios, shared examples, PAYSTATE_SCENARIOS)', () => {
  assert.ok(dirs.length > 0, 'no scenario directory found')
  const r = run(dirs)
  process.stdout.write(`# conformance: ${r.stdout.trim().split('\n').pop()}\n`)
  assert.equal(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout, /^\d+ passed, 0 failed$/m)
  const passed = Number(/^(\d+) passed/m.exec(r.stdout)[1])
  assert.ok(passed > 0)
})

test('a scenario whose expectation is wrong fails, with file, step and difference', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paystate-conf-'))
  const good = {
    name: 'margin 1 accepts 4 of 5',
    steps: [
      { op: 'create_invoice', at: '2026-01-01T00:00:00Z', invoice: { id: 'inv_1', due: '5', asset: 'USDT_TRC20', expires_in: 1800, tolerance: { absolute: '1' } }, expect: { status: 'pending', events: ['invoice.created'] } },
      { op: 'observe_transfer', at: '2026-01-01T00:05:00Z', invoice: 'inv_1', transfer: { tx_id: 't1', amount: '4', asset: 'USDT_TRC20', confirmed: true }, expect: { status: 'paid', amount_paid: '4.000000' } },
    ],
  }
  const bad = JSON.parse(JSON.stringify(good))
  bad.steps[1].expect.status = 'pending'
  const typo = JSON.parse(JSON.stringify(good))
  typo.steps[1].expect = { statsu: 'paid' }
  const unknownOp = { name: 'x', steps: [{ op: 'teleport', at: '2026-01-01T00:00:00Z' }] }
  const field = JSON.parse(JSON.stringify(good))
  field.steps[1].tx = 't1'
  const wrongError = JSON.parse(JSON.stringify(good))
  wrongError.steps[1].expect = { error: 'asset_mismatch' }
  fs.writeFileSync(path.join(dir, 'a_good.json'), JSON.stringify(good))
  fs.writeFileSync(path.join(dir, 'b_bad.json'), JSON.stringify(bad))
  fs.writeFileSync(path.join(dir, 'c_typo.json'), JSON.stringify(typo))
  fs.writeFileSync(path.join(dir, 'd_op.json'), JSON.stringify(unknownOp))
  fs.writeFileSync(path.join(dir, 'e_err.json'), JSON.stringify(wrongError))
  fs.writeFileSync(path.join(dir, 'f_notjson.json'), '{')
  fs.writeFileSync(path.join(dir, 'g_field.json'), JSON.stringify(field))
  const r = run([], { PAYSTATE_SCENARIOS: dir })
  assert.equal(r.status, 1)
  const lines = r.stdout.trim().split('\n')
  assert.equal(lines.pop(), '1 passed, 6 failed')
  assert.match(r.stdout, /b_bad\.json: step 1 \(observe_transfer\): status: expected "pending", got "paid"/)
  assert.match(r.stdout, /c_typo\.json: step 1 \(observe_transfer\): unknown expect key "statsu"/)
  assert.match(r.stdout, /d_op\.json: step 0 \(teleport\): unknown op "teleport"/)
  assert.match(r.stdout, /e_err\.json: step 1 .*expected error "asset_mismatch", but the step succeeded/)
  assert.match(r.stdout, /f_notjson\.json: not JSON/)
  assert.match(r.stdout, /g_field\.json: step 1 \(observe_transfer\): field "tx" is not a field of observe_transfer/)
  fs.rmSync(dir, { recursive: true, force: true })
})

test('the runner gives no codes of its own: a mistyped field fails the scenario, the world error is the grammar\'s', () => {
  const grammar = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'grammar.json'), 'utf8'))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paystate-conf-'))
  const create = { op: 'create_invoice', at: '2026-01-01T00:00:00Z', invoice: { id: 'inv_1', due: '5', asset: 'USDT_TRC20', expires_in: 1800 } }
  const world = { name: 'unknown invoice', steps: [create, { op: 'confirm_transfer', at: '2026-01-01T00:01:00Z', invoice: 'inv_2', tx_id: 't1', expect: { error: grammar.world_error.code } }] }
  // A number where the grammar types an amount: the runner cannot hand it to the API and
  // must not invent a code for it, even when the step expects one.
  const typed = { name: 'mistyped', steps: [create, { op: 'allocate_amount', at: '2026-01-01T00:01:00Z', account: 'a', invoice: 'inv_1', due: 5, step: '0.01', expect: { error: 'invalid_amount' } }] }
  const both = { name: 'both bodies', steps: [{ op: 'verify_signature', at: '2026-01-01T00:00:00Z', scheme: 'stripe', secrets: ['whsec_x'], headers: {}, body: '{}', body_base64: 'e30=', expect: { error: 'missing_header' } }] }
  fs.writeFileSync(path.join(dir, 'a_world.json'), JSON.stringify(world))
  fs.writeFileSync(path.join(dir, 'b_typed.json'), JSON.stringify(typed))
  fs.writeFileSync(path.join(dir, 'c_both.json'), JSON.stringify(both))
  const r = run([], { PAYSTATE_SCENARIOS: dir })
  assert.equal(r.stdout.trim().split('\n').pop(), '1 passed, 2 failed', r.stdout)
  assert.match(r.stdout, /b_typed\.json: step 1 \(allocate_amount\): field "due" must be a JSON string holding a decimal amount/)
  assert.match(r.stdout, /c_both\.json: step 0 \(verify_signature\): give exactly one of body and body_base64/)
  fs.rmSync(dir, { recursive: true, force: true })
})

test('the packaged scenario grammar is the one in the repository', () => {
  // The runner reads its op and expect tables from grammar.json; the copy shipped in the
  // package must be conformance/grammar.json byte for byte (scripts/gen-vocabulary.py).
  const packaged = fs.readFileSync(path.join(__dirname, '..', 'grammar.json'))
  const repo = fs.readFileSync(path.join(__dirname, '..', '..', 'conformance', 'grammar.json'))
  assert.ok(packaged.equals(repo), 'regenerate with python3 scripts/gen-vocabulary.py')
})

test('no paths is a usage error', () => {
  const r = run([], { PAYSTATE_SCENARIOS: '' })
  assert.equal(r.status, 2)
})
