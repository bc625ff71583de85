import Foundation
import Synchronization

/// Bytes appended in order and read back by range: held in memory up to `held` bytes, then
/// written on to a temp file beside a given path, so a file being built (the parse cache of a
/// cold run, 35 MB at 100k incidents) is not also held whole in memory. The temp file's name is
/// removed as soon as it is open; a process killed in that instant leaves it behind, and the
/// next save of the file it was beside removes it (`removeLeftovers`).
final class SpillBuffer {
    static let defaultHeld = 1 << 20
    static let defaultWindow = 1 << 20
    /// Opening and unnaming the temp file, one buffer at a time in this process: its name is the
    /// same for every buffer of the process (`AtomicFile.tempPath`).
    private static let opening = Mutex(())
    private let name: String
    private let held: Int
    /// How much of the temp file a reader reads at once.
    private let window: Int
    /// The bytes not yet written on: those after the first `written`.
    private var memory = Data()
    private var written = 0
    private var descriptor: Int32 = -1
    /// False once a write to the temp file failed: what was appended is then lost.
    private(set) var intact = true

    init(beside path: String, held: Int = defaultHeld, window: Int = defaultWindow) {
        name = Self.name(beside: path)
        self.held = held
        self.window = window
    }

    /// The name of the temp files of buffers beside `path`, before each one's pid.
    static func name(beside path: String) -> String { path + "-spill" }

    /// Removes the temp files that buffers beside `path` left when their process was killed
    /// between opening and unnaming them.
    static func removeLeftovers(beside path: String) { AtomicFile.removeLeftovers(of: name(beside: path)) }

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
    /// were appended cost one read per window.
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
                guard let read = buffer.read(from: range.lowerBound, count: min(max(range.count, buffer.window), written - range.lowerBound)) else {
                    return nil
                }
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
            try? FileManager.default.createDirectory(atPath: (name as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let temp = AtomicFile.tempPath(for: name)
            descriptor = Self.opening.withLock { _ in
                // A file of that name now is one this pid's earlier process left: never another buffer's.
                unlink(temp)
                let descriptor = open(temp, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
                if descriptor >= 0 { unlink(temp) }
                return descriptor
            }
            guard descriptor >= 0 else {
                intact = false
                return
            }
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
