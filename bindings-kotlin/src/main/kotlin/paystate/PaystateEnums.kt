// Hand-written companions to the UniFFI-generated Kotlin: the enums are the core's own
// (exported as remote enums from ffi/src), which Rust cannot give methods, so the core's
// spellings come through free functions; these extensions keep them as methods.
package paystate

/** The contract's name (`partially_refunded`). */
fun Status.asStr(): String = statusAsStr(this)

/** The contract's name (`paid_late`). */
fun ExceptionFlag.asStr(): String = exceptionFlagAsStr(this)

/** The contract's name (`invoice.payment_received`). */
fun EventType.asStr(): String = eventTypeAsStr(this)

/** The canonical code (`USDT_TRC20`). */
fun Asset.code(): String = assetCode(this)

/** Decimal places a transfer of this asset can carry. */
fun Asset.scale(): UInt = assetScale(this)

/** The contract's name (`standard_webhooks`). */
fun Scheme.asStr(): String = schemeAsStr(this)

/** Whether the scheme signs a timestamp (and so checks a time window). */
fun Scheme.isTimestamped(): Boolean = schemeIsTimestamped(this)

/** The scheme's own window in seconds, for timestamped schemes. */
fun Scheme.defaultToleranceSeconds(): ULong? = schemeDefaultToleranceSeconds(this)

/** Whether the replay guard applies (not for `gatenoc` and `keypair_invoice`). */
fun Scheme.hasReplayKey(): Boolean = schemeHasReplayKey(this)

/** The contract's name (`usdt_gateway`). */
fun DeliveryPolicy.asStr(): String = deliveryPolicyAsStr(this)

/** The most attempts the policy makes (first attempt plus retries). */
fun DeliveryPolicy.maxAttempts(): UInt = deliveryPolicyMaxAttempts(this)
