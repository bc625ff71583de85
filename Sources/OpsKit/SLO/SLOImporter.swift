internal import Crypto
public import Foundation
import GitStore

/// A file handed to an importer: its name (as recorded in provenance), bytes and SHA-256.
public struct SourceInput: Sendable {
    public var name: String
    public var data: Data
    public var sha256: String

    public init(name: String, data: Data) {
        self.name = name
        self.data = data
        sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads `path` (relative to `directory`); recorded under its file name.
    public static func read(_ path: String, from directory: String) throws -> SourceInput {
        let full = Workspace.absolute(path, from: directory)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue,
            let data = FileManager.default.contents(atPath: full)
        else {
            throw OpsError.input("cannot read \(path): no such file")
        }
        return SourceInput(name: (full as NSString).lastPathComponent, data: data)
    }

    var file: SnapshotSource.SourceFile { SnapshotSource.SourceFile(name: name, sha256: sha256) }
}

/// `ops slo import`: normalises Prometheus, CSV and OpenSLO inputs into snapshot files under
/// `slo/snapshots/` (see `SnapshotLayout`) and commits them as one commit. The same input
/// imported again changes no file, so it makes no commit.
public struct SLOImporter {
    /// Bumped when an importer's normalisation changes, so a snapshot says which rules made it.
    public static let version = 1

    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// What an import did, for the summary the command prints.
    public struct Summary: Sendable {
        /// One line per use case and indicator (or metric group) imported.
        public var imported: [String] = []
        /// Snapshot (and catalog) files the commit wrote.
        public var written: [String] = []
        /// Files that already held this input.
        public var unchanged: [String] = []
        /// Steps of the input not used, with why.
        public var skipped: String?
        /// How many steps of the input were not used.
        public var skippedSteps = 0
        /// Things the person should know (a target normalised from a percent, ...).
        public var warnings: [String] = []
        public var commit: String?
        /// Records of what the commit announced (`slo/announced/`), written with the snapshots.
        public var records: [String] = []
        /// The messages the commit announced (a budget threshold crossed, a signal breach at page
        /// level) and what became of each within the command's wait.
        public var announced: [AnnouncementResult] = []
    }

    /// How a Prometheus sample's timestamp maps to its step.
    public enum SampleTime: String, Sendable, CaseIterable {
        /// The sample at `t` counts `[t, t + step)`.
        case start
        /// The sample at `t` counts `[t − step, t)`, as `increase(x[step])` strictly does.
        case end
    }

    // MARK: Prometheus

    @discardableResult
    public func importPrometheus(
        good: SourceInput, total: SourceInput, useCase: String, sli: String,
        step: String? = nil, sampleTime: SampleTime = .start, author: Author
    ) throws -> Summary {
        let catalog = try SLOCatalog.load(from: workspace)
        try SLOCSV.checkIndicator(useCase: useCase, sli: sli, catalog: catalog) { problem, fix in
            OpsError.input(problem + (fix.map { ". \($0)" } ?? ""))
        }
        let stepSeconds = try step.map(PrometheusPairing.stepSeconds)
        let paired = try pairPrometheus(
            good: PrometheusRange.parse(good.data, file: good.name), total: PrometheusRange.parse(total.data, file: total.name),
            useCase: useCase, stepSeconds: stepSeconds, sampleTime: sampleTime
        ) { skipped in
            OpsError.input("\(good.name) and \(total.name) share no step where both values are present and finite (\(skipped)); nothing to import")
        }
        let source = SnapshotSource(
            importer: "prometheus-query-range/\(Self.version)", importedAt: workspace.clock(),
            files: [good.file, total.file], skippedSteps: paired.skipped.count)
        return try commitPrometheus(
            [PrometheusSeries(series: SLOCSV.Series(useCase: useCase, name: sli), paired: paired, source: source)],
            subject: "slo import: \(useCase) \(sli) from \(good.name) and \(total.name)", author: author)
    }

    /// One indicator's good and total ranges, paired, with where they came from.
    struct PrometheusSeries {
        var series: SLOCSV.Series
        var paired: PrometheusPairing
        var source: SnapshotSource
    }

    /// Pairs one indicator's good and total ranges step by step; `noSteps` words the error when
    /// no step has both values (given what was skipped).
    func pairPrometheus(
        good: PrometheusRange, total: PrometheusRange, useCase: String, stepSeconds: Int64?,
        sampleTime: SampleTime, noSteps: (String) -> OpsError
    ) throws -> PrometheusPairing {
        for range in [good, total] {
            if let label = range.labels["use_case"], label != useCase {
                throw OpsError.input(
                    "\(range.file): series \(range.seriesName) is for use case \(label), not \(useCase). Pass --use-case \(label), or export the right series")
            }
        }
        let paired = try PrometheusPairing.pair(
            good: good, total: total, stepSeconds: stepSeconds, marksStart: sampleTime == .start)
        guard !paired.steps.isEmpty else { throw noSteps(paired.skipped.description) }
        return paired
    }

    /// Commits the paired steps of every indicator in one commit, each with its own provenance.
    func commitPrometheus(_ items: [PrometheusSeries], subject: String, author: Author) throws -> Summary {
        var summary = Summary()
        var steps: [SLOCSV.Series: [EventCounts]] = [:]
        var sources: [SLOCSV.Series: SnapshotSource] = [:]
        var skipped: [String] = []
        for item in items {
            steps[item.series] = item.paired.steps
            sources[item.series] = item.source
            summary.imported.append(describe(item.series.useCase, item.series.name, item.paired.steps))
            summary.skippedSteps += item.paired.skipped.count
            if item.paired.skipped.count > 0 {
                let which = items.count > 1 ? "\(item.series.useCase) \(item.series.name): " : ""
                skipped.append(
                    "\(which)skipped \(item.paired.skipped.count) of \(item.paired.gridSteps) steps of \(item.paired.stepSeconds)s: \(item.paired.skipped.description)"
                )
            }
        }
        summary.skipped = skipped.isEmpty ? nil : skipped.joined(separator: "; ")
        try commitEvents(steps, source: { sources[$0]! }, subject: subject, author: author, into: &summary)
        return summary
    }

    // MARK: CSV

    @discardableResult
    public func importCSV(_ input: SourceInput, author: Author) throws -> Summary {
        let catalog = try SLOCatalog.load(from: workspace)
        let table = try SLOCSV.read(input.data, file: input.name)
        var summary = Summary()
        switch table.shape {
        case .events:
            let series = try SLOCSV.events(table, file: input.name, catalog: catalog)
            let source = SnapshotSource(importer: "csv-events/\(Self.version)", importedAt: workspace.clock(), files: [input.file], skippedSteps: nil)
            summary.imported = series.keys.sorted().map { describe($0.useCase, $0.name, series[$0]!) }
            try commitEvents(series, source: { _ in source }, subject: "slo import: event counts from \(input.name)", author: author, into: &summary)
        case .signals:
            let readings = try SLOCSV.signals(table, file: input.name, catalog: catalog)
            let source = SnapshotSource(importer: "csv-signals/\(Self.version)", importedAt: workspace.clock(), files: [input.file], skippedSteps: nil)
            summary.imported = readings.keys.sorted().map { useCase in
                let values = readings[useCase]!
                let metrics = Set(values.map(\.metric)).count
                return "\(useCase) signals: \(values.count) readings of \(metrics) metrics, \(span(values.map(\.at).min()!, values.map(\.at).max()!))"
            }
            try commitSignals(readings, source: { _ in source }, subject: "slo import: signals from \(input.name)", author: author, into: &summary)
        }
        return summary
    }

    // MARK: Writing week files

    private func commitEvents(
        _ series: [SLOCSV.Series: [EventCounts]], source: (SLOCSV.Series) -> SnapshotSource, subject: String,
        author: Author, into summary: inout Summary
    ) throws {
        let files = weekFiles(series, source: source) { key, week in
            EventSnapshot(useCase: key.useCase, sli: key.name, week: week, sources: [], events: [])
        }
        let zone = try workspace.config().timeZone
        try commitWeekFiles(files, subject: subject, author: author, into: &summary) { tree, now in
            // The budgets of the indicators this import changed, as the commit will leave them.
            var statuses: [ErrorBudgetStatus] = []
            let service = SLOStatusService(tree: tree)
            for useCase in Set(series.keys.map(\.useCase)).sorted() {
                let names = Set(series.keys.filter { $0.useCase == useCase }.map(\.name))
                statuses += try service.status(useCase: useCase, at: now).slos.filter { names.contains($0.sli) }
            }
            return try BudgetAnnouncements.of(statuses, at: now, zone: zone, tree: tree)
        }
    }

    /// Merges `readings` (by use case) into their week files as one commit (`action` names the
    /// command in the commit), and announces the page-level breaches of imported metrics.
    func commitSignals(
        _ readings: [String: [SignalValue]], source: (String) -> SnapshotSource, subject: String,
        author: Author, action: String = "slo.import", into summary: inout Summary
    ) throws {
        let files = weekFiles(readings, source: source) { useCase, week in
            SignalSnapshot(useCase: useCase, week: week, sources: [], signals: [])
        }
        try commitWeekFiles(files, subject: subject, author: author, action: action, into: &summary) { tree, now in
            // Each week this import wrote, judged as the commit will leave it, for the use cases it changed.
            let service = SignalsService(tree: tree)
            var reports: [SignalsReport] = []
            for week in Set(tree.written.keys.compactMap(SnapshotLayout.week(ofFile:))).sorted() {
                var report = try service.status(week: week.description)
                report.useCases = report.useCases.filter { useCase in
                    tree.written.keys.contains(SnapshotLayout.signalsPath(useCase: useCase.useCase, week: week))
                }
                reports.append(report)
            }
            return try SignalAnnouncements.of(reports, at: now, tree: tree)
        }
    }

    /// For each key, one file per week its items fall in: the file `empty(key, week)` names,
    /// with that week's items merged in, recorded as coming from `source(key)`.
    private func weekFiles<Key: Comparable, Snapshot: WeekSnapshot>(
        _ items: [Key: [Snapshot.Item]], source: (Key) -> SnapshotSource, empty: (Key, ISOWeek) -> Snapshot
    ) -> [WeekFile] {
        var files: [WeekFile] = []
        for key in items.keys.sorted() {
            let byWeek = Dictionary(grouping: items[key]!) { SnapshotLayout.week(of: $0[keyPath: Snapshot.filedAt]) }
            let keySource = source(key)
            for week in byWeek.keys.sorted() {
                let file = empty(key, week)
                files.append(WeekFile(path: file.path) { try file.mergedText(byWeek[week]!, from: keySource, into: $0) })
            }
        }
        return files
    }

    /// A week's snapshot file and how to merge the import into it: the new text, or nil when
    /// this source's figures are already there.
    private struct WeekFile {
        var path: String
        var merged: (Data?) throws -> String?
    }

    /// One commit writing every week file the import changes; the others are reported unchanged.
    /// `announcements` judges the tree the commit makes (at the import's time) and says what it
    /// announces and which records to write with it; they are sent once the commit has landed.
    private func commitWeekFiles(
        _ files: [WeekFile], subject: String, author: Author, action: String = "slo.import", into summary: inout Summary,
        announcements: (CommittedTree, Date) throws -> ImportAnnouncements
    ) throws {
        var written: [String] = []
        var unchanged: [String] = []
        var due = ImportAnnouncements()
        let now = workspace.clock()
        let commit = try workspace.commit(action: action, subject: subject, author: author, announcing: due.announcements) { snapshot in
            written = []
            unchanged = []
            due = ImportAnnouncements()
            var texts: [String: String] = [:]
            for file in files {
                guard let text = try file.merged(snapshot.read(file.path)) else {
                    unchanged.append(file.path)
                    continue
                }
                written.append(file.path)
                texts[file.path] = text
            }
            // Nothing new: nothing is judged, so a re-import never announces.
            guard !texts.isEmpty else { return [] }
            due = try announcements(CommittedTree(workspace, snapshot: snapshot, written: texts), now)
            return written.map { .write($0, texts[$0]!) } + due.files.keys.sorted().map { .write($0, due.files[$0]!) }
        }
        summary.written = written
        summary.unchanged = unchanged
        summary.commit = commit?.hex
        guard commit != nil else { return }
        summary.records = due.files.keys.sorted()
        summary.announced = NotifyService(workspace).announce(due.announcements)
    }

    // MARK: Summaries

    private func describe(_ useCase: String, _ sli: String, _ steps: [EventCounts]) -> String {
        let good = steps.reduce(Decimal(0)) { $0 + $1.good }
        let total = steps.reduce(Decimal(0)) { $0 + $1.total }
        return
            "\(useCase) \(sli): \(steps.count) steps, \(span(steps.first!.start, steps.last!.end)), \(SLONumber.count(good)) good of \(SLONumber.count(total))"
    }

    private func span(_ start: Date, _ end: Date) -> String {
        "\(Timestamp.format(start)) to \(Timestamp.format(end))"
    }
}
