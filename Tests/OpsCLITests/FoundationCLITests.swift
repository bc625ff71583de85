import Foundation
import Testing

@Suite struct FoundationCLITests {
    @Test func initMakesOneCleanCommitByTheConfiguredAuthorAndASecondRunNone() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let first = try cli.ops("init", "team-ops")
        #expect(first.status == 0)
        #expect(first.stdout == "")
        #expect(first.stderr.contains("Created an ops repository in \(cli.path("team-ops"))"))
        let repo = cli.path("team-ops")
        #expect(
            try cli.git("log", "--format=%an <%ae>|%s|%(trailers:key=Ops-Action,valueonly)", in: repo)
                == "Casey Commander <casey@example.com>|ops: set up the ops repository|init\n\n")
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
        #expect(try cli.git("fsck", "--strict", in: repo) == "")

        let second = try cli.ops("-C", repo, "init")
        #expect(second.status == 0)
        #expect(second.stderr == "Already an ops repository: \(repo). Nothing to change.\n")
        #expect(try cli.git("rev-list", "--count", "HEAD", in: repo) == "1\n")
        let lint = try cli.ops("lint", in: repo + "/runbooks")
        #expect(lint.status == 0)
        #expect(lint.stdout == "")
    }

    @Test func outsideAnOpsRepositoryItIsOneLineAndExit3() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let result = try cli.ops("lint")
        #expect(result.status == 3)
        #expect(result.stdout == "")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("not inside an ops repository") && result.stderr.contains("ops init"))
    }

    @Test func aBrokenOpsYamlIsNamedWithItsLineAndNothingIsWritten() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = cli.path("r")
        #expect(try cli.ops("init", repo).status == 0)
        let config = try String(contentsOfFile: repo + "/ops.yaml", encoding: .utf8)
        let broken = config.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("timezone:") ? "timezone: Moon/Base" : String($0) }.joined(separator: "\n")
        try broken.write(toFile: repo + "/ops.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: repo + "/templates/incident.md")
        _ = try cli.git("commit", "-qam", "break the config", in: repo)
        let head = try cli.git("rev-parse", "HEAD", in: repo)

        let initAgain = try cli.ops("init", in: repo)
        #expect(initAgain.status == 2)
        #expect(initAgain.stderr.hasPrefix("ops: ops.yaml:4: unknown time zone `Moon/Base`"))
        #expect(initAgain.stderr.split(separator: "\n").count == 1)
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        #expect(!FileManager.default.fileExists(atPath: repo + "/templates/incident.md"))

        let lint = try cli.ops("lint", in: repo)
        #expect(lint.status == 1)
        #expect(lint.stdout.hasPrefix("ops.yaml:4: unknown time zone `Moon/Base`"))
    }

    @Test func withoutAnyAuthorItSaysWhatToSetAndWritesNothing() throws {
        let cli = try CLI()
        defer { cli.remove() }
        try FileManager.default.removeItem(atPath: cli.path(".gitconfig"))
        let result = try cli.ops("init", "nobody")
        #expect(result.status == 2)
        #expect(result.stderr == "ops: who is making this change? Pass --as HANDLE, set OPS_USER, or set git config --global user.name and user.email\n")
        #expect(!FileManager.default.fileExists(atPath: cli.path("nobody")))
        let withAs = try cli.ops("init", "nobody", "--as", "Pat Doe <pat@example.com>")
        #expect(withAs.status == 0)
        #expect(try cli.git("log", "--format=%an <%ae>", in: cli.path("nobody")) == "Pat Doe <pat@example.com>\n")
    }

    @Test func opsUserSignsTheCommitWithAHandleFromTheExampleConfig() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let result = try cli.ops(["init", "--example", "ex"], environment: ["OPS_USER": "carol"])
        #expect(result.status == 0)
        #expect(try cli.git("log", "--format=%an <%ae>", in: cli.path("ex")) == "Carol Nguyen <carol@example.com>\n")
    }

    @Test func usageErrorsExitWith2AndHelpAndVersionWith0() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let unknown = try cli.ops("init", "--frobnicate")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--frobnicate"))
        let help = try cli.ops("--help")
        #expect(help.status == 0)
        #expect(help.stdout.contains("Incidents, runbooks and the weekly Ops Review, kept in Git."))
        #expect(try cli.ops("lint", "--help").stdout.contains("file:line"))
        let version = try cli.ops("--version")
        #expect(version.status == 0 && version.stdout == "0.1.0\n")
        let completion = try cli.ops("--generate-completion-script", "bash")
        #expect(completion.status == 0 && completion.stdout.contains("_ops()"))
    }
}
