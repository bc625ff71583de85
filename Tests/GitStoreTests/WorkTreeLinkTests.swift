import Foundation
import Testing

@testable import GitStore

/// Writes below a symbolic link are refused as Git refuses them ("beyond a symbolic link").
@Suite struct WorkTreeLinkTests {
    @Test func aWriteBelowALinkedFolderIsRefusedAndNothingOutsideTheRepositoryChanges() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["incidents/2026/11/INC-1/incident.md": "one\n"])
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("outside-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outside) }
        // The incident folder moved elsewhere and linked back: same bytes, so it looks clean.
        try FileManager.default.moveItem(atPath: repo.path + "/incidents/2026/11/INC-1", toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/incidents/2026/11/INC-1", withDestinationPath: outside)
        let head = try repo.repository.head().commit

        #expect(throws: GitStoreError.beyondSymbolicLink(path: "incidents/2026/11/INC-1/incident.md", link: "incidents/2026/11/INC-1")) {
            try repo.commit(["incidents/2026/11/INC-1/incident.md": "two\n"])
        }
        #expect(throws: GitStoreError.beyondSymbolicLink(path: "incidents/2026/11/INC-1/runbook.md", link: "incidents/2026/11/INC-1")) {
            try repo.commit(["incidents/2026/11/INC-1/runbook.md": "new\n"])
        }
        #expect(try String(contentsOfFile: outside + "/incident.md", encoding: .utf8) == "one\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["incident.md"])
        #expect(try repo.repository.head().commit == head)
        // Git agrees: it will not add a path beyond the link either.
        #expect(throws: CommandFailed.self) { try repo.git("add", "incidents/2026/11/INC-1/incident.md") }
    }

    @Test func aLinkElsewhereInTheWorkTreeDoesNotStopOtherWrites() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a/one.md": "1\n"])
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/elsewhere", withDestinationPath: "/tmp")
        #expect(try repo.commit(["a/two.md": "2\n", "b/c/three.md": "3\n"]) != nil)
        #expect(try repo.read("b/c/three.md") == "3\n")
    }
}
