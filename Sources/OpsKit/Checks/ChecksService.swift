import Crypto
public import Foundation

/// `ops checks run`: computes every check of checks.yaml for an ISO week, commits the readings
/// as signal snapshots (one commit, none when nothing changed), and opens an incident on the
/// routed rotation for each breach at page level, once per breach.
public struct ChecksService {
    let workspace: Workspace
    let environment: [String: String]

    public init(_ workspace: Workspace, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// What a run did.
    public struct Run: Sendable {
        public var week: ISOWeek
        /// The time the readings are filed at: the day of the run (UTC), or the last day of a past week.
        public var at: Date
        public var results: [CheckResult]
        /// The snapshot files the commit wrote; empty when every reading was already there.
        public var written: [String] = []
        public var commit: String?
        /// The incidents breaches at page level opened or added to.
        public var incidents = AlertIntake.Summary()
        public var announced: [AnnouncementResult] = []

        public var breaches: [CheckResult] { results.filter { $0.level != nil } }
    }

    public func run(useCase: String? = nil, week text: String? = nil, author: Author) throws -> Run {
        let config = try ChecksConfig.load(from: workspace)
        var useCases = config.useCases
        if let useCase {
            guard let only = config.useCase(useCase) else {
                throw OpsError.input(
                    "\(ChecksConfig.path) has no use case '\(useCase)'; it has \(config.useCases.map(\.name).joined(separator: ", "))")
            }
            useCases = [only]
        }
        let now = workspace.clock()
        let current = SnapshotLayout.week(of: now)
        var week = current
        if let text {
            guard let parsed = ISOWeek(text.trimmingCharacters(in: .whitespaces)) else {
                throw OpsError.input("'\(text)' is not an ISO week. Write it like 2026-W47")
            }
            guard parsed <= current else { throw OpsError.input("\(parsed) has not started yet (this is \(current))") }
            week = parsed
        }
        let interval = week.interval(in: SnapshotLayout.utc)
        let calendar = Self.utcCalendar
        let at = week == current ? calendar.startOfDay(for: now) : calendar.date(byAdding: .day, value: -1, to: interval.end)!
        // Rows of the run's week, up to now for the current one.
        let span = DateInterval(start: interval.start, end: min(interval.end, max(now, interval.start)))
        var reader = DatasetReader(workspace: workspace, environment: environment)
        defer { reader.close() }

        var results: [CheckResult] = []
        for checks in useCases {
            for dataset in checks.datasets {
                let context = CheckContext(
                    useCase: checks.name, dataset: dataset, week: week, span: span, isCurrentWeek: week == current, now: now)
                results += try CheckComputation.results(of: context, reader: &reader)
            }
        }

        var run = Run(week: week, at: at, results: results)
        let readings = Dictionary(
            grouping: results.compactMap { result -> (String, SignalValue)? in
                guard let value = result.recorded else { return nil }
                return (result.useCase, SignalValue(at: at, metric: result.test.metric, value: value, unit: result.test.unit, subject: result.subject))
            }, by: \.0
        ).mapValues { $0.map(\.1) }
        guard !readings.isEmpty else { return run }

        let source = SnapshotSource(
            importer: "ops-checks/\(SLOImporter.version)", importedAt: now, files: reader.sources.sorted { $0.name < $1.name }, skippedSteps: nil)
        var summary = SLOImporter.Summary()
        let scope = useCase.map { " of \($0)" } ?? ""
        try SLOImporter(workspace).commitSignals(
            readings, source: { _ in source }, subject: "checks run\(scope), \(week): \(run.breaches.count) breach\(run.breaches.count == 1 ? "" : "es")",
            author: author, action: "checks.run", into: &summary)
        run.written = summary.written
        run.commit = summary.commit
        run.announced = summary.announced

        // Each breach at page level is an alert: one incident per check and week. Only this
        // week and the one before page anyone; an older week checked again is history.
        let paging = week >= current.adding(weeks: -1, zone: SnapshotLayout.utc) ? results.filter { $0.level == "page" } : []
        if !paging.isEmpty {
            var intake = AlertIntake(workspace)
            intake.actor = AlertIntake.checks
            intake.oncePerFingerprint = true
            // The owner's team (ops.yaml) is the alert's team, so oncall.yaml routes it to them.
            let people = try workspace.config()
            var teams: [String: String] = [:]
            for checks in useCases {
                if let team = checks.owner.flatMap({ people.person($0)?.team }) { teams[checks.name] = team }
            }
            run.incidents = try intake.ingest(Self.payload(paging, at: now, week: week, teams: teams), author: author)
            run.announced += intake.announce(run.incidents)
        }
        return run
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = SnapshotLayout.utc
        return calendar
    }()

    // MARK: Incidents

    /// The alert each paging breach raises, seen at `at` (the run). Its fingerprint is the check's
    /// and the week's, so a check opens one incident a week: a later run that week adds nothing,
    /// whether the incident is open or resolved.
    static func payload(_ breaches: [CheckResult], at: Date, week: ISOWeek, teams: [String: String]) -> AlertmanagerPayload {
        let alerts = breaches.map { result -> AlertmanagerPayload.Alert in
            let digest = SHA256.hash(data: Data("\(result.useCase)\n\(result.test.metric)\n\(result.subject)\n\(week)".utf8))
            let fingerprint = digest.prefix(8).map { String(format: "%02x", $0) }.joined()
            let summary = "\(result.test.label) \(result.valueText) on \(result.useCase) \(result.subject) (\(result.threshold))"
            var labels = [
                "alertname": result.test.alertName, "use_case": result.useCase, "area": result.test.area.rawValue, "severity": "page",
                "check": result.subject,
            ]
            labels["team"] = teams[result.useCase]
            return AlertmanagerPayload.Alert(
                status: "firing", labels: labels,
                annotations: ["summary": summary, "description": "\(result.computed); \(result.rows). ops checks run, \(week)."],
                startsAt: Timestamp.format(at), endsAt: nil, generatorURL: nil, fingerprint: fingerprint)
        }
        return AlertmanagerPayload(version: "4", status: "firing", receiver: "ops checks run", alerts: alerts)
    }
}

extension ChecksConfig.Test {
    /// How a person names the test: `PSI`, `KS p-value`, `top-k shift`.
    public var label: String {
        switch self {
        case .psi: return "PSI"
        case .ks: return "KS p-value"
        case .topk: return "top-k shift"
        case .meanDrop: return "mean drop"
        case .freshness: return "freshness"
        case .completeness: return "completeness"
        case .notNull: return "null rows"
        case .unique: return "duplicate rows"
        case .valid: return "invalid rows"
        }
    }

    /// The alert name of its breach, as the starter runbooks' triggers name them.
    var alertName: String {
        switch self {
        case .psi: return "PSIDriftCritical"
        case .ks: return "KSDriftSignificant"
        case .topk: return "CategoricalTopKShift"
        case .meanDrop: return "FeatureMeanDrop"
        case .freshness: return "FeatureFreshnessLag"
        case .completeness: return "FeatureCompletenessLow"
        case .notNull, .unique, .valid: return "DataContractViolated"
        }
    }
}

/// One dataset of one use case, in the run's week.
struct CheckContext {
    var useCase: String
    var dataset: ChecksConfig.Dataset
    var week: ISOWeek
    /// The run's week, up to now.
    var span: DateInterval
    var isCurrentWeek: Bool
    var now: Date
}
