'use strict'
// Receiving addresses and payment URIs (docs/spec.md §11): the known answers of
// core/tests/payment_uri.rs, through the Node binding.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const ps = require('..')

const EIP55 = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'
const TRON_USDT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'
const BSC_USDT = '0x55d398326f99059fF775485246999027B3197955'

function thrown(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  assert.fail('expected a throw')
}

function flipFirstLetter(text) {
  const i = [...text].findIndex((c, k) => k >= 2 && /[a-z]/i.test(c))
  const c = text[i]
  const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()
  return text.slice(0, i) + flipped + text.slice(i + 1)
}

test('an EIP-55 vector is its own normal form, and its lowercase spelling normalises to it', () => {
  for (const asset of ['USDT_ERC20', 'USDT_BSC', 'USDT_POLYGON']) {
    assert.equal(ps.normalizeAddress(asset, EIP55), EIP55)
    assert.equal(ps.normalizeAddress(asset, '0x' + EIP55.slice(2).toLowerCase()), EIP55)
    assert.equal(ps.normalizeAddress(asset, '0x' + EIP55.slice(2).toUpperCase()), EIP55)
  }
})

test('one case-flipped letter is a checksum mismatch on address', () => {
  const typo = flipFirstLetter(EIP55)
  assert.notEqual(typo, EIP55)
  const e = thrown(() => ps.normalizeAddress('USDT_ERC20', typo))
  assert.equal(e.code, 'invalid_field')
  assert.equal(e.field, 'address')
  assert.match(e.message, /checksum_mismatch/)
})

test('the TRON USDT contract is valid on USDT_TRC20 and the wrong network on USDT_ERC20', () => {
  assert.equal(ps.normalizeAddress('USDT_TRC20', TRON_USDT), TRON_USDT)
  const e = thrown(() => ps.normalizeAddress('USDT_ERC20', TRON_USDT))
  assert.equal(e.code, 'invalid_field')
  assert.equal(e.field, 'address')
  assert.match(e.message, /wrong_network/)
  const bybit = thrown(() => ps.normalizeAddress('USDT_BYBIT', EIP55))
  assert.equal(bybit.field, 'asset')
  assert.match(bybit.message, /no_onchain_address/)
})

test('the BSC payment URI is EIP-681 in base units', () => {
  const expected = `ethereum:${BSC_USDT}@56/transfer?address=${EIP55}&uint256=10500000000000000000`
  assert.equal(ps.paymentUri('USDT_BSC', EIP55, '10.50'), expected)
  assert.equal(ps.paymentUri('USDT_BSC', EIP55.toLowerCase(), '10.5'), expected)
  assert.equal(ps.baseUnits('USDT_BSC', '10.50'), '10500000000000000000')
  assert.equal(ps.baseUnits('USDT_TRC20', '10.50'), '10500000')
})

test('too many decimals and zero are refused on amount; numbers are not amounts', () => {
  let e = thrown(() => ps.paymentUri('USDT_TRC20', TRON_USDT, '1.0000001'))
  assert.equal(e.code, 'too_many_decimals')
  assert.equal(e.field, 'amount')
  e = thrown(() => ps.baseUnits('USDT_ERC20', '0.0000001'))
  assert.equal(e.code, 'too_many_decimals')
  e = thrown(() => ps.paymentUri('USDT_ERC20', EIP55, '0'))
  assert.equal(e.code, 'invalid_amount')
  assert.equal(e.field, 'amount')
  // @ts-expect-error numbers are not amounts
  e = thrown(() => ps.baseUnits('USDT_BSC', 10.5))
  assert.equal(e.code, 'invalid_amount')
  // @ts-expect-error an address is a string
  assert.ok(thrown(() => ps.normalizeAddress('USDT_BSC', 42)) instanceof TypeError)
})
