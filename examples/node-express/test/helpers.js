'use strict'
// Shared by the test files: a fresh database per file on the cluster DATABASE_URL names
// (scripts/postgres.sh starts a throw-away one), and a provider that signs deliveries.
const { randomBytes } = require('node:crypto')
const { Pool } = require('pg')
const ps = require('paystate')

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const REQUEST_TIMEOUT_MS = 1000 * Number(process.env.CHAOS_REQUEST_TIMEOUT_S ?? 20)

function databaseUrl() {
  const url = process.env.DATABASE_URL
  if (!url) {
    throw new Error('DATABASE_URL is not set: run the tests with `bash ../../scripts/postgres.sh run npm test`')
  }
  return url
}

/** Creates an empty database for one test file; `drop()` removes it. */
async function freshDatabase() {
  const admin = new Pool({ connectionString: databaseUrl(), max: 1 })
  const name = `paystate_test_${randomBytes(6).toString('hex')}`
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(databaseUrl())
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      // Without FORCE PostgreSQL waits (up to 5 s) for closing connections to go; FORCE
      // only when one is still there, so no pool sees its connection terminated under it.
      await admin
        .query(`DROP DATABASE IF EXISTS ${name}`)
        .catch(() => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
      await admin.end()
    },
  }
}

/** POSTs one delivery signed now (or at `at`), exactly as a Standard Webhooks sender would. */
async function deliver(base, id, body, at = new Date(), secret = SECRET) {
  const { headers } = ps.sign('standard_webhooks', secret, body, { id, timestamp: at })
  return fetch(`${base}/webhooks/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
}

function postJson(base, path, body) {
  return fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
}

function get(base, path) {
  return fetch(base + path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
}

module.exports = { SECRET, REQUEST_TIMEOUT_MS, freshDatabase, deliver, postJson, get }
