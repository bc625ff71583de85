internal import Crypto
public import Foundation

/// A document id: kind prefix, UTC date, and 8 random Crockford base32 characters
/// (`INC-20261122-7F3AK2QX`). Random suffixes (40 bits) never collide between clones that
/// create items offline at the same moment, unlike sequence numbers (docs/DESIGN.md §3).
public struct DocumentID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    public let kind: String
    /// `YYYYMMDD`.
    public let date: String
    /// 8 characters of the Crockford alphabet, upper case.
    public let random: String

    public var description: String { "\(kind)-\(date)-\(random)" }

    /// Parses a full id, any case; Crockford's look-alikes (I, L → 1; O → 0) are accepted.
    public init?(_ text: String, kind expected: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].uppercased() == expected, parts[1].count == 8,
            parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
            let random = Self.normalizeRandom(String(parts[2])), random.count == 8
        else { return nil }
        kind = expected
        date = String(parts[1])
        self.random = random
    }

    init(kind: String, date: String, random: String) {
        self.kind = kind
        self.date = date
        self.random = random
    }

    /// A new id for `date` (UTC), with randomness from `generator`.
    public static func make<G: RandomNumberGenerator>(kind: String, at date: Date, using generator: inout G) -> DocumentID {
        let random = String((0..<8).map { _ in alphabet[Int(generator.next() % 32)] })
        return DocumentID(kind: kind, date: day(date), random: random)
    }

    /// The date part of an id made at `date`: its UTC day, `YYYYMMDD`.
    static func day(_ date: Date) -> String { String(Timestamp.format(date).prefix(10).filter { $0 != "-" }) }

    /// An id whose random part is 40 bits of the SHA-256 of `key`, five bits a character: the
    /// same key gives the same id on every machine, so two clones that make the same record
    /// offline (a release exception, an action item's backlog item) name one file.
    static func derived(kind: String, date: String, key: String) -> DocumentID {
        let digest = Array(SHA256.hash(data: Data(key.utf8)))
        var bits: UInt64 = 0
        for byte in digest.prefix(5) { bits = bits << 8 | UInt64(byte) }
        let random = String((0..<8).map { index in alphabet[Int((bits >> UInt64(35 - 5 * index)) & 31)] })
        return DocumentID(kind: kind, date: date, random: random)
    }

    /// Upper-cases and maps Crockford's look-alikes; nil when a character is not in the alphabet.
    public static func normalizeRandom(_ text: String) -> String? {
        var result = ""
        for character in text.uppercased() {
            switch character {
            case "I", "L": result.append("1")
            case "O": result.append("0")
            default:
                guard alphabet.contains(character) else { return nil }
                result.append(character)
            }
        }
        return result
    }

    public static func < (a: DocumentID, b: DocumentID) -> Bool { a.description < b.description }
}

/// A seedable random number generator (SplitMix64), so ids are reproducible in tests and demos.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
