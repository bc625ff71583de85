import Foundation

/// Times in oncall.yaml and on `ops oncall` command lines: with Z or an offset, or a local
/// time in the rotation's zone.
enum OnCallTime {
    /// `2026-11-20T17:00:00Z`, `2026-11-20T18:00+01:00`, or local: `2026-11-20T18:00`,
    /// `2026-11-20 18:00:00`, `2026-11-20` (midnight). Local times follow `LocalClock`'s rule
    /// for times a daylight-saving change skips or repeats.
    static func parse(_ text: String, zone: TimeZone) -> Date? {
        let input = text.trimmingCharacters(in: .whitespaces)
        if let date = Timestamp.parse(input) { return date }
        // `2026-11-20T18:00Z` or `+01:00`: minutes with a zone, as people write them.
        if input.count > 16, "Zz+-".contains(input[input.index(input.startIndex, offsetBy: 16)]),
            let date = Timestamp.parse(input.prefix(16) + ":00" + input.dropFirst(16))
        {
            return date
        }
        if let day = LocalDate(input) { return LocalClock.instant(on: day, hour: 0, minute: 0, zone: zone) }
        guard input.count == 16 || input.count == 19, let day = LocalDate(String(input.prefix(10))) else { return nil }
        let separator = input[input.index(input.startIndex, offsetBy: 10)]
        guard separator == "T" || separator == " " else { return nil }
        let clock = input.dropFirst(11).split(separator: ":", omittingEmptySubsequences: false)
        guard clock.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(clock[0]), let minute = Int(clock[1]), hour < 24, minute < 60
        else { return nil }
        let second = clock.count == 3 ? Int(clock[2])! : 0
        guard second < 60 else { return nil }
        return LocalClock.instant(on: day, hour: hour, minute: minute, second: second, zone: zone)
    }

    /// `2026-11-20T18:00` in `zone` when that reads back as the same instant, else UTC with Z:
    /// how an override is written to oncall.yaml.
    static func format(_ date: Date, zone: TimeZone) -> String {
        let calendar = Calendar.gregorian(zone)
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        var local = String(format: "%04d-%02d-%02dT%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
        if c.second! != 0 { local += String(format: ":%02d", c.second!) }
        return parse(local, zone: zone) == date ? local : Timestamp.format(date)
    }
}
