public import Foundation

/// An ISO 8601 week (`2026-W47`): Monday to Sunday, in the team's time zone.
public struct ISOWeek: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let week: Int

    public var description: String { String(format: "%04d-W%02d", year, week) }

    /// Parses `2026-W47` (any case); nil for a week the year does not have (`2026-W54`).
    public init?(_ text: String) {
        let parts = text.uppercased().split(separator: "-")
        guard parts.count == 2, parts[1].hasPrefix("W"), let year = Int(parts[0]), let week = Int(parts[1].dropFirst()),
            parts[0].count == 4, (1...Self.weeks(in: year)).contains(week)
        else { return nil }
        self.year = year
        self.week = week
    }

    init(year: Int, week: Int) {
        self.year = year
        self.week = week
    }

    /// The week `date` falls in, in `zone`.
    public init(containing date: Date, zone: TimeZone) {
        let c = Self.calendar(zone).dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        self.init(year: c.yearForWeekOfYear!, week: c.weekOfYear!)
    }

    /// Monday 00:00 to the next Monday 00:00 in `zone`.
    public func interval(in zone: TimeZone) -> DateInterval {
        let calendar = Self.calendar(zone)
        let start = calendar.date(from: DateComponents(weekday: 2, weekOfYear: week, yearForWeekOfYear: year))!
        return DateInterval(start: start, end: calendar.date(byAdding: .day, value: 7, to: start)!)
    }

    public func adding(weeks: Int, zone: TimeZone) -> ISOWeek {
        let start = interval(in: zone).start
        return ISOWeek(containing: Self.calendar(zone).date(byAdding: .day, value: 7 * weeks + 3, to: start)!, zone: zone)
    }

    public static func < (a: ISOWeek, b: ISOWeek) -> Bool { (a.year, a.week) < (b.year, b.week) }

    static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        return calendar
    }

    /// 53 when the year starts on a Thursday, or is a leap year starting on a Wednesday.
    static func weeks(in year: Int) -> Int {
        func jan1Weekday(_ y: Int) -> Int { (Timestamp.daysFromCivil(year: y, month: 1, day: 1) % 7 + 10) % 7 }  // 0 = Monday (1970-01-01 was a Thursday)
        let weekday = jan1Weekday(year)
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return weekday == 3 || (leap && weekday == 2) ? 53 : 52
    }
}
