public import Foundation

/// The period an error budget is counted over: the last N days, the calendar month, or the ISO
/// week (both in the team's time zone).
public enum SLOWindow: Sendable, Hashable, CustomStringConvertible {
    case rolling(days: Int)
    case calendarMonth
    case isoWeek

    /// How the window is written in policies and the catalog.
    public static let forms = "rolling_30d (any rolling_Nd), calendar_month or iso_week"

    /// `rolling_30d`, `rolling_7d`, `calendar_month` (or `month`), `iso_week` (or `week`).
    public init?(_ text: String) {
        let name = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch name {
        case "calendar_month", "month", "monthly": self = .calendarMonth
        case "iso_week", "calendar_week", "week", "weekly": self = .isoWeek
        default:
            guard name.hasPrefix("rolling_"), name.hasSuffix("d"),
                let days = Int(name.dropFirst("rolling_".count).dropLast()), (1...366).contains(days)
            else { return nil }
            self = .rolling(days: days)
        }
    }

    public var description: String {
        switch self {
        case .rolling(let days): return "rolling_\(days)d"
        case .calendarMonth: return "calendar_month"
        case .isoWeek: return "iso_week"
        }
    }

    /// The window as of `end`: from its start to `end`. A calendar window is the one holding the
    /// moment just before `end`, so `--at 2026-11-23T00:00` (Monday midnight) reports the week
    /// that just ended rather than an empty one.
    public func interval(endingAt end: Date, zone: TimeZone) -> DateInterval {
        DateInterval(start: period(endingAt: end, zone: zone).start, end: end)
    }

    /// The whole period the window is part of as of `end` (a whole month or week), which a
    /// budget written as a duration (`error_budget: 43m`) is a share of.
    public func period(endingAt end: Date, zone: TimeZone) -> DateInterval {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let inside = end.addingTimeInterval(-1)
        switch self {
        case .rolling(let days):
            return DateInterval(start: end.addingTimeInterval(-Double(days) * 86_400), end: end)
        case .calendarMonth:
            let start = calendar.date(from: calendar.dateComponents([.year, .month], from: inside))!
            return DateInterval(start: start, end: calendar.date(byAdding: .month, value: 1, to: start)!)
        case .isoWeek:
            return ISOWeek(containing: inside, zone: zone).interval(in: zone)
        }
    }

    /// The window's length for a budget given as a duration, where it does not depend on the date.
    public var nominalSeconds: Decimal? {
        switch self {
        case .rolling(let days): return Decimal(days) * 86_400
        case .isoWeek: return 7 * 86_400
        case .calendarMonth: return nil
        }
    }

    /// For messages: `rolling 30 days`, `the calendar month`, `the ISO week`.
    public var phrase: String {
        switch self {
        case .rolling(let days): return "\(days) days"
        case .calendarMonth: return "a calendar month"
        case .isoWeek: return "an ISO week"
        }
    }
}
