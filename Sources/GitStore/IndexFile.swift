import Crypto
import Foundation

/// Git's index file (`.git/index`, versions 2 and 3), read and updated without libgit2 for the
/// one thing a commit needs: a few entries replaced, added or removed. libgit2 1.5 parses every
/// entry and hashes the whole file with collision-detecting SHA-1 on each read and each write:
/// about 14 ms of a commit at 10k incidents. Here the entries stay bytes, found by their paths,
/// and are copied through; the trailer is plain SHA-1, as Git writes it.
///
/// Anything this does not know is left to libgit2 (`read` returns nil): version 4 (prefix-
/// compressed paths), a required extension (lower-case signature, such as a split index `link`),
/// a file that does not parse. The cache tree (`TREE`) is kept with the changed paths
/// invalidated, as Git does it (`CacheTree`), or dropped when it does not parse. Resolve-undo
/// (`REUC`) is kept. Other optional extensions are dropped when rewriting, as Git allows: the
/// offset tables (`EOIE`, `IEOT`) would point to the wrong places, and the untracked cache
/// (`UNTR`) would be stale. Git invalidates that one per path too (`untracked_cache_invalidate_path`
/// in dir.c, on every entry added or removed), but doing so means clearing bits in its
/// EWAH-compressed bitmaps and the per-folder stat and id records they index, a second format
/// to parse from hostile bytes; Git adds it back on the next `git status` when
/// `core.untrackedCache` is true.
struct IndexFile {
    /// One entry, as places in `bytes`: no copy of its path is made, so reading 10k entries
    /// allocates nothing per entry.
    struct Entry {
        var range: Range<Int>
        var path: Range<Int>
        var stage: Int
    }

    /// A new entry: the committed blob with the stat of the file just renamed into place.
    struct NewEntry {
        var path: String
        var blob: [UInt8]  // 20 bytes
        var stat: stat
        var executable: Bool
    }

    let bytes: [UInt8]
    let version: UInt32
    let entries: [Entry]
    /// Extensions kept when rewriting: signature and whole bytes (header included).
    let keptExtensions: [ArraySlice<UInt8>]
    /// Where the cache tree's content (after its 8-byte header) is, if the file has one.
    let cacheTree: Range<Int>?
    /// The index file's modification time: entries changed at or after it are "racily clean".
    let modified: timespec

    /// What reading the index found.
    enum ReadResult {
        case parsed(IndexFile)
        /// No index yet (a repository without a commit made by Git).
        case missing
        /// A valid file this parser leaves to libgit2 (version 4, a required extension).
        case unsupported
    }

    /// Reads and checks the index at `path`. Throws `corruptIndex` when its trailer checksum
    /// does not match its content, as Git refuses such a file (a zero trailer, written with
    /// `index.skipHash`, is not checked, as in Git).
    static func read(_ path: String) throws -> ReadResult {
        guard let (bytes, info) = try readWhole(path) else { return .missing }
        guard bytes.count >= 12 + 20 else { throw GitStoreError.corruptIndex(path: path) }
        let trailer = bytes[(bytes.count - 20)...]
        if trailer.contains(where: { $0 != 0 }), !Insecure.SHA1.hash(data: bytes[..<(bytes.count - 20)]).elementsEqual(trailer) {
            throw GitStoreError.corruptIndex(path: path)
        }
        guard let file = IndexFile(bytes: bytes, modified: info.st_mtim) else { return .unsupported }
        return .parsed(file)
    }

    /// An index with no entries, as Git writes one.
    static var empty: IndexFile {
        var bytes: [UInt8] = [0x44, 0x49, 0x52, 0x43, 0, 0, 0, 2, 0, 0, 0, 0]
        bytes += Insecure.SHA1.hash(data: bytes)
        return IndexFile(bytes: bytes, modified: timespec())!
    }

    init?(bytes: [UInt8], modified: timespec) {
        self.bytes = bytes
        self.modified = modified
        guard bytes.count >= 12 + 20, bytes[0..<4] == [0x44, 0x49, 0x52, 0x43] else { return nil }  // "DIRC"
        version = Self.uint32(bytes, 4)
        guard version == 2 || version == 3 else { return nil }
        let end = bytes.count - 20
        let count = Int(Self.uint32(bytes, 8)), version = version
        guard let entries = bytes.withUnsafeBufferPointer({ Self.readEntries($0, count: count, version: version) }) else { return nil }
        var offset = entries.last?.range.upperBound ?? 12
        var kept: [ArraySlice<UInt8>] = []
        var cacheTree: Range<Int>?
        while offset < end {
            guard offset + 8 <= end else { return nil }
            let signature = bytes[offset..<(offset + 4)]
            let size = Int(Self.uint32(bytes, offset + 4))
            guard offset + 8 + size <= end else { return nil }
            if signature.first.map({ $0 < 0x41 || $0 > 0x5A }) ?? true { return nil }  // required: leave it to libgit2
            if signature.elementsEqual("REUC".utf8) { kept.append(bytes[offset..<(offset + 8 + size)]) }
            if signature.elementsEqual("TREE".utf8) { cacheTree = (offset + 8)..<(offset + 8 + size) }  // the last one, as Git reads it
            offset += 8 + size
        }
        self.entries = entries
        self.keptExtensions = kept
        self.cacheTree = cacheTree
    }

    /// The `count` entries from offset 12, nil when they do not parse or are out of Git's order.
    /// Read through a buffer pointer: 10k incidents are 10k entries.
    private static func readEntries(_ bytes: UnsafeBufferPointer<UInt8>, count: Int, version: UInt32) -> [Entry]? {
        let end = bytes.count - 20
        var offset = 12
        var entries: [Entry] = []
        entries.reserveCapacity(min(count, (end - 12) / 64))  // the count is input: an entry takes at least 64 bytes
        for _ in 0..<count {
            guard offset + 62 <= end else { return nil }
            let flags = Int(bytes[offset + 60]) << 8 | Int(bytes[offset + 61])
            var nameStart = offset + 62
            if flags & 0x4000 != 0 {
                guard version == 3 else { return nil }
                nameStart += 2
            }
            guard nameStart < end, let nul = firstZero(in: bytes, nameStart..<end) else { return nil }
            let size = (nul - offset + 8) & ~7
            guard offset + size <= end else { return nil }
            let entry = Entry(range: offset..<(offset + size), path: nameStart..<nul, stage: (flags >> 12) & 3)
            // Git refuses an index out of order ("unordered stage entries"); updating one relies on the order.
            if let last = entries.last, compare(bytes, last.path, last.stage, entry.path, entry.stage) >= 0 { return nil }
            entries.append(entry)
            offset += size
        }
        return entries
    }

    /// The offset of the first zero byte in `range` of `bytes`.
    static func firstZero(in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard let found = memchr(bytes.baseAddress! + range.lowerBound, 0, range.count) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(bytes.baseAddress!)
    }

    /// Git's order of two entries of the same file: by path bytes (a prefix first), then by stage.
    private static func compare(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ aStage: Int, _ b: Range<Int>, _ bStage: Int) -> Int {
        let common = min(a.count, b.count)
        let bytesOrder = common == 0 ? 0 : Int(memcmp(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, common))
        let order = bytesOrder != 0 ? bytesOrder : a.count - b.count
        return order != 0 ? order : aStage - bStage
    }

    /// The blob staged for `path` at stage 0, nil when the path is not in the index.
    func stagedBlob(_ path: String) -> ArraySlice<UInt8>? {
        guard let entry = find(Array(path.utf8), stage: 0) else { return nil }
        return bytes[(entry.range.lowerBound + 40)..<(entry.range.lowerBound + 60)]
    }

    /// True when `path` has conflict stages (an unfinished merge).
    func isConflicted(_ path: String) -> Bool {
        let name = Array(path.utf8)
        return (1...3).contains { find(name, stage: $0) != nil }
    }

    private func find(_ path: [UInt8], stage: Int) -> Entry? {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if Self.compare(bytes, entries[middle].path, entries[middle].stage, path[...], stage) < 0 { low = middle + 1 } else { high = middle }
        }
        guard low < entries.count, Self.compare(bytes, entries[low].path, entries[low].stage, path[...], stage) == 0 else { return nil }
        return entries[low]
    }

    /// Git's order of the entry whose path is `bytes[a]` against `b`: by path bytes (a prefix
    /// first), then by stage. Negative, zero or positive, as memcmp.
    static func compare(_ bytes: [UInt8], _ a: Range<Int>, _ aStage: Int, _ b: ArraySlice<UInt8>, _ bStage: Int) -> Int {
        let order = bytes.withUnsafeBufferPointer { whole in
            b.withUnsafeBufferPointer { other -> Int in
                let common = min(a.count, other.count)
                let bytesOrder = common == 0 ? 0 : Int(memcmp(whole.baseAddress! + a.lowerBound, other.baseAddress!, common))
                return bytesOrder != 0 ? bytesOrder : a.count - other.count
            }
        }
        return order != 0 ? order : aStage - bStage
    }

    /// The file with every stage of each path in `removed` gone and `added` put in its place.
    /// Entries changed at or after this file was written get size 0 ("smudged"), as Git does,
    /// so that Git checks their content instead of trusting a stat taken in the same instant.
    /// The cache tree keeps every folder off the changed paths (see `CacheTree`).
    ///
    /// The entries are in Git's order (`init` refuses a file that is not), so the few new ones
    /// are merged in while the old ones are copied through, with no sort and no copy per entry.
    func updated(removing removed: [String], adding added: [NewEntry]) -> [UInt8] {
        let gone = Set(removed.map { Array($0.utf8) } + added.map { Array($0.path.utf8) }).sorted { $0.lexicographicallyPrecedes($1) }
        let additions = added.map { (path: Array($0.path.utf8), bytes: Self.encode($0)) }
            .sorted { $0.path.lexicographicallyPrecedes($1.path) }

        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + additions.reduce(0) { $0 + $1.bytes.count })
        out += [0x44, 0x49, 0x52, 0x43, 0, 0, 0, 0, 0, 0, 0, 0]  // "DIRC", version and count below
        Self.put(version, into: &out, at: 4)
        var count = 0, nextAddition = 0, nextGone = 0
        for entry in entries {
            while nextAddition < additions.count,
                Self.compare(bytes, entry.path, entry.stage, additions[nextAddition].path[...], 0) > 0
            {
                out += additions[nextAddition].bytes
                nextAddition += 1
                count += 1
            }
            while nextGone < gone.count, Self.compare(bytes, entry.path, 0, gone[nextGone][...], 0) > 0 { nextGone += 1 }
            if nextGone < gone.count, Self.compare(bytes, entry.path, 0, gone[nextGone][...], 0) == 0 { continue }
            let start = out.count
            out += bytes[entry.range]
            if isRacy(at: entry.range.lowerBound) { Self.put(0, into: &out, at: start + 36) }
            count += 1
        }
        for addition in additions[nextAddition...] {
            out += addition.bytes
            count += 1
        }
        Self.put(UInt32(count), into: &out, at: 8)
        // Git writes the cache tree first; readers take extensions in any order.
        if let cacheTree, let kept = CacheTree.invalidating(gone, in: bytes, payload: cacheTree, entryCount: entries.count) {
            out += kept
        }
        for extensionBytes in keptExtensions { out += extensionBytes }
        out += Insecure.SHA1.hash(data: out)
        return out
    }

    /// True when the entry at `offset` changed at or after the index was written.
    private func isRacy(at offset: Int) -> Bool {
        let seconds = Int(Self.uint32(bytes, offset + 8)), nanoseconds = Int(Self.uint32(bytes, offset + 12))
        let indexSeconds = Int(modified.tv_sec) & 0xFFFF_FFFF
        return seconds > indexSeconds || (seconds == indexSeconds && nanoseconds >= Int(modified.tv_nsec))
    }

    static func encode(_ entry: NewEntry) -> [UInt8] {
        let name = Array(entry.path.utf8)
        let length = 62 + name.count
        var record = [UInt8](repeating: 0, count: (length + 8) & ~7)
        let info = entry.stat
        put(UInt32(truncatingIfNeeded: info.st_ctim.tv_sec), into: &record, at: 0)
        put(UInt32(truncatingIfNeeded: info.st_ctim.tv_nsec), into: &record, at: 4)
        put(UInt32(truncatingIfNeeded: info.st_mtim.tv_sec), into: &record, at: 8)
        put(UInt32(truncatingIfNeeded: info.st_mtim.tv_nsec), into: &record, at: 12)
        put(UInt32(truncatingIfNeeded: info.st_dev), into: &record, at: 16)
        put(UInt32(truncatingIfNeeded: info.st_ino), into: &record, at: 20)
        put(entry.executable ? 0o100755 : 0o100644, into: &record, at: 24)
        put(info.st_uid, into: &record, at: 28)
        put(info.st_gid, into: &record, at: 32)
        put(UInt32(truncatingIfNeeded: info.st_size), into: &record, at: 36)
        record.replaceSubrange(40..<60, with: entry.blob)
        let flags = UInt16(min(name.count, 0xFFF))
        record[60] = UInt8(flags >> 8)
        record[61] = UInt8(flags & 0xFF)
        record.replaceSubrange(62..<(62 + name.count), with: name)
        return record
    }

    static func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    static func put(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
        bytes[offset] = UInt8(value >> 24)
        bytes[offset + 1] = UInt8((value >> 16) & 0xFF)
        bytes[offset + 2] = UInt8((value >> 8) & 0xFF)
        bytes[offset + 3] = UInt8(value & 0xFF)
    }
}
