import ArgumentParser
import Foundation
import OpsKit

/// A command that runs against the ops repository. Its `run()` finds the repository, builds the
/// context, and runs the command's own `run(_:)`.
protocol OpsCommand: ParsableCommand {
    var global: GlobalOptions { get }
    func run(_ context: OpsContext) throws
}

extension OpsCommand {
    func run() throws {
        let context = OpsContext(global: global)
        try run(context)
        context.syncAfterWrite()
    }
}

/// What a command works with: the repository (found on first use), the environment, and output.
final class OpsContext {
    let global: GlobalOptions
    let environment: [String: String]
    let currentDirectory: String
    private var openedWorkspace: Workspace?

    init(global: GlobalOptions) {
        self.global = global
        environment = ProcessInfo.processInfo.environment
        currentDirectory = FileManager.default.currentDirectoryPath
    }

    /// The folder `-C` names, or the current folder.
    var baseDirectory: String {
        global.directory.map { Workspace.absolute($0, from: currentDirectory) } ?? currentDirectory
    }

    /// The ops repository, found like Git finds its own.
    func workspace() throws -> Workspace {
        if let openedWorkspace { return openedWorkspace }
        let root = try Workspace.locate(directory: global.directory, environment: environment, currentDirectory: currentDirectory)
        let workspace = try Workspace(root: root, environment: environment, clock: try clock())
        openedWorkspace = workspace
        return workspace
    }

    /// Now, or the time in `OPS_NOW` (for scripts and demos that replay events, as Git's
    /// GIT_COMMITTER_DATE does).
    func clock() throws -> @Sendable () -> Date {
        guard let text = environment["OPS_NOW"], !text.isEmpty else { return { Date() } }
        guard let fixed = Timestamp.parse(text) else {
            throw OpsError.input("OPS_NOW '\(text)' is not a time. Write it like 2026-11-22T14:02:00Z, or unset it")
        }
        return { fixed }
    }

    /// Data, for scripts: standard output. A line break is added unless `terminated` is false.
    func output(_ text: String, terminated: Bool = true) {
        FileHandle.standardOutput.write(Data((terminated && !text.hasSuffix("\n") ? text + "\n" : text).utf8))
    }

    /// `sync: auto`: after a command that committed, a sync attempt that never fails the command
    /// and holds it up at most a few seconds.
    func syncAfterWrite() {
        guard let workspace = openedWorkspace, let author = workspace.lastCommitAuthor,
            (try? workspace.config())?.autoSync == true
        else { return }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        switch AutoSync.run(workspace, executable: executable, author: author) {
        case .synced(let line):
            note(line.isEmpty ? "Synced." : line)
        case .failed(let line):
            note("Not synced (the change is committed; run ops sync later): \(line)")
        case .continuing(let log):
            note("Sync goes on in the background; see \(log).")
        }
    }

    /// Messages for the person: standard error.
    func note(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
