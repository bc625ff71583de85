import Foundation
import Testing

@testable import OpsKit

@Suite struct ImportTests {
    @Test func everyToolsIncidentsAreOrdinaryFilesThatLintAccepts() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        for tool in ImportTool.allCases { try ops.importing(tool, ImportSamples.all(tool)) }
        let incidents = try ops.importedIncidents()
        #expect(incidents.count == 8 + 1 + 4 + 1 + 4)
        let config = try ops.workspace.config()
        for incident in incidents {
            let text = try ops.file(incident)
            #expect(Incident.lint(incident.path, text, config).isEmpty, "\(incident.path)")
            let keys = try MarkdownDocument(text, path: incident.path).frontMatter!.keys
            #expect(keys == Incident.fieldOrder.filter(keys.contains), "\(incident.path)")
            #expect(incident.timeline.last?.kind == "imported")
        }
        #expect(Set(incidents.compactMap { ImportTool.of(source: $0.source) }) == Set(ImportTool.allCases))
        // One commit per tool, each with its action.
        let actions = try git(
            ops.folder.path, "log", "-\(ImportTool.allCases.count)", "--format=%(trailers:key=Ops-Action,valueonly,separator=)")
        #expect(actions.split(separator: "\n").map(String.init) == ImportTool.allCases.reversed().map { "import.\($0.rawValue)" })
    }

    @Test func metricsCanSayWhichToolTheClockPointsCameFrom() throws {
        let ops = try OpsFixture()
        defer { ops.remove() }
        try ops.importing(.pagerduty, ImportSamples.all(.pagerduty))
        try ops.importing(.dispatch, [try ImportSamples.file(.dispatch, ImportSamples.dispatchDump)])
        _ = try ops.open()
        let lines = ImportTool.clockSourceLines(for: try IncidentCatalog.load(ops.workspace).incidents.map(\.source))
        #expect(
            lines == [
                "Imported from PagerDuty (8): \(ImportTool.pagerduty.clockSources).",
                "Imported from Dispatch (4): \(ImportTool.dispatch.clockSources).",
            ])
        #expect(ImportTool.clockSourceLines(for: []).isEmpty)
    }

    @Test func aCutOffJSONKeepsWhatWasReadAndMarksWhereItWasCut() throws {
        guard case .failure(.truncated(let line, let partial)) = JSONText.parse(Data("[{\"id\": \"a\"},\n {\"id\": \"b\", \"x\": [1, 2".utf8)) else {
            Issue.record("not seen as cut off")
            return
        }
        #expect(line == 2)
        let items = partial?.array ?? []
        #expect(items.count == 2 && items[0]["id"]?.string == "a" && items[0][JSONText.cutKey] == nil)
        #expect(items[1]["id"]?.string == "b" && items[1][JSONText.cutKey] == .bool(true))
        #expect(items[1]["x"]?.array?.count == 1)  // the 2 might have been 20: dropped
        guard case .success(let value) = JSONText.parse(Data(#"{"t": "caf\u00e9 \ud83d\ude80 \/ \"q\"", "n": -1.5e3, "b": [true, false, null]}"#.utf8)) else {
            Issue.record("valid JSON refused")
            return
        }
        #expect(value["t"]?.string == "café 🚀 / \"q\"" && value["n"] == .number("-1.5e3") && value["b"]?.items.count == 3)
        guard case .failure(.invalid(let at, _)) = JSONText.parse(Data("{\n\"a\": tru }".utf8)) else {
            Issue.record("broken JSON accepted")
            return
        }
        #expect(at == 2)
    }

    @Test func timelineTextReadsBackAsWritten() throws {
        // What a second import compares with: the text as the file gives it back.
        let text = ImportMapper.text("  Line one \r\nsecond\tline\u{1B}[31m\n\n")
        let entry = TimelineEntry(at: utc("2022-10-10T07:29:21Z"), actor: "oleg-gusak", kind: "note", text: text)
        let parsed = Timeline.parse(body: "## Timeline\n" + entry.markdown + "\n", firstLine: 1).entries
        #expect(parsed == [entry])
        #expect(ImportMapper.slug("Émilie O'Brien-Smith", separator: "-") == "emilie-o-brien-smith")
        #expect(ImportMapper.slug("日本", separator: "-") == nil)
    }
}
