import Foundation
import Yams

extension SLOCatalog {
    /// Sets one indicator of a use case in the catalog's text, `name: {key: value, ...}` on one
    /// line, editing only that line (or inserting it): comments, order and the rest of the file
    /// stay as they are (docs/DESIGN.md §3). A use case missing from the catalog is added at the end of
    /// `use_cases`.
    static func setting(
        indicator name: String, of useCase: String, to fields: [(String, String)],
        in text: String, path: String = SLOCatalog.path
    ) throws -> String {
        let yaml = try YAMLText(text, path: path)
        var lines = text.components(separatedBy: "\n")
        let crlf = lines.filter { $0.hasSuffix("\r") }.count * 2 > lines.count
        let hadFinalBreak = text.hasSuffix("\n") || text.isEmpty
        if hadFinalBreak { lines.removeLast() }
        func line(_ content: String) -> String { crlf ? content + "\r" : content }
        let value = Node.mapping(Node.Mapping(fields.map { (Node($0.0), Node.text($0.1)) }))
        let entry = try YAMLText.emit(key: name, value: value)

        guard let useCasesNode = yaml["use_cases"], case .mapping(let useCases) = useCasesNode,
            let useCasesKeyLine = yaml.line(of: "use_cases")
        else {
            // No use cases yet: add the block at the end.
            lines += ["use_cases:", "  \(useCase):"].map(line) + entry.map { line("    " + $0) }
            return lines.joined(separator: "\n") + "\n"
        }
        let caseKeys = useCases.keys.compactMap { key in key.string.flatMap { _ in key.mark } }
        let caseIndent = caseKeys.first.map { $0.column - 1 } ?? 2
        guard let (caseKey, caseValue) = useCases.first(where: { $0.key.string == useCase }), let caseMark = caseKey.mark else {
            let end = blockEnd(lines, from: useCasesKeyLine - 1, indent: 0)
            let block =
                [String(repeating: " ", count: caseIndent) + useCase + ":"]
                + entry.map { String(repeating: " ", count: caseIndent + 2) + $0 }
            lines.insert(contentsOf: block.map(line), at: end)
            return lines.joined(separator: "\n") + (hadFinalBreak ? "\n" : "")
        }
        let caseLine = caseMark.line - 1
        var indicators: Node.Mapping?
        if case .mapping(let map) = caseValue { indicators = map }
        if let indicators, !indicators.isEmpty, indicators.style == .flow {
            throw OpsError.file(
                path, line: caseMark.line, "the indicators of \(useCase) are written in { } on one line",
                fix: "Write them one per line, `  availability: {objective: 99.9%, window: rolling_30d}`, then import again")
        }
        let indicatorIndent = indicators?.keys.first?.mark.map { $0.column - 1 } ?? caseIndent + 2
        let indented = entry.map { String(repeating: " ", count: indicatorIndent) + $0 }.map(line)
        if let (key, _) = indicators?.first(where: { $0.key.string == name }), let mark = key.mark {
            let start = mark.line - 1
            let end = blockEnd(lines, from: start, indent: mark.column - 1)
            lines.replaceSubrange(start..<end, with: indented)
        } else {
            // A use case written as `ops_copilot: {}` or with no value gets a block of its own.
            if indicators == nil || caseValue.mark?.line == caseMark.line {
                lines[caseLine] = line(String(repeating: " ", count: caseIndent) + useCase + ":")
            }
            let end = blockEnd(lines, from: caseLine, indent: caseMark.column - 1)
            lines.insert(contentsOf: indented, at: end)
        }
        return lines.joined(separator: "\n") + (hadFinalBreak ? "\n" : "")
    }

    /// The line after the block that starts at `start` (its key at `indent`): the next line with
    /// text at that indent or less, with blank and comment lines just before it left to it.
    private static func blockEnd(_ lines: [String], from start: Int, indent: Int) -> Int {
        var end = start + 1
        while end < lines.count {
            let text = lines[end].trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            let content = text.drop { $0 == " " }
            if !content.isEmpty, !content.hasPrefix("#"), text.count - content.count <= indent { break }
            end += 1
        }
        while end - 1 > start {
            let content = lines[end - 1].trimmingCharacters(in: .whitespacesAndNewlines)
            guard content.isEmpty || content.hasPrefix("#") else { break }
            end -= 1
        }
        return end
    }
}
