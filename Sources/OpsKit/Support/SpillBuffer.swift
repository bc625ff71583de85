import Foundation

/// Bytes appended in order and read back by range: held in memory up to `held` bytes, then
/// written on to a temp file beside a given path, so a file being built (the parse cache of a
/// cold run, 38 MB at 100k incidents) is not also held whole in memory. The temp file has no
/// name once opened, so nothing is left behind whatever happens to the process.
final class SpillBuffer {
    static let defaultHeld = 1 << 20
    /// The name the temp file has for the moment it is opened; a process killed in that moment
    /// leaves it, and the next one removes it (`AtomicFile.removeLeftovers`).
    private let name: String
    private let held: Int
    /// The bytes not yet written on: those after the first `written`.
    private var memory = Data()
    private var written = 0
    private var descriptor: Int32 = -1
    /// False once a write to the temp file failed: what was appended is then lost.
    private(set) var intact = true

    init(beside path: String, held: Int = defaultHeld) {
        name = path + "-spill"
        self.held = held
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends `bytes`; returns where they are.
    func append(_ bytes: Data) -> Range<Int> {
        let start = written + memory.count
        memory.append(bytes)
        if memory.count >= held { spill() }
        return start..<start + bytes.count
    }

    /// Reads back ranges, a window of the temp file at a time: ranges asked in the order they
    /// were appended cost one read per megabyte.
    func reader() -> Reader { Reader(buffer: self) }

    struct Reader {
        fileprivate let buffer: SpillBuffer
        private var window = Data()
        private var windowStart = 0

        fileprivate init(buffer: SpillBuffer) { self.buffer = buffer }

        /// The bytes at `range`; nil when the temp file cannot be read.
        mutating func bytes(_ range: Range<Int>) -> Data? {
            let written = buffer.written
            if range.lowerBound >= written {
                let memory = buffer.memory
                return memory[memory.startIndex + range.lowerBound - written..<memory.startIndex + range.upperBound - written]
            }
            guard range.upperBound <= written else { return nil }
            if range.lowerBound < windowStart || range.upperBound > windowStart + window.count {
                guard let read = buffer.read(from: range.lowerBound, count: min(max(range.count, 1 << 20), written - range.lowerBound)) else { return nil }
                window = read
                windowStart = range.lowerBound
            }
            return window[window.startIndex + range.lowerBound - windowStart..<window.startIndex + range.upperBound - windowStart]
        }
    }

    /// Writes what memory holds on to the temp file, opened (and its name removed) the first time.
    private func spill() {
        defer { memory.removeAll(keepingCapacity: true) }
        guard intact else { return }
        if descriptor < 0 {
            let temp = AtomicFile.tempPath(for: name)
            try? FileManager.default.createDirectory(atPath: (name as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            AtomicFile.removeLeftovers(of: name)
            descriptor = open(temp, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                intact = false
                return
            }
            unlink(temp)
        }
        let ok = memory.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(written + done))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                done += count
            }
            return true
        }
        if ok { written += memory.count } else { intact = false }
    }

    private func read(from offset: Int, count: Int) -> Data? {
        var data = Data(count: count)
        let ok = data.withUnsafeMutableBytes { bytes in
            var done = 0
            while done < count {
                let read = pread(descriptor, bytes.baseAddress! + done, count - done, off_t(offset + done))
                if read < 0 && errno == EINTR { continue }
                guard read > 0 else { return false }
                done += read
            }
            return true
        }
        return ok ? data : nil
    }
}
