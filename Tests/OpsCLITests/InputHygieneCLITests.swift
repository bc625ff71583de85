import Foundation
import Testing

/// Refusals of hostile input, as a user meets them: one line on stderr, exit 2, nothing written.
@Suite struct InputHygieneCLITests {
    static let env = ["OPS_USER": "alice"]

    /// A repository with one open incident; its short ID.
    static func incident(_ cli: CLI) throws -> (repo: String, id: String) {
        let repo = try IncidentCLITests.repository(cli)
        let open = try cli.ops(
            ["incident", "open", "Checkout p99 latency above 1.2s", "--sev", "SEV2", "--service", "ops_copilot"],
            in: repo, environment: env)
        #expect(open.status == 0, "\(open.stderr)")
        return (repo, open.stdout.trimmingCharacters(in: .newlines))
    }

    static func expectRefused(_ result: CLI.Result, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 2, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr == "ops: \(message)\n", sourceLocation: sourceLocation)
        #expect(result.stdout == "", sourceLocation: sourceLocation)
    }

    @Test func anArgumentThatIsNotUTF8IsRefusedByEveryCommandAlike() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, id) = try Self.incident(cli)
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        // Swift would turn the byte into U+FFFD before ops saw it; the shell passes it as it is.
        for arguments in [["incident", "note", id], ["incident", "open", "--sev", "SEV2", "--service", "ops_copilot"], ["incident", "list", "--service"]] {
            let script = "exec \"$0\" \"$@\" \"$(printf 'caf\\351')\""
            let result = try cli.run("/bin/sh", ["-c", script, CLI.binary] + arguments, in: repo, environment: Self.env, stdin: nil)
            Self.expectRefused(result, "argument \(arguments.count + 1) is not valid UTF-8 (byte 0xE9 on line 1). Send the text as UTF-8")
        }
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
    }

    @Test func aNoteFromStandardInputIsCheckedForUTF8AndSize() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, id) = try Self.incident(cli)
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        let latin1 = try cli.run(
            "/bin/sh", ["-c", "printf 'ok\\nd\\351j\\340 vu\\n' | exec \"$0\" incident note \"$1\" -", CLI.binary, id],
            in: repo, environment: Self.env, stdin: nil)
        Self.expectRefused(latin1, "standard input is not valid UTF-8 (byte 0xE9 on line 2). Send the text as UTF-8")
        let big = try cli.ops(["incident", "note", id, "-"], in: repo, environment: Self.env, stdin: String(repeating: "log line\n", count: 4000))
        Self.expectRefused(
            big,
            "standard input is over the limit of 16384 bytes (16 KiB). "
                + "Split it into several notes, or commit the long text as a file and note where it is")
        let title = try cli.ops(
            ["incident", "open", String(repeating: "x", count: 201), "--sev", "SEV2", "--service", "ops_copilot"],
            in: repo, environment: Self.env)
        Self.expectRefused(title, "the title is 201 characters, over the limit of 200. Shorten it; put the detail in a note: ops incident note ID \"...\"")
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
    }

    @Test func aNoteIntoASymlinkedIncidentFolderIsRefusedAndTheFilesOutsideStayAsTheyWere() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, id) = try Self.incident(cli)
        let folder = try #require(FileManager.default.subpathsOfDirectory(atPath: repo + "/incidents").first { $0.hasSuffix(id) })
        let outside = cli.path("elsewhere")
        try FileManager.default.moveItem(atPath: repo + "/incidents/" + folder, toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: repo + "/incidents/" + folder, withDestinationPath: outside)
        let before = try Data(contentsOf: URL(fileURLWithPath: outside + "/incident.md"))
        let head = try cli.git("rev-parse", "HEAD", in: repo)

        let result = try cli.ops(["incident", "note", id, "Rolled back model v42"], in: repo, environment: Self.env)
        Self.expectRefused(
            result,
            "incidents/\(folder)/incident.md is beyond a symbolic link (incidents/\(folder)), and ops writes only "
                + "inside the repository, as Git does. Nothing was written. Replace the link with a folder holding the same files, "
                + "then run the command again")
        #expect(try Data(contentsOf: URL(fileURLWithPath: outside + "/incident.md")) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["incident.md"])
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
    }
}
