import Foundation
import Testing

@testable import OpsKit

/// `ops stats` and `ops incident list` read `.git/ops/incidents.columns` instead of parsing
/// incidents: what it gives back must be exactly what the incidents say, for the tree at HEAD.
@Suite struct IncidentColumnsTests {
    /// Incidents with awkward values: a title with tabs, new lines, a backslash and non-ASCII;
    /// open, acknowledged and resolved ones, so clock points are known and missing.
    static func awkward(_ ops: OpsFixture) throws -> [Incident] {
        let tricky = try ops.open("Tabs\there, a \\ backslash,\nand a new line: é 🔥", sev: "SEV1")
        _ = try ops.incidents.change(tricky.id, .assign(role: "comms", person: "bob"), at: nil, author: ops.alice)
        _ = try ops.incidents.change(tricky.id, .move(to: .acknowledged), at: nil, author: ops.alice)
        let plain = try ops.open("Search p95 above 800ms", service: "search_ranking")
        ops.clock.advance(minutes: 42)
        _ = try ops.incidents.change(plain.id, .move(to: .resolved), at: nil, author: ops.alice)
        _ = try ops.open("Feature store lag", sev: "SEV3")
        return try IncidentCatalog.load(ops.workspace).incidents
    }

    @Test func theColumnsFileGivesBackWhatTheIncidentsSayAndFollowsNewCommits() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incidents = try Self.awkward(ops)
        let path = IncidentColumnsFile.path(gitDirectory: ops.workspace.gitDirectory)
        #expect(!FileManager.default.fileExists(atPath: path))

        let built = try IncidentColumns.load(ops.workspace)
        #expect(built.problems.isEmpty)
        #expect(built.columns == IncidentColumns(incidents))
        #expect(FileManager.default.fileExists(atPath: path))
        let read = try IncidentColumns.load(ops.workspace).columns
        #expect(read == IncidentColumns(incidents))
        #expect(read.titles.contains("Tabs\there, a \\ backslash,\nand a new line: é 🔥"))
        #expect(Set(read.services.map { $0 ?? "none" }) == ["search_ranking", "ops_copilot"])
        let resolved = read.ids.firstIndex(of: incidents.first { $0.title.hasPrefix("Search") }!.id)!
        #expect(read.duration(.timeToResolve, clockStart: .detected, resolved) == Double(42 * 60))
        #expect(read.date(.acknowledged, resolved) == nil)

        // A new commit is a new tree: the file is read only for the tree it was written for.
        let fourth = try ops.open("Drift on device_age_days", sev: "SEV4")
        let after = try IncidentColumns.load(ops.workspace).columns
        #expect(after.count == 4)
        #expect(after.ids.contains(fourth.id))
        #expect(after == IncidentColumns(try IncidentCatalog.load(ops.workspace).incidents))
    }

    @Test func aDamagedOrForeignColumnsFileIsIgnoredAndWrittenAgain() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let expected = IncidentColumns(try Self.awkward(ops))
        let path = IncidentColumnsFile.path(gitDirectory: ops.workspace.gitDirectory)
        _ = try IncidentColumns.load(ops.workspace)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))

        var damaged: [Data] = [good.prefix(good.count - 3), good + Data([0]), Data("ops incident columns 0\n".utf8) + good.dropFirst(23)]
        // A string number out of range: the first id points past the string table.
        var outOfRange = good
        let rowsAt = good.firstIndex(of: 0x0A)! + 42
        let strings = Int(outOfRange[rowsAt + 4])
        let idsAt =
            rowsAt + 8 + 4 * strings
            + good[(rowsAt + 8)..<(rowsAt + 8 + 4 * strings)].withUnsafeBytes { raw in
                (0..<strings).reduce(0) { $0 + Int(raw.loadUnaligned(fromByteOffset: $1 * 4, as: UInt32.self)) }
            }
        outOfRange.replaceSubrange(idsAt..<(idsAt + 4), with: [0xFE, 0xFF, 0, 0])
        damaged.append(outOfRange)
        // One byte of the first incident's opening time changed (by about 36 hours): every count
        // and length still holds, the figures would not. Columns are in ClockPoint order, three rows each.
        var clock = good
        let column = ClockPoint.allCases.firstIndex(of: .opened)!
        let opened = clock.count - 23 - 8 * 3 * ClockPoint.allCases.count + 8 * 3 * column
        let time = clock[opened..<opened + 8].withUnsafeBytes { Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect(time == expected.clock[column][0] && time.isFinite)
        clock[opened + 5] ^= 0x02
        damaged.append(clock)
        for bytes in damaged {
            try bytes.write(to: URL(fileURLWithPath: path))
            #expect(try IncidentColumns.load(ops.workspace).columns == expected)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == good)
        }
    }

    @Test func anIncidentThatDoesNotReadIsReportedEveryTimeAndNothingIsKept() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        _ = try ops.open("Checkout 5xx")
        try ops.folder.write("incidents/2026/11/INC-20261120-BROKEN01/incident.md", "---\nid: [unclosed\n---\n")
        _ = try git(ops.folder.path, "add", "-A")
        _ = try git(ops.folder.path, "commit", "-qm", "A file by hand")
        for _ in 0..<2 {
            let loaded = try IncidentColumns.load(ops.workspace)
            #expect(loaded.columns.count == 1)
            #expect(loaded.problems.count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: IncidentColumnsFile.path(gitDirectory: ops.workspace.gitDirectory)))
    }

    @Test func statsFromTheColumnsFileAreTheStatsOfTheIncidents() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incidents = try Self.awkward(ops)
        let config = try ops.workspace.config()
        _ = try IncidentColumns.load(ops.workspace)
        let columns = try IncidentColumns.load(ops.workspace).columns
        for grouping in [nil] + StatsGrouping.allCases {
            let fromIncidents = ResponseMetrics.compute(incidents, config: config, scope: nil, scopeLabel: nil, groupBy: grouping, now: ops.clock.now)
            let fromColumns = ResponseMetrics.compute(columns, config: config, scope: nil, scopeLabel: nil, groupBy: grouping, now: ops.clock.now)
            #expect(try JSONOutput.render(fromColumns) == (try JSONOutput.render(fromIncidents)))
            #expect(fromColumns.open.count == 2)
        }
    }
}
