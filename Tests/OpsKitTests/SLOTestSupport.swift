import Foundation
import Testing

@testable import OpsKit

/// An ops repository with the example configuration plus the SLO starter files (catalog and
/// the three policies), committed; a test clock at 2026-11-23T09:00:00Z.
struct SLOFixture {
    let base: OpsFixture

    init() throws {
        base = try OpsFixture()
        base.clock.set("2026-11-23T09:00:00Z")
        let root = base.folder.path
        // `ops init --example` may install them already; add only what is missing.
        try base.workspace.commit(action: "test", subject: "SLO starter files", author: base.alice) { snapshot in
            try SLOStarter.files.filter { file in
                try snapshot.read(file.path) == nil && !FileManager.default.fileExists(atPath: root + "/" + file.path)
            }.map { .write($0.path, $0.content) }
        }
    }

    var workspace: Workspace { base.workspace }
    var importer: SLOImporter { SLOImporter(workspace) }
    var alice: Author { base.alice }
    var folder: TempFolder { base.folder }

    func commitCount() throws -> Int { try base.commitCount() }

    func status(at time: String = "2026-11-23T00:00:00Z", useCase: String? = nil) throws -> SLOStatusReport {
        try SLOStatusService(workspace).status(useCase: useCase, at: Timestamp.parse(time)!)
    }

    /// Writes a work-tree file and commits it, as a person editing by hand would.
    func commitFile(_ path: String, _ text: String) throws {
        try workspace.commit(action: "test", subject: "edit \(path)", author: alice) { _ in [.write(path, text)] }
    }

    /// Snapshot files in the work tree.
    func snapshotFiles() -> [String] { workspace.workTreeFiles(under: SnapshotLayout.folder, extensions: ["yaml"]) }

    func remove() { base.remove() }

    // MARK: Fixture files

    static func data(_ name: String) throws -> Data {
        let url = Bundle.module.url(
            forResource: "Fixtures/slo/" + (name as NSString).deletingPathExtension,
            withExtension: (name as NSString).pathExtension)!
        return try Data(contentsOf: url)
    }

    static func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }

    static func input(_ name: String) throws -> SourceInput { SourceInput(name: name, data: try data(name)) }

    /// The Prometheus fixture pair, optionally edited first.
    @discardableResult
    func importPrometheus(
        good: SourceInput? = nil, total: SourceInput? = nil, useCase: String = "ops_copilot",
        sli: String = "availability"
    ) throws -> SLOImporter.Summary {
        try importer.importPrometheus(
            good: good ?? Self.input("ops_copilot_good.json"), total: total ?? Self.input("ops_copilot_total.json"),
            useCase: useCase, sli: sli, author: alice)
    }
}

/// `body` must fail as bad input does at the command line: an OpsError of exit code 2 whose
/// one-line message holds every piece of `fragments`, with no commit and no file written.
func expectRefused(
    _ fixture: SLOFixture, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) throws {
    let commits = try fixture.commitCount()
    let files = fixture.snapshotFiles()
    let catalog = try fixture.folder.read(SLOCatalog.path)
    do {
        try body()
        Issue.record("expected a refusal containing \(fragments)", sourceLocation: sourceLocation)
    } catch let error as OpsError {
        #expect(error.exitCode == 2, "\(error.message)", sourceLocation: sourceLocation)
        #expect(!error.message.contains("\n"), "\(error.message)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.message.contains(fragment), "\(error.message) lacks \(fragment)", sourceLocation: sourceLocation)
        }
    }
    #expect(try fixture.commitCount() == commits, sourceLocation: sourceLocation)
    #expect(fixture.snapshotFiles() == files, sourceLocation: sourceLocation)
    #expect(try fixture.folder.read(SLOCatalog.path) == catalog, sourceLocation: sourceLocation)
}

/// `count` one-hour steps of `good` and `total` events each, the last ending at `end`.
func hourlySteps(count: Int, good: Decimal, total: Decimal, endingAt end: String) -> [EventCounts] {
    let last = Timestamp.parse(end)!
    return (0..<count).reversed().map { back in
        let start = last.addingTimeInterval(-Double(back + 1) * 3600)
        return EventCounts(start: start, end: start.addingTimeInterval(3600), good: good, total: total)
    }
}
