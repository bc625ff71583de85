import Foundation
import Testing

@testable import OpsKit

/// A file in `.git/ops/` is derived: damaged (cut short, a line lost, doubled or changed, a
/// number no clock holds), it may only make the next run slower. Every answer stays the one
/// made from Git alone, and the file is made again whole.
@Suite struct DamagedCacheTests {
    static let damages: [(name: String, damage: @Sendable ([String]) -> [String])] = [
        ("last record lost", { lines in lines.enumerated().filter { $0.offset != lines.count - 2 }.map(\.element) }),
        ("header only", { lines in Array(lines.prefix(2)) }),
        ("a record doubled", { lines in Array(lines.prefix(3)) + Array(lines.dropFirst(2)) }),
        ("no checksum line", { lines in Array(lines.dropLast()) }),
        (
            "a clock no date holds",
            { lines in
                lines.enumerated().map { index, line in
                    index == 2
                        ? line.split(separator: "\t", omittingEmptySubsequences: false).enumerated().map { $0.offset == 17 ? "nan" : String($0.element) }
                            .joined(separator: "\t") : line
                }
            }
        ),
    ]

    @Test(arguments: damages.indices)
    func aDamagedParseCacheIsReadAsMissing(damage: Int) throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        for title in ["Checkout 5xx", "Search p95 above 800ms", "Feature store lag"] { _ = try ops.open(title) }
        let reference = try IncidentCatalog.load(ops.workspace).incidents  // parses, writes the cache
        let path = ops.workspace.gitDirectory + "/ops/incidents.cache"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.count == 2 + 3 + 1)
        let damaged = Self.damages[damage].damage(lines)
        try (damaged.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        #expect(try IncidentCatalog.load(ops.workspace).incidents == reference, "\(Self.damages[damage].name)")
        #expect(try IncidentCatalog.load(ops.workspace, where: { _ in true }).incidents == reference)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == (lines.joined(separator: "\n") + "\n"), "made again whole")
    }

    @Test func aDamagedHistoryIndexIsBuiltAgain() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        _ = try ops.incidents.change(incident.id, .move(to: .acknowledged), at: nil, author: ops.alice)
        _ = try ops.incidents.change(incident.id, .move(to: .resolved), at: nil, author: ops.alice)
        let history = HistoryService(ops.workspace)
        let reference = try history.history(of: incident.id).map(\.commit)
        #expect(reference.count == 3)
        let path = ops.workspace.gitDirectory + "/ops/history.index"
        let whole = try String(contentsOfFile: path, encoding: .utf8)
        let lines = whole.split(separator: "\n").map(String.init)
        let damages = [
            Array(lines.prefix(1)),  // cut after the header
            lines.enumerated().filter { $0.offset != 1 }.map(\.element),  // the newest commit lost
            [lines[0], String(repeating: "0", count: 40) + "\t" + incident.path] + lines.dropFirst(),  // a commit Git does not have
        ]
        for damaged in damages {
            try (damaged.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try history.history(of: incident.id).map(\.commit) == reference)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == whole, "made again whole")
        }
    }

    /// A month's line that lost its postmortem would hide it from the review and `ops postmortem list`.
    @Test func aDamagedPostmortemIndexIsBuiltAgain() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let postmortem = (incident.path as NSString).deletingLastPathComponent + "/postmortem.md"
        try ops.folder.write(postmortem, "# Postmortem\n")
        _ = try git(ops.folder.path, "add", "--", postmortem)
        _ = try git(ops.folder.path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "postmortem")
        #expect(try PostmortemIndex.files(ops.workspace).map(\.path) == [postmortem])
        let path = ops.workspace.gitDirectory + "/ops/postmortems.index"
        let whole = try String(contentsOfFile: path, encoding: .utf8)
        let lines = whole.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)  // header, one month, checksum
        let month = String(lines[1].prefix { $0 != "\t" })
        for damaged in [[lines[0], month, lines[2]], [lines[0], month]] {
            try (damaged.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try PostmortemIndex.files(ops.workspace).map(\.path) == [postmortem])
            #expect(try String(contentsOfFile: path, encoding: .utf8) == whole, "made again whole")
        }
    }
}
