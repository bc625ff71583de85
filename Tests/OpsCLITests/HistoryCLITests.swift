import Foundation
import Testing

@Suite struct HistoryCLITests {
    /// A name nothing in history matches says what to give instead, exit 2.
    @Test func aNameNoCommitTouchesSaysWhatToGive() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = cli.path("ops")
        #expect(try cli.ops("init", "--example", repo).status == 0)
        let result = try cli.ops("history", "zzzz", in: repo)
        #expect(result.status == 2 && result.stdout.isEmpty)
        #expect(
            result.stderr
                == "ops: no commit touches 'zzzz'. Give an incident, decision or backlog ID (ops incident list, ops decision list, ops backlog list) or a path in the repository\n"
        )
    }

    /// Issue 15, reproduction 5, as two people type it: Bob changes severity, Alice adds a note,
    /// both sync. `ops history ID --field severity` names Bob's commit on both clones.
    @Test func historyOfAFieldNamesTheCommitThatChangedItNotTheMergeThatBroughtItIn() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let alice = cli.path("alice"), bob = cli.path("bob"), bare = cli.path("remote.git")
        let asAlice = ["OPS_USER": "alice"], asBob = ["OPS_USER": "bob"]
        #expect(try cli.ops("init", "--example", alice).status == 0)
        _ = try cli.git("init", "--bare", "-q", "-b", "main", bare, in: cli.home)
        _ = try cli.git("remote", "add", "origin", bare, in: alice)
        let opened = try cli.ops("incident", "open", "Checkout slow", "--sev", "SEV3", "--service", "ops_copilot", in: alice, environment: asAlice)
        let id = opened.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(opened.status == 0 && !id.isEmpty)
        #expect(try cli.ops("sync", in: alice, environment: asAlice).status == 0)
        _ = try cli.git("clone", "-q", bare, bob, in: cli.home)

        #expect(try cli.ops("incident", "sev", id, "SEV2", in: bob, environment: asBob).status == 0)
        let bobsCommit = try cli.git("rev-parse", "HEAD", in: bob).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try cli.ops("sync", in: bob, environment: asBob).status == 0)
        #expect(try cli.ops("incident", "note", id, "rolled back the cache", in: alice, environment: asAlice).status == 0)
        #expect(try cli.ops("sync", in: alice, environment: asAlice).stderr.contains("erge"))  // Alice's clone merges
        #expect(try cli.ops("sync", in: bob, environment: asBob).status == 0)
        #expect(try cli.git("rev-parse", "HEAD^2", in: bob).trimmingCharacters(in: .whitespacesAndNewlines) == bobsCommit)

        for clone in [alice, bob] {
            let result = try cli.ops("history", id, "--field", "severity", "--format", "json", in: clone)
            #expect(result.status == 0)
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(entries.map { $0["action"] as? String } == ["incident.sev", "incident.open"])
            #expect(entries.first?["commit"] as? String == bobsCommit)
            let changes = entries.first?["changes"] as? [[String: Any]]
            #expect(changes?.count == 1 && changes?.first?["field"] as? String == "severity" && changes?.first?["after"] as? String == "SEV2")
            let table = try cli.ops("history", id, "--field", "severity", in: clone).stdout
            #expect(!table.contains("sync.merge") && table.contains("incident.sev  \(bobsCommit.prefix(7))"))
        }
    }
}
