import Foundation

/// A checksum over the lines of a file ops derives in `.git/ops/`, written as the file's last
/// line (`end <lines> <16 hex digits>`). A file that lost, gained or changed a line (damage,
/// a hand edit, a copy cut short) is then taken as missing and made again, never trusted: a
/// derived file may only make a command slower. It is not a defence against anyone who means
/// harm; the files are the user's own.
struct LineChecksum {
    private(set) var lines = 0
    private var state: UInt64 = 0x243F_6A88_85A3_08D3

    /// Adds one line, without its line break.
    mutating func add(_ line: UnsafeRawBufferPointer) {
        var hash = state ^ UInt64(line.count) &* 0x9E37_79B9_7F4A_7C15
        var offset = 0
        while offset + 8 <= line.count {
            hash = Self.mix(hash ^ line.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < line.count {
            tail |= UInt64(line[offset]) << shift
            shift += 8
            offset += 1
        }
        state = Self.mix(hash ^ tail)
        lines += 1
    }

    /// Adds every line of `text`, each ending in a line break.
    mutating func addLines(of text: Data) {
        text.withUnsafeBytes { raw in
            Self.forEachLine(raw) { line, _ in
                add(line)
                return true
            }
        }
    }

    /// The checksum line of `texts`' lines, in order (each text's lines ending in a line break).
    static func trailer(of texts: Data...) -> String {
        var checksum = LineChecksum()
        for text in texts { checksum.addLines(of: text) }
        return checksum.trailer
    }

    /// `text` without its last line, when that line is the checksum of the lines before it;
    /// nil when it is not (a line lost, added or changed, or no checksum line at all).
    static func checked(_ text: Data) -> Data? {
        var body = 0
        let intact = text.withUnsafeBytes { raw in checkLines(raw, from: 0) { _, end in body = end + 1 } }
        return intact ? text.prefix(body) : nil
    }

    /// `checked` for a file that is not made of lines (a binary one): the trailer of all of
    /// `bytes` taken as one line, to be written after them.
    static func seal(_ bytes: UnsafeRawBufferPointer) -> String {
        var checksum = LineChecksum()
        checksum.add(bytes)
        return checksum.trailer
    }

    /// `raw` without its last 23 bytes, when they are the seal (`seal`) of what comes before
    /// them; nil when they are not.
    static func unsealed(_ raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let size = 23  // "end 1 ", 16 hex digits, a line break
        guard raw.count >= size else { return nil }
        let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - size)])
        return raw[(raw.count - size)...].elementsEqual(seal(body).utf8) ? body : nil
    }

    /// Hands the bounds of each line of `raw` from `start` (without its line break) to `visit`,
    /// up to the checksum line; true when that line holds for them and ends `raw`.
    static func checkLines(_ raw: UnsafeRawBufferPointer, from start: Int, _ visit: (Int, Int) -> Void) -> Bool {
        var checksum = LineChecksum()
        var intact = false
        forEachLine(UnsafeRawBufferPointer(rebasing: raw[start...])) { line, next in
            if checksum.isTrailer(line) {
                intact = start + next == raw.count
                return false
            }
            checksum.add(line)
            visit(start + next - line.count - 1, start + next - 1)
            return true
        }
        return intact
    }

    /// Hands each line ending in a line break (without it) and the offset after it to `visit`,
    /// until `visit` returns false.
    private static func forEachLine(_ raw: UnsafeRawBufferPointer, _ visit: (UnsafeRawBufferPointer, Int) -> Bool) {
        guard let base = raw.baseAddress else { return }
        var start = 0
        while start < raw.count, let found = memchr(base + start, 0x0A, raw.count - start) {
            let end = UnsafeRawPointer(found) - base
            guard visit(UnsafeRawBufferPointer(rebasing: raw[start..<end]), end + 1) else { return }
            start = end + 1
        }
    }

    /// The last line of the file, with its line break.
    var trailer: String {
        let digits = String(state, radix: 16)
        return "end \(lines) " + String(repeating: "0", count: 16 - digits.count) + digits + "\n"
    }

    /// True when `line` (without its line break) is the trailer of exactly the lines added.
    func isTrailer(_ line: UnsafeRawBufferPointer) -> Bool {
        // Asked of every line: only one starting `end ` is worth making the text for.
        guard line.count > 4, line[0] == 0x65, line[1] == 0x6E, line[2] == 0x64, line[3] == 0x20 else { return false }
        return line.elementsEqual(trailer.utf8.dropLast())
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var x = value &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x = x &* 0xC4CE_B9FE_1A85_EC53
        return x ^ (x >> 29)
    }
}
