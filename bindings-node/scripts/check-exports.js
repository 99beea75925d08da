'use strict'
// index.d.ts is written by hand: every name it declares as an export must be exported by
// index.js, and every export of index.js must be declared (with the same kind: a class is
// a function at run time).
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const dts = fs.readFileSync(path.join(root, 'index.d.ts'), 'utf8')
const declared = new Map()
for (const m of dts.matchAll(/^export declare (function|class|const) (\w+)/gm)) declared.set(m[2], m[1])
const mod = require(path.join(root, 'index.js'))
const problems = []
for (const [name, what] of declared) {
  if (!(name in mod)) problems.push(`index.d.ts declares ${what} ${name}, index.js does not export it`)
  else if (what !== 'const' && typeof mod[name] !== 'function') problems.push(`index.d.ts declares ${what} ${name}, index.js exports ${typeof mod[name]}`)
}
for (const name of Object.keys(mod)) if (!declared.has(name)) problems.push(`index.js exports ${name}, index.d.ts does not declare it`)
for (const p of problems) console.error(`check-exports: ${p}`)
process.exitCode = problems.length ? 1 : 0
