import Foundation

/// Writes a file ops keeps for itself whole or not at all, so a run that reads it never sees
/// half of one: `write` for what can be rebuilt, `writeDurably` for what must survive a crash.
enum AtomicFile {
    /// Writes `text` to a temp file beside `path` (creating the folder), then renames it into
    /// place; on any failure the temp file is removed and false returned. No fsync: every file
    /// written here can be rebuilt or is only informational, so a crash may lose the latest
    /// version but never leaves a torn one, and that is all these callers need.
    @discardableResult
    static func write(_ text: String, to path: String) -> Bool { write(Data(text.utf8), to: path) }

    /// `write(_:to:)` for bytes.
    @discardableResult
    static func write(_ data: Data, to path: String) -> Bool {
        write(to: path) { send in data.withUnsafeBytes(send) }
    }

    /// `write(_:to:)` for a file too big to hold twice (a cache of 100k incidents): `body`
    /// appends its pieces in order, and they go out in writes of 64 KiB.
    @discardableResult
    static func write(to path: String, pieces body: (inout Pieces) -> Void) -> Bool {
        write(to: path) { send in
            withoutActuallyEscaping(send) { send in
                var pieces = Pieces(send: send)
                body(&pieces)
                return pieces.flush()
            }
        }
    }

    /// What `write(to:pieces:)` hands its body to append to.
    struct Pieces {
        private let send: (UnsafeRawBufferPointer) -> Bool
        private var buffer: [UInt8] = []
        private var ok = true

        fileprivate init(send: @escaping (UnsafeRawBufferPointer) -> Bool) {
            self.send = send
            buffer.reserveCapacity(1 << 16)
        }

        mutating func append(_ text: String) {
            buffer.append(contentsOf: text.utf8)
            if buffer.count >= 1 << 16 { _ = flush() }
        }

        /// Bytes as they are: a small piece joins the buffer, a big one is sent without a copy.
        mutating func append(_ data: Data) {
            guard data.count >= 1 << 16 else {
                buffer.append(contentsOf: data)
                if buffer.count >= 1 << 16 { _ = flush() }
                return
            }
            guard flush() else { return }
            ok = data.withUnsafeBytes(send)
        }

        /// Abandons the write: the file stays as it was.
        mutating func fail() { ok = false }

        /// Sends what is buffered; false once any send failed.
        fileprivate mutating func flush() -> Bool {
            ok = ok && buffer.withUnsafeBytes(send)
            buffer.removeAll(keepingCapacity: true)
            return ok
        }
    }

    /// The temp file and rename of `write`, with `body` sending the bytes.
    private static func write(to path: String, _ body: (_ send: (UnsafeRawBufferPointer) -> Bool) -> Bool) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temp = tempPath(for: path)
        guard (try? put(in: temp, sync: false, body)) != nil else { return false }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            return false
        }
        removeLeftovers(of: path)
        return true
    }

    /// Removes the temp files of earlier writes of `path` whose process is gone (killed in the
    /// middle of one), so what ops leaves behind is cleared by ops. A temp file of a process still
    /// running is a write in progress and stays.
    static func removeLeftovers(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for file in files where isTempFile(file, of: name) {
            guard let pid = pid_t(file.dropFirst(name.count + 1).dropLast(4)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(folder + "/" + file)
        }
    }

    /// Writes `data` so that after a crash or power loss `path` holds either the old content or
    /// all of the new: temp file, fsync, rename, fsync of the folder (the rename is only durable
    /// once the folder is). The folder must exist. A temp file left by a process killed here is
    /// named by `tempPath(for:)`, so whoever owns `path` next can find and remove it.
    static func writeDurably(_ data: Data, to path: String) throws {
        let temp = tempPath(for: path)
        try put(in: temp, sync: true) { send in data.withUnsafeBytes(send) }
        guard rename(temp, path) == 0 else {
            let error = failure(path)
            unlink(temp)
            throw error
        }
        syncFolder(of: path)
    }

    /// Writes to a new file `temp` what `body` sends, with plain write(2) calls (fsync'd when
    /// `sync`); on a failure the file is removed.
    private static func put(in temp: String, sync: Bool, _ body: (_ send: (UnsafeRawBufferPointer) -> Bool) -> Bool) throws {
        let descriptor = open(temp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(temp) }
        let ok =
            body { buffer in
                var written = 0
                while written < buffer.count {
                    let count = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { return false }
                    written += count
                }
                return true
            } && (!sync || fsync(descriptor) == 0)
        let error = failure(temp)
        close(descriptor)
        guard ok else {
            unlink(temp)
            throw error
        }
    }

    /// Removes `path` and flushes its folder, so the removal survives a power loss.
    static func removeDurably(_ path: String) {
        guard unlink(path) == 0 else { return }
        syncFolder(of: path)
    }

    /// The temp file a write of `path` by this process uses: the pid keeps two processes writing
    /// the same file at once from sharing one.
    static func tempPath(for path: String) -> String { path + ".\(getpid()).tmp" }

    /// True when `name` is the name of a temp file of some process's write to `file` (a name).
    static func isTempFile(_ name: String, of file: String) -> Bool {
        guard name.hasPrefix(file + "."), name.hasSuffix(".tmp") else { return false }
        let pid = name.dropFirst(file.count + 1).dropLast(4)
        return !pid.isEmpty && pid.allSatisfy(\.isASCII) && pid.allSatisfy(\.isNumber)
    }

    private static func syncFolder(of path: String) {
        let descriptor = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static func failure(_ path: String) -> OpsError {
        .repository("cannot write \(path): \(String(cString: strerror(errno)))")
    }
}
