import Foundation
import Testing

@testable import OpsKit

/// The window `ops slo pull` asks for: whole steps, ended by now.
@Suite struct SLOPullWindowTests {
    static let now = Timestamp.parse("2026-11-25T10:30:15Z")!

    static func window(_ request: SLOPull.Request) throws -> (String, String, Int64) {
        let window = try SLOPull.window(request, now: now)
        return (Timestamp.format(window.start), Timestamp.format(window.end), window.stepSeconds)
    }

    @Test func defaultsToTheLastCompleteISOWeekInUTC() throws {
        #expect(try Self.window(SLOPull.Request()) == ("2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", 3600))
    }

    @Test func theCurrentWeekEndsAtTheLastWholeStep() throws {
        let request = SLOPull.Request(week: ISOWeek("2026-W48"))
        #expect(try Self.window(request) == ("2026-11-23T00:00:00Z", "2026-11-25T10:00:00Z", 3600))
        let fiveMinutes = SLOPull.Request(week: ISOWeek("2026-W48"), step: "5m")
        #expect(try Self.window(fiveMinutes) == ("2026-11-23T00:00:00Z", "2026-11-25T10:30:00Z", 300))
    }

    @Test func fromAndUntilAreRoundedDownToWholeSteps() throws {
        let request = SLOPull.Request(from: Timestamp.parse("2026-11-20T08:59:59Z"), until: Timestamp.parse("2026-11-20T12:30:00Z"))
        #expect(try Self.window(request) == ("2026-11-20T08:00:00Z", "2026-11-20T12:00:00Z", 3600))
        // No --until: up to now.
        let open = SLOPull.Request(from: Timestamp.parse("2026-11-25T08:00:00Z"))
        #expect(try Self.window(open) == ("2026-11-25T08:00:00Z", "2026-11-25T10:00:00Z", 3600))
    }

    @Test func aWindowWithNoEndedStepOrTooManyStepsIsRefused() {
        let early = SLOPull.Request(from: Timestamp.parse("2026-11-25T10:05:00Z"))
        #expect(throws: OpsError.self) { try SLOPull.window(early, now: Self.now) }
        let future = SLOPull.Request(week: ISOWeek("2026-W50"))
        #expect(throws: OpsError.self) { try SLOPull.window(future, now: Self.now) }
        // A week of 30 s steps is 20,160 points; Prometheus answers at most 11,000.
        let fine = SLOPull.Request(step: "30s")
        #expect(throws: OpsError.self) { try SLOPull.window(fine, now: Self.now) }
        #expect(throws: OpsError.self) { try SLOPull.window(SLOPull.Request(step: "soon"), now: Self.now) }
    }
}
