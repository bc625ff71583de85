import Foundation
import Testing

@testable import GitStore

/// The index as ops rewrites it itself (`IndexFile`): Git must read exactly what `git add` would
/// have left, keep the user's staged work, and still see edits made in the same instant.
@Suite struct IndexFileTests {
    @Test func theIndexOpsWritesIsTheOneGitWouldWriteAndKeepsStagedWork() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["incidents/a/incident.md": "a\n", "ops.yaml": "team: x\n", "run.sh": "echo\n"])
        try "echo 2\n".write(toFile: repo.path + "/run.sh", atomically: true, encoding: .utf8)
        try repo.git("add", "run.sh")  // staged by the user: must stay staged
        try "staged\n".write(toFile: repo.path + "/notes.md", atomically: true, encoding: .utf8)
        try repo.git("add", "notes.md")
        try repo.commit(["incidents/b/incident.md": "b\n", "incidents/a/incident.md": "a2\n", "ops.yaml": nil])

        #expect(try repo.git("status", "--porcelain") == "A  notes.md\nM  run.sh\n")
        #expect(
            try repo.git("ls-files", "--stage", "incidents") == """
                100644 \(try repo.git("rev-parse", "HEAD:incidents/a/incident.md").prefix(40)) 0\tincidents/a/incident.md
                100644 \(try repo.git("rev-parse", "HEAD:incidents/b/incident.md").prefix(40)) 0\tincidents/b/incident.md

                """)
        // Git's own check of the file: header, entry order, checksum.
        try repo.git("update-index", "--refresh")
        #expect(try repo.fsck() == "")
        guard case .parsed = try IndexFile.read(repo.path + "/.git/index") else { Issue.record("not parsed"); return }
    }

    @Test func anIndexWhoseChecksumDoesNotMatchIsRefusedAndNothingIsWritten() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        let path = repo.path + "/.git/index"
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        bytes[30] ^= 0x01  // a bit flipped inside the first entry
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(throws: GitStoreError.corruptIndex(path: path)) { try IndexFile.read(path) }
        let head = try repo.git("rev-parse", "HEAD")
        #expect(throws: GitStoreError.corruptIndex(path: path)) { try repo.commit(["b.md": "b\n"]) }
        #expect(try repo.git("rev-parse", "HEAD") == head)
        #expect(!FileManager.default.fileExists(atPath: path + ".lock"))
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/b.md"))
    }

    @Test func anEditMadeInTheSameInstantAsTheIndexIsStillSeenAfterOpsRewritesIt() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "aaaa\n"])
        try repo.git("config", "core.trustctime", "false")  // as on many file systems: only mtime and size tell
        // a.md's entry and the index file carry the same time: Git cannot trust the stat...
        let instant = "@\(Int(Date().timeIntervalSince1970) - 5)"
        _ = try TestRepository.run(["touch", "-d", instant, repo.path + "/a.md"])
        try repo.git("update-index", "--refresh")
        _ = try TestRepository.run(["touch", "-d", instant, repo.path + "/.git/index"])
        // ...so an edit of the same size in that instant is found by content.
        try "bbbb\n".write(toFile: repo.path + "/a.md", atomically: false, encoding: .utf8)
        _ = try TestRepository.run(["touch", "-d", instant, repo.path + "/a.md"])
        #expect(try repo.git("--no-optional-locks", "status", "--porcelain") == " M a.md\n")  // (a status that writes no index)
        // After ops rewrites the index (now later than the entry), Git must still see it.
        try repo.commit(["b.md": "b\n"])
        #expect(try repo.git("status", "--porcelain") == " M a.md\n")
    }

    /// New entries are merged into the old ones in Git's order (no sort): at the start, between,
    /// at the end, replacing an entry, and next to paths it is a prefix of by bytes ("d", "d-x",
    /// "d.y", "d0"; "m.md" before "m/n.md"). Git reads the result as `git add` would leave it.
    @Test func entriesMergedAnywhereComeOutInGitsOrder() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        var random = SplitMix(seed: 7)
        let names = ["0", "Z", "a", "d", "d-x", "d.y", "d0", "dd/x", "m.md", "m/n.md", "z", "é"]
        let sortedByBytes = { (list: [String]) in list.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } }
        try repo.write("new.txt", "new\n")
        let newBlob = String(try repo.git("hash-object", "-w", "new.txt").prefix(40))
        for round in 0..<16 {
            try? FileManager.default.removeItem(atPath: repo.path + "/.git/index")
            let old = names.filter { _ in random.next() % 2 == 0 }
            for name in old {
                try repo.git("update-index", "--add", "--cacheinfo", "100644,\(newBlob.reversed().map(String.init).joined()),\(name)")
            }
            let removing = old.filter { _ in random.next() % 3 == 0 }
            let adding = names.filter { _ in random.next() % 3 == 0 }
            let path = repo.path + "/.git/index"
            guard case .parsed(let index) = try IndexFile.read(path) else { Issue.record("round \(round): not parsed"); return }
            let rewritten = index.updated(
                removing: removing,
                adding: adding.map {
                    IndexFile.NewEntry(path: $0, blob: hexBytes(newBlob), stat: stat(), executable: false)
                })
            _ = FileManager.default.createFile(atPath: path, contents: Data(rewritten))
            // `git ls-files` lists entries in file order, and Git's reader refuses a file out of order.
            let listed = try repo.git("-c", "core.quotePath=false", "ls-files", "--stage").split(separator: "\n")
            let expected = sortedByBytes(Array(Set(old).subtracting(removing).union(adding)))
            #expect(listed.map { String($0.split(separator: "\t")[1]) } == expected, "round \(round)")
            #expect(listed.filter { $0.contains(newBlob) }.map { String($0.split(separator: "\t")[1]) } == sortedByBytes(adding), "round \(round)")
            guard case .parsed = try IndexFile.read(path) else { Issue.record("round \(round): not parsed again"); return }
        }
    }

    /// Git refuses an index whose entries are out of order; so does the parser, leaving it to libgit2.
    @Test func anIndexOutOfOrderIsNotParsed() throws {
        func entry(_ name: String) -> [UInt8] {
            var record = [UInt8](repeating: 0, count: (62 + name.utf8.count + 8) & ~7)
            record[61] = UInt8(name.utf8.count)
            record.replaceSubrange(62..<(62 + name.utf8.count), with: Array(name.utf8))
            return record
        }
        let header: [UInt8] = Array("DIRC".utf8) + [0, 0, 0, 2, 0, 0, 0, 2]
        let zero = [UInt8](repeating: 0, count: 20)
        #expect(IndexFile(bytes: header + entry("a") + entry("b") + zero, modified: timespec()) != nil)
        #expect(IndexFile(bytes: header + entry("b") + entry("a") + zero, modified: timespec()) == nil)
        #expect(IndexFile(bytes: header + entry("a") + entry("a") + zero, modified: timespec()) == nil)
    }

    @Test func indexesItDoesNotKnowAreLeftToLibgit2() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n"])
        try repo.git("update-index", "--index-version", "4")
        guard case .unsupported = try IndexFile.read(repo.path + "/.git/index") else { Issue.record("parsed a v4 index"); return }
        try repo.commit(["b.md": "b\n"])
        #expect(try repo.git("status", "--porcelain") == "")
        #expect(try repo.git("ls-files") == "a.md\nb.md\n")
    }

    /// A zero trailer is not checked (`index.skipHash`), so the entries' own counts and lengths
    /// are all that stands between a crafted file and a trap.
    @Test func aTruncatedOrOvercountedIndexIsLeftToLibgit2WithoutATrap() throws {
        var header: [UInt8] = Array("DIRC".utf8) + [0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF]  // 4 billion entries
        #expect(IndexFile(bytes: header + [UInt8](repeating: 0, count: 20), modified: timespec()) == nil)
        header[11] = 1
        var entry = [UInt8](repeating: 0, count: 62)
        entry[60] = 0x40  // extended flags: two more bytes that are not there
        for cut in 0...2 {
            #expect(IndexFile(bytes: header + entry.dropLast(cut) + [UInt8](repeating: 0, count: 20), modified: timespec()) == nil)
        }
    }

    // MARK: The cache tree (TREE extension)

    @Test func aCommitKeepsTheTreesOffTheChangedPathAndInvalidatesTheTreesOnIt() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit([
            "incidents/2026/01/a/incident.md": "a\n", "incidents/2026/01/b/incident.md": "b\n",
            "incidents/2026/02/c/incident.md": "c\n", "runbooks/db.md": "db\n", "ops.yaml": "team: x\n",
        ])
        try repo.git("write-tree")  // Git records every folder's tree in the index
        let before = try CachedFolder.all(in: repo)
        #expect(before.count == 9 && before.values.allSatisfy { $0.tree != nil })

        try repo.commit(["incidents/2026/01/a/incident.md": "a2\n"])
        let after = try CachedFolder.all(in: repo)
        let onPath = ["", "incidents", "incidents/2026", "incidents/2026/01", "incidents/2026/01/a"]
        #expect(Set(after.keys) == Set(before.keys))
        for path in onPath {
            #expect(after[path] == CachedFolder(entries: -1, subtrees: before[path]!.subtrees, tree: nil), "\(path)")
        }
        for (path, folder) in before where !onPath.contains(path) {
            #expect(after[path] == folder, "\(path)")
            #expect(folder.tree == String(try repo.git("rev-parse", "HEAD:\(path)").prefix(40)))
        }
        // Git reuses what is kept and builds HEAD's tree.
        let head = try repo.git("rev-parse", "HEAD^{tree}")
        #expect(try repo.git("write-tree") == head)
        #expect(try CachedFolder.all(in: repo)[""]?.tree == String(head.prefix(40)))
        #expect(try repo.git("status", "--porcelain") == "")
        #expect(try repo.fsck() == "")
    }

    @Test func aNewFolderAndAFolderLeftEmptyInvalidateOnlyTheirPaths() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["incidents/2026/01/a/incident.md": "a\n", "incidents/2026/02/c/incident.md": "c\n", "runbooks/db.md": "db\n"])
        try repo.git("write-tree")
        let before = try CachedFolder.all(in: repo)

        try repo.commit(["incidents/2026/03/d/incident.md": "d\n", "incidents/2026/02/c/incident.md": nil])
        let after = try CachedFolder.all(in: repo)
        for path in ["", "incidents", "incidents/2026", "incidents/2026/02", "incidents/2026/02/c"] {
            #expect(after[path]?.entries == -1 && after[path]?.tree == nil, "\(path)")
        }
        for path in ["incidents/2026/01", "incidents/2026/01/a", "runbooks"] { #expect(after[path] == before[path], "\(path)") }
        #expect(after["incidents/2026/03"] == nil)  // Git adds folders when it builds trees, not when it invalidates
        #expect(try repo.git("write-tree") == repo.git("rev-parse", "HEAD^{tree}"))
        #expect(try repo.git("status", "--porcelain") == "")
        #expect(try repo.fsck() == "")
    }

    @Test func aFileThatReplacesAFolderRemovesTheFoldersTree() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["d/x.md": "x\n", "e/y.md": "y\n"])
        try repo.git("write-tree")
        let path = repo.path + "/.git/index"
        guard case .parsed(let index) = try IndexFile.read(path) else { Issue.record("not parsed"); return }
        let blob = try repo.git("hash-object", "-w", "e/y.md").prefix(40)  // any blob will do
        let rewritten = index.updated(
            removing: ["d/x.md"],
            adding: [
                IndexFile.NewEntry(path: "d", blob: hexBytes(String(blob)), stat: stat(), executable: false)
            ])
        let folders = try CachedFolder.all(inIndex: rewritten)
        #expect(folders[""] == CachedFolder(entries: -1, subtrees: 1, tree: nil))
        #expect(folders["d"] == nil)
        #expect(folders["e"]?.entries == 1 && folders["e"]?.tree != nil)
        // Git reads the result and builds the tree with "d" as a file.
        _ = FileManager.default.createFile(atPath: path, contents: Data(rewritten))
        let tree = try repo.git("write-tree").prefix(40)
        #expect(try repo.git("ls-tree", "--name-only", String(tree)) == "d\ne\n")
    }

    /// Bytes Git would trust (counts it skips entries by, tree ids it reuses) are never passed on
    /// unless they parse as a whole; anything else is dropped and Git rebuilds it.
    @Test func aMalformedCacheTreeIsDroppedWithoutATrap() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n", "d/x.md": "x\n", "d/y.md": "y\n"])  // 3 entries
        let index = [UInt8](FileManager.default.contents(atPath: repo.path + "/.git/index")!)
        let id = [UInt8](repeating: 0xAB, count: 20)
        func folder(_ name: String, _ counts: String, tree: Bool = true) -> [UInt8] {
            Array(name.utf8) + [0] + Array("\(counts)\n".utf8) + (tree ? id : [])
        }
        let good = folder("", "3 1") + folder("d", "2 0")
        let kept = try rewritten(index, tree: good)
        #expect(kept == folder("", "-1 1", tree: false) + folder("d", "2 0"), "the control case must parse")
        let deep = (0..<10_000).flatMap { folder($0 == 0 ? "" : "n", $0 == 9_999 ? "-1 0" : "-1 1", tree: false) }
        #expect(try rewritten(index, tree: deep) == deep, "deep nesting is read without recursion")

        let malformed: [String: [UInt8]] = [
            "empty": [],
            "no NUL after the name": Array("abc".utf8),
            "truncated in a tree id": Array(good.dropLast(1)),
            "truncated in the counts": Array(good.prefix(3)),
            "bytes after the root": good + folder("e", "1 0"),
            "a root with a name": folder("r", "3 1") + folder("d", "2 0"),
            "a subtree named with a slash": folder("", "3 1") + folder("d/e", "2 0"),
            "more subtrees than present": folder("", "3 2") + folder("d", "2 0"),
            "fewer subtrees than present": folder("", "3 0") + folder("d", "2 0"),
            "entry count -2": folder("", "-2 1", tree: false) + folder("d", "2 0"),
            "entry count not a number": folder("", "x 1") + folder("d", "2 0"),
            "no space": folder("", "3") + folder("d", "2 0"),
            "more entries than the index": folder("", "4 1") + folder("d", "2 0"),
            "a subtree with more entries than its parent": folder("", "2 1") + folder("d", "3 0"),
            "an empty valid subtree": folder("", "3 1") + folder("d", "0 0"),
            "a valid folder over an invalid one": folder("", "3 1") + folder("d", "-1 0", tree: false),
            "a huge entry count": folder("", "99999999999999999999 1") + folder("d", "2 0"),
            "a huge subtree count": folder("", "-1 4294967295", tree: false) + folder("d", "2 0"),
            "more subtrees than bytes": folder("", "-1 999999999", tree: false) + folder("d", "2 0"),
            "a negative subtree count": folder("", "-1 -1", tree: false),
            "deep nesting that runs out": (0..<10_000).flatMap { folder($0 == 0 ? "" : "n", "-1 1", tree: false) },
        ]
        for (name, payload) in malformed.sorted(by: { $0.key < $1.key }) {
            #expect(try rewritten(index, tree: payload) == nil, "\(name)")
        }
    }

    /// libgit2 refuses a cache tree that does not parse (ops then stops before writing anything),
    /// but not one whose counts are wrong: an entry count above the index's, which Git would
    /// trust to skip entries when it builds trees.
    @Test func anOpsCommitOverACacheTreeWithWrongCountsDropsItAndGitRebuildsIt() throws {
        let repo = try TestRepository()
        defer { repo.remove() }
        try repo.commit(["a.md": "a\n", "d/x.md": "x\n"])
        try repo.git("write-tree")
        let path = repo.path + "/.git/index"
        let index = [UInt8](FileManager.default.contents(atPath: path)!)
        let payload = try #require(IndexLayout(index).payload(of: "TREE"))
        let newline = try #require(payload.firstIndex(of: 0x0A))
        #expect(payload[..<newline] == [0] + Array("2 1".utf8)[...])
        let broken = try IndexLayout(index).replacing("TREE", with: [0] + Array("7 1".utf8) + payload[newline...]).withTrailer()
        _ = FileManager.default.createFile(atPath: path, contents: Data(broken))

        try repo.commit(["a.md": "a2\n"])
        #expect(IndexLayout([UInt8](FileManager.default.contents(atPath: path)!)).payload(of: "TREE") == nil)
        #expect(try repo.git("write-tree") == repo.git("rev-parse", "HEAD^{tree}"))
        #expect(try repo.git("status", "--porcelain") == "")
        #expect(try repo.fsck() == "")
    }

    /// The TREE payload ops writes for `index` carrying `tree` after a commit of a.md, nil when dropped.
    private func rewritten(_ index: [UInt8], tree: [UInt8]) throws -> [UInt8]? {
        let file = try #require(IndexFile(bytes: IndexLayout(index).replacing("TREE", with: tree), modified: timespec()))
        let entry = IndexFile.NewEntry(path: "a.md", blob: [UInt8](repeating: 1, count: 20), stat: stat(), executable: false)
        return IndexLayout(file.updated(removing: [], adding: [entry])).payload(of: "TREE")
    }
}

/// One folder of the cache tree, read by the tests' own parser (recursive: the input is Git's).
struct CachedFolder: Equatable, CustomStringConvertible {
    var entries: Int
    var subtrees: Int
    var tree: String?
    var description: String { "\(entries) \(subtrees) \(tree ?? "-")" }

    static func all(in repo: TestRepository) throws -> [String: CachedFolder] {
        try all(inIndex: [UInt8](FileManager.default.contents(atPath: repo.path + "/.git/index")!))
    }

    /// Every folder by path ("" for the root); empty when the index has no cache tree.
    static func all(inIndex index: [UInt8]) throws -> [String: CachedFolder] {
        guard let payload = IndexLayout(index).payload(of: "TREE") else { return [:] }
        var folders: [String: CachedFolder] = [:]
        var offset = 0
        func read(prefix: String) throws {
            let nul = try #require(payload[offset...].firstIndex(of: 0))
            let name = String(decoding: payload[offset..<nul], as: UTF8.self)
            let newline = try #require(payload[nul...].firstIndex(of: 0x0A))
            let counts = String(decoding: payload[(nul + 1)..<newline], as: UTF8.self).split(separator: " ").map { Int($0)! }
            offset = newline + 1
            var tree: String?
            if counts[0] >= 0 {
                tree = payload[offset..<(offset + 20)].map { String(format: "%02x", $0) }.joined()
                offset += 20
            }
            let path = prefix.isEmpty ? name : prefix + "/" + name
            folders[path] = CachedFolder(entries: counts[0], subtrees: counts[1], tree: tree)
            for _ in 0..<counts[1] { try read(prefix: path) }
        }
        try read(prefix: "")
        #expect(offset == payload.count)
        return folders
    }
}

/// A version 2 index split where its entries end, to read and replace its extensions.
struct IndexLayout {
    let bytes: [UInt8]
    let entriesEnd: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var offset = 12
        for _ in 0..<Self.uint32(bytes, 8) {
            let nameLength = Int(bytes[offset + 60] & 0x0F) << 8 | Int(bytes[offset + 61])
            offset += (62 + nameLength + 8) & ~7
        }
        entriesEnd = offset
    }

    var extensions: [(signature: String, payload: [UInt8])] {
        var found: [(String, [UInt8])] = []
        var offset = entriesEnd
        while offset < bytes.count - 20 {
            let size = Int(Self.uint32(bytes, offset + 4))
            found.append((String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self), Array(bytes[(offset + 8)..<(offset + 8 + size)])))
            offset += 8 + size
        }
        return found
    }

    func payload(of signature: String) -> [UInt8]? {
        extensions.first { $0.signature == signature }?.payload
    }

    /// The file with `signature`'s extension replaced by `payload` (put first), trailer zeroed.
    func replacing(_ signature: String, with payload: [UInt8]) -> [UInt8] {
        var out = Array(bytes[..<entriesEnd]) + Array(signature.utf8)
        out += withUnsafeBytes(of: UInt32(payload.count).bigEndian) { Array($0) } + payload
        for (other, otherPayload) in extensions where other != signature {
            out += Array(other.utf8) + withUnsafeBytes(of: UInt32(otherPayload.count).bigEndian) { Array($0) } + otherPayload
        }
        return out + [UInt8](repeating: 0, count: 20)
    }

    private static func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

extension Array where Element == UInt8 {
    /// The index bytes with their SHA-1 trailer computed (by `sha1sum`, as Git would check it).
    func withTrailer() throws -> [UInt8] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let body = Array(self.dropLast(20))
        _ = FileManager.default.createFile(atPath: file, contents: Data(body))
        return body + hexBytes(String(try TestRepository.run(["sha1sum", file]).prefix(40)))
    }
}

func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        bytes.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// A small seeded generator (SplitMix64), so a randomized test is the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
