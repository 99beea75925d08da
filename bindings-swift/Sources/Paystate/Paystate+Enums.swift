// Hand-written companion to the generated Paystate.swift: the enums are the core's own
// (exported as remote enums from ffi/src), which Rust cannot give methods, so the core's
// spellings come through free functions; these extensions keep them as methods.
import Foundation

extension Status {
    /// The contract's name (`partially_refunded`).
    public func asStr() -> String { statusAsStr(status: self) }
}

extension ExceptionFlag {
    /// The contract's name (`paid_late`).
    public func asStr() -> String { exceptionFlagAsStr(flag: self) }
}

extension EventType {
    /// The contract's name (`invoice.payment_received`).
    public func asStr() -> String { eventTypeAsStr(eventType: self) }
}

extension Asset {
    /// The canonical code (`USDT_TRC20`).
    public func code() -> String { assetCode(asset: self) }
    /// Decimal places a transfer of this asset can carry.
    public func scale() -> UInt32 { assetScale(asset: self) }
}

extension Scheme {
    /// The contract's name (`standard_webhooks`).
    public func asStr() -> String { schemeAsStr(scheme: self) }
    /// Whether the scheme signs a timestamp (and so checks a time window).
    public func isTimestamped() -> Bool { schemeIsTimestamped(scheme: self) }
    /// The scheme's own window in seconds, for timestamped schemes.
    public func defaultToleranceSeconds() -> UInt64? { schemeDefaultToleranceSeconds(scheme: self) }
    /// Whether the replay guard applies (not for `gatenoc` and `keypair_invoice`).
    public func hasReplayKey() -> Bool { schemeHasReplayKey(scheme: self) }
}

extension DeliveryPolicy {
    /// The contract's name (`usdt_gateway`).
    public func asStr() -> String { deliveryPolicyAsStr(policy: self) }
    /// The most attempts the policy makes (first attempt plus retries).
    public func maxAttempts() -> UInt32 { deliveryPolicyMaxAttempts(policy: self) }
}
