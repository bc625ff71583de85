import ArgumentParser
import Foundation
import OpsKit

/// Shell completion of what lives in the ops repository: incident IDs, services, runbooks and
/// people. The shell runs `ops ---completion ...` at every Tab, so an answer must be fast, and
/// anything that goes wrong (no repository, a hand-broken ops.yaml) gives no candidates and no
/// message: a completion that prints errors garbles the command line being typed.
enum Completions {
    static let incidentIDs = CompletionKind.custom { words, _, prefix in
        candidates(words) { try CompletionCandidates.incidentIDs(in: $0, matching: prefix) }
    }
    static let services = CompletionKind.custom { words, _, _ in candidates(words) { try CompletionCandidates.services(in: $0) } }
    static let people = CompletionKind.custom { words, _, _ in candidates(words) { try CompletionCandidates.people(in: $0) } }
    static let runbooks = CompletionKind.custom { words, _, _ in candidates(words) { try CompletionCandidates.runbooks(in: $0) } }

    /// The repository is found as the command would find it: `-C DIR` on the line being typed,
    /// then OPS_REPO, then the current folder and its parents.
    private static func candidates(_ words: [String], _ read: (Workspace) throws -> [String]) -> [String] {
        let directory = words.lastIndex(of: "-C").flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil }
        let environment = ProcessInfo.processInfo.environment
        guard
            let root = try? Workspace.locate(
                directory: directory, environment: environment,
                currentDirectory: FileManager.default.currentDirectoryPath),
            let workspace = try? Workspace(root: root, environment: environment, clock: { Date() })
        else { return [] }
        return (try? read(workspace)) ?? []
    }
}
