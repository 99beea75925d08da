import Foundation

/// A JSON value for the conformance runner: numbers keep their exact text (never a Double),
/// objects keep member order, so a step can be forwarded to the core's own JSON readers
/// (`commandFromJson`, `invoiceSpecFromJson`) exactly as written.
///
/// Why not Foundation: `JSONSerialization` (and `JSONDecoder`) turn every number into an
/// `NSNumber`/`Double`, which loses a number's text (`1e400`, `18446744073709551616`,
/// `10.50`) before the core could judge it, and neither keeps member order. This file is
/// only that reader and its writer: it knows no scenario rule and assigns no error code. A
/// document it cannot read fails the scenario; every code a step meets comes from the core
/// through the public API (`commandFromJson`, `invoiceSpecFromJson`, `reportOutcome`, ...).
enum JSON: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The JSON type name, for the runner's own failure messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON object that remembers member order.
struct JSONObject: Equatable {
    private(set) var keys: [String] = []
    private var values: [String: JSON] = [:]

    init() {}

    subscript(key: String) -> JSON? {
        get { values[key] }
        set {
            if let v = newValue {
                if values[key] == nil { keys.append(key) }
                values[key] = v
            } else {
                values[key] = nil
                keys.removeAll { $0 == key }
            }
        }
    }

    var count: Int { keys.count }

    var entries: [(String, JSON)] {
        keys.compactMap { k in values[k].map { (k, $0) } }
    }

    static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.values == b.values
    }
}

struct JSONParseError: Error, CustomStringConvertible {
    let description: String
}

enum JSONText {
    static func parse(_ text: String) throws -> JSON {
        var p = Parser(bytes: Array(text.utf8))
        p.skipWhitespace()
        let v = try p.value(depth: 0)
        p.skipWhitespace()
        if p.i != p.bytes.count { throw JSONParseError(description: "trailing characters at offset \(p.i)") }
        return v
    }

    static func write(_ v: JSON) -> String {
        var out = ""
        write(v, into: &out)
        return out
    }

    static func write(_ v: JSON, into out: inout String) {
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out += "["
            for (i, x) in items.enumerated() {
                if i > 0 { out += "," }
                write(x, into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, (k, x)) in o.entries.enumerated() {
                if i > 0 { out += "," }
                writeString(k, into: &out)
                out += ":"
                write(x, into: &out)
            }
            out += "}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = ""
        writeString(s, into: &out)
        return out
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipWhitespace() {
            while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
        }

        func fail(_ m: String) -> JSONParseError { JSONParseError(description: "\(m) at offset \(i)") }

        mutating func value(depth: Int) throws -> JSON {
            if depth > 128 { throw fail("nesting too deep") }
            guard i < bytes.count else { throw fail("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail("unexpected character")
            }
        }

        mutating func literal(_ word: String, _ v: JSON) throws -> JSON {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw fail("bad literal") }
            i += w.count
            return v
        }

        mutating func digits() -> Int {
            let start = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }

        mutating func number() throws -> JSON {
            let start = i
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            if i < bytes.count, bytes[i] == UInt8(ascii: "0") {
                i += 1
            } else if digits() == 0 {
                throw fail("bad number")
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                if digits() == 0 { throw fail("bad number") }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                if digits() == 0 { throw fail("bad number") }
            }
            return .number(String(decoding: bytes[start..<i], as: UTF8.self))
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= bytes.count,
                  let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)
            else { throw fail("bad \\u escape") }
            i += 4
            return v
        }

        mutating func string() throws -> String {
            i += 1 // opening quote
            var out: [UInt8] = []
            while true {
                guard i < bytes.count else { throw fail("unterminated string") }
                let c = bytes[i]
                i += 1
                switch c {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { throw fail("unterminated escape") }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if scalar >= 0xD800, scalar < 0xDC00, i + 6 <= bytes.count,
                           bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                            i += 2
                            let low = try hex4()
                            if low >= 0xDC00, low < 0xE000 {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                scalar = 0xFFFD
                            }
                        }
                        let u = Unicode.Scalar(scalar) ?? Unicode.Scalar(0xFFFD)!
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default:
                        throw fail("bad escape")
                    }
                default:
                    if c < 0x20 { throw fail("control character in string") }
                    out.append(c)
                }
            }
        }

        mutating func object(depth: Int) throws -> JSON {
            i += 1
            var o = JSONObject()
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
            while true {
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let k = try string()
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipWhitespace()
                o[k] = try value(depth: depth + 1)
                skipWhitespace()
                guard i < bytes.count else { throw fail("unterminated object") }
                let c = bytes[i]
                i += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "}") { return .object(o) }
                throw fail("expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws -> JSON {
            i += 1
            var items: [JSON] = []
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard i < bytes.count else { throw fail("unterminated array") }
                let c = bytes[i]
                i += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "]") { return .array(items) }
                throw fail("expected ',' or ']'")
            }
        }
    }
}
