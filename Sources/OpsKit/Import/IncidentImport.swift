import Foundation
import GitStore
import Yams

/// `ops import <tool> FILE...`: incident history from another tool becomes ordinary incident
/// files, matched to earlier imports by `source:` (`pagerduty:Q0F38LOFAQXIKU`), so importing
/// the same data again writes nothing and changed data updates the incident in place.
/// One run is one commit, or none: every file is read and checked before anything is written.
public struct IncidentImport {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    public struct Options: Sendable {
        /// Print what would change; write nothing.
        public var dryRun = false
        /// Organisation-defined names (incident.io timestamps, FireHydrant milestones) → clock
        /// point, over the defaults (`Impact started` → started, `Fixed at` → mitigated, ...).
        public var clockNames: [String: ClockPoint] = [:]

        public init() {}

        /// Adds `NAME=POINT` (`'Impact began=started'`).
        public mutating func addClockName(_ spec: String) throws {
            let parts = spec.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let points = ClockPoint.allCases.map(\.rawValue).joined(separator: ", ")
            guard parts.count == 2, !parts[0].isEmpty else {
                throw OpsError.input("--clock '\(spec)' is not NAME=POINT, e.g. --clock 'Impact began=started' (points: \(points))")
            }
            let pointText = parts[1].lowercased().replacingOccurrences(of: "_at", with: "")
            guard let point = ClockPoint(rawValue: pointText) else {
                throw OpsError.input("--clock '\(spec)': '\(parts[1])' is not a clock point. Use one of: \(points)")
            }
            clockNames[Self.key(parts[0])] = point
        }

        /// A name as it is compared: lower case, single spaces, without a trailing "at".
        static func key(_ name: String) -> String {
            var words = name.lowercased().split { $0 == " " || $0 == "_" || $0 == "-" }.map(String.init)
            if words.count > 1, words.last == "at" { words.removeLast() }
            return words.joined(separator: " ")
        }
    }

    /// What a run did (or, dry, would do), for the person and the commit message.
    public struct Summary: Sendable {
        /// One incident the run created, updated or left as it was.
        public struct Entry: Sendable, Equatable {
            public var id: String
            public var source: String
            public var title: String
            /// What changed, for updates: `status open → resolved`, `2 timeline entries`.
            public var changes: [String]
        }

        public var tool: ImportTool
        public var dryRun: Bool
        public var files: Int
        /// Distinct incidents read and not skipped.
        public var read: Int
        public var created: [Entry] = []
        public var updated: [Entry] = []
        public var unchanged: [Entry] = []
        /// What was left out, with why.
        public var skipped: [String] = []
        /// Values ops.yaml does not know, what was done with each, and on which incidents.
        public var unmapped: [String] = []
        /// What the tool's data needed explaining.
        public var notes: [String] = []
        /// Whether a commit was made (false for a dry run, or when nothing changed).
        public var committed = false

        /// The IDs written, for the commit's trailers and standard output.
        public var ids: [String] { (created + updated).map(\.id) }
    }

    public func run(_ tool: ImportTool, files: [ImportFile], options: Options, author: Author) throws -> Summary {
        let config = try workspace.config()
        var report = ImportReport()
        let mapper = ImportMapper(config: config, tool: tool)
        var reader = tool.reader(options: options, mapper: mapper)
        for file in files { try reader.read(file, report: &report) }
        let incidents = Self.newestCopies(try reader.incidents(report: &report), report: &report)
        let targets = incidents.map { mapper.target($0, report: &report) }
            .sorted { ($0.clock[.opened] ?? .distantPast, $0.imported.sourceID) < ($1.clock[.opened] ?? .distantPast, $1.imported.sourceID) }
        if report.unmapped.keys.contains("severity") {
            report.note("to file an unknown severity elsewhere, add it to a level's aliases in ops.yaml and import again")
        }
        if report.unmapped.keys.contains("service") {
            report.note("to set an unknown service, add it to services in ops.yaml and import again")
        }
        let now = workspace.clock()
        var summary = Summary(tool: tool, dryRun: options.dryRun, files: files.count, read: targets.count)

        func planned(files: [TreeFile], read: (String) throws -> String?) throws -> (Summary, [FileChange]) {
            var result = summary
            let changes = try plan(
                targets, tool: tool, config: config, report: report, files: files, read: read,
                now: now, author: author, into: &result)
            result.skipped = report.skipped
            result.unmapped = report.unmappedLines
            result.notes = report.noteLines + result.notes
            return (result, changes)
        }

        if options.dryRun {
            let (result, _) = try planned(files: try workspace.committedFiles(under: IncidentLocator.folder), read: workspace.committedText)
            return result
        }
        let commit = try workspace.commit(
            action: "import.\(tool.rawValue)", subject: Self.subject(summary), body: Self.render(summary),
            ids: summary.ids, author: author
        ) { snapshot in
            let (result, changes) = try planned(files: try snapshot.files(under: IncidentLocator.folder)) { path in
                try snapshot.read(path).map { try UTF8Text.decode($0, path: path) }
            }
            summary = result
            return changes
        }
        summary.committed = commit != nil
        return summary
    }

    /// One copy per tool incident: the one updated last, else the fullest (an export with its
    /// events over one without), else the one read last (a later file is a later export).
    static func newestCopies(_ incidents: [ImportedIncident], report: inout ImportReport) -> [ImportedIncident] {
        var chosen: [String: Int] = [:]
        var result: [ImportedIncident] = []
        var copies: [String: Int] = [:]
        for incident in incidents {
            copies[incident.sourceID, default: 0] += 1
            guard let index = chosen[incident.sourceID] else {
                chosen[incident.sourceID] = result.count
                result.append(incident)
                continue
            }
            let current = result[index]
            let newer: Bool
            if let a = incident.updatedAt, let b = current.updatedAt, a != b {
                newer = a > b
            } else if incident.fullness != current.fullness {
                newer = incident.fullness > current.fullness
            } else {
                newer = true
            }
            if newer { result[index] = incident }
        }
        for incident in result where copies[incident.sourceID]! > 1 {
            report.note(
                "read \(copies[incident.sourceID]!) copies of it: imported the one updated last, else the fullest, else the last read",
                on: incident.shortLabel)
        }
        return result
    }

    // MARK: Planning

    /// The files to write for `targets` against the tree `files`, filling `summary`.
    private func plan(
        _ targets: [ImportTarget], tool: ImportTool, config: OpsConfig, report: ImportReport, files: [TreeFile],
        read: (String) throws -> String?, now: Date, author: Author, into summary: inout Summary
    ) throws -> [FileChange] {
        summary.created = []
        summary.updated = []
        summary.unchanged = []
        summary.notes = []
        let refs = IncidentLocator.refs(in: files)
        var existingIDs = Set(refs.map(\.id))
        // Earlier imports from this tool, by source. The parse cache answers for unchanged files.
        let cache = IncidentCache(gitDirectory: workspace.gitDirectory)
        let filesByPath = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let prefix = tool.rawValue + ":"
        var bySource: [String: [String]] = [:]
        for ref in refs {
            var source: String?
            if let file = filesByPath[ref.path], let cached = cache.incident(for: file) {
                source = cached.source
            } else if let text = try read(ref.path) {
                source = try? Incident(summaryOf: text, path: ref.path).source
            }
            if let source, source.hasPrefix(prefix) { bySource[source, default: []].append(ref.path) }
        }

        var changes: [FileChange] = []
        let linesByLabel = report.linesByLabel()
        for target in targets {
            let incident = target.imported
            let extra = linesByLabel[incident.shortLabel] ?? []
            if let paths = bySource[incident.source] {
                let path = paths.sorted()[0]
                if paths.count > 1 {
                    summary.notes.append("\(incident.shortLabel) was imported more than once (\(paths.sorted().joined(separator: ", "))): updated the first")
                }
                guard let text = try read(path) else { continue }
                var document = try IncidentDocument(text: text, path: path)
                let changed = try update(&document, to: target, config: config, now: now, author: author)
                let entry = Summary.Entry(id: document.incident.id, source: incident.source, title: document.incident.title, changes: changed)
                if changed.isEmpty {
                    summary.unchanged.append(entry)
                } else {
                    summary.updated.append(entry)
                    changes.append(.write(path, document.text))
                    noteOrder(document.incident, label: incident.shortLabel, into: &summary)
                }
            } else {
                var id = workspace.makeID(kind: "INC", at: target.clock[.opened] ?? now)
                while existingIDs.contains(id.description) { id = workspace.makeID(kind: "INC", at: target.clock[.opened] ?? now) }
                existingIDs.insert(id.description)
                let path = IncidentLocator.path(for: id)
                let document = try newDocument(target, id: id, path: path, now: now, author: author, extra: extra)
                summary.created.append(Summary.Entry(id: id.description, source: incident.source, title: target.title, changes: []))
                changes.append(.write(path, document.text))
                noteOrder(document.incident, label: incident.shortLabel, into: &summary)
            }
        }
        return changes
    }

    private func noteOrder(_ incident: Incident, label: String, into summary: inout Summary) {
        let pairs = incident.clockOrderViolations.map { "\($0.later.key) before \($0.earlier.key)" }
        guard !pairs.isEmpty else { return }
        summary.notes.append(
            "\(label): clock points out of order in the source (\(pairs.joined(separator: "; "))): ops stats lists \(incident.id) as a data error until it is corrected (ops incident correct)"
        )
    }

    /// A new incident file: the same front matter as `ops incident open` writes, the tool's
    /// summary and link in the body, its timeline, then one line saying it was imported.
    private func newDocument(_ target: ImportTarget, id: DocumentID, path: String, now: Date, author: Author, extra: [String]) throws -> IncidentDocument {
        let incident = target.imported
        var fields: [(String, Node)] = [
            ("id", Node(id.description)), ("title", .text(target.title)), ("severity", .text(target.severity)),
            ("status", Node(target.status.rawValue)),
        ]
        if let service = target.service { fields.append(("service", .text(service))) }
        if let useCase = target.useCase { fields.append(("use_case", .text(useCase))) }
        if let commander = target.commander { fields.append(("commander", .text(commander))) }
        if !target.roles.isEmpty { fields.append(("roles", .pairs(target.roles.map { ($0.role, $0.person) }))) }
        fields.append(("source", .text(incident.source)))
        for point in ClockPoint.allCases {
            if let date = target.clock[point] { fields.append((point.key, .timestamp(date))) }
        }
        let tool = incident.tool.name
        let reference = incident.reference ?? incident.sourceID
        var body = "# \(target.title)\n\n## Summary\n"
        body += (incident.summary.map(ImportMapper.text).map { $0.isEmpty ? nil : $0 } ?? nil) ?? "Imported from \(tool); it gives no summary."
        body += "\n\n"
        if let url = incident.url { body += "\(tool) \(reference): <\(url)>\n\n" }
        body += "## Impact\n"
        body += (incident.impact.map(ImportMapper.text).map { $0.isEmpty ? nil : $0 } ?? nil) ?? "Not recorded in \(tool)."
        body += "\n\n## Timeline\n"
        for entry in target.timeline { body += entry.markdown + "\n" }
        body += importedEntry(at: now, author: author, text: "from \(tool) \(reference)", extra: extra).markdown + "\n"
        return try IncidentDocument(MarkdownDocument.make(path: path, fields: fields, body: body))
    }

    private func importedEntry(at now: Date, author: Author, text: String, extra: [String]) -> TimelineEntry {
        TimelineEntry(at: now, actor: author.handle, kind: "imported", text: ([text] + extra).map(ImportMapper.text).joined(separator: "\n"))
    }

    /// Brings an earlier import up to date. The tool's values replace the file's, except that
    /// a guessed severity never replaces a known one, and nothing the tool lacks is cleared: a
    /// clock point stays, status never moves back (reopening is a person's call in ops).
    /// Timeline lines are appended only when new. Returns what changed; empty when nothing did.
    private func update(
        _ document: inout IncidentDocument, to target: ImportTarget, config: OpsConfig, now: Date,
        author: Author
    ) throws -> [String] {
        let before = document.incident
        var changes: [String] = []
        if before.title != target.title {
            try document.setText("title", target.title)
            changes.append("title")
        }
        if before.severity != target.severity, !(target.severityGuessed && config.severity(named: before.severity) != nil) {
            try document.setText("severity", target.severity)
            changes.append("severity \(before.severity) → \(target.severity)")
        }
        if let service = target.service, before.service != service {
            try document.setText("service", service)
            changes.append("service \(before.service ?? "unset") → \(service)")
            if before.useCase == nil, let useCase = target.useCase { try document.setText("use_case", useCase) }
        }
        if let commander = target.commander, before.commander != commander {
            try document.setText("commander", commander)
            changes.append("commander \(before.commander ?? "unset") → \(commander)")
        }
        var roles = before.roles
        for (role, person) in target.roles {
            if let index = roles.firstIndex(where: { $0.role == role }) {
                roles[index].person = person
            } else {
                roles.append((role, person))
            }
        }
        if roles.map(\.role) != before.roles.map(\.role) || roles.map(\.person) != before.roles.map(\.person) {
            try document.set("roles", .pairs(roles.map { ($0.role, $0.person) }))
            changes.append("roles")
        }
        var clock = before.clock
        for point in ClockPoint.allCases {
            guard let date = target.clock[point], before.clock[point] != date else { continue }
            try document.setTime(point, date)
            clock[point] = date
            changes.append("\(point.key) \(before.clock[point].map(Timestamp.format) ?? "unset") → \(Timestamp.format(date))")
        }
        let reached = IncidentStatus.allCases.last { clock[$0.clockPoint] != nil } ?? .open
        let status = max(before.status, target.status, reached)
        if status != before.status {
            try document.setText("status", status.rawValue)
            changes.append("status \(before.status.rawValue) → \(status.rawValue)")
        }
        let added = Self.newEntries(target.timeline, existing: before.timeline)
        for entry in added { try document.append(entry) }
        if !added.isEmpty { changes.append(added.count == 1 ? "1 timeline entry" : "\(added.count) timeline entries") }
        if !changes.isEmpty {
            let reference = target.imported.reference ?? target.imported.sourceID
            try document.append(
                importedEntry(
                    at: now, author: author,
                    text: "updated from \(target.imported.tool.name) \(reference): "
                        + changes.joined(separator: "; "), extra: []))
        }
        return changes
    }

    /// The lines of `candidates` the timeline does not have yet. A line is there when one with
    /// the same second, kind and text is (each matched once); an `opened` line when any is;
    /// a status line when one of that kind is at the same second (its text may differ when an
    /// earlier import had less to go on, e.g. no log entries).
    static func newEntries(_ candidates: [TimelineEntry], existing: [TimelineEntry]) -> [TimelineEntry] {
        func key(_ entry: TimelineEntry) -> String { Timestamp.format(entry.at) + " " + entry.kind + " " + entry.text }
        var unmatched: [String: Int] = [:]
        for entry in existing { unmatched[key(entry), default: 0] += 1 }
        let statusKinds = Set(IncidentStatus.allCases.map(\.rawValue))
        var result: [TimelineEntry] = []
        for candidate in candidates {
            let candidateKey = key(candidate)
            if let count = unmatched[candidateKey], count > 0 {
                unmatched[candidateKey] = count - 1
                continue
            }
            if candidate.kind == "opened", existing.contains(where: { $0.kind == "opened" }) { continue }
            if statusKinds.contains(candidate.kind),
                existing.contains(where: {
                    $0.kind == candidate.kind && Timestamp.format($0.at) == Timestamp.format(candidate.at)
                })
            {
                continue
            }
            result.append(candidate)
        }
        return result
    }

    // MARK: Messages

    static func subject(_ summary: Summary) -> String {
        var parts: [String] = []
        if !summary.created.isEmpty { parts.append("\(summary.created.count) created") }
        if !summary.updated.isEmpty { parts.append("\(summary.updated.count) updated") }
        return "import \(summary.tool.rawValue): " + (parts.isEmpty ? "nothing new" : parts.joined(separator: ", "))
    }

    /// The summary as text: counts, then what was updated, skipped, not mapped, and notes.
    public static func render(_ summary: Summary) -> String {
        let files = summary.files == 1 ? "1 file" : "\(summary.files) files"
        let incidents = summary.read == 1 ? "1 incident" : "\(summary.read) incidents"
        var lines: [String] = []
        let counts =
            "\(summary.created.count) created, \(summary.updated.count) updated, \(summary.unchanged.count) unchanged, \(summary.skipped.count) skipped"
        if summary.dryRun {
            lines.append("Dry run, nothing written. \(summary.tool.name), \(files), \(incidents): would be \(counts).")
        } else {
            lines.append("\(summary.tool.name), \(files), \(incidents): \(counts).")
        }
        func section(_ title: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            lines.append("\(title):")
            lines += items.map { "  - " + $0 }
        }
        section(summary.dryRun ? "Would update" : "Updated", summary.updated.map { "\($0.id) \($0.source): \($0.changes.joined(separator: "; "))" })
        section("Skipped", summary.skipped)
        section("Not mapped to ops.yaml", summary.unmapped)
        section("Notes", summary.notes)
        return lines.joined(separator: "\n") + "\n"
    }
}
