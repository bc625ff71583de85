import Foundation
import GitStore

/// The committed files a report reads: HEAD's, or those of the commit a write is building on
/// with the files it writes laid over them. So `ops slo import` can judge the figures its own
/// commit makes (a budget threshold crossed) and record that judgement in the same commit.
struct CommittedTree {
    let workspace: Workspace
    /// The commit a write builds on; nil: HEAD.
    var snapshot: Snapshot?
    /// Files the write puts in place, path → text.
    var written: [String: String] = [:]

    init(_ workspace: Workspace, snapshot: Snapshot? = nil, written: [String: String] = [:]) {
        self.workspace = workspace
        self.snapshot = snapshot
        self.written = written
    }

    /// The paths of every file below `folder`, sorted.
    func paths(under folder: String) throws -> [String] {
        let committed: [TreeFile]
        if let snapshot {
            committed = try OpsError.wrapping { try snapshot.files(under: folder) }
        } else {
            committed = try workspace.committedFiles(under: folder)
        }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return Set(committed.map(\.path) + written.keys.filter { $0.hasPrefix(prefix) }).sorted()
    }

    /// The text of `path`, nil when absent.
    func text(_ path: String) throws -> String? {
        if let text = written[path] { return text }
        guard let snapshot else { return try workspace.committedText(path) }
        return try OpsError.wrapping { try snapshot.read(path).map { try UTF8Text.decode($0, path: path) } }
    }
}
