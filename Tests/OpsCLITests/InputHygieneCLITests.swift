import Foundation
import Testing

/// Refusals of hostile input, as a user meets them: one line on stderr, exit 2, nothing written.
@Suite struct InputHygieneCLITests {
    static let env = ["OPS_USER": "alice"]

    /// A repository with one open incident; its short ID.
    static func incident(_ cli: CLI) throws -> (repo: String, id: String) {
        let repo = try IncidentCLITests.repository(cli)
        let open = try cli.ops(["incident", "open", "Checkout p99 latency above 1.2s", "--sev", "SEV2", "--service", "ops_copilot"],
                               in: repo, environment: env)
        #expect(open.status == 0, "\(open.stderr)")
        return (repo, open.stdout.trimmingCharacters(in: .newlines))
    }

    static func expectRefused(_ result: CLI.Result, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 2, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr == "ops: \(message)\n", sourceLocation: sourceLocation)
        #expect(result.stdout == "", sourceLocation: sourceLocation)
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
        Self.expectRefused(result, "incidents/\(folder)/incident.md is beyond a symbolic link (incidents/\(folder)), and ops writes only "
                           + "inside the repository, as Git does. Nothing was written. Replace the link with a folder holding the same files, "
                           + "then run the command again")
        #expect(try Data(contentsOf: URL(fileURLWithPath: outside + "/incident.md")) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["incident.md"])
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
    }
}
