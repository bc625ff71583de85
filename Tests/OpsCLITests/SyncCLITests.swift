import Foundation
import Testing

@Suite struct SyncCLITests {
    /// An ops repository with the example config and a bare remote `origin`.
    private func setup(_ cli: CLI, autoSync: Bool = false) throws -> (repo: String, bare: String) {
        let repo = cli.path("team-ops"), bare = cli.path("remote.git")
        #expect(try cli.ops("init", "--example", repo).status == 0)
        _ = try cli.git("init", "--bare", "-q", "-b", "main", bare, in: cli.home)
        _ = try cli.git("remote", "add", "origin", bare, in: repo)
        if autoSync {
            let config = repo + "/ops.yaml"
            try (try String(contentsOfFile: config, encoding: .utf8) + "sync: auto\n").write(toFile: config, atomically: true, encoding: .utf8)
            _ = try cli.git("commit", "-q", "-am", "sync: auto", in: repo)
        }
        return (repo, bare)
    }

    @Test func syncPushesAndStatusReportsAheadBehindAndTheLastSync() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, bare) = try setup(cli)
        let never = try cli.ops("sync", "--status", "--json", in: repo, environment: ["OPS_NOW": "2026-11-23T09:00:00Z"])
        #expect(never.status == 0)
        let before = try JSONSerialization.jsonObject(with: Data(never.stdout.utf8)) as? [String: Any]
        #expect(before?["last_sync"] == nil && before?["url"] as? String == bare)

        let synced = try cli.ops("sync", in: repo, environment: ["OPS_NOW": "2026-11-23T09:00:00Z"])
        #expect(synced.status == 0)
        #expect(synced.stderr == "Nothing new from origin/main, pushed.\n")
        #expect(try cli.git("rev-parse", "main", in: bare) == cli.git("rev-parse", "HEAD", in: repo))

        #expect(try cli.ops("incident", "open", "Search down", "--sev", "SEV2", "--service", "search_ranking", in: repo).status == 0)
        let status = try cli.ops("sync", "--status", "--json", in: repo)
        let after = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(after?["ahead"] as? Int == 1 && after?["behind"] as? Int == 0 && after?["last_sync"] as? String == "2026-11-23T09:00:00Z")
        #expect(status.stdout.contains("\"last_sync\"") && !status.stdout.contains("lastSync"))
        let text = try cli.ops("sync", "--status", in: repo)
        #expect(text.stdout.contains("main ↔ origin/main (\(bare)): 1 ahead, 0 behind (as of the last fetch); last sync: "))
        // JSON keys are snake_case here too, as in every other output.
        let json = try cli.ops("sync", "--json", in: repo)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(
            Set(report?.keys.map { $0 } ?? []) == [
                "remote", "branch", "integration", "pushed", "attempts", "needs_person", "field_conflicts", "not_kept", "rebuilt_packs", "packs_to_rebuild",
            ])
    }

    /// A remote given as a relative path is read from the top of the work tree, as Git reads it,
    /// also when ops runs from elsewhere with -C.
    @Test func aRelativeRemotePathWorksFromOutsideTheRepositoryWithDashC() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = cli.path("team-ops")
        #expect(try cli.ops("init", "--example", repo).status == 0)
        _ = try cli.git("init", "--bare", "-q", "-b", "main", cli.path("remote.git"), in: cli.home)
        _ = try cli.git("remote", "add", "origin", "../remote.git", in: repo)
        let synced = try cli.ops("-C", "team-ops", "sync", in: cli.home)
        #expect(synced.status == 0 && synced.stderr == "Nothing new from origin/main, pushed.\n", "\(synced.stderr)")
        #expect(try cli.git("rev-parse", "main", in: cli.path("remote.git")) == cli.git("rev-parse", "HEAD", in: repo))
    }

    @Test func anUnreachableRemoteIsOneLineAndExit3() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, _) = try setup(cli)
        _ = try cli.git("remote", "set-url", "origin", cli.path("gone.git"), in: repo)
        let result = try cli.ops("sync", in: repo)
        #expect(result.status == 3)
        #expect(
            result.stderr.hasPrefix(
                "ops: remote path \(cli.path("gone.git")) does not exist (remote 'origin'). Your commits are kept; point origin at the shared repository (git remote set-url origin PATH)"
            )
                && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("unsupported URL protocol"))
        _ = try cli.git("remote", "set-url", "origin", "file://" + cli.path("gone.git"), in: repo)
        #expect(try cli.ops("sync", in: repo).stderr.hasPrefix("ops: remote path \(cli.path("gone.git")) does not exist"))
        _ = try cli.git("remote", "set-url", "origin", "ssh://127.0.0.1:1/nowhere.git", in: repo)
        let unreachable = try cli.ops("sync", in: repo)
        #expect(unreachable.status == 3 && unreachable.stderr.hasPrefix("ops: cannot reach origin") && unreachable.stderr.split(separator: "\n").count == 1)
        let missing = try cli.ops("sync", "--remote", "backup", in: repo)
        #expect(missing.status == 2 && missing.stderr.contains("git remote add backup URL"))  // a name to fix: bad input
    }

    @Test func syncAutoPushesEachChange() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, bare) = try setup(cli, autoSync: true)
        let opened = try cli.ops("incident", "open", "Checkout slow", "--sev", "SEV2", "--service", "ops_copilot", in: repo)
        #expect(opened.status == 0)
        #expect(opened.stderr.contains("Nothing new from origin/main, pushed."))
        #expect(try cli.git("log", "-1", "--format=%s", "main", in: bare).hasPrefix("incident open"))
        // Commands that write nothing do not sync.
        let listed = try cli.ops("incident", "list", in: repo)
        #expect(!listed.stderr.contains("pushed"))
    }

    @Test func syncAutoNeverFailsNorHoldsUpTheWrite() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let (repo, _) = try setup(cli, autoSync: true)
        // A remote that accepts the connection and never answers.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(listening)
        _ = try cli.git("remote", "set-url", "origin", "ssh://git@127.0.0.1:\(UInt16(bigEndian: address.sin_port))/ops.git", in: repo)

        let start = Date()
        let opened = try cli.ops("incident", "open", "Checkout slow", "--sev", "SEV2", "--service", "ops_copilot", in: repo)
        let took = Date().timeIntervalSince(start)
        #expect(opened.status == 0)
        #expect(opened.stderr.contains("Sync goes on in the background; see .git/ops/auto-sync.log."))
        #expect(took < 8, "the write took \(took) s")
        #expect(try cli.git("log", "-1", "--format=%s", in: repo).hasPrefix("incident open"))

        // An unreachable remote: the change is committed and the command still succeeds.
        _ = try cli.git("remote", "set-url", "origin", cli.path("gone.git"), in: repo)
        let noted = try cli.ops("incident", "open", "Search slow", "--sev", "SEV3", "--service", "search_ranking", in: repo)
        #expect(noted.status == 0)
        #expect(noted.stderr.contains("Not synced (the change is committed; run ops sync later): remote path \(cli.path("gone.git")) does not exist"))
    }
}
