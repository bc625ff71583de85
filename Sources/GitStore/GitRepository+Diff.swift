import Foundation
internal import CGit2

extension GitRepository {
    /// A unified diff between two blobs, as `git diff` prints it; nil blobs diff against nothing.
    /// `oldPath` and `newPath` name the two sides in the header.
    public func diff(from old: ObjectID?, to new: ObjectID?, oldPath: String, newPath: String) throws -> String {
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)))
        let oldBlob = try old.map { try lookupBlob($0) }
        let newBlob = try new.map { try lookupBlob($0) }
        defer {
            if let oldBlob { git_blob_free(oldBlob) }
            if let newBlob { git_blob_free(newBlob) }
        }
        var patch: OpaquePointer?
        try check(git_patch_from_blobs(&patch, oldBlob, oldPath, newBlob, newPath, &options))
        defer { git_patch_free(patch) }
        var buffer = git_buf()
        try check(git_patch_to_buf(&buffer, patch))
        defer { git_buf_dispose(&buffer) }
        guard let pointer = buffer.ptr else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: buffer.size), as: UTF8.self)
    }

    private func lookupBlob(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var blob: OpaquePointer?
        var oid = id.oid
        try check(git_blob_lookup(&blob, handle.pointer, &oid))
        return blob!
    }
}
