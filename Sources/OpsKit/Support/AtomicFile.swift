import Foundation

/// Writes a file ops derives for itself (a cache, an index, the last-sync note) whole or not at
/// all, so a run that reads it never sees half of one.
enum AtomicFile {
    /// Writes `text` to a temp file beside `path` (creating the folder), then renames it into
    /// place; on any failure the temp file is removed and false returned. No fsync: every file
    /// written here can be rebuilt or is only informational, so a crash may lose the latest
    /// version but never leaves a torn one, and that is all these callers need.
    @discardableResult
    static func write(_ text: String, to path: String) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // The pid keeps two processes writing the same file at once from sharing a temp file.
        let temp = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8)) else {
            unlink(temp)
            return false
        }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            return false
        }
        return true
    }
}
