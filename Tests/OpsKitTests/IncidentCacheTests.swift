import Foundation
import Testing
@testable import OpsKit

@Suite struct IncidentCacheTests {
    @Test func theCacheGivesBackExactlyWhatParsingGivesAndFollowsNewCommits() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let tricky = try ops.open("Tabs\there, a \\ backslash,\nand a new line", sev: "SEV3")
        _ = try ops.incidents.change(tricky.id, .assign(role: "comms", person: "bob"), at: nil, author: ops.alice)
        let plain = try ops.open("Search p95 above 800ms", service: "search_ranking")
        _ = try ops.incidents.change(plain.id, .move(to: .resolved), at: nil, author: ops.alice)

        let cachePath = ops.workspace.gitDirectory + "/ops/incidents.cache"
        #expect(!FileManager.default.fileExists(atPath: cachePath))
        let parsed = try IncidentCatalog.load(ops.workspace).incidents.sorted { $0.id < $1.id }
        #expect(FileManager.default.fileExists(atPath: cachePath))
        let cached = try IncidentCatalog.load(ops.workspace).incidents.sorted { $0.id < $1.id }
        #expect(cached == parsed)
        #expect(cached.map(\.title).contains("Tabs\there, a \\ backslash,\nand a new line"))
        #expect(cached.first { $0.id == tricky.id }?.roles.map(\.person) == ["bob"])

        _ = try ops.incidents.change(plain.id, .severity("SEV1"), at: nil, author: ops.alice)
        #expect(try IncidentCatalog.load(ops.workspace).incidents.first { $0.id == plain.id }?.severity == "SEV1")

        // A damaged or foreign cache is ignored and rebuilt, never trusted.
        try "ops incident cache 2\nnot-a-tree\ngarbage\tline\n".write(toFile: cachePath, atomically: true, encoding: .utf8)
        #expect(try IncidentCatalog.load(ops.workspace).incidents.count == 2)
        try FileManager.default.removeItem(atPath: cachePath)
        #expect(try IncidentCatalog.load(ops.workspace).incidents.count == 2)
    }
}
