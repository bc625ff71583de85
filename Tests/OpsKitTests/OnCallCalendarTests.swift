import Foundation
import Testing

@testable import OpsKit

/// Issue 18: the iCalendar text rules of RFC 5545 that a calendar app enforces.
@Suite struct OnCallCalendarTests {
    @Test func textIsEscapedAndLongLinesFoldAt75OctetsWithoutSplittingACharacter() {
        #expect(OnCallCalendar.text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne")
        let line = "SUMMARY:" + String(repeating: "—", count: 40)
        let folded = OnCallCalendar.fold(line)
        let parts = folded.components(separatedBy: "\r\n")
        #expect(parts.count == 2)
        #expect(parts.allSatisfy { $0.utf8.count <= 75 })
        #expect(parts[0].utf8.count == 74 && parts[1].hasPrefix(" —"))
        // Unfolding (removing CRLF and one space) gives the line back.
        #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == line)
        #expect(OnCallCalendar.fold("SHORT:x") == "SHORT:x")
    }

    @Test func eachPieceOfAShiftHasItsOwnStableUIDAndAnOverrideSaysSo() throws {
        let schedule = try OnCallShiftTests.schedule(OnCallShiftTests.withOverrides)
        let window = DateInterval(start: OnCallShiftTests.at("2026-11-02T08:00:00Z"), end: OnCallShiftTests.at("2026-11-09T08:00:00Z"))
        let listing = OnCallService.Listing(
            team: "ML Platform", window: window, rotations: schedule.rotations, slots: schedule.slots(of: try schedule.rotation("sre"), overlapping: window),
            made: OnCallShiftTests.at("2026-11-01T00:00:00Z"))
        let text = OnCallCalendar.render(listing)
        let uids = text.components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") }
        #expect(
            uids == [
                "UID:sre-20261102T080000Z@ml-platform.oncall.ops", "UID:sre-override-20261104T170000Z@ml-platform.oncall.ops",
                "UID:sre-20261105T080000Z@ml-platform.oncall.ops",
            ])
        #expect(text.contains("\r\nSUMMARY:On call: sre — dave (override)\r\n"))
        #expect(text.contains("\r\nDTSTART:20261104T170000Z\r\nDTEND:20261105T080000Z\r\n"))
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:") && text.hasSuffix("END:VCALENDAR\r\n"))
    }
}
