import Foundation
import Testing

@testable import OpsKit

/// Issue 18: `ops lint` on oncall.yaml, each problem with its file line.
@Suite struct OnCallLintTests {
    static let broken = """
        rotations:
          sre: {zone: Europe/Berlin, start: 2026-11-02, handoff: Monday 09:00, length: 1w, people: [alice, mallory], secondary: sre-b}
          sre-b: {zone: Europe/Berlin, start: 2026-11-02, handoff: Monday 09:00, length: 1w, people: [bob], secondary: sre}
          empty: {zone: Europe/Berlin, start: 2026-11-02, handoff: Monday 09:00, length: 1w, people: []}
          moon: {zone: Moon/Base, start: 2026-11-31, handoff: Someday 25:00, length: 0d, people: [bob]}
          odd: {zone: CET, start: 2026-11-02, handoff: Friday 17:00, length: 3d, people: [bob], ack_within: soon, last_resort: zed, backup: x}
          lost: {zone: UTC, start: 2026-11-02, handoff: "09:00", length: 1d, people: [bob], secondary: nowhere}
        overrides:
          - {rotation: sre, person: dave, from: 2026-11-20T18:00, until: 2026-11-21T09:00}
          - {rotation: sre, person: carol, from: 2026-11-21T08:00, until: 2026-11-21T12:00}
          - {rotation: ghost, person: yves, from: 2026-11-20T18:00, until: 2026-11-21T09:00}
          - {rotation: sre, person: dave, from: 2026-11-25T18:00, until: 2026-11-25T18:00}
          - {rotation: sre, person: dave, from: tomorrow, until: 2026-11-25T18:00}
        routes:
          - {match: {team: sre}, rotation: sre, channel: "#sre-oncall"}
          - {match: {area: drift}, rotation: ghost, channel: data-oncall}
          - {rotation: sre, channel: "#sre-oncall"}

        """

    @Test func everyProblemIsListedWithItsLine() throws {
        let config = try OpsConfig.load(ConfigTests.example)
        let problems = OnCallSchedule.problems(in: Self.broken, config: config).map(\.description)
        let expected = [
            "oncall.yaml:2: rotation sre: unknown person `mallory`.",
            "oncall.yaml:4: rotation empty is empty",
            "oncall.yaml:5: rotation moon: unknown time zone `Moon/Base`",
            "oncall.yaml:5: rotation moon: start `2026-11-31` is not a day",
            "oncall.yaml:5: rotation moon: handoff `Someday 25:00` is not a weekday and time",
            "oncall.yaml:5: rotation moon: length `0d` is not a shift length",
            "oncall.yaml:6: unknown key `backup` in rotation odd",
            "oncall.yaml:6: rotation odd: unknown time zone `CET`",
            "oncall.yaml:6: rotation odd hands over on a weekday (Friday 17:00) but its length is 3 days",
            "oncall.yaml:6: rotation odd: ack_within `soon` is not a duration",
            "oncall.yaml:6: last_resort of rotation odd: unknown person `zed`",
            "oncall.yaml:2: rotation sre: its secondary leads back to it (sre → sre-b → sre)",
            "oncall.yaml:3: rotation sre-b: its secondary leads back to it (sre-b → sre → sre-b)",
            "oncall.yaml:7: rotation lost: secondary `nowhere` is not a rotation",
            "oncall.yaml:10: this override of sre (carol) overlaps the one on line 9 (dave)",
            "oncall.yaml:11: unknown rotation `ghost`",
            "oncall.yaml:11: an override: unknown person `yves`",
            "oncall.yaml:12: an override of sre ends (until) at or before it starts (from)",
            "oncall.yaml:13: from `tomorrow` is not a time",
            "oncall.yaml:16: unknown rotation `ghost`",
            "oncall.yaml:16: channel `data-oncall` must start with #",
            "oncall.yaml:17: a route has no `match`",
        ]
        for prefix in expected {
            #expect(problems.contains { $0.hasPrefix(prefix) }, "missing: \(prefix)\nfound:\n\(problems.joined(separator: "\n"))")
        }
        #expect(problems.count == expected.count, "\(problems.joined(separator: "\n"))")
    }

    @Test func opsLintChecksOncallYAMLAndTheExampleIsClean() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        #expect(try Linter.run(ops.workspace).errors.isEmpty)
        try ops.folder.write(OnCallSchedule.path, Self.broken)
        let report = try Linter.run(ops.workspace)
        #expect(report.errors.filter { $0.location.path == OnCallSchedule.path }.count == 22)
        #expect(report.errors.allSatisfy { $0.location.line != nil })
        // A file that is not YAML is one problem at its line.
        try ops.folder.write(OnCallSchedule.path, "rotations:\n  sre: {zone: [\n")
        #expect(try Linter.run(ops.workspace).errors.map(\.location.line) == [3])
    }

    @Test func anOverrideIsAddedAsOneLineAndCommentsStay() throws {
        let text = """
            # who is paged
            rotations:
              sre: {zone: Europe/Berlin, start: 2026-11-02, handoff: Monday 09:00, length: 1w, people: [alice, bob]}
            overrides:
              # Dave covers the offsite.
              - {rotation: sre, person: dave, from: 2026-11-20T18:00, until: 2026-11-21T09:00}

            # routes come next
            routes: []

            """
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let override = Override(
            rotation: "sre", person: "carol", from: Timestamp.parse("2026-12-24T17:00:00Z")!, until: Timestamp.parse("2026-12-27T08:00:00Z")!)
        let changed = try OnCallSchedule.adding(override, zone: berlin, to: text)
        #expect(
            changed
                == text.replacingOccurrences(
                    of: "09:00}\n\n", with: "09:00}\n  - {rotation: sre, person: carol, from: 2026-12-24T18:00, until: 2026-12-27T09:00}\n\n"))
        // With no overrides yet, the list is started.
        let none = "rotations:\n  sre: {zone: UTC, start: 2026-11-02, handoff: \"09:00\", length: 1d, people: [alice]}\n# no overrides\n"
        let first = try OnCallSchedule.adding(override, zone: TimeZone(identifier: "UTC")!, to: none)
        #expect(
            first
                == none.replacingOccurrences(
                    of: "# no", with: "overrides:\n- {rotation: sre, person: carol, from: 2026-12-24T17:00, until: 2026-12-27T08:00}\n# no"))
        #expect(try OnCallSchedule.load(first, config: nil).overrides.count == 1)
    }
}
