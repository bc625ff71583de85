public import Foundation
import Yams

/// Where an import came from: the importer and its version, when it ran, and each input file
/// with its SHA-256, so a snapshot can be traced to the exact bytes it was computed from.
public struct SnapshotSource: Sendable, Equatable {
    public var importer: String
    public var importedAt: Date
    public var files: [SourceFile]
    /// Steps of the input that could not be used (missing or not finite), when the importer skips any.
    public var skippedSteps: Int?

    public struct SourceFile: Sendable, Equatable {
        public var name: String
        public var sha256: String
    }

    /// The same input files give the same key, whenever and by whom they were imported.
    var inputKey: String { files.map(\.sha256).joined(separator: "+") }
}

/// Good and total events over one step, `[start, end)`.
public struct EventCounts: Sendable, Equatable {
    public var start: Date
    public var end: Date
    public var good: Decimal
    public var total: Decimal

    public var bad: Decimal { total - good }

    public init(start: Date, end: Date, good: Decimal, total: Decimal) {
        self.start = start
        self.end = end
        self.good = good
        self.total = total
    }

    func overlaps(_ other: EventCounts) -> Bool { start < other.end && other.start < end }
}

/// One gauge reading: `latency_p95_ms` was 1044 ms at noon.
public struct SignalValue: Sendable, Equatable {
    public var at: Date
    public var metric: String
    public var value: Decimal
    public var unit: String
    /// What the reading is about when a metric has several readings at once: a check of
    /// checks.yaml (`transactions.amount_usd`). Imported readings have none.
    public var subject: String?
}

/// The snapshot files under `slo/snapshots/`: one file per use case, indicator and ISO week
/// (UTC) for event counts, one per use case and week for signals. A week file is small enough
/// to read on GitHub, a re-import changes only the lines of the steps that changed, and the
/// weekly pack and `ops slo status` read only the weeks they need.
public enum SnapshotLayout {
    public static let folder = "slo/snapshots"
    public static let eventsFolder = "slo/snapshots/events"
    public static let signalsFolder = "slo/snapshots/signals"
    public static let objectivesFolder = "slo/snapshots/objectives"
    static let utc = TimeZone(identifier: "UTC")!

    public static func eventsPath(useCase: String, sli: String, week: ISOWeek) -> String {
        "\(eventsFolder)/\(useCase)/\(sli)/\(week).yaml"
    }

    public static func signalsPath(useCase: String, week: ISOWeek) -> String {
        "\(signalsFolder)/\(useCase)/\(week).yaml"
    }

    /// The UTC ISO week a step or reading is filed under: the one it starts in.
    public static func week(of date: Date) -> ISOWeek { ISOWeek(containing: date, zone: utc) }

    /// The week a snapshot file holds, from its name (`2026-W47.yaml`).
    public static func week(ofFile path: String) -> ISOWeek? {
        let name = (path as NSString).lastPathComponent
        guard name.hasSuffix(".yaml") else { return nil }
        return ISOWeek(String(name.dropLast(5)))
    }
}

/// A week of good/total event counts of one use case and indicator.
public struct EventSnapshot: Sendable, Equatable {
    public var useCase: String
    public var sli: String
    public var week: ISOWeek
    /// Every import that wrote to this file, oldest first; one entry per distinct input.
    public var sources: [SnapshotSource]
    /// Steps sorted by start, never overlapping.
    public var events: [EventCounts]

    public var path: String { SnapshotLayout.eventsPath(useCase: useCase, sli: sli, week: week) }

    /// The file's text. Written whole (it is data ops generates), so the same snapshot always
    /// gives the same bytes and a changed step changes one line.
    public var text: String { weekFileText }

    /// Reads a week file; a hand edit that breaks it is named with its line.
    public static func parse(_ text: String, path: String) throws -> EventSnapshot { try parseWeekFile(text, path: path) }
}

/// Steps (all in the file's week) replace the steps they overlap: the latest import of a period wins.
extension EventSnapshot: WeekSnapshot {
    static var items: WritableKeyPath<EventSnapshot, [EventCounts]> { \.events }
    static let itemsKey = "events"
    static var filedAt: KeyPath<EventCounts, Date> { \.start }

    var headerLines: [String] {
        [
            "# \(useCase) \(sli), \(week) (UTC): good and total events per step, from `ops slo import`.",
            "# A step imported again is replaced; budgets are computed from these counts.",
            "use_case: \(SnapshotText.scalar(useCase))",
            "sli: \(SnapshotText.scalar(sli))",
            "week: \(week)",
        ]
    }

    static func replaces(_ new: EventCounts, _ old: EventCounts) -> Bool { new.overlaps(old) }
    static func isOrdered(_ a: EventCounts, before b: EventCounts) -> Bool { a.start < b.start }

    static func line(_ step: EventCounts) -> String {
        "  - {start: \(Timestamp.format(step.start)), end: \(Timestamp.format(step.end)), good: \(step.good), total: \(step.total)}"
    }

    static func read(from reader: inout YAMLFieldReader) -> EventSnapshot? { reader.readEvents() }
}

/// A week of signal readings (latency, cost, drift, data quality, ...) of one use case.
public struct SignalSnapshot: Sendable, Equatable {
    public var useCase: String
    public var week: ISOWeek
    public var sources: [SnapshotSource]
    /// Sorted by time, then metric; one reading per metric and time.
    public var signals: [SignalValue]

    public var path: String { SnapshotLayout.signalsPath(useCase: useCase, week: week) }

    public var text: String { weekFileText }

    public static func parse(_ text: String, path: String) throws -> SignalSnapshot { try parseWeekFile(text, path: path) }
}

/// A reading replaces any of the same metric at the same time.
extension SignalSnapshot: WeekSnapshot {
    static var items: WritableKeyPath<SignalSnapshot, [SignalValue]> { \.signals }
    static let itemsKey = "signals"
    static var filedAt: KeyPath<SignalValue, Date> { \.at }

    var headerLines: [String] {
        [
            "# \(useCase) signals, \(week) (UTC): one reading per line, from `ops slo import --csv`"
                + (signals.contains { $0.subject != nil } ? " and `ops checks run`." : "."),
            "# A reading imported again (same metric and time) is replaced.",
            "use_case: \(SnapshotText.scalar(useCase))",
            "week: \(week)",
        ]
    }

    static func replaces(_ new: SignalValue, _ old: SignalValue) -> Bool {
        new.at == old.at && new.metric == old.metric && new.subject == old.subject
    }
    static func isOrdered(_ a: SignalValue, before b: SignalValue) -> Bool {
        (a.at, a.metric, a.subject ?? "") < (b.at, b.metric, b.subject ?? "")
    }

    static func line(_ reading: SignalValue) -> String {
        let subject = reading.subject.map { ", subject: \(SnapshotText.scalar($0))" } ?? ""
        return
            "  - {at: \(Timestamp.format(reading.at)), metric: \(SnapshotText.scalar(reading.metric))\(subject), value: \(reading.value), unit: \(SnapshotText.scalar(reading.unit))}"
    }

    static func read(from reader: inout YAMLFieldReader) -> SignalSnapshot? { reader.readSignals() }
}

/// Writing snapshot values as YAML scalars.
enum SnapshotText {
    /// A text value, plain when YAML reads it back as the same text, else quoted by Yams.
    static func scalar(_ text: String) -> String {
        let plain =
            text.first.map { $0.isLetter } == true
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-./".contains($0)) }
            && !["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(text.lowercased())
        if plain { return text }
        let emitted = (try? YAMLText.emit(key: "k", value: .text(text)).first) ?? "k: \"\(text)\""
        return String(emitted.dropFirst(3))
    }

    /// A scalar inside `{ }`: a PromQL query's braces and commas would end the mapping, so such
    /// text is written double-quoted (a JSON string is a valid YAML double-quoted scalar).
    static func flowScalar(_ text: String) -> String {
        guard text.contains(where: { "{}[],#".contains($0) }) else { return scalar(text) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let encoded = try? encoder.encode(text)
        return encoded.map { String(decoding: $0, as: UTF8.self) } ?? scalar(text)
    }

    static func sources(_ sources: [SnapshotSource]) -> [String] {
        var lines = ["sources:"]
        for source in sources {
            lines.append("  - importer: \(scalar(source.importer))")
            lines.append("    imported_at: \(Timestamp.format(source.importedAt))")
            lines.append("    files:")
            for file in source.files {
                lines.append("      - {name: \(flowScalar(file.name)), sha256: \(file.sha256)}")
            }
            if let skipped = source.skippedSteps { lines.append("    skipped_steps: \(skipped)") }
        }
        return lines
    }
}

// MARK: Reading snapshot files

extension YAMLFieldReader {
    mutating func readEvents() -> EventSnapshot? {
        let header = readHeader(["use_case", "sli", "week", "sources", "events"], needsSLI: true)
        var steps: [EventCounts] = []
        guard let list = yaml["events"] else {
            flag(nil, "`events` is missing")
            return nil
        }
        for item in items(list, "events") {
            guard case .mapping(let map) = item else {
                flag(item, "a step is {start: ..., end: ..., good: N, total: N}")
                continue
            }
            guard let start = timestamp(map["start"], "start", parent: item), let end = timestamp(map["end"], "end", parent: item),
                let good = count(map["good"], "good", parent: item), let total = count(map["total"], "total", parent: item)
            else { continue }
            guard end > start else { flag(item, "the step ends before it starts"); continue }
            guard good <= total else { flag(item, "good (\(good)) is more than total (\(total))"); continue }
            let step = EventCounts(start: start, end: end, good: good, total: total)
            if let previous = steps.last, previous.end > start {
                flag(
                    item,
                    previous.start == start
                        ? "a step at \(Timestamp.format(start)) is listed twice"
                        : "steps must be in time order and not overlap (this one starts before \(Timestamp.format(previous.end)))")
                continue
            }
            steps.append(step)
        }
        guard let header, let sli = header.sli else { return nil }
        return EventSnapshot(useCase: header.useCase, sli: sli, week: header.week, sources: header.sources, events: steps)
    }

    mutating func readSignals() -> SignalSnapshot? {
        let header = readHeader(["use_case", "week", "sources", "signals"], needsSLI: false)
        guard let list = yaml["signals"] else {
            flag(nil, "`signals` is missing")
            return nil
        }
        var readings: [SignalValue] = []
        for item in items(list, "signals") {
            guard case .mapping(let map) = item, let at = timestamp(map["at"], "at", parent: item),
                let metric = text(map["metric"], "metric", required: true, parent: item),
                let valueText = text(map["value"], "value", required: true, parent: item),
                let unit = text(map["unit"], "unit", required: true, parent: item)
            else { continue }
            guard let value = SLONumber.decimal(valueText) else { flag(item, "value `\(valueText)` is not a number"); continue }
            let subject = text(map["subject"], "subject")
            readings.append(SignalValue(at: at, metric: metric, value: value, unit: unit, subject: subject))
        }
        guard let header else { return nil }
        return SignalSnapshot(useCase: header.useCase, week: header.week, sources: header.sources, signals: readings)
    }

    private mutating func readHeader(_ known: [String], needsSLI: Bool) -> (useCase: String, sli: String?, week: ISOWeek, sources: [SnapshotSource])? {
        flagUnknownKeys(known, what: "a snapshot")
        let useCase = text(yaml["use_case"], "use_case", required: true)
        let sli = needsSLI ? text(yaml["sli"], "sli", required: true) : nil
        var week: ISOWeek?
        if let text = text(yaml["week"], "week", required: true) {
            week = ISOWeek(text)
            if week == nil { flag(key: "week", "week `\(text)` is not an ISO week like 2026-W47") }
        }
        let sources = readSources()
        guard let useCase, let week else { return nil }
        return (useCase, sli, week, sources)
    }

    private mutating func readSources() -> [SnapshotSource] {
        guard let node = yaml["sources"] else { return [] }
        var sources: [SnapshotSource] = []
        for item in items(node, "sources") {
            guard case .mapping(let map) = item, let importer = text(map["importer"], "importer", required: true, parent: item),
                let at = timestamp(map["imported_at"], "imported_at", parent: item)
            else { continue }
            var files: [SnapshotSource.SourceFile] = []
            for file in map["files"].map({ items($0, "files") }) ?? [] {
                guard case .mapping(let fileMap) = file, let name = text(fileMap["name"], "name", required: true, parent: file),
                    let sha = text(fileMap["sha256"], "sha256", required: true, parent: file)
                else { continue }
                files.append(SnapshotSource.SourceFile(name: name, sha256: sha))
            }
            let skipped = text(map["skipped_steps"], "skipped_steps").flatMap { Int($0) }
            sources.append(SnapshotSource(importer: importer, importedAt: at, files: files, skippedSteps: skipped))
        }
        return sources
    }

    private mutating func timestamp(_ node: Node?, _ name: String, parent: Node) -> Date? {
        guard let text = text(node, name, required: true, parent: parent) else { return nil }
        guard let date = Timestamp.parse(text) else {
            flag(node, "`\(name)` `\(text)` is not a time like 2026-11-16T00:00:00Z")
            return nil
        }
        return date
    }

    private mutating func count(_ node: Node?, _ name: String, parent: Node) -> Decimal? {
        guard let text = text(node, name, required: true, parent: parent) else { return nil }
        guard let value = SLONumber.decimal(text), value >= 0 else {
            flag(node, "`\(name)` `\(text)` is not a count of events (a number, 0 or more)")
            return nil
        }
        return value
    }
}
