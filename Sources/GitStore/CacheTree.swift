import Foundation

/// Git's cache tree (the index's `TREE` extension) rewritten for a commit that changed a few
/// paths: the tree ids Git recorded for the folders stay, so the next `git commit`,
/// `git write-tree` or `git status` hashes only the folders on the changed paths again.
///
/// The extension is a pre-order list of folders, each `name NUL entry_count SP subtree_count LF`
/// then, when `entry_count >= 0`, the folder's 20-byte tree id; the root's name is empty
/// (Documentation/gitformat-index.txt, "Cache tree"). A changed path is invalidated as Git's
/// `cache_tree_invalidate_path` (cache-tree.c) does it: every folder along it, root included,
/// gets entry count -1 and loses its tree id, and a folder named like the changed path itself
/// (a file that replaces a folder) is removed with everything below it.
///
/// The bytes come from a file anyone can write: the parse is iterative (no recursion on
/// nesting), checks every bound, and answers nil for anything it does not fully understand,
/// so the caller drops the extension (Git rebuilds it) rather than hand Git counts it would trust.
enum CacheTree {
    /// The whole `TREE` extension (signature and size included) for `payload` with `paths`
    /// invalidated, or nil when `payload` is not a well-formed cache tree of an index of
    /// `entryCount` entries.
    static func invalidating(_ paths: [[UInt8]], in bytes: [UInt8], payload: Range<Int>, entryCount: Int) -> [UInt8]? {
        // Folders along the changed paths ("", "a/", "a/b/" for a/b/c), and folders that a changed
        // file replaces ("a/b/c/"), both with a trailing slash.
        var along: Set<[UInt8]> = paths.isEmpty ? [] : [[]]
        var replaced: Set<[UInt8]> = []
        for path in paths {
            for (index, byte) in path.enumerated() where byte == 0x2F {
                along.insert(Array(path[...index]))
            }
            replaced.insert(path + [0x2F])
        }

        guard let edits = bytes.withUnsafeBufferPointer({ edits(in: $0, payload: payload, entryCount: entryCount, along: along, replaced: replaced) })
        else { return nil }

        var out: [UInt8] = Array("TREE".utf8) + [0, 0, 0, 0]
        out.reserveCapacity(8 + payload.count)
        var copied = payload.lowerBound
        for edit in edits {
            out += bytes[copied..<edit.range.lowerBound]
            if let subtrees = edit.subtrees { out += Array("-1 \(subtrees)\n".utf8) }
            copied = edit.range.upperBound
        }
        out += bytes[copied..<payload.upperBound]
        IndexFile.put(UInt32(out.count - 8), into: &out, at: 4)  // never larger than the old payload
        return out
    }

    /// The rewrites that invalidate the folders `along` the changed paths and remove those a
    /// changed file `replaced`, in order; nil when `payload` does not parse. Read through a
    /// buffer pointer: an index of 10k incidents has 10k folders.
    private static func edits(
        in bytes: UnsafeBufferPointer<UInt8>, payload: Range<Int>, entryCount: Int, along: Set<[UInt8]>, replaced: Set<[UInt8]>
    ) -> [Edit]? {
        var edits: [Edit] = []
        var stack: [Frame] = []
        var offset = payload.lowerBound
        let end = payload.upperBound
        repeat {
            guard let node = Node(bytes, at: offset, end: end, isRoot: stack.isEmpty),
                node.entryCount <= entryCount
            else { return nil }
            var frame = Frame(childrenLeft: node.subtreeCount, entryCount: node.entryCount)
            if let parentIndex = stack.indices.last {
                guard stack[parentIndex].admits(node) else { return nil }
                if let parentPath = stack[parentIndex].path {
                    let path = parentPath + bytes[node.name] + [0x2F]
                    if replaced.contains(path) {
                        // Git removes the folder from its parent; the parent is on the path, so its
                        // header is rewritten anyway.
                        if let header = stack[parentIndex].header { edits[header].subtrees? -= 1 }
                        frame.dropped = edits.count
                        edits.append(Edit(range: node.name.lowerBound..<node.name.lowerBound, subtrees: nil))
                    } else if along.contains(path) {
                        frame.path = path
                        frame.header = edits.count
                        edits.append(Edit(range: node.counts, subtrees: node.subtreeCount))
                    }
                }
            } else if along.contains([]) {
                frame.path = []
                frame.header = edits.count
                edits.append(Edit(range: node.counts, subtrees: node.subtreeCount))
            }
            offset = node.end
            stack.append(frame)
            // Close every folder whose last subtree this was.
            while let last = stack.last, last.childrenLeft == 0 {
                if let dropped = last.dropped { edits[dropped].range = edits[dropped].range.lowerBound..<offset }
                stack.removeLast()
                if let parent = stack.indices.last { stack[parent].childrenLeft -= 1 }
            }
        } while !stack.isEmpty
        guard offset == end else { return nil }  // bytes after the root's last subtree
        return edits
    }

    /// A replacement of `range`: an invalidated header (`-1 subtrees LF`, no tree id), or nothing
    /// (`subtrees` nil: a removed folder).
    private struct Edit {
        var range: Range<Int>
        var subtrees: Int?
    }

    /// A folder whose subtrees are being read.
    private struct Frame {
        var childrenLeft: Int
        let entryCount: Int
        /// Sum of the entry counts of the subtrees read so far.
        var childEntries = 0
        /// The folder's path with a trailing slash, when it is on a changed path (its subtrees may be).
        var path: [UInt8]?
        /// Its rewritten header in the edits, when it is on a changed path.
        var header: Int?
        /// Its removal in the edits, when a changed file replaces it.
        var dropped: Int?

        /// Checks a subtree against what Git's `update_one` relies on: a valid folder's subtrees
        /// are valid, hold at least one entry, and together no more entries than the folder.
        mutating func admits(_ node: Node) -> Bool {
            guard entryCount >= 0 else { return true }
            guard node.entryCount >= 1, node.entryCount <= entryCount - childEntries else { return false }
            childEntries += node.entryCount
            return true
        }
    }

    /// One folder's record, bounds-checked.
    private struct Node {
        let name: Range<Int>
        /// From the entry count to the end of the tree id: what invalidation rewrites.
        let counts: Range<Int>
        let entryCount: Int
        let subtreeCount: Int
        var end: Int { counts.upperBound }

        init?(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, end: Int, isRoot: Bool) {
            guard offset < end, let nul = IndexFile.firstZero(in: bytes, offset..<end) else { return nil }
            name = offset..<nul
            // The root has no name; a subtree's name is one path component.
            guard isRoot == name.isEmpty, memchr(bytes.baseAddress! + offset, 0x2F, name.count) == nil else { return nil }
            var cursor = nul + 1
            let negative = cursor < end && bytes[cursor] == 0x2D  // "-"
            if negative { cursor += 1 }
            guard let entries = Self.number(bytes, &cursor, end: end), !negative || entries == 1,
                cursor < end, bytes[cursor] == 0x20
            else { return nil }
            cursor += 1
            guard let subtrees = Self.number(bytes, &cursor, end: end), cursor < end, bytes[cursor] == 0x0A else { return nil }
            cursor += 1
            entryCount = negative ? -1 : entries
            subtreeCount = subtrees
            if entryCount >= 0 {
                guard end - cursor >= 20 else { return nil }
                cursor += 20
            }
            counts = (nul + 1)..<cursor
        }

        /// Decimal digits as Git's `%d` writes them: at least one, at most nine (below a billion,
        /// so no overflow and more than any index holds).
        private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ cursor: inout Int, end: Int) -> Int? {
            var value = 0, digits = 0
            while cursor < end, (0x30...0x39).contains(bytes[cursor]) {
                guard digits < 9 else { return nil }
                value = value * 10 + Int(bytes[cursor] - 0x30)
                digits += 1
                cursor += 1
            }
            return digits > 0 ? value : nil
        }
    }
}
