import Foundation
import Testing

@testable import OpsKit

/// Every bad input of issue 7 (in the importers', policies' and status's scope): a one-line
/// error naming the file and line (or the series and timestamp), exit code 2, nothing written.
@Suite struct SLOBadInputTests {
    static let series = "series {use_case=\"ops_copilot\"}"

    /// The good fixture with its `values` edited.
    static func good(_ edit: (inout [[Any]]) -> Void) throws -> SourceInput {
        var json = try JSONSerialization.jsonObject(with: SLOFixture.data("ops_copilot_good.json")) as! [String: Any]
        var data = json["data"] as! [String: Any]
        var series = (data["result"] as! [[String: Any]])[0]
        var values = series["values"] as! [[Any]]
        edit(&values)
        series["values"] = values
        data["result"] = [series]
        json["data"] = data
        return SourceInput(name: "good.json", data: try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted]))
    }

    static func file(_ name: String, _ text: String) -> SourceInput { SourceInput(name: name, data: Data(text.utf8)) }

    @Test func malformedJSON() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let cut = String(try SLOFixture.text("ops_copilot_good.json").prefix(200))
        try expectRefused(fixture, ["good.json:15: is not valid JSON (Unexpected end of file"]) {
            try fixture.importPrometheus(good: Self.file("good.json", cut))
        }
        try expectRefused(fixture, ["good.json:3: is not valid JSON ("]) {
            try fixture.importPrometheus(good: Self.file("good.json", "{\n \"status\": \"success\",\n \"data\": {,\n}\n"))
        }
    }

    @Test func prometheusErrorResponse() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let error = "{\n  \"status\": \"error\",\n  \"errorType\": \"bad_data\",\n  \"error\": \"parse error at char 8: unexpected \\\"}\\\"\"\n}\n"
        try expectRefused(fixture, ["error.json:4: Prometheus answered status \"error\" (bad_data: parse error at char 8", "Fix the query"]) {
            try fixture.importPrometheus(total: Self.file("error.json", error))
        }
    }

    @Test func aVectorInsteadOfAMatrix() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let vector =
            "{\n \"status\": \"success\",\n \"data\": {\n  \"resultType\": \"vector\",\n  \"result\": [{\"metric\": {}, \"value\": [1794787200, \"1\"]}]\n }\n}\n"
        try expectRefused(fixture, ["vector.json:4: resultType is vector, not matrix", "/api/v1/query_range"]) {
            try fixture.importPrometheus(good: Self.file("vector.json", vector))
        }
    }

    @Test func goodMoreThanTotal() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try expectRefused(
            fixture, ["good.json: \(Self.series) at 2026-11-16T03:00:00Z (1794798000): good (9400) is more than total (9385) in ops_copilot_total.json"]
        ) {
            try fixture.importPrometheus(good: Self.good { $0[3][1] = "9400" })
        }
        let csv = "window_start,window_end,use_case,sli,good,total\n2026-11-16T00:00:00Z,2026-11-17T00:00:00Z,ops_copilot,availability,11,10\n"
        try expectRefused(fixture, ["events.csv:2: good (11) is more than total (10)"]) {
            try fixture.importer.importCSV(Self.file("events.csv", csv), author: fixture.alice)
        }
    }

    @Test func negativeCounts() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try expectRefused(fixture, ["good.json: \(Self.series) at 2026-11-16T01:00:00Z (1794790800): value -5 is negative"]) {
            try fixture.importPrometheus(good: Self.good { $0[1][1] = "-5" })
        }
        let csv = "window_start,window_end,use_case,sli,good,total\n\n2026-11-16T00:00:00Z,2026-11-17T00:00:00Z,ops_copilot,availability,-1,10\n"
        try expectRefused(fixture, ["events.csv:3: negative count (good -1, total 10)"]) {
            try fixture.importer.importCSV(Self.file("events.csv", csv), author: fixture.alice)
        }
    }

    @Test func timestampsOutOfOrderOrDuplicated() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try expectRefused(fixture, ["good.json: \(Self.series) at 2026-11-16T01:00:00Z (1794790800): out of order, after 2026-11-16T02:00:00Z (1794794400)"]) {
            try fixture.importPrometheus(good: Self.good { $0.swapAt(1, 2) })
        }
        try expectRefused(fixture, ["good.json: \(Self.series) at 2026-11-16T01:00:00Z (1794790800): the timestamp appears twice"]) {
            try fixture.importPrometheus(good: Self.good { $0.insert($0[1], at: 1) })
        }
        let header = "window_start,window_end,use_case,sli,good,total\n"
        let monday = "2026-11-16T00:00:00Z,2026-11-17T00:00:00Z,ops_copilot,availability,9,10\n"
        let tuesday = "2026-11-17T00:00:00Z,2026-11-18T00:00:00Z,ops_copilot,availability,9,10\n"
        let fraud = "2026-11-16T00:00:00Z,2026-11-17T00:00:00Z,fraud_scoring,availability,9,10\n"
        try expectRefused(fixture, ["events.csv:4: ops_copilot availability from 2026-11-16T00:00:00Z is listed twice (also line 2)"]) {
            try fixture.importer.importCSV(Self.file("events.csv", header + monday + fraud + monday), author: fixture.alice)
        }
        try expectRefused(
            fixture, ["events.csv:4: ops_copilot availability from 2026-11-16T00:00:00Z is out of order or overlaps line 2", "Sort by window_start"]
        ) {
            try fixture.importer.importCSV(Self.file("events.csv", header + tuesday + fraud + monday), author: fixture.alice)
        }
        let signals = "timestamp,use_case,metric,value,unit\n2026-11-17T12:00:00Z,ops_copilot,psi,0.1,index\n2026-11-16T12:00:00Z,ops_copilot,psi,0.1,index\n"
        try expectRefused(fixture, ["signals.csv:3: ops_copilot psi at 2026-11-16T12:00:00Z is out of order: line 2 has 2026-11-17T12:00:00Z"]) {
            try fixture.importer.importCSV(Self.file("signals.csv", signals), author: fixture.alice)
        }
    }

    @Test func unknownUseCaseOrMetric() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try expectRefused(fixture, ["unknown use case `checkout`", "slo/catalog.yaml knows ops_copilot, fraud_scoring, search_ranking"]) {
            try fixture.importPrometheus(useCase: "checkout")
        }
        try expectRefused(fixture, ["unknown SLI `uptime` for ops_copilot", "Event-based SLIs of ops_copilot: availability"]) {
            try fixture.importPrometheus(sli: "uptime")
        }
        try expectRefused(fixture, ["ops_copilot latency_p95_ms is a gauge"]) {
            try fixture.importPrometheus(sli: "latency_p95_ms")
        }
        try expectRefused(fixture, ["ops_copilot_good.json: series {use_case=\"ops_copilot\"} is for use case ops_copilot, not fraud_scoring"]) {
            try fixture.importPrometheus(useCase: "fraud_scoring")
        }
        let events = "window_start,window_end,use_case,sli,good,total\n2026-11-16T00:00:00Z,2026-11-17T00:00:00Z,checkout,availability,9,10\n"
        try expectRefused(fixture, ["events.csv:2: unknown use case `checkout`"]) {
            try fixture.importer.importCSV(Self.file("events.csv", events), author: fixture.alice)
        }
        let signals = "timestamp,use_case,metric,value,unit\n2026-11-16T12:00:00Z,ops_copilot,latency_p99_ms,1044,ms\n"
        try expectRefused(fixture, ["signals.csv:2: unknown metric `latency_p99_ms`"]) {
            try fixture.importer.importCSV(Self.file("signals.csv", signals), author: fixture.alice)
        }
        let openSLO = try SLOFixture.text("openslo_ops_copilot.yaml").replacingOccurrences(of: "service: ops_copilot", with: "service: checkout")
        try expectRefused(fixture, ["slo.yaml:7: unknown use case `checkout`"]) {
            try fixture.importer.importOpenSLO(Self.file("slo.yaml", openSLO), author: fixture.alice)
        }
    }

    @Test func aUnitThatContradictsTheCatalog() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let signals = "timestamp,use_case,metric,value,unit\n2026-11-16T12:00:00Z,ops_copilot,latency_p95_ms,1.044,s\n"
        try expectRefused(fixture, ["signals.csv:2: unit `s` of latency_p95_ms contradicts slo/catalog.yaml, which says ms", "Convert the values to ms"]) {
            try fixture.importer.importCSV(Self.file("signals.csv", signals), author: fixture.alice)
        }
    }

    @Test func aPolicyWhoseThresholdsAreNotIncreasing() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try fixture.importPrometheus()
        let policy = try SLOFixture.text("policy_ops_copilot.yaml")
            .replacingOccurrences(of: "at: 50%", with: "at: 80%")
        try fixture.folder.write("policies/ops_copilot.yaml", policy)
        try expectRefused(fixture, ["policies/ops_copilot.yaml:7: burn alert at 75% comes after 80%: thresholds must increase (80%, 75%)"]) {
            _ = try fixture.status()
        }
        let problems = try Linter.run(fixture.workspace).errors.map(\.description)
        #expect(problems.contains { $0.hasPrefix("policies/ops_copilot.yaml:7: burn alert at 75% comes after 80%") })
    }

    /// Yams keeps a parse error aside instead of throwing it; a broken file must not read as an empty one.
    @Test func brokenOpenSLOYAMLNamesTheLine() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let broken = "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: [a, b\nspec:\n"
        try expectRefused(fixture, ["slo.yaml:5: "]) {
            try fixture.importer.importOpenSLO(Self.file("slo.yaml", broken), author: fixture.alice)
        }
        let second = try SLOFixture.text("openslo_ops_copilot.yaml") + "\n---\nkind: SLO\n  bad: indent\n"
        try expectRefused(fixture, ["slo.yaml:"]) {
            try fixture.importer.importOpenSLO(Self.file("slo.yaml", second), author: fixture.alice)
        }
    }

    @Test func otherShapesOfBadInput() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try expectRefused(fixture, ["good.json: \(Self.series) at 2026-11-16T01:00:00Z (1794790800): value \"ten\" is not a number"]) {
            try fixture.importPrometheus(good: Self.good { $0[1][1] = "ten" })
        }
        try expectRefused(fixture, ["odd.csv:1: the header is neither of the two shapes ops reads"]) {
            try fixture.importer.importCSV(Self.file("odd.csv", "when,what\n1,2\n"), author: fixture.alice)
        }
        let quoted =
            "window_start,window_end,use_case,sli,good,total\n\"2026-11-16T00:00:00Z\",2026-11-17T00:00:00Z,\"ops\ncopilot\",availability,9,10\n2026-11-16T00:00:00Z,x\n"
        try expectRefused(fixture, ["q.csv:4: 2 fields, but the header has 6"]) {
            try fixture.importer.importCSV(Self.file("q.csv", quoted), author: fixture.alice)
        }
        try expectRefused(fixture, ["slo.yaml:30: target 1.5e3 is not a ratio between 0 and 1"]) {
            let text = try SLOFixture.text("openslo_ops_copilot.yaml").replacingOccurrences(of: "target: 0.999", with: "target: 1.5e3")
            try fixture.importer.importOpenSLO(Self.file("slo.yaml", text), author: fixture.alice)
        }
    }
}
