public import Foundation

/// One line of an incident's timeline: `- 2026-11-22T18:03:11Z bob **acknowledged**`.
/// Text with line breaks continues on lines indented by two spaces, so it stays one list item.
public struct TimelineEntry: Sendable, Equatable {
    public var at: Date
    public var actor: String
    /// What happened: opened, acknowledged, note, assigned, severity, corrected, alert, ...
    public var kind: String
    public var text: String

    public init(at: Date, actor: String, kind: String, text: String = "") {
        self.at = at
        self.actor = actor
        self.kind = kind
        self.text = text
    }

    /// The Markdown lines of this entry, without a final line break.
    public var markdown: String {
        var line = "- \(Timestamp.format(at)) \(actor) **\(kind)**"
        // Any line break a person typed (CRLF, LS, ...) becomes a continuation line.
        let lines = YAMLText.split(text).map(\.text)
        if let first = lines.first, !first.isEmpty || lines.count > 1 { line += " " + first }
        for more in lines.dropFirst() { line += "\n  " + more }
        return line
    }
}

/// Reads and appends timeline entries in an incident's body, under `## Timeline`.
enum Timeline {
    static let heading = "## Timeline"

    /// Entries in file order, and the lines under the heading that do not read as entries.
    static func parse(body: String, firstLine: Int) -> (entries: [TimelineEntry], problems: [(line: Int, text: String)]) {
        let lines = YAMLText.split(body).map(\.text)
        guard let start = lines.firstIndex(where: { isTimelineHeading($0) }) else { return ([], []) }
        var entries: [TimelineEntry] = []
        var problems: [(Int, String)] = []
        var index = start + 1
        while index < lines.count {
            let line = lines[index]
            if isHeading(line) { break }
            if line.hasPrefix("  "), !entries.isEmpty {
                entries[entries.count - 1].text += "\n" + line.dropFirst(2)
            } else if let entry = entry(from: line) {
                entries.append(entry)
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append((firstLine + index, line))
            }
            index += 1
        }
        return (entries, problems)
    }

    /// `- TIME who **kind** text`, nil when the line is not one.
    static func entry(from line: String) -> TimelineEntry? {
        guard line.hasPrefix("- ") else { return nil }
        // Split on the space bytes: as Characters, a space followed by a combining mark (a note
        // starting with U+059A) is one Character and no separator, and the entry would be lost.
        let parts = line.dropFirst(2).utf8.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
            .map { Substring($0) }
        guard parts.count >= 3, let at = Timestamp.parse(String(parts[0])), !parts[1].isEmpty,
            parts[2].hasPrefix("**"), parts[2].hasSuffix("**"), parts[2].count > 4
        else { return nil }
        let kind = String(parts[2].dropFirst(2).dropLast(2))
        return TimelineEntry(at: at, actor: String(parts[1]), kind: kind, text: parts.count > 3 ? String(parts[3]) : "")
    }

    /// The body with `entry` added at the end of the Timeline section (made when missing),
    /// using the file's own line breaks.
    static func append(_ entry: TimelineEntry, to body: String) -> String {
        var lines = YAMLText.split(body)
        let crlf = lines.filter { $0.terminator == "\r\n" }.count
        let newline = crlf * 2 > lines.count ? "\r\n" : "\n"
        let added = entry.markdown.split(separator: "\n", omittingEmptySubsequences: false)
            .map { YAMLText.Line(text: String($0), terminator: newline) }
        var insertAt: Int
        if let start = lines.firstIndex(where: { isTimelineHeading($0.text) }) {
            // After the section's last non-blank line, before the next heading.
            var end = start + 1
            while end < lines.count, !isHeading(lines[end].text) { end += 1 }
            insertAt = end
            // A line of two spaces is not blank here: parse reads it as an empty continuation line
            // of the entry above it, so the new entry goes after it, not before.
            while insertAt > start + 1, lines[insertAt - 1].text.trimmingCharacters(in: .whitespaces).isEmpty,
                !lines[insertAt - 1].text.hasPrefix("  ")
            { insertAt -= 1 }
        } else {
            insertAt = lines.count
            var section: [YAMLText.Line] = [YAMLText.Line(text: heading, terminator: newline)]
            if let last = lines.last, !last.text.trimmingCharacters(in: .whitespaces).isEmpty {
                section.insert(YAMLText.Line(text: "", terminator: newline), at: 0)
            }
            if insertAt > 0, lines[insertAt - 1].terminator.isEmpty { lines[insertAt - 1].terminator = newline }
            lines.append(contentsOf: section)
            insertAt = lines.count
        }
        if insertAt > 0, lines[insertAt - 1].terminator.isEmpty { lines[insertAt - 1].terminator = newline }
        lines.insert(contentsOf: added, at: insertAt)
        return lines.map { $0.text + $0.terminator }.joined()
    }

    static func isHeading(_ line: String) -> Bool { line.hasPrefix("# ") || line.hasPrefix("## ") }

    static func isTimelineHeading(_ line: String) -> Bool {
        line.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() == heading.lowercased()
    }
}
