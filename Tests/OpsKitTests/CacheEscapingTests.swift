import Foundation
import Testing

@testable import OpsKit

/// The cache and index files join fields with tabs, line breaks and separator characters; a
/// text or path holding one must come back as it went in, from the file as from Git.
@Suite struct CacheEscapingTests {
    @Test(arguments: ["plain", "a\tb", "\r\n", "\n\u{301}combining", "\\", "\\N", "\\t", "x\u{1E}y\u{1F}z\u{0}", "\u{1E}\u{301}", "é🚨"])
    func anEscapedTextHoldsNoSeparatorAndReadsBack(text: String) {
        let escaped = BackslashEscapes.encode(text, BackslashEscapes.separators)
        #expect(!escaped.unicodeScalars.contains { ["\t", "\n", "\r", "\u{1E}", "\u{1F}", "\u{0}"].contains($0) })
        #expect(BackslashEscapes.decode(escaped, BackslashEscapes.separators) == text)
    }

    @Test func anIncidentWhoseTextHoldsTheCacheSeparatorsReadsBackFromTheCache() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        var request = IncidentService.OpenRequest(title: "A tab\there, \\N and \\\\N, a line\nbreak", severity: "SEV2", service: "ops_copilot")
        request.tags = ["split\u{1E}me", "pair\u{1F}half", "\\N"]
        request.alerts = ["\u{1E}"]
        let incident = try ops.incidents.open(request, author: ops.alice)
        let parsed = try IncidentCatalog.load(ops.workspace).incidents  // parses, writes the cache
        let cached = try IncidentCatalog.load(ops.workspace).incidents  // reads the cache
        #expect(FileManager.default.fileExists(atPath: ops.workspace.gitDirectory + "/ops/incidents.cache"))
        #expect(cached == parsed)
        #expect(cached.first?.title == incident.title)
        #expect(cached.first?.tags == ["split\u{1E}me", "pair\u{1F}half", "\\N"])
        #expect(cached.first?.alerts == ["\u{1E}"])
    }

    @Test func aPathHoldingATabOrALineBreakKeepsItsHistoryAndItsPostmortem() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let odd = "notes/a\ttab and a\nline break.md"
        try ops.folder.write(odd, "x\n")
        _ = try git(ops.folder.path, "add", "--", odd)
        _ = try git(ops.folder.path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "odd path")
        let built = try HistoryIndex.load(ops.workspace)
        let read = try HistoryIndex.load(ops.workspace)  // from .git/ops/history.index
        #expect(built.commits(touching: { $0 == odd }).count == 1)
        #expect(read.commits(touching: { $0 == odd }) == built.commits(touching: { $0 == odd }))
        #expect(read.commits(touching: { $0 == "notes/a" || $0.hasPrefix("line break") }).isEmpty)
        // Lines passed over by their bytes lose no path: text without escapes is found in the
        // escaped line; text with a tab or line break in it passes over nothing.
        #expect(read.commits(touching: { $0 == odd }, mentioning: "tab and a") == built.commits(touching: { $0 == odd }))
        #expect(read.commits(touching: { $0 == odd }, mentioning: odd) == built.commits(touching: { $0 == odd }))
        #expect(read.commits(touching: { $0 == odd }, mentioning: "not in it").isEmpty)
        // Swift reads U+212A KELVIN SIGN as "K": a path written with it is not passed over for lacking "K".
        let kelvin = "notes/\u{212A}elvin.md"
        try ops.folder.write(kelvin, "x\n")
        _ = try git(ops.folder.path, "add", "--", kelvin)
        _ = try git(ops.folder.path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "kelvin")
        _ = try HistoryIndex.load(ops.workspace)  // brings the index file up to date
        let reread = try HistoryIndex.load(ops.workspace)
        #expect(reread.commits(touching: { $0 == "notes/Kelvin.md" }).count == 1)
        #expect(reread.commits(touching: { $0 == "notes/Kelvin.md" }, mentioning: "notes/Kelvin.md").count == 1)

        let incident = try ops.open()
        let postmortem =
            (incident.path as NSString).deletingLastPathComponent.replacingOccurrences(of: "/\(incident.id)", with: "/odd\tfolder") + "/postmortem.md"
        try ops.folder.write(postmortem, "# x\n")
        _ = try git(ops.folder.path, "add", "--", postmortem)
        _ = try git(ops.folder.path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "odd postmortem")
        #expect(try PostmortemIndex.files(ops.workspace).map(\.path) == [postmortem])
        #expect(try PostmortemIndex.files(ops.workspace).map(\.path) == [postmortem])  // from .git/ops/postmortems.index
    }
}
