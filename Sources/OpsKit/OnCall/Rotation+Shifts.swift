public import Foundation

/// One turn of a rotation: shift `number` runs from its hand-off to the next one.
public struct Shift: Sendable, Equatable {
    public var rotation: String
    /// 0 for the first shift after `start`.
    public var number: Int
    public var person: String
    public var start: Date
    public var end: Date
}

extension Rotation {
    /// The instant of hand-off `n` (0 is the first at or after `start`): the written local time
    /// in the rotation's zone, `n` lengths of local days after the first, so a daylight-saving
    /// change moves the UTC instant and keeps the local time.
    public func handoff(_ n: Int) -> Date {
        LocalClock.instant(on: LocalDate(dayNumber: firstHandoffDay.dayNumber + n * length.days), hour: handoff.hour, minute: handoff.minute, zone: zone)
    }

    /// The day of the first hand-off: `start`, or the first day after it on the hand-off's weekday.
    /// A hand-off at a written time on the start day counts even when it is before the rest of
    /// the day: `start` is a day, not an instant.
    var firstHandoffDay: LocalDate {
        guard let weekday = handoff.weekday else { return start }
        return LocalDate(dayNumber: start.dayNumber + (weekday - start.isoWeekday + 7) % 7)
    }

    /// The shift running at `instant`; nil before the first hand-off, when nobody is on call.
    public func shift(at instant: Date) -> Shift? {
        guard !people.isEmpty, instant >= handoff(0) else { return nil }
        // Hand-offs are `length` local days apart, which is never more than an hour away from
        // as many UTC days: the estimate is off by at most one, and the loops correct it.
        let period = Double(length.days) * 86_400
        var n = max(0, Int((instant.timeIntervalSince(handoff(0)) / period).rounded(.down)))
        while n > 0, handoff(n) > instant { n -= 1 }
        while handoff(n + 1) <= instant { n += 1 }
        return shift(n)
    }

    /// Shift `n` with its person: people[n mod count].
    public func shift(_ n: Int) -> Shift {
        Shift(rotation: name, number: n, person: people[n % people.count], start: handoff(n), end: handoff(n + 1))
    }

    /// The shifts that share an instant with `interval`, in order.
    public func shifts(overlapping interval: DateInterval) -> [Shift] {
        guard !people.isEmpty, interval.end > handoff(0) else { return [] }
        var n = shift(at: max(interval.start, handoff(0)))?.number ?? 0
        var result: [Shift] = []
        while handoff(n) < interval.end {
            result.append(shift(n))
            n += 1
        }
        return result
    }
}

/// Local wall-clock times in a zone, as instants.
enum LocalClock {
    /// `hour:minute` on `day` in `zone`. A time that does not exist that day (skipped by a
    /// spring-forward change, such as 02:30 in Berlin on 2026-03-29) is the first valid instant
    /// after it: the moment the clocks jump (03:00 local). A time that happens twice (the hour
    /// repeated in autumn) is its first occurrence, still on summer time.
    static func instant(on day: LocalDate, hour: Int, minute: Int, second: Int = 0, zone: TimeZone) -> Date {
        let calendar = Calendar.gregorian(zone)
        let parts = DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute, second: second)
        // The wall time read as UTC, then shifted by the zone's offset: each candidate offset the
        // zone had around that day is tried, and the earliest instant that reads back as the
        // written wall time wins. None reads back only inside a spring-forward gap.
        let wall = Date(timeIntervalSince1970: TimeInterval(day.dayNumber * 86_400 + hour * 3600 + minute * 60 + second))
        let offsets = Set([-86_400, -43_200, 0, 43_200, 86_400].map { zone.secondsFromGMT(for: wall.addingTimeInterval(TimeInterval($0))) })
        let matches = offsets.map { wall.addingTimeInterval(TimeInterval(-$0)) }.filter { candidate in
            let read = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: candidate)
            return read.year == parts.year && read.month == parts.month && read.day == parts.day && read.hour == hour && read.minute == minute
                && read.second == second
        }
        if let first = matches.min() { return first }
        // In the gap: the transition that ends it is the first valid instant after the written time.
        // The written time read with the offset before the gap is after the jump; the last
        // transition up to it is the jump.
        let before = wall.addingTimeInterval(TimeInterval(-zone.secondsFromGMT(for: wall.addingTimeInterval(-86_400))))
        var jump = before
        var search = wall.addingTimeInterval(-3 * 86_400)
        while let next = zone.nextDaylightSavingTimeTransition(after: search), next <= before {
            jump = next
            search = next
        }
        return jump
    }
}
