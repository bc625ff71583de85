public import Foundation

/// Times as people type them at 3 a.m.: `2026-11-22T17:58:02Z` (or with an offset), `14:02`
/// (the team's zone, the most recent such time), `-15m` / `-2h` / `-1d2h` (before now),
/// `now`, and a date `2026-11-22` (midnight in the team's zone).
public enum TimeInput {
    /// How far a time something happened (`--at`) may run ahead of now: clocks differ by seconds.
    static let aheadAllowed: TimeInterval = 60

    /// `allowFuture` is for periods (`--until`); a time something happened (`--at`) cannot be
    /// later than now. Results are whole seconds, as ops stores them.
    public static func parse(_ text: String, now: Date, zone: TimeZone, allowFuture: Bool = false) throws -> Date {
        let input = text.trimmingCharacters(in: .whitespaces)
        var date: Date
        if input.lowercased() == "now" {
            date = now
        } else if let parsed = Timestamp.parse(input) {
            date = parsed
        } else if input.hasPrefix("-"), let seconds = durationSeconds(String(input.dropFirst())) {
            date = now.addingTimeInterval(-Double(seconds))
        } else if let (hour, minute) = clockTime(input) {
            let calendar = Calendar.gregorian(zone)
            var parts = calendar.dateComponents([.year, .month, .day], from: now)
            parts.hour = hour
            parts.minute = minute
            guard let today = calendar.date(from: parts) else { throw invalid(text) }
            date = today
            // `23:50` typed at 00:10 means last night; `14:42` typed at 14:37 is a typo, not last night.
            if !allowFuture, today > now.addingTimeInterval(60), today.timeIntervalSince(now) > 2 * 3600 {
                date = calendar.date(byAdding: .day, value: -1, to: today) ?? today
            }
        } else if let day = self.day(input, zone: zone) {
            date = day
        } else {
            throw invalid(text)
        }
        date = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        guard date >= Date(timeIntervalSince1970: 0), date < Timestamp.parse("2200-01-01T00:00:00Z")! else {
            throw OpsError.input("'\(text)' is too far from now to be a real time")
        }
        if !allowFuture, date > now.addingTimeInterval(aheadAllowed) {
            throw OpsError.input("'\(text)' is later than now (\(LocalTime.formatWithZone(now, zone: zone))). Give the time it happened")
        }
        return date
    }

    /// `2026-11-22` at midnight in `zone`.
    public static func day(_ text: String, zone: TimeZone) -> Date? {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...Timestamp.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: year, month: month, day: day))
    }

    /// `15m`, `2h`, `1d2h30m`, `45s` as seconds; nil when it does not read or passes 200 years.
    static func durationSeconds(_ text: String) -> Int? {
        var total = 0
        var number = ""
        for character in text.lowercased() {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            guard number.count <= 12, let value = Int(number) else { return nil }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            case "w": unit = 604_800
            default: return nil
            }
            // value · unit is at most 10^12 · 604800, but the sum of many parts can overflow.
            let (sum, overflow) = total.addingReportingOverflow(value * unit)
            guard !overflow, sum <= 200 * 366 * 86_400 else { return nil }
            total = sum
            number = ""
        }
        return number.isEmpty && !text.isEmpty && total <= 200 * 366 * 86_400 ? total : nil
    }

    private static func clockTime(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2,
            let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return (hour, minute)
    }

    private static func invalid(_ text: String) -> OpsError {
        let hint = text.contains("T") && !text.hasSuffix("Z") ? " (add Z or an offset like +01:00)" : ""
        return OpsError.input("'\(text)' is not a time\(hint). Use 14:02 (team time zone), -15m, -2h, -7d, 2026-11-22, or 2026-11-22T14:02:00Z")
    }
}

/// Durations as people read them: `45s`, `12m`, `1h 02m`, `2d 03h`.
public enum DurationFormat {
    /// `45s`, `12m`, `1h 02m`, `2d 03h`: the last unit shown is rounded to the nearest, half up
    /// (691 s is 12m, not 11m), so a figure never reads shorter than it was by most of a unit.
    public static func short(_ seconds: Double) -> String {
        // Beyond 30 million years no duration is real, and Int(_:) of it would trap.
        guard seconds.isFinite, seconds.magnitude < 1e15 else { return "–" }
        let total = Int(seconds.magnitude.rounded())
        let sign = seconds <= -0.5 ? "-" : ""
        if total < 60 { return "\(sign)\(total)s" }
        let minutes = (total + 30) / 60
        if minutes < 60 { return "\(sign)\(minutes)m" }
        if minutes < 24 * 60 { return sign + String(format: "%dh %02dm", minutes / 60, minutes % 60) }
        let hours = (total + 1800) / 3600
        return sign + String(format: "%dd %02dh", hours / 24, hours % 24)
    }
}

/// Times as the team reads them: `2026-11-22 18:58` in its zone (name the zone once, nearby).
public enum LocalTime {
    public static func format(_ date: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    /// `text` with each UTC timestamp it quotes (`2026-11-22T17:55:10Z`, as timeline lines store
    /// them) in the team's zone, for a listing headed by the zone's name. Two that would read
    /// alike to the minute keep their seconds, so a correction never reads `17:55 → 17:55`.
    public static func localizingTimestamps(in text: String, zone: TimeZone) -> String {
        let pattern = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/
        let dates = Set(text.matches(of: pattern).compactMap { Timestamp.parse(String($0.output)) })
        guard !dates.isEmpty else { return text }
        let minutes = dates.map { format($0, zone: zone) }
        let withSeconds = Set(minutes).count < dates.count
        return text.replacing(pattern) { match in
            guard let date = Timestamp.parse(String(match.output)) else { return String(match.output) }
            let local = format(date, zone: zone)
            return withSeconds ? local + String(format: ":%02d", Int(date.timeIntervalSince1970.rounded(.down)) % 60) : local
        }
    }

    /// `2026-11-22 18:58 Europe/Berlin`, for messages that stand alone.
    public static func formatWithZone(_ date: Date, zone: TimeZone) -> String {
        format(date, zone: zone) + " " + zone.identifier
    }
}
