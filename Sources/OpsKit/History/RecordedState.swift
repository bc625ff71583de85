import Foundation
import GitStore

/// Documents as they had been recorded at an instant, read from Git history: for figures that
/// must not move once their moment has passed (the weekly pack, docs/DESIGN.md §7). A backlog item or a
/// decision keeps only its current status, and a postmortem its current ticks, so what they
/// were at a past time is only in the commits that changed them. A commit counts by its author
/// date, the time ops recorded the change (on whichever clone); a change merged in later keeps
/// the date it was made. A document deleted since is not seen. History committed in bulk after
/// the fact (a team adopting ops copies its past in) has commit dates later than what it records:
/// a document first committed after the instant but dated before it by its own creation time
/// counts, as its first committed version.
struct RecordedState {
    let workspace: Workspace
    let instant: Date
    /// Document key (see `key(of:)`) → the commits that changed it, newest first.
    private let changes: [String: [ObjectID]]
    private let dates = DateCache()

    /// `wanted`: the paths of the documents that will be asked for, so only those are indexed.
    init(_ workspace: Workspace, at instant: Date, wanted: (String) -> Bool) throws {
        self.workspace = workspace
        self.instant = instant
        var changes: [String: [ObjectID]] = [:]
        for entry in try HistoryIndex.load(workspace).changes(keeping: wanted) {
            for key in Set(entry.paths.map(Self.key)) { changes[key, default: []].append(entry.commit) }
        }
        self.changes = changes
    }

    /// A document's key across renames: `backlog/BL-20261122-9HD2W0PA` for a file named after its
    /// id (the slug after it follows the title), the path for anything else.
    static func key(of path: String) -> String {
        let (folder, name) = split(path)
        let parts = name.split(separator: "-", maxSplits: 3, omittingEmptySubsequences: false)
        guard ["backlog", "decisions"].contains(folder), parts.count >= 3, name.hasSuffix(".md") else { return path }
        return folder + "/" + parts.prefix(3).joined(separator: "-").replacingOccurrences(of: ".md", with: "")
    }

    private static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    /// The committed text of the document now at `path`, as it was at the instant; nil when it
    /// did not exist yet (or had been deleted then). `created` reads a version's own creation time.
    func text(of path: String, created: (String) -> Date?) throws -> String? {
        let key = Self.key(of: path)
        guard let commits = changes[key], let newest = commits.first else { return try workspace.committedText(path) }
        // Most documents have not changed since: then the current text is the one.
        if try date(of: newest) < instant { return try workspace.committedText(path) }
        let (folder, _) = Self.split(path)
        let locate: (TreeView) throws -> TreeFile? =
            key == path
            ? HistoryService.byPath(path).locate
            : HistoryService.byID(String(key.dropFirst(folder.count + 1)), in: folder)
        let revisions = try OpsError.wrapping { try workspace.repository.documentHistory(candidates: commits, locate: locate) }
        if let then = revisions.first(where: { $0.commit.author.date < instant }) {
            return try then.located.map { String(decoding: try workspace.repository.blob($0.blob), as: UTF8.self) }
        }
        guard let first = revisions.last?.located else { return nil }
        let text = String(decoding: try workspace.repository.blob(first.blob), as: UTF8.self)
        return created(text).map { $0 < instant } == true ? text : nil
    }

    /// True when the document at `path` may have changed at or after `moment`: its newest
    /// commit is dated then or later, or no commit in the history index touches it.
    func changed(_ path: String, since moment: Date) throws -> Bool {
        guard let newest = changes[Self.key(of: path)]?.first else { return true }
        return try date(of: newest) >= moment
    }

    private func date(of commit: ObjectID) throws -> Date {
        if let known = dates.values[commit] { return known }
        let date = try OpsError.wrapping { try workspace.repository.commitInfo(commit).author.date }
        dates.values[commit] = date
        return date
    }

    /// Commit dates already read; a class so `text(of:)` stays non-mutating.
    private final class DateCache {
        var values: [ObjectID: Date] = [:]
    }
}
