import Foundation
import Testing

@testable import OpsKit

@Suite struct IncidentListFilterTests {
    /// Issue 15, reproduction 9: `--status open` alone hid incidents still being worked.
    @Test func activeMeansNotYetResolvedAndStatusesCombineByCommaOrRepetition() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        var byStatus: [IncidentStatus: String] = [:]
        for status in IncidentStatus.allCases {
            let incident = try ops.open("Checkout p99 above 1.2s (\(status.rawValue))")
            byStatus[status] = incident.id
            for step in IncidentStatus.allCases where step > .open && step <= status {
                ops.clock.advance(minutes: 1)
                _ = try ops.incidents.change(incident.id, .move(to: step), at: nil, author: ops.alice)
            }
            ops.clock.advance(minutes: 1)
        }
        func listed(_ words: [String]) throws -> Set<String> {
            var filter = IncidentFilter()
            filter.statuses = try IncidentFilter.statuses(words)
            return Set(try ops.incidents.list(filter).incidents.ids)
        }
        #expect(try listed(["active"]) == [byStatus[.open]!, byStatus[.acknowledged]!, byStatus[.mitigated]!])
        #expect(try listed(["acknowledged,mitigated"]) == [byStatus[.acknowledged]!, byStatus[.mitigated]!])
        #expect(try listed(["Resolved", "closed"]) == [byStatus[.resolved]!, byStatus[.closed]!])
        #expect(try listed(["open"]) == [byStatus[.open]!])
        #expect(try listed([]).count == 5)
        #expect(throws: OpsError.input("unknown status 'pending'. Known: open, acknowledged, mitigated, resolved, closed, active (not yet resolved)")) {
            try IncidentFilter.statuses(["open,pending"])
        }
    }
}
