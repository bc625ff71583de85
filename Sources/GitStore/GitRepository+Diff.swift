internal import CGit2
import Foundation

extension GitRepository {
    /// A unified diff between two blobs, as `git diff` prints it; nil blobs diff against nothing.
    /// `oldPath` and `newPath` name the two sides in the header.
    public func diff(from old: ObjectID?, to new: ObjectID?, oldPath: String, newPath: String) throws -> String {
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)))
        let oldBlob = try old.map { id throws(GitError) in try GitBlob.lookup(id.oid, in: handle) }
        let newBlob = try new.map { id throws(GitError) in try GitBlob.lookup(id.oid, in: handle) }
        let blobs = [oldBlob, newBlob].compactMap { $0 }
        let patch = try owned(by: { GitPatch($0, blobs: blobs) }) {
            git_patch_from_blobs(&$0, oldBlob?.pointer, oldPath, newBlob?.pointer, newPath, &options)
        }
        return try patch.text()
    }
}
