public import Foundation
import GitStore
import Yams

/// "Who changed this, and why?": a document's history from Git, with field-level changes,
/// for changes made by ops and by hand alike, following renames by the id in the file name.
public struct HistoryService {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// One commit that changed the document.
    public struct Entry: Sendable, Encodable {
        public var commit: String
        public var date: Date
        public var author: String
        public var email: String
        /// The `Ops-Action` trailer, or `edit` for a commit made without ops.
        public var action: String
        public var subject: String
        public var path: String?
        /// The commit that made the document; `changes` then lists the fields it started with.
        public var created: Bool
        public var changes: [Change]
    }

    /// One field that changed: `status: proposed → accepted`. `before`/`after` are nil when absent.
    public struct Change: Sendable, Encodable, Equatable {
        public var field: String
        public var before: String?
        public var after: String?

        public var description: String {
            "\(field): \(before ?? "–") → \(after ?? "–")"
        }
    }

    /// The history of the document `input` names (an incident, decision or backlog id, or a path).
    public func history(of input: String, field: String? = nil) throws -> [Entry] {
        let (matches, mentioning, locate) = try locator(for: input)
        let candidates = try HistoryIndex.load(workspace).commits(touching: matches, mentioning: mentioning)
        let revisions = try OpsError.wrapping { try workspace.repository.documentHistory(candidates: candidates, locate: locate) }
        guard !revisions.isEmpty else {
            throw OpsError.input(
                "no commit touches '\(IncidentService.printable(input))'. Give an incident, decision or backlog ID (ops incident list, ops decision list, ops backlog list) or a path in the repository"
            )
        }
        var texts: [ObjectID: String] = [:]
        func text(_ located: TreeFile?) throws -> String? {
            guard let located else { return nil }
            if let known = texts[located.blob] { return known }
            let read = String(decoding: try workspace.repository.blob(located.blob), as: UTF8.self)
            texts[located.blob] = read
            return read
        }
        var entries: [Entry] = []
        for revision in revisions {
            // Each commit against its own parents, not against the commit listed before it: after a
            // merge, the commits of the two sides interleave in time.
            let now = try text(revision.located)
            let parents = try revision.parents.map(text)
            let parentPaths = revision.parents.compactMap { $0?.path }
            var changes = Self.changes(from: parents, to: now, path: revision.located?.path ?? parentPaths.first ?? "")
            if let after = revision.located?.path, let before = parentPaths.first, !parentPaths.contains(after) {
                changes.insert(Change(field: "path", before: before, after: after), at: 0)
            }
            // A merge is in the history only for what it decided itself (a sync note, a clamped
            // clock point); what it brought in is on the commits that made it.
            if revision.parents.count > 1 && changes.isEmpty { continue }
            if let field { changes = changes.filter { $0.field == field } }
            if field != nil && changes.isEmpty { continue }
            let commit = revision.commit
            entries.append(
                Entry(
                    commit: commit.id.hex, date: commit.author.date, author: commit.author.name, email: commit.author.email,
                    action: commit.trailer("Ops-Action") ?? "edit", subject: commit.subject, path: revision.located?.path,
                    created: now != nil && parents.allSatisfy { $0 == nil }, changes: changes))
        }
        return entries
    }

    /// What finds the document `input` names: which paths are its, text each of them contains
    /// (so the history index can pass over other lines unread), and where it is in a tree.
    private func locator(for input: String) throws -> Locator {
        let text = input.trimmingCharacters(in: .whitespaces)
        let upper = text.uppercased()
        if upper.hasPrefix("D-") || upper.hasPrefix("BL-") || upper.hasPrefix("INC-") || !text.contains("/") && !text.contains(".") {
            if let (folder, id) = try resolveID(text) {
                if folder == IncidentLocator.folder, let parsed = DocumentID(id, kind: "INC") {
                    return Self.byPath(IncidentLocator.path(for: parsed))
                }
                // Named after its id wherever it moved: renames are followed.
                let prefix = folder + "/" + id
                return ({ $0.hasPrefix(prefix + "-") || $0 == prefix + ".md" }, prefix, Self.byID(id, in: folder))
            }
        }
        guard !text.contains(".."), !text.hasPrefix("/"), !text.isEmpty else { throw OpsError.input("'\(input)' is not a path inside the repository") }
        return Self.byPath(text)
    }

    typealias Locator = (matches: (String) -> Bool, mentioning: String, locate: (TreeView) throws -> TreeFile?)

    static func byPath(_ path: String) -> Locator {
        ({ $0 == path }, path, { tree in try tree.id(of: path).map { TreeFile(path: path, blob: $0) } })
    }

    /// An id (full, short or a slug) as its folder and full id.
    private func resolveID(_ text: String) throws -> (String, String)? {
        let upper = text.uppercased()
        let incidents = DocumentLocator.incidents, decisions = DocumentLocator.decisions, backlog = DocumentLocator.backlog
        if upper.hasPrefix("D-") { return (decisions.folder, try decisions.locate(text, in: workspace).id) }
        if upper.hasPrefix("BL-") { return (backlog.folder, try backlog.locate(text, in: workspace).id) }
        if upper.hasPrefix("INC-") { return (incidents.folder, try IncidentLocator.locate(text, in: workspace).id) }
        // A short id or a slug: try each kind, and say so when none or several match. Only "no
        // such document" moves on to the next kind; a repository that does not read is reported.
        func found(_ folder: String, _ locate: () throws -> String) throws -> (String, String)? {
            do {
                return (folder, try locate())
            } catch let error as OpsError where error.kind == .input {
                return nil
            }
        }
        let candidates = try [
            found(incidents.folder) { try IncidentLocator.locate(text, in: workspace).id },
            found(decisions.folder) { try decisions.locate(text, in: workspace).id },
            found(backlog.folder) { try backlog.locate(text, in: workspace).id },
        ].compactMap { $0 }
        if candidates.count > 1 { throw OpsError.input("'\(text)' matches \(candidates.map(\.1).joined(separator: ", ")). Type more characters") }
        return candidates.first
    }

    /// Finds a document by the id its file or folder is named after, wherever it moved.
    static func byID(_ id: String, in folder: String) -> (TreeView) throws -> TreeFile? {
        { tree in
            try tree.entries(in: folder).first { $0.name == id + ".md" || $0.name.hasPrefix(id + "-") }
                .map { TreeFile(path: folder + "/" + $0.name, blob: $0.id) }
        }
    }

    /// Field-level changes a commit made to a document (front matter, or a YAML file's top-level
    /// keys, and a line count for the rest), against each of its parents' versions (nil: absent).
    /// A field or line counts only where the commit's value differs from every parent's: for a
    /// merge, that is what the merge decided; the rest came from a side. `before` is the first
    /// parent's value.
    static func changes(from parents: [String?], to new: String?, path: String) -> [Change] {
        let before = (parents.isEmpty ? [nil] : parents).map { fields(of: $0, path: path) }
        let after = fields(of: new, path: path)
        var keys = after.keys
        for parent in before { for key in parent.keys where !keys.contains(key) { keys.append(key) } }
        var changes = keys.compactMap { key -> Change? in
            let now = after.values[key]
            guard before.allSatisfy({ $0.values[key] != now }) else { return nil }
            return Change(field: key, before: before[0].values[key], after: now)
        }
        // Lines as multisets: added where the commit has more copies than any parent, removed where
        // it has fewer than every parent.
        let counts = before.map { lineCounts($0.body) }, now = lineCounts(after.body)
        var added = 0, removed = 0
        for (line, count) in now { added += max(0, count - (counts.map { $0[line] ?? 0 }.max() ?? 0)) }
        for line in Set(counts.flatMap(\.keys)) { removed += max(0, (counts.map { $0[line] ?? 0 }.min() ?? 0) - (now[line] ?? 0)) }
        if added > 0 || removed > 0 {
            changes.append(Change(field: "body", before: nil, after: "+\(added) −\(removed) lines"))
        }
        return changes
    }

    /// The front matter (or a YAML file's top-level keys) as rendered values, and the other lines.
    private static func fields(of text: String?, path: String) -> (keys: [String], values: [String: String], body: [String]) {
        guard let text else { return ([], [:], []) }
        let yaml: YAMLText?
        var body: [String] = []
        if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
            yaml = try? YAMLText(text, path: path)
        } else if let document = try? MarkdownDocument(text, path: path) {
            yaml = document.frontMatter
            body = YAMLText.split(document.body).map(\.text)
        } else {
            yaml = nil
            body = YAMLText.split(text).map(\.text)
        }
        var values: [String: String] = [:]
        for key in yaml?.keys ?? [] { values[key] = yaml?[key].map(render) }
        return (yaml?.keys ?? [], values, body)
    }

    /// How many times each line occurs.
    static func lineCounts(_ lines: [String]) -> [String: Int] {
        lines.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    /// A value as it reads in the file, on one line.
    static func render(_ node: Node) -> String {
        if let text = node.scalarText { return text }
        let lines = (try? YAMLText.emit(key: "v", value: node)) ?? []
        return lines.joined(separator: " ").dropFirst(3).trimmingCharacters(in: .whitespaces)
    }

    // MARK: Activity feed

    /// One commit in the activity feed.
    public struct Activity: Sendable, Encodable {
        public var commit: String
        public var date: Date
        public var author: String
        public var action: String
        public var ids: [String]
        public var subject: String
        /// incident, decision, backlog, raci, runbook, postmortem, config, ... from the action or the folders changed.
        public var kinds: [String]
    }

    /// What `ops log --kind` takes: the first word of an `Ops-Action`, or what a hand edit touched.
    public static let kinds = [
        "incident", "decision", "backlog", "postmortem", "runbook", "step", "raci", "config", "slo", "alert", "checks", "oncall", "review",
        "import", "sync", "release-approve", "init", "edit",
    ]

    public func log(since: Date?, kind: String?, author: String?, limit: Int) throws -> [Activity] {
        if let kind, !Self.kinds.contains(kind) {
            throw OpsError.input("unknown kind '\(kind)'. Use one of: \(Self.kinds.joined(separator: ", "))")
        }
        let config = try workspace.config()
        let wantedAuthor = author.map { name -> [String] in
            if let person = config.person(name) { return [person.handle, person.name, person.email].map { $0.lowercased() } }
            return [name.lowercased()]
        }
        var result: [Activity] = []
        // Read more than asked when filtering, so a filter still fills the page.
        for (commit, changed) in try workspace.repository.log(limit: kind == nil && author == nil ? limit : limit * 50, since: since) {
            let action = commit.trailer("Ops-Action") ?? "edit"
            var kinds = Set<String>()
            kinds.insert(String(action.split(separator: ".").first ?? ""))  // `edit`: a change made by hand
            for folder in changed {
                switch folder {
                case "incidents": kinds.insert("incident")
                case "decisions": kinds.insert("decision")
                case "backlog": kinds.insert("backlog")
                case "raci.yaml": kinds.insert("raci")
                case "runbooks": kinds.insert("runbook")
                case "ops.yaml": kinds.insert("config")
                case "slo", "policies": kinds.insert("slo")
                default: break
                }
            }
            if let kind, !kinds.contains(kind) { continue }
            if let wantedAuthor, !wantedAuthor.contains(commit.author.name.lowercased()), !wantedAuthor.contains(commit.author.email.lowercased()) {
                continue
            }
            result.append(
                Activity(
                    commit: commit.id.hex, date: commit.author.date, author: commit.author.name, action: action,
                    ids: commit.trailers.filter { $0.key.caseInsensitiveCompare("Ops-Id") == .orderedSame }.map(\.value),
                    subject: commit.subject, kinds: kinds.sorted()))
            if result.count >= limit { break }
        }
        return result
    }
}
