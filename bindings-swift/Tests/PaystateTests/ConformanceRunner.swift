import Foundation
import Paystate

/// The Swift conformance runner: drives the generated Swift API through the scenario files
/// of `conformance/FORMAT.md` (docs/spec.md §10) with the step semantics of the reference runner
/// (`cli/src/conformance/mod.rs`), like the Kotlin runner in `bindings-kotlin`.
enum ConformanceRunner {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var step: Int?
        var op: String?

        init(_ message: String) { self.message = message }

        var description: String {
            switch (step, op) {
            case let (s?, o?): return "step \(s) (\(o)): \(message)"
            case let (s?, nil): return "step \(s): \(message)"
            default: return message
            }
        }
    }

    struct Report {
        var passed = 0
        var failed: [(String, Failure)] = []
        /// The closing line: `N passed, N failed`.
        var summary: String { "\(passed) passed, \(failed.count) failed" }
    }

    /// Every `*.json` file below each path (a file is taken as is), sorted by path.
    static func collect(_ paths: [String]) -> [String] {
        var out = Set<String>()
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else {
                out.insert(p)
                continue
            }
            if isDir.boolValue {
                let e = fm.enumerator(atPath: p)
                while let rel = e?.nextObject() as? String {
                    if rel.hasSuffix(".json") { out.insert((p as NSString).appendingPathComponent(rel)) }
                }
            } else {
                out.insert(p)
            }
        }
        return out.sorted()
    }

    static func runPaths(_ paths: [String]) -> Report {
        var report = Report()
        for file in collect(paths) {
            do {
                guard let data = FileManager.default.contents(atPath: file) else { throw Failure("cannot read") }
                let doc: JSON
                do {
                    doc = try JSONText.parse(String(decoding: data, as: UTF8.self))
                } catch {
                    throw Failure("not JSON: \(error)")
                }
                try runScenario(doc)
                report.passed += 1
            } catch let f as Failure {
                report.failed.append((file, f))
            } catch {
                report.failed.append((file, Failure("\(error)")))
            }
        }
        return report
    }

    static func runScenario(_ doc: JSON) throws {
        guard case .object(let d) = doc, case .array(let steps)? = d["steps"] else {
            throw Failure("scenario has no steps array")
        }
        guard case .string? = d["name"] else { throw Failure("scenario has no name") }
        let world = try World()
        for (i, step) in steps.enumerated() {
            do {
                try world.runStep(step)
            } catch var f as Failure {
                f.step = i
                if case .object(let o) = step { f.op = o["op"]?.string }
                throw f
            }
        }
    }
}

/// The one error the runner raises itself: the world's (an unknown or reused invoice, session
/// or delivery id), with the code the grammar names for it (`world_error` in grammar.json).
struct StepError: Error {
    let code: String
    let message: String
}

private func codeAndMessage(_ e: Error) -> (String, String)? {
    if let p = e as? PaystateError { return (p.code, p.message) }
    if let s = e as? StepError { return (s.code, s.message) }
    return nil
}

/// A step's JSON object (null is absent), read as the grammar types its fields. Every error
/// code a step meets comes from the core: invoice commands reach it through `commandFromJson`,
/// the other ops hand the step's values to the API as they are. A value the Swift API cannot
/// take at all (a missing field, a number where it takes text, a negative count where it takes
/// an unsigned one) fails the scenario instead of being given a code here, as in the Node,
/// Python and Kotlin runners.
private struct Obj {
    let map: JSONObject
    let prefix: String

    func path(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    func get(_ name: String) -> JSON? {
        if let v = map[name], v != .null { return v }
        return nil
    }

    func missing(_ name: String) -> ConformanceRunner.Failure {
        fail("field \(JSONText.quoted(path(name))) is missing, and the step needs it")
    }

    func shape(_ name: String, _ what: String, _ v: JSON) -> ConformanceRunner.Failure {
        fail("field \(JSONText.quoted(path(name))) must be \(what), found \(v.kind)")
    }

    func optStr(_ name: String) throws -> String? {
        switch get(name) {
        case nil: return nil
        case .string(let s)?: return s
        case let other?: throw shape(name, "a string", other)
        }
    }

    func str(_ name: String) throws -> String {
        guard let s = try optStr(name) else { throw missing(name) }
        return s
    }

    func optBool(_ name: String) throws -> Bool? {
        switch get(name) {
        case nil: return nil
        case .bool(let b)?: return b
        case let other?: throw shape(name, "true or false", other)
        }
    }

    /// A whole number the API takes as a `UInt64` (counts: seconds, milliseconds).
    func optU64(_ name: String) throws -> UInt64? {
        switch get(name) {
        case nil: return nil
        case .number(let text)?:
            guard let v = UInt64(text) else {
                throw fail("field \(JSONText.quoted(path(name))): the Swift API takes a whole number in 0...2^64-1, found \(text)")
            }
            return v
        case let other?: throw shape(name, "a whole number", other)
        }
    }

    /// A whole number the API takes as an `Int64` (an HTTP status: its range is the core's).
    func optI64(_ name: String) throws -> Int64? {
        switch get(name) {
        case nil: return nil
        case .number(let text)?:
            guard let v = Int64(text) else {
                throw fail("field \(JSONText.quoted(path(name))): the Swift API takes a whole number in -2^63...2^63-1, found \(text)")
            }
            return v
        case let other?: throw shape(name, "a whole number", other)
        }
    }

    func u64(_ name: String) throws -> UInt64 {
        guard let v = try optU64(name) else { throw missing(name) }
        return v
    }

    /// Amounts are strings, parsed by the core (`parseAmount`); never a Double.
    func optAmount(_ name: String) throws -> Decimal? {
        switch get(name) {
        case nil: return nil
        case .string(let s)?: return try parseAmount(text: s)
        case let other?: throw shape(name, "a decimal string such as \"10.50\"", other)
        }
    }

    func amount(_ name: String) throws -> Decimal {
        guard let v = try optAmount(name) else { throw missing(name) }
        return v
    }

    func optObj(_ name: String) throws -> JSONObject? {
        switch get(name) {
        case nil: return nil
        case .object(let o)?: return o
        case let other?: throw shape(name, "an object", other)
        }
    }

    func obj(_ name: String) throws -> JSONObject {
        guard let o = try optObj(name) else { throw missing(name) }
        return o
    }
}

/// What one step produced, for its `expect` checks.
private struct Output {
    var invoice: String?
    var events: [String] = []
    var payable: Decimal?
    var matched: TransferMatch?
    var expiresAt: Date?
    var valid: Bool?
    var headers: [HttpHeader]?
    var signature: String?
    var next: NextAttempt?
}

private final class Tracked {
    var invoice: Invoice
    var journal: [JournalEntry]
    init(invoice: Invoice, journal: [JournalEntry]) {
        self.invoice = invoice
        self.journal = journal
    }
}

/// The scenario grammar (`conformance/grammar.json` at the repository root, or the file named
/// by `PAYSTATE_GRAMMAR`): which fields each op takes and which expect keys each op family
/// checks, written once for every language's runner (the Kotlin runner reads it too).
private enum Grammar {
    static let doc: Result<JSONObject, ConformanceRunner.Failure> = {
        let env = ProcessInfo.processInfo.environment
        let path: String
        if let p = env["PAYSTATE_GRAMMAR"] {
            path = p
        } else {
            // Tests/PaystateTests/ConformanceRunner.swift -> bindings-swift -> repository root
            let root = env["PAYSTATE_REPO_ROOT"] ?? URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().path
            path = (root as NSString).appendingPathComponent("conformance/grammar.json")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ConformanceRunner.Failure("cannot read the scenario grammar \(path)"))
        }
        do {
            guard case .object(let o) = try JSONText.parse(String(decoding: data, as: UTF8.self)) else {
                return .failure(ConformanceRunner.Failure("\(path): not a JSON object"))
            }
            return .success(o)
        } catch {
            return .failure(ConformanceRunner.Failure("\(path): not JSON: \(error)"))
        }
    }()

    private static func op(_ name: String) throws -> JSONObject? {
        guard case .object(let ops)? = try doc.get()["ops"] else {
            throw ConformanceRunner.Failure("the scenario grammar has no ops")
        }
        guard case .object(let o)? = ops[name] else { return nil }
        return o
    }

    /// The fields `op` takes, or nil for an op the grammar does not know.
    static func fieldsOf(_ name: String) throws -> [String]? {
        guard let o = try op(name) else { return nil }
        var fields: [String] = []
        for group in ["required", "optional"] {
            if case .object(let members)? = o[group] { fields += members.keys }
        }
        return fields
    }

    /// The code of the world error (an unknown or reused id): `world_error.code`, nil when the
    /// grammar lacks it.
    static var worldErrorCode: String? {
        guard case .object(let w)? = try? doc.get()["world_error"], case .string(let code)? = w["code"] else {
            return nil
        }
        return code
    }

    /// The state keys `expect` may check after `op` (`error` is allowed for every op).
    static func expectKeysOf(_ name: String) throws -> [String] {
        guard let o = try op(name), case .string(let family)? = o["expect"] else { return [] }
        guard case .object(let expect)? = try doc.get()["expect"],
              case .object(let families)? = expect["families"],
              case .array(let keys)? = families[family] else {
            throw ConformanceRunner.Failure("the scenario grammar has no expect family \(family)")
        }
        return keys.compactMap { $0.string }
    }
}

private func fail(_ m: String) -> ConformanceRunner.Failure { ConformanceRunner.Failure(m) }

/// The world error (an unknown or reused id), with the code the grammar names for it.
private func reused(_ field: String, _ what: String, _ id: String) -> Error {
    guard let code = Grammar.worldErrorCode else { return fail("the scenario grammar has no world_error code") }
    return StepError(code: code, message: "\(field): \(JSONText.quoted(id)) \(what)")
}

/// Everything a scenario can touch, starting empty.
private final class World {
    var invoices: [String: Tracked] = [:]
    let matcher = Matcher()
    var sessions: [String: Session] = [:]
    let replayGuard: ReplayGuard
    var deliveries: [String: DeliveryPlan] = [:]

    init() throws {
        replayGuard = try ReplayGuard(capacity: nil)
    }

    /// The whole state as text, to check that a failed step changed nothing.
    func fingerprint() -> String {
        var s = ""
        for id in invoices.keys.sorted() {
            let t = invoices[id]!
            s += "I \(id) \(t.invoice.toJson()) \(t.journal.count)\n"
        }
        s += "M \(matcher.toJson())\n"
        for id in sessions.keys.sorted() { s += "S \(id) \(sessions[id]!.toJson())\n" }
        s += "G \(replayGuard.toJson())\n"
        for id in deliveries.keys.sorted() { s += "D \(id) \(deliveries[id]!.toJson())\n" }
        return s
    }

    func runStep(_ stepValue: JSON) throws {
        guard case .object(let map) = stepValue else { throw fail("a step must be a JSON object") }
        let s = Obj(map: map, prefix: "")
        guard let op = s.get("op")?.string else { throw fail("step has no op") }
        guard let fields = try Grammar.fieldsOf(op) else { throw fail("unknown op \(JSONText.quoted(op))") }
        if let k = map.keys.first(where: { !["op", "at", "expect"].contains($0) && !fields.contains($0) }) {
            throw fail("field \(JSONText.quoted(k)) is not a field of \(op)")
        }
        guard let atText = s.get("at")?.string else { throw fail("step has no \"at\" time") }
        let at: Date
        do {
            at = try parseTimestamp(text: atText)
        } catch let e as PaystateError {
            throw fail(e.message)
        }
        var expect: JSONObject?
        switch map["expect"] {
        case nil: expect = nil
        case .object(let e)?: expect = e
        case _?: throw fail("expect must be an object")
        }
        if let e = expect {
            let allowed = try Grammar.expectKeysOf(op)
            if let k = e.keys.first(where: { $0 != "error" && !allowed.contains($0) }) {
                throw fail("unknown expect key \(JSONText.quoted(k)) for \(op)")
            }
            if e["error"] != nil && e.count > 1 { throw fail("expect has error and state keys at once") }
        }
        let before = fingerprint()
        let wantError = expect?["error"]
        do {
            let out = try execute(op, at, s)
            if let w = wantError { throw fail("expected error \(JSONText.write(w)), but the step succeeded") }
            if let e = expect { try check(e, out) }
        } catch let f as ConformanceRunner.Failure {
            throw f
        } catch {
            guard let cm = codeAndMessage(error) else { throw fail("unexpected \(error)") }
            let (code, message) = cm
            guard let w = wantError else { throw fail("unexpected error \(code): \(message)") }
            if w != JSON.string(code) { throw fail("expected error \(JSONText.write(w)), got \(code) (\(message))") }
            if fingerprint() != before { throw fail("error \(code) changed the state") }
        }
    }

    func tracked(_ id: String) throws -> Tracked {
        guard let t = invoices[id] else { throw reused("invoice", "is unknown", id) }
        return t
    }

    func execute(_ op: String, _ at: Date, _ f: Obj) throws -> Output {
        switch op {
        case "create_invoice":
            let spec = try invoiceSpecFromJson(json: JSONText.write(.object(try f.obj("invoice"))))
            if invoices[spec.id] != nil { throw reused("invoice.id", "already exists", spec.id) }
            let created = try createInvoice(spec: spec, now: at)
            invoices[spec.id] = Tracked(invoice: created.invoice, journal: [JournalEntry(at: at, command: .create(spec: spec))])
            return Output(invoice: spec.id, events: created.events.map { $0.eventType.asStr() })
        case "observe_transfer", "confirm_transfer", "drop_transfer", "cancel",
             "request_refund", "settle_refund", "mark", "claim_txid":
            let id = try f.str("invoice")
            var commandJson = f.map
            commandJson["invoice"] = nil
            commandJson["at"] = nil
            commandJson["expect"] = nil
            commandJson["op"] = .string(op)
            let command = try commandFromJson(json: JSONText.write(.object(commandJson)))
            let t = try tracked(id)
            let events = try t.invoice.applyCommand(command: command, now: at)
            t.journal.append(JournalEntry(at: at, command: command))
            return Output(invoice: id, events: events.map { $0.eventType.asStr() })
        case "tick":
            let named = try f.optStr("invoice")
            if let n = named { _ = try tracked(n) }
            var events: [String] = []
            for id in invoices.keys.sorted() {
                let t = invoices[id]!
                let evs = try t.invoice.applyCommand(command: .tick, now: at)
                t.journal.append(JournalEntry(at: at, command: .tick))
                if id == named { events = evs.map { $0.eventType.asStr() } }
            }
            for id in deliveries.keys.sorted() { _ = try deliveries[id]!.tick(now: at) }
            for id in sessions.keys.sorted() { try sessions[id]!.tick(now: at) }
            return Output(invoice: named, events: events)
        case "replay":
            let id = try f.str("invoice")
            let t = try tracked(id)
            let rebuilt = try Invoice.replay(journal: t.journal)
            if !rebuilt.sameState(other: t.invoice) {
                throw fail("replaying the journal did not rebuild the identical state")
            }
            t.invoice = rebuilt
            return Output(invoice: id)
        case "allocate_amount":
            let id = try f.str("invoice")
            _ = try tracked(id)
            let account = try f.str("account")
            let due = try f.amount("due")
            let step = try f.amount("step")
            let allowance = try f.optAmount("allowance") ?? Decimal(0)
            return Output(payable: try matcher.allocate(account: account, invoiceId: id, due: due, step: step, allowance: allowance))
        case "register_amount":
            let id = try f.str("invoice")
            _ = try tracked(id)
            let account = try f.str("account")
            let payable = try f.amount("payable")
            let allowance = try f.optAmount("allowance") ?? Decimal(0)
            try matcher.register(account: account, invoiceId: id, payable: payable, allowance: allowance)
            return Output()
        case "match_transfer":
            let account = try f.str("account")
            return Output(matched: try matcher.matchAmount(account: account, amount: try f.amount("amount")))
        case "release":
            matcher.release(invoiceId: try f.str("invoice"))
            return Output()
        case "open_session":
            let sessionId = try f.str("session")
            if sessions[sessionId] != nil { throw reused("session", "already exists", sessionId) }
            let invoice = try tracked(try f.str("invoice")).invoice
            let session = try Session.open(id: sessionId, invoice: invoice, ttlSeconds: try f.u64("ttl"), now: at)
            sessions[sessionId] = session
            return Output(expiresAt: session.expiresAt())
        case "use_session":
            let sessionId = try f.str("session")
            guard let session = sessions[sessionId] else { throw reused("session", "is unknown", sessionId) }
            let invoice = try tracked(session.invoiceId()).invoice
            try session.useAt(invoice: invoice, now: at)
            return Output()
        case "verify_signature", "sign":
            return try signatureStep(op, at, f)
        case "plan_delivery", "report_attempt":
            return try deliveryStep(op, at, f)
        default:
            throw fail("op \(JSONText.quoted(op)) is not implemented")
        }
    }

    private func strings(_ v: JSON?, _ field: String) throws -> [String] {
        guard case .array(let items)? = v else {
            if v == nil { throw fail("field \(JSONText.quoted(field)) is missing, and the step needs it") }
            throw fail("field \(JSONText.quoted(field)) must be an array of strings")
        }
        return try items.map {
            guard let s = $0.string else { throw fail("field \(JSONText.quoted(field)) must be an array of strings") }
            return s
        }
    }

    private func stringPairs(_ m: JSONObject?) throws -> [(String, String)] {
        guard let m = m else { return [] }
        return try m.entries.map { pair in
            let (k, v) = pair
            guard let s = v.string else { throw fail("field \"headers\": header values are strings, \(JSONText.quoted(k)) is not") }
            return (k, s)
        }
    }

    private func find(_ pairs: [(String, String)], _ names: [String]) -> String? {
        for n in names {
            if let hit = pairs.first(where: { $0.0.lowercased() == n.lowercased() }) { return hit.1 }
        }
        return nil
    }

    private func signatureStep(_ op: String, _ at: Date, _ f: Obj) throws -> Output {
        let scheme = try parseScheme(name: try f.str("scheme"))
        if op == "verify_signature" {
            let secrets = try strings(f.get("secrets"), "secrets")
            let headers = try stringPairs(try f.optObj("headers"))
            let bodyText = try f.optStr("body")
            let bodyB64 = try f.optStr("body_base64")
            let body: Data
            switch (bodyText, bodyB64) {
            case let (b?, nil): body = Data(b.utf8)
            case let (nil, b64?):
                guard b64.utf8.count % 4 == 0, let d = Data(base64Encoded: b64) else {
                    throw fail("body_base64 is not standard padded base64")
                }
                body = d
            default: throw fail("give exactly one of body and body_base64")
            }
            var options = defaultVerifierOptions()
            if let s = try f.optU64("tolerance_seconds") { options.timeCheck = .withinSeconds(seconds: s) }
            var headerMap: [String: String] = [:]
            for (k, v) in headers { headerMap[k] = v }
            let verified = try Verifier.withOptions(scheme: scheme, secrets: secrets, options: options)
                .verify(headers: headerMap, body: body, now: at)
            if try f.optBool("replay_guard") ?? false { try replayGuard.record(verified: verified, now: at) }
            return Output(valid: true)
        }
        let secret = try f.str("secret")
        let body = try f.str("body")
        let inputs = try stringPairs(try f.optObj("headers"))
        var timestamp = at
        if let t = find(inputs, ["webhook-timestamp", "X-GatePay-Timestamp", "timestamp", "t"]) {
            timestamp = try parseSchemeTimestamp(scheme: scheme, text: t)
        }
        let input = SignInput(
            id: find(inputs, ["webhook-id", "id"]),
            nonce: find(inputs, ["X-GatePay-Nonce", "nonce"]),
            timestamp: timestamp
        )
        let signed = try Signer(scheme: scheme, secrets: [secret]).sign(body: Data(body.utf8), input: input)
        return Output(headers: signed.headers(), signature: signed.signature())
    }

    private func deliveryStep(_ op: String, _ at: Date, _ f: Obj) throws -> Output {
        let id = try f.str("delivery")
        if op == "plan_delivery" {
            if deliveries[id] != nil { throw reused("delivery", "already exists", id) }
            let plan = try DeliveryPlan(id: id, policy: try parseDeliveryPolicy(name: try f.str("policy")), now: at)
            deliveries[id] = plan
            return Output(next: plan.next())
        }
        // The core reads the status or the failure's text (docs/spec.md §7).
        let outcome = try reportOutcome(httpStatus: try f.optI64("http_status"), error: try f.optStr("error"))
        let duration = try f.optU64("duration_ms")
        guard let plan = deliveries[id] else { throw reused("delivery", "is unknown", id) }
        return Output(next: try plan.report(outcome: outcome, at: at, durationMs: duration))
    }

    // ---- expect checks ----

    private func amountEq(_ want: JSON, _ got: Decimal?) -> Bool {
        guard let w = want.string, let g = got, let wd = try? parseAmount(text: w) else { return false }
        return wd == g
    }

    private func timeEq(_ want: JSON, _ got: Date?) -> Bool {
        guard let w = want.string, let g = got, let wd = try? parseTimestamp(text: w) else { return false }
        return wd == g
    }

    private func matchValue(_ m: TransferMatch) -> JSON {
        var o = JSONObject()
        switch m {
        case .matched(let id): o["matched"] = .string(id)
        case .ambiguous(let ids): o["ambiguous"] = .array(ids.map { JSON.string($0) })
        case .unmatched: return .string("unmatched")
        }
        return .object(o)
    }

    private func nextValue(_ n: NextAttempt) -> JSON {
        switch n {
        case .retryAt(let at):
            var o = JSONObject()
            o["retry_at"] = .string((try? formatTimestamp(at: at)) ?? "")
            return .object(o)
        case .delivered: return .string("delivered")
        case .gaveUp: return .string("gave_up")
        }
    }

    private func nextEq(_ want: JSON, _ got: JSON) -> Bool {
        if case .object(let w) = want, case .object(let g) = got {
            guard w.count == 1, let wt = w["retry_at"], let gt = g["retry_at"]?.string else { return false }
            return timeEq(wt, try? parseTimestamp(text: gt))
        }
        return want == got
    }

    private func describe(_ key: String, _ out: Output) -> String {
        switch key {
        case "payable": return out.payable.map { "\($0)" } ?? "nil"
        case "match": return out.matched.map { JSONText.write(matchValue($0)) } ?? "nothing"
        case "expires_at": return out.expiresAt.map { (try? formatTimestamp(at: $0)) ?? "?" } ?? "nil"
        case "valid": return out.valid.map { "\($0)" } ?? "nil"
        case "next": return out.next.map { JSONText.write(nextValue($0)) } ?? "nothing"
        case "signature": return out.signature ?? "nil"
        default: return "something else"
        }
    }

    func check(_ expect: JSONObject, _ out: Output) throws {
        let invoice = out.invoice.flatMap { invoices[$0]?.invoice }
        for (key, want) in expect.entries {
            var ok = true
            switch key {
            case "events":
                var w: [String] = []
                if case .array(let items) = want { w = items.compactMap { $0.string } }
                if w != out.events { throw fail("events: expected \(w), got \(out.events)") }
            case "payable": ok = amountEq(want, out.payable)
            case "match": ok = out.matched.map { matchValue($0) == want } ?? false
            case "expires_at": ok = timeEq(want, out.expiresAt)
            case "valid": ok = out.valid.map { want == JSON.bool($0) } ?? false
            case "next": ok = out.next.map { nextEq(want, nextValue($0)) } ?? false
            case "signature": ok = out.signature.map { want == JSON.string($0) } ?? false
            case "headers":
                guard let got = out.headers else { throw fail("this step produced no headers") }
                guard case .object(let w) = want else { throw fail("expect.headers must be an object") }
                for (name, value) in w.entries {
                    let found = got.first(where: { $0.name.lowercased() == name.lowercased() })?.value
                    if found == nil || JSON.string(found!) != value {
                        throw fail("header \(name): expected \(JSONText.write(value)), got \(found.map { JSONText.quoted($0) } ?? "nothing")")
                    }
                }
            default:
                guard let inv = invoice else { throw fail("expect.\(key) needs an invoice on the step") }
                let snap = inv.snapshot()
                switch key {
                case "status":
                    let got = snap.status.asStr()
                    if want != JSON.string(got) { throw fail("status: expected \(JSONText.write(want)), got \(JSONText.quoted(got))") }
                case "exceptions":
                    var w: [String] = []
                    if case .array(let items) = want { w = items.compactMap { $0.string } }
                    let g = snap.exceptions.map { $0.asStr() }.sorted()
                    if w.sorted() != g { throw fail("exceptions: expected \(w.sorted()), got \(g)") }
                case "deadline":
                    if !timeEq(want, inv.deadline()) { throw fail("deadline: expected \(JSONText.write(want))") }
                case "version":
                    // The stored document's version (docs/spec.md §2 "State documents"): a
                    // whole JSON number, compared as an exact integer.
                    guard case .number(let text) = want, let w = UInt64(text) else {
                        throw fail("expect.version must be a whole number, got \(JSONText.write(want))")
                    }
                    let got = inv.version()
                    if w != got { throw fail("version: expected \(w), got \(got)") }
                default:
                    let got: Decimal
                    switch key {
                    case "amount_paid": got = snap.amountPaid
                    case "amount_pending": got = snap.amountPending
                    case "amount_held": got = snap.amountHeld
                    case "surplus": got = snap.surplus
                    case "amount_refunded": got = snap.amountRefunded
                    case "refundable": got = snap.refundable
                    default: throw fail("unknown expect key \(JSONText.quoted(key))")
                    }
                    if !amountEq(want, got) { throw fail("\(key): expected \(JSONText.write(want)), got \"\(got)\"") }
                }
            }
            if !ok { throw fail("\(key): expected \(JSONText.write(want)), got \(describe(key, out))") }
        }
    }
}
