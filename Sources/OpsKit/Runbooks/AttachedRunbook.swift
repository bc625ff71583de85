import Foundation
import Yams

/// An incident's copy of a runbook's checklist (`incidents/.../<ID>/runbook.md`). Progress is
/// read from the boxes in the file, so a box ticked by hand in a pull request counts.
/// A skipped item is struck through: `- [ ] ~~`mitigation.3` Enable the fallback~~ (skipped: why)`.
public struct AttachedRunbook: Sendable {
    public var slug: String
    public var title: String
    /// The blob of `runbooks/<slug>.md` when it was attached, for `ops runbook diff`.
    public var source: String?
    public var items: [Item]
    /// Lines that look like checklist items but do not read as one, with why.
    public var problems: [Problem]
    public var path: String

    public struct Item: Sendable, Equatable {
        public var id: String
        public var phase: String
        public var step: String
        public var text: String
        public var checked: Bool
        public var skipped: Bool
        /// Why it was skipped, when it was.
        public var reason: String?
        /// The line in the file (1-based).
        public var line: Int
    }

    /// Done, skipped and total per phase, in phase order.
    public struct PhaseProgress: Sendable, Equatable, Encodable {
        public var phase: String
        public var done: Int
        public var skipped: Int
        public var total: Int
    }

    public var progress: [PhaseProgress] {
        var order: [String] = []
        var byPhase: [String: PhaseProgress] = [:]
        for item in items {
            if byPhase[item.phase] == nil {
                order.append(item.phase)
                byPhase[item.phase] = PhaseProgress(phase: item.phase, done: 0, skipped: 0, total: 0)
            }
            byPhase[item.phase]!.total += 1
            if item.skipped { byPhase[item.phase]!.skipped += 1 } else if item.checked { byPhase[item.phase]!.done += 1 }
        }
        return order.map { byPhase[$0]! }
    }

    /// The first item neither done nor skipped.
    public var next: Item? { items.first { !$0.checked && !$0.skipped } }

    public var done: Int { items.filter { $0.checked && !$0.skipped }.count }
    public var skipped: Int { items.filter(\.skipped).count }
}

extension AttachedRunbook {
    /// An incident's checklist: `runbook.md` in its folder, beside `incident.md`.
    static let fileName = "runbook.md"

    /// The checklist's path for the incident at `incidentPath`.
    static func path(besideIncident incidentPath: String) -> String {
        (incidentPath as NSString).deletingLastPathComponent + "/" + fileName
    }

    /// True for an incident's checklist (`incidents/2026/11/<id>/runbook.md`), not a runbook of
    /// `runbooks/`.
    static func isFile(_ path: String) -> Bool { path.hasPrefix(IncidentLocator.folder + "/") && path.hasSuffix("/" + fileName) }

    init(_ document: MarkdownDocument) {
        path = document.path
        let yaml = document.frontMatter
        slug = yaml?["runbook"]?.scalarText ?? ""
        title = yaml?["title"]?.scalarText ?? slug
        source = yaml?["source"]?.scalarText
        items = []
        problems = []
        var phase = ""
        var step = ""
        var fence = false
        var seen = Set<String>()
        for (offset, line) in YAMLText.split(document.body).map(\.text).enumerated() {
            let number = document.bodyLine + offset
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { fence.toggle(); continue }
            if fence { continue }
            if line.hasPrefix("## ") { phase = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces); continue }
            if line.hasPrefix("### ") { step = String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces); continue }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("- [") || trimmed.hasPrefix("* [") else { continue }
            guard let box = ChecklistLine(line), let parsed = Self.parse(box.text) else {
                problems.append(
                    Problem(
                        Location(path: path, line: number),
                        "checklist line does not read as - [ ] `phase.N` text; it is left out of the progress"))
                continue
            }
            guard seen.insert(parsed.id).inserted else {
                problems.append(Problem(Location(path: path, line: number), "step `\(parsed.id)` is listed twice"))
                continue
            }
            items.append(
                Item(
                    id: parsed.id, phase: phase, step: step, text: parsed.text, checked: box.checked,
                    skipped: parsed.skipped, reason: parsed.reason, line: number))
        }
    }

    /// `` `mitigation.2` text``, `` ~~`mitigation.2` text~~ (skipped: why)``.
    static func parse(_ text: String) -> (id: String, text: String, skipped: Bool, reason: String?)? {
        var rest = Substring(text)
        var skipped = false
        var reason: String?
        if rest.hasPrefix("~~"), let end = rest.dropFirst(2).range(of: "~~") {
            skipped = true
            let after = rest[end.upperBound...].trimmingCharacters(in: .whitespaces)
            if after.hasPrefix("(skipped:"), after.hasSuffix(")") {
                reason = String(after.dropFirst(9).dropLast()).trimmingCharacters(in: .whitespaces)
            }
            rest = rest.dropFirst(2)[..<end.lowerBound]
        }
        guard rest.hasPrefix("`"), let close = rest.dropFirst().firstIndex(of: "`") else { return nil }
        let id = String(rest[rest.index(after: rest.startIndex)..<close])
        let parts = id.split(separator: ".")
        guard parts.count == 2, !parts[0].isEmpty, Int(parts[1]) != nil else { return nil }
        return (id, rest[rest.index(after: close)...].trimmingCharacters(in: .whitespaces), skipped, reason)
    }

    /// The attached copy of `runbook` for an incident: its checklist under phase and step headings.
    static func render(_ runbook: Runbook, incident: String, source: String?, at date: Date, by actor: String) throws -> String {
        var fields: [(String, Node)] = [("runbook", .text(runbook.slug)), ("title", .text(runbook.title)), ("incident", Node(incident))]
        if let source { fields.append(("source", Node(source))) }
        fields += [("attached_at", .timestamp(date)), ("attached_by", .text(actor))]
        var body = "# \(runbook.title): checklist for \(incident)\n\n"
        body += "Copied from runbooks/\(runbook.slug).md when it was attached. Tick boxes with `ops step check`,\n"
        body += "or by hand in a pull request: progress is read from this file.\n"
        var counter: [String: Int] = [:]
        for phase in runbook.phases {
            body += "\n## \(phase.name)\n"
            for step in phase.steps where !step.checklist.isEmpty {
                body += "### \(step.title)\n"
                for item in step.checklist {
                    counter[phase.key, default: 0] += 1
                    body += "- [ ] `\(phase.key).\(counter[phase.key]!)` \(item)\n"
                }
            }
        }
        return try MarkdownDocument.make(path: "runbook.md", fields: fields, body: body).text
    }

    /// The file with one item's line changed; every other line stays as it was.
    static func setting(_ id: String, in text: String, checked: Bool, skipReason: String?, path: String) throws -> String {
        let document = try MarkdownDocument(text, path: path)
        let attached = AttachedRunbook(document)
        guard let item = attached.items.first(where: { $0.id == id }) else { throw unknownStep(id, attached) }
        var lines = YAMLText.split(text)
        let index = item.line - 1
        lines[index].text = try Self.edited(lines[index].text, checked: checked, skipReason: skipReason)
        return lines.map { $0.text + $0.terminator }.joined()
    }

    /// The body of the checklist `text` with every box unticked and every skip undone: the copy
    /// as it was attached, before anyone ticked a box.
    static func unticked(_ text: String, path: String) throws -> String {
        var lines = YAMLText.split(text)
        for item in AttachedRunbook(try MarkdownDocument(text, path: path)).items {
            lines[item.line - 1].text = try edited(lines[item.line - 1].text, checked: false, skipReason: nil)
        }
        return try MarkdownDocument(lines.map { $0.text + $0.terminator }.joined(), path: path).body
    }

    /// One checklist line with its box set and its skip mark added or removed, everything else
    /// (the bullet, the item's text, a note someone wrote after it) kept as it was.
    static func edited(_ line: String, checked: Bool, skipReason: String?) throws -> String {
        guard let item = ChecklistLine(line) else { return line }
        let head = String(line.prefix(item.indent + 2))  // indent and bullet
        var content = Substring(line.dropFirst(item.indent + 2 + 3)).drop { $0 == " " }
        var rest = Substring("")
        // Unwrap a skip: ~~`id` text~~ (skipped: why)
        if content.hasPrefix("~~"), let close = content.dropFirst(2).range(of: "~~") {
            let inner = content.dropFirst(2)[..<close.lowerBound]
            var after = content[close.upperBound...]
            if after.hasPrefix(" (skipped:"), let end = after.firstIndex(of: ")") {
                after = after[after.index(after: end)...]
            }
            content = inner
            rest = after
        }
        if let skipReason {
            return "\(head)[ ] ~~\(content)~~ (skipped: \(skipReason))\(rest)"
        }
        return "\(head)[\(checked ? "x" : " ")] \(content)\(rest)"
    }

    static func unknownStep(_ id: String, _ attached: AttachedRunbook) -> OpsError {
        let ids = attached.items.map(\.id)
        let shown = ids.count > 12 ? ids.prefix(12).joined(separator: ", ") + ", …" : ids.joined(separator: ", ")
        return OpsError.input("no step `\(id)` in the \(attached.slug) checklist. Steps: \(shown)")
    }
}
