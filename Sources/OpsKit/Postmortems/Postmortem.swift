import Foundation

/// A postmortem (`incidents/.../<ID>/postmortem.md`): front matter for its state, then the
/// prefilled facts and the sections the team fills in.
public struct Postmortem: Sendable {
    public static let statuses = ["Draft", "In review", "Reviewed", "Closed"]
    /// Its file, in its incident's folder beside `incident.md`.
    static let fileName = "postmortem.md"

    /// True for a postmortem's path (`incidents/2026/11/<id>/postmortem.md`).
    static func isFile(_ path: String) -> Bool { path.hasSuffix("/" + fileName) }
    /// The statuses that say the postmortem is whole: set only when `lint` finds nothing wrong.
    static let finished: Set<String> = ["Reviewed", "Closed"]
    public static let fieldOrder = ["incident", "title", "status", "severity", "created_at", "authors", "root_cause_category"]

    public var incident: String
    public var status: String
    public var rootCauseCategory: String?
    public var actionItems: [ActionItem]
    public var path: String

    /// `- [ ] Add canary for model deploys @alice due:2026-12-01 #SLO P1`
    public struct ActionItem: Sendable, Equatable {
        public var text: String
        public var done: Bool
        public var owner: String?
        public var due: String?
        /// `done:YYYY-MM-DD`: the day it was ticked, written by `ops backlog sync` (or by hand).
        public var doneOn: String?
        public var tags: [String]
        public var priority: String?
        public var line: Int

        init(_ checklist: ChecklistLine, line: Int) {
            done = checklist.checked
            self.line = line
            var words: [String] = []
            var tags: [String] = []
            for word in checklist.text.split(separator: " ").map(String.init) {
                if word.hasPrefix("@"), word.count > 1 {
                    owner = String(word.dropFirst())
                } else if word.lowercased().hasPrefix("due:") {
                    due = String(word.dropFirst(4))
                } else if word.lowercased().hasPrefix("done:"), word.count > 5 {
                    doneOn = String(word.dropFirst(5))
                } else if word.hasPrefix("#"), word.count > 1, !word.dropFirst().allSatisfy(\.isNumber) {
                    tags.append(String(word.dropFirst()))  // `#4512` is a ticket, not a tag
                } else if word.count == 2, word.hasPrefix("P"), word.last!.isASCII, word.last!.isNumber {
                    priority = word  // P0 to P3; P4 to P9 are named by lint and by ops backlog sync; P95 is a latency
                } else {
                    words.append(word)
                }
            }
            self.tags = tags
            text = words.joined(separator: " ")
        }
    }

    /// The normalised status for what a person typed (`in-review`, `reviewed`), nil if none.
    public static func status(named name: String) -> String? {
        let key = name.lowercased().filter { $0.isLetter }
        return statuses.first { $0.lowercased().filter { $0.isLetter } == key }
    }
}

extension Postmortem {
    init(_ document: MarkdownDocument) {
        path = document.path
        incident = document.frontMatter?["incident"]?.scalarText ?? ""
        status = document.frontMatter?["status"]?.scalarText ?? "Draft"
        rootCauseCategory = document.frontMatter?["root_cause_category"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 }
        actionItems = Self.section("Action items", in: document).compactMap { line, text in
            ChecklistLine(text).map { ActionItem($0, line: line) }
        }.filter { !$0.text.isEmpty || $0.owner != nil }
    }

    /// The lines of a `## ` section with their file line numbers, HTML comments left out.
    static func section(_ name: String, in document: MarkdownDocument) -> [(Int, String)] {
        var inside = false
        var comment = false
        var fence = false
        var result: [(Int, String)] = []
        for (offset, line) in YAMLText.split(document.body).map(\.text).enumerated() {
            // A `# comment` inside a code block is not a heading.
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { fence.toggle() }
            if !fence, line.hasPrefix("## ") || line.hasPrefix("# ") {
                inside = line.dropFirst(line.hasPrefix("## ") ? 3 : 2).trimmingCharacters(in: .whitespaces).lowercased() == name.lowercased()
                continue
            }
            guard inside else { continue }
            var text = line
            if comment {
                guard let end = text.range(of: "-->") else { continue }
                text = String(text[end.upperBound...])
                comment = false
            }
            while let start = text.range(of: "<!--") {
                if let end = text[start.upperBound...].range(of: "-->") {
                    text.removeSubrange(start.lowerBound..<end.upperBound)
                } else {
                    text = String(text[..<start.lowerBound])
                    comment = true
                }
            }
            result.append((document.bodyLine + offset, text))
        }
        return result
    }

    /// `ops postmortem lint`: an empty root cause, action items without owner or due date, an
    /// empty timeline, each with file:line.
    static func lint(_ path: String, _ text: String, _ config: OpsConfig?) -> [Problem] {
        let document: MarkdownDocument
        do { document = try MarkdownDocument(text, path: path) } catch { return [Problem(error)] }
        let postmortem = Postmortem(document)
        var problems: [Problem] = []
        let lines = YAMLText.split(document.body).map(\.text)
        func headingLine(_ name: String) -> Int? {
            lines.firstIndex { $0.hasPrefix("## ") && $0.dropFirst(3).trimmingCharacters(in: .whitespaces).lowercased() == name.lowercased() }
                .map { document.bodyLine + $0 }
        }
        if let status = document.frontMatter?["status"]?.scalarText, Postmortem.status(named: status) == nil {
            problems.append(
                Problem(
                    Location(path: path, line: document.frontMatter?.line(of: "status")),
                    "status `\(status)` is not one of: \(statuses.joined(separator: ", "))"))
        }
        let rootCause = section("Root cause", in: document).filter { !$0.1.trimmingCharacters(in: .whitespaces).isEmpty }
        if rootCause.isEmpty {
            problems.append(Problem(Location(path: path, line: headingLine("Root cause") ?? document.bodyLine), "the root cause is empty"))
        }
        let timelineRows = section("Timeline", in: document).filter { $0.1.hasPrefix("|") }
        if timelineRows.count <= 2 {
            problems.append(Problem(Location(path: path, line: headingLine("Timeline") ?? document.bodyLine), "the timeline is empty"))
        }
        for item in postmortem.actionItems {
            var missing: [String] = []
            if item.owner == nil { missing.append("an owner (@handle)") }
            if item.due == nil {
                missing.append("a due date (due:YYYY-MM-DD)")
            } else if TimeInput.day(item.due!, zone: TimeZone(identifier: "UTC")!) == nil {
                missing.append("a due date that reads as YYYY-MM-DD")
            }
            if !missing.isEmpty {
                problems.append(Problem(Location(path: path, line: item.line), "action item needs \(missing.joined(separator: " and "))"))
            }
            if let doneOn = item.doneOn, TimeInput.day(doneOn, zone: TimeZone(identifier: "UTC")!) == nil {
                problems.append(Problem(Location(path: path, line: item.line), "done:\(doneOn) does not read as a date: write done:YYYY-MM-DD"))
            }
            // Only what sync has still to turn into a backlog item: one synced long ago keeps the
            // names of its day (a tag since retired, a person who left).
            let pending = BacklogService.linkedID(item.text) == nil
            for refusal in pending ? config.map({ refusals(of: item, config: $0) }) ?? [] : [] {
                problems.append(Problem(Location(path: path, line: item.line), "action item: \(refusal)"))
            }
        }
        return problems
    }

    /// What `ops backlog sync` would refuse in an action item, said before it runs: an owner or
    /// tag ops.yaml does not know, a priority other than P0 to P3.
    static func refusals(of item: ActionItem, config: OpsConfig) -> [String] {
        var refusals: [String] = []
        func check(_ resolve: () throws -> String) {
            do { _ = try resolve() } catch let error as OpsError { refusals.append(error.detail) } catch { refusals.append("\(error)") }
        }
        if let owner = item.owner { check { try config.personHandle(named: owner) } }
        for tag in item.tags { check { try config.backlogTag(named: tag) } }
        if let priority = item.priority { check { try BacklogService.priority(priority) } }
        return refusals
    }
}
