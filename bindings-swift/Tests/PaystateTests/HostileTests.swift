import Foundation
import Paystate
import XCTest

/// Seeded storms of random and adversarial host values into every public entry point that
/// takes host data: huge strings, exponent and NaN-like amounts, non-UTF-8 bytes, JSON nested
/// 10 000 deep, wrong JSON types, NaN, infinite, negative and far-future dates, Decimals of
/// extreme magnitude. Mirrors bindings-kotlin/src/test/kotlin/paystate/HostileTest.kt.
///
/// The rule: every call returns normally or throws the binding's typed error, a `PaystateError`
/// (or, for the dialect create parsers and key checks, a `DialectError`) whose code is one of
/// `errorCodes()`. Anything else (a `UniffiInternalError` from a Rust panic, any other error)
/// fails the test with the entry point, the call number and the input; a process abort fails
/// the run. Outcomes are counted per entry point and each must have seen the outcomes it can
/// have, so the test cannot pass vacuously. After each storm an invoice created before it
/// still works.
///
/// Deterministic: SplitMix64 with a fixed seed (explore others with `PAYSTATE_HOSTILE_SEED=N`);
/// dictionaries are always walked in sorted key order.
final class HostileTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
    let mxT = Date(timeIntervalSince1970: 1_648_206_485) // 2022-03-25T11:08:05Z

    private func repoRoot() -> String {
        if let root = ProcessInfo.processInfo.environment["PAYSTATE_REPO_ROOT"] { return root }
        // Tests/PaystateTests/HostileTests.swift -> bindings-swift -> repository root
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    private func golden(_ name: String) throws -> Data {
        let dir = (repoRoot() as NSString).appendingPathComponent("core/tests/dialect_golden")
        return try Data(contentsOf: URL(fileURLWithPath: (dir as NSString).appendingPathComponent(name)))
    }

    private func b(_ s: String) -> Data { Data(s.utf8) }

    private func spec(_ id: String, _ due: String) -> InvoiceSpec {
        newInvoiceSpec(id: id, pricing: .due(amount: Decimal(string: due)!), asset: .usdtTrc20, expiry: .inSeconds(seconds: 1800))
    }

    /// An invoice created before a storm; `assertStillWorks` checks it after.
    private func makeKeeper() throws -> Invoice { try createInvoice(spec: spec("keeper", "5"), now: t0).invoice }

    private func assertStillWorks(_ keeper: Invoice, _ before: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(keeper.toJson(), before, "the storm changed an invoice it only read", file: file, line: line)
        XCTAssertEqual(keeper.status(), .pending, file: file, line: line)
        let transfer = TransferInput(txId: "after-storm", amount: Decimal(5), asset: .usdtTrc20, confirmed: true)
        let events = try keeper.observeTransfer(transfer: transfer, now: t0.addingTimeInterval(60))
        XCTAssertEqual(events.map { $0.eventType }, [.paymentReceived, .paid], file: file, line: line)
        XCTAssertTrue(try Invoice.fromJson(json: keeper.toJson()).sameState(other: keeper), file: file, line: line)
    }

    // MARK: - webhook signatures: Verifier.verify for every scheme, Signer, ReplayGuard

    func testWebhookSignaturesGiveOnlyTypedErrors() throws {
        let s = Storm("signatures", salt: 1)
        let keeper = try makeKeeper()
        let kept = keeper.toJson()
        var verified: [Verified] = []

        for scheme in Hostile.schemes {
            let name = scheme.asStr()
            let secret = scheme == .standardWebhooks ? Hostile.whsec : "k3y-\(name)"
            let other = scheme == .standardWebhooks ? Hostile.whsecOther : "other-\(name)"
            let signer = try Signer(scheme: scheme, secrets: [secret])
            let candidates: [Verifier?] = [
                s.call("Verifier(scheme, secrets)", [scheme]) { try Verifier(scheme: scheme, secrets: [other, secret]) },
                s.call("Verifier.withOptions", [scheme, "skip"]) {
                    try Verifier.withOptions(scheme: scheme, secrets: [secret], options: VerifierOptions(timeCheck: .skip, replayRetentionSeconds: 1))
                },
                s.call("Verifier.withOptions", [scheme, "max"]) {
                    try Verifier.withOptions(scheme: scheme, secrets: [secret], options: VerifierOptions(timeCheck: .withinSeconds(seconds: UInt64.max), replayRetentionSeconds: UInt64.max))
                },
                s.call("Verifier.withOptions", [scheme, "zero"]) {
                    try Verifier.withOptions(scheme: scheme, secrets: [other, secret], options: VerifierOptions(timeCheck: .withinSeconds(seconds: 0), replayRetentionSeconds: 1))
                },
            ]
            let verifiers = candidates.compactMap { $0 }
            for i in 0..<Hostile.verifyRounds {
                // A genuine delivery (whole seconds, 1976..2076), then a hostile variant of it.
                let ts = Date(timeIntervalSince1970: Double(Hostile.t0Seconds + s.int64(-Hostile.fiftyYears, Hostile.fiftyYears)))
                let body = b(JSONText.write(Hostile.object([("id", .string("evt_\(i)")), ("amount", .number(s.validAmount())), ("note", .string(s.text()))])))
                let input = SignInput(id: "msg_\(i)", nonce: "n0nce\(i)", timestamp: ts)
                guard let signed = s.call("Signer.sign", [scheme, body, input], { try signer.sign(body: body, input: input) }) else { continue }
                let sent = signed.body() ?? body
                var headers: [String: String] = [:]
                for h in signed.headers() { headers[h.name] = h.value }
                let now = ts.addingTimeInterval(Double(s.int(0, 60)))
                let seeds = [sent]
                let variant: ([String: String], Data, Date)
                switch s.int(0, 10) {
                case 0, 1: variant = (headers, sent, now) // as sent
                case 2: // names in any case
                    var renamed: [String: String] = [:]
                    for k in headers.keys.sorted() { renamed[s.randomCase(k)] = headers[k] }
                    variant = (renamed, sent, now)
                case 3: variant = (s.mutateHeaders(headers), sent, now)
                case 4: variant = (headers, s.bytes(seeds), now)
                case 5: variant = (s.randomHeaders(), s.bytes(seeds), now)
                case 6: variant = (headers, sent, s.date())
                case 7: variant = (headers.merging(s.randomHeaders()) { _, new in new }, sent, now)
                case 8: variant = (s.mutateHeaders(headers), s.bytes(seeds), s.date())
                default: variant = (s.randomHeaders(), s.pick(Hostile.deepData), now)
                }
                let (h, bytes, at) = variant
                let verifier = s.pick(verifiers)
                if let ok = s.call("Verifier.verify[\(name)]", [h, bytes, at], { try verifier.verify(headers: h, body: bytes, now: at) }),
                   s.chance(0.3) {
                    verified.append(ok)
                }
            }
        }

        // Random schemes, secrets, options, sign inputs; verify random deliveries with them.
        for _ in 0..<Hostile.ctorRounds {
            let scheme = s.pick(Hostile.schemes)
            let secrets = (0..<s.int(0, 3)).map { _ in s.secret() }
            let signer = s.call("Signer(scheme, secrets)", [scheme, secrets]) { try Signer(scheme: scheme, secrets: secrets) }
            let body = s.bytes(Hostile.signSeeds)
            let input = SignInput(id: s.maybe { s.text() }, nonce: s.maybe { s.text() }, timestamp: s.maybe { s.date() })
            if let signer = signer { s.call("Signer.sign", [scheme, body, input]) { try signer.sign(body: body, input: input) } }
            let plain = s.call("Verifier(scheme, secrets)", [scheme, secrets]) { try Verifier(scheme: scheme, secrets: secrets) }
            let check = s.either({ TimeCheck.schemeDefault }, { TimeCheck.skip }, { TimeCheck.withinSeconds(seconds: s.u64()) })
            let options = VerifierOptions(timeCheck: check, replayRetentionSeconds: s.u64())
            let tuned = s.call("Verifier.withOptions", [scheme, secrets, options]) { try Verifier.withOptions(scheme: scheme, secrets: secrets, options: options) }
            let h = s.randomHeaders()
            let bytes = s.bytes(Hostile.signSeeds)
            let at = s.date()
            if let v = tuned ?? plain {
                s.call("Verifier.verify[random secrets]", [scheme, h, bytes, at]) { try v.verify(headers: h, body: bytes, now: at) }
            }
        }

        // The replay guard: genuine verifications (a second record is `replayed`), random
        // records, keys and times.
        let replayGuard = try ReplayGuard(capacity: 1000)
        for _ in 0..<Hostile.guardRounds {
            let now = s.nowish()
            switch s.int(0, 7) {
            case 0:
                let c: UInt64? = s.maybe { s.either({ UInt64(0) }, { UInt64(1) }, { s.u64() }) }
                s.call("ReplayGuard(capacity)", [c]) { try ReplayGuard(capacity: c) }
            case 1, 2:
                if !verified.isEmpty {
                    let v = s.pick(verified)
                    let at = s.chance(0.8) ? (v.timestamp ?? v.replay?.keepUntil.addingTimeInterval(-60) ?? t0) : s.date()
                    s.call("ReplayGuard.record", [v, at]) { try replayGuard.record(verified: v, now: at) }
                    if s.chance(0.5) { s.call("ReplayGuard.record", [v, at]) { try replayGuard.record(verified: v, now: at) } }
                }
            case 3:
                let v = s.verified()
                s.call("ReplayGuard.record", [v, now]) { try replayGuard.record(verified: v, now: now) }
            case 4:
                let key = s.text()
                let until = s.chance(0.7) ? now.addingTimeInterval(Double(s.int(0, 3600))) : s.date()
                s.call("ReplayGuard.checkAndRecord", [key, until, now]) { try replayGuard.checkAndRecord(key: key, keepUntil: until, now: now) }
                if s.chance(0.5) {
                    s.call("ReplayGuard.checkAndRecord", [key, until, now]) { try replayGuard.checkAndRecord(key: key, keepUntil: until, now: now) }
                }
            case 5:
                let key = s.text()
                s.call("ReplayGuard.contains", [key, now]) { try replayGuard.contains(key: key, now: now) }
            default:
                let at = s.hostileTime()
                s.call("ReplayGuard.tick", [at]) { try replayGuard.tick(now: at) }
            }
        }
        s.call("ReplayGuard: read", []) { () -> String in
            _ = replayGuard.len()
            _ = replayGuard.nextDeadline()
            _ = replayGuard.capacity()
            return replayGuard.toJson()
        }

        try assertStillWorks(keeper, kept)
        s.finish([
            "Verifier.verify[random secrets]": .typed,
            "ReplayGuard.contains": .ok,
            "ReplayGuard: read": .ok,
        ])
    }

    // MARK: - text parsers: amounts, timestamps, names, codes, session tokens

    func testTextParsersGiveOnlyTypedErrors() throws {
        let s = Storm("parsers", salt: 2)
        let keeper = try makeKeeper()
        let kept = keeper.toJson()

        for _ in 0..<Hostile.amountRounds {
            let text = s.amountText()
            if let a = s.call("parseAmount", [text], { try parseAmount(text: text) }) {
                let again = a.description
                if let back = s.call("parseAmount(its own output)", [again], { try parseAmount(text: again) }), back != a {
                    s.wrong("parseAmount(its own output)", "\(a) came back as \(back)", [text])
                }
            }
        }
        for _ in 0..<Hostile.timestampRounds {
            let text = s.timestampText()
            if let at = s.call("parseTimestamp", [text], { try parseTimestamp(text: text) }),
               let again = s.call("formatTimestamp(parsed)", [at], { try formatTimestamp(at: at) }),
               let back = s.call("parseTimestamp(its own output)", [again], { try parseTimestamp(text: again) }),
               back != at {
                s.wrong("parseTimestamp(its own output)", "\(at) came back as \(back)", [text])
            }
        }
        for _ in 0..<Hostile.nameRounds {
            let at = s.date()
            s.call("formatTimestamp", [at]) { try formatTimestamp(at: at) }
            let scheme = s.pick(Hostile.schemes)
            let text = s.either({ s.timestampText() }, { s.numberText() }, { s.pick(Hostile.epochTexts) }, { s.text() })
            s.call("parseSchemeTimestamp", [scheme, text]) { try parseSchemeTimestamp(scheme: scheme, text: text) }
            let asset = s.nameText(Hostile.assets.map { $0.code() })
            s.call("parseAsset", [asset]) { try parseAsset(code: asset) }
            let status = s.nameText(Hostile.statuses.map { $0.asStr() })
            s.call("parseStatus", [status]) { try parseStatus(name: status) }
            let schemeName = s.nameText(Hostile.schemes.map { $0.asStr() })
            s.call("parseScheme", [schemeName]) { try parseScheme(name: schemeName) }
            let policy = s.nameText(Hostile.policies.map { $0.asStr() })
            s.call("parseDeliveryPolicy", [policy]) { try parseDeliveryPolicy(name: policy) }
            let code = UInt16(s.pick([100, 200, 404, 599, 0, 99, 600, 65535, s.int(0, 65536)]))
            s.call("httpOutcome", [code]) { try httpOutcome(status: code) }
        }
        for _ in 0..<Hostile.tokenRounds {
            let secret = s.either({ self.b("server-secret") }, { Data() }, { s.randomData(s.int(0, 80)) }, { s.bytes(Hostile.signSeeds) })
            let id = s.idText("s1")
            let token = s.call("sessionToken", [secret, id]) { try sessionToken(secret: secret, sessionId: id) }
            let offered = s.either({ token ?? s.text() }, { s.mutate(token ?? "") }, { s.text() }, { s.pick(Hostile.huge) })
            let other = s.chance(0.7) ? id : s.idText("s2")
            s.call("verifySessionToken", [secret, other, offered]) { try verifySessionToken(secret: secret, sessionId: other, token: offered) }
        }

        try assertStillWorks(keeper, kept)
        s.finish([
            "parseAmount(its own output)": .ok,
            "formatTimestamp(parsed)": .ok,
            "parseTimestamp(its own output)": .ok,
        ])
    }

    // MARK: - stored state and JSON readers: fromJson of every object, commands, specs, journals

    func testStoredStateAndJsonReadersGiveOnlyTypedErrors() throws {
        let s = Storm("stored", salt: 3)
        let keeper = try makeKeeper()
        let kept = keeper.toJson()

        // Seeds: genuine stored state of every kind, then mutated (wrong types, huge and
        // negative numbers, deleted and duplicated members, invalid UTF-8 decoded lossily).
        var paidSpec = spec("paid", "10")
        paidSpec.reference = "ORDER-1"
        paidSpec.metadataJson = #"{"cart":[1,2.50]}"#
        paidSpec.tolerance = .percent(percent: Decimal(string: "0.5")!)
        let paid = try createInvoice(spec: paidSpec, now: t0).invoice
        _ = try paid.observeTransfer(transfer: TransferInput(txId: "t1", amount: Decimal(6), asset: .usdtTrc20, confirmed: false), now: t0.addingTimeInterval(10))
        _ = try paid.confirmTransfer(txId: "t1", now: t0.addingTimeInterval(20))
        _ = try paid.observeTransfer(transfer: TransferInput(txId: "t2", amount: Decimal(string: "4.5")!, asset: .usdtTrc20, confirmed: true), now: t0.addingTimeInterval(30))
        _ = try paid.requestRefund(refundId: "r1", amount: Decimal(string: "0.5")!, now: t0.addingTimeInterval(40))
        let pricing = Pricing.price(amount: Decimal(string: "123.45")!, currency: "EUR", rate: Decimal(string: "1.0812345")!, surcharge: Decimal(string: "0.5")!)
        let priced = try createInvoice(spec: newInvoiceSpec(id: "priced", pricing: pricing, asset: .usdtBsc, expiry: .at(at: t0.addingTimeInterval(3600))), now: t0).invoice
        let invoiceSeeds = [keeper.toJson(), paid.toJson(), priced.toJson()]
        let matcher = Matcher()
        for k in 0..<3 { _ = try matcher.allocate(account: "acct", invoiceId: "i\(k)", due: Decimal(10), step: Decimal(string: "0.01")!, allowance: nil) }
        try matcher.register(account: "acct2", invoiceId: "j", payable: Decimal(string: "7.5")!, allowance: Decimal(string: "0.1")!)
        let openSession = try Session.open(id: "s1", invoice: keeper, ttlSeconds: 600, now: t0)
        let usedSession = try Session.open(id: "s2", invoice: keeper, ttlSeconds: 600, now: t0)
        try usedSession.useAt(invoice: keeper, now: t0.addingTimeInterval(1))
        let plan = try DeliveryPlan(id: "d1", policy: .standardWebhooks, now: t0)
        _ = try plan.report(outcome: .http(status: 500), at: t0.addingTimeInterval(1), durationMs: 20)
        let done = try DeliveryPlan(id: "d2", policy: .keypairInvoice, now: t0)
        _ = try done.report(outcome: .http(status: 200), at: t0.addingTimeInterval(1), durationMs: nil)
        let replayGuard = try ReplayGuard(capacity: 10)
        try replayGuard.checkAndRecord(key: "k1", keepUntil: t0.addingTimeInterval(300), now: t0)
        try replayGuard.checkAndRecord(key: "k2", keepUntil: t0.addingTimeInterval(600), now: t0)
        let commands: [Command] = [
            .create(spec: spec("c", "5")),
            .observeTransfer(transfer: TransferInput(txId: "t", amount: Decimal(string: "1.5")!, asset: .usdtTrc20, confirmed: true, at: t0)),
            .confirmTransfer(txId: "t"), .dropTransfer(txId: "t"), .tick, .cancel,
            .requestRefund(refundId: "r", amount: Decimal(1)), .requestRefund(refundId: "r", amount: nil),
            .settleRefund(refundId: "r", outcome: .failed), .markPaid, .markInvalid, .claimTxid(txId: "t"),
        ]
        let commandSeeds = try commands.map { try commandToJson(command: $0) }
        let specSeeds = try [paid.spec(), priced.spec(), keeper.spec()].map { try invoiceSpecToJson(spec: $0) }
        let journalSeeds = try [
            journalToJson(entries: [JournalEntry(at: t0, command: .create(spec: spec("j", "5"))), JournalEntry(at: t0.addingTimeInterval(10), command: commands[1])]),
            journalToJson(entries: [JournalEntry(at: t0, command: .create(spec: paid.spec()))]),
        ]

        for _ in 0..<Hostile.storedRounds {
            let j = s.jsonText(invoiceSeeds)
            if let inv = s.call("Invoice.fromJson", [j], { try Invoice.fromJson(json: j) }) { useLoadedInvoice(s, inv) }
        }
        for _ in 0..<Hostile.storedRounds {
            let j = s.jsonText([matcher.toJson()])
            if let m = s.call("Matcher.fromJson", [j], { try Matcher.fromJson(json: j) }) {
                s.call("loaded Matcher: read", [m]) { () -> String in
                    _ = m.len()
                    _ = m.isEmpty()
                    _ = m.payable(invoiceId: "i1")
                    return m.toJson()
                }
                s.call("loaded Matcher: round trip", [m]) { try Matcher.fromJson(json: m.toJson()) }
                let amount = s.decimal()
                s.call("loaded Matcher: matchAmount", [amount]) { try m.matchAmount(account: "acct", amount: amount) }
                s.call("loaded Matcher: allocate", [amount]) { try m.allocate(account: "acct", invoiceId: "new", due: amount, step: Decimal(string: "0.01")!, allowance: nil) }
            }
        }
        for _ in 0..<Hostile.storedRounds {
            let j = s.jsonText([openSession.toJson(), usedSession.toJson()])
            if let ses = s.call("Session.fromJson", [j], { try Session.fromJson(json: j) }) {
                s.call("loaded Session: read", [ses]) { () -> String in
                    _ = ses.id()
                    _ = ses.invoiceId()
                    _ = ses.expiresAt()
                    _ = ses.usedAt()
                    return ses.toJson()
                }
                s.call("loaded Session: round trip", [ses]) { try Session.fromJson(json: ses.toJson()) }
                let at = s.nowish()
                s.call("loaded Session: isClosed", [at]) { try ses.isClosed(now: at) }
                s.call("loaded Session: useAt", [at]) { try ses.useAt(invoice: keeper, now: at) }
            }
        }
        for _ in 0..<Hostile.storedRounds {
            let j = s.jsonText([plan.toJson(), done.toJson()])
            if let p = s.call("DeliveryPlan.fromJson", [j], { try DeliveryPlan.fromJson(json: j) }) {
                s.call("loaded DeliveryPlan: read", [p]) { () -> String in
                    _ = p.next()
                    _ = p.nextDeadline()
                    _ = p.isFinished()
                    _ = p.attempts()
                    _ = p.policy()
                    return p.toJson()
                }
                s.call("loaded DeliveryPlan: round trip", [p]) { try DeliveryPlan.fromJson(json: p.toJson()) }
                let outcome = s.attemptOutcome()
                let at = s.nowish()
                let duration = s.maybe { s.u64() }
                s.call("loaded DeliveryPlan: report", [outcome, at, duration]) { try p.report(outcome: outcome, at: at, durationMs: duration) }
                s.call("loaded DeliveryPlan: tick", [at]) { try p.tick(now: at) }
            }
        }
        for _ in 0..<Hostile.storedRounds {
            let j = s.jsonText([replayGuard.toJson()])
            if let g = s.call("ReplayGuard.fromJson", [j], { try ReplayGuard.fromJson(json: j) }) {
                s.call("loaded ReplayGuard: read", [g]) { () -> String in
                    _ = g.len()
                    _ = g.capacity()
                    _ = g.nextDeadline()
                    return g.toJson()
                }
                s.call("loaded ReplayGuard: round trip", [g]) { try ReplayGuard.fromJson(json: g.toJson()) }
                let at = s.nowish()
                let key = s.pick(["k1", "k2", "k3"])
                s.call("loaded ReplayGuard: checkAndRecord", [key, at]) { try g.checkAndRecord(key: key, keepUntil: at.addingTimeInterval(60), now: at) }
                s.call("loaded ReplayGuard: tick", [at]) { try g.tick(now: at) }
            }
        }
        for _ in 0..<Hostile.storedRounds {
            let j = s.jsonText(commandSeeds)
            if let c = s.call("commandFromJson", [j], { try commandFromJson(json: j) }),
               let again = s.call("commandToJson(read command)", [c], { try commandToJson(command: c) }),
               let back = s.call("commandFromJson(its own output)", [again], { try commandFromJson(json: again) }),
               back != c {
                s.wrong("commandFromJson(its own output)", "\(c) came back as \(back)", [j])
            }
        }
        for _ in 0..<Hostile.storedRounds {
            let j = s.jsonText(specSeeds)
            if let sp = s.call("invoiceSpecFromJson", [j], { try invoiceSpecFromJson(json: j) }) {
                let at = s.nowish()
                s.call("createInvoice(read spec)", [sp, at]) { try createInvoice(spec: sp, now: at) }
            }
        }
        for _ in 0..<Hostile.storedRounds {
            let j = s.jsonText(journalSeeds)
            if let entries = s.call("journalFromJson", [j], { try journalFromJson(json: j) }) {
                s.call("Invoice.replay(read journal)", [entries]) { try Invoice.replay(journal: entries) }
            }
        }

        try assertStillWorks(keeper, kept)
        s.finish([
            "loaded Invoice: read": .ok, "loaded Invoice: round trip": .ok,
            "loaded Invoice: observeTransfer": .any,
            "loaded Matcher: read": .ok, "loaded Matcher: round trip": .ok,
            "loaded Matcher: matchAmount": .any, "loaded Matcher: allocate": .any,
            "loaded Session: read": .ok, "loaded Session: round trip": .ok,
            "loaded Session: isClosed": .any, "loaded Session: useAt": .any,
            "loaded DeliveryPlan: read": .ok, "loaded DeliveryPlan: round trip": .ok,
            "loaded DeliveryPlan: report": .any, "loaded DeliveryPlan: tick": .any,
            "loaded ReplayGuard: read": .ok, "loaded ReplayGuard: round trip": .ok,
            "loaded ReplayGuard: checkAndRecord": .any, "loaded ReplayGuard: tick": .any,
            "commandToJson(read command)": .ok, "commandFromJson(its own output)": .ok,
            "createInvoice(read spec)": .any, "Invoice.replay(read journal)": .any,
        ])
    }

    /// A stored invoice the core accepted must be as usable as any other.
    private func useLoadedInvoice(_ s: Storm, _ inv: Invoice) {
        s.call("loaded Invoice: read", [inv]) { () -> UInt64 in
            _ = inv.status()
            _ = inv.snapshot()
            _ = inv.transfers()
            _ = inv.refunds()
            _ = inv.exceptions()
            _ = inv.nextDeadline()
            _ = inv.deadline()
            _ = inv.confirmationDeadline()
            _ = inv.due()
            _ = inv.threshold()
            _ = inv.spec()
            return inv.version()
        }
        s.call("loaded Invoice: round trip", [inv]) { () throws -> Void in
            let same = try Invoice.fromJson(json: inv.toJson()).sameState(other: inv)
            if !same {
                s.wrong("loaded Invoice: round trip", "not the same state", [inv.toJson()])
            }
        }
        let at = s.nowish()
        let tickAt = s.hostileTime()
        s.call("loaded Invoice: tick", [tickAt]) { try inv.tick(now: tickAt) }
        let transfer = s.transferInput()
        s.call("loaded Invoice: observeTransfer", [transfer, at]) { try inv.observeTransfer(transfer: transfer, now: at) }
    }

    // MARK: - invoices, matchers, sessions, deliveries, journals built from hostile values

    func testObjectsBuiltFromHostileValuesGiveOnlyTypedErrors() throws {
        let s = Storm("objects", salt: 4)
        let keeper = try makeKeeper()
        let kept = keeper.toJson()

        for _ in 0..<Hostile.createRounds {
            let sp = s.invoiceSpec()
            let at = s.nowish()
            s.call("createInvoice", [sp, at]) { try createInvoice(spec: sp, now: at) }
            s.call("invoiceSpecToJson", [sp]) { try invoiceSpecToJson(spec: sp) }
            let c = s.command()
            s.call("commandToJson", [c]) { try commandToJson(command: c) }
        }

        // Commands with hostile values on live invoices: a typed error leaves the state as it was.
        var victim = keeper.copy()
        for i in 0..<Hostile.victimRounds {
            if i % 60 == 0 { victim = try createInvoice(spec: spec("victim\(i)", "100"), now: t0).invoice }
            let v = victim
            let before = v.toJson()
            let now = s.chance(0.8) ? t0.addingTimeInterval(Double(i % 1800)) : s.date()
            let tx = s.chance(0.7) ? s.pick(["t1", "t2", "t3"]) : s.text()
            let refund = s.chance(0.7) ? s.pick(["r1", "r2"]) : s.text()
            switch s.int(0, 13) {
            case 0, 1, 2:
                let t = s.transferInput()
                s.call("Invoice.observeTransfer", [t, now]) { try v.observeTransfer(transfer: t, now: now) }
            case 3: s.call("Invoice.confirmTransfer", [tx, now]) { try v.confirmTransfer(txId: tx, now: now) }
            case 4: s.call("Invoice.dropTransfer", [tx, now]) { try v.dropTransfer(txId: tx, now: now) }
            case 5:
                let amount = s.maybe { s.decimal() }
                s.call("Invoice.requestRefund", [refund, amount, now]) { try v.requestRefund(refundId: refund, amount: amount, now: now) }
            case 6:
                let outcome = s.pick([RefundOutcome.succeeded, .failed])
                s.call("Invoice.settleRefund", [refund, outcome, now]) { try v.settleRefund(refundId: refund, outcome: outcome, now: now) }
            case 7: s.call("Invoice.claimTxid", [tx, now]) { try v.claimTxid(txId: tx, now: now) }
            case 8:
                let at = s.hostileTime()
                s.call("Invoice.tick", [at]) { try v.tick(now: at) }
            case 9:
                let at = s.hostileTime()
                s.call("Invoice.statusAt", [at]) { try v.statusAt(now: at) }
            case 10:
                let c = s.command()
                s.call("Invoice.applyCommand", [c, now]) { try v.applyCommand(command: c, now: now) }
            case 11:
                let k = s.int(0, 3)
                s.call("Invoice.markPaid|markInvalid|cancel", [k, now]) {
                    try k == 0 ? v.markPaid(now: now) : (k == 1 ? v.markInvalid(now: now) : v.cancel(now: now))
                }
            default:
                s.call("Invoice.copy|sameState|toJson", [v]) { () -> String in
                    _ = v.copy().sameState(other: v)
                    return v.toJson()
                }
            }
            if s.lastWasTyped && v.toJson() != before {
                s.wrong("state after a typed error", "the invoice changed", [before, v.toJson()])
            }
        }

        // A fresh matcher now and then: a hostile allowance makes later allocations in the
        // account probe up to the core's million candidates (bounded, but slow in a debug build).
        var matcher = Matcher()
        for i in 0..<Hostile.matcherRounds {
            if i % 30 == 29 { matcher = Matcher() }
            let m = matcher
            let account = s.idText("acct")
            let id = s.idText("inv_\(s.int(0, 50))")
            switch s.int(0, 5) {
            case 0, 1:
                let due = s.decimal()
                let step = s.chance(0.6) ? Decimal(string: "0.01")! : s.decimal()
                let allowance = s.maybe(0.85) { s.decimal() }
                s.call("Matcher.allocate", [account, id, due, step, allowance]) { try m.allocate(account: account, invoiceId: id, due: due, step: step, allowance: allowance) }
            case 2:
                let payable = s.decimal()
                let allowance = s.maybe(0.7) { s.decimal() }
                s.call("Matcher.register", [account, id, payable, allowance]) { try m.register(account: account, invoiceId: id, payable: payable, allowance: allowance) }
            case 3:
                let amount = s.decimal()
                s.call("Matcher.matchAmount", [account, amount]) { try m.matchAmount(account: account, amount: amount) }
            default:
                let release = s.chance(0.2)
                s.call("Matcher.payable|release", [id]) { () -> Void in
                    _ = m.payable(invoiceId: id)
                    if release { m.release(invoiceId: id) }
                }
            }
        }

        for _ in 0..<Hostile.sessionRounds {
            let id = s.idText("sess")
            let ttl: UInt64 = s.chance(0.6) ? 600 : s.u64()
            let at = s.nowish()
            if let session = s.call("Session.open", [id, ttl, at], { try Session.open(id: id, invoice: keeper, ttlSeconds: ttl, now: at) }) {
                let later = s.chance(0.7) ? at.addingTimeInterval(Double(s.int(0, 1200))) : s.date()
                let probe = s.hostileTime()
                s.call("Session.isClosed", [probe]) { try session.isClosed(now: probe) }
                s.call("Session.useAt", [later]) { try session.useAt(invoice: keeper, now: later) }
                if s.chance(0.3) { s.call("Session.useAt", [later]) { try session.useAt(invoice: keeper, now: later) } }
            }
        }

        for _ in 0..<Hostile.deliveryRounds {
            let id = s.idText("d")
            let policy = s.pick(Hostile.policies)
            let at = s.nowish()
            guard let plan = s.call("DeliveryPlan(id, policy, now)", [id, policy, at], { try DeliveryPlan(id: id, policy: policy, now: at) }) else { continue }
            for k in 0..<s.int(1, 5) {
                let outcome = s.attemptOutcome()
                let when = s.chance(0.7) ? at.addingTimeInterval(Double(k * 400)) : s.date()
                let duration = s.maybe { s.u64() }
                s.call("DeliveryPlan.report", [outcome, when, duration]) { try plan.report(outcome: outcome, at: when, durationMs: duration) }
            }
            let later = s.nowish()
            s.call("DeliveryPlan.tick", [later]) { try plan.tick(now: later) }
        }

        for _ in 0..<Hostile.journalRounds {
            let start = s.chance(0.7) ? JournalEntry(at: t0, command: .create(spec: spec("jr", "10"))) : JournalEntry(at: s.date(), command: s.command())
            var entries = [start]
            for k in 0..<s.int(0, 5) {
                entries.append(JournalEntry(at: s.chance(0.8) ? t0.addingTimeInterval(Double(k * 10)) : s.date(), command: s.command()))
            }
            s.call("Invoice.replay", [entries]) { try Invoice.replay(journal: entries) }
            s.call("journalToJson", [entries]) { try journalToJson(entries: entries) }
        }

        try assertStillWorks(keeper, kept)
        s.finish([
            "Invoice.copy|sameState|toJson": .ok,
            "Matcher.payable|release": .ok,
            "DeliveryPlan.tick": .any,
        ])
    }

    // MARK: - the five dialects: create parsers, callback parsers, key checks, renders

    func testDialectsGiveOnlyTypedErrors() throws {
        let s = Storm("dialects", salt: 5)
        let keeper = try makeKeeper()
        let kept = keeper.toJson()

        // Valid requests (the dialect tests' seeds), the invoices made from them and their callbacks.
        let gatenocReq = try gatenocParseCheckoutSession(body: b(Hostile.gatenoc), id: "inv_g", now: t0, ttlSeconds: nil)
        let usdtReq = try usdtGatewayParseInvoice(body: b(Hostile.usdtGateway), id: "inv_u", now: t0, generatedReference: nil)
        let gatepayReq = try gatepayParseOrder(body: b(Hostile.gatepay), id: "inv_gp", now: t0, rate: nil)
        let monetixReq = try monetixParsePurchase(body: golden("monetix_purchase_request.json"), id: "inv_mx", now: mxT, rate: Decimal(string: "0.01")!)
        let keypairReq = try keypairInvoiceParseInvoice(body: b(Hostile.keypair), id: "inv_kp", now: t0, rate: nil, fee: Decimal(string: "1.5")!, asset: nil)
        let requests = [gatenocReq, usdtReq, gatepayReq, monetixReq, keypairReq]
        let gatenocInv = try createInvoice(spec: gatenocReq.spec(), now: t0).invoice
        let usdtInv = try createInvoice(spec: usdtReq.spec(), now: t0).invoice
        let gatepayInv = try createInvoice(spec: gatepayReq.spec(), now: t0).invoice
        let monetixInv = try createInvoice(spec: monetixReq.spec(), now: mxT).invoice
        let keypairInv = try createInvoice(spec: keypairReq.spec(), now: t0).invoice
        let monetixPaid = try createInvoice(spec: monetixReq.spec(), now: mxT).invoice
        _ = try monetixPaid.applyCommand(command: try monetixParseSaleCallback(body: golden("monetix_sale_success_callback.json"), invoice: monetixPaid).command!, now: mxT.addingTimeInterval(60))
        _ = try monetixPaid.applyCommand(command: try monetixParseRefund(body: golden("monetix_refund_request.json")).command(invoice: monetixPaid, refundId: "rf_1"), now: mxT.addingTimeInterval(120))
        let invoices = [keeper, gatenocInv, usdtInv, gatepayInv, monetixInv, keypairInv, monetixPaid]
        let before = invoices.map { $0.toJson() }
        let payoutText = try String(decoding: golden("monetix_payout_request.json"), as: UTF8.self)
            .replacingOccurrences(of: "payment_47", with: "payment_48")
        let payout = try monetixParsePayout(body: b(payoutText))
        let baseRefund = try monetixParseRefund(body: golden("monetix_refund_request.json"))

        let gatenocCb = [b(gatenocRenderPaymentCompleted(invoice: gatenocInv, bybitPayId: "SBX-TX-1", paymentRecordId: "rec_1"))]
        let usdtCb = try [
            b(usdtGatewayRenderWebhook(invoice: usdtInv, merchantId: "m1", payoutAddress: "TXyz", txHash: "abc123", paidAt: t0.addingTimeInterval(120))),
            golden("usdt_gateway_webhook.json"),
        ]
        let gatepayCb = try [
            b(gatepayRenderNotification(invoice: gatepayInv, status: "PAY_SUCCESS", prepayId: "p1", clientId: "c1", transactionId: "tx-1", createTime: t0)),
            b(gatepayRenderNotification(invoice: gatepayInv, status: "PAY_CLOSE", prepayId: "p1", clientId: "c1", transactionId: "tx-1", createTime: t0)),
        ]
        let saleCb = try [golden("monetix_sale_success_callback.json"), golden("monetix_sale_decline_callback.json")]
        let refundCb = try [golden("monetix_refund_success_callback.json"), golden("monetix_refund_decline_callback.json")]
        let payoutCb = try [golden("monetix_payout_success_callback.json"), golden("monetix_payout_decline_callback.json")]
        let keypairCb = try [b(keypairInvoiceRenderCallback(
            request: keypairReq, privateKey: "yourprivatekey", id: "kp_991", amount: Decimal(string: "726.5")!,
            amountCurrency: "USDT-TRC20", refUrl: "https://shop.example/cart", ip: "203.0.113.7", createdAt: t0
        ))]
        let purchaseSeeds = try [golden("monetix_purchase_request.json")]
        let refundSeeds = try [golden("monetix_refund_request.json")]
        let payoutSeeds = try [golden("monetix_payout_request.json")]
        let usdtSeeds = try [b(Hostile.usdtGateway), golden("usdt_gateway_invoice_request.json")]
        let gatepaySeeds = try [b(Hostile.gatepay), b(Hostile.gatepay), golden("gatepay_order_request.json")]

        for _ in 0..<Hostile.dialectRounds {
            // Create parsers: hostile bodies, ids, times and host context.
            do {
                let body = s.bytes([b(Hostile.gatenoc)])
                let id = s.idText("inv_g")
                let now = s.nowish()
                let ttl = s.maybe(0.7) { s.u64() }
                if let req = s.call("gatenocParseCheckoutSession", [body, id, now, ttl], { try gatenocParseCheckoutSession(body: body, id: id, now: now, ttlSeconds: ttl) }) {
                    let base = s.text()
                    let merchant = s.u64()
                    let token = s.text()
                    s.call("gatenocRenderCheckoutSession", [base, merchant, token]) { try gatenocRenderCheckoutSession(request: req, baseUrl: base, merchantId: merchant, sessionToken: token) }
                }
            }
            do {
                let body = s.bytes(usdtSeeds)
                let id = s.idText("inv_u")
                let now = s.nowish()
                let reference = s.maybe(0.6) { s.text() }
                if let req = s.call("usdtGatewayParseInvoice", [body, id, now, reference], { try usdtGatewayParseInvoice(body: body, id: id, now: now, generatedReference: reference) }) {
                    let address = s.text()
                    let url = s.text()
                    let isTest = s.bool()
                    s.call("usdtGatewayRenderInvoice", [address, url]) { try usdtGatewayRenderInvoice(request: req, payoutAddress: address, paymentUrl: url, isTest: isTest) }
                }
            }
            do {
                let body = s.bytes(gatepaySeeds)
                let id = s.idText("inv_gp")
                let now = s.nowish()
                let rate: Decimal? = s.chance(0.7) ? nil : s.decimal()
                if let req = s.call("gatepayParseOrder", [body, id, now, rate], { try gatepayParseOrder(body: body, id: id, now: now, rate: rate) }) {
                    let t = (0..<4).map { _ in s.text() }
                    s.call("gatepayRenderOrder", [t]) { try gatepayRenderOrder(request: req, prepayId: t[0], qrContent: t[1], location: t[2], address: t[3]) }
                }
            }
            do {
                let body = s.bytes(purchaseSeeds)
                let id = s.idText("inv_mx")
                let now = s.chance(0.7) ? mxT : s.date()
                let rate: Decimal? = s.chance(0.6) ? Decimal(string: "0.01")! : s.maybe { s.decimal() }
                if let req = s.call("monetixParsePurchase", [body, id, now, rate], { try monetixParsePurchase(body: body, id: id, now: now, rate: rate) }) {
                    let qr = s.text()
                    let lifetime = s.date()
                    let url = s.text()
                    s.call("monetixRenderDisplayData", [qr, lifetime, url]) { try monetixRenderDisplayData(request: req, qrData: qr, lifetime: lifetime, qrUrl: url) }
                }
            }
            do {
                let body = s.bytes([b(Hostile.keypair)])
                let id = s.idText("inv_kp")
                let now = s.nowish()
                let rate: Decimal? = s.chance(0.6) ? Decimal(string: "1.5")! : s.maybe { s.decimal() }
                let fee = s.maybe(0.7) { s.decimal() }
                let asset = s.maybe(0.7) { s.pick(Hostile.assets) }
                if let req = s.call("keypairInvoiceParseInvoice", [body, id, now, rate, fee, asset], { try keypairInvoiceParseInvoice(body: body, id: id, now: now, rate: rate, fee: fee, asset: asset) }) {
                    let t = (0..<5).map { _ in s.text() }
                    let amount = s.decimal()
                    let at = s.date()
                    s.call("keypairInvoiceRenderCallback", [t, amount, at]) {
                        try keypairInvoiceRenderCallback(request: req, privateKey: t[0], id: t[1], amount: amount, amountCurrency: t[2], refUrl: t[3], ip: t[4], createdAt: at)
                    }
                }
            }
            do {
                let body = s.bytes(refundSeeds)
                let refund = s.call("monetixParseRefund", [body]) { try monetixParseRefund(body: body) } ?? baseRefund
                let id = s.chance(0.5) ? "rf_2" : s.text()
                let target = s.pick([monetixPaid, monetixInv])
                s.call("MonetixRefund.command", [id, target]) { try refund.command(invoice: target, refundId: id) }
            }
            do {
                let body = s.bytes(payoutSeeds)
                s.call("monetixParsePayout", [body]) { try monetixParsePayout(body: body) }
            }

            // Callback parsers: read the invoice, never change it.
            do {
                let body = s.bytes(gatenocCb)
                s.call("gatenocParsePaymentCompleted", [body]) { try gatenocParsePaymentCompleted(body: body, invoice: gatenocInv) }
            }
            do {
                let body = s.bytes(usdtCb)
                s.call("usdtGatewayParseWebhook", [body]) { try usdtGatewayParseWebhook(body: body, invoice: usdtInv) }
            }
            do {
                let body = s.bytes(gatepayCb)
                s.call("gatepayParseNotification", [body]) { try gatepayParseNotification(body: body, invoice: gatepayInv) }
            }
            do {
                let body = s.bytes(saleCb)
                s.call("monetixParseSaleCallback", [body]) { try monetixParseSaleCallback(body: body, invoice: monetixInv) }
            }
            do {
                let body = s.bytes(refundCb)
                let id = s.maybe(0.5) { s.idText("rf_1") }
                s.call("monetixParseRefundCallback", [body, id]) { try monetixParseRefundCallback(body: body, invoice: monetixPaid, refundId: id) }
            }
            do {
                let body = s.bytes(payoutCb)
                s.call("monetixParsePayoutCallback", [body]) { try monetixParsePayoutCallback(body: body, payout: payout) }
            }
            do {
                let body = s.bytes(keypairCb)
                s.call("keypairInvoiceParseCallback", [body]) { try keypairInvoiceParseCallback(body: body, invoice: keypairInv) }
            }

            // Key checks.
            let header = s.maybe(0.1) { s.either({ "k2" }, { s.mutate("k2") }, { s.text() }, { s.randomCase("K2") }) }
            let keys: [String] = s.chance(0.7) ? ["k1", "k2"] : (0..<s.int(0, 3)).map { _ in s.text() }
            s.call("gatenocCheckMerchantKey", [header, keys]) { try gatenocCheckMerchantKey(header: header, keys: keys) }
            let auth = s.maybe(0.1) {
                s.either({ "Bearer test_abc" }, { "Bearer live_abc" }, { s.mutate("Bearer live_abc") }, { s.randomCase("Bearer test_x") }, { s.text() }, { "Bearer " + s.text() })
            }
            s.call("usdtGatewayKeyMode", [auth]) { try usdtGatewayKeyMode(authorization: auth) }

            // Renders with hostile host strings and times, and requests of another dialect.
            let req = s.pick(requests)
            let t = (0..<4).map { _ in s.text() }
            let at = s.date()
            switch s.int(0, 6) {
            case 0:
                let merchant = s.u64()
                s.call("gatenocRenderCheckoutSession", [req, t]) { try gatenocRenderCheckoutSession(request: req, baseUrl: t[0], merchantId: merchant, sessionToken: t[1]) }
            case 1: s.call("usdtGatewayRenderInvoice", [req, t]) { try usdtGatewayRenderInvoice(request: req, payoutAddress: t[0], paymentUrl: t[1], isTest: false) }
            case 2: s.call("gatepayRenderOrder", [req, t]) { try gatepayRenderOrder(request: req, prepayId: t[0], qrContent: t[1], location: t[2], address: t[3]) }
            case 3: s.call("monetixRenderDisplayData", [req, t, at]) { try monetixRenderDisplayData(request: req, qrData: t[0], lifetime: at, qrUrl: t[1]) }
            case 4:
                let amount = s.decimal()
                s.call("keypairInvoiceRenderCallback", [req, t, amount, at]) {
                    try keypairInvoiceRenderCallback(request: req, privateKey: t[0], id: t[1], amount: amount, amountCurrency: t[2], refUrl: t[3], ip: "ip", createdAt: at)
                }
            default: s.call("keypairInvoiceRenderInvoice", [t]) { keypairInvoiceRenderInvoice(invoiceUrl: t[0]) }
            }
            let inv = s.pick(invoices)
            switch s.int(0, 3) {
            case 0: s.call("gatenocRenderPaymentCompleted", [inv, t]) { gatenocRenderPaymentCompleted(invoice: inv, bybitPayId: t[0], paymentRecordId: t[1]) }
            case 1: s.call("usdtGatewayRenderWebhook", [inv, t, at]) { try usdtGatewayRenderWebhook(invoice: inv, merchantId: t[0], payoutAddress: t[1], txHash: t[2], paidAt: at) }
            default:
                let status = s.chance(0.5) ? s.pick(["PAY_SUCCESS", "PAY_CLOSE", "PAY_ERROR", "PAY_EXPIRED"]) : t[3]
                s.call("gatepayRenderNotification", [inv, status, t, at]) {
                    try gatepayRenderNotification(invoice: inv, status: status, prepayId: t[0], clientId: t[1], transactionId: t[2], createTime: at)
                }
            }
        }

        XCTAssertEqual(invoices.map { $0.toJson() }, before, "a callback parser or render changed an invoice")
        // The genuine callbacks still apply after the storm.
        _ = try gatenocInv.applyCommand(command: try gatenocParsePaymentCompleted(body: gatenocCb[0], invoice: gatenocInv).command!, now: t0.addingTimeInterval(60))
        XCTAssertEqual(gatenocInv.status(), .paid)
        _ = try usdtInv.applyCommand(command: try usdtGatewayParseWebhook(body: usdtCb[0], invoice: usdtInv).command!, now: t0.addingTimeInterval(180))
        XCTAssertEqual(usdtInv.status(), .paid)
        try assertStillWorks(keeper, kept)
        s.finish([
            "gatenocRenderPaymentCompleted": .ok,
            "keypairInvoiceRenderInvoice": .ok,
        ])
    }

    // MARK: - the values Swift itself cannot lower exactly: NaN and infinite Dates, NaN Decimals

    func testNonFiniteDatesAndDecimalsAreTypedErrors() throws {
        // A Swift String is always valid Unicode (the Kotlin suite's unpaired-surrogate case
        // has no Swift counterpart). The Swift-only hostile values: a NaN or infinite Date
        // lowers to Int64.min and a NaN Decimal to "NaN"; the core refuses both, typed.
        let keeper = try makeKeeper()
        let kept = keeper.toJson()
        for bad in [Date(timeIntervalSince1970: .nan), Date(timeIntervalSince1970: .infinity), Date(timeIntervalSince1970: -.infinity), Date(timeIntervalSince1970: 1e300)] {
            do {
                _ = try createInvoice(spec: spec("d", "5"), now: bad)
                XCTFail("\(bad.timeIntervalSince1970) was accepted")
            } catch let e as PaystateError {
                XCTAssertEqual(e.code, "invalid_field")
            }
        }
        for bad in [Decimal.nan, Decimal.quietNaN] {
            do {
                _ = try keeper.observeTransfer(transfer: TransferInput(txId: "t", amount: bad, asset: .usdtTrc20, confirmed: true), now: t0)
                XCTFail("NaN was accepted")
            } catch let e as PaystateError {
                XCTAssertEqual(e.code, "invalid_amount")
            }
        }
        try assertStillWorks(keeper, kept)
    }
}

// MARK: - SplitMix64: a small deterministic PRNG

struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - the storm: a seeded generator of hostile values and the tally of outcomes

final class Storm {
    enum Expect { case both, ok, typed, any }

    final class Tally {
        var inputs = 0
        var ok = 0
        var typed = 0
        var longestMessage = 0
        var seconds = 0.0
        var codes: [String: Int] = [:]
    }

    static let codes = Set(errorCodes())

    let name: String
    let seed: UInt64
    private var rng: SplitMix64
    private var tallies: [String: Tally] = [:]
    private var order: [String] = []
    private var failures: [String] = []
    private var failureCount = 0

    /// Whether the last `call` ended in a typed error.
    private(set) var lastWasTyped = false

    init(_ name: String, salt: UInt64) {
        self.name = name
        let base = UInt64(ProcessInfo.processInfo.environment["PAYSTATE_HOSTILE_SEED"] ?? "") ?? 20_260_101
        seed = base &* 31 &+ salt
        rng = SplitMix64(seed: seed)
    }

    private func tally(_ entry: String) -> Tally {
        if let t = tallies[entry] { return t }
        let t = Tally()
        tallies[entry] = t
        order.append(entry)
        return t
    }

    /// Runs one call: a return or a typed error is counted; anything else is a failure.
    @discardableResult
    func call<T>(_ entry: String, _ input: [Any?], _ block: () throws -> T) -> T? {
        let t = tally(entry)
        t.inputs += 1
        lastWasTyped = false
        let start = Date()
        defer { t.seconds += Date().timeIntervalSince(start) }
        do {
            let r = try block()
            t.ok += 1
            return r
        } catch let e as PaystateError {
            typed(t, entry, e.code, e.message, input)
        } catch let e as DialectError {
            switch e {
            case let .Rejected(code, _, detail, _, _): typed(t, entry, code, detail, input)
            case let .Invalid(code, detail): typed(t, entry, code, detail, input)
            }
        } catch {
            wrong(entry, "\(type(of: error)): \(String(String(describing: error).prefix(300)))", input)
        }
        return nil
    }

    private func typed(_ t: Tally, _ entry: String, _ code: String, _ message: String, _ input: [Any?]) {
        t.typed += 1
        lastWasTyped = true
        t.codes[code, default: 0] += 1
        if !Storm.codes.contains(code) { wrong(entry, "a typed error with a code the core does not list: \(code) (\(message))", input) }
        if message.isEmpty { wrong(entry, "a typed error \(code) without a message", input) }
        t.longestMessage = max(t.longestMessage, message.count)
    }

    func wrong(_ entry: String, _ what: String, _ input: [Any?]) {
        failureCount += 1
        if failures.count < 40 {
            let n = tallies[entry]?.inputs ?? 0
            failures.append("\(entry) (call #\(n), seed \(seed)): \(what)\n    input: \(input.map { Hostile.show($0) }.joined(separator: ", "))")
        }
    }

    /// Prints the tally; fails on any non-typed outcome or any expected outcome that never happened.
    func finish(_ expect: [String: Expect], file: StaticString = #filePath, line: UInt = #line) {
        let total = order.reduce(0) { $0 + tallies[$1]!.inputs }
        print("hostile[\(name)] seed \(seed): \(total) inputs into \(order.count) entry points")
        for entry in order {
            let t = tallies[entry]!
            let codes = t.codes.keys.sorted().map { "\($0)=\(t.codes[$0]!)" }.joined(separator: ", ")
            print("  \(entry.padding(toLength: 42, withPad: " ", startingAt: 0)) \(t.inputs) inputs \(t.ok) ok \(t.typed) typed \(Int(t.seconds * 1000)) ms  longest message \(t.longestMessage)  {\(codes)}")
        }
        XCTAssertEqual(failureCount, 0, "calls ended other than with a return or a typed error:\n" + failures.joined(separator: "\n"), file: file, line: line)
        var missing: [String] = []
        for entry in order {
            let t = tallies[entry]!
            switch expect[entry] ?? .both {
            case .both: if t.ok == 0 || t.typed == 0 { missing.append("\(entry) (\(t.ok) ok, \(t.typed) typed)") }
            case .ok: if t.ok == 0 { missing.append("\(entry) (no success)") }
            case .typed: if t.typed == 0 { missing.append("\(entry) (no typed error)") }
            case .any: break
            }
        }
        for entry in expect.keys.sorted() where tallies[entry] == nil { missing.append("\(entry) (never called)") }
        XCTAssertTrue(missing.isEmpty, "outcomes expected but not seen, the storm is too weak: \(missing)", file: file, line: line)
    }

    // MARK: picks

    func next() -> UInt64 { rng.next() }

    /// A uniform Int in lo..<hi.
    func int(_ lo: Int, _ hi: Int) -> Int { lo + Int(next() % UInt64(hi - lo)) }

    /// A uniform Int64 in lo..<hi.
    func int64(_ lo: Int64, _ hi: Int64) -> Int64 { lo + Int64(next() % UInt64(hi - lo)) }

    func bool() -> Bool { next() & 1 == 1 }
    func chance(_ p: Double) -> Bool { Double(next() >> 11) / 9_007_199_254_740_992.0 < p }
    func pick<T>(_ xs: [T]) -> T { xs[int(0, xs.count)] }
    func either<T>(_ fs: (() -> T)...) -> T { fs[int(0, fs.count)]() }

    /// nil with probability `pNull`, else `f()`.
    func maybe<T>(_ pNull: Double = 0.3, _ f: () -> T) -> T? { chance(pNull) ? nil : f() }

    func u64() -> UInt64 {
        switch int(0, 6) {
        case 0: return pick([0, 1, UInt64.max, UInt64(Int64.max), UInt64(Int64.max) + 1, 253_402_300_800, 253_402_300_800_000])
        case 1: return next()
        default: return UInt64(int(0, 100_000))
        }
    }

    // MARK: text (always valid Unicode: a Swift String cannot hold anything else)

    private func scalar() -> Unicode.Scalar {
        let v: Int
        switch int(0, 10) {
        case 0...3: v = int(0x20, 0x7F)
        case 4: v = int(0, 0x20)
        case 5: return pick(Hostile.structuralScalars)
        case 6: v = int(0x80, 0x800)
        case 7: v = int(0x800, 0xD800)
        case 8: v = int(0xE000, 0x10000)
        default: v = int(0x10000, 0x110000)
        }
        return Unicode.Scalar(UInt32(v))! // never a surrogate
    }

    func randomText(_ max: Int = 40) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<int(0, max + 1) { s.append(scalar()) }
        return String(s)
    }

    func digits(_ n: Int) -> String {
        var s = ""
        for _ in 0..<n { s += String(int(0, 10)) }
        return s
    }

    /// Inserts, deletes, replaces or duplicates scalars.
    func mutate(_ s: String) -> String {
        var u = Array(s.unicodeScalars)
        for _ in 0..<(1 + int(0, 3)) {
            switch int(0, 6) {
            case 0: u.insert(scalar(), at: int(0, u.count + 1))
            case 1: if !u.isEmpty { u.remove(at: int(0, u.count)) }
            case 2: if !u.isEmpty { u[int(0, u.count)] = scalar() }
            case 3: u.insert(contentsOf: Array(pick(Hostile.tokens).unicodeScalars), at: int(0, u.count + 1))
            case 4:
                if !u.isEmpty {
                    let i = int(0, u.count)
                    u.insert(u[i], at: i)
                }
            default: if !u.isEmpty { u.removeSubrange(int(0, u.count)..<u.count) }
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: u)
        return String(out)
    }

    func randomCase(_ s: String) -> String {
        s.map { bool() ? $0.uppercased() : $0.lowercased() }.joined()
    }

    func text() -> String {
        switch int(0, 40) {
        case 0...11: return pick(Hostile.tokens)
        case 12...21: return randomText()
        case 22...31: return mutate(pick(Hostile.tokens))
        case 32...38: return pick(Hostile.tokens) + pick(Hostile.tokens) + (chance(0.5) ? pick(Hostile.tokens) : "")
        default: return pick(Hostile.huge)
        }
    }

    /// A host id: mostly `valid`, else hostile.
    func idText(_ valid: String) -> String { chance(0.7) ? valid : text() }

    func nameText(_ valid: [String]) -> String {
        switch int(0, 6) {
        case 0, 1: return pick(valid)
        case 2: return randomCase(pick(valid))
        case 3: return mutate(pick(valid))
        case 4: return pick(["", " ", "\t"]) + pick(valid) + pick(["", " ", "\u{0}", "\n"])
        default: return text()
        }
    }

    func validAmount() -> String {
        String(int(1, 100_000)) + (chance(0.5) ? "." + digits(int(1, 7)) : "")
    }

    func numberText() -> String {
        pick(["", "-", "+"]) + digits(int(1, 30)) + (chance(0.3) ? "." + digits(int(0, 30)) : "")
            + (chance(0.2) ? pick(["e", "E"]) + pick(["", "+", "-"]) + digits(int(1, 8)) : "")
    }

    func amountText() -> String {
        switch int(0, 12) {
        case 0, 1: return pick(Hostile.amountTokens)
        case 2: return digits(int(1, 40))
        case 3: return digits(int(1, 30)) + "." + digits(int(0, 30))
        case 4: return digits(int(1, 4)) + pick(["e", "E"]) + pick(["", "+", "-"]) + digits(int(1, 8))
        case 5: return pick(["+", "-", " ", "\t", "0", "00", "", "\u{A0}"]) + validAmount() + pick(["", " ", "\n", "_", "e0", ".", "\u{0}"])
        case 6, 7: return validAmount()
        case 8: return mutate(validAmount())
        case 9: return (0..<int(2, 5)).map { _ in digits(3) }.joined(separator: pick(["_", ",", " ", "'"]))
        case 10: return numberText()
        default: return text()
        }
    }

    func timestampText() -> String {
        switch int(0, 8) {
        case 0: return pick(Hostile.timestampTokens)
        case 1: return mutate(pick(Hostile.timestampTokens))
        case 2: return text()
        default:
            func two(_ until: Int) -> String {
                let n = String(int(0, until))
                return n.count < 2 ? "0" + n : n
            }
            let year = pick(["1969", "1970", "2026", "9999", "10000", "+10000", "0000", "-0001", "275760", String(int(1000, 10_000)), digits(int(1, 8))])
            let date = "\(year)-\(two(14))-\(two(33))\(pick(["T", "t", " ", "_", ""]))\(two(26)):\(two(62)):\(two(62))"
            let frac = chance(0.5) ? "." + digits(int(0, 13)) : ""
            return date + frac + pick(["Z", "Z", "z", "", "+00:00", "-00:00", "+02:00", "-23:59", "+24:00", "+0530", "+05", " UTC", "Z ", "ZZ"])
        }
    }

    // MARK: numbers and times

    func decimal() -> Decimal {
        switch int(0, 30) {
        case 0: return pick(Hostile.extremeDecimals)
        case 1...4: return Decimal(sign: bool() ? .minus : .plus, exponent: int(-60, 60), significand: Decimal(string: digits(int(1, 38)))!)
        case 5: return Decimal(sign: .plus, exponent: int(-50, 50), significand: 0)
        case 6, 7: return -(Decimal(string: validAmount())!)
        case 8: return pick([Decimal.nan, Decimal.quietNaN])
        case 9, 10: return Decimal(sign: .plus, exponent: int(-40, 40), significand: 1)
        default: return Decimal(string: validAmount())!
        }
    }

    func date() -> Date {
        switch int(0, 10) {
        case 0, 1: return pick(Hostile.extremeDates)
        case 2: return Date(timeIntervalSince1970: Double(bitPattern: next())) // any Double: NaN, ±inf, subnormal
        case 3: return Date(timeIntervalSince1970: Double(Int64(bitPattern: next())) / 1000)
        case 4: return Date(timeIntervalSince1970: Double(int64(0, 253_402_300_800_000)) / 1000)
        default: return Hostile.t0.addingTimeInterval(Double(int64(-86_400_000 * 400, 86_400_000 * 400)) / 1000)
        }
    }

    /// Mostly a time near the tests' t0, else `date()`.
    func nowish() -> Date { chance(0.8) ? Hostile.t0.addingTimeInterval(Double(int(0, 3600))) : date() }

    /// For calls whose only host input is a time: half of them extreme.
    func hostileTime() -> Date { chance(0.5) ? nowish() : pick(Hostile.extremeDates) }

    // MARK: bytes and JSON

    func randomData(_ n: Int) -> Data { Data((0..<n).map { _ in UInt8(truncatingIfNeeded: next()) }) }

    func bytes(_ seeds: [Data]) -> Data {
        switch int(0, 20) {
        case 0, 1: return randomData(int(0, 300))
        case 2: return pick(Hostile.badUTF8)
        case 3: return pick(Hostile.deepData)
        case 4: return Data(JSONText.write(jsonValue(0)).utf8)
        case 5: return Data(text().utf8)
        case 6, 7: return byteMutate(pick(seeds))
        case 8...16: return jsonMutate(pick(seeds))
        default: return pick(seeds)
        }
    }

    /// Stored-state text: mostly a mutated seed, sometimes the seed itself, deep JSON or junk.
    func jsonText(_ seeds: [String]) -> String {
        switch int(0, 20) {
        case 0, 1: return pick(seeds)
        case 2...12: return String(decoding: jsonMutate(Data(pick(seeds).utf8)), as: UTF8.self)
        case 13: return String(decoding: byteMutate(Data(pick(seeds).utf8)), as: UTF8.self)
        case 14: return pick(Hostile.deepTexts)
        case 15: return text()
        case 16: return String(decoding: bytes(seeds.map { Data($0.utf8) }), as: UTF8.self)
        case 17: return JSONText.write(jsonValue(0))
        case 18:
            let seed = pick(seeds)
            return String(seed.prefix(int(0, seed.count + 1)))
        default: return "{\"schema_version\":" + pick(Hostile.numberTexts) + "}"
        }
    }

    func byteMutate(_ seed: Data) -> Data {
        var out = [UInt8](seed)
        for _ in 0..<(1 + int(0, 4)) {
            switch int(0, 6) {
            case 0: if !out.isEmpty { out[int(0, out.count)] = UInt8(int(0, 256)) }
            case 1: out.insert(UInt8(int(0x80, 0x100)), at: int(0, out.count + 1))
            case 2: if !out.isEmpty { out.removeSubrange(int(0, out.count)..<out.count) }
            case 3: out.insert(contentsOf: [UInt8](pick(Hostile.badUTF8)), at: int(0, out.count + 1))
            case 4: if !out.isEmpty { out.remove(at: int(0, out.count)) }
            default: out.insert(contentsOf: Array(pick(Hostile.structural).utf8), at: int(0, out.count + 1))
            }
        }
        return Data(out)
    }

    /// Parses a JSON seed and changes 1..3 values (wrong types, hostile values, deletions).
    func jsonMutate(_ seed: Data) -> Data {
        guard var tree = try? JSONText.parse(String(decoding: seed, as: UTF8.self)) else { return byteMutate(seed) }
        for _ in 0..<(1 + int(0, 3)) { tree = mutateTree(tree, 0) }
        var text = JSONText.write(tree)
        if case .object(let o) = tree, o.count > 0, chance(0.15) {
            // The same member twice, the second one hostile.
            let key = pick(o.keys)
            text = String(text.dropLast()) + "," + JSONText.quoted(key) + ":" + JSONText.write(jsonValue(1)) + "}"
        }
        return Data(text.utf8)
    }

    private func mutateTree(_ v: JSON, _ depth: Int) -> JSON {
        switch v {
        case .object(var o) where o.count > 0 && depth < 6 && !chance(0.1):
            let key = pick(o.keys)
            switch int(0, 8) {
            case 0: o[key] = nil
            case 1, 2: o[key] = jsonValue(depth + 1)
            case 3: o[chance(0.5) ? randomCase(key) : text()] = jsonValue(depth + 1)
            default: o[key] = mutateTree(o[key]!, depth + 1)
            }
            return .object(o)
        case .array(var l) where !l.isEmpty && depth < 6 && !chance(0.1):
            let i = int(0, l.count)
            switch int(0, 5) {
            case 0: l.remove(at: i)
            case 1: l.insert(jsonValue(depth + 1), at: i)
            case 2: l[i] = jsonValue(depth + 1)
            default: l[i] = mutateTree(l[i], depth + 1)
            }
            return .array(l)
        case .string(let str) where chance(0.6):
            // A JSON document inside a string (GatePay's `data`) is mutated as JSON.
            if str.hasPrefix("{"), let inner = try? JSONText.parse(str) {
                return .string(JSONText.write(mutateTree(inner, depth + 1)))
            }
            return .string(mutate(str))
        case .number where chance(0.6):
            return .number(chance(0.5) ? pick(Hostile.numberTexts) : numberText())
        default:
            return jsonValue(depth)
        }
    }

    /// A JSON value of any type; `.number` carries raw text, so some are not valid JSON at all.
    func jsonValue(_ depth: Int) -> JSON {
        switch int(0, depth >= 3 ? 14 : 40) {
        case 0...2: return .number(pick(Hostile.numberTexts))
        case 3, 4: return .number(numberText())
        case 5, 6: return .string(text())
        case 7, 8: return .string(amountText())
        case 9: return .bool(bool())
        case 10: return .null
        case 11: return .number(validAmount())
        case 12: return .object(JSONObject())
        case 13: return .array([])
        case 14...24: return .array((0..<int(1, 4)).map { _ in jsonValue(depth + 1) })
        case 25...37:
            var o = JSONObject()
            for _ in 0..<int(1, 4) { o[text()] = jsonValue(depth + 1) }
            return .object(o)
        default: return .number(pick(Hostile.deepTexts))
        }
    }

    // MARK: headers

    func hex(_ n: Int) -> String {
        let alphabet = Array("0123456789abcdef")
        return String((0..<n).map { _ in alphabet[int(0, 16)] })
    }

    func base64(_ n: Int) -> String { randomData(n).base64EncodedString() }

    func headerValue() -> String {
        switch int(0, 10) {
        case 0, 1: return text()
        case 2: return "sha256=" + hex(int(0, 80))
        case 3: return "v1," + base64(int(0, 48)) + (chance(0.3) ? " v1," + base64(32) : "")
        case 4: return "t=" + pick([digits(int(0, 25)), "1767225600", "-1", "99999999999999999999", "1e9", ""]) + ",v1=" + hex(int(0, 80))
        case 5: return pick(Hostile.epochTexts)
        case 6: return hex(pick([64, 128, 129, 0]))
        case 7: return base64(int(0, 100))
        case 8: return pick(Hostile.huge)
        default: return mutate(pick(Hostile.tokens))
        }
    }

    /// 0..5 headers: real names (any case), sometimes an invented one, hostile values.
    func randomHeaders() -> [String: String] {
        var h: [String: String] = [:]
        for _ in 0..<int(0, 6) {
            h[chance(0.9) ? randomCase(pick(Hostile.headerNames)) : text()] = headerValue()
        }
        return h
    }

    func mutateHeaders(_ headers: [String: String]) -> [String: String] {
        var m = headers
        for _ in 0..<(1 + int(0, 2)) {
            let keys = m.keys.sorted()
            let k = keys.isEmpty ? randomCase(pick(Hostile.headerNames)) : pick(keys)
            switch int(0, 6) {
            case 0: m[k] = mutate(m[k] ?? "")
            case 1: m[k] = headerValue()
            case 2: m[k] = nil
            case 3: m[randomCase(k)] = headerValue() // the same header twice, in another case
            case 4: m[randomCase(pick(Hostile.headerNames))] = headerValue()
            default: m[k] = (m[k] ?? "") + pick([",", " ", "\u{0}", ",v1=", " v1,", "\n"]) + headerValue()
            }
        }
        return m
    }

    func secret() -> String {
        switch int(0, 7) {
        case 0: return "whsec_" + base64(int(0, 64))
        case 1: return "whsec_" + text()
        case 2: return ""
        case 3: return pick(Hostile.huge)
        case 4: return pick([Hostile.whsec, "k3y"])
        default: return text()
        }
    }

    // MARK: records

    func verified() -> Verified {
        Verified(
            scheme: pick(Hostile.schemes),
            keyIndex: UInt32(truncatingIfNeeded: next()),
            timestamp: maybe { date() },
            replay: maybe { ReplayKey(key: text(), keepUntil: date()) }
        )
    }

    func attemptOutcome() -> AttemptOutcome {
        switch int(0, 6) {
        case 0: return .timeout
        case 1: return .transportError
        case 2: return .http(status: UInt16(truncatingIfNeeded: next()))
        default: return .http(status: pick([200, 201, 204, 301, 400, 404, 410, 429, 500, 503]))
        }
    }

    func transferInput() -> TransferInput {
        TransferInput(
            txId: chance(0.7) ? pick(["t1", "t2", "t3"]) : text(),
            amount: decimal(),
            asset: chance(0.8) ? .usdtTrc20 : pick(Hostile.assets),
            confirmed: bool(),
            at: maybe(0.7) { date() }
        )
    }

    func invoiceSpec() -> InvoiceSpec {
        let h = 0.15
        let pricing: Pricing
        if chance(h) {
            pricing = .price(amount: decimal(), currency: pick(["EUR", "USD", "usd", text()]), rate: decimal(), surcharge: decimal())
        } else if chance(0.2) {
            pricing = .price(amount: Decimal(string: validAmount())!, currency: "EUR", rate: Decimal(string: "1.08")!, surcharge: 0)
        } else {
            pricing = .due(amount: chance(h) ? decimal() : Decimal(string: validAmount())!)
        }
        let expiry: Expiry = chance(h) ? (bool() ? .inSeconds(seconds: u64()) : .at(at: date())) : .inSeconds(seconds: 1800)
        var spec = newInvoiceSpec(id: chance(h) ? text() : "inv_\(int(0, 1000))", pricing: pricing, asset: pick(Hostile.assets), expiry: expiry)
        if chance(h) { spec.reference = text() }
        if chance(h) { spec.tolerance = either({ Tolerance.exact }, { Tolerance.absolute(amount: self.decimal()) }, { Tolerance.percent(percent: self.decimal()) }) }
        if chance(h) { spec.latePayment = bool() ? .reject : .acceptWithin(seconds: u64()) }
        if chance(h) { spec.overpayDust = decimal() }
        if chance(h) { spec.confirmationWindowSeconds = u64() }
        if chance(h) { spec.metadataJson = either({ () -> String in self.text() }, { JSONText.write(self.jsonValue(0)) }, { self.pick(Hostile.deepTexts) }) }
        return spec
    }

    func command() -> Command {
        switch int(0, 11) {
        case 0: return .create(spec: invoiceSpec())
        case 1, 2: return .observeTransfer(transfer: transferInput())
        case 3: return .confirmTransfer(txId: idText("t1"))
        case 4: return .dropTransfer(txId: idText("t1"))
        case 5: return bool() ? .tick : .cancel
        case 6: return .requestRefund(refundId: idText("r1"), amount: maybe { decimal() })
        case 7: return .settleRefund(refundId: idText("r1"), outcome: bool() ? .succeeded : .failed)
        case 8: return bool() ? .markPaid : .markInvalid
        default: return .claimTxid(txId: idText("t1"))
        }
    }
}

// MARK: - tables of hostile values

enum Hostile {
    static let t0Seconds: Int64 = 1_767_225_600
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)
    static let fiftyYears: Int64 = 86_400 * 365 * 50

    static let verifyRounds = 100 // per scheme
    static let ctorRounds = 200
    static let guardRounds = 300
    static let amountRounds = 1000
    static let timestampRounds = 600
    static let nameRounds = 300
    static let tokenRounds = 150
    static let storedRounds = 150 // per reader
    static let createRounds = 250
    static let victimRounds = 900
    static let matcherRounds = 200
    static let sessionRounds = 150
    static let deliveryRounds = 150
    static let journalRounds = 100
    static let dialectRounds = 120

    static let schemes: [Scheme] = [
        .usdtGateway, .gatepay, .monetix, .gatenoc, .keypairInvoice, .standardWebhooks,
        .stripe, .github, .coinbaseCommerce, .shopify, .nowpayments,
    ]
    static let assets: [Asset] = [.usdtTrc20, .usdtErc20, .usdtBsc, .usdtPolygon, .usdtBybit]
    static let statuses: [Status] = [.pending, .processing, .paid, .expired, .cancelled, .invalid, .partiallyRefunded, .refunded]
    static let policies: [DeliveryPolicy] = [.usdtGateway, .keypairInvoice, .standardWebhooks]

    static let whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let whsecOther = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"

    // The dialect tests' valid seed bodies.
    static let gatenoc = #"{"amount": 10.50, "note": "order_123"}"#
    static let usdtGateway = #"{"amountUsdt": 150.0000, "assetCode": "USDT_TRC20", "reference": "ORDER-12345"}"#
    static let gatepay = #"{"merchantTradeNo": "ORDER1234", "env": {"terminalType": "APP"}, "merchantUserId": 123, "#
        + #""goods": {"goodsType": "02", "goodsName": "charge", "goodsDetail": "d"}, "chain": "MATIC", "#
        + #""fullCurrType": "USDT_MATIC", "currency": "USDT", "orderAmount": "5", "surchargeAmount": "0.5"}"#
    static let keypair = #"{"public_key": "yourpublickey", "private_key": "yourprivatekey", "email": "buyer@example.com", "#
        + #""price_amount": 725, "price_currency": "USD", "merchant_id": 5, "order_id": 11, "customer_id": 12, "test": 1, "#
        + #""title": "title", "description": "description", "add_fee_to_price": 1, "cancel_url": "https://yourcancelurl", "#
        + #""success_url": "https://yoursuccessurl", "callback_url": "https://yourcallbackurl", "expiration_date": 12, "#
        + #""margin_ratio": 1.5}"#

    static let signSeeds: [Data] = [
        Data(#"{"id":"evt_1","amount":10.50,"nested":{"b":true,"a":null},"list":[1,"x"]}"#.utf8),
        Data(#"{"test": 2432232314}"#.utf8),
    ]

    static let headerNames = [
        "X-Webhook-Signature", "X-GatePay-Timestamp", "X-GatePay-Nonce", "X-GatePay-Signature",
        "X-Gateway-Merchant-Key", "webhook-id", "webhook-timestamp", "webhook-signature", "Stripe-Signature",
        "X-Hub-Signature-256", "X-CC-Webhook-Signature", "X-Shopify-Hmac-Sha256", "x-nowpayments-sig",
        "Authorization", "Content-Type", "X-Merchant-Key",
    ]

    static let structuralScalars = Array("0123456789.-+eE\"\\{}[]:,_ ".unicodeScalars)
    static let structural = ["{", "}", "[", "]", ",", ":", "\"", "\\", "null", "1e999999", "-", ".", " ", "\"\":"]

    static let tokens: [String] = [
        "", " ", "  ", "\t", "\n", "\r\n", "\u{0}", "\u{7}", "\u{7F}", "\u{A0}", "\u{2028}", "\u{FEFF}", "\u{FFFF}", "\u{FFFD}",
        "0", "-0", "+0", "00", "0.0", "-0.0", "1", "-1", "+1", "5", "10.50", "0.1", "0.000001", "0.0000001",
        "1e5", "1E5", "1e-5", "1E+3", "1e400", "1e-400", "NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "\u{221E}",
        "1_000", " 1", "1 ", "1.", ".5", "1..2", "1,5", "1.5.5", "0x1F", "0b1", "1/2", "\u{FF11}", "\u{661}\u{662}\u{663}", "\u{66B}",
        "9999999999999999999999999999", "99999999999999999999999999999", "0.0000000000000000000000000001",
        "18446744073709551616", "9223372036854775807", "-9223372036854775808", "4294967296",
        "true", "false", "null", "[]", "{}", "[1]", "{\"a\":1}", "\"", "\\", "\\u0000", "'", "`", "<script>", "%s%n%x", "${x}",
        "../../etc/passwd", "C:\\con", "e\u{301}", "\u{1F600}", "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}", "\u{1D7D9}",
        "\u{3A9}", "\u{DF}", "\u{130}", "\u{FB00}", "\u{202E}", "\u{0}\u{0}",
        "USDT_TRC20", "usdt_trc20", "USDT_BSC", "USDT", "EUR", "usd", "paid", "PENDING", "expired", "standard_webhooks", "STRIPE",
        "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.250+02:00", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
        "+10000-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z",
        "1767225600", "1767225600000", "inv_1", "tx_1", "order_123", "whsec_", "whsec_AAAA", "sha256=", "v1,", "t=1,v1=00",
    ]

    static let amountTokens: [String] = [
        "0", "-0", "+0", "00", "0.0", "-0.0", "1", "-1", "+1", "1e5", "1E5", "1e-5", "1E+3", "1e400", "1e-400",
        "NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "1_000", " 1", "1 ", "1.", ".5", "1..2", "1,5", "0x1F",
        "\u{FF11}", "\u{661}\u{662}\u{663}", "9999999999999999999999999999", "99999999999999999999999999999",
        "1234567890123456789012345678", "0.0000000000000000000000000001", "0.000000000000000001", "10.50", "5",
        String(repeating: "9", count: 10_000), "1" + String(repeating: "0", count: 10_000),
        "0." + String(repeating: "0", count: 10_000) + "1", "1" + String(repeating: "0", count: 100_000),
    ]

    static let timestampTokens: [String] = [
        "2026-01-01T00:00:00Z", "2026-03-24T14:00:00.250+02:00", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z",
        "9999-12-31T23:59:59.999Z", "+10000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z",
        "-0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z",
        "2024-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:59:60Z",
        "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00.9999999999Z", "2026-01-01", "2026-01-01T00:00:00",
        "1767225600", "-1", "", "Z", "T", "+275760-09-13T00:00:00Z", "-271821-04-20T00:00:00Z",
    ]

    static let epochTexts: [String] = [
        "1767225600", "1767225600000", "0", "-1", "-0", "+1", "18446744073709551616", "9223372036854775807",
        "-9223372036854775808", "253402300800", "253402300799999", "1e9", "NaN", "1.5", " 1767225600", "1767225600 ", "",
    ]

    static let numberTexts: [String] = [
        "0", "-0", "0.0", "1", "-1", "1.5", "10.50", "1e5", "1E5", "1e-5", "1E+999999", "-1E-999999", "1e400",
        "123456789012345678901234567890", "0.000000000000000000000000000001", "9007199254740993", "18446744073709551616",
        "-9223372036854775809", "1" + String(repeating: "0", count: 400), "NaN", "Infinity", "-Infinity", "+1", ".5", "01", "1_000", "0x10",
    ]

    static let huge: [String] = [
        String(repeating: "x", count: 100_000), String(repeating: "9", count: 10_000), String(repeating: "\u{E9}", count: 50_000),
        String(repeating: "\u{1F600}", count: 20_000), String(repeating: "[", count: 10_000), String(repeating: "\u{0}", count: 10_000),
        String(repeating: "a,", count: 30_000),
    ]

    static let deepTexts: [String] = [
        String(repeating: "[", count: 10_000),
        String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
        String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000),
        "{\"amount\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}",
        "[" + String(repeating: "{},", count: 30_000) + "{}]",
        "{" + (0..<10_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}",
        "\"" + String(repeating: "\\u0000", count: 10_000) + "\"",
        "{\"a\":1,\"a\":2}",
    ]
    static let deepData: [Data] = deepTexts.map { Data($0.utf8) }

    static let badUTF8: [Data] = [
        Data([0xFF]), Data([0xFE, 0xFF]), Data([0xC0, 0x80]), Data([0xED, 0xA0, 0x80]), Data([0xF4, 0x90, 0x80, 0x80]), Data([0xE2, 0x82]),
        Data("{\"amount\": \"".utf8) + Data([0xFF]) + Data("\"}".utf8),
        Data([0xEF, 0xBB, 0xBF]) + Data("{\"amount\": 5}".utf8),
        Data("{\"amount\": 10.50, \"note\": \"".utf8) + Data([0xC3, 0x28]) + Data("\"}".utf8),
        Data("{\"amount\":5}".utf8) + Data([0x00]),
        Data([0xFE, 0xFF, 0x00, 0x7B]),
    ]

    static let extremeDecimals: [Decimal] = [
        Decimal.nan, Decimal.quietNaN, Decimal.greatestFiniteMagnitude, -Decimal.greatestFiniteMagnitude,
        Decimal.leastNonzeroMagnitude, Decimal(sign: .plus, exponent: 127, significand: 1), Decimal(sign: .minus, exponent: -128, significand: 1),
        Decimal(string: "-0") ?? 0, Decimal(string: "1e400") ?? Decimal.nan, Decimal(string: String(repeating: "9", count: 38))!,
        Decimal(Int64.max), Decimal(string: "123456789012345678901234567890.123456789")!,
        Decimal(string: "0.0000000000000000000000000001")!, Decimal(sign: .plus, exponent: 28, significand: 1),
        Decimal(sign: .plus, exponent: 27, significand: 1),
    ]

    static let extremeDates: [Date] = [
        Date.distantPast, Date.distantFuture, Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.001),
        Date(timeIntervalSince1970: .nan), Date(timeIntervalSince1970: .infinity), Date(timeIntervalSince1970: -.infinity),
        Date(timeIntervalSince1970: .greatestFiniteMagnitude), Date(timeIntervalSince1970: -.greatestFiniteMagnitude),
        Date(timeIntervalSince1970: 253_402_300_800), // +10000-01-01
        Date(timeIntervalSince1970: 253_402_300_799.999), // 9999-12-31T23:59:59.999Z
        Date(timeIntervalSince1970: 9.3e15), Date(timeIntervalSince1970: -9.3e15), // milliseconds beyond Int64
        Date(timeIntervalSince1970: Double(Int64.max) / 1000), Date(timeIntervalSince1970: .ulpOfOne),
        Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: 1e-300),
    ]

    static func object(_ pairs: [(String, JSON)]) -> JSON {
        var o = JSONObject()
        for (k, v) in pairs { o[k] = v }
        return .object(o)
    }

    /// A value as a short, pasteable description (strings escaped, bytes in hex).
    static func show(_ v: Any?) -> String {
        guard let v = v else { return "nil" }
        switch v {
        case let d as Data:
            return "bytes[\(d.count)] " + d.prefix(120).map { String(format: "%02x", $0) }.joined() + (d.count > 120 ? "…" : "")
        case let s as String:
            return "str[\(s.unicodeScalars.count)] \"" + escape(String(s.unicodeScalars.prefix(200))) + (s.unicodeScalars.count > 200 ? "\"…" : "\"")
        case let d as Decimal:
            return "Decimal \(String(d.description.prefix(60)))"
        case let d as Date:
            return "Date(timeIntervalSince1970: \(d.timeIntervalSince1970))"
        case let m as [String: String]:
            return "[" + m.keys.sorted().map { show($0) + ": " + show(m[$0]) }.joined(separator: ", ") + "]"
        case let l as [String]:
            return "[" + l.map { show($0) }.joined(separator: ", ") + "]"
        default:
            let text = String(describing: v)
            return text.count > 300 ? String(text.prefix(300)) + "…" : text
        }
    }

    private static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.value >= 0x20, u.value < 0x7F, u != "\\", u != "\"" {
                out.unicodeScalars.append(u)
            } else {
                out += "\\u{" + String(u.value, radix: 16) + "}"
            }
        }
        return out
    }
}
