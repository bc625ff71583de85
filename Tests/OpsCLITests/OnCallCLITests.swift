import Foundation
import Testing

/// Issue 18, schedules: `ops oncall who`, `schedule` and `override` as a user runs them, on the
/// oncall.yaml `ops init --example` writes.
@Suite struct OnCallCLITests {
    /// Friday 20 November 2026, 21:00 in Berlin: inside the example's override of sre by alice.
    static let friday = ["OPS_NOW": "2026-11-20T20:00:00Z", "OPS_USER": "alice"]

    @Test func whoNamesPrimaryAndSecondaryWithTheirShiftAndSaysWhenItIsAnOverride() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let who = try cli.ops(["oncall", "who"], in: repo, environment: Self.friday)
        #expect(who.status == 0, "\(who.stderr)")
        #expect(
            who.stdout == """
                ROTATION       LAYER      PERSON  SINCE                 UNTIL                 ZONE           NOTE
                sre            primary    alice   Fri 2026-11-20 18:00  Sat 2026-11-21 09:00  Europe/Berlin  override
                sre            secondary  farid   Mon 2026-11-16 09:00  Mon 2026-11-23 09:00  Europe/Berlin  from sre-secondary
                sre-secondary  primary    farid   Mon 2026-11-16 09:00  Mon 2026-11-23 09:00  Europe/Berlin
                data           primary    carol   Mon 2026-11-16 10:00  Mon 2026-11-23 10:00  Europe/Berlin
                data           secondary  alice   Fri 2026-11-20 18:00  Sat 2026-11-21 09:00  Europe/Berlin  override, from sre
                platform       primary    dave    Mon 2026-11-16 10:00  Mon 2026-11-23 10:00  Europe/Berlin
                platform       secondary  alice   Fri 2026-11-20 18:00  Sat 2026-11-21 09:00  Europe/Berlin  override, from sre
                finops         primary    erin    Mon 2026-11-16 09:00  Mon 2026-11-23 09:00  Europe/Berlin

                """)
        // One rotation, at another time (team zone), as JSON for scripts; before the start, nobody.
        let json = try cli.ops(["oncall", "who", "sre", "--at", "2026-11-23T09:00", "--json"], in: repo, environment: Self.friday)
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        #expect(rows.map { $0["person"] as? String } == ["farid", "alice"])
        #expect(rows.first?["since"] as? String == "2026-11-23T08:00:00Z" && rows.first?["override"] as? Bool == false)
        let early = try cli.ops(["oncall", "who", "finops", "--at", "2026-11-01T12:00:00Z"], in: repo, environment: Self.friday)
        #expect(early.stdout.contains("finops    primary  –") && early.stdout.contains("nobody: starts Mon 2026-11-02 09:00"))
    }

    @Test func anOverrideIsOneCommitThatKeepsTheFilesCommentsAndShowsInWho() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let before = try String(contentsOfFile: repo + "/oncall.yaml", encoding: .utf8)
        let result = try cli.ops(
            ["oncall", "override", "sre", "Dave", "--from", "2026-11-27T18:00", "--until", "2026-11-28 09:00", "--as", "bob"], in: repo,
            environment: Self.friday)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "")
        #expect(result.stderr == "dave is on call for sre from 2026-11-27 18:00 until 2026-11-28 09:00 Europe/Berlin.\n")
        let log = try cli.git("log", "--format=%an|%s|%(trailers:key=Ops-Action,valueonly,separator=)", in: repo)
        #expect(
            log.split(separator: "\n").map(String.init) == [
                "Bob Okafor|oncall sre: dave takes over from 2026-11-27 18:00 until 2026-11-28 09:00 Europe/Berlin|oncall.override",
                "Alice Martin|ops: set up the ops repository|init",
            ])
        let after = try String(contentsOfFile: repo + "/oncall.yaml", encoding: .utf8)
        let added = "  - {rotation: sre, person: dave, from: 2026-11-27T18:00, until: 2026-11-28T09:00}\n"
        let existing = "  - {rotation: sre, person: alice, from: 2026-11-20T18:00, until: 2026-11-21T09:00}\n"
        #expect(after == before.replacingOccurrences(of: existing, with: existing + added))
        #expect(after.contains("    handoff: Monday 09:00      # local time in zone; daylight-saving changes keep it at 09:00\n"))
        #expect(try cli.git("status", "--porcelain", in: repo) == "")
        let who = try cli.ops(["oncall", "who", "sre", "--at", "2026-11-27T20:00:00Z"], in: repo, environment: Self.friday)
        #expect(who.stdout.contains("sre       primary    dave    Fri 2026-11-27 18:00  Sat 2026-11-28 09:00  Europe/Berlin  override"))
        #expect(try cli.ops(["lint"], in: repo).status == 0)
    }

    @Test func badInputExits2WithOneLineAndWritesNothing() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        let head = try cli.git("rev-parse", "HEAD", in: repo)
        let file = try String(contentsOfFile: repo + "/oncall.yaml", encoding: .utf8)
        func override(_ rotation: String, _ person: String, _ from: String, _ until: String) -> [String] {
            ["oncall", "override", rotation, person, "--from", from, "--until", until]
        }
        let cases: [([String], String)] = [
            (override("sre", "mallory", "2026-12-01T18:00", "2026-12-02T09:00"), "ops: unknown person 'mallory'. Known: alice, bob"),
            (override("sre2", "dave", "2026-12-01T18:00", "2026-12-02T09:00"), "ops: unknown rotation 'sre2'. Known: sre, sre-secondary"),
            (override("sre", "dave", "2026-12-02T09:00", "2026-12-01T18:00"), "ops: the override ends before it starts"),
            (override("sre", "dave", "2026-12-01T18:00", "2026-12-01T18:00"), "ops: the override ends before it starts"),
            (
                override("sre", "dave", "2026-11-21T08:00", "2026-11-21T12:00"),
                "ops: sre already has an override then: alice from 2026-11-20 18:00 until 2026-11-21 09:00 Europe/Berlin (oncall.yaml line 23)"
            ),
            (override("sre", "dave", "next friday", "2026-12-01T18:00"), "ops: --from 'next friday' is not a time. Use 2026-11-20T18:00 (in Europe/Berlin)"),
            (["oncall", "who", "nope"], "ops: unknown rotation 'nope'."),
            (["oncall", "schedule", "--weeks", "0"], "ops: --weeks 0 is out of range. Give 1 to 104"),
        ]
        for (arguments, message) in cases {
            let result = try cli.ops(arguments, in: repo, environment: Self.friday)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.hasPrefix(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stdout == "")
        }
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
        #expect(try String(contentsOfFile: repo + "/oncall.yaml", encoding: .utf8) == file)
        // A broken oncall.yaml: the commands say where, ops lint lists it, nothing is written.
        try file.replacingOccurrences(of: "people: [erin]", with: "people: [erin, zed]").write(toFile: repo + "/oncall.yaml", atomically: true, encoding: .utf8)
        let who = try cli.ops(["oncall", "who"], in: repo, environment: Self.friday)
        #expect(who.status == 2)
        #expect(who.stderr.hasPrefix("ops: oncall.yaml:20: rotation finops: unknown person `zed`."), "\(who.stderr)")
        let lint = try cli.ops(["lint"], in: repo)
        #expect(lint.status == 1 && lint.stdout.hasPrefix("oncall.yaml:20: rotation finops: unknown person `zed`."))
        #expect(try cli.git("rev-parse", "HEAD", in: repo) == head)
    }

    @Test func theCalendarParsesWithARealICalendarParserAndHandoffsKeepTheirLocalTimeAcrossDST() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let repo = try IncidentCLITests.repository(cli)
        // Four weeks around 25 October 2026, when Berlin leaves summer time; the example starts
        // on 2 November, so it starts earlier here.
        let arguments = ["oncall", "schedule", "sre", "--from", "2026-10-12T09:00", "--weeks", "4", "--format", "ics"]
        try String(contentsOfFile: repo + "/oncall.yaml", encoding: .utf8)
            .replacingOccurrences(of: "    start: 2026-11-02          #", with: "    start: 2026-10-05          #")
            .write(toFile: repo + "/oncall.yaml", atomically: true, encoding: .utf8)
        let calendar = try cli.ops(arguments, in: repo, environment: ["OPS_NOW": "2026-10-01T00:00:00Z"])
        let again = try cli.ops(arguments, in: repo, environment: ["OPS_NOW": "2026-10-02T12:00:00Z"])
        #expect(calendar.stdout.contains("\r\n") && !calendar.stdout.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(calendar.stdout.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        let script = """
            import sys, json
            from icalendar import Calendar
            from zoneinfo import ZoneInfo
            events = []
            for text in sys.argv[1:]:
                cal = Calendar.from_ical(text)
                events.append([
                    {"uid": str(e["UID"]), "summary": str(e["SUMMARY"]),
                     "start": e.decoded("DTSTART").astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %Y-%m-%d %H:%M %Z"),
                     "end": e.decoded("DTEND").astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %Y-%m-%d %H:%M %Z"),
                     "utc": e.decoded("DTSTART").utcoffset().total_seconds()}
                    for e in cal.walk("VEVENT")])
            print(json.dumps(events))
            """
        let parsed = try cli.run("/usr/bin/env", ["python3", "-c", script, calendar.stdout, again.stdout], in: repo, environment: [:], stdin: nil)
        #expect(parsed.status == 0, "python3 with icalendar (pip install icalendar): \(parsed.stderr)")
        let runs = try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as! [[[String: Any]]]
        let events = runs[0]
        #expect(events.count == 4)
        #expect(
            events.map { $0["start"] as! String } == [
                "Mon 2026-10-12 09:00 CEST", "Mon 2026-10-19 09:00 CEST", "Mon 2026-10-26 09:00 CET", "Mon 2026-11-02 09:00 CET",
            ])
        #expect(events[1]["end"] as? String == "Mon 2026-10-26 09:00 CET")
        #expect(events.allSatisfy { ($0["utc"] as? Double) == 0 })
        #expect(events.map { $0["summary"] as! String } == ["On call: sre — alice", "On call: sre — bob", "On call: sre — farid", "On call: sre — alice"])
        let uids = events.map { $0["uid"] as! String }
        #expect(Set(uids).count == 4)
        #expect(uids[2] == "sre-20261026T080000Z@ml-platform.oncall.ops")
        // Another run, another clock: the same events under the same UIDs.
        #expect(runs[1].map { $0["uid"] as! String } == uids)
    }
}
