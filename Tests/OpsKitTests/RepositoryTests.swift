import Foundation
import Testing

@testable import OpsKit

@Suite struct RepositorySetupTests {
    @Test func initCreatesARepositoryInOneCommitAndASecondRunChangesNothing() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let root = folder.path + "/ops"
        let first = try RepositorySetup.run(
            at: root, example: true, author: "alice", environment: [:],
            currentDirectory: "/", clock: fixedClock)
        #expect(first.createdRepository)
        #expect(first.commit != nil)
        #expect(first.added.contains("ops.yaml") && first.added.contains("runbooks/traffic-spike.md"))
        #expect(
            try git(root, "log", "--format=%an <%ae> %aI %s") == "Alice Martin <alice@example.com> 2026-11-23T10:00:00+01:00 ops: set up the ops repository\n")
        #expect(try git(root, "status", "--porcelain") == "")
        #expect(try git(root, "fsck", "--strict") == "")

        let second = try RepositorySetup.run(
            at: root, example: true, author: "alice", environment: [:],
            currentDirectory: "/", clock: fixedClock)
        #expect(second.commit == nil)
        #expect(try git(root, "rev-list", "--count", "HEAD") == "1\n")
    }

    @Test func initAdoptsAnExistingRepositoryAndKeepsWhatItHas() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        _ = try git(folder.path, "init", "-q", "-b", "main")
        try folder.write("README.md", "our service\n")
        try folder.write("runbooks/traffic-spike.md", "# Our own traffic runbook\n")
        _ = try git(folder.path, "add", ".")
        _ = try git(folder.path, "-c", "user.name=X", "-c", "user.email=x@example.com", "commit", "-qm", "existing")
        let result = try RepositorySetup.run(
            at: folder.path, example: false, author: nil, environment: testEnvironment,
            currentDirectory: "/", clock: fixedClock)
        #expect(!result.createdRepository)
        #expect(result.kept == ["runbooks/traffic-spike.md"])
        #expect(try folder.read("runbooks/traffic-spike.md") == "# Our own traffic runbook\n")
        #expect(try git(folder.path, "rev-list", "--count", "HEAD") == "2\n")
        #expect(try OpsConfig.load(folder.read("ops.yaml")).team == (folder.path as NSString).lastPathComponent)
    }

    @Test func initNextToABrokenOpsYamlNamesTheLineAndWritesNothing() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        try folder.write("ops.yaml", "team: T\ntimezone: Atlantis/Deep\nseverities: [SEV1]\n")
        #expect {
            try RepositorySetup.run(
                at: folder.path, example: false, author: nil, environment: testEnvironment,
                currentDirectory: "/", clock: fixedClock)
        } throws: { error in
            (error as? OpsError)?.message.hasPrefix("ops.yaml:2: unknown time zone `Atlantis/Deep`") == true
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/.git"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/runbooks"))
    }

    @Test func theStarterKitShipsEveryRunbookAndTemplateInTheRepository() throws {
        for (folder, shipped) in [("runbooks", StarterKit.runbooks), ("templates", StarterKit.templates)] {
            // Files at any depth (templates/review/pack.md ships as `review/pack.md`).
            let onDisk = try FileManager.default.subpathsOfDirectory(atPath: sourceRoot + "/" + folder).filter { path in
                var isFolder: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: sourceRoot + "/\(folder)/\(path)", isDirectory: &isFolder)
                return !isFolder.boolValue && !path.split(separator: "/").contains { $0.hasPrefix(".") }
            }.sorted()
            #expect(shipped.map(\.name).sorted() == onDisk)
            for file in shipped {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: sourceRoot + "/\(folder)/\(file.name)"))
                #expect(Array(bytes) == file.bytes, "\(folder)/\(file.name)")
            }
        }
    }
}

@Suite struct DiscoveryTests {
    @Test func findsTheRepositoryFromASubfolderFromOpsRepoAndFromDashC() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let root = folder.path + "/team"
        _ = try RepositorySetup.run(at: root, example: false, author: nil, environment: testEnvironment, currentDirectory: "/")
        try FileManager.default.createDirectory(atPath: root + "/incidents/2026", withIntermediateDirectories: true)
        #expect(try Workspace.locate(directory: nil, environment: [:], currentDirectory: root + "/incidents/2026") == root)
        #expect(try Workspace.locate(directory: nil, environment: ["OPS_REPO": root], currentDirectory: "/") == root)
        #expect(try Workspace.locate(directory: "team/runbooks", environment: ["OPS_REPO": "/nowhere"], currentDirectory: folder.path) == root)
    }

    @Test func outsideAnyRepositoryTheErrorSuggestsOpsInit() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        #expect {
            try Workspace.locate(directory: nil, environment: [:], currentDirectory: folder.path)
        } throws: { error in
            let error = error as? OpsError
            return error?.exitCode == 3 && error?.message.contains("Run `ops init`") == true
        }
        _ = try git(folder.path, "init", "-q")
        #expect {
            try Workspace.locate(directory: nil, environment: [:], currentDirectory: folder.path)
        } throws: { error in
            (error as? OpsError)?.message.contains("is a Git repository but not an ops repository (no ops.yaml)") == true
        }
    }
}

@Suite struct LintTests {
    @Test func aFreshRepositoryIsCleanAndBrokenFilesAreListedWithTheirLines() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        _ = try RepositorySetup.run(at: folder.path, example: true, author: "alice", environment: [:], currentDirectory: "/")
        let workspace = try Workspace(root: folder.path, environment: testEnvironment)
        #expect(try Linter.run(workspace).errors.isEmpty)

        try folder.write("runbooks/broken.md", "---\nid: broken\ntitle: [oops\n---\n# Broken\n")
        try folder.write("policies/x.yaml", "use_case: x\nwindow: rolling_30d\nwindow: rolling_7d\n")
        try folder.write("ops.yaml", try folder.read("ops.yaml").replacingOccurrences(of: "clock_start: detected", with: "clock_start: later"))
        let problems = try Linter.run(workspace).errors.map(\.description)
        #expect(problems.count == 3)
        #expect(problems[0].hasPrefix("ops.yaml:56: clock_start `later` is not one of"))
        #expect(problems[1] == "policies/x.yaml:3: `window` is set twice. Keep one of them")
        #expect(problems[2].hasPrefix("runbooks/broken.md:4: YAML does not parse"))
    }
}

@Suite struct RoundTripTests {
    /// Every document ops ships or reads as an example loads and saves to the same bytes.
    @Test func shippedDocumentsRoundTripByteForByte() throws {
        var checked = 0
        for folder in ["templates", "runbooks", "incidents"] {
            let base = sourceRoot + "/" + folder
            guard let enumerator = FileManager.default.enumerator(atPath: base) else { continue }
            for case let relative as String in enumerator where relative.hasSuffix(".md") {
                let text = try String(contentsOfFile: base + "/" + relative, encoding: .utf8)
                #expect(try MarkdownDocument(text, path: relative).text == text, "\(folder)/\(relative)")
                checked += 1
            }
        }
        let policy = Bundle.module.url(forResource: "Fixtures/policy_ops_copilot", withExtension: "yaml")!
        let text = try String(contentsOf: policy, encoding: .utf8)
        #expect(try YAMLText(text, path: "policies/ops_copilot.yaml").text == text)
        #expect(checked >= 6)
    }
}
