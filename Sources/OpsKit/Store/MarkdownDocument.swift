import Foundation
import Yams

/// A Markdown file with optional YAML front matter between `---` lines.
/// Saving without a change gives back the bytes that were read.
struct MarkdownDocument {
    /// Everything up to and including the opening `---` line (a byte-order mark stays here).
    private let opening: String
    /// The front matter, nil when the file has none.
    var frontMatter: YAMLText?
    /// The closing `---` line with its line break.
    private let closing: String
    /// Everything after the front matter.
    var body: String
    /// The file line where the body starts.
    let bodyLine: Int
    let path: String

    init(_ text: String, path: String) throws {
        self.path = path
        let lines = YAMLText.split(text)
        let bom = text.unicodeScalars.first == "\u{FEFF}"
        let first = lines.first.map { bom ? String($0.text.unicodeScalars.dropFirst()) : $0.text }
        guard let first, Self.isFence(first) else {
            opening = ""
            frontMatter = nil
            closing = ""
            body = text
            bodyLine = 1
            return
        }
        guard let end = lines.indices.dropFirst().first(where: { Self.isFence(lines[$0].text) || lines[$0].text == "..." }) else {
            throw OpsError.file(
                path, line: 1, "the front matter opened with --- is never closed",
                fix: "Add a line with --- after the last `key: value` line")
        }
        func join(_ range: Range<Int>) -> String { range.map { lines[$0].text + lines[$0].terminator }.joined() }
        opening = join(0..<1)
        frontMatter = try YAMLText(join(1..<end), path: path, firstLine: 2)
        closing = join(end..<end + 1)
        body = join(end + 1..<lines.count)
        bodyLine = end + 2
    }

    /// The document as text; identical to what was read when nothing changed.
    var text: String {
        guard let frontMatter else { return body }
        return opening + frontMatter.text + closing + body
    }

    /// A new document with front matter; `fields` in the order given.
    static func make(path: String, fields: [(String, Node)], body: String) throws -> MarkdownDocument {
        // Emitted field by field and parsed once: a new incident is on the 3 a.m. path.
        let lines = try fields.flatMap { try YAMLText.emit(key: $0.0, value: $0.1) }
        return try MarkdownDocument("---\n" + lines.map { $0 + "\n" }.joined() + "---\n" + body, path: path)
    }

    private static func isFence(_ line: String) -> Bool {
        line.hasPrefix("---") && line.dropFirst(3).allSatisfy { $0 == " " || $0 == "\t" }
    }
}
