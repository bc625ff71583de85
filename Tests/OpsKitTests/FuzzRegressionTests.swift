import Foundation
import Testing
import Yams

@testable import OpsKit

/// Inputs that trapped or overflowed the stack (issue 16's hostile run and fuzz/run): each is
/// now a one-line error of exit code 2, or reads as it should.
@Suite struct FuzzRegressionTests {
    /// `body` must throw an OpsError of exit code 2 whose one-line message holds `fragment`.
    private func refused(_ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected a refusal containing \(fragment)", sourceLocation: sourceLocation)
        } catch let error as OpsError {
            #expect(error.exitCode == 2, "\(error.message)", sourceLocation: sourceLocation)
            #expect(!error.message.contains("\n"), "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error.message) lacks \(fragment)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(error) is not an OpsError", sourceLocation: sourceLocation)
        }
    }

    private static func prometheus(times: [String]) -> Data {
        let values = times.enumerated().map { "[\($1), \"\($0 + 1)\"]" }.joined(separator: ",")
        return Data(#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[\#(values)]}]}}"#.utf8)
    }

    // MARK: Numbers that do not fit

    @Test func prometheusSampleTimesOutsideTheCalendarAreRefused() {
        for time in ["1e300", "9e15", "-9e15", "-1", "253402300800"] {
            refused("good.json: series {}, value #1: ") {
                _ = try PrometheusRange.parse(Self.prometheus(times: [time, "1794787200"]), file: "good.json")
            }
        }
        // No JSON reader of ops takes 1e999 for infinity; the line is named, as for any bad JSON.
        refused("good.json:1: is not valid JSON (the number 1e999 is too large)") {
            _ = try PrometheusRange.parse(Self.prometheus(times: ["1e999"]), file: "good.json")
        }
        // The widest range left gives a grid too large to walk, said as such rather than overflowing.
        let range = try? PrometheusRange.parse(Self.prometheus(times: ["0", "253402300799"]), file: "good.json")
        #expect(range?.samples.count == 2)
        refused("steps of 1s is more than ops imports at once") {
            _ = try PrometheusPairing.pair(good: range!, total: range!, stepSeconds: 1, marksStart: true)
        }
    }

    @Test func aStepOfTenQuadrillionHoursIsRefused() throws {
        refused("--step '9999999999999999h' is longer than 366 days") { _ = try PrometheusPairing.stepSeconds("9999999999999999h") }
        refused("--step '0.5s' is not a duration") { _ = try PrometheusPairing.stepSeconds("0.5s") }
        #expect(try PrometheusPairing.stepSeconds("1h") == 3600)
        #expect(try PrometheusPairing.stepSeconds("366d") == 366 * 86_400)
    }

    @Test func anOpenSLOWindowOfTwoQuintillionWeeksIsRefused() throws {
        func window(_ duration: String) throws -> SLOWindow? {
            let text = """
                apiVersion: openslo/v1
                kind: SLO
                metadata: {name: ops-copilot-availability}
                spec:
                  service: ops_copilot
                  timeWindow: [{duration: \(duration), isRolling: true}]
                  objectives: [{displayName: availability, target: 0.999}]
                """
            var warnings: [String] = []
            return try OpenSLOReader.read(
                SourceInput(name: "slo.yaml", data: Data(text.utf8)), knownUseCases: ["ops_copilot"],
                useCase: nil, sli: nil, warnings: &warnings
            ).first?.window
        }
        for duration in ["2000000000000000000w", "9223372036854775807d", "367d", "53w"] {
            refused("slo.yaml:6: timeWindow \(duration) (rolling) is not one ops counts budgets over") { _ = try window(duration) }
        }
        #expect(try window("4w") == .rolling(days: 28))
        #expect(try window("366d") == .rolling(days: 366))
    }

    @Test func sixteenHugeRelativeTimesDoNotOverflow() {
        let text = "-" + String(repeating: "999999999999w", count: 16)
        #expect(TimeInput.durationSeconds(String(text.dropFirst())) == nil)
        refused("'\(text)' is not a time") {
            _ = try TimeInput.parse(text, now: Date(timeIntervalSince1970: 1_795_000_000), zone: TimeZone(identifier: "UTC")!)
        }
        #expect(TimeInput.durationSeconds("1d2h30m") == 95_400)
    }

    // MARK: Nesting

    @Test func twoThousandNestedListsInEveryImporterAreRefused() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let nested = String(repeating: "[", count: 2_000) + String(repeating: "]", count: 2_000)
        for tool in ImportTool.allCases {
            let file = ImportFile(name: "nested.json", data: Data(nested.utf8))
            refused("nested.json:1: ") { try ops.importing(tool, [file]) }
            refused("nested more than 128 deep") { try ops.importing(tool, [file]) }
        }
        // Cut off inside the nesting, too: the partial value is never built that deep.
        let cut = ImportFile(name: "cut.json", data: Data(String(repeating: "[", count: 20_000).utf8))
        refused("nested more than 128 deep") { try ops.importing(.pagerduty, [cut]) }
    }

    @Test func twentyThousandNestedObjectsAreRefusedInJSONAndYAML() throws {
        let json = String(repeating: #"{"a":"#, count: 20_000) + "1" + String(repeating: "}", count: 20_000)
        refused("alert.json: not valid JSON") { _ = try AlertmanagerPayload.decode(Data(json.utf8), source: "alert.json") }
        refused("good.json") { _ = try PrometheusRange.parse(Data(json.utf8), file: "good.json") }
        if case .failure(.invalid(_, let problem)) = JSONText.parse(Data(json.utf8)) {
            #expect(problem == "objects and lists nested more than 128 deep")
        } else {
            Issue.record("20,000 nested objects were read")
        }

        let flow = "a: " + String(repeating: "{a: ", count: 20_000) + "1" + String(repeating: "}", count: 20_000) + "\n"
        let lists = "b: 1\nc: " + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000) + "\n"
        let block = (0..<2_000).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n") + " 1\n"
        refused("ops.yaml:1: the YAML nests more than 64 levels deep") { _ = try YAMLText(flow, path: "ops.yaml") }
        refused("ops.yaml:2: the YAML nests more than 64 levels deep") { _ = try YAMLText(lists, path: "ops.yaml") }
        refused("ops.yaml:65: the YAML nests more than 64 levels deep") { _ = try YAMLText(block, path: "ops.yaml") }
        refused("incident.md:3: the YAML nests more than 64 levels deep") {
            _ = try MarkdownDocument("---\nid: x\nroles: \(String(repeating: "[", count: 5_000))\n---\n", path: "incident.md")
        }
        refused("policy.yaml:1: the YAML nests more than 64 levels deep") { _ = try ErrorBudgetPolicy.load(flow, path: "policy.yaml") }
        refused("slo.yaml:2: the YAML nests more than 64 levels deep") {
            var warnings: [String] = []
            let openSLO = "apiVersion: openslo/v1\nspec: " + String(repeating: "{a: ", count: 20_000)
            _ = try OpenSLOReader.read(
                SourceInput(name: "slo.yaml", data: Data(openSLO.utf8)), knownUseCases: [], useCase: nil,
                sli: nil, warnings: &warnings)
        }
        // Sixty-four levels still read.
        let deep = "a: " + String(repeating: "[", count: 63) + "1" + String(repeating: "]", count: 63) + "\n"
        #expect(try YAMLText(deep, path: "ops.yaml").keys == ["a"])
    }

    // MARK: Found by fuzz/run

    @Test func aDispatchCopyHeaderNamingAColumnTwiceIsRefused() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        let dump = "COPY dispatch_core.incident (id, name, incident_priority_id, incident_priority_id) FROM stdin;\n1\tx\t2\t3\n\\.\n"
        refused("dump.sql:1: the COPY header of table incident names column incident_priority_id twice") {
            try ops.importing(.dispatch, [ImportFile(name: "dump.sql", data: Data(dump.utf8))])
        }
    }

    @Test func aDispatchCopyLineWithItsParenthesesReversedIsNotAHeader() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        // From import-dispatch: the only ) comes before the (, so there is no column list.
        let dump = "COPY dispatch_core.incident) (id, name FROM stdin;\n1\tx\n\\.\n"
        refused("dump.sql") { try ops.importing(.dispatch, [ImportFile(name: "dump.sql", data: Data(dump.utf8))]) }
    }

    @Test func aNoteStartingWithACombiningMarkReadsBack() {
        // From the timeline target: the space before the note and U+059A are one Character.
        let entry = TimelineEntry(at: Date(timeIntervalSince1970: 1_795_000_000), actor: "alice", kind: "note", text: "\u{059A}\u{FFFD}x")
        let body = Timeline.append(entry, to: "# Title\n")
        #expect(Timeline.parse(body: body, firstLine: 1).entries == [entry])
        #expect(Timeline.entry(from: "- 2026-11-22T18:03:11Z bob **acknowledged**")?.kind == "acknowledged")
    }

    @Test func anEntryAppendedAfterAnEmptyContinuationLineKeepsItsText() {
        // From the timeline target: "  " after blank lines continues the entry above; the new
        // entry went before it and took it as its own last line.
        let body = "## Timeline\n- 2026-11-08T11:20:06Z dave **opened** SEV2\n\n  \n\n"
        let before = Timeline.parse(body: body, firstLine: 1).entries
        let entry = TimelineEntry(at: Date(timeIntervalSince1970: 1_795_000_000), actor: "alice", kind: "note", text: "rolled back")
        #expect(Timeline.parse(body: Timeline.append(entry, to: body), firstLine: 1).entries == before + [entry])
    }

    @Test func aDurationBeyondThirtyMillionYearsIsShownAsUnknown() {
        #expect(DurationFormat.short(5.55e20) == "–")
        #expect(DurationFormat.short(-1e300) == "–")
        #expect(DurationFormat.short(691) == "12m")
    }

    // MARK: Text

    @Test func aHighSurrogateWithoutItsLowHalfReadsAsAReplacementCharacter() throws {
        #expect(try JSONText.parse(Data(#"["\uD800\u0041", "\uD83D\uDE00"]"#.utf8)).get() == .array([.string("\u{FFFD}A"), .string("😀")]))
        #expect(try JSONText.parse(Data(#"["\uDBFF\uD800x"]"#.utf8)).get() == .array([.string("\u{FFFD}\u{FFFD}x")]))
    }

    @Test func aTagAloneBeforeTheFirstKeyIsRefusedWhereItStands() throws {
        // From the yaml-edit target: `!t` alone on the first line tags the whole mapping, so the
        // file read, but after the line editor rewrote the first key it no longer did.
        refused("fm.yaml:1: only comments may come before the first `key: value` line") {
            _ = try YAMLText("!QQQQ\nresolved_at: 2026-11-08T15:21:50Z\nclosed_at: 2026-11-09T19:24:23Z\n", path: "fm.yaml")
        }
        // Comments, blank lines and a document marker before the first key still read.
        #expect(try YAMLText("# hand notes\n\n---\nid: INC-1\n", path: "fm.yaml").keys == ["id"])
    }

    @Test func anIndentedTopLevelKeyIsRefusedWhereItStands() throws {
        // From the yaml-edit target: ` a: 1` is a mapping indented by one space; a key added
        // after it at the start of a line made the file unreadable.
        refused("fm.yaml:1: `id` must start at the beginning of its line") {
            _ = try YAMLText("  id: INC-1\n  owner: alice\n", path: "fm.yaml")
        }
        refused("fm.yaml:1: `a` must start at the beginning of its line") {
            _ = try YAMLText(" a: 1\n", path: "fm.yaml")
        }
    }

    @Test func aCommentWhoseHashCarriesACombiningMarkIsStillAComment() throws {
        // From the yaml-edit target: `#` followed by U+0591 is one Swift Character that is not
        // "#", but YAML reads a comment; adding a key after it was refused as a stray line.
        var yaml = try YAMLText("#\u{591}hand note\n", path: "fm.yaml")
        try yaml.set("owner", Node("alice"), order: [])
        #expect(try YAMLText(yaml.text, path: "fm.yaml")["owner"]?.string == "alice")
        // A comment after a value, whose # carries a combining mark, stays when the value changes.
        var owner = try YAMLText("owner: alice #\u{591}on leave soon\n", path: "fm.yaml")
        try owner.set("owner", Node("bob"))
        #expect(owner.text == "owner: bob #\u{591}on leave soon\n")
        // And a key indented by a space that carries a combining mark is still indented.
        refused("fm.yaml:1: `\u{301}a` must start at the beginning of its line") {
            _ = try YAMLText(" \u{301}a: 1\n", path: "fm.yaml")
        }
    }

    @Test func aListAsAKeyIsRefusedWhereItStands() throws {
        // From the yaml-edit target: `? - Z` makes the list [Z] a key. It was skipped, so the
        // file read with no keys, and a key added after it made the file unreadable.
        refused("fm.yaml:2: a key must be a name, not a list") {
            _ = try YAMLText("# hand notes\n? - Z\n", path: "fm.yaml")
        }
    }

    @Test func aKeyLongerThan128CharactersCanBeEdited() throws {
        // From the yaml-edit target: the emitter writes a key longer than 128 characters as
        // `? key` with the value on the next line, so the key itself starts at column 3.
        let key = "note_" + String(repeating: "x", count: 140)
        var yaml = try YAMLText("\(key): old\nowner: alice\n", path: "fm.yaml")
        try yaml.set(key, Node("new"), order: yaml.keys)
        let reread = try YAMLText(yaml.text, path: "fm.yaml")
        #expect(reread[key]?.string == "new")
        #expect(reread["owner"]?.string == "alice")
    }
}
