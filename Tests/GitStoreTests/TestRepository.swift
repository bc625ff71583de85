import Foundation
import GitStore

/// A throwaway repository in a temp folder, with a fixed identity and branch, for one test.
struct TestRepository {
    let path: String
    let repository: GitRepository

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("gitstore-\(UUID().uuidString)").path
        repository = try GitRepository.create(at: path)
        try repository.setConfigValue("user.name", "Test Person")
        try repository.setConfigValue("user.email", "test@example.com")
    }

    static let author = Signature(
        name: "Alice Example", email: "alice@example.com",
        date: Date(timeIntervalSince1970: 1_795_000_000), offsetMinutes: 60)

    @discardableResult
    func commit(_ files: [String: String?], subject: String = "change") throws -> ObjectID? {
        try repository.commit(CommitMessage(subject: subject), author: Self.author) { _ in
            files.map { FileChange(path: $0.key, content: $0.value.map { Data($0.utf8) }) }
        }
    }

    /// Runs the git CLI in the repository, the oracle these tests compare against.
    @discardableResult
    func git(_ arguments: String...) throws -> String {
        try Self.run(["git", "-C", path] + arguments)
    }

    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_AUTHOR_NAME"] = "Git Person"
        environment["GIT_AUTHOR_EMAIL"] = "git@example.com"
        environment["GIT_COMMITTER_NAME"] = "Git Person"
        environment["GIT_COMMITTER_EMAIL"] = "git@example.com"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CommandFailed(command: arguments.joined(separator: " "), output: text)
        }
        return text
    }

    /// `git fsck --strict` output: empty when the repository is sound and has no dangling objects.
    func fsck() throws -> String {
        try git("fsck", "--strict")
    }

    func write(_ relativePath: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ relativePath: String) throws -> String {
        try String(contentsOfFile: path + "/" + relativePath, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct CommandFailed: Error, CustomStringConvertible {
    let command: String
    let output: String
    var description: String { "\(command) failed: \(output)" }
}
