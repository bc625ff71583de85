import Foundation

// File-system steps every write shares: folders made, flushed, and files written whole.

func makeFolder(_ path: String) throws {
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw GitStoreError.io(path: path, message: String(cString: strerror(errno)))
    }
}

/// Flushes the folder holding `path`, so a rename or unlink in it survives a power loss.
func syncFolder(of path: String) {
    let descriptor = Glibc.open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    fsync(descriptor)
    close(descriptor)
}

/// Writes every byte of `content` to `descriptor`; the system's reason when it cannot.
func writeAll(_ descriptor: Int32, _ content: some DataProtocol & ContiguousBytes) -> String? {
    content.withUnsafeBytes { buffer -> String? in
        var written = 0
        while written < buffer.count {
            let count = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return String(cString: strerror(errno)) }
            written += count
        }
        return nil
    }
}
