import Foundation
import GitStore

/// The paths each commit changed, kept in `.git/ops/history.index` and brought up to date with
/// only the commits made since, so a document's history does not walk all of Git's history
/// (libgit2 1.5 does not use the commit-graph for that). Derived: delete it and it is rebuilt;
/// if history was rewritten under it, it is rebuilt too. It holds every commit reachable from
/// HEAD, both sides of each merge; a merge is listed with the paths it changed against its first
/// parent, which include every path it changed against all of its parents, the only ones where
/// history blames a merge.
struct HistoryIndex {
    static let header = "ops history index 3 "

    /// Lines for the commits read since the file was written, newest first, as they are written
    /// to it: kept as bytes, a walk of 100k commits holds 9 MB, not 31 MB of strings.
    private var fresh = Data()
    /// The file's lines after its first, as read: one commit per line, newest first, then its
    /// paths, tab-separated and escaped. Split only as a question is asked, a line at a time:
    /// at 100k commits, making every line into strings up front took half a second.
    private var stored = Data()

    static func load(_ workspace: Workspace) throws -> HistoryIndex {
        let path = workspace.gitDirectory + "/ops/history.index"
        var index = HistoryIndex()
        var tip: ObjectID?
        if let data = FileManager.default.contents(atPath: path), data.starts(with: header.utf8),
            let end = data.firstIndex(of: 0x0A)
        {
            // A damaged file (its checksum line does not hold) is taken as missing: rebuilt whole.
            if let body = LineChecksum.checked(data[(end + 1)...]) {
                tip = ObjectID(hex: String(decoding: data[data.startIndex..<end].dropFirst(header.utf8.count), as: UTF8.self))
                if tip != nil { index.stored = body }
            }
        }
        // The head walked from is the tip recorded: a commit landing meanwhile is read next time.
        guard let walked = try workspace.repository.head().commit else { return HistoryIndex() }
        // A path may hold a tab or a line break: escaped, it cannot pass for the next field or commit.
        func record(_ entry: CommitChanges) {
            index.fresh.append(contentsOf: (([entry.commit.hex] + entry.paths.map { BackslashEscapes.encode($0) }).joined(separator: "\t") + "\n").utf8)
        }
        try OpsError.wrapping {
            if try !workspace.repository.forEachPathChange(from: walked, since: tip, record) {
                index.stored = Data()  // history was rewritten: start over
                _ = try workspace.repository.forEachPathChange(from: walked, since: nil, record)
            }
        }
        guard !index.fresh.isEmpty else { return index }
        // An index that cannot be saved only makes the next run slower; never an error.
        AtomicFile.write(to: path) { out in
            out.append(header + walked.hex + "\n")
            out.append(index.fresh)
            out.append(index.stored)
            out.append(LineChecksum.trailer(of: index.fresh, index.stored))
        }
        return index
    }

    /// Commits, newest first, that changed a path `matches` accepts.
    func commits(touching matches: (String) -> Bool, mentioning: String? = nil) -> [ObjectID] {
        changes(keeping: matches, mentioning: mentioning).map(\.commit)
    }

    /// Commits, newest first, that changed a path `wanted` accepts, each with those paths.
    /// `mentioning`: text every wanted path contains; a line without it is passed over unread
    /// (one history of 30k commits reads a few lines, not 30k).
    func changes(keeping wanted: (String) -> Bool, mentioning: String? = nil) -> [(commit: ObjectID, paths: [String])] {
        var result: [(commit: ObjectID, paths: [String])] = []
        // Escaping changes only backslashes and control characters, so ASCII text without them is
        // in a line's bytes whenever it is in one of the line's paths. Swift compares text up to
        // canonical equivalence (U+212A KELVIN SIGN is "K"), so only all-ASCII lines are passed over.
        let needle = mentioning.map { Array($0.utf8) }.flatMap { $0.isEmpty || $0.contains { $0 == 0x5C || $0 < 0x20 || $0 >= 0x80 } ? nil : $0 }
        for lines in [fresh, stored] {
            lines.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                guard let base = bytes.baseAddress else { return }
                func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
                func find(_ byte: UInt8, in range: Range<Int>) -> Int? {
                    memchr(base + range.lowerBound, Int32(byte), range.count).map { UnsafeRawPointer($0) - base }
                }
                func holds(_ needle: [UInt8], in range: Range<Int>) -> Bool {
                    var start = range.lowerBound
                    while range.upperBound - start >= needle.count, let hit = find(needle[0], in: start..<(range.upperBound - needle.count + 1)) {
                        if memcmp(base + hit, needle, needle.count) == 0 { return true }
                        start = hit + 1
                    }
                    return false
                }
                func isASCII(_ range: Range<Int>) -> Bool {
                    var index = range.lowerBound
                    while index + 8 <= range.upperBound {
                        if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                        index += 8
                    }
                    return bytes[index..<range.upperBound].allSatisfy { $0 < 0x80 }
                }
                var lineStart = 0
                while lineStart < bytes.count {
                    let lineEnd = find(0x0A, in: lineStart..<bytes.count) ?? bytes.count
                    defer { lineStart = lineEnd + 1 }
                    if let needle, !holds(needle, in: lineStart..<lineEnd), isASCII(lineStart..<lineEnd) { continue }
                    let commitEnd = find(0x09, in: lineStart..<lineEnd) ?? lineEnd
                    var paths: [String] = []
                    var fieldEnd = commitEnd
                    while fieldEnd < lineEnd {
                        let fieldStart = fieldEnd + 1
                        fieldEnd = find(0x09, in: fieldStart..<lineEnd) ?? lineEnd
                        let path = BackslashEscapes.decode(text(fieldStart..<fieldEnd))
                        if wanted(path) { paths.append(path) }
                    }
                    if !paths.isEmpty, let id = ObjectID(hex: text(lineStart..<commitEnd)) { result.append((id, paths)) }
                }
            }
        }
        return result
    }
}
