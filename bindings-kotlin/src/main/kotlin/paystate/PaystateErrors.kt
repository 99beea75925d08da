// Hand-written companions to the UniFFI-generated Kotlin (target/generated-sources/uniffi).
// The code list itself lives once, in ffi/src/types.rs: nothing here names a code.
package paystate

/**
 * The stable snake_case error code of this error (`invalid_amount`, `signature_mismatch`,
 * `limit_exceeded`, ...), exactly as the core, the conformance suite and every other binding
 * spell it.
 *
 * ```kotlin
 * try { invoice.observeTransfer(transfer, Instant.now()) }
 * catch (e: PaystateException) { log.warn("${e.code} on ${e.field}: ${e.detail}") }
 * ```
 */
val PaystateException.code: String
    get() = errorCode()

/**
 * The field the error is about (`transfer.amount`, `tx_id`), or null where there is none.
 * (Each variant also has it as a member; this reads it from the base type.)
 */
val PaystateException.field: String?
    get() = errorField()

/**
 * The core's message: it names the field and the problem and never contains a secret, e.g.
 * `transfer.amount: invalid amount "-1": expected only ASCII digits...`. (`message` is
 * UniFFI's `field=…, detail=…` rendering of the same data.)
 */
val PaystateException.detail: String
    get() = errorMessage()
