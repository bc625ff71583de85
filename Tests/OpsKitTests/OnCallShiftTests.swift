import Foundation
import Testing

@testable import OpsKit

/// Issue 18, schedules: which shift runs when, and who holds it.
@Suite struct OnCallShiftTests {
    static func schedule(_ text: String) throws -> OnCallSchedule { try OnCallSchedule.load(text, config: nil) }

    static func rotation(_ fields: String) throws -> Rotation { try schedule("rotations:\n  r: {\(fields)}\n").rotations[0] }

    static func at(_ text: String) -> Date { Timestamp.parse(text)! }

    static func utc(_ date: Date) -> String { Timestamp.format(date) }

    @Test func aWeeklyRotationStartsAtTheFirstHandoffOnOrAfterItsStartAndTakesTurns() throws {
        // 2026-11-04 is a Wednesday: the first Monday 09:00 after it is 9 November, 08:00 UTC (CET).
        let rotation = try Self.rotation("zone: Europe/Berlin, start: 2026-11-04, handoff: Monday 09:00, length: 1w, people: [a, b, c]")
        #expect(Self.utc(rotation.handoff(0)) == "2026-11-09T08:00:00Z")
        #expect(rotation.shift(at: Self.at("2026-11-09T07:59:59Z")) == nil)
        #expect(rotation.shift(at: Self.at("2026-11-04T00:00:00Z")) == nil)
        let first = try #require(rotation.shift(at: Self.at("2026-11-09T08:00:00Z")))
        #expect(first.number == 0 && first.person == "a" && Self.utc(first.end) == "2026-11-16T08:00:00Z")
        #expect(rotation.shift(at: Self.at("2026-11-16T07:59:59Z"))?.person == "a")
        #expect(rotation.shift(at: Self.at("2026-11-16T08:00:00Z"))?.person == "b")
        #expect(rotation.shift(at: Self.at("2026-11-25T12:00:00Z"))?.person == "c")
        #expect(rotation.shift(at: Self.at("2026-11-30T08:00:00Z"))?.person == "a")
        #expect(rotation.shift(at: Self.at("2026-11-30T08:00:00Z"))?.number == 3)
        // A start on the hand-off's weekday hands over that same day.
        let monday = try Self.rotation("zone: Europe/Berlin, start: 2026-11-09, handoff: mon 09:00, length: 1w, people: [a]")
        #expect(Self.utc(monday.handoff(0)) == "2026-11-09T08:00:00Z")
    }

    @Test func dailyAndNDayRotationsHandOverEveryLengthOfLocalDays() throws {
        let daily = try Self.rotation("zone: UTC, start: 2026-11-02, handoff: \"09:00\", length: 1d, people: [a, b]")
        #expect(daily.shift(at: Self.at("2026-11-02T08:59:00Z")) == nil)
        #expect(daily.shift(at: Self.at("2026-11-02T09:00:00Z"))?.person == "a")
        #expect(daily.shift(at: Self.at("2026-11-03T08:59:59Z"))?.person == "a")
        #expect(daily.shift(at: Self.at("2026-11-03T09:00:00Z"))?.person == "b")
        #expect(daily.shift(at: Self.at("2026-11-04T09:00:00Z"))?.person == "a")
        let threeDays = try Self.rotation("zone: UTC, start: 2026-11-02, handoff: \"18:30\", length: 3d, people: [a, b, c, d]")
        #expect(
            (0..<5).map { Self.utc(threeDays.handoff($0)) } == [
                "2026-11-02T18:30:00Z", "2026-11-05T18:30:00Z", "2026-11-08T18:30:00Z", "2026-11-11T18:30:00Z", "2026-11-14T18:30:00Z",
            ])
        #expect(threeDays.shift(at: Self.at("2026-11-12T00:00:00Z"))?.person == "d")
        #expect(threeDays.shift(at: Self.at("2026-11-15T00:00:00Z"))?.person == "a")
        let twoWeeks = try Self.rotation("zone: UTC, start: 2026-11-02, handoff: Monday 09:00, length: 2w, people: [a, b]")
        #expect(Self.utc(twoWeeks.handoff(1)) == "2026-11-16T09:00:00Z")
    }

    @Test func berlinHandoffsKeepTheWrittenLocalTimeAcrossBothDaylightSavingChanges() throws {
        let weekly = try Self.rotation("zone: Europe/Berlin, start: 2026-03-16, handoff: Monday 09:00, length: 1w, people: [a, b]")
        // 29 March 2026 moves Berlin from UTC+1 to UTC+2: 09:00 is 08:00 UTC before, 07:00 after.
        #expect(Self.utc(weekly.handoff(1)) == "2026-03-23T08:00:00Z")
        #expect(Self.utc(weekly.handoff(2)) == "2026-03-30T07:00:00Z")
        // 25 October 2026 moves it back: 07:00 UTC before, 08:00 after.
        let autumn = try Self.rotation("zone: Europe/Berlin, start: 2026-10-12, handoff: Monday 09:00, length: 1w, people: [a, b]")
        #expect(Self.utc(autumn.handoff(1)) == "2026-10-19T07:00:00Z")
        #expect(Self.utc(autumn.handoff(2)) == "2026-10-26T08:00:00Z")
        let shift = try #require(autumn.shift(at: Self.at("2026-10-25T12:00:00Z")))
        #expect(shift.end.timeIntervalSince(shift.start) == 7 * 86_400 + 3600)
        // A daily hand-off at 02:30: on 29 March that time does not exist (02:00 jumps to 03:00),
        // so the hand-off is the first valid instant after it, 03:00 CEST; on 25 October it
        // happens twice, and the hand-off is the first, still on summer time.
        let night = try Self.rotation("zone: Europe/Berlin, start: 2026-03-27, handoff: \"02:30\", length: 1d, people: [a, b]")
        #expect(
            (0..<4).map { Self.utc(night.handoff($0)) } == [
                "2026-03-27T01:30:00Z", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z",
            ])
        let repeated = try Self.rotation("zone: Europe/Berlin, start: 2026-10-24, handoff: \"02:30\", length: 1d, people: [a, b]")
        #expect((0..<3).map { Self.utc(repeated.handoff($0)) } == ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
    }

    @Test func newYorkHandoffsLandAtTheWrittenLocalTimeIncludingOneThatDoesNotExist() throws {
        let weekly = try Self.rotation("zone: America/New_York, start: 2026-03-02, handoff: Monday 09:00, length: 1w, people: [a, b]")
        // 8 March 2026: EST (UTC−5) to EDT (UTC−4).
        #expect(Self.utc(weekly.handoff(0)) == "2026-03-02T14:00:00Z")
        #expect(Self.utc(weekly.handoff(1)) == "2026-03-09T13:00:00Z")
        let fall = try Self.rotation("zone: America/New_York, start: 2026-10-26, handoff: Monday 09:00, length: 1w, people: [a, b]")
        #expect(Self.utc(fall.handoff(0)) == "2026-10-26T13:00:00Z")
        #expect(Self.utc(fall.handoff(1)) == "2026-11-02T14:00:00Z")
        // Sunday 02:30 on 8 March does not exist in New York: the hand-off is at 03:00 EDT.
        let sunday = try Self.rotation("zone: America/New_York, start: 2026-03-01, handoff: Sunday 02:30, length: 1w, people: [a, b]")
        #expect((0..<3).map { Self.utc(sunday.handoff($0)) } == ["2026-03-01T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-15T06:30:00Z"])
        #expect(sunday.shift(at: Self.at("2026-03-08T06:59:59Z"))?.person == "a")
        #expect(sunday.shift(at: Self.at("2026-03-08T07:00:00Z"))?.person == "b")
    }

    @Test func theShiftAtAnyInstantLiesBetweenItsHandoffs() throws {
        // Every 7 hours over two years, across four daylight-saving changes: the estimate the
        // lookup starts from is corrected to the shift whose hand-offs enclose the instant.
        for fields in [
            "zone: Europe/Berlin, start: 2026-01-01, handoff: \"02:30\", length: 1d, people: [a, b, c]",
            "zone: America/New_York, start: 2026-01-01, handoff: Sunday 23:00, length: 2w, people: [a, b, c]",
        ] {
            let rotation = try Self.rotation(fields)
            var instant = rotation.handoff(0)
            let end = Self.at("2028-01-01T00:00:00Z")
            while instant < end {
                let shift = try #require(rotation.shift(at: instant))
                #expect(shift.start <= instant && instant < shift.end, "\(fields) at \(Self.utc(instant))")
                #expect(shift.person == ["a", "b", "c"][shift.number % 3])
                instant.addTimeInterval(7 * 3600)
            }
        }
    }

    static let withOverrides = """
        rotations:
          sre: {zone: Europe/Berlin, start: 2026-11-02, handoff: Monday 09:00, length: 1w, people: [alice, bob], secondary: backup}
          backup: {zone: Europe/Berlin, start: 2026-11-02, handoff: Monday 09:00, length: 1w, people: [carol, dave]}
        overrides:
          - {rotation: sre, person: dave, from: 2026-11-04T18:00, until: 2026-11-05T09:00}
          - {rotation: sre, person: erin, from: 2026-11-15T20:00, until: 2026-11-16T12:00}
          - {rotation: backup, person: erin, from: 2026-11-10T00:00:00Z, until: 2026-11-11T00:00:00Z}

        """

    @Test func anOverrideSplitsAShiftAndOneAcrossAHandoffSplitsAtIt() throws {
        let schedule = try Self.schedule(Self.withOverrides)
        let sre = try schedule.rotation("SRE")
        let slots = schedule.slots(of: sre, overlapping: DateInterval(start: Self.at("2026-11-02T08:00:00Z"), end: Self.at("2026-11-23T08:00:00Z")))
        #expect(
            slots.map { "\($0.shift) \($0.person)\($0.isOverride ? "*" : "") \(Self.utc($0.start)) \(Self.utc($0.end))" } == [
                "0 alice 2026-11-02T08:00:00Z 2026-11-04T17:00:00Z",
                "0 dave* 2026-11-04T17:00:00Z 2026-11-05T08:00:00Z",
                "0 alice 2026-11-05T08:00:00Z 2026-11-09T08:00:00Z",
                "1 bob 2026-11-09T08:00:00Z 2026-11-15T19:00:00Z",
                "1 erin* 2026-11-15T19:00:00Z 2026-11-16T08:00:00Z",
                "2 erin* 2026-11-16T08:00:00Z 2026-11-16T11:00:00Z",
                "2 alice 2026-11-16T11:00:00Z 2026-11-23T08:00:00Z",
            ])
        let during = try #require(schedule.onCall("sre", at: Self.at("2026-11-04T23:00:00Z")))
        #expect(during.person == "dave" && during.isOverride)
        #expect(Self.utc(during.start) == "2026-11-04T17:00:00Z" && Self.utc(during.end) == "2026-11-05T08:00:00Z")
        let after = try #require(schedule.onCall("sre", at: Self.at("2026-11-05T08:00:00Z")))
        #expect(after.person == "alice" && !after.isOverride && Self.utc(after.start) == "2026-11-05T08:00:00Z")
        // The secondary layer is the secondary rotation's person then, its overrides applied.
        #expect(schedule.onCall("sre", at: Self.at("2026-11-04T23:00:00Z"), layer: .secondary)?.person == "carol")
        #expect(schedule.onCall("sre", at: Self.at("2026-11-10T12:00:00Z"), layer: .secondary)?.person == "erin")
        #expect(schedule.onCall("sre", at: Self.at("2026-11-10T12:00:00Z"), layer: .secondary)?.rotation == "backup")
        #expect(schedule.onCall("backup", at: Self.at("2026-11-10T12:00:00Z"), layer: .secondary) == nil)
        // Before the start nobody is on call, at either layer.
        #expect(schedule.onCall("sre", at: Self.at("2026-11-02T07:59:59Z")) == nil)
        #expect(schedule.onCall("sre", at: Self.at("2026-11-02T07:59:59Z"), layer: .secondary) == nil)
        // The rotation's escalation settings are read for the next part of the issue.
        let example = try OnCallSchedule.load(
            StarterKit.files(example: true, team: "x", timeZone: "UTC").first { $0.path == OnCallSchedule.path }!.content,
            config: OpsConfig.load(ConfigTests.example))
        let main = try example.rotation("sre")
        #expect(main.ackWithin == 900 && main.secondary == "sre-secondary" && main.lastResort == "alice")
        #expect(example.rotations.map(\.name) == ["sre", "sre-secondary", "data", "platform", "finops"])
        #expect(example.routes.first?.match == ["team": "sre"] && example.routes.last?.match == [:])
    }

    @Test func overrideTimesWithoutAnOffsetAreInTheRotationsZone() throws {
        let schedule = try Self.schedule(Self.withOverrides)
        #expect(schedule.overrides.map { Self.utc($0.from) } == ["2026-11-04T17:00:00Z", "2026-11-15T19:00:00Z", "2026-11-10T00:00:00Z"])
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        #expect(OnCallTime.parse("2026-07-01 18:00", zone: berlin).map(Self.utc) == "2026-07-01T16:00:00Z")
        #expect(OnCallTime.parse("2026-07-01", zone: berlin).map(Self.utc) == "2026-06-30T22:00:00Z")
        #expect(OnCallTime.parse("2026-07-01T18:00+05:00", zone: berlin).map(Self.utc) == "2026-07-01T13:00:00Z")
        #expect(OnCallTime.parse("2026-07-01T25:00", zone: berlin) == nil)
        // Written back in the zone, or in UTC when the local time would be ambiguous (25 October, 02:30 twice).
        #expect(OnCallTime.format(Self.at("2026-07-01T16:00:00Z"), zone: berlin) == "2026-07-01T18:00")
        #expect(OnCallTime.format(Self.at("2026-10-25T01:30:00Z"), zone: berlin) == "2026-10-25T01:30:00Z")
    }
}
