import Foundation

/// A value of a front-matter key, as the documents read them: the text of a scalar, a list of
/// scalars, pairs of scalars (`roles: {comms: bob}`), or anything else.
enum FrontMatterValue: Equatable {
    case text(String)
    case list([String])
    case pairs([Pair])
    case other

    struct Pair: Equatable {
        var key: String
        var value: String
    }
}

/// Reads the front matter ops itself writes, `key: value` lines with plain or simply quoted
/// scalars, `[a, b]` lists and `{a: b}` pairs, straight from the bytes, without YAML's machinery:
/// building the caches from nothing reads every incident, and a general YAML parse is most of
/// that time. Anything else (a comment, a block list, an escape, a key set twice, a line that
/// goes on, a character YAML treats specially) is not read here: `read` returns nil and the
/// caller parses the text with Yams (`YAMLText`), which reads it as YAML does and reports
/// errors by line. A fuzz target (`front-matter`) holds the two to the same values.
enum FlatFrontMatter {
    /// The values and the file line of each key of `text`'s front matter; nil when the text is
    /// not in the shape read here.
    static func read(_ text: String) -> (values: [String: FrontMatterValue], lines: [String: Int])? {
        var text = text
        return text.withUTF8 { bytes in read(bytes) }
    }

    private static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> (values: [String: FrontMatterValue], lines: [String: Int])? {
        let fence = Array("---\n".utf8)
        guard bytes.starts(with: fence) else { return nil }
        var values: [String: FrontMatterValue] = [:]
        var lines: [String: Int] = [:]
        var start = fence.count
        var lineNumber = 2
        while start < bytes.count {
            guard let end = bytes[start...].firstIndex(of: 0x0A) ?? (bytes.count > start ? bytes.count : nil) else { return nil }
            let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
            if line.elementsEqual("---".utf8) { return values.isEmpty ? nil : (values, lines) }
            guard let (key, value) = keyValue(line), values[key] == nil else { return nil }
            values[key] = value
            lines[key] = lineNumber
            start = end + 1
            lineNumber += 1
        }
        return nil  // never closed: the full parse says so
    }

    /// `key: value` or `key:` (an empty value).
    private static func keyValue(_ line: UnsafeBufferPointer<UInt8>) -> (String, FrontMatterValue)? {
        // A short key: YAML reads a key of over 1024 characters as no key at all.
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0, colon <= 64,
            line[..<colon].allSatisfy({ isKeyByte($0) })
        else { return nil }
        let key = String(decoding: UnsafeBufferPointer(rebasing: line[..<colon]), as: UTF8.self)
        if colon + 1 == line.count { return (key, .text("")) }
        guard line[colon + 1] == UInt8(ascii: " ") else { return nil }
        let raw = UnsafeBufferPointer(rebasing: line[(colon + 2)...])
        guard let first = raw.first else { return nil }  // "key: " ends in a space
        switch first {
        case UInt8(ascii: "'"): return singleQuoted(raw).map { (key, .text($0)) }
        case UInt8(ascii: "\""): return doubleQuoted(raw).map { (key, .text($0)) }
        case UInt8(ascii: "["): return flowItems(raw, open: "[", close: "]").map { (key, .list($0)) }
        case UInt8(ascii: "{"):
            guard let items = flowItems(raw, open: "{", close: "}") else { return nil }
            var pairs: [FrontMatterValue.Pair] = []
            for item in items {
                let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, parts[1].hasPrefix(" "), let name = parts.first.map(String.init), isFlowItem(Array(name.utf8)) else { return nil }
                let value = String(parts[1].dropFirst())
                guard isFlowItem(Array(value.utf8)) else { return nil }
                guard !pairs.contains(where: { $0.key == name }) else { return nil }  // YAML refuses a key set twice
                pairs.append(.init(key: name, value: value))
            }
            return (key, .pairs(pairs))
        default:
            return isPlain(raw) ? (key, .text(String(decoding: raw, as: UTF8.self))) : nil
        }
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "_")
    }

    /// A one-line plain scalar that YAML reads as its exact text: it starts with a letter, digit,
    /// non-ASCII or one of a few harmless marks, holds no `: ` or ` #`, does not end in `:` and
    /// has no blank at either end.
    private static func isPlain(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = raw.first, let last = raw.last, last != UInt8(ascii: " "), last != UInt8(ascii: ":") else { return false }
        let harmless = Array("_./($+~=^;".utf8)
        guard isWordByte(first) || first >= 0x80 || harmless.contains(first) else { return false }
        for index in raw.indices {
            let byte = raw[index]
            guard isPrintable(raw, index) else { return false }
            if byte == UInt8(ascii: ":"), index + 1 < raw.count, raw[index + 1] == UInt8(ascii: " ") { return false }
            if byte == UInt8(ascii: "#"), raw[index - 1] == UInt8(ascii: " ") { return false }
        }
        return true
    }

    /// An item of a flow list or pair: letters, digits, non-ASCII and `_-./@+`, nothing YAML's
    /// flow syntax gives a meaning to; not empty.
    private static func isFlowItem(_ raw: [UInt8]) -> Bool {
        guard let first = raw.first, first != UInt8(ascii: "-") else { return false }
        let allowed = Array("_-./@+".utf8)
        return raw.indices.allSatisfy { index in
            let byte = raw[index]
            return isWordByte(byte) || allowed.contains(byte) || (byte >= 0x80 && raw.withUnsafeBufferPointer { isPrintable($0, index) })
        }
    }

    /// `[a, b]` or `{a: b}`: items split on ", ", each checked by the caller; `[]` is no items.
    private static func flowItems(_ raw: UnsafeBufferPointer<UInt8>, open: Unicode.Scalar, close: Unicode.Scalar) -> [String]? {
        guard raw.count >= 2, raw.first == UInt8(ascii: open), raw.last == UInt8(ascii: close) else { return nil }
        let inside = String(decoding: UnsafeBufferPointer(rebasing: raw.dropFirst().dropLast()), as: UTF8.self)
        if inside.isEmpty { return [] }
        let items = inside.components(separatedBy: ", ")
        if open == "[" { guard items.allSatisfy({ isFlowItem(Array($0.utf8)) }) else { return nil } }
        return items
    }

    /// `'text'`, with `''` for a quote; nothing after the closing quote.
    private static func singleQuoted(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        guard raw.count >= 2, raw.last == UInt8(ascii: "'") else { return nil }
        var out: [UInt8] = []
        var index = 1
        while index < raw.count - 1 {
            guard isPrintable(raw, index) else { return nil }
            if raw[index] == UInt8(ascii: "'") {
                guard index + 1 < raw.count - 1, raw[index + 1] == UInt8(ascii: "'") else { return nil }
                index += 1
            }
            out.append(raw[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `"text"` without a backslash or a quote inside (an escape goes to the full parse).
    private static func doubleQuoted(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        guard raw.count >= 2, raw.last == UInt8(ascii: "\"") else { return nil }
        let inside = UnsafeBufferPointer(rebasing: raw[1..<(raw.count - 1)])
        for index in inside.indices {
            guard isPrintable(inside, index), inside[index] != UInt8(ascii: "\\"), inside[index] != UInt8(ascii: "\"") else { return nil }
        }
        return String(decoding: inside, as: UTF8.self)
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// A byte YAML takes as an ordinary character on one line: printable ASCII other than tab,
    /// or part of a non-ASCII character other than those YAML treats as a line break (U+0085,
    /// U+2028, U+2029), a C1 control, a byte-order mark or a non-character (U+FFFE, U+FFFF).
    private static func isPrintable(_ raw: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        let byte = raw[index]
        if byte < 0x80 { return byte >= 0x20 && byte != 0x7F }
        func at(_ offset: Int) -> UInt8? { index + offset < raw.count ? raw[index + offset] : nil }
        switch byte {
        case 0xC2: return (at(1) ?? 0) >= 0xA0
        case 0xE2: return !(at(1) == 0x80 && (at(2) == 0xA8 || at(2) == 0xA9))
        case 0xEF: return !(at(1) == 0xBB && at(2) == 0xBF) && !(at(1) == 0xBF && (at(2) == 0xBE || at(2) == 0xBF))
        default: return true
        }
    }
}
