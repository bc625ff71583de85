import Foundation
import Yams

/// A decision record (`decisions/D-YYYYMMDD-XXXXXXXX-<slug>.md`), after MADR: who decided what,
/// why, and what it links to.
public struct Decision: Sendable, Encodable {
    public static let statuses = ["proposed", "accepted", "rejected", "superseded", "deprecated"]
    public static let fieldOrder = [
        "id", "title", "status", "kind", "date", "deciders", "consulted", "informed", "owner", "due", "tags",
        "incidents", "reviews", "supersedes", "superseded_by",
    ]

    public var id: String
    public var title: String
    public var status: String
    /// What sort of record this is, when it is one `ops` writes for a purpose of its own
    /// (`release_exception`: `ops release check`); nil for a decision people took.
    public var kind: String?
    /// The day it was made, `YYYY-MM-DD` in the team's zone.
    public var date: String
    public var deciders: [String]
    public var consulted: [String]
    public var informed: [String]
    public var owner: String?
    public var due: String?
    public var tags: [String]
    public var incidents: [String]
    public var reviews: [String]
    public var supersedes: String?
    public var supersededBy: String?
    public var path: String

    enum CodingKeys: String, CodingKey {
        case id, title, status, kind, date, deciders, consulted, informed, owner, due, tags, incidents, reviews, supersedes
        case supersededBy = "superseded_by", path
    }
}

extension Decision {
    init(_ document: MarkdownDocument) throws {
        guard let yaml = document.frontMatter else {
            throw OpsError.file(document.path, line: 1, "has no front matter", fix: "A decision starts with --- and id:, title:, status: lines")
        }
        func text(_ key: String) -> String? { yaml[key]?.scalarText.flatMap { $0.isEmpty ? nil : $0 } }
        func list(_ key: String) -> [String] {
            guard let node = yaml[key] else { return [] }
            if let single = node.scalarText { return single.isEmpty ? [] : [single] }
            return node.array().compactMap(\.scalarText)
        }
        guard let id = text("id"), let title = text("title") else {
            throw OpsError.file(document.path, line: nil, "needs `id:` and `title:`")
        }
        let status = text("status") ?? "proposed"
        guard Self.statuses.contains(status) else {
            throw OpsError.file(document.path, line: yaml.line(of: "status"), "status `\(status)` is not one of: \(Self.statuses.joined(separator: ", "))")
        }
        self.init(
            id: id, title: title, status: status, kind: text("kind"), date: text("date") ?? "", deciders: list("deciders"), consulted: list("consulted"),
            informed: list("informed"), owner: text("owner"), due: text("due"), tags: list("tags"), incidents: list("incidents"),
            reviews: list("reviews"), supersedes: text("supersedes"), supersededBy: text("superseded_by"), path: document.path)
    }
}
