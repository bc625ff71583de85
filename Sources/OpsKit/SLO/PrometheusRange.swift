import Foundation

/// One series of a Prometheus HTTP API `query_range` response (`resultType: matrix`), as
/// `sum(increase(...[1h]))` returns it: `[unix seconds, "value"]` pairs, values as strings,
/// where `NaN`, `+Inf` and `-Inf` occur and steps with no data are simply absent.
struct PrometheusRange {
    enum Value: Equatable {
        case count(Decimal)
        /// `NaN`, `+Inf` or `-Inf`, as written.
        case notFinite(String)
    }

    struct Sample {
        /// Milliseconds since 1970, so step arithmetic is exact.
        var millis: Int64
        var value: Value
    }

    let file: String
    let labels: [String: String]
    let samples: [Sample]

    /// `{use_case="ops_copilot"}`, as Prometheus prints a series.
    var seriesName: String {
        "{" + labels.keys.sorted().map { "\($0)=\"\(labels[$0]!)\"" }.joined(separator: ",") + "}"
    }

    /// Where a sample is, for messages: `file: series {…} at 2026-11-16T03:00:00Z (1794798000)`.
    func place(_ millis: Int64) -> String {
        "\(file): series \(seriesName) at \(Self.time(millis))"
    }

    /// 9999-12-31T23:59:59Z, the last unix time a sample may have.
    static let latestTime: Double = 253_402_300_799

    static func time(_ millis: Int64) -> String {
        let seconds = Double(millis) / 1000
        let epoch = millis % 1000 == 0 ? String(millis / 1000) : String(seconds)
        return "\(Timestamp.format(Date(timeIntervalSince1970: seconds))) (\(epoch))"
    }

    /// Why a well-formed response holds no range to import; `ops slo pull` words these for a
    /// query, the file import for a file.
    enum Refusal {
        /// `status: error`: Prometheus's `errorType` (bad_data, timeout, ...) and `error`.
        case error(type: String?, message: String)
        /// An instant vector, scalar or string where a range was expected.
        case notMatrix(resultType: String)
        case noSeries
        case series(count: Int)
    }

    /// Reads a response holding exactly one series. Every failure names the file and the line,
    /// or the series and timestamp; `refuse`, when given, words the `Refusal`s instead.
    static func parse(_ data: Data, file: String, refuse: ((Refusal) -> OpsError)? = nil) throws -> PrometheusRange {
        _ = try UTF8Text.decode(data, path: file)
        let root: JSONValue
        switch JSONText.parse(data) {
        case .success(let value):
            root = value
        case .failure(let failure):
            // "Unexpected end of file" is how the message read when Foundation parsed these files.
            let (line, detail) =
                switch failure {
                case .truncated(let line, _): (line, "Unexpected end of file: the response is cut off")
                case .invalid(let line, let why): (line, why)
                }
            throw OpsError.file(
                file, line: line, "is not valid JSON (\(detail))",
                fix: "Save the body of the /api/v1/query_range response as it came")
        }
        guard root.isObject else {
            throw OpsError.file(file, line: root.line, "is not a Prometheus API response (expected an object with status and data)")
        }
        guard let statusValue = root["status"], case .string(let status) = statusValue.kind else {
            throw OpsError.file(file, line: root.line, "has no `status`: it is not a Prometheus API response")
        }
        guard status == "success" else {
            if let refuse {
                throw refuse(.error(type: root["errorType"].flatMap(stringValue), message: root["error"].flatMap(stringValue) ?? "no message"))
            }
            let kind = root["errorType"].flatMap(stringValue).map { "\($0): " } ?? ""
            let message = root["error"].flatMap(stringValue) ?? "no message"
            throw OpsError.file(
                file, line: (root["error"] ?? statusValue).line, "Prometheus answered status \"\(status)\" (\(kind)\(message))",
                fix: "Fix the query and export the response again")
        }
        guard let body = root["data"], body.isObject else {
            throw OpsError.file(file, line: root["data"]?.line ?? root.line, "has no `data` object")
        }
        let resultType = body["resultType"].flatMap(stringValue) ?? "missing"
        guard resultType == "matrix" else {
            if let refuse { throw refuse(.notMatrix(resultType: resultType)) }
            throw OpsError.file(
                file, line: body["resultType"]?.line ?? body.line, "resultType is \(resultType), not matrix",
                fix: "Export a range query (/api/v1/query_range with start, end and step), not an instant query")
        }
        guard let resultValue = body["result"], let result = resultValue.array else {
            throw OpsError.file(file, line: body["result"]?.line ?? body.line, "has no `result` list")
        }
        guard result.count == 1, result[0].isObject else {
            if let refuse, result.count != 1 { throw refuse(result.isEmpty ? .noSeries : .series(count: result.count)) }
            throw OpsError.file(
                file, line: resultValue.line,
                result.isEmpty
                    ? "holds no series: the query matched nothing in that range"
                    : "holds \(result.count) series; ops imports one per file",
                fix: result.isEmpty ? "Check the query and the range" : "Aggregate them into one, e.g. sum(increase(...[1h]))")
        }
        let series = result[0]
        var labels: [String: String] = [:]
        for key in series["metric"]?.keys ?? [] {
            if let value = series["metric"]?[key].flatMap(stringValue) { labels[key] = value }
        }
        guard let values = series["values"]?.array else {
            throw OpsError.file(
                file, line: (series["values"] ?? series["metric"] ?? series).line,
                "the series has no `values` list of [time, \"value\"] pairs")
        }
        var samples: [Sample] = []
        samples.reserveCapacity(values.count)
        let range = PrometheusRange(file: file, labels: labels, samples: [])
        for (index, pair) in values.enumerated() {
            guard let pair = pair.array, pair.count == 2, case .number(let timeText) = pair[0].kind, let time = Double(timeText), time.isFinite else {
                throw OpsError.input("\(file): series \(range.seriesName), value #\(index + 1) is not a [unix time, \"value\"] pair")
            }
            // Years 1970 to 9999: anything else is no export, and would overflow the step arithmetic.
            guard (0...PrometheusRange.latestTime).contains(time) else {
                throw OpsError.input("\(file): series \(range.seriesName), value #\(index + 1): \(time) is not a unix time between 1970 and 9999")
            }
            let millis = Int64((time * 1000).rounded())
            let value: Value
            switch pair[1].kind {
            case .string(let text), .number(let text):
                value = try parseValue(text, at: range.place(millis))
            default:
                throw OpsError.input("\(range.place(millis)): the value is not a string like \"10318\"")
            }
            if let previous = samples.last, previous.millis >= millis {
                throw OpsError.input(
                    previous.millis == millis
                        ? "\(range.place(millis)): the timestamp appears twice. Export the range again"
                        : "\(range.place(millis)): out of order, after \(Self.time(previous.millis)). A query_range response is sorted by time; export it again"
                )
            }
            samples.append(Sample(millis: millis, value: value))
        }
        return PrometheusRange(file: file, labels: labels, samples: samples)
    }

    /// A JSON string's text; nil for any other kind of value, as `as? String` was.
    private static func stringValue(_ value: JSONValue) -> String? {
        if case .string(let text) = value.kind { return text }
        return nil
    }

    private static func parseValue(_ text: String, at place: String) throws -> Value {
        switch text {
        case "NaN", "+Inf", "-Inf", "Inf": return .notFinite(text)
        default:
            guard let number = SLONumber.decimal(text) else {
                throw OpsError.input("\(place): value \"\(text)\" is not a number")
            }
            guard number >= 0 else {
                throw OpsError.input("\(place): value \(text) is negative, and a count of events cannot be. Check the query (increase(), not deriv())")
            }
            return .count(number)
        }
    }
}

/// Good and total series matched step by step.
struct PrometheusPairing {
    /// Steps of the grid that could not be used, by reason.
    struct Skipped: Sendable, Equatable {
        var missingFromBoth = 0
        var missingFromGood = 0
        var missingFromTotal = 0
        /// Steps where either value is `NaN` or infinite.
        var notFinite = 0

        var count: Int { missingFromBoth + missingFromGood + missingFromTotal + notFinite }

        var description: String {
            [
                (missingFromBoth, "missing from both files"), (missingFromGood, "missing from the good file"),
                (missingFromTotal, "missing from the total file"), (notFinite, "NaN or infinite"),
            ]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        }
    }

    var steps: [EventCounts]
    var skipped: Skipped
    var gridSteps: Int
    var stepSeconds: Int64

    /// The longest step ops pairs on: a year of the grid is one step already.
    static let maxStepSeconds: Int64 = 366 * 86_400

    /// `--step` as whole seconds: `1h`, `5m`, `30s`, at most `maxStepSeconds`.
    static func stepSeconds(_ text: String) throws -> Int64 {
        guard let seconds = SLONumber.duration(text), seconds >= 1 else {
            throw OpsError.input("--step '\(text)' is not a duration. Write it like 1h, 5m or 30s")
        }
        guard seconds <= Decimal(maxStepSeconds) else {
            throw OpsError.input("--step '\(text)' is longer than 366 days. Write the step the range was exported with, like 1h")
        }
        return Int64(SLONumber.double(seconds))
    }

    /// Walks the step grid from the first to the last timestamp of either series. The step is
    /// `stepSeconds`, else the smallest gap between timestamps. A sample at `t` counts the step
    /// starting at `t` (`marksStart`), as the fixtures and most exports are labelled, or the
    /// step ending at `t`, which is what `increase(x[1h])` at `t` strictly measures.
    static func pair(good: PrometheusRange, total: PrometheusRange, stepSeconds: Int64?, marksStart: Bool) throws -> PrometheusPairing {
        let goodByTime = Dictionary(good.samples.map { ($0.millis, $0.value) }, uniquingKeysWith: { a, _ in a })
        let totalByTime = Dictionary(total.samples.map { ($0.millis, $0.value) }, uniquingKeysWith: { a, _ in a })
        let times = Set(goodByTime.keys).union(totalByTime.keys).sorted()
        guard let first = times.first, let last = times.last else {
            throw OpsError.input("\(good.file) and \(total.file) hold no samples")
        }
        let step: Int64
        if let stepSeconds {
            step = stepSeconds * 1000
        } else {
            guard times.count > 1 else {
                throw OpsError.input("\(good.file) and \(total.file) hold one timestamp, so the step is unknown. Pass --step, e.g. --step 1h")
            }
            step = zip(times, times.dropFirst()).map { $1 - $0 }.min()!
        }
        guard step > 0 else { throw OpsError.input("the step must be longer than 0") }
        for time in times where (time - first) % step != 0 {
            let series = goodByTime[time] != nil ? good : total
            throw OpsError.input(
                "\(series.place(time)): not on the \(step / 1000)s step grid that starts at \(PrometheusRange.time(first)). Export with one step, or pass --step"
            )
        }
        let gridSteps = Int((last - first) / step) + 1
        guard gridSteps <= 5_000_000 else {
            throw OpsError.input(
                "\(good.file): \(gridSteps) steps of \(step / 1000)s is more than ops imports at once. Export a coarser step or a shorter range")
        }
        var steps: [EventCounts] = []
        steps.reserveCapacity(gridSteps)
        var skipped = Skipped()
        var time = first
        while time <= last {
            defer { time += step }
            switch (goodByTime[time], totalByTime[time]) {
            case (nil, nil): skipped.missingFromBoth += 1
            case (nil, _?): skipped.missingFromGood += 1
            case (_?, nil): skipped.missingFromTotal += 1
            case (.count(let goodCount)?, .count(let totalCount)?):
                guard goodCount <= totalCount else {
                    throw OpsError.input(
                        "\(good.place(time)): good (\(goodCount)) is more than total (\(totalCount)) in \(total.file). Check that the two queries count the same requests"
                    )
                }
                let start = Date(timeIntervalSince1970: Double(marksStart ? time : time - step) / 1000)
                steps.append(EventCounts(start: start, end: start.addingTimeInterval(Double(step) / 1000), good: goodCount, total: totalCount))
            default:
                skipped.notFinite += 1
            }
        }
        return PrometheusPairing(steps: steps, skipped: skipped, gridSteps: gridSteps, stepSeconds: step / 1000)
    }
}
