import Foundation
import Testing

@testable import OpsKit

@Suite struct ImportPagerDutyTests {
    @discardableResult
    private func importAll(_ ops: OpsFixture) throws -> IncidentImport.Summary {
        try ops.importing(.pagerduty, ImportSamples.all(.pagerduty))
    }

    @Test func everySampleImportsWithClockPointsFromTheLogEntries() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try importAll(ops)
        #expect(summary.created.count == 8 && summary.updated.isEmpty && summary.skipped.isEmpty)

        // #232: created_at 2022-09-10T20:22:09Z (trigger by "rds - Datadog"); acknowledge log entries
        // 20:26:57Z (Eric), 20:51:25Z (Matthew), 2022-09-11T01:08:02Z; resolve_log_entry 2022-09-13T01:17:26Z
        // "Resolved by timeout."; no resolved_at key in the object.
        let rds = try ops.imported("pagerduty:Q0F38LOFAQXIKU")
        #expect(
            rds.clock == [
                .detected: utc("2022-09-10T20:22:09Z"), .opened: utc("2022-09-10T20:22:09Z"),
                .acknowledged: utc("2022-09-10T20:26:57Z"), .resolved: utc("2022-09-13T01:17:26Z"),
            ])
        #expect(rds.status == .resolved)
        // #541: created_at 2022-10-10T11:23:50Z; acknowledge 14:37:18Z (Slack); resolve 15:03:52Z (Datadog integration).
        let aion = try ops.imported("pagerduty:Q25VC4JPR19EYV")
        #expect(
            aion.clock == [
                .detected: utc("2022-10-10T11:23:50Z"), .opened: utc("2022-10-10T11:23:50Z"),
                .acknowledged: utc("2022-10-10T14:37:18Z"), .resolved: utc("2022-10-10T15:03:52Z"),
            ])
        // Trial #1 Q27MXNAJQ834PC: created_at 2021-10-27T08:05:59Z, status triggered, triggered by a person
        // on the website: opened only; no detection, acknowledgement or resolution.
        let trial = try ops.imported("pagerduty:Q27MXNAJQ834PC")
        #expect(trial.clock == [.opened: utc("2021-10-27T08:05:59Z")])
        #expect(trial.status == .open)
        // PagerDuty has no impact start, mitigation or close: never filled in from another point.
        for incident in try ops.importedIncidents() {
            #expect(incident.clock[.started] == nil && incident.clock[.mitigated] == nil && incident.clock[.closed] == nil)
        }
    }

    @Test func anImportedIncidentIsAnOrdinaryIncidentFile() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        try importAll(ops)
        let incident = try ops.imported("pagerduty:Q0HTZINBB5DPFN")
        #expect(incident.path == "incidents/2022/08/\(incident.id)/incident.md" && incident.id.hasPrefix("INC-20220810-"))
        let text = try ops.file(incident)
        #expect(
            text.hasPrefix(
                """
                ---
                id: \(incident.id)
                title: aion - Run Failures on tenant:sofi
                severity: SEV4
                status: resolved
                commander: oleg-gusak
                source: pagerduty:Q0HTZINBB5DPFN
                detected_at: 2022-08-10T20:23:53Z
                opened_at: 2022-08-10T20:23:53Z
                acknowledged_at: 2022-08-10T20:30:47Z
                resolved_at: 2022-08-10T22:23:33Z
                ---
                """))
        #expect(
            text.contains(
                """
                ## Timeline
                - 2022-08-10T20:23:53Z aion-datadog **opened** Triggered through the API.
                - 2022-08-10T20:30:47Z oleg-gusak **acknowledged** via sms
                - 2022-08-10T22:23:02Z oleg-gusak **note** Looks like it happens regularly - see logs https://us-east-1.console.aws.amazon.com/cloudwatch/ho...
                - 2022-08-10T22:23:32Z oleg-gusak **note** Resolution Note: See notes
                - 2022-08-10T22:23:33Z oleg-gusak **resolved** via website
                - 2026-11-22T17:58:02Z alice **imported** from PagerDuty #139
                """))
        // Keys in Incident.fieldOrder's order, and the file passes ops lint.
        let keys = try MarkdownDocument(text, path: incident.path).frontMatter!.keys
        #expect(keys == Incident.fieldOrder.filter(keys.contains))
        #expect(Incident.lint(incident.path, text, try ops.workspace.config()).isEmpty)
    }

    @Test func theIncidentAcknowledgedTwiceKeepsItsFirstAcknowledgement() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try importAll(ops)
        // #244: acknowledge_log_entry 2022-09-13T17:03:59Z by Natalie Casey (sms), then 19:21:19Z by Matthew Tovbin (slack).
        let incident = try ops.imported("pagerduty:Q0S09MOXYLH0CX")
        #expect(incident.clock[.acknowledged] == utc("2022-09-13T17:03:59Z"))
        #expect(incident.commander == "natalie-casey")
        #expect(incident.timeline.filter { $0.kind == "acknowledged" }.map(\.actor) == ["natalie-casey", "matthew-tovbin"])
        #expect(summary.notes.contains { $0.hasPrefix("acknowledged 2 times: acknowledged_at is the first") && $0.contains("Q0S09MOXYLH0CX") })
    }

    @Test func theIncidentNeverAcknowledgedHasItMissingAndStatsCountItAsMissing() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try importAll(ops)
        // #540: trigger 2022-10-10T07:29:21Z, resolve 07:32:26Z by the Datadog integration, no acknowledge entry.
        let incident = try ops.imported("pagerduty:Q01MS6ATDNCPPG")
        #expect(incident.clock[.acknowledged] == nil)
        #expect(incident.clock[.resolved] == utc("2022-10-10T07:32:26Z"))
        #expect(summary.notes.contains { $0.hasPrefix("never acknowledged") && $0.contains("Q01MS6ATDNCPPG") })

        let config = try ops.workspace.config()
        let alone = ResponseMetrics.compute([incident], config: config, scope: nil, scopeLabel: nil, groupBy: nil, now: ops.clock.now)
        #expect(alone.groups[0][.timeToAcknowledge].count == 0 && alone.groups[0][.timeToAcknowledge].missing == 1)
        #expect(alone.groups[0][.timeToResolve].max == 185)  // 07:29:21 → 07:32:26
        // Over all imported incidents: all eight count, five resolved; #540 is the one missing its acknowledgement.
        let all = ResponseMetrics.compute(try ops.importedIncidents(), config: config, scope: nil, scopeLabel: nil, groupBy: nil, now: ops.clock.now)
        #expect(all.groups[0].incidents == 8 && all.groups[0].settled == 5)
        #expect(all.groups[0][.timeToAcknowledge].count == 4 && all.groups[0][.timeToAcknowledge].missing == 1)
        #expect(all.dataErrors.isEmpty && all.open.count == 3)
    }

    @Test func logEntriesComeNewestFirstAndTheTimelineIsInTimeOrder() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        try importAll(ops)
        // #232's log in the file: resolve, snooze, snooze, ack, ack, snooze, ack, trigger (newest first).
        let incident = try ops.imported("pagerduty:Q0F38LOFAQXIKU")
        #expect(
            incident.timeline.map(\.kind) == [
                "opened", "acknowledged", "snoozed", "acknowledged", "acknowledged", "snoozed", "snoozed",
                "resolved", "imported",
            ])
        let times = incident.timeline.dropLast().map(\.at)
        #expect(times == times.sorted())
    }

    @Test func resolvedIncidentsHaveEmptyListsAndOlderObjectsNoResolvedAt() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // The incident objects alone: `acknowledgements: []` and no `resolved_at` on these 2022 objects.
        let incidentsOnly = try ImportSamples.edited(.pagerduty, ImportSamples.pagerDuty, as: "incidents.jsonl") { text in
            text.split(separator: "\n").filter { $0.contains("__incidents\"") }.joined(separator: "\n") + "\n"
        }
        let summary = try ops.importing(.pagerduty, [incidentsOnly])
        // #139: last_status_change_at 2022-08-10T22:23:33Z is the resolution; the acknowledgement is unknown.
        var incident = try ops.imported("pagerduty:Q0HTZINBB5DPFN")
        #expect(incident.clock[.resolved] == utc("2022-08-10T22:23:33Z") && incident.clock[.acknowledged] == nil)
        #expect(summary.notes.contains { $0.contains("PagerDuty empties acknowledgements[] on resolve") && $0.contains("Q0HTZINBB5DPFN") })
        #expect(summary.notes.contains { $0.hasPrefix("no resolved_at and no resolve log entry: resolved_at taken from last_status_change_at") })

        // With the log entries, the same incident gains its acknowledgement: an update, not a new incident.
        let count = try ops.commitCount()
        let again = try ops.importing(.pagerduty, [try ImportSamples.file(.pagerduty, ImportSamples.pagerDuty)])
        #expect(again.created.isEmpty && again.updated.count == 5)
        incident = try ops.imported("pagerduty:Q0HTZINBB5DPFN")
        #expect(incident.clock[.acknowledged] == utc("2022-08-10T20:30:47Z"))  // acknowledge_log_entry of #139
        #expect(try ops.commitCount() == count + 1)

        // A current export with `resolved_at` uses it, not the log entry.
        let current = try ImportSamples.edited(.pagerduty, ImportSamples.pagerDuty, as: "current.jsonl") { text in
            text.replacingOccurrences(
                of: "\"last_status_change_at\":\"2022-08-10T22:23:33Z\"",
                with: "\"last_status_change_at\":\"2022-08-10T22:23:33Z\",\"resolved_at\":\"2022-08-10T22:20:00Z\"")
        }
        let fresh = try OpsFixture()
        defer { fresh.remove() }
        try fresh.importing(.pagerduty, [current])
        #expect(try fresh.imported("pagerduty:Q0HTZINBB5DPFN").clock[.resolved] == utc("2022-08-10T22:20:00Z"))
    }

    @Test func autoResolveByTimeoutOrByAnIntegrationIsAttributedAndNoted() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try importAll(ops)
        // #232: resolve_log_entry "Resolved by timeout." (channel timeout, agent the rds service).
        let byTimeout = try ops.imported("pagerduty:Q0F38LOFAQXIKU").timeline.first { $0.kind == "resolved" }!
        #expect(byTimeout.actor == "pagerduty" && byTimeout.text == "Resolved by timeout.")
        // #540: resolved "through the API" by the "lb - Datadog" integration.
        let byMonitor = try ops.imported("pagerduty:Q01MS6ATDNCPPG").timeline.first { $0.kind == "resolved" }!
        #expect(byMonitor.actor == "lb-datadog")
        #expect(summary.notes.contains { $0.hasPrefix("resolved by PagerDuty's auto-resolve timeout") && $0.contains("Q0F38LOFAQXIKU") })
        #expect(summary.notes.contains { $0.hasPrefix("resolved by an integration (lb - Datadog)") })
    }

    @Test func importingTheSameFilesTwiceMakesNoSecondCommit() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        try importAll(ops)
        let count = try ops.commitCount()
        let texts = try ops.importedIncidents().map { try ops.file($0) }
        let again = try importAll(ops)
        #expect(!again.committed && again.created.isEmpty && again.updated.isEmpty && again.unchanged.count == 8)
        #expect(try ops.commitCount() == count)
        #expect(try ops.importedIncidents().map { try ops.file($0) } == texts)
        #expect(try git(ops.folder.path, "status", "--porcelain") == "")
    }

    @Test func oneCommitWithTheSummaryAndOneOpsIdPerIncident() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let count = try ops.commitCount()
        let summary = try importAll(ops)
        #expect(try summary.committed && ops.commitCount() == count + 1)
        let message = try ops.lastCommitMessage()
        #expect(message.hasPrefix("import pagerduty: 8 created\n\nPagerDuty, 3 files, 8 incidents: 8 created, 0 updated, 0 unchanged, 0 skipped.\n"))
        #expect(message.contains("Not mapped to ops.yaml:\n") && message.contains("Notes:\n"))
        let trailers = try git(ops.folder.path, "log", "-1", "--format=%(trailers:only,unfold)").split(separator: "\n").map(String.init)
        #expect(trailers.first == "Ops-Action: import.pagerduty")
        #expect(Set(trailers.dropFirst()) == Set(summary.created.map { "Ops-Id: \($0.id)" }) && trailers.count == 9)
    }

    @Test func aDryRunSaysWhatWouldChangeAndWritesNothing() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let count = try ops.commitCount()
        let summary = try ops.importing(.pagerduty, ImportSamples.all(.pagerduty), dryRun: true)
        #expect(summary.dryRun && !summary.committed && summary.created.count == 8)
        #expect(IncidentImport.render(summary).hasPrefix("Dry run, nothing written. PagerDuty, 3 files, 8 incidents: would be 8 created"))
        #expect(try ops.commitCount() == count && ops.importedIncidents().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: ops.folder.path + "/incidents/2022"))
    }

    @Test func changedDataUpdatesOnlyTheChangedLines() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        try importAll(ops)
        let before = try ops.imported("pagerduty:Q0F38LOFAQXIKU")
        // The account gained priorities: #232 is now P2, and someone added a note.
        let changed = try ImportSamples.edited(.pagerduty, ImportSamples.pagerDuty, as: "later.jsonl") { text in
            var lines = text.split(separator: "\n").map(String.init)
            let index = lines.firstIndex { $0.contains("\"id\":\"Q0F38LOFAQXIKU\",\"type\":\"incident\"") }!
            lines[index] = lines[index].replacingOccurrences(of: "\"priority\":null", with: "\"priority\":{\"id\":\"P1\",\"summary\":\"P2\"}")
            lines.append(
                #"{"record":{"stream":"s__incident_log_entries","data":{"id":"RNEW","type":"annotate_log_entry","summary":"Note added by Matthew Tovbin.","created_at":"2022-09-13T09:00:00Z","agent":{"id":"P41RCQU","type":"user_reference","summary":"Matthew Tovbin"},"channel":{"type":"note","summary":"Credits refilled; watching"},"incident":{"id":"Q0F38LOFAQXIKU","type":"incident_reference"}}},"type":"RECORD"}"#
            )
            return lines.joined(separator: "\n") + "\n"
        }
        ops.clock.advance(minutes: 60)
        let summary = try ops.importing(.pagerduty, [changed])
        #expect(summary.updated.map(\.source) == ["pagerduty:Q0F38LOFAQXIKU"])
        #expect(summary.updated[0].changes == ["severity SEV4 → SEV2", "1 timeline entry"])
        let after = try ops.imported("pagerduty:Q0F38LOFAQXIKU")
        #expect(after.id == before.id && after.severity == "SEV2" && after.clock == before.clock)
        let diff = try git(ops.folder.path, "diff", "HEAD~1", "HEAD", "--unified=0", "--", after.path)
            .split(separator: "\n").filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
        #expect(
            diff == [
                "-severity: SEV4", "+severity: SEV2",
                "+- 2022-09-13T09:00:00Z matthew-tovbin **note** Credits refilled; watching",
                "+- 2026-11-22T18:58:02Z alice **imported** updated from PagerDuty #232: severity SEV4 → SEV2; 1 timeline entry",
            ])
    }

    @Test func aGuessedSeverityNeverReplacesOneSetByHand() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        try importAll(ops)
        // No priority in PagerDuty: filed at the lowest level. Someone sets the real one.
        let incident = try ops.imported("pagerduty:Q25VC4JPR19EYV")
        #expect(incident.severity == "SEV4")
        _ = try ops.incidents.change(incident.id, .severity("SEV2"), at: nil, author: ops.bob)
        let count = try ops.commitCount()
        let again = try importAll(ops)
        #expect(try again.updated.isEmpty && ops.commitCount() == count)
        #expect(try ops.imported("pagerduty:Q25VC4JPR19EYV").severity == "SEV2")
    }

    @Test func logEntriesWithoutTheirIncidentAreSkippedWithWhy() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try ops.importing(.pagerduty, [try ImportSamples.file(.pagerduty, ImportSamples.pagerDutyTrialLog)])
        #expect(summary.created.isEmpty && !summary.committed)
        #expect(summary.skipped.count == 3)
        #expect(
            summary.skipped.contains(
                "1 log entry of PagerDuty incident Q27MXNAJQ834PC: the incident itself is not in these files. Import the incidents and their log entries together"
            ))
    }

    @Test func authorsMapToOpsYAMLPeopleByNameOrEmail() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // Matthew Tovbin is in ops.yaml under another handle; Oleg Gusak is not.
        let config = try ops.folder.read("ops.yaml").replacingOccurrences(
            of: "people:\n", with: "people:\n  - {handle: matt, name: Matthew Tovbin, email: matthew@example.com, team: SRE}\n")
        try ops.folder.write("ops.yaml", config)
        let summary = try importAll(ops)
        #expect(try ops.imported("pagerduty:Q25VC4JPR19EYV").commander == "matt")
        #expect(try ops.imported("pagerduty:Q0HTZINBB5DPFN").commander == "oleg-gusak")
        #expect(summary.unmapped.contains { $0.hasPrefix("person Oleg Gusak: not in ops.yaml, written as oleg-gusak") })
        #expect(!summary.unmapped.contains { $0.contains("Matthew") })
    }
}
