import Foundation
import Yams

/// A YAML mapping kept as the lines it was read from. Reading goes through Yams; an edit
/// replaces, inserts or deletes only the lines of the keys it changes, so comments, key order,
/// quoting and unknown keys survive and a one-field change is a one-line diff (docs/DESIGN.md §3).
struct YAMLText {
    /// One physical line: its text and the line break that ended it ("" on a last line without one).
    struct Line: Equatable {
        var text: String
        var terminator: String
    }

    private(set) var lines: [Line]
    /// The file the text came from, for messages.
    let path: String
    /// The file's line number of the first line here (front matter starts after `---`).
    let firstLine: Int
    /// The parsed root mapping (empty when the text holds no YAML).
    private(set) var root: Node.Mapping
    private var keyLines: [(key: String, line: Int)] = []
    /// Values by key: Yams' own lookup compares whole nodes, which is slow.
    private var values: [String: Node] = [:]

    /// Parses `text`; errors name `path` and the file line.
    init(_ text: String, path: String, firstLine: Int = 1) throws {
        self.path = path
        self.firstLine = firstLine
        lines = Self.split(text)
        // A placeholder until reparse(); its tag names the basic resolver, because Yams' default
        // tag starts Resolver.default, which compiles ICU regular expressions (1.5 ms) that a
        // command only reading files never needs.
        root = Node.Mapping([], Tag(.map, .basic, .default))
        try reparse()
    }

    /// The text as it is now: byte for byte what was read when nothing was edited.
    var text: String {
        var result = ""
        for line in lines {
            result += line.text
            result += line.terminator
        }
        return result
    }

    /// The keys of the mapping, in file order.
    var keys: [String] { keyLines.map(\.key) }

    /// The value of `key`, nil when absent.
    subscript(key: String) -> Node? { values[key] }

    /// The value of `key` as documents read it (`FrontMatterValue`), nil when absent.
    func value(of key: String) -> FrontMatterValue? {
        guard let node = values[key] else { return nil }
        if let text = node.scalarText { return .text(text) }
        switch node {
        case .sequence(let items):
            let texts = items.compactMap(\.scalarText)
            return texts.count == items.count ? .list(texts) : .other
        case .mapping(let mapping):
            let pairs = mapping.compactMap { key, value in
                key.scalarText.flatMap { name in value.scalarText.map { FrontMatterValue.Pair(key: name, value: $0) } }
            }
            return pairs.count == mapping.count ? .pairs(pairs) : .other
        default:
            return .other
        }
    }

    /// The file line where `key` is written, nil when absent.
    func line(of key: String) -> Int? {
        keyLines.first { $0.key == key }.map { $0.line + firstLine }
    }

    /// The file line of a node read from this text.
    func line(of node: Node) -> Int? {
        node.mark.map { $0.line - 1 + firstLine }
    }

    /// Sets `key` to `value` (removes it when nil). An existing key keeps its place and, when the
    /// value is the same, its exact text; a new key goes after the nearest key before it in `order`.
    mutating func set(_ key: String, _ value: Node?, order: [String] = []) throws {
        let existing = region(of: key)
        guard let value else {
            if let existing { lines.removeSubrange(existing) }
            try reparse()
            return
        }
        if let current = root[key], Self.sameValue(current, value) { return }
        var newLines = try Self.emit(key: key, value: value).map { Line(text: $0, terminator: newline) }
        if let existing {
            // A comment at the end of a one-line value is the person's note: it stays.
            if existing.count == 1, newLines.count == 1, let current = root[key],
                let comment = Self.trailingComment(of: lines[existing.lowerBound].text, key: key, value: current)
            {
                newLines[0].text += comment
            }
            lines.replaceSubrange(existing, with: newLines)
        } else {
            lines.insert(contentsOf: newLines, at: insertionPoint(for: key, order: order))
        }
        try reparse()
    }

    /// The exact text of `key` and its value (its lines with their breaks), nil when absent.
    /// A sync merge copies a field from one version of a file to another with this, so the
    /// copy keeps the quoting and comment it was written with.
    func rawText(of key: String) -> String? {
        region(of: key).map { range in lines[range].map { $0.text + $0.terminator }.joined() }
    }

    /// Replaces `key` and its value with `raw` (lines as `rawText(of:)` gives them), or removes
    /// it when nil; a new key goes after the nearest key before it in `order`.
    mutating func setRawText(_ key: String, _ raw: String?, order: [String] = []) throws {
        var newLines = raw.map { Self.split($0) } ?? []
        if let last = newLines.indices.last, newLines[last].terminator.isEmpty { newLines[last].terminator = newline }
        if let existing = region(of: key) {
            lines.replaceSubrange(existing, with: newLines)
        } else if !newLines.isEmpty {
            lines.insert(contentsOf: newLines, at: insertionPoint(for: key, order: order))
        }
        try reparse()
    }

    /// The ` # comment` ending a `key: value` line: the shortest prefix before a ` #` that still
    /// reads as the same value (a `#` inside quotes is part of the value). Searched by code
    /// points, as YAML reads: `#` with a combining mark after it is still a comment.
    static func trailingComment(of line: String, key: String, value: Node) -> String? {
        let scalars = line.unicodeScalars
        var previous = scalars.startIndex
        for index in scalars.indices.dropFirst() {
            defer { previous = index }
            guard scalars[index] == "#", isBlank(scalars[previous]) else { continue }
            let prefix = String(scalars[..<previous])
            if let node = try? Yams.compose(yaml: prefix, .basic, .default, .utf8), let read = node[key], sameValue(read, value) {
                var start = previous
                while start > scalars.startIndex, isBlank(scalars[scalars.index(before: start)]) { start = scalars.index(before: start) }
                return String(scalars[start...])
            }
        }
        return nil
    }

    // MARK: Line bookkeeping

    /// The line break most lines use, for lines ops adds.
    var newline: String {
        let crlf = lines.filter { $0.terminator == "\r\n" }.count
        return crlf * 2 > lines.count ? "\r\n" : "\n"
    }

    /// The lines of `key` and its value, without trailing blank or column-0 comment lines
    /// (those introduce the next key and stay with it).
    private func region(of key: String) -> Range<Int>? {
        guard let position = keyLines.firstIndex(where: { $0.key == key }) else { return nil }
        let start = keyLines[position].line
        var end = position + 1 < keyLines.count ? keyLines[position + 1].line : lines.count
        while end - 1 > start, Self.isLoose(lines[end - 1].text) { end -= 1 }
        return start..<end
    }

    private func insertionPoint(for key: String, order: [String]) -> Int {
        if let rank = order.firstIndex(of: key) {
            for earlier in order[..<rank].reversed() {
                if let found = region(of: earlier) { return found.upperBound }
            }
            for later in order[(rank + 1)...] {
                if let found = keyLines.first(where: { $0.key == later }) { return found.line }
            }
        }
        var end = lines.count
        while end > 0, Self.isLoose(lines[end - 1].text) { end -= 1 }
        return end
    }

    private static func isLoose(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(isBlank) || text.unicodeScalars.first == "#"
    }

    /// YAML reads code points, not Swift's characters: `#` followed by a combining mark is one
    /// Character that is not "#", yet YAML reads a comment. Every look at a line goes by scalars.
    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t"
    }

    private mutating func reparse() throws {
        // A file may end without a line break; a key added after that line needs one.
        for i in lines.indices.dropLast() where lines[i].terminator.isEmpty {
            lines[i].terminator = newline
        }
        let source = text
        // Before Yams composes: its composer replaces every alias with the node it names, and
        // recurses once per level of nesting.
        try Self.refuseAliases(in: source, path: path, firstLine: firstLine)
        try YAMLNesting.check(source, path: path, firstLine: firstLine)
        let node: Node?
        do {
            // ops reads every value as text and decides types itself, so the resolver's regular
            // expressions (a third of the parse time) are skipped; the encoding is given so Yams
            // does not read the environment on every parse.
            node = try Yams.compose(yaml: source, .basic, .default, .utf8)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            // Yams marks the mapping; point at the second occurrence, which is the one to fix.
            let key = duplicates.first ?? ""
            let indent = context.mark.column - 1
            let starts = lines.indices.filter { index in
                let text = lines[index].text
                let scalars = text.unicodeScalars
                return scalars.dropFirst(indent).starts(with: (key + ":").unicodeScalars)
                    && scalars.prefix(indent).allSatisfy { $0 == " " || $0 == "-" }
            }
            let line = starts.dropFirst().first.map { $0 + firstLine } ?? context.mark.line - 1 + firstLine
            throw OpsError.file(path, line: line, "`\(key)` is set twice", fix: "Keep one of them")
        } catch let error as YamlError {
            throw Self.describe(error, path: path, firstLine: firstLine)
        }
        guard let node else {
            root = Node.Mapping([])
            keyLines = []
            values = [:]
            return
        }
        guard case .mapping(let mapping) = node else {
            throw OpsError.file(path, line: line(of: node), "expected `key: value` lines, found \(Self.kind(of: node))")
        }
        if mapping.style == .flow, !mapping.isEmpty {
            throw OpsError.file(path, line: line(of: node), "write the mapping as one `key: value` per line, not in { }")
        }
        var found: [(String, Int)] = []
        var byKey: [String: Node] = [:]
        for (keyNode, value) in mapping {
            // A list or mapping as a key (`? - a`) is YAML but names nothing ops reads; skipped,
            // it would stand before the first key the line editor knows.
            guard let key = keyNode.string, let mark = keyNode.mark else {
                throw OpsError.file(
                    path, line: line(of: keyNode), "a key must be a name, not \(Self.kind(of: keyNode))",
                    fix: "Write it as `name: value`")
            }
            // The line editor writes keys at the start of a line; one indented mapping would
            // not read once a key is added after it. The line is checked, not the key's column:
            // a key longer than 128 characters is written `? key` with the value on the next line.
            guard let first = lines[mark.line - 1].text.unicodeScalars.first, !Self.isBlank(first) else {
                throw OpsError.file(
                    path, line: mark.line - 1 + firstLine, "`\(key)` must start at the beginning of its line",
                    fix: "Remove the spaces before it")
            }
            guard byKey.updateValue(value, forKey: key) == nil else {
                throw OpsError.file(path, line: mark.line - 1 + firstLine, "`\(key)` is set twice", fix: "Keep one of them")
            }
            found.append((key, mark.line - 1))
        }
        // The line editor replaces whole key lines; a tag or directive before the first key (`!t`
        // alone on a line makes the whole mapping tagged) would then apply to whatever an edit
        // leaves after it. ops writes none, so such a line is refused where it stands.
        if let first = found.map(\.1).min(),
            let stray = lines[..<first].firstIndex(where: { line in
                let text = line.text.unicodeScalars.drop(while: Self.isBlank)
                return !text.isEmpty && text.first != "#" && String(String.UnicodeScalarView(text)).trimmingCharacters(in: .whitespaces) != "---"
            })
        {
            throw OpsError.file(
                path, line: stray + firstLine, "only comments may come before the first `key: value` line",
                fix: "Remove this line or make it a comment (# ...)")
        }
        root = mapping
        keyLines = found
        values = byKey
    }

    // MARK: Emitting values

    /// `key: value` as lines, quoted by Yams' emitter: simple lists and maps in flow style
    /// (`tags: [a, b]`), text with line breaks double-quoted on one line, no folding.
    static func emit(key: String, value: Node) throws -> [String] {
        let entry = Node.mapping(Node.Mapping([(Node(key, Tag(.str, .basic, .default)), styled(value))], Tag(.map, .basic, .default), .block))
        let output = try Yams.serialize(node: entry, width: -1, allowUnicode: true, lineBreak: .ln)
        var result = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while result.last == "" { result.removeLast() }
        return result
    }

    private static func styled(_ node: Node) -> Node {
        switch node {
        case .scalar(var scalar):
            if scalar.string.contains(where: { $0.isNewline }) || scalar.string != scalar.string.trimmingCharacters(in: .whitespaces) {
                scalar.style = .doubleQuoted
            }
            return .scalar(scalar)
        case .sequence(var sequence):
            let simple = sequence.allSatisfy { $0.isScalar }
            sequence = Node.Sequence(sequence.map(styled), sequence.tag, simple ? .flow : .block)
            return .sequence(sequence)
        case .mapping(let mapping):
            // A mapping of values and short lists stays on one line: `{R: [SRE], A: CTO}`.
            let simple = mapping.allSatisfy { $0.value.isScalar || ($0.value.sequence?.allSatisfy(\.isScalar) ?? false) }
            return .mapping(Node.Mapping(mapping.map { ($0.key, styled($0.value)) }, mapping.tag, simple ? .flow : .block))
        case .alias:
            return node
        }
    }

    /// True when two nodes hold the same data, whatever their quoting or style.
    static func sameValue(_ a: Node, _ b: Node) -> Bool {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)):
            return x == y  // same text and same resolved type: `"SEV2"` and `SEV2` are equal
        case let (.sequence(x), .sequence(y)):
            return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
        case let (.mapping(x), .mapping(y)):
            return x.count == y.count && zip(x, y).allSatisfy { sameValue($0.key, $1.key) && sameValue($0.value, $1.value) }
        default:
            return false
        }
    }

    // MARK: Parsing helpers

    /// Splits into lines the way libyaml counts them (LF, CRLF, CR, NEL, LS, PS), keeping each break.
    /// Works on UTF-8 bytes: this runs over every document ops reads.
    static func split(_ text: String) -> [Line] {
        var text = text
        return text.withUTF8 { bytes -> [Line] in
            var result: [Line] = []
            var start = 0
            var i = 0
            let count = bytes.count
            func line(_ end: Int, _ terminator: String) -> Line {
                Line(text: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self), terminator: terminator)
            }
            while i < count {
                let byte = bytes[i]
                if byte == 0x0A {
                    result.append(line(i, "\n"))
                    i += 1
                } else if byte == 0x0D {
                    if i + 1 < count && bytes[i + 1] == 0x0A {
                        result.append(line(i, "\r\n"))
                        i += 2
                    } else {
                        result.append(line(i, "\r"))
                        i += 1
                    }
                } else if byte == 0xC2 && i + 1 < count && bytes[i + 1] == 0x85 {
                    result.append(line(i, "\u{85}"))
                    i += 2
                } else if byte == 0xE2 && i + 2 < count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9) {
                    result.append(line(i, bytes[i + 2] == 0xA8 ? "\u{2028}" : "\u{2029}"))
                    i += 3
                } else {
                    i += 1
                    continue
                }
                start = i
            }
            if start < count { result.append(line(count, "")) }
            return result
        }
    }

    static func describe(_ error: YamlError, path: String, firstLine: Int) -> OpsError {
        switch error {
        case let .scanner(context, problem, mark, yaml), let .parser(context, problem, mark, yaml), let .composer(context, problem, mark, yaml):
            let detail = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            func unclosed(_ opened: Int) -> OpsError {
                OpsError.file(
                    path, line: opened - 1 + firstLine,
                    "YAML does not parse: a quote opens on this line and is not closed (noticed at line \(mark.line - 1 + firstLine): \(detail))",
                    fix: "Close the quote on this line")
            }
            let started = context?.mark.line ?? 0  // where the token the scanner could not finish began
            var line = mark.line
            if case .scanner = error, started > 0 {
                // A quoted value still open at the end of the text opened where its token began.
                if context?.text.contains("quoted scalar") == true, problem.contains("end of stream") { return unclosed(started) }
                // A key without its colon is noticed on the line after it.
                if problem.contains("could not find expected ':'") { line = started }
            }
            // A quote left open swallows the lines after it, up to the next quote; the parser
            // notices lines later.
            if case .parser = error, let opened = unclosedQuote(in: yaml, before: mark.line) { return unclosed(opened) }
            return OpsError.file(
                path, line: line - 1 + firstLine, "YAML does not parse: \(detail)",
                fix: "Check the indentation and quoting on this line or the one before it")
        case let .duplicatedKeysInMapping(duplicates, context):
            return OpsError.file(path, line: context.mark.line - 1 + firstLine, "`\(duplicates.joined(separator: ", "))` is set twice")
        default:
            return OpsError.file(path, line: nil, "YAML does not parse: \(error)")
        }
    }

    /// The line (from 1) where a quoted value opened that runs on to line `stop`, where the
    /// parser gave up: still open there, or closed on that line or the one before after spanning
    /// lines (a stray quote swallowed everything up to the next one). Nil when there is none. A
    /// quote opens a value only at its start (after `:`, `-`, `[` or `{`, or `,` inside brackets),
    /// as YAML reads it; comments and block scalars (`|`, `>`, `|-`, `>+2`) are passed over.
    static func unclosedQuote(in yaml: String, before stop: Int) -> Int? {
        let opensInBlock: Set<Character> = [":", "-", "[", "{"], opensInFlow = opensInBlock.union([","])
        var open: (quote: Character, line: Int)?
        var spanning: Int?
        var blockIndent: Int?
        var depth = 0  // of `[` and `{` outside quotes
        for (index, text) in yaml.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).prefix(max(0, stop)).enumerated() {
            if index + 1 == stop, let open, open.line < stop { return open.line }
            let indent = text.prefix { $0 == " " }.count
            if let block = blockIndent {
                if text.allSatisfy({ $0 == " " }) || indent > block { continue }
                blockIndent = nil
            }
            var last: Character?  // the last character outside quotes that is not a space
            // The last word outside quotes, as much as a block scalar's header needs of it.
            var word: (first: Character, length: Int, restIsIndicator: Bool)?
            var previous: Character = " "
            var closedSingle: Int?  // a single quote that closed at the last character: `''` is a quote
            var characters = text.makeIterator()
            while let character = characters.next() {
                defer { previous = character }
                if let current = open {
                    if current.quote == "\"" && character == "\\" {
                        _ = characters.next()
                    } else if character == current.quote {
                        open = nil
                        last = character
                        word = nil
                        if current.quote == "'" { closedSingle = current.line }
                        if current.line < index + 1, index + 2 >= stop { spanning = current.line }
                    }
                    continue
                }
                defer { closedSingle = nil }
                if character == "'", let line = closedSingle {
                    open = ("'", line)
                    continue
                }
                if character == "#", previous == " " { break }
                if character == "\"" || character == "'", last.map({ (depth > 0 ? opensInFlow : opensInBlock).contains($0) }) ?? true {
                    open = (character, index + 1)
                } else if character != " " {
                    if character == "[" || character == "{" { depth += 1 }
                    if character == "]" || character == "}" { depth = max(0, depth - 1) }
                    last = character
                    if previous == " " {
                        word = (character, 1, true)
                    } else if let current = word {
                        word = (current.first, current.length + 1, current.restIsIndicator && "+-123456789".contains(character))
                    }
                }
            }
            // A block scalar's header ends its line: `|`, `>`, then at most a chomping sign and an indent digit.
            if open == nil, let word, "|>".contains(word.first), word.length <= 3, word.restIsIndicator { blockIndent = indent }
        }
        return spanning
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar: return "a single value"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }
}

extension Node {
    var isScalar: Bool {
        if case .scalar = self { return true }
        return false
    }
}

// The nodes ops writes carry tags of the basic resolver. A tag made with Yams' defaults starts
// Resolver.default, which compiles ICU regular expressions: 9 M instructions, a tenth of
// `ops incident open`. The emitter leaves tags out of what it writes, so the output is the same.
extension Node {
    /// A text field, quoted when it would otherwise read as another type (`'true'`, `'123'`).
    static func text(_ value: String) -> Node {
        guard readsAsText(value) else { return .scalar(value.represented()) }
        return .scalar(Node.Scalar(value, Tag(.str, .basic, .default)))
    }

    /// A timestamp field, written as ops stores them: `2026-11-22T17:58:02Z`.
    static func timestamp(_ date: Date) -> Node { Node(Timestamp.format(date), Tag(.timestamp, .basic, .default)) }

    /// A list of text values, written in flow style: `[a, b]`.
    static func list(_ values: [String]) -> Node { Node(values.map { Node.text($0) }, Tag(.seq, .basic, .default)) }

    /// A mapping of text to text, such as incident roles.
    static func pairs(_ pairs: [(String, String)]) -> Node {
        Node(pairs.map { (Node.text($0.0), Node.text($0.1)) }, Tag(.map, .basic, .default))
    }

    /// True when Yams' default resolver surely reads `value` as text, decided without its regular
    /// expressions: printable ASCII starting with a letter is text unless it is one of YAML 1.1's
    /// bool and null words, since every number, date, `~`, `<<` and `=` starts with something else.
    /// False leaves the decision to Yams.
    static func readsAsText(_ value: String) -> Bool {
        var bytes = value.utf8.makeIterator()
        guard let first = bytes.next(), (first | 0x20) >= UInt8(ascii: "a"), (first | 0x20) <= UInt8(ascii: "z") else { return false }
        while let byte = bytes.next() {
            guard byte >= 0x20, byte < 0x7F else { return false }
        }
        return !yamlWords.contains(value)
    }

    /// The words YAML 1.1 reads as true, false or null (Yams' `Resolver.Rule.bool` and `.null`).
    private static let yamlWords: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
    ]
}
