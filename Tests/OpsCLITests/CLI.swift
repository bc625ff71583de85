import Foundation

/// Runs the built `ops` binary the way a user would, in a temp HOME with a fixed Git identity.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let home: String

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("opscli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try "[user]\n\tname = Casey Commander\n\temail = casey@example.com\n[init]\n\tdefaultBranch = main\n"
            .write(toFile: home + "/.gitconfig", atomically: true, encoding: .utf8)
    }

    static var binary: String {
        // The test runner sits next to the products of the same build.
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for folder in [runner.deletingLastPathComponent(), runner.deletingLastPathComponent().deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent("ops").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/ops").path
    }

    @discardableResult
    func ops(_ arguments: [String], in folder: String? = nil, environment extra: [String: String] = [:], stdin: String? = nil) throws -> Result {
        try run(Self.binary, arguments, in: folder, environment: extra, stdin: stdin)
    }

    @discardableResult
    func ops(_ arguments: String..., in folder: String? = nil, environment extra: [String: String] = [:]) throws -> Result {
        try ops(arguments, in: folder, environment: extra)
    }

    func git(_ arguments: String..., in folder: String) throws -> String {
        try run("/usr/bin/env", ["git"] + arguments, in: folder, environment: [:], stdin: nil).stdout
    }

    func run(_ executable: String, _ arguments: [String], in folder: String?, environment extra: [String: String], stdin: String?) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder ?? home)
        var environment = ["HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8"]
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }

    func path(_ relative: String) -> String { home + "/" + relative }

    func remove() { try? FileManager.default.removeItem(atPath: home) }
}
