import Foundation
import Testing

@testable import OpsKit

@Suite struct IncidentLifecycleTests {
    @Test func openWritesTheDocumentedFileInOneCommitWithTrailers() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        var request = IncidentService.OpenRequest(title: "Checkout p99 latency above 1.2s", severity: "p2", service: "OPS_COPILOT")
        request.detectedAt = Timestamp.parse("2026-11-22T17:55:10Z")
        request.tags = ["latency"]
        request.runbook = "model-serving-degradation"
        let incident = try ops.incidents.open(request, author: ops.alice)
        #expect(incident.id.hasPrefix("INC-20261122-"))
        #expect(incident.path == "incidents/2026/11/\(incident.id)/incident.md")
        #expect(
            try ops.file(incident) == """
                ---
                id: \(incident.id)
                title: Checkout p99 latency above 1.2s
                severity: SEV2
                status: open
                service: ops_copilot
                use_case: ops_copilot
                commander: alice
                oncall: bob
                rotation: sre
                channel: '#sre-oncall'
                tags: [latency]
                runbook: model-serving-degradation
                detected_at: 2026-11-22T17:55:10Z
                opened_at: 2026-11-22T17:58:02Z
                ---
                # Checkout p99 latency above 1.2s

                ## Summary
                What is broken, who is affected, since when.

                ## Impact
                Users or systems affected, and how badly.

                ## Timeline
                - 2026-11-22T17:58:02Z alice **opened** SEV2 on ops_copilot
                - 2026-11-22T17:58:02Z ops **paged** bob (sre), announced in #sre-oncall
                - 2026-11-22T17:58:02Z alice **runbook** attached model-serving-degradation (28 steps)

                """)
        #expect(
            try git(ops.folder.path, "log", "-1", "--format=%an|%s|%(trailers:only,unfold)")
                == "Alice Martin|incident open \(incident.id): Checkout p99 latency above 1.2s|Ops-Action: incident.open\nOps-Id: \(incident.id)\n\n")
        #expect(try git(ops.folder.path, "status", "--porcelain") == "")
    }

    @Test func theLifecycleMovesForwardAndEachStepIsOneCommitAndOneTimelineLine() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let start = try ops.commitCount()
        let short = String(incident.id.suffix(8).prefix(4)).lowercased()
        ops.clock.advance(minutes: 5)
        _ = try ops.incidents.change(short, .move(to: .acknowledged), at: nil, author: ops.bob)
        ops.clock.advance(minutes: 1)
        _ = try ops.incidents.change(short, .note("Rolled back model v42"), at: nil, author: ops.alice)
        _ = try ops.incidents.change(short, .assign(role: "Ops Lead", person: "Carol"), at: nil, author: ops.alice)
        ops.clock.advance(minutes: 30)
        _ = try ops.incidents.change(short, .move(to: .mitigated), at: nil, author: ops.alice)
        _ = try ops.incidents.change(short, .move(to: .resolved), at: nil, author: ops.alice)
        let closed = try ops.incidents.change(incident.id, .move(to: .closed), at: nil, author: ops.alice).incident
        #expect(try ops.commitCount() == start + 6)
        #expect(closed.status == .closed)
        #expect(closed.roles.map(\.role) == ["ops_lead"] && closed.roles.map(\.person) == ["carol"])
        #expect(closed.timeline.map(\.kind) == ["opened", "paged", "acknowledged", "note", "assigned", "mitigated", "resolved", "closed"])
        #expect(closed.timeline[2].actor == "bob")
        #expect(closed.clock[.acknowledged] == Timestamp.parse("2026-11-22T18:03:02Z"))
        #expect(
            try git(ops.folder.path, "log", "--format=%(trailers:key=Ops-Action,valueonly,separator=)", "-6").split(separator: "\n") == [
                "incident.close", "incident.resolve", "incident.mitigate", "incident.assign", "incident.note", "incident.ack",
            ])
    }

    @Test func actingTwiceChangesNothingAndACorrectionKeepsBothTimesInTheTimeline() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        ops.clock.advance(minutes: 10)
        _ = try ops.incidents.change(incident.id, .move(to: .acknowledged), at: nil, author: ops.bob)
        let count = try ops.commitCount()
        let again = try ops.incidents.change(incident.id, .move(to: .acknowledged), at: nil, author: ops.bob)
        #expect(!again.committed)
        #expect(again.unchanged?.contains("was already acknowledged at 2026-11-22 19:08 Europe/Berlin") == true)
        #expect(try ops.commitCount() == count)

        let corrected = try ops.incidents.change(incident.id, .move(to: .acknowledged), at: Timestamp.parse("2026-11-22T18:01:00Z"), author: ops.bob)
        #expect(corrected.incident.clock[.acknowledged] == Timestamp.parse("2026-11-22T18:01:00Z"))
        #expect(corrected.incident.timeline.last?.text == "acknowledged_at 2026-11-22T18:08:02Z → 2026-11-22T18:01:00Z")
        #expect(corrected.incident.timeline.filter { $0.kind == "acknowledged" }.count == 1)
        let detected = try ops.incidents.change(incident.id, .correct(.detected), at: Timestamp.parse("2026-11-22T17:50:00Z"), author: ops.alice)
        #expect(detected.incident.clock[.detected] == Timestamp.parse("2026-11-22T17:50:00Z"))
        #expect(detected.incident.timeline.last?.text == "detected_at unset → 2026-11-22T17:50:00Z")
    }

    @Test func clockPointsOutOfOrderAreRefusedWithBothTimesUnlessForced() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let count = try ops.commitCount()
        #expect(
            throws: OpsError.input(
                "acknowledged_at 2026-11-22 18:50 would be before opened_at 2026-11-22 18:58 (Europe/Berlin). Check the time, or add --force to record it anyway"
            )
        ) {
            try ops.incidents.change(incident.id, .move(to: .acknowledged), at: Timestamp.parse("2026-11-22T17:50:00Z"), author: ops.bob)
        }
        #expect(try ops.commitCount() == count)
        let forced = try ops.incidents.change(incident.id, .move(to: .acknowledged), at: Timestamp.parse("2026-11-22T17:50:00Z"), force: true, author: ops.bob)
        #expect(forced.incident.clockOrderViolations.count == 1)
    }

    @Test func closedIncidentsMustBeReopenedAndReopeningClearsTheEndPoints() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        for status in [IncidentStatus.acknowledged, .mitigated, .resolved, .closed] {
            ops.clock.advance(minutes: 10)
            _ = try ops.incidents.change(incident.id, .move(to: status), at: nil, author: ops.alice)
        }
        #expect(throws: OpsError.input("\(incident.id) is closed. Reopen it first: ops incident reopen \(incident.id)")) {
            try ops.incidents.change(incident.id, .move(to: .mitigated), at: Timestamp.parse("2026-11-22T18:30:00Z"), author: ops.alice)
        }
        ops.clock.advance(minutes: 60)
        let reopened = try ops.incidents.change(incident.id, .reopen, at: nil, author: ops.alice).incident
        #expect(reopened.status == .acknowledged)
        #expect(reopened.clock[.resolved] == nil && reopened.clock[.mitigated] == nil && reopened.clock[.closed] == nil)
        #expect(reopened.timeline.last?.kind == "reopened" && reopened.timeline.last?.text == "(was closed)")
        #expect(reopened.timeline.filter { $0.kind == "resolved" }.count == 1)
        ops.clock.advance(minutes: 30)
        let resolved = try ops.incidents.change(incident.id, .move(to: .resolved), at: nil, author: ops.alice).incident
        #expect(resolved.clock[.resolved] == ops.clock.now)
        #expect(resolved.timeline.filter { $0.kind == "resolved" }.count == 2)
        let fresh = try ops.open("Another one")
        #expect(throws: OpsError.input("\(fresh.id) is open; only a resolved or closed incident can be reopened")) {
            try ops.incidents.change(fresh.id, .reopen, at: nil, author: ops.alice)
        }
    }

    @Test func severityChangesAndAssignmentsAreCheckedAgainstOpsYaml() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let sev = try ops.incidents.change(incident.id, .severity("critical"), at: nil, author: ops.alice).incident
        #expect(sev.severity == "SEV1" && sev.timeline.last?.text == "SEV2 → SEV1")
        #expect(throws: OpsError.input("unknown role 'janitor'. Known: commander, comms, scribe, ops_lead")) {
            try ops.incidents.change(incident.id, .assign(role: "janitor", person: "bob"), at: nil, author: ops.alice)
        }
        #expect(
            throws: OpsError.input(
                "unknown person 'mallory'. Known: alice, bob, carol, dave, erin, farid, grace, henrik, ines, jonas, kwame, lena (add them to ops.yaml)")
        ) {
            try ops.incidents.change(incident.id, .assign(role: "comms", person: "mallory"), at: nil, author: ops.alice)
        }
        let commander = try ops.incidents.change(incident.id, .assign(role: "commander", person: "bob"), at: nil, author: ops.alice).incident
        #expect(commander.commander == "bob")
    }

    @Test func anEditThatLintWouldRejectIsRefused() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let count = try ops.commitCount()
        let unknownService = try ops.file(incident).replacingOccurrences(of: "service: ops_copilot", with: "service: nope")
        #expect {
            try ops.incidents.replace(incident.id, with: unknownService, author: ops.alice)
        } throws: { error in (error as? OpsError)?.message.contains("unknown service `nope`") == true }
        let statusAhead = try ops.file(incident).replacingOccurrences(of: "status: open", with: "status: open\nclosed_at: 2026-11-22T18:30:00Z")
        #expect {
            try ops.incidents.replace(incident.id, with: statusAhead, author: ops.alice)
        } throws: { error in (error as? OpsError)?.message.contains("status is open but closed_at is set") == true }
        #expect(try ops.commitCount() == count)
    }

    @Test func editingReplacesTheFileAfterCheckingItAndRecordsWhichFieldsChanged() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let text = try ops.file(incident).replacingOccurrences(of: "severity: SEV2", with: "severity: SEV3")
            .replacingOccurrences(of: "What is broken, who is affected, since when.", with: "Reranker v42 slowed every request.")
        let edited = try ops.incidents.replace(incident.id, with: text, author: ops.alice).incident
        #expect(edited.severity == "SEV3")
        #expect(edited.timeline.last?.kind == "edited" && edited.timeline.last?.text == "severity")
        #expect(try ops.file(incident).contains("Reranker v42 slowed every request."))
        let count = try ops.commitCount()
        #expect(throws: OpsError.self) {
            try ops.incidents.replace(incident.id, with: text.replacingOccurrences(of: "severity: SEV3", with: "severity: SEV9"), author: ops.alice)
        }
        #expect(throws: OpsError.self) {
            try ops.incidents.replace(
                incident.id, with: text.replacingOccurrences(of: "id: \(incident.id)", with: "id: INC-20261122-AAAAAAAA"), author: ops.alice)
        }
        #expect(try ops.commitCount() == count)
    }
}
