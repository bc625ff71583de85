public import Foundation

/// `ops slo pull`: runs each event indicator's good and total PromQL against a Prometheus
/// server (`query_range`) over a window of whole steps, and stores the answers as
/// `ops slo import --prometheus-*` stores files, in one commit. A pull of the same data again
/// (the same answers) commits nothing.
public struct SLOPull {
    /// Bumped when the way a pull asks or reads changes, so a snapshot says which rules made it.
    public static let version = 1
    /// Prometheus refuses a range query of more points than this per series.
    public static let maxSteps: Int64 = 11_000

    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// Which indicators, and which window, to pull.
    public struct Request: Sendable {
        public var useCase: String?
        public var sli: String?
        /// With `until` (default: now), the window; without either, `week`, or else last week.
        public var from: Date?
        public var until: Date?
        /// An ISO week in UTC, the weeks snapshot files hold.
        public var week: ISOWeek?
        public var step: String
        /// Seconds Prometheus may take per query; ours waits a second longer.
        public var timeout: TimeInterval

        public init(
            useCase: String? = nil, sli: String? = nil, from: Date? = nil, until: Date? = nil, week: ISOWeek? = nil,
            step: String = "1h", timeout: TimeInterval = 60
        ) {
            self.useCase = useCase
            self.sli = sli
            self.from = from
            self.until = until
            self.week = week
            self.step = step
            self.timeout = timeout
        }
    }

    /// The steps pulled, `[start, end)`, each `stepSeconds` long and starting at a multiple of it.
    public struct Window: Sendable, Equatable {
        public var start: Date
        public var end: Date
        public var stepSeconds: Int64

        public var steps: Int64 { Int64(end.timeIntervalSince(start)) / stepSeconds }

        public var description: String {
            "\(Timestamp.format(start)) to \(Timestamp.format(end)) in steps of \(stepSeconds)s"
        }
    }

    /// What a pull asked and stored.
    public struct Outcome: Sendable {
        public var server: String
        public var window: Window
        public var summary: SLOImporter.Summary
    }

    /// The window of whole steps a request asks for at `now`. Steps are aligned to multiples of
    /// the step since 1970 (so 1h steps are whole UTC hours), and a step that has not ended by
    /// `now` is left out. Without `from` or `week`: the last complete ISO week, in UTC.
    public static func window(_ request: Request, now: Date) throws -> Window {
        let step = try PrometheusPairing.stepSeconds(request.step)
        let zone = SnapshotLayout.utc
        let asked: DateInterval
        if let from = request.from {
            asked = DateInterval(start: from, end: max(from, request.until ?? now))
        } else {
            let week = request.week ?? ISOWeek(containing: now, zone: zone).adding(weeks: -1, zone: zone)
            asked = week.interval(in: zone)
        }
        func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
        func floor(_ value: Int64) -> Int64 { value - ((value % step) + step) % step }
        let start = floor(seconds(asked.start))
        let end = min(floor(seconds(asked.end)), floor(seconds(now)))
        let window = Window(
            start: Date(timeIntervalSince1970: Double(start)), end: Date(timeIntervalSince1970: Double(max(start, end))), stepSeconds: step)
        guard end > start else {
            throw OpsError.input(
                "\(Timestamp.format(asked.start)) to \(Timestamp.format(min(asked.end, now))) holds no whole step of \(step)s that has ended. Pull a longer or earlier window, or a smaller --step"
            )
        }
        guard window.steps <= maxSteps else {
            throw OpsError.input(
                "\(window.description) is \(window.steps) steps; Prometheus returns at most \(maxSteps) per query. Pull a shorter window or a larger --step")
        }
        return window
    }

    /// Asks `server` for every selected indicator's good and total events over the window, then
    /// commits them all at once. Any error stops the pull before anything is written.
    public func pull(_ request: Request, from server: PrometheusServer, author: Author) throws -> Outcome {
        let window = try Self.window(request, now: workspace.clock())
        let catalog = try SLOCatalog.load(from: workspace)
        var warnings: [String] = []
        let selected = try select(request, in: catalog, warnings: &warnings)
        let client = BlockingHTTP()
        defer { client.shutDown() }
        var items: [SLOImporter.PrometheusSeries] = []
        let importer = SLOImporter(workspace)
        for indicator in selected {
            let good = try run(indicator, \.good, "good_query", window: window, request: request, server: server, client: client)
            let total = try run(indicator, \.total, "total_query", window: window, request: request, server: server, client: client)
            let paired = try importer.pairPrometheus(
                good: good.range, total: total.range, useCase: indicator.useCase, stepSeconds: window.stepSeconds, sampleTime: .end
            ) { skipped in
                OpsError.input(
                    "\(indicator.useCase) \(indicator.name): no step of \(window.description) has both a good and a total value (\(skipped)). Check the queries in \(indicator.origin)"
                )
            }
            let source = SnapshotSource(
                importer: "prometheus-api/\(Self.version)", importedAt: workspace.clock(), files: [good.input.file, total.input.file],
                skippedSteps: paired.skipped.count)
            items.append(SLOImporter.PrometheusSeries(series: SLOCSV.Series(useCase: indicator.useCase, name: indicator.name), paired: paired, source: source))
        }
        let names = selected.map { "\($0.useCase) \($0.name)" }.joined(separator: ", ")
        var summary = try importer.commitPrometheus(items, subject: "slo pull: \(names) from \(server.display)", author: author)
        summary.warnings = warnings + summary.warnings
        return Outcome(server: server.display, window: window, summary: summary)
    }

    // MARK: Choosing indicators

    /// An indicator to pull, with its queries and where they are written.
    struct Selected {
        var useCase: String
        var name: String
        var queries: SLOCatalog.PromQLPair
        /// `slo/catalog.yaml:12`, or the OpenSLO record the queries came from.
        var origin: String
    }

    /// The event indicators the request names (all of them by default) that have queries; an
    /// indicator named on the command line without queries is an error, others are noted.
    private func select(_ request: Request, in catalog: SLOCatalog, warnings: inout [String]) throws -> [Selected] {
        var useCases = catalog.useCases
        if let name = request.useCase {
            guard let useCase = catalog.useCase(name) else {
                throw OpsError.input(
                    "use case `\(name)` is not in \(SLOCatalog.path) (known: \(catalog.useCases.map(\.name).joined(separator: ", ")))")
            }
            useCases = [useCase]
        }
        var selected: [Selected] = []
        var missing: [String] = []
        for useCase in useCases {
            for indicator in useCase.eventIndicators where request.sli == nil || indicator.name == request.sli {
                let line = indicator.line.map { ":\($0)" } ?? ""
                if let queries = indicator.queries {
                    selected.append(Selected(useCase: useCase.name, name: indicator.name, queries: queries, origin: SLOCatalog.path + line))
                } else if let name = indicator.openSLO, let queries = try openSLOQueries(name) {
                    selected.append(
                        Selected(useCase: useCase.name, name: indicator.name, queries: queries, origin: "\(SnapshotLayout.objectivesFolder)/\(name).yaml"))
                } else {
                    missing.append("\(useCase.name) \(indicator.name) (\(SLOCatalog.path)\(line))")
                }
            }
        }
        if let sli = request.sli, selected.isEmpty && missing.isEmpty {
            let scope = request.useCase.map { "use case \($0)" } ?? "any use case"
            throw OpsError.input(
                "\(sli) is not an indicator with objective and window in \(scope) of \(SLOCatalog.path): only those are counted from good and total events")
        }
        if !missing.isEmpty && (request.sli != nil || selected.isEmpty) {
            throw OpsError.input(
                "\(missing.joined(separator: ", ")) \(missing.count == 1 ? "has" : "have") no good_query and total_query. Add them to the indicator, e.g. good_query: 'sum(increase(http_requests_total{code!~\"5..\"}[1h]))'"
            )
        }
        for name in missing { warnings.append("\(name) has no good_query and total_query: not pulled") }
        return selected
    }

    /// The good and total queries an OpenSLO import recorded for the object `name`, if both.
    private func openSLOQueries(_ name: String) throws -> SLOCatalog.PromQLPair? {
        let path = "\(SnapshotLayout.objectivesFolder)/\(name).yaml"
        guard let text = try workspace.readWorkTreeFile(path) else { return nil }
        let yaml = try YAMLText(text, path: path)
        guard let good = yaml["good_query"]?.scalarText, !good.isEmpty, let total = yaml["total_query"]?.scalarText, !total.isEmpty else {
            return nil
        }
        return SLOCatalog.PromQLPair(good: good, total: total)
    }

    // MARK: Asking

    /// One query's answer, read as a range, with its bytes for provenance.
    private func run(
        _ indicator: Selected, _ side: KeyPath<SLOCatalog.PromQLPair, String>, _ key: String, window: Window,
        request: Request, server: PrometheusServer, client: BlockingHTTP
    ) throws -> (range: PrometheusRange, input: SourceInput) {
        let query = indicator.queries[keyPath: side]
        let label = "\(indicator.useCase) \(indicator.name) \(key) '\(query)'"
        // The sample at t is the step that ends at t (increase(x[1h]) at t counts (t-1h, t]),
        // so the first sample is one step after the window starts and the last at its end.
        let asked = PrometheusServer.RangeQuery(
            query: query, start: Int64(window.start.timeIntervalSince1970) + window.stepSeconds, end: Int64(window.end.timeIntervalSince1970),
            step: window.stepSeconds, timeout: request.timeout, label: label)
        let refuse = { (refusal: PrometheusRange.Refusal) in
            self.explain(refusal, label: label, indicator: indicator, window: window, server: server)
        }
        // A 400, 422 or 503 carries Prometheus's own error in the body: that is the message.
        let data = try server.queryRange(asked, using: client) { body in
            var refused: OpsError?
            _ = try? PrometheusRange.parse(body, file: label) { refusal in
                refused = refuse(refusal)
                return refused!
            }
            return refused
        }
        let range = try PrometheusRange.parse(data, file: label, refuse: refuse)
        return (range, SourceInput(name: "\(server.display) \(query)", data: data))
    }

    /// A refusal as one line: what Prometheus said, about which query, and what to do.
    private func explain(_ refusal: PrometheusRange.Refusal, label: String, indicator: Selected, window: Window, server: PrometheusServer) -> OpsError {
        switch refusal {
        case .error(let type, let message) where type == "timeout":
            return OpsError.repository(
                "Prometheus timed out on \(label): \"\(message)\". Pull a shorter window or a larger --step, or raise --timeout")
        case .error(let type, let message) where type == nil || type == "bad_data" || type == "execution":
            return OpsError.input("Prometheus refused \(label): \"\(message)\". Fix the query in \(indicator.origin)")
        case .error(let type, let message):
            return OpsError.repository("Prometheus at \(server.display) failed on \(label) (\(type ?? "error")): \"\(message)\". Try again later")
        case .notMatrix(let resultType):
            return OpsError.repository(
                "Prometheus answered \(label) with a \(resultType), where a range (matrix) was expected. Check that \(PrometheusServer.urlVariable) is the Prometheus API itself"
            )
        case .noSeries:
            return OpsError.input(
                "\(label) has no data from \(Timestamp.format(window.start)) to \(Timestamp.format(window.end)): nothing was written. Check the query in \(indicator.origin), and the window"
            )
        case .series(let count):
            return OpsError.input(
                "\(label) returned \(count) series; it must sum them to one, e.g. sum(increase(...[1h])). Fix the query in \(indicator.origin)")
        }
    }
}
