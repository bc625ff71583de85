internal import CGit2
import Foundation

extension GitRepository {
    /// The index as it is now, read while holding `index.lock`: by `IndexFile` when it can, else
    /// by libgit2 from a copy in the state folder (libgit2 cannot write an index whose lock it
    /// does not own, so the copy is what it rewrites; its bytes then go into our lock).
    func openStaging() throws -> Staging {
        let path = gitDirectory + "/index"
        switch try IndexFile.read(path) {
        case .parsed(let file): return .file(file)
        case .missing: return .file(IndexFile.empty)
        case .unsupported:
            try makeFolder(stateFolder)
            let copy = stateFolder + "/index.work"
            unlink(copy)
            do {
                try FileManager.default.copyItem(atPath: path, toPath: copy)
            } catch {
                throw GitStoreError.io(path: copy, message: error.localizedDescription)
            }
            return .library(try owned(by: { GitIndex($0, owner: handle) }) { git_index_open(&$0, copy) }, copy: copy)
        }
    }

    /// Writes the index with `removing` gone and `adding` put in place into `lock`, flushes it
    /// and renames it over the index.
    func writeIndex(_ staging: Staging, removing: [String], adding: [IndexFile.NewEntry], into lock: GitLockFile) throws {
        switch staging {
        case .file(let file):
            try lock.write(file.updated(removing: removing, adding: adding))
        case .library(let index, let copy):
            defer { unlink(copy) }
            for path in removing { try check(git_index_remove_bypath(index.pointer, path)) }
            for entry in adding {
                let result = entry.path.withCString { path -> Int32 in
                    var record = git_index_entry()
                    let info = entry.stat
                    record.ctime = git_index_time(seconds: Int32(truncatingIfNeeded: info.st_ctim.tv_sec), nanoseconds: UInt32(info.st_ctim.tv_nsec))
                    record.mtime = git_index_time(seconds: Int32(truncatingIfNeeded: info.st_mtim.tv_sec), nanoseconds: UInt32(info.st_mtim.tv_nsec))
                    record.dev = UInt32(truncatingIfNeeded: info.st_dev)
                    record.ino = UInt32(truncatingIfNeeded: info.st_ino)
                    record.mode = (entry.executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB).rawValue
                    record.uid = info.st_uid
                    record.gid = info.st_gid
                    record.file_size = UInt32(truncatingIfNeeded: info.st_size)
                    withUnsafeMutableBytes(of: &record.id.id) { $0.copyBytes(from: entry.blob) }
                    record.path = path
                    return git_index_add(index.pointer, &record)
                }
                try check(result)
            }
            try check(git_index_write(index.pointer))
            guard let bytes = FileManager.default.contents(atPath: copy) else {
                throw GitStoreError.io(path: copy, message: "cannot read the index libgit2 wrote")
            }
            try lock.write(bytes)
        }
        try lock.commit()
    }
}

/// The index as a commit reads it: `IndexFile` where it can, libgit2's parser otherwise.
enum Staging {
    case file(IndexFile)
    /// libgit2's index of a copy of the file (see `openStaging`).
    case library(GitIndex, copy: String)

    /// The staged blob id of `path` at stage 0, nil when the path is not in the index.
    func stagedID(of path: String) -> git_oid? {
        switch self {
        case .library(let index, _):
            return index.stagedID(of: path)
        case .file(let file):
            guard let bytes = file.stagedBlob(path) else { return nil }
            var oid = git_oid()
            withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: bytes) }
            return oid
        }
    }

    /// True when `path` has conflict stages (an unfinished merge).
    func isConflicted(_ path: String) -> Bool {
        switch self {
        case .library(let index, _): return index.isConflicted(path)
        case .file(let file): return file.isConflicted(path)
        }
    }
}
