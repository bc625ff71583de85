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

/// The whole file at `path`, read straight into the array, with the stat of the file read;
/// nil when there is no file.
func readWhole(_ path: String) throws -> (bytes: [UInt8], info: stat)? {
    let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        if errno == ENOENT { return nil }
        throw GitStoreError.io(path: path, message: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw GitStoreError.io(path: path, message: String(cString: strerror(errno))) }
    var failure: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: Int(info.st_size)) { buffer, count in
        while count < buffer.count {
            let read = Glibc.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            if read < 0 && errno == EINTR { continue }
            if read < 0 { failure = errno }
            guard read > 0 else { break }
            count += read
        }
    }
    guard failure == 0 else { throw GitStoreError.io(path: path, message: String(cString: strerror(failure))) }
    return (bytes, info)
}
