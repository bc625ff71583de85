import Foundation

extension PolicyReplayReport {
    /// The version of `ops policy replay --format json`; bumped when a field changes meaning or goes.
    public static let schemaVersion = 1

    /// A block per policy for a person, or JSON (schema in README). CSV has no shape for a
    /// report of three lists, so it is the table's job.
    public func render(_ format: OutputFormat) throws -> String {
        switch format {
        case .json: return try JSONOutput.render(JSONReport(self))
        case .table, .csv: return table
        }
    }

    private var table: String {
        var lines: [String] = []
        for replay in replays {
            if !lines.isEmpty { lines.append("") }
            let budget = replay.budget.map { ", budget \(SLONumber.percentText($0))" } ?? ""
            lines.append("\(replay.useCase) \(replay.sli): \(replay.policyPath) (\(replay.window)\(budget))")
            lines.append(
                "  judged every \(Self.duration(replay.step)) from \(time(replay.since)) to \(time(replay.until)) (\(replay.moments.count) moments)")
            let crossings = replay.crossings.map { crossing in
                "\(time(crossing.at))  \(Self.padded(SLONumber.percent(crossing.consumed), 7)) consumed, reached "
                    + "\(SLONumber.percentText(crossing.threshold)) → \(SLOReportText.actions(crossing.actions))"
            }
            lines += SLOReportText.labelled("  crossings  ", crossings.isEmpty ? ["none"] : crossings)
            let freezes = replay.freezes.map { freeze in
                let period =
                    freeze.end.map { "\(time(freeze.start)) to \(time($0)), \(Self.hours(freeze.seconds))" }
                    ?? "\(time(freeze.start)) on, still frozen, \(Self.hours(freeze.seconds)) so far"
                return "\(freeze.action) (at \(SLONumber.percentText(freeze.threshold))): \(period)" + (replay.enforced ? "" : ", not enforced")
            }
            lines += SLOReportText.labelled("  freezes    ", freezes.isEmpty ? ["none"] : freezes)
            lines.append(
                "  frozen     \(Self.hours(replay.frozenSeconds)) in all (\(Self.hours(replay.fullyFrozenSeconds)) of them every release frozen)")
            for gap in replay.gaps {
                lines.append("  gap        no events \(time(gap.start)) to \(time(gap.end)) (\(Self.duration(gap.duration))): counted as none")
            }
            for note in replay.notes { lines.append("  note       \(LocalTime.localizingTimestamps(in: note, zone: zone))") }
        }
        lines += [
            "",
            "Times in \(zone.identifier). Each moment is judged as `ops slo status --at` it would be; a freeze",
            "lasts from the first moment its threshold is reached to the first moment consumption is below it.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private func time(_ date: Date) -> String { LocalTime.format(date, zone: zone) }

    /// `117 h`, `2.5 h`: hours to two decimals at most.
    static func hours(_ seconds: TimeInterval) -> String { "\(hourNumber(seconds)) h" }

    static func hourNumber(_ seconds: TimeInterval) -> Decimal {
        var input = Decimal(seconds) / 3600, result = Decimal()
        NSDecimalRound(&result, &input, 2, .plain)
        return result
    }

    /// A step or gap as written on the command line: `1h`, `30m`, `1d`, `90m`.
    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded())
        if whole % 86_400 == 0 { return "\(whole / 86_400)d" }
        if whole % 3600 == 0 { return "\(whole / 3600)h" }
        if whole % 60 == 0 { return "\(whole / 60)m" }
        return "\(whole)s"
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// The JSON document of `ops policy replay --format json` (README, Error-budget policies).
private struct JSONReport: Encodable {
    var schema_version = PolicyReplayReport.schemaVersion
    var zone: String
    var replays: [JSONReplay]

    init(_ report: PolicyReplayReport) {
        zone = report.zone.identifier
        replays = report.replays.map(JSONReplay.init)
    }
}

private struct JSONReplay: Encodable {
    struct Crossing: Encodable {
        var at: Date
        var consumed: Double
        var threshold: Decimal
        var actions: [String]
    }

    struct Freeze: Encodable {
        var action: String
        var scope: String
        var threshold: Decimal
        var start: Date
        @NullWhenNil var end: Date?
        var still_frozen: Bool
        var hours: Decimal
    }

    struct Gap: Encodable {
        var start: Date
        var end: Date
    }

    var use_case: String
    var sli: String
    var policy: String
    var window: String
    @NullWhenNil var budget: Decimal?
    var since: Date
    var until: Date
    var step_seconds: Int
    var moments: Int
    var crossings: [Crossing]
    var freezes: [Freeze]
    var enforced: Bool
    var frozen_hours: Decimal
    var fully_frozen_hours: Decimal
    var gaps: [Gap]
    var notes: [String]

    init(_ replay: PolicyReplay) {
        use_case = replay.useCase
        sli = replay.sli
        policy = replay.policyPath
        window = replay.window.description
        budget = replay.budget
        since = replay.since
        until = replay.until
        step_seconds = Int(replay.step.rounded())
        moments = replay.moments.count
        crossings = replay.crossings.map { Crossing(at: $0.at, consumed: $0.consumed, threshold: $0.threshold, actions: $0.actions) }
        freezes = replay.freezes.map {
            Freeze(
                action: $0.action, scope: $0.scope.rawValue, threshold: $0.threshold, start: $0.start, end: $0.end, still_frozen: $0.end == nil,
                hours: PolicyReplayReport.hourNumber($0.seconds))
        }
        enforced = replay.enforced
        frozen_hours = PolicyReplayReport.hourNumber(replay.frozenSeconds)
        fully_frozen_hours = PolicyReplayReport.hourNumber(replay.fullyFrozenSeconds)
        gaps = replay.gaps.map { Gap(start: $0.start, end: $0.end) }
        notes = replay.notes
    }
}
