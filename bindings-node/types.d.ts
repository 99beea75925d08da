/* The public types of `paystate` that are not classes or functions: shared by index.d.ts
 * (the package) and native.d.ts (the addon napi-rs generates, which starts with
 * dts-header.d.ts). Written once, here. */
/* eslint-disable */

// The two classes these shapes carry are the package's own (index.d.ts).
import type { DialectRequest, Invoice } from './index'

/** A decimal amount as a string, `[0-9]+(\.[0-9]+)?` (`"10.50"`). Never a JS number. */
export type AmountString = string
/** An instant: a `Date`, unix milliseconds (a number), or an RFC 3339 string. */
export type TimeInput = Date | number | string
/** Raw bytes: a `Buffer`, a `Uint8Array`, or a string (taken as UTF-8). */
export type Body = Buffer | Uint8Array | string
/** A secret: a string (its UTF-8 bytes; `whsec_` base64 for Standard Webhooks) or bytes. */
export type Secret = string | Buffer | Uint8Array
/**
 * Request headers: a plain object (`req.headers`), a `Headers` or `Map` (anything with
 * `get(name)`), or `[name, value]` pairs. Names match case-insensitively.
 */
export type HeadersInput =
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null | undefined }
  | ReadonlyArray<readonly [string, string]>

// The core's vocabulary (statuses, exceptions, event types, assets, schemes, delivery
// policies, refund outcomes, error codes) is generated into vocabulary.d.ts by
// scripts/gen-vocabulary.py from `paystate contract`; the public names below alias it.
import type { Asset, DeliveryPolicy, ErrorCode, EventType, ExceptionName, RefundOutcome, Scheme, Status } from './vocabulary'
export type { Asset, DeliveryPolicy, ErrorCode, EventType, ExceptionName, RefundOutcome, Scheme, Status } from './vocabulary'

/** Invoice statuses (docs/spec.md §3). */
export type InvoiceStatus = Status
/** Exceptions beside the status (docs/spec.md §3). */
export type InvoiceException = ExceptionName
/** What a delivery attempt got back: an HTTP status, no answer in time, or a transport error. */
export type AttemptOutcome = number | 'timeout' | 'error'
/**
 * What a host reports for an attempt: an HTTP status, `'timeout'`, or a transport error's
 * name (`'error'`, `'connection_refused'`: any other non-empty text counts as a transport
 * error, docs/spec.md §7). Recorded attempts read back as an `AttemptOutcome`.
 */
export type ReportedOutcome = AttemptOutcome | (string & {})

/** Every code a `PaystateError` can carry (stable, part of the contract: docs/spec.md §9). */
export type PaystateErrorCode = ErrorCode

/**
 * What every function of this package throws for a core rule: an `Error` named
 * `PaystateError` with the contract's stable `code` and, where one applies, the contract
 * `field` (snake_case, e.g. `transfer.amount`). Wrong JavaScript types throw `TypeError`.
 * Messages never contain a secret. Test with `isPaystateError(err)`.
 */
export interface PaystateError extends Error {
  name: 'PaystateError'
  code: PaystateErrorCode
  field?: string
}

/** How much may be missing for an invoice to count as paid. */
export type Tolerance = 'exact' | { absolute: AmountString } | { percent: AmountString }
/** What happens to money sent at or after the deadline. */
export type LatePayment = 'reject' | { acceptWithin: number } | { accept_within: number }

/**
 * Everything an invoice is created from. camelCase or the contract's snake_case keys
 * (`expires_in`, ...) are both accepted. Give `due` or `price`, `expiresIn` or `expiresAt`.
 */
export interface InvoiceSpec {
  /** The host's id for the invoice (1..128 bytes); event ids derive from it. */
  id: string
  /** The merchant's order reference. */
  reference?: string
  /** The amount due in the asset. */
  due?: AmountString
  /** The price in a pricing currency (ISO 4217), converted at `rate` plus `surcharge`. */
  price?: { amount: AmountString; currency: string }
  /** Asset units per currency unit (default 1). */
  rate?: AmountString
  /** Added after conversion, in asset units. */
  surcharge?: AmountString
  /** The asset it is paid in. */
  asset: Asset | string
  /** Seconds from creation to the deadline. */
  expiresIn?: number
  /** The deadline itself. */
  expiresAt?: TimeInput
  /** Default `'exact'`. */
  tolerance?: Tolerance
  /** Default `'reject'`. */
  latePayment?: LatePayment
  /** A surplus up to this amount does not raise `overpaid` (default 0). */
  overpayDust?: AmountString
  /** Seconds after the deadline for unconfirmed payment to confirm (default 86400). */
  confirmationWindow?: number
  /** Opaque data for the host, carried along. */
  metadata?: Record<string, unknown>
  expires_in?: number
  expires_at?: TimeInput
  late_payment?: LatePayment
  overpay_dust?: AmountString
  confirmation_window?: number
}

/** An incoming transfer as the host's chain or exchange watcher saw it. */
export type TransferInput = TransferFields & ({ txId: string } | { tx_id: string })

/** The fields of a transfer besides its id (`txId`, or `tx_id`: the transaction id, unique per invoice). */
export interface TransferFields {
  /** The amount, in the asset. */
  amount: AmountString
  /** The asset it was sent in. */
  asset: Asset | string
  /** Whether it is final on its network. */
  confirmed: boolean
  /** When the transfer was made (lateness is judged by it); default: the command's time. */
  at?: TimeInput
}

/** A refund to start: `refundId` (or `refund_id`), the host's id for it, and `amount`, all that is refundable when omitted. */
export type RefundRequest = { amount?: AmountString } & ({ refundId: string } | { refund_id: string })

/** Status, exceptions and every amount of an invoice at one instant. */
export interface Snapshot {
  status: InvoiceStatus
  exceptions: InvoiceException[]
  /** Confirmed transfers that count. */
  amountPaid: AmountString
  /** Unconfirmed transfers that count. */
  amountPending: AmountString
  /** Money that arrived but does not count. */
  amountHeld: AmountString
  /** max(0, received − due). */
  surplus: AmountString
  /** Succeeded refunds. */
  amountRefunded: AmountString
  /** Refunds requested and not yet settled. */
  refundsInFlight: AmountString
  /** Money that may still be refunded. */
  refundable: AmountString
}

/** Something that happened to an invoice: publish it (webhooks, emails, fulfilment). */
export interface InvoiceEvent {
  /** `"{invoiceId}:{seq}"`: stable across replays, so deliveries can be deduplicated by it. */
  id: string
  type: EventType
  invoiceId: string
  /** When the command that emitted it was applied. */
  at: Date
  /** The transfer concerned. */
  txId?: string
  /** The refund concerned. */
  refundId?: string
  /** The amount of the transfer or refund concerned. */
  amount?: AmountString
  /** The invoice after the command. */
  invoice: Snapshot
}

/** What `Invoice.create` returns. */
export interface CreatedInvoice {
  invoice: Invoice
  events: InvoiceEvent[]
}

/** A transfer as the invoice records it. */
export interface Transfer {
  txId: string
  amount: AmountString
  confirmed: boolean
  counted: boolean
  dropped: boolean
  late: boolean
  madeAt: Date
  observedAt: Date
}

/** A refund as the invoice records it. */
export interface Refund {
  refundId: string
  amount: AmountString
  state: 'in_flight' | 'succeeded' | 'failed'
  requestedAt: Date
  settledAt: Date | null
}

/** A command in the journal shape (the fields of the conformance step of the same op). */
export type Command =
  | { op: 'create_invoice'; invoice: InvoiceSpec }
  | { op: 'observe_transfer'; transfer: { tx_id: string; amount: AmountString; asset: string; confirmed: boolean; at?: string } }
  | { op: 'confirm_transfer'; tx_id: string }
  | { op: 'drop_transfer'; tx_id: string }
  | { op: 'tick' }
  | { op: 'cancel' }
  | { op: 'request_refund'; refund_id: string; amount?: AmountString }
  | { op: 'settle_refund'; refund_id: string; outcome: RefundOutcome }
  | { op: 'mark'; status: 'paid' | 'invalid' }
  | { op: 'claim_txid'; tx_id: string }

/** One accepted command and the time it was applied at: a line of the journal. */
export interface JournalEntry {
  at: TimeInput
  command: Command
}

/** The storable state of an invoice (`schema_version` and the core's fields). */
export type InvoiceState = { schema_version: number } & Record<string, unknown>
/** The storable state of a matcher. */
export type MatcherState = Record<string, unknown>
/** The storable state of a session. */
export type SessionState = Record<string, unknown>
/** The storable state of a replay guard. */
export type ReplayGuardState = Record<string, unknown>
/** The storable state of a delivery plan. */
export type DeliveryPlanState = Record<string, unknown>

/** The answer to "whose payment is this amount?". */
export type MatchResult =
  | { kind: 'matched'; invoiceId: string }
  | { kind: 'ambiguous'; invoiceIds: string[] }
  | { kind: 'unmatched' }

/** Options of a `Verifier`. */
export interface VerifierOptions {
  /** A two-sided window in seconds, `|now − timestamp| <= t` (default: the scheme's, 300 s). */
  toleranceSeconds?: number
  /** Turns the time check off, explicitly. */
  skipTimeCheck?: boolean
  /** How long replay keys of messages without a checked timestamp are kept (default 86400). */
  replayRetentionSeconds?: number
}

/** Inputs a sender supplies when signing: the core never invents ids, nonces or times. */
export interface SignInput {
  /** The message id (`webhook-id` for Standard Webhooks). */
  id?: string
  /** The nonce (`X-GatePay-Nonce`). */
  nonce?: string
  /** The signed timestamp. */
  timestamp?: TimeInput
}

/**
 * What a provider would send. Its values are secrets for some schemes (gatenoc's merchant
 * key header, keypair_invoice's key in `signature` and `body`), so `util.inspect`,
 * `console.log` and `JSON.stringify` of it show only the header names, `'<redacted>'` and
 * the body's length; read the fields themselves to send them.
 */
export interface Signed {
  /** Headers to send, with the provider's spelling of their names. */
  headers: Record<string, string>
  /** `monetix`: the signature placed in the body; `keypair_invoice`: the key. */
  signature?: string
  /** `monetix` and `keypair_invoice`: the body to send. */
  body?: Buffer
}

/** What a delivery plan wants next. */
export type DeliveryNext = { kind: 'retry'; retryAt: Date } | { kind: 'delivered' } | { kind: 'gave_up' }

/** One reported delivery attempt. */
export interface DeliveryAttempt {
  at: Date
  outcome: AttemptOutcome
  durationMs?: number
  delivered: boolean
}

/** One rule of the invoice transition table. */
export interface TransitionRule {
  /** The status before (`null` for creation). */
  from: InvoiceStatus | null
  /** The command (`observe_transfer`, `mark_paid`, ...). */
  command: string
  /** The statuses it can lead to. */
  to: InvoiceStatus[]
  note: string
}


/**
 * What a dialect create-request parser (and `gatenocCheckMerchantKey`,
 * `usdtGatewayKeyMode`) throws for a request the provider's rules reject: a
 * `PaystateError` (same `code` and message) whose `field` is the provider's own field name
 * (`amountUsdt`, `payment.amount`; absent when none applies, as for `malformed_json`) and
 * which carries the provider's answer: `httpStatus` and `body` (the provider-shaped error
 * body, with `bodyJson` its exact JSON text to send), each `null` where the seed documents
 * none. Errors in the host's own arguments (a missing `context.id`, a wrong type) are
 * plain `PaystateError`s or `TypeError`s without `httpStatus`.
 */
export interface DialectRejection extends PaystateError {
  /** The provider's field name. */
  field?: string
  /** The provider's HTTP status, or `null` where the seed documents none. */
  httpStatus: number | null
  /** The provider-shaped error body, or `null` where the seed documents none. */
  body: Record<string, unknown> | null
  /** `body`'s exact JSON text (send this), or `null`. */
  bodyJson: string | null
}

/** What a `DialectRequest` holds. */
export type DialectRequestKind =
  | 'gatenoc.checkout_session'
  | 'usdt_gateway.invoice'
  | 'gatepay.order'
  | 'monetix.purchase'
  | 'monetix.refund'
  | 'monetix.payout'
  | 'keypair_invoice.invoice'

/**
 * A validated provider create request: `spec` to pass to `Invoice.create(spec, now)` with
 * the same `now`, what the core computed from it, the provider's fields the spec does not
 * hold (`extra`), and the opaque `request` the renderers take.
 */
export interface DialectParsed {
  /** The invoice spec in the contract's snake_case shape (`Invoice.create` accepts it). */
  spec: InvoiceSpec
  /** The amount due in the asset (price × rate + surcharge, rounded up). */
  due: AmountString
  /** The request time (the invoice's creation time). */
  createdAt: Date
  /** The payment deadline. */
  deadline: Date
  /** The provider's fields the spec does not hold (URLs, titles, the amount as sent). */
  extra: Record<string, unknown>
  /** The parsed request, for the renderers. */
  request: DialectRequest
}

/**
 * A rendered provider body. `body` is a JS object for inspection; `json` is its exact JSON
 * text — send `json`, not `JSON.stringify(body)`: some seeds print money as a JSON number
 * (`"amount": 10.5`), which must not pass through a JS `number`.
 */
export interface Rendered<T = Record<string, unknown>> {
  body: T
  json: string
}

/** A provider callback translated for the core. */
export interface CallbackResult {
  /** The provider's status exactly as sent (`confirmed`, `PAY_SUCCESS`, `success`). */
  providerStatus: string
  /** The command to apply with `invoice.apply(command, now)`, or `null` when nothing changes. */
  command: Command | null
  /** When the provider says the event happened, if it says. */
  at: Date | null
}

/** Inputs of a gatenoc checkout session the request cannot carry. */
export interface GatenocCheckoutContext {
  /** The invoice id. */
  id: string
  /** When the request arrived. */
  now: TimeInput
  /** Session lifetime in seconds (default 1800). */
  ttlSeconds?: number
}
/** What the gatenoc checkout-session response needs beyond the request. */
export interface GatenocCheckoutRender {
  /** `https://gatenoc.com`. */
  baseUrl: string
  /** The merchant's numeric id. */
  merchantId: number
  /** The `cs` query value of the checkout link. */
  sessionToken: string
}
/** What a gatenoc `payment.completed` notification needs beyond the invoice. */
export interface GatenocCompletedRender {
  bybitPayId: string
  paymentRecordId: string
}
/** Inputs of a usdt_gateway invoice the request cannot carry. */
export interface UsdtGatewayInvoiceContext {
  id: string
  now: TimeInput
  /** The reference used when the request has none. */
  generatedReference?: string
}
/** What the usdt_gateway 201 response needs beyond the request. */
export interface UsdtGatewayInvoiceRender {
  payoutAddress: string
  paymentUrl: string
  isTest: boolean
}
/** What the usdt_gateway payment webhook needs beyond the invoice. */
export interface UsdtGatewayWebhookRender {
  merchantId: string
  payoutAddress: string
  txHash: string
  paidAt: TimeInput
}
/** Inputs of a gatepay order the request cannot carry. */
export interface GatepayOrderContext {
  id: string
  now: TimeInput
  /** USDT per unit of `fiatCurrency` (default `"1"`). */
  rate?: AmountString
}
/** What the gatepay success response needs beyond the request. */
export interface GatepayOrderRender {
  prepayId: string
  qrContent: string
  location: string
  address: string
}
/** A gatepay payment notification status. */
export type GatepayBizStatus = 'PAY_SUCCESS' | 'PAY_ERROR' | 'PAY_CLOSE'
/** What a gatepay notification needs beyond the invoice. */
export interface GatepayNotifyRender {
  prepayId: string
  clientId: string
  transactionId: string
  createTime: TimeInput
}
/** Inputs of a monetix purchase the request cannot carry. */
export interface MonetixPurchaseContext {
  id: string
  now: TimeInput
  /** USDT per unit of the purchase currency (default `"1"`). */
  rate?: AmountString
}
/** What the monetix `display_data` array needs beyond the purchase. */
export interface MonetixDisplayRender {
  /** The QR code image, base64. */
  qrData: string
  /** When the QR code expires. */
  lifetime: TimeInput
  qrUrl: string
}
/** A parsed monetix refund request. */
export interface MonetixParsedRefund {
  /** The normalised request (`amount` in minor units, `null` for a full refund). */
  refund: Record<string, unknown>
  request: DialectRequest
}
/** A parsed monetix payout request. */
export interface MonetixParsedPayout {
  /** The normalised request. */
  payout: Record<string, unknown>
  request: DialectRequest
}
/** A monetix payout callback, normalised. */
export interface MonetixPayoutResult {
  providerStatus: string
  outcome: 'succeeded' | 'failed' | 'in_progress'
  operationId: string
  at: Date | null
}
/** Inputs of a keypair_invoice request the request cannot carry. */
export interface KeypairInvoiceContext {
  id: string
  now: TimeInput
  /** Asset units per `price_currency` unit (default `"1"`). */
  rate?: AmountString
  /** The network fee added when `add_fee_to_price` is 1 (default `"0"`). */
  fee?: AmountString
  /** The network paid on (default: the first USDT network not banned). */
  asset?: Asset
}
/** What the keypair_invoice payment callback needs beyond the request. */
export interface KeypairInvoiceCallbackRender {
  /** The merchant's private key (the seed's callback repeats it). */
  privateKey: string
  id: string
  amount: AmountString
  /** The paid coin (`USDT-TRC20`). */
  amountCurrency: string
  refUrl: string
  ip: string
  createdAt: TimeInput
}
