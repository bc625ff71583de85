import Foundation
import Yams

extension Incident {
    /// Front-matter keys in the order ops writes them.
    public static let fieldOrder =
        [
            "id", "title", "severity", "status", "service", "use_case", "commander", "roles",
            "oncall", "rotation", "channel", "tags", "runbook", "alerts", "source",
        ] + ClockPoint.allCases.map(\.key)

    /// Reads an incident from its document; a field that does not read names its line.
    /// Listings and metrics pass `timeline: false` to skip reading the body.
    init(_ document: MarkdownDocument, timeline readTimeline: Bool = true) throws {
        guard let yaml = document.frontMatter else {
            throw OpsError.file(document.path, line: 1, "has no front matter", fix: "An incident starts with --- and `id:`, `title:` lines")
        }
        try self.init(path: document.path, field: yaml.value(of:), line: yaml.line(of:))
        timeline = readTimeline ? Timeline.parse(body: document.body, firstLine: document.bodyLine).entries : []
    }

    /// The incident in `text` without its timeline, as the caches hold it: from
    /// `FlatFrontMatter` when the front matter is in the shape ops writes, which reads it
    /// several times faster than a YAML parse, otherwise from the document.
    init(summaryOf text: String, path: String) throws {
        if let (values, lines) = FlatFrontMatter.read(text) {
            try self.init(path: path, field: { values[$0] }, line: { lines[$0] })
        } else {
            try self.init(MarkdownDocument(text, path: path), timeline: false)
        }
    }

    /// The fields from the front matter's values (`field`), without the timeline; errors name
    /// the line `line` gives for the key.
    private init(path: String, field: (String) -> FrontMatterValue?, line: (String) -> Int?) throws {
        func text(_ key: String, required: Bool = false) throws -> String? {
            let value: String
            switch field(key) {
            case .text(let text) where !text.isEmpty: value = text
            case nil, .text:
                if required { throw OpsError.file(path, line: nil, "`\(key)` is missing") }
                return nil
            default: throw OpsError.file(path, line: line(key), "`\(key)` must be a single value")
            }
            if value == "~" || value == "null" { return required ? value : nil }
            return value
        }
        func list(_ key: String) throws -> [String] {
            switch field(key) {
            case nil: return []
            case .text(let single): return single.isEmpty ? [] : [single]
            case .list(let values): return values
            default: throw OpsError.file(path, line: line(key), "`\(key)` must be a list, like [a, b]")
            }
        }
        id = try text("id", required: true)!
        title = try text("title", required: true)!
        severity = try text("severity", required: true)!
        let statusText = try text("status", required: true)!
        guard let status = IncidentStatus(rawValue: statusText) else {
            throw OpsError.file(
                path, line: line("status"),
                "status `\(statusText)` is not one of: \(IncidentStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.status = status
        service = try text("service")
        useCase = try text("use_case")
        commander = try text("commander")
        switch field("roles") {
        case nil: roles = []
        case .pairs(let pairs): roles = pairs.map { ($0.key, $0.value) }
        default: throw OpsError.file(path, line: line("roles"), "`roles` must map a role to a person, like {comms: bob}")
        }
        oncall = try text("oncall")
        rotation = try text("rotation")
        channel = try text("channel")
        tags = try list("tags")
        runbook = try text("runbook")
        alerts = try list("alerts")
        source = try text("source")
        clock = [:]
        for point in ClockPoint.allCases {
            guard let value = try text(point.key) else { continue }
            guard let date = Timestamp.parse(value) else {
                throw OpsError.file(
                    path, line: line(point.key),
                    "`\(point.key)` is not a time: `\(value)`", fix: "Write it like 2026-11-22T17:58:02Z")
            }
            clock[point] = date
        }
        timeline = []
        self.path = path
    }
}

/// An incident file being changed: edits go to the lines of the fields they touch, and
/// timeline entries are appended, so the file's other lines stay as they were.
struct IncidentDocument {
    private(set) var document: MarkdownDocument
    private(set) var incident: Incident

    init(_ document: MarkdownDocument) throws {
        self.document = document
        incident = try Incident(document)
    }

    init(text: String, path: String) throws {
        try self.init(MarkdownDocument(text, path: path))
    }

    var text: String { document.text }

    mutating func set(_ key: String, _ value: Node?) throws {
        try document.frontMatter?.set(key, value, order: Incident.fieldOrder)
        incident = try Incident(document)
    }

    mutating func setText(_ key: String, _ value: String?) throws {
        try set(key, value.map(Node.text))
    }

    mutating func setTime(_ point: ClockPoint, _ date: Date?) throws {
        try set(point.key, date.map(Node.timestamp))
    }

    mutating func append(_ entry: TimelineEntry) throws {
        document.body = Timeline.append(entry, to: document.body)
        incident = try Incident(document)
    }
}
