import Foundation
import Testing

@testable import OpsKit

@Suite struct SLOImportTests {
    /// The acceptance test of issue 7: importing the two Prometheus fixture files reproduces
    /// Fixtures/slo/expected.json (a copy of the shared Prometheus fixture) to 1e-9.
    @Test func prometheusFixturesReproduceExpectedJSON() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let expected = try JSONSerialization.jsonObject(with: SLOFixture.data("expected.json")) as! [String: Any]
        func number(_ key: String) -> Double { (expected[key] as! NSNumber).doubleValue }

        let summary = try fixture.importPrometheus()
        #expect(summary.skippedSteps == expected["skipped_steps"] as! Int)
        #expect(summary.skipped == "skipped 4 of 168 steps of 3600s: 3 missing from both files, 1 NaN or infinite")
        #expect(summary.written == ["slo/snapshots/events/ops_copilot/availability/2026-W47.yaml"])

        // At the end of 2026-W47 the rolling 30 days hold the whole week.
        let report = try fixture.status(at: "2026-11-23T00:00:00Z", useCase: "ops_copilot")
        let slo = try #require(report.slos.first { $0.sli == "availability" })
        #expect(ISOWeek(containing: slo.interval.end.addingTimeInterval(-1), zone: TimeZone(identifier: "UTC")!).description == expected["window"] as! String)
        #expect(abs(SLONumber.double(slo.objective) - number("objective")) < 1e-9)
        #expect(abs(SLONumber.double(slo.good) - number("good")) < 1e-9)
        #expect(abs(SLONumber.double(slo.total) - number("total")) < 1e-9)
        #expect(abs(SLONumber.double(slo.bad) - number("bad")) < 1e-9)
        #expect(abs(try #require(slo.errorRatio) - number("error_ratio")) < 1e-9)
        let windowRate = try #require(slo.burnRates.first { $0.span == .window }?.rate)
        #expect(abs(windowRate - number("burn_rate")) < 1e-9)
        #expect(abs(try #require(slo.consumed) - number("burn_rate")) < 1e-9)

        // The same figures in the JSON a script reads.
        let json = try JSONSerialization.jsonObject(with: Data(report.render(.json).utf8)) as! [String: Any]
        #expect(json["schema_version"] as? Int == 1)
        let first = (json["slos"] as! [[String: Any]])[0]
        for (key, expectedKey) in [("good", "good"), ("total", "total"), ("bad", "bad"), ("error_ratio", "error_ratio"), ("objective", "objective")] {
            #expect(abs((first[key] as! NSNumber).doubleValue - number(expectedKey)) < 1e-9, "\(key)")
        }
        #expect(abs(((first["burn_rates"] as! [String: Any])["window"] as! NSNumber).doubleValue - number("burn_rate")) < 1e-9)
    }

    @Test func theSnapshotHasProvenanceAndReadsBackToTheSameBytes() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try fixture.importPrometheus()
        let path = "slo/snapshots/events/ops_copilot/availability/2026-W47.yaml"
        let text = try fixture.folder.read(path)
        let snapshot = try EventSnapshot.parse(text, path: path)
        #expect(snapshot.text == text)
        #expect(snapshot.events.count == 164)
        let source = try #require(snapshot.sources.first)
        #expect(source.importer == "prometheus-query-range/1")
        #expect(source.importedAt == Timestamp.parse("2026-11-23T09:00:00Z"))
        #expect(source.files.map(\.name) == ["ops_copilot_good.json", "ops_copilot_total.json"])
        #expect(source.files[0].sha256 == SourceInput(name: "x", data: try SLOFixture.data("ops_copilot_good.json")).sha256)
        #expect(source.files[0].sha256.count == 64)
        #expect(source.skippedSteps == 4)
        #expect(text.contains("\n  - {start: 2026-11-16T00:00:00Z, end: 2026-11-16T01:00:00Z, good: 10318, total: 10326}\n"))
        // The NaN step (2026-11-18T02:00Z) is not in the file.
        #expect(!text.contains("start: 2026-11-18T02:00:00Z"))
        #expect(text.contains("start: 2026-11-18T01:00:00Z") && text.contains("start: 2026-11-18T03:00:00Z"))
        #expect(
            try git(fixture.folder.path, "log", "-1", "--format=%s|%(trailers:key=Ops-Action,valueonly)")
                == "slo import: ops_copilot availability from ops_copilot_good.json and ops_copilot_total.json|slo.import\n\n")
        #expect(try git(fixture.folder.path, "status", "--porcelain") == "")
    }

    @Test func importingTheSameInputTwiceMakesNoSecondCommit() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let imports: [(SLOImporter, Author) throws -> SLOImporter.Summary] = [
            { importer, author in
                try importer.importPrometheus(
                    good: SLOFixture.input("ops_copilot_good.json"), total: SLOFixture.input("ops_copilot_total.json"),
                    useCase: "ops_copilot", sli: "availability", author: author)
            },
            { importer, author in try importer.importCSV(SLOFixture.input("signals_2026-W47.csv"), author: author) },
            { importer, author in try importer.importOpenSLO(SLOFixture.input("openslo_ops_copilot.yaml"), author: author) },
            { importer, author in try importer.importCSV(SLOFixture.input("events_2026-W47.csv"), author: author) },
        ]
        for run in imports {
            fixture.base.clock.set("2026-11-23T09:00:00Z")
            let first = try run(fixture.importer, fixture.alice)
            #expect(first.commit != nil)
            let commits = try fixture.commitCount()
            // Later, by someone else: the same bytes change nothing.
            fixture.base.clock.set("2026-11-24T10:00:00Z")
            let again = try run(fixture.importer, fixture.base.bob)
            #expect(again.commit == nil)
            #expect(again.written.isEmpty)
            #expect(again.unchanged.count == first.written.count - (first.written.contains(SLOCatalog.path) ? 1 : 0))
            #expect(try fixture.commitCount() == commits)
        }
        #expect(try git(fixture.folder.path, "status", "--porcelain") == "")
    }

    @Test func eventCSVIsFiledPerUseCaseAndWeekAndBudgetsAreSummedFromCounts() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let summary = try fixture.importer.importCSV(SLOFixture.input("events_2026-W47.csv"), author: fixture.alice)
        #expect(summary.written == ["fraud_scoring", "ops_copilot", "search_ranking"].map { "slo/snapshots/events/\($0)/availability/2026-W47.yaml" })
        #expect(summary.imported[1] == "ops_copilot availability: 7 steps, 2026-11-16T00:00:00Z to 2026-11-23T00:00:00Z, 1,576,599 good of 1,579,274")

        let report = try fixture.status(at: "2026-11-23T00:00:00Z")
        let search = try #require(report.slos.first { $0.useCase == "search_ranking" })
        // Sums of the CSV's rows, not a mean of daily ratios.
        #expect(search.good == 1_656_813 && search.total == 1_657_905)
        #expect(search.errorRatio == 1092.0 / 1_657_905.0)
        #expect(search.colour == .yellow)
        #expect(search.crossed.map(\.at) == [Decimal(string: "0.5")!])
        #expect(search.burnRates.first { $0.span == .day }!.rate != nil)
        #expect(search.burnRates.first { $0.span == .hour }!.rate == nil)  // daily steps say nothing about one hour
        #expect(report.slos.first { $0.useCase == "fraud_scoring" }!.colour == .green)
        #expect(report.slos.first { $0.useCase == "ops_copilot" }!.colour == .red)
    }

    @Test func signalCSVIsStoredAsOneReadingPerLineWithItsUnit() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let summary = try fixture.importer.importCSV(SLOFixture.input("signals_2026-W47.csv"), author: fixture.alice)
        #expect(summary.written == ["fraud_scoring", "ops_copilot", "search_ranking"].map { "slo/snapshots/signals/\($0)/2026-W47.yaml" })
        let path = "slo/snapshots/signals/ops_copilot/2026-W47.yaml"
        let text = try fixture.folder.read(path)
        let snapshot = try SignalSnapshot.parse(text, path: path)
        #expect(snapshot.text == text)
        #expect(snapshot.signals.count == 70)
        #expect(
            snapshot.signals.first
                == SignalValue(
                    at: Timestamp.parse("2026-11-16T12:00:00Z")!, metric: "cache_hit_rate",
                    value: Decimal(string: "0.628")!, unit: "ratio"))
        #expect(text.contains("  - {at: 2026-11-16T12:00:00Z, metric: latency_p95_ms, value: 1044, unit: ms}\n"))
    }

    @Test func aLaterImportReplacesOnlyTheStepsItOverlaps() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try fixture.importer.importCSV(SLOFixture.input("events_2026-W47.csv"), author: fixture.alice)
        let path = "slo/snapshots/events/ops_copilot/availability/2026-W47.yaml"
        // Hourly steps of Monday only: Monday's daily step goes, Tuesday to Sunday stay.
        let good = try SLOFixture.text("ops_copilot_good.json"), total = try SLOFixture.text("ops_copilot_total.json")
        func monday(_ text: String) throws -> SourceInput {
            var json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            var data = json["data"] as! [String: Any]
            var series = (data["result"] as! [[String: Any]])[0]
            series["values"] = Array((series["values"] as! [Any]).prefix(24))
            data["result"] = [series]
            json["data"] = data
            return SourceInput(name: "monday.json", data: try JSONSerialization.data(withJSONObject: json))
        }
        try fixture.importPrometheus(good: monday(good), total: monday(total))
        let snapshot = try EventSnapshot.parse(fixture.folder.read(path), path: path)
        #expect(snapshot.events.count == 24 + 6)
        #expect(snapshot.events.first!.end == Timestamp.parse("2026-11-16T01:00:00Z"))
        #expect(snapshot.events[24].start == Timestamp.parse("2026-11-17T00:00:00Z"))
        #expect(snapshot.sources.map(\.importer) == ["csv-events/1", "prometheus-query-range/1"])
    }

    @Test func samplesCanMarkTheEndOfTheirStep() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        try fixture.importer.importPrometheus(
            good: SLOFixture.input("ops_copilot_good.json"), total: SLOFixture.input("ops_copilot_total.json"),
            useCase: "ops_copilot", sli: "availability", sampleTime: .end, author: fixture.alice)
        // The first sample (Monday 00:00) counts Sunday 23:00 to 00:00, which is in 2026-W46.
        let w46 = try EventSnapshot.parse(fixture.folder.read("slo/snapshots/events/ops_copilot/availability/2026-W46.yaml"), path: "w46")
        #expect(w46.events.map(\.start) == [Timestamp.parse("2026-11-15T23:00:00Z")!])
    }

    @Test func openSLOObjectivesBecomeCatalogEntriesEditingOneLine() throws {
        let fixture = try SLOFixture()
        defer { fixture.remove() }
        let before = try fixture.folder.read(SLOCatalog.path)
        let summary = try fixture.importer.importOpenSLO(SLOFixture.input("openslo_ops_copilot.yaml"), author: fixture.alice)
        #expect(summary.imported == ["ops_copilot availability: objective 99.9% over rolling_30d (OpenSLO ops-copilot-availability)"])
        #expect(summary.written == [SLOCatalog.path, "slo/snapshots/objectives/ops-copilot-availability.yaml"])
        #expect(summary.warnings.isEmpty)
        let after = try fixture.folder.read(SLOCatalog.path)
        let changed = zip(before.split(separator: "\n"), after.split(separator: "\n")).filter { $0 != $1 }
        #expect(before.split(separator: "\n").count == after.split(separator: "\n").count)
        // The catalog's own queries stay: `ops slo pull` runs them before the OpenSLO record's.
        #expect(
            changed.map { String($0.1) } == [
                #"    availability: {objective: 99.9%, window: rolling_30d, openslo: ops-copilot-availability, good_query: 'sum(increase(http_requests_total{use_case="ops_copilot",code!~"5.."}[1h]))', total_query: 'sum(increase(http_requests_total{use_case="ops_copilot"}[1h]))'}"#
            ])
        let record = try fixture.folder.read("slo/snapshots/objectives/ops-copilot-availability.yaml")
        #expect(record.contains("good_query: "))
        #expect(record.contains("sha256: \(try SLOFixture.input("openslo_ops_copilot.yaml").sha256)"))

        // A target written as a percent is read as a ratio, with a warning; a new use case's
        // entry is added at the end of use_cases.
        let percent = try SLOFixture.text("openslo_ops_copilot.yaml")
            .replacingOccurrences(of: "target: 0.999", with: "target: 99.5")
            .replacingOccurrences(of: "name: ops-copilot-availability", with: "name: fraud-latency")
            .replacingOccurrences(of: "displayName: Availability", with: "displayName: Fast answers")
        let second = try fixture.importer.importOpenSLO(
            SourceInput(name: "fraud.yaml", data: Data(percent.utf8)), useCase: "fraud_scoring",
            author: fixture.alice)
        #expect(second.warnings.count == 1)
        #expect(second.warnings[0].hasPrefix("fraud.yaml:30: target 99.5 of fraud-latency looks like a percent; read as 0.995"))
        let catalog = try SLOCatalog.load(fixture.folder.read(SLOCatalog.path))
        #expect(
            catalog.useCase("fraud_scoring")?.indicator("fast_answers")?.target == .events(objective: Decimal(string: "0.995")!, window: .rolling(days: 30)))
        #expect(catalog.useCase("fraud_scoring")?.indicators.last?.name == "fast_answers")
    }

    @Test func anyFileNameSurvivesTheSnapshotsYAML() throws {
        for name in ["good: v2 #1.json", "2026.json", "true", "'quoted'.json", "naïve \"x\".json", "- dash.csv"] {
            let source = SnapshotSource(
                importer: "csv-events/1", importedAt: Timestamp.parse("2026-11-23T09:00:00Z")!,
                files: [.init(name: name, sha256: String(repeating: "a", count: 64))], skippedSteps: nil)
            let snapshot = EventSnapshot(
                useCase: "ops_copilot", sli: "availability", week: ISOWeek("2026-W47")!, sources: [source],
                events: [
                    EventCounts(
                        start: Timestamp.parse("2026-11-16T00:00:00Z")!, end: Timestamp.parse("2026-11-17T00:00:00Z")!,
                        good: Decimal(string: "10318.333333333334")!, total: 10326)
                ])
            let read = try EventSnapshot.parse(snapshot.text, path: snapshot.path)
            #expect(read == snapshot, "\(name)")
            #expect(read.text == snapshot.text)
        }
    }

    @Test func catalogEditsKeepEverythingElse() throws {
        let text = "# c\nversion: 1\nuse_cases:\n  a:\n    x: {at_most: 1}  # keep\n\n  # b's\n  b: {}\n# tail\nthresholds: []\n"
        let metrics = "metrics:\n  x: ms\n"
        let one = try SLOCatalog.setting(indicator: "y", of: "a", to: [("objective", "99%"), ("window", "rolling_7d")], in: metrics + text)
        #expect(
            one == metrics
                + "# c\nversion: 1\nuse_cases:\n  a:\n    x: {at_most: 1}  # keep\n    y: {objective: 99%, window: rolling_7d}\n\n  # b's\n  b: {}\n# tail\nthresholds: []\n"
        )
        let two = try SLOCatalog.setting(indicator: "z", of: "b", to: [("objective", "99%"), ("window", "iso_week")], in: one)
        #expect(two.hasSuffix("  b:\n    z: {objective: 99%, window: iso_week}\n# tail\nthresholds: []\n"))
        let three = try SLOCatalog.setting(indicator: "w", of: "c", to: [("objective", "99%"), ("window", "iso_week")], in: two)
        #expect(three.hasSuffix("    z: {objective: 99%, window: iso_week}\n  c:\n    w: {objective: 99%, window: iso_week}\n# tail\nthresholds: []\n"))
        let four = try SLOCatalog.setting(indicator: "y", of: "a", to: [("objective", "98%"), ("window", "rolling_7d")], in: three)
        #expect(four == three.replacingOccurrences(of: "y: {objective: 99%", with: "y: {objective: 98%"))
        _ = try SLOCatalog.load(four)
    }
}
