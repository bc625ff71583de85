public import Foundation

/// `oncall.yaml` at the root of the ops repository (docs/DESIGN.md §11): the rotations, the
/// overrides that replace a rotation's person for a while, and the routes from alerts to a
/// rotation and a channel. A value read once and asked questions of; it holds no clock.
public struct OnCallSchedule: Sendable {
    public static let path = "oncall.yaml"
    static let knownKeys = ["rotations", "overrides", "routes"]

    /// Rotations in file order.
    public var rotations: [Rotation]
    /// Overrides in file order.
    public var overrides: [Override]
    /// Routes in file order: the first that matches wins.
    public var routes: [Route]

    public init(rotations: [Rotation], overrides: [Override] = [], routes: [Route] = []) {
        self.rotations = rotations
        self.overrides = overrides
        self.routes = routes
    }

    /// The rotation named `name`, as written or in another case.
    public func rotation(named name: String) -> Rotation? {
        rotations.first { $0.name == name } ?? rotations.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The rotation `name` names; an unknown name is refused with the known ones listed.
    public func rotation(_ name: String) throws -> Rotation {
        if let found = rotation(named: name) { return found }
        let known = rotations.map(\.name).joined(separator: ", ")
        throw OpsError.input("unknown rotation '\(name)'. Known: \(known.isEmpty ? "none yet" : known) (rotations in \(Self.path))")
    }

    /// The overrides of one rotation, earliest first.
    public func overrides(of rotation: String) -> [Override] {
        overrides.filter { $0.rotation == rotation }.sorted { ($0.from, $0.until) < ($1.from, $1.until) }
    }
}

/// A rotation: people taking turns, handing over at a written local time in a named zone.
public struct Rotation: Sendable, Equatable {
    public var name: String
    public var zone: TimeZone
    /// The day it starts, `2026-11-02`: the first shift begins at the first hand-off on or after it.
    public var start: LocalDate
    public var handoff: Handoff
    public var length: ShiftLength
    /// Handles from ops.yaml, in turn order.
    public var people: [String]
    /// Another rotation, the next layer for escalation.
    public var secondary: String?
    /// Seconds a page may wait for an acknowledgement before it escalates to `secondary`.
    public var ackWithin: Int?
    /// The person paged after the secondary.
    public var lastResort: String?
    /// The file line the rotation is written on.
    public var line: Int?
}

/// A day on the calendar, with no zone of its own.
public struct LocalDate: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `2026-11-02`; nil for anything else, or a day that does not exist.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...Timestamp.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01: what calendar arithmetic on local days is done in.
    var dayNumber: Int { Timestamp.daysFromCivil(year: year, month: month, day: day) }

    init(dayNumber: Int) {
        let (year, month, day) = Timestamp.civilFromDays(dayNumber)
        self.init(year: year, month: month, day: day)
    }

    /// 1 for Monday ... 7 for Sunday (ISO 8601); 1970-01-01 was a Thursday.
    var isoWeekday: Int { ((dayNumber % 7) + 7 + 3) % 7 + 1 }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }
}

/// When a shift changes hands: a local time, on a weekday for rotations counted in weeks.
public struct Handoff: Sendable, Equatable, CustomStringConvertible {
    /// 1 for Monday ... 7 for Sunday; nil hands over on whatever day the shift ends.
    public var weekday: Int?
    public var hour: Int
    public var minute: Int

    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// `Monday 09:00`, `mon 09:00` or `09:00`.
    public init?(_ text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(words.count) else { return nil }
        if words.count == 2 {
            let name = words[0].lowercased()
            guard name.count >= 3, let index = Self.weekdays.firstIndex(where: { $0.lowercased().hasPrefix(name) }) else { return nil }
            weekday = index + 1
        }
        let clock = words[words.count - 1].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 2, (1...2).contains(clock[0].count), clock[1].count == 2,
            clock[0].allSatisfy(\.isASCII), clock[1].allSatisfy(\.isASCII),
            let hour = Int(clock[0]), let minute = Int(clock[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        self.hour = hour
        self.minute = minute
    }

    public var description: String {
        let clock = String(format: "%02d:%02d", hour, minute)
        return weekday.map { Self.weekdays[$0 - 1] + " " + clock } ?? clock
    }
}

/// How long a shift lasts, in local days: `1d`, `3d`, `1w`, `2w`.
public struct ShiftLength: Sendable, Equatable, CustomStringConvertible {
    public var days: Int

    /// At most a year: a longer shift is a typo, and day arithmetic stays far from overflow.
    static let maximumDays = 366

    public init?(_ text: String) {
        guard let unit = text.last, unit == "d" || unit == "w", text.count >= 2 else { return nil }
        let digits = text.dropLast()
        guard digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(digits), count > 0 else { return nil }
        let days = unit == "w" ? count * 7 : count
        guard days <= Self.maximumDays else { return nil }
        self.days = days
    }

    public var description: String { days % 7 == 0 ? "\(days / 7)w" : "\(days)d" }
}

/// Someone else takes a rotation's shift for a while: [from, until).
public struct Override: Sendable, Equatable {
    public var rotation: String
    public var person: String
    public var from: Date
    public var until: Date
    public var line: Int?

    /// True when the two share an instant.
    func overlaps(_ other: Override) -> Bool { from < other.until && other.from < until }
}

/// Alerts whose labels match go to a rotation and a channel. Read and checked now; routing
/// uses them next (docs/DESIGN.md §11).
public struct Route: Sendable, Equatable {
    /// Label → value; empty matches everything.
    public var match: [String: String]
    public var rotation: String
    public var channel: String
    public var line: Int?
}
