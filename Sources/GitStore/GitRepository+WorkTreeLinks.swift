import Foundation

extension GitRepository {
    /// Refuses a change to a path below a symbolic link in the work tree, as Git does ("beyond a
    /// symbolic link"): a link to a folder elsewhere would make the rename land outside the
    /// repository, and the commit would record content the work tree does not hold. A folder
    /// that does not exist yet is fine; ops makes it. (The file itself being a link is refused
    /// with the user's uncommitted edits.)
    func refuseWritesBeyondLinks(_ changes: [FileChange]) throws {
        guard let root = workTree else { return }
        var checked = Set<String>()
        for change in changes {
            var folder = ""
            for part in change.path.split(separator: "/").dropLast() {
                folder += folder.isEmpty ? String(part) : "/" + part
                guard checked.insert(folder).inserted else { continue }
                var info = stat()
                guard lstat(root + "/" + folder, &info) == 0 else { break }
                if (info.st_mode & S_IFMT) == S_IFLNK {
                    throw GitStoreError.beyondSymbolicLink(path: change.path, link: folder)
                }
            }
        }
    }
}
