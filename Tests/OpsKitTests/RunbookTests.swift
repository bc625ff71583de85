import Foundation
import Testing

@testable import OpsKit

@Suite struct RunbookTests {
    /// (runbook, checklist items per phase: Detection, Diagnosis, Mitigation, Resolution, Post-mortem)
    static let starters: [(String, [Int])] = [
        ("data-drift-alert", [5, 6, 6, 5, 4]),
        ("feature-pipeline-failure", [4, 6, 6, 6, 4]),
        ("model-serving-degradation", [5, 7, 6, 6, 4]),
        ("sudden-accuracy-drop", [4, 6, 5, 6, 4]),
        ("traffic-spike", [5, 4, 7, 4, 5]),
    ]

    @Test(arguments: starters)
    func attachCheckTwoSkipOneAndCountTheProgress(slug: String, perPhase: [Int]) throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let runbooks = RunbookService(ops.workspace)
        let count = try ops.commitCount()
        let attached = try runbooks.attach(incident.id, runbook: slug, author: ops.alice)
        #expect(attached.items.count == perPhase.reduce(0, +))
        _ = try runbooks.step(incident.id, "detection.1", .check(note: "seen on the dashboard"), author: ops.bob)
        _ = try runbooks.step(incident.id, "DETECTION.2", .check(note: nil), author: ops.bob)
        _ = try runbooks.step(incident.id, "mitigation.1", .skip(reason: "does not apply here"), author: ops.alice)
        #expect(try ops.commitCount() == count + 4)

        let reread = try #require(try runbooks.attached(to: ops.incidents.find(incident.id)))
        #expect(
            reread.progress
                == zip(Runbook.phases, perPhase).map { phase, total in
                    AttachedRunbook.PhaseProgress(phase: phase, done: phase == "Detection" ? 2 : 0, skipped: phase == "Mitigation" ? 1 : 0, total: total)
                })
        #expect(reread.done == 2 && reread.skipped == 1)
        #expect(reread.next?.id == "detection.3")
        #expect(reread.items.first { $0.id == "mitigation.1" }?.reason == "does not apply here")
        let timeline = try ops.incidents.find(incident.id).timeline
        #expect(timeline.map(\.kind) == ["opened", "paged", "runbook", "step", "step", "step"])
        #expect(timeline[3].actor == "bob" && timeline[3].text.hasPrefix("checked detection.1: ") && timeline[3].text.hasSuffix(" — seen on the dashboard"))
        #expect(try ops.incidents.find(incident.id).runbook == slug)
        #expect(try Linter.run(ops.workspace).errors.isEmpty)
    }

    @Test func aBoxTickedByHandInAPlainGitCommitCounts() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        _ = try RunbookService(ops.workspace).attach(incident.id, runbook: "traffic-spike", author: ops.alice)
        let path = (incident.path as NSString).deletingLastPathComponent + "/runbook.md"
        let text = try ops.folder.read(path)
        let edited = text.replacingOccurrences(of: "- [ ] `detection.1`", with: "- [x] `detection.1`")
            .replacingOccurrences(of: "- [ ] `mitigation.2`", with: "- [X] `mitigation.2`")
        #expect(edited != text)
        try ops.folder.write(path, edited)
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "Tick boxes in review")
        let attached = try #require(try RunbookService(ops.workspace).attached(to: ops.incidents.find(incident.id)))
        #expect(attached.done == 2)
        #expect(attached.progress.map(\.done) == [1, 0, 1, 0, 0])
        let show = try IncidentRendering.show(
            ops.incidents.find(incident.id), format: .table, config: ops.workspace.config(),
            now: ops.clock.now, runbook: attached)
        #expect(show.contains("Runbook traffic-spike: 2 of 25 done, 0 skipped"))
        #expect(show.contains("Next: detection.2"))
    }

    @Test func badInputNamesWhatIsValidAndWritesNothing() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        let runbooks = RunbookService(ops.workspace)
        let count = try ops.commitCount()
        #expect(
            throws: OpsError.input(
                "unknown runbook 'nope'. Runbooks: data-drift-alert, feature-pipeline-failure, model-serving-degradation, sudden-accuracy-drop, traffic-spike")
        ) {
            try runbooks.attach(incident.id, runbook: "nope", author: ops.alice)
        }
        #expect(throws: OpsError.input("\(incident.id) has no runbook attached. Attach one first: ops runbook attach \(incident.id) SLUG")) {
            try runbooks.step(incident.id, "detection.1", .check(note: nil), author: ops.alice)
        }
        #expect(try ops.commitCount() == count)
        _ = try runbooks.attach(incident.id, runbook: "traffic-spike", author: ops.alice)
        #expect {
            try runbooks.step(incident.id, "mitigation.99", .check(note: nil), author: ops.alice)
        } throws: { error in
            (error as? OpsError)?.message.hasPrefix("no step `mitigation.99` in the traffic-spike checklist. Steps: detection.1, detection.2,") == true
        }
        #expect(throws: OpsError.self) { try runbooks.step(incident.id, "mitigation.1", .skip(reason: " "), author: ops.alice) }
        // A second runbook is refused with what to do instead; the same one again attaches nothing.
        #expect {
            try runbooks.attach(incident.id, runbook: "data-drift-alert", author: ops.alice)
        } throws: { error in
            (error as? OpsError)?.message
                == "\(incident.id) follows the traffic-spike runbook (0 of 25 done), and an incident has one checklist: it is kept. Read the steps of data-drift-alert with ops runbook show data-drift-alert, and record what you do with ops incident note \(incident.id) \"…\""
        }
        #expect(
            throws: OpsError.input(
                "\(incident.id) has the traffic-spike checklist already (0 of 25 done): nothing to attach. Its steps: ops incident show \(incident.id)")
        ) {
            try runbooks.attach(incident.id, runbook: "traffic-spike", author: ops.alice)
        }
        #expect(try ops.commitCount() == count + 1)
    }

    @Test func aMalformedHandEditedChecklistLineIsNamedAndTheRestStillCounts() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let incident = try ops.open()
        _ = try RunbookService(ops.workspace).attach(incident.id, runbook: "traffic-spike", author: ops.alice)
        let path = (incident.path as NSString).deletingLastPathComponent + "/runbook.md"
        let lines = try ops.folder.read(path).components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.contains("`detection.2`") })
        var edited = lines
        edited[index] = "- [x] detection.2 without its backticks"
        try ops.folder.write(path, edited.joined(separator: "\n"))
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "hand edit")
        let attached = try #require(try RunbookService(ops.workspace).attached(to: ops.incidents.find(incident.id)))
        #expect(attached.items.count == 24)
        #expect(
            attached.problems.map(\.description) == [
                "\(path):\(index + 1): checklist line does not read as - [ ] `phase.N` text; it is left out of the progress"
            ])
        #expect(try Linter.run(ops.workspace).errors.map(\.description) == attached.problems.map(\.description))
    }

    @Test func lintFindsMissingPhasesStepsWithoutChecklistOrActionAndFrontMatterGaps() throws {
        let text = """
            ---
            id: cache-stampede
            title: Cache stampede
            services: [ops_copilot]
            severities: [SEV2]
            owner: SRE
            channel: "#sre-oncall"
            ---
            # Cache stampede

            ## Detection
            ### Confirm the miss rate
            Look at the hit rate.
            - [ ] Hit rate noted

            ## Diagnosis
            ### Find the hot key
            ```sh
            # a comment, not a heading
            redis-cli --hotkeys
            ```

            ## Mitigation
            ### Warm the cache
            - [ ] Cache warm
            """
        let problems = Runbook.lint("runbooks/cache-stampede.md", text, nil).map(\.description)
        #expect(
            problems == [
                "runbooks/cache-stampede.md:1: front matter has no `triggers`",
                "runbooks/cache-stampede.md:11: phases are Detection, Diagnosis, Mitigation; expected ## Detection, ## Diagnosis, ## Mitigation, ## Resolution, ## Post-mortem in this order",
                "runbooks/cache-stampede.md:17: step \"Find the hot key\" has no action: say what to do in a line under the heading",
                "runbooks/cache-stampede.md:17: step \"Find the hot key\" has no checklist (- [ ] lines)",
                "runbooks/cache-stampede.md:24: step \"Warm the cache\" has no action: say what to do in a line under the heading",
            ])
        for (slug, _) in Self.starters {
            let path = "runbooks/\(slug).md"
            #expect(Runbook.lint(path, try String(contentsOfFile: sourceRoot + "/" + path, encoding: .utf8), nil).isEmpty, "\(slug)")
        }
    }

    /// A trigger pasted twice is named: the starter runbook shipped with its four burn-rate
    /// alerts listed twice and lint said Clean.
    @Test func aTriggerListedTwiceIsNamed() throws {
        let path = "runbooks/model-serving-degradation.md"
        let text = try String(contentsOfFile: sourceRoot + "/" + path, encoding: .utf8)
        let doubled = text.replacingOccurrences(of: "  - alert: ModelErrorRateHigh\n", with: "  - alert: ModelErrorRateHigh\n  - alert: ModelErrorRateHigh\n")
        #expect(Runbook.lint(path, doubled, nil).map(\.description) == ["\(path):6: trigger `ModelErrorRateHigh` is listed twice"])
    }

    @Test func newRunbooksComeFromTheTemplateAndDiffShowsChangesSinceAttaching() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let runbooks = RunbookService(ops.workspace)
        let path = try runbooks.create("cache-stampede", title: "Cache: stampede \"hot\" keys", author: ops.alice)
        let created = try runbooks.find("cache-stampede")
        #expect(created.title == "Cache: stampede \"hot\" keys" && created.phases.map(\.name) == Runbook.phases)
        #expect(Runbook.lint(path, try ops.folder.read(path), nil).isEmpty)
        #expect(throws: OpsError.self) { try runbooks.create("Bad Name", title: nil, author: ops.alice) }

        let incident = try ops.open()
        _ = try runbooks.attach(incident.id, runbook: "cache-stampede", author: ops.alice)
        #expect(try runbooks.diff(incident.id) == "")
        try ops.folder.write(
            path, try ops.folder.read(path).replacingOccurrences(of: "- [ ] Fix deployed and validated", with: "- [ ] Fix deployed\n- [ ] Load test passed"))
        _ = try git(ops.folder.path, "-c", "user.name=Pat", "-c", "user.email=pat@example.com", "commit", "-qam", "runbook: add a load test")
        let diff = try runbooks.diff(incident.id)
        #expect(diff.contains("-- [ ] Fix deployed and validated\n+- [ ] Fix deployed\n+- [ ] Load test passed"))
        let usage = try runbooks.usage().first { $0.runbook == "cache-stampede" }
        #expect(usage?.timesUsed == 1 && usage?.medianCompletion == 0)
    }
}

@Suite struct RunbookOnOpenTests {
    /// Issue 15, reproduction 10: `open --runbook` named the runbook but attached no checklist.
    @Test func openWithARunbookAttachesItsChecklistInTheSameCommit() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let count = try ops.commitCount()
        var request = IncidentService.OpenRequest(title: "Checkout p99 above 1.2s", severity: "SEV2", service: "ops_copilot")
        request.runbook = "model-serving-degradation"
        let incident = try ops.incidents.open(request, author: ops.alice)
        #expect(try ops.commitCount() == count + 1)
        #expect(
            try git(ops.folder.path, "show", "--name-only", "--format=", "HEAD").split(separator: "\n").sorted() == [
                Substring(incident.path), Substring((incident.path as NSString).deletingLastPathComponent + "/runbook.md"),
            ])
        #expect(incident.timeline.map(\.kind) == ["opened", "paged", "runbook"])
        #expect(incident.timeline[2].text == "attached model-serving-degradation (28 steps)")
        let attached = try #require(try RunbookService(ops.workspace).attached(to: incident))
        #expect(attached.slug == "model-serving-degradation" && attached.items.count == 28 && attached.source != nil)
        _ = try RunbookService(ops.workspace).step(incident.id, "mitigation.1", .check(note: nil), author: ops.bob)
        #expect(try RunbookService(ops.workspace).attached(to: ops.incidents.find(incident.id))?.done == 1)
        #expect(try Linter.run(ops.workspace).errors.isEmpty)
    }

    @Test func anAlertThatNamesARunbookOpensAnIncidentWithItsChecklist() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let summary = try AlertIntake(ops.workspace).ingest(AlertIntakeTests.payload("alertmanager-firing.json"), source: "firing", author: ops.alice)
        let incident = try ops.incidents.find(try #require(summary.opened.first))
        #expect(incident.runbook == "model-serving-degradation")
        let attached = try #require(try RunbookService(ops.workspace).attached(to: incident))
        #expect(attached.slug == "model-serving-degradation" && attached.items.count == 28)
        #expect(incident.timeline.filter { $0.kind == "runbook" }.map(\.actor) == ["alertmanager"])
        _ = try RunbookService(ops.workspace).step(incident.id, "detection.1", .check(note: nil), author: ops.bob)
        #expect(try git(ops.folder.path, "status", "--porcelain") == "")
    }

    @Test func anAlertWhoseRunbookDoesNotReadStillOpensItsIncident() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        try ops.folder.write("runbooks/model-serving-degradation.md", "---\nid: [broken\n---\n")
        _ = try git(ops.folder.path, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qam", "a broken runbook")
        // The alert names the runbook itself, so it is chosen even though its triggers cannot be read.
        let payload = String(decoding: try AlertIntakeTests.payload("alertmanager-firing.json"), as: UTF8.self)
            .replacingOccurrences(of: "https://runbooks/latency", with: "https://runbooks/model-serving-degradation.md")
        let summary = try AlertIntake(ops.workspace).ingest(Data(payload.utf8), source: "firing", author: ops.alice)
        let incident = try ops.incidents.find(try #require(summary.opened.first))
        #expect(incident.runbook == nil)
        #expect(incident.timeline.contains { $0.kind == "note" && $0.text.hasPrefix("runbook model-serving-degradation not attached: ") })
    }
}
