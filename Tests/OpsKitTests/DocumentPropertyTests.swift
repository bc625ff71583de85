import Foundation
import PropertyBased
import Testing
import Yams

@testable import OpsKit

/// Generated documents: whatever text a person or ops puts in a field, the file stays valid YAML,
/// reads back as typed, saves byte for byte, and an edit touches only its own lines.
@Suite struct DocumentPropertyTests {
    static let pieces = [
        "a", "Z", " ", ":", ": ", "#", " #", "-", "---", "'", "\"", "\\", "\n", "\r\n", "\t", "{", "}",
        "[", "]", ",", "&x", "*x", "!tag", "%", "@", "`", "|", ">", "?", "~", "null", "true", "0x1F",
        "1e3", "12:30", "2026-11-22", "é", "🚨", "中文", "\u{2028}", "$(rm -rf ~)", "../",
    ]
    static let text = Gen.element(of: pieces).array(of: 1...6).map { $0.compactMap { $0 }.joined() }
    static let key = Gen.lowercaseLetter.string(of: 1...8)
    static let field = zip(key, text, Gen.bool).map { Field(key: $0, value: $1, asList: $2) }

    struct Field: Sendable {
        var key: String
        var value: String
        var asList: Bool
    }

    @Test func generatedDocumentsRoundTrip() async {
        await propertyCheck(count: 300, input: Self.field.array(of: 1...8), Self.text) { fields, body in
            var seen = Set<String>()
            let unique = fields.filter { seen.insert($0.key).inserted }
            let nodes = unique.map { field -> (String, Node) in
                let value = Node.text(field.value)
                return (field.key, field.asList ? Node([value, Node("x")]) : value)
            }
            guard let document = try? MarkdownDocument.make(path: "gen.md", fields: nodes, body: body) else {
                Issue.record("could not write \(nodes)")
                return
            }
            guard let reread = try? MarkdownDocument(document.text, path: "gen.md") else {
                Issue.record("could not read back:\n\(document.text)")
                return
            }
            #expect(reread.text == document.text)
            #expect(reread.body == body)
            #expect(reread.frontMatter?.keys == unique.map(\.key))
            for field in unique {
                let node = reread.frontMatter?[field.key]
                if field.asList {
                    #expect(node?.array().first == Node.text(field.value))
                } else {
                    #expect(node == Node.text(field.value))  // same text and still a string
                }
            }
        }
    }

    /// Words ops writes often, and ones YAML reads as other types.
    static let words = [
        "open", "SEV3", "checkout", "INC-20261206-4Q7RX2PB", "Db", "yes", "Yes", "YES", "no", "No", "ON", "off",
        "Off", "y", "n", "true", "FALSE", "null", "Null", "NULL", "~", "inf", ".inf", "-.Inf", ".NaN", "nan",
        "0b1", "0o7", "017", "+12_3", "1:30", "190:20:30.15", "1e3", "6.8523015e+5", "<<", "=", "2026-11-22",
        "2026-11-22T17:58:02Z", "2001-12-14 21:59:43.10 -5", " ", "-", ":", "#", "'", "\n", "é", "",
    ]

    /// `Node.text` decides quoting for plain words without Yams' regular expressions (they cost a
    /// tenth of `ops incident open`): what it writes, and how it reads, must be what Yams' own
    /// `represented()` gives for any text.
    @Test func textDecidedWithoutYamsResolverIsWhatYamsWouldWrite() async throws {
        let joined = Gen.element(of: Self.words).array(of: 1...3).map { $0.compactMap { $0 }.joined() }
        await propertyCheck(count: 1_000, input: Gen.oneOf(joined, Self.text)) { value in
            let yams = Node.scalar(value.represented())
            #expect(Node.text(value) == yams, "\(value.debugDescription)")
            #expect(
                (try? YAMLText.emit(key: "k", value: Node.text(value))) == (try? YAMLText.emit(key: "k", value: yams)),
                "\(value.debugDescription)")
        }
        for word in Self.words + ["True", "Checkout latency above 2 s", "null2", "Nope"] {
            let yams = Node.scalar(word.represented())
            #expect(Node.text(word) == yams, "\(word.debugDescription)")
            #expect(try YAMLText.emit(key: "k", value: Node.text(word)) == YAMLText.emit(key: "k", value: yams), "\(word.debugDescription)")
        }
        // The words ops writes most are decided here; the others are left to Yams.
        for word in ["open", "SEV3", "checkout", "INC-20261206-4Q7RX2PB", "Checkout latency above 2 s", "Nope"] {
            #expect(Node.readsAsText(word), "\(word)")
        }
        for word in ["true", "No", "OFF", "null", "~", "12:30", "0x1F", ".inf", "2026-11-22", "", "é", "a\nb"] {
            #expect(!Node.readsAsText(word), "\(word.debugDescription)")
        }
    }

    @Test func anEditChangesOnlyTheLinesOfItsKey() async {
        await propertyCheck(count: 300, input: Self.field.array(of: 2...8), Self.text) { fields, newValue in
            var seen = Set<String>()
            let unique = fields.filter { seen.insert($0.key).inserted }
            guard unique.count >= 2 else { return }
            let nodes = unique.map { ($0.key, Node.text($0.value)) }
            guard var document = try? MarkdownDocument.make(path: "gen.md", fields: nodes, body: "body\n") else {
                Issue.record("could not write \(nodes)")
                return
            }
            let target = unique[unique.count / 2].key
            let before = document.text.components(separatedBy: "\n")
            do {
                try document.frontMatter?.set(target, Node.text(newValue))
            } catch {
                Issue.record("edit failed: \(error)")
                return
            }
            let after = document.text.components(separatedBy: "\n")
            #expect(before.count == after.count)
            let changed = zip(before, after).filter { $0 != $1 }.map(\.1)
            #expect(changed.count <= 1)
            #expect(changed.allSatisfy { $0.hasPrefix(target + ":") })
            #expect(document.frontMatter?[target]?.string == newValue)
        }
    }
}
