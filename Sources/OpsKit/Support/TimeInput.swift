import Foundation

/// Times as people type them at 3 a.m.: `2026-11-22T17:58:02Z` (or with an offset), `14:02`
/// (the team's zone, the most recent such time), `-15m` / `-2h` / `-1d2h` (before now),
/// `now`, and a date `2026-11-22` (midnight in the team's zone).
public enum TimeInput {
    public static func parse(_ text: String, now: Date, zone: TimeZone) throws -> Date {
        let input = text.trimmingCharacters(in: .whitespaces)
        if input.lowercased() == "now" { return now }
        if let date = Timestamp.parse(input) { return date }
        if input.hasPrefix("-"), let seconds = durationSeconds(String(input.dropFirst())) {
            return now.addingTimeInterval(-Double(seconds))
        }
        if let (hour, minute) = clockTime(input) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            var parts = calendar.dateComponents([.year, .month, .day], from: now)
            parts.hour = hour
            parts.minute = minute
            guard var date = calendar.date(from: parts) else { throw invalid(text) }
            // `23:50` typed at 00:10 means last night: take the most recent such time.
            if date > now.addingTimeInterval(60) { date = calendar.date(byAdding: .day, value: -1, to: date) ?? date }
            return date
        }
        if let day = self.day(input, zone: zone) { return day }
        throw invalid(text)
    }

    /// `2026-11-22` at midnight in `zone`.
    public static func day(_ text: String, zone: TimeZone) -> Date? {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...Timestamp.daysIn(month: month, year: year)).contains(day) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: year, month: month, day: day))
    }

    /// `15m`, `2h`, `1d2h30m`, `45s` as seconds.
    static func durationSeconds(_ text: String) -> Int? {
        var total = 0
        var number = ""
        for character in text.lowercased() {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number) else { return nil }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86_400
            case "w": total += value * 604_800
            default: return nil
            }
            number = ""
        }
        return number.isEmpty && !text.isEmpty ? total : nil
    }

    private static func clockTime(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return (hour, minute)
    }

    private static func invalid(_ text: String) -> OpsError {
        OpsError.input("'\(text)' is not a time. Use 14:02 (team time zone), -15m, -2h, or 2026-11-22T14:02:00Z")
    }
}

/// Durations as people read them: `45s`, `12m`, `1h 02m`, `2d 03h`.
public enum DurationFormat {
    public static func short(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let sign = total < 0 ? "-" : ""
        let value = abs(total)
        if value < 60 { return "\(sign)\(value)s" }
        if value < 3600 { return "\(sign)\(value / 60)m" }
        if value < 86_400 { return sign + String(format: "%dh %02dm", value / 3600, value % 3600 / 60) }
        return sign + String(format: "%dd %02dh", value / 86_400, value % 86_400 / 3600)
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

    /// `2026-11-22 18:58 Europe/Berlin`, for messages that stand alone.
    public static func formatWithZone(_ date: Date, zone: TimeZone) -> String {
        format(date, zone: zone) + " " + zone.identifier
    }
}
