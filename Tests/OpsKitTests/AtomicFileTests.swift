import Foundation
import Testing

@testable import OpsKit

@Suite struct AtomicFileTests {
    @Test func aWriteCreatesTheFolderReplacesTheFileAndLeavesNoTempFile() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let path = folder.path + "/ops/state"
        #expect(AtomicFile.write("first\n", to: path))
        #expect(AtomicFile.write("second\n", to: path))
        #expect(try folder.read("ops/state") == "second\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/ops") == ["state"])
    }

    @Test func aWriteThatCannotBePutInPlaceLeavesNothingBehind() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        // A folder where the file should go: the rename fails, as it would on a full or read-only disk.
        try folder.write("ops/state/kept", "x")
        #expect(!AtomicFile.write("new\n", to: folder.path + "/ops/state"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/ops") == ["state"])
        #expect(try folder.read("ops/state/kept") == "x")
    }
}
