import Foundation

// On Linux the C `struct stat` that Foundation shows comes from libdispatch's module, and
// MemberImportVisibility wants the module that declares a member imported.
#if canImport(CDispatch)
    internal import CDispatch
#endif

/// An exclusive `flock` on a lock file, held until `release()` (or the process dies: the kernel
/// drops it then, so a lock is never left by a dead holder). The lock file may be removed by
/// whoever holds it; a process that locked the removed file notices and locks the new one, so
/// two holders can never each believe they hold the same path.
final class FileLock {
    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Takes the lock, waiting up to `wait` seconds for its holder (0: only if free now); nil
    /// when it is still held then. Throws when the lock file cannot be opened.
    static func acquire(_ path: String, wait: TimeInterval = 0) throws -> FileLock? {
        let start = Date()
        while true {
            let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw OpsError.repository("cannot open \(path): \(String(cString: strerror(errno)))") }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                // Locked the file that is at the path now, not one its last holder removed meanwhile.
                var held = stat(), named = stat()
                if fstat(descriptor, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev {
                    return FileLock(path: path, descriptor: descriptor)
                }
                close(descriptor)
                continue
            }
            let reason = errno
            close(descriptor)
            guard reason == EWOULDBLOCK || reason == EINTR else {
                throw OpsError.repository("cannot lock \(path): \(String(cString: strerror(reason)))")
            }
            guard Date().timeIntervalSince(start) < wait else { return nil }
            usleep(10_000)
        }
    }

    /// Removes the lock file, then releases the lock: for when what it guarded is gone.
    func removeAndRelease() {
        guard descriptor >= 0 else { return }
        unlink(path)
        release()
    }

    func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
