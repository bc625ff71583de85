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

    @Test func aFileWrittenInPiecesHoldsThemInOrderAcrossItsWrites() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        // Longer than the 64 KiB each write sends, with bytes between texts and a character of
        // several bytes on each side of a write's end.
        let line = "incident — é 🚨\t" + String(repeating: "x", count: 983) + "\n"
        let bytes = Data(String(repeating: "bytes ✓\n", count: 20_000).utf8)
        var expected = Data()
        #expect(
            AtomicFile.write(to: folder.path + "/ops/cache") { out in
                for round in 0..<3 {
                    for _ in 0..<100 { out.append(line) }
                    expected += Data(String(repeating: line, count: 100).utf8)
                    if round == 1 {
                        out.append(bytes)
                        expected += bytes
                    }
                }
            })
        #expect(FileManager.default.contents(atPath: folder.path + "/ops/cache") == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/ops") == ["cache"])
    }

    @Test func aWriteClearsWhatAWriteKilledHalfwayLeftButNotAWriteInProgress() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        // A process that no longer runs (pid_max is at most 2^22) and one that does (ours, the
        // test runner's parent): what a kill -9 left, and another process's write under way.
        try folder.write("ops/cache.4999999.tmp", "half")
        try folder.write("ops/cache.\(getppid()).tmp", "under way")
        #expect(AtomicFile.write("whole\n", to: folder.path + "/ops/cache"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/ops").sorted() == ["cache", "cache.\(getppid()).tmp"])
        #expect(try folder.read("ops/cache") == "whole\n")
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

@Suite struct AtomicFileDurableTests {
    @Test func aDurableWriteReplacesTheFileWholeAndLeavesNoTempFile() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let path = folder.path + "/message.json"
        try AtomicFile.writeDurably(Data("first\n".utf8), to: path)
        try AtomicFile.writeDurably(Data("second\n".utf8), to: path)
        #expect(try folder.read("message.json") == "second\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["message.json"])
        AtomicFile.removeDurably(path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func aDurableWriteThatCannotBePutInPlaceThrowsAndLeavesNothingBehind() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        try folder.write("message.json/kept", "x")
        #expect(throws: OpsError.self) { try AtomicFile.writeDurably(Data("new\n".utf8), to: folder.path + "/message.json") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["message.json"])
    }

    @Test func tempFilesAreKnownByTheNameOfTheFileTheyWereFor() {
        #expect(AtomicFile.isTempFile(("m.json" as NSString).lastPathComponent + ".123.tmp", of: "m.json"))
        #expect(AtomicFile.tempPath(for: "/x/m.json") == "/x/m.json.\(getpid()).tmp")
        #expect(!AtomicFile.isTempFile("m.json.abc.tmp", of: "m.json"))
        #expect(!AtomicFile.isTempFile("m.json.12.tmp", of: "n.json"))
        #expect(!AtomicFile.isTempFile("m.json..tmp", of: "m.json"))
    }
}
