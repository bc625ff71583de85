import Foundation
import GitStore

/// The paths each commit changed, kept in `.git/ops/history.index` and brought up to date with
/// only the commits made since, so a document's history does not walk all of Git's history
/// (libgit2 1.5 does not use the commit-graph for that). Derived: delete it and it is rebuilt;
/// if history was rewritten under it, it is rebuilt too. It holds every commit reachable from
/// HEAD, both sides of each merge; a merge is listed with the paths it changed against its first
/// parent, which include every path it changed against all of its parents, the only ones where
/// history blames a merge.
struct HistoryIndex {
    static let header = "ops history index 2 "

    /// Commits newest first, each with the paths it changed.
    private(set) var commits: [(commit: String, paths: [String])] = []

    static func load(_ workspace: Workspace) throws -> HistoryIndex {
        let path = workspace.gitDirectory + "/ops/history.index"
        var index = HistoryIndex()
        var tip: ObjectID?
        if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
            text.hasPrefix(header), let firstLine = text.split(separator: "\n", maxSplits: 1).first
        {
            tip = ObjectID(hex: String(firstLine.dropFirst(header.count)))
            index.commits = text.split(separator: "\n").dropFirst().map { line in
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                return (fields[0], fields.dropFirst().map { BackslashEscapes.decode($0) })
            }
        }
        let fresh: [CommitChanges]
        // The head walked from is the tip recorded: a commit landing meanwhile is read next time.
        guard let walked = try workspace.repository.head().commit else { return HistoryIndex() }
        do {
            if let newer = try workspace.repository.pathChanges(from: walked, since: tip) {
                fresh = newer
            } else {
                index.commits = []  // history was rewritten: start over
                fresh = try workspace.repository.pathChanges(from: walked, since: nil) ?? []
            }
        } catch {
            throw OpsError.from(error)
        }
        guard !fresh.isEmpty else { return index }
        index.commits = fresh.map { ($0.commit.hex, $0.paths) } + index.commits
        // An index that cannot be saved only makes the next run slower; never an error.
        AtomicFile.write(to: path) { emit in
            emit(header + walked.hex + "\n")
            // A path may hold a tab or a line break: escaped, it cannot pass for the next field or commit.
            for entry in index.commits {
                emit(([entry.commit] + entry.paths.map { BackslashEscapes.encode($0) }).joined(separator: "\t") + "\n")
            }
        }
        return index
    }

    /// Commits, newest first, that changed a path `matches` accepts.
    func commits(touching matches: (String) -> Bool) -> [ObjectID] {
        commits.compactMap { entry in entry.paths.contains(where: matches) ? ObjectID(hex: entry.commit) : nil }
    }
}
