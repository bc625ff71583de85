import Foundation

/// A JSON value as ops reads it from a file, with the line it starts on, so a message about
/// any value can name `file:line`: objects keep their key order, numbers keep their text.
/// Read by hand rather than with JSONSerialization so a cut-off export can be told apart from
/// a broken one, and what was read before the cut is still there to name the incident it hit.
struct JSONValue: Sendable, Equatable {
    enum Kind: Sendable {
        case object([(String, JSONValue)])
        case array([JSONValue])
        case string(String)
        /// The number as written (`232`, `0.5`).
        case number(String)
        case bool(Bool)
        case null
    }

    var kind: Kind
    /// The line the value starts on, from 1; 0 for a value that was not read from text.
    var line: Int

    static func object(_ members: [(String, JSONValue)], line: Int = 0) -> JSONValue { JSONValue(kind: .object(members), line: line) }
    static func array(_ items: [JSONValue], line: Int = 0) -> JSONValue { JSONValue(kind: .array(items), line: line) }
    static func string(_ text: String, line: Int = 0) -> JSONValue { JSONValue(kind: .string(text), line: line) }
    static func number(_ text: String, line: Int = 0) -> JSONValue { JSONValue(kind: .number(text), line: line) }
    static func bool(_ value: Bool, line: Int = 0) -> JSONValue { JSONValue(kind: .bool(value), line: line) }
    static let null = JSONValue(kind: .null, line: 0)

    /// Equal in content; where each value was read does not count.
    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a.kind, b.kind) {
        case let (.object(x), .object(y)): return x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)), let (.number(x), .number(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// Follows keys in turn: `value[path: "severity", "data", "attributes"]`.
    subscript(path keys: String...) -> JSONValue? {
        var current: JSONValue? = self
        for key in keys { current = current?[key] }
        return current
    }

    var string: String? {
        switch kind {
        case .string(let text): return text
        case .number(let text): return text
        default: return nil
        }
    }

    /// Text that is not empty after trimming; nil for null, absent or blank.
    var text: String? {
        guard let string = string?.trimmingCharacters(in: .whitespacesAndNewlines), !string.isEmpty else { return nil }
        return string
    }

    var int: Int? {
        guard case .number(let text) = kind else { return nil }
        return Int(text) ?? Double(text).flatMap { $0 == $0.rounded() ? Int(exactly: $0) : nil }
    }

    var bool: Bool? {
        if case .bool(let value) = kind { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let items) = kind { return items }
        return nil
    }

    /// The elements of an array; empty for anything else.
    var items: [JSONValue] { array ?? [] }

    var isObject: Bool {
        if case .object = kind { return true }
        return false
    }

    var isNull: Bool {
        if case .null = kind { return true }
        return false
    }

    var keys: [String] {
        guard case .object(let members) = kind else { return [] }
        return members.map(\.0)
    }
}

/// Reading JSON text: the value, or where and how it stops being JSON.
enum JSONText {
    /// The key `truncated` adds to each object the text ended in, so a reader can tell the
    /// incident that was cut from the complete ones before it.
    static let cutKey = "\u{0}cut"

    /// How deep objects and lists may nest. The reader keeps its own stacks, but a value is
    /// read, compared and freed recursively; exports nest a few levels.
    static let depthLimit = 128

    enum Failure: Error, Equatable {
        /// The text ends inside a value: a cut-off file. `partial` holds what was read, each open
        /// container closed and the value being read when the text ended dropped.
        case truncated(line: Int, partial: JSONValue?)
        /// Something other than JSON at `line`.
        case invalid(line: Int, String)
    }

    /// The value `data` holds, each part with its line; `firstLine` is the line `data` starts on
    /// in its file (a line of a JSON lines file).
    static func parse(_ data: Data, firstLine: Int = 1) -> Result<JSONValue, Failure> {
        var parser = Parser(bytes: [UInt8](data), line: firstLine)
        return parser.document()
    }

    static func parse(_ text: Substring, firstLine: Int = 1) -> Result<JSONValue, Failure> {
        parse(Data(text.utf8), firstLine: firstLine)
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        var line: Int

        /// Containers being read, innermost last. Their contents are kept in stacks of their own
        /// so that adding a member mutates in place (an enum payload would be copied each time).
        private enum Open { case object, array }
        /// With the line each starts on.
        private var open: [(kind: Open, line: Int)] = []
        private var objects: [[(String, JSONValue)]] = []
        /// The key awaiting its value, per open object.
        private var pendingKeys: [String?] = []
        private var arrays: [[JSONValue]] = []

        init(bytes: [UInt8], line: Int) {
            self.bytes = bytes
            self.line = line
            // A UTF-8 byte-order mark is not JSON, but editors write it.
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        }

        mutating func document() -> Result<JSONValue, Failure> {
            do {
                let value = try self.value()
                skipSpace()
                guard index == bytes.count else {
                    throw Failure.invalid(line: line, "more text after the JSON value")
                }
                return .success(value)
            } catch let failure as Failure {
                if case .truncated(let line, _) = failure { return .failure(.truncated(line: line, partial: closedPartial())) }
                return .failure(failure)
            } catch {
                return .failure(.invalid(line: line, "\(error)"))
            }
        }

        /// What was read before the text ended, with every open container closed.
        private func closedPartial() -> JSONValue? {
            var result: JSONValue?
            var object = objects.count
            var array = arrays.count
            for (kind, line) in open.reversed() {
                switch kind {
                case .object:
                    object -= 1
                    var members = objects[object]
                    if let key = pendingKeys[object], let result { members.append((key, result)) }
                    members.append((JSONText.cutKey, .bool(true)))
                    result = .object(members, line: line)
                case .array:
                    array -= 1
                    var items = arrays[array]
                    if let result { items.append(result) }
                    result = .array(items, line: line)
                }
            }
            return result
        }

        private var truncated: Failure { .truncated(line: line, partial: nil) }

        private mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x0A: line += 1; index += 1
                case 0x20, 0x09, 0x0D: index += 1
                default: return
                }
            }
        }

        private mutating func value() throws -> JSONValue {
            skipSpace()
            guard index < bytes.count else { throw truncated }
            let start = line
            switch bytes[index] {
            case UInt8(ascii: "{"):
                return try container(.object, from: start)
            case UInt8(ascii: "["):
                return try container(.array, from: start)
            case UInt8(ascii: "\""):
                return .string(try string(), line: start)
            case UInt8(ascii: "t"): return try literal("true", .bool(true, line: start))
            case UInt8(ascii: "f"): return try literal("false", .bool(false, line: start))
            case UInt8(ascii: "n"): return try literal("null", JSONValue(kind: .null, line: start))
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try number()
            default:
                throw Failure.invalid(line: line, "unexpected character '\(Character(UnicodeScalar(bytes[index])))'")
            }
        }

        /// An object or a list, from its opening bracket to its closing one.
        private mutating func container(_ kind: Open, from start: Int) throws -> JSONValue {
            try checkDepth()
            index += 1
            open.append((kind, start))
            let close: UInt8
            switch kind {
            case .object:
                objects.append([])
                pendingKeys.append(nil)
                close = UInt8(ascii: "}")
            case .array:
                arrays.append([])
                close = UInt8(ascii: "]")
            }
            skipSpace()
            if index < bytes.count, bytes[index] == close {
                index += 1
                return closeTop(from: start)
            }
            while true {
                if kind == .object { setPendingKey(try memberKey()) }
                let member = try value()
                appendToTop(member)
                skipSpace()
                guard index < bytes.count else { throw truncated }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                guard bytes[index] == close else {
                    throw Failure.invalid(line: line, kind == .object ? "expected , or } in an object" : "expected , or ] in a list")
                }
                index += 1
                return closeTop(from: start)
            }
        }

        /// An object member's key, up to and including its colon.
        private mutating func memberKey() throws -> String {
            skipSpace()
            guard index < bytes.count else { throw truncated }
            guard bytes[index] == UInt8(ascii: "\"") else { throw Failure.invalid(line: line, "expected a key in quotes") }
            let key = try string()
            skipSpace()
            guard index < bytes.count else { throw truncated }
            guard bytes[index] == UInt8(ascii: ":") else { throw Failure.invalid(line: line, "expected : after a key") }
            index += 1
            return key
        }

        /// The innermost open container, read to its end.
        private mutating func closeTop(from start: Int) -> JSONValue {
            switch open.removeLast().kind {
            case .object:
                pendingKeys.removeLast()
                return .object(objects.removeLast(), line: start)
            case .array:
                return .array(arrays.removeLast(), line: start)
            }
        }

        private func checkDepth() throws {
            guard open.count < JSONText.depthLimit else {
                throw Failure.invalid(line: line, "objects and lists nested more than \(JSONText.depthLimit) deep")
            }
        }

        private mutating func setPendingKey(_ key: String) {
            pendingKeys[pendingKeys.count - 1] = key
        }

        private mutating func appendToTop(_ value: JSONValue) {
            switch open.last?.kind {
            case .object?:
                objects[objects.count - 1].append((pendingKeys[pendingKeys.count - 1] ?? "", value))
                pendingKeys[pendingKeys.count - 1] = nil
            case .array?:
                arrays[arrays.count - 1].append(value)
            case nil:
                break
            }
        }

        private mutating func literal(_ word: String, _ value: JSONValue) throws -> JSONValue {
            let expected = Array(word.utf8)
            for (offset, byte) in expected.enumerated() {
                guard index + offset < bytes.count else { throw truncated }
                guard bytes[index + offset] == byte else { throw Failure.invalid(line: line, "unexpected text, expected \(word)") }
            }
            index += expected.count
            return value
        }

        private mutating func number() throws -> JSONValue {
            let start = index
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            // A number at the very end of a cut-off file may itself be cut.
            if index == bytes.count { throw truncated }
            guard let number = Double(text) else { throw Failure.invalid(line: line, "'\(text)' is not a number") }
            // Foundation's reader refuses what overflows a Double too; no reader of ops wants infinity.
            guard number.isFinite else { throw Failure.invalid(line: line, "the number \(text.prefix(40)) is too large") }
            return .number(text, line: line)
        }

        private mutating func string() throws -> String {
            index += 1  // the opening quote
            var result = [UInt8]()
            while true {
                guard index < bytes.count else { throw truncated }
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: result, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { throw truncated }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(escape)
                    case UInt8(ascii: "b"): result.append(0x08)
                    case UInt8(ascii: "f"): result.append(0x0C)
                    case UInt8(ascii: "n"): result.append(0x0A)
                    case UInt8(ascii: "r"): result.append(0x0D)
                    case UInt8(ascii: "t"): result.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            // A surrogate pair: the low half follows as another \u escape.
                            guard index + 1 < bytes.count else { throw truncated }
                            if bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                                index += 2
                                let low = try hex4()
                                if (0xDC00...0xDFFF).contains(low) {
                                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                                } else {
                                    // A high half without its low half is no character: U+FFFD, then the escape that followed.
                                    result.append(contentsOf: Array("\u{FFFD}".utf8))
                                    scalar = low
                                }
                            }
                        }
                        result.append(contentsOf: Array(String(UnicodeScalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
                    default:
                        throw Failure.invalid(line: line, "unknown escape \\\(Character(UnicodeScalar(escape)))")
                    }
                case 0x0A:
                    throw Failure.invalid(line: line, "a line break inside a string")
                default:
                    result.append(byte)
                }
            }
        }

        private mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw truncated }
            guard let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw Failure.invalid(line: line, "a \\u escape without 4 hex digits")
            }
            index += 4
            return value
        }
    }
}
