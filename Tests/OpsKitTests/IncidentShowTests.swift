import Foundation
import Testing

@testable import OpsKit

@Suite struct IncidentShowTests {
    /// Issue 15: durations were cut off (691 s read 11m) instead of rounded to the nearest unit.
    @Test func durationsRoundToTheNearestUnitShown() {
        let cases: [(Double, String)] = [
            (691, "12m"), (689, "11m"), (45, "45s"), (59.6, "1m"), (89, "1m"), (90, "2m"), (3599, "1h 00m"), (3629, "1h 00m"),
            (3631, "1h 01m"), (3725, "1h 02m"), (86_370, "1d 00h"), (2 * 86_400 + 3 * 3600 + 1799, "2d 03h"),
            (2 * 86_400 + 3 * 3600 + 1800, "2d 04h"), (-691, "-12m"), (-0.2, "0s"),
        ]
        for (seconds, text) in cases { #expect(DurationFormat.short(seconds) == text, "\(seconds)") }
    }

    /// Issue 15: correction lines printed UTC under a heading that names the team's zone.
    @Test func theTimelineShowsCorrectionsInTheTeamsZone() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        ops.clock.advance(minutes: 11.5)
        _ = try ops.incidents.change(incident.id, .move(to: .acknowledged), at: nil, author: ops.bob)
        _ = try ops.incidents.change(incident.id, .correct(.detected), at: Timestamp.parse("2026-11-22T17:55:10Z"), author: ops.alice)
        _ = try ops.incidents.change(incident.id, .correct(.detected), at: Timestamp.parse("2026-11-22T17:55:40Z"), author: ops.alice)
        let shown = try IncidentRendering.show(ops.incidents.find(incident.id), format: .table, config: ops.workspace.config(), now: ops.clock.now)
        #expect(shown.contains("Timeline (Europe/Berlin):"))
        #expect(shown.contains("  2026-11-22 19:09  alice corrected detected_at unset → 2026-11-22 18:55\n"))
        // Two times in the same minute keep their seconds.
        #expect(shown.contains("  2026-11-22 19:09  alice corrected detected_at 2026-11-22 18:55:10 → 2026-11-22 18:55:40\n"))
        #expect(!shown.contains("Z →") && !shown.contains("T17:"))
        // From detection (17:55:40) to acknowledgement (18:09:32) is 13 min 52 s: 14m, not 13m.
        #expect(shown.contains("to acknowledge 14m"))
        // The file keeps UTC.
        #expect(try ops.file(incident).contains("**corrected** detected_at unset → 2026-11-22T17:55:10Z"))
    }
}
