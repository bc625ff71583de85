internal import CGit2

/// A Git object id (SHA-1), as its 40 hex digits.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hex: String

    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ isHexDigit($0) }) else { return nil }
        self.hex = hex.lowercased()
    }

    init(_ oid: git_oid) {
        var copy = oid
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, &copy)
        self.hex = String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    var oid: git_oid {
        var out = git_oid()
        _ = git_oid_fromstr(&out, hex)
        return out
    }

    /// The first seven digits, as `git log --oneline` shows them.
    public var short: String { String(hex.prefix(7)) }
    public var description: String { hex }
    public static func < (a: ObjectID, b: ObjectID) -> Bool { a.hex < b.hex }
}

private func isHexDigit(_ byte: UInt8) -> Bool {
    (48...57).contains(byte) || (97...102).contains(byte) || (65...70).contains(byte)
}
