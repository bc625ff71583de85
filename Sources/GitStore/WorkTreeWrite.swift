import Foundation

/// Work-tree files written to temp files first, then renamed into place once the commit landed.
/// The temp names are chosen before anything is written, so the intent record can name them.
struct WorkTreeWrite {
    struct Planned {
        var path: String
        /// The temp file, relative to the work tree; nil for a deletion.
        var temp: String?
        var content: Data?
        var isExecutable: Bool
    }

    /// A file renamed into place, with the stat its index entry records.
    struct Placed {
        var path: String
        var content: Data
        var stat: stat
        var isExecutable: Bool
    }

    let root: String
    private(set) var planned: [Planned] = []
    private var createdFolders: [String] = []
    /// The stat of each temp file just written, by temp path, to notice a change before the rename.
    private var written: [String: stat] = [:]

    init(root: String, changes: [FileChange], tempPrefix: String) throws {
        self.root = root
        var folders = Set<String>()
        for change in changes {
            let folder = (change.path as NSString).deletingLastPathComponent
            folders.insert(folder)
            let temp =
                change.content == nil
                ? nil
                : (folder.isEmpty ? "" : folder + "/") + tempPrefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
            planned.append(Planned(path: change.path, temp: temp, content: change.content, isExecutable: change.isExecutable))
        }
        // Temp files of writers killed before they wrote an intent record (or by an older
        // version) are only ever in folders written to: the writer lock is held, so they are dead.
        for folder in folders { Self.removeLeftoverTemps(in: folder.isEmpty ? root : root + "/" + folder, prefix: tempPrefix) }
    }

    static func removeLeftoverTemps(in folder: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            unlink(folder + "/" + name)
        }
    }

    var plannedFiles: [WriteIntent.File] { planned.map { WriteIntent.File(path: $0.path, temp: $0.temp) } }

    /// Writes the temp files (a plain create: the rename into place after the commit is what makes it atomic).
    mutating func create() throws {
        do {
            try createTemps()
        } catch {
            discard()
            throw error
        }
    }

    private mutating func createTemps() throws {
        for file in planned {
            guard let temp = file.temp, let content = file.content else { continue }
            let full = root + "/" + temp
            try makeFolders((full as NSString).deletingLastPathComponent)
            let descriptor = Glibc.open(full, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, file.isExecutable ? 0o777 : 0o666)
            guard descriptor >= 0 else {
                throw GitStoreError.io(path: file.path, message: "cannot write \(full): \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            if let failure = writeAll(descriptor, content) {
                throw GitStoreError.io(path: file.path, message: "cannot write \(full): \(failure)")
            }
            if file.isExecutable { fchmod(descriptor, 0o755) }
            var info = stat()
            fstat(descriptor, &info)
            written[temp] = info
        }
    }

    private mutating func makeFolders(_ folder: String) throws {
        var missing: [String] = []
        var current = folder
        while !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for path in missing.reversed() {
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw GitStoreError.io(path: path, message: String(cString: strerror(errno)))
            }
            createdFolders.append(path)
        }
    }

    /// Renames the temp files into place and deletes the deleted files. Each placed file's stat is
    /// taken after the rename; when it differs from the temp file's (someone wrote to it in
    /// between), its size is recorded as 0 ("smudged"), so Git reads the file instead of trusting it.
    func commit() throws -> [Placed] {
        var placed: [Placed] = []
        for file in planned {
            let target = root + "/" + file.path
            guard let temp = file.temp, let content = file.content else {
                if unlink(target) != 0 && errno != ENOENT {
                    throw GitStoreError.io(path: target, message: String(cString: strerror(errno)))
                }
                removeEmptyFolders(from: (target as NSString).deletingLastPathComponent, root: root)
                continue
            }
            guard rename(root + "/" + temp, target) == 0 else {
                throw GitStoreError.io(path: target, message: String(cString: strerror(errno)))
            }
            var info = stat()
            guard lstat(target, &info) == 0 else {
                throw GitStoreError.io(path: target, message: String(cString: strerror(errno)))
            }
            if let before = written[temp],
                before.st_ino != info.st_ino || before.st_size != info.st_size
                    || before.st_mtim.tv_sec != info.st_mtim.tv_sec || before.st_mtim.tv_nsec != info.st_mtim.tv_nsec
            {
                info.st_size = 0
            }
            placed.append(Placed(path: file.path, content: content, stat: info, isExecutable: file.isExecutable))
        }
        return placed
    }

    func discard() {
        for file in planned { if let temp = file.temp { unlink(root + "/" + temp) } }
        for folder in createdFolders.reversed() { rmdir(folder) }
    }
}

/// Removes `folder` and its parents up to (not including) `root` while they are empty.
func removeEmptyFolders(from folder: String, root: String) {
    var current = folder
    while current.count > root.count, current.hasPrefix(root + "/"), rmdir(current) == 0 {
        current = (current as NSString).deletingLastPathComponent
    }
}
