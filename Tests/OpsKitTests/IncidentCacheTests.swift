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

    /// An incident folder copied by hand holds a file with the same bytes: one blob, two paths.
    /// Both are listed when the cache is made, and again from it.
    @Test func twoFilesWithTheSameBytesAreBothListedFromTheCacheToo() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let first = try ops.open("Checkout 5xx")
        _ = try ops.open("Search p95 above 800ms", service: "search_ranking")
        let copy = first.path.replacingOccurrences(of: first.id, with: first.id.prefix(13) + "ZZZZZZZ1")
        try ops.folder.write(copy, try ops.file(first))
        _ = try git(ops.folder.path, "add", copy)
        _ = try git(ops.folder.path, "commit", "-q", "-m", "A copy by hand")
        let cachePath = ops.workspace.gitDirectory + "/ops/incidents.cache"
        try? FileManager.default.removeItem(atPath: cachePath)
        let parsed = try IncidentCatalog.load(ops.workspace).incidents.map(\.path)
        let cached = try IncidentCatalog.load(ops.workspace).incidents.map(\.path)
        #expect(parsed.count == 3)
        #expect(parsed.contains(copy))
        #expect(cached == parsed)
        #expect(try String(contentsOfFile: cachePath, encoding: .utf8).split(separator: "\n").count == 2 + 3 + 1)  // header, tree, records, checksum
    }

    @Test func aFilteredLoadKeepsExactlyWhatTheFilterWantsFromTheCacheAndWithoutIt() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        for (index, title) in ["Checkout 5xx", "Search p95 above 800ms", "Feature store lag", "Drift on device_age_days"].enumerated() {
            let incident = try ops.open(title, sev: index % 2 == 0 ? "SEV2" : "SEV3")
            if index % 2 == 1 { _ = try ops.incidents.change(incident.id, .move(to: .resolved), at: nil, author: ops.alice) }
        }
        let keep: (Incident) -> Bool = { $0.severity == "SEV3" }
        let cachePath = ops.workspace.gitDirectory + "/ops/incidents.cache"
        try? FileManager.default.removeItem(atPath: cachePath)
        let parsed = try IncidentCatalog.load(ops.workspace, where: keep).incidents  // parses, fills the cache
        let cached = try IncidentCatalog.load(ops.workspace, where: keep).incidents  // streams the cache
        let all = try IncidentCatalog.load(ops.workspace).incidents
        #expect(parsed.count == 2)
        #expect(parsed == all.filter(keep))
        #expect(cached == parsed)
        #expect(all.count == 4)
    }

    /// A cold run at 100k incidents stores 35 MB of records: past a limit they go to a temp file,
    /// read back a window at a time. The cache saved from there is byte for byte the one saved
    /// from memory, whatever the order asked, with records bigger than a window, or half of
    /// them still in memory; nothing is left beside it.
    @Test func recordsWrittenOnToATempFileSaveTheSameCache() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        for title in ["Checkout 5xx", "Tabs\there, a \\ backslash", "Feature store lag", "Drift on device_age_days", "Search p95"] {
            _ = try ops.open(title)
        }
        let folder = ops.workspace.gitDirectory + "/ops"
        let cachePath = folder + "/incidents.cache"
        try? FileManager.default.removeItem(atPath: cachePath)
        let incidents = try IncidentCatalog.load(ops.workspace).incidents
        let files = try ops.workspace.committedFiles(under: "incidents")
        let tree = try #require(try ops.workspace.committedEntryID("incidents")).hex
        let orders = [files, Array(files.reversed()), [files[2], files[0], files[4], files[1], files[3]]]
        func saved(order: Int, held: Int, window: Int) throws -> Data {
            let path = folder + "/spilled"
            defer { try? FileManager.default.removeItem(atPath: path) }
            var cache = IncidentCache(path: path, data: nil, held: held, window: window)
            for file in files { cache.store(try #require(incidents.first { $0.path == file.path }), for: file) }
            cache.save(keeping: orders[order], tree: tree)
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        #expect(try saved(order: 0, held: Int.max, window: 1) == Data(contentsOf: URL(fileURLWithPath: cachePath)))
        for order in orders.indices {
            let inMemory = try saved(order: order, held: Int.max, window: 1)
            for (held, window) in [(1, 1), (1, 64), (1, 700), (300, 100), (1 << 20, 1 << 20)] {
                #expect(try saved(order: order, held: held, window: window) == inMemory, "order \(order), held \(held), window \(window)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains("spill") }.isEmpty)
    }

    /// A process killed between opening its temp file and removing its name left the file: the
    /// next save of the cache removes it.
    @Test func aTempFileLeftByAKilledProcessIsRemoved() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        _ = try ops.open("Checkout 5xx")
        let folder = ops.workspace.gitDirectory + "/ops"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let left = folder + "/incidents.cache-spill.\(dead.processIdentifier).tmp"
        try Data("half a record".utf8).write(to: URL(fileURLWithPath: left))
        _ = try IncidentCatalog.load(ops.workspace)
        #expect(!FileManager.default.fileExists(atPath: left))
        #expect(FileManager.default.fileExists(atPath: folder + "/incidents.cache"))
    }

    @Test func thePostmortemIndexFindsEveryPostmortemAndFollowsNewOnes() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let first = try ops.open("Checkout 5xx", sev: "SEV1")
        _ = try ops.incidents.change(first.id, .move(to: .resolved), at: nil, author: ops.alice)
        let second = try ops.open("Search p95 above 800ms", sev: "SEV2")
        _ = try ops.incidents.change(second.id, .move(to: .resolved), at: nil, author: ops.alice)
        let postmortems = PostmortemService(ops.workspace)
        _ = try postmortems.create(first.id, author: ops.alice)
        let indexPath = ops.workspace.gitDirectory + "/ops/postmortems.index"
        #expect(
            try PostmortemIndex.files(ops.workspace).map(\.path) == [
                IncidentLocator.path(for: DocumentID(first.id, kind: "INC")!).replacingOccurrences(of: "incident.md", with: "postmortem.md")
            ])
        #expect(FileManager.default.fileExists(atPath: indexPath))
        // The month folder changed: its list is read again.
        _ = try postmortems.create(second.id, author: ops.alice)
        let both = try PostmortemIndex.files(ops.workspace)
        #expect(both.count == 2)
        #expect(both == (try ops.workspace.committedFiles(under: "incidents").filter { $0.path.hasSuffix("/postmortem.md") }))
        // A damaged index is ignored and rebuilt.
        try "ops postmortem index 1\nnot-an-id\tzzz\n".write(toFile: indexPath, atomically: true, encoding: .utf8)
        #expect(try PostmortemIndex.files(ops.workspace) == both)
    }
}
