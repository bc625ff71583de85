internal import CGit2

/// A Git object id (SHA-1). Its 20 bytes are held inline, so a list of 100k files keeps no text
/// for their ids (8 MB as 40 hex digits each); `hex` makes the text when asked.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The bytes in order, read big-endian: comparing them as numbers is comparing the hex text.
    private let head: UInt64, middle: UInt64, tail: UInt32

    public init?(hex: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        var high: UInt8?
        for character in hex.utf8 {
            guard let digit = hexValue(character) else { return nil }
            if let first = high {
                bytes.append(first << 4 | digit)
                high = nil
            } else {
                high = digit
            }
        }
        guard bytes.count == 20, high == nil else { return nil }
        self.init(bytes: bytes)
    }

    init(_ oid: git_oid) {
        self.init(bytes: withUnsafeBytes(of: oid.id) { Array($0) })
    }

    private init(bytes: [UInt8]) {
        (head, middle, tail) = bytes.withUnsafeBytes { raw in
            (
                UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            )
        }
    }

    /// The 20 bytes, in order.
    private var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(20)
        withUnsafeBytes(of: head.bigEndian) { result.append(contentsOf: $0) }
        withUnsafeBytes(of: middle.bigEndian) { result.append(contentsOf: $0) }
        withUnsafeBytes(of: tail.bigEndian) { result.append(contentsOf: $0) }
        return result
    }

    /// The 40 lowercase hex digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 40) { buffer in
            for (index, byte) in bytes.enumerated() {
                buffer[2 * index] = digits[Int(byte >> 4)]
                buffer[2 * index + 1] = digits[Int(byte & 0x0F)]
            }
            return 40
        }
    }

    var oid: git_oid {
        var out = git_oid()
        let bytes = self.bytes
        withUnsafeMutableBytes(of: &out.id) { $0.copyBytes(from: bytes) }
        return out
    }

    /// The first seven digits, as `git log --oneline` shows them.
    public var short: String { String(hex.prefix(7)) }
    public var description: String { hex }
    public static func < (a: ObjectID, b: ObjectID) -> Bool { (a.head, a.middle, a.tail) < (b.head, b.middle, b.tail) }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 48...57: byte - 48
    case 97...102: byte - 87
    case 65...70: byte - 55
    default: nil
    }
}
