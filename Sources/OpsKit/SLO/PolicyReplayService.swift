public import Foundation

/// Every replay asked for, with the zone its times are shown in.
public struct PolicyReplayReport: Sendable {
    public var zone: TimeZone
    public var replays: [PolicyReplay]
}

/// `ops policy replay`: reads the catalog and the policies (work tree) or a proposed policy file,
/// and the committed event snapshots, and replays each policy over them.
public struct PolicyReplayService {
    let workspace: Workspace

    public init(_ workspace: Workspace) { self.workspace = workspace }

    /// What to replay.
    public struct Request: Sendable {
        /// Only this use case; nil for every use case with a policy.
        public var useCase: String?
        /// Default: the start of the first imported step.
        public var since: Date?
        /// Default: the end of the last imported step.
        public var until: Date?
        /// How often the budget is judged, as typed: `1h`, `30m`, `1d`.
        public var step: String
        /// A proposed policy to replay instead of the committed one: its text, and its name for messages.
        public var proposed: (text: String, path: String)?

        public init(useCase: String? = nil, since: Date? = nil, until: Date? = nil, step: String = "1h", proposed: (text: String, path: String)? = nil) {
            self.useCase = useCase
            self.since = since
            self.until = until
            self.step = step
            self.proposed = proposed
        }
    }

    /// Replays the policies. Bad input (a proposed file that is not a valid policy, an unknown use
    /// case, a bad step or range) throws before anything is computed; nothing is ever written.
    public func replay(_ request: Request) throws -> PolicyReplayReport {
        let step = try Self.step(request.step)
        if let since = request.since, let until = request.until, until <= since {
            throw OpsError.input("--until (\(Timestamp.format(until))) is not after --since (\(Timestamp.format(since))). Swap them or widen the range")
        }
        let config = try workspace.config()
        let catalog = try SLOCatalog.load(from: workspace)
        let policies = try self.policies(request, catalog: catalog)
        let status = SLOStatusService(workspace)
        var replays: [PolicyReplay] = []
        for policy in policies {
            let indicator = try Self.indicator(of: policy, in: catalog)
            let steps = try status.steps(useCase: policy.useCase, sli: indicator.name, from: .distantPast, to: .distantFuture)
            let since = request.since ?? steps.first?.start ?? request.until ?? workspace.clock()
            let until = request.until ?? max(steps.last?.end ?? since, since)
            let moments = until.timeIntervalSince(since) / step
            guard moments <= Double(PolicyReplay.maximumMoments) else {
                throw OpsError.input(
                    "a step of \(request.step) from \(Timestamp.format(since)) to \(Timestamp.format(until)) is \(Int(moments)) moments; ops replays at most \(PolicyReplay.maximumMoments). Use a longer --step or a shorter --since/--until"
                )
            }
            replays.append(
                PolicyReplay.replay(policy: policy, indicator: indicator, steps: steps, since: since, until: until, step: step, zone: config.timeZone))
        }
        return PolicyReplayReport(zone: config.timeZone, replays: replays)
    }

    /// `--step`: a duration of at least a minute, like `1h`, `30m` or `1d`.
    static func step(_ text: String) throws -> TimeInterval {
        guard let seconds = SLONumber.duration(text), seconds >= 60, seconds <= 366 * 86_400 else {
            throw OpsError.input("--step \(text) is not a duration from 1m to 366d. Write it like --step 1h, 30m or 1d")
        }
        return SLONumber.double(seconds)
    }

    /// The policies to replay: the proposed one, the one of `--use-case`, or every committed one.
    private func policies(_ request: Request, catalog: SLOCatalog) throws -> [ErrorBudgetPolicy] {
        if let proposed = request.proposed {
            let policy = try ErrorBudgetPolicy.load(proposed.text, path: proposed.path)
            let line = try YAMLText(proposed.text, path: proposed.path).line(of: "use_case")
            if let useCase = request.useCase, useCase != policy.useCase {
                throw OpsError.file(
                    proposed.path, line: line, "is a policy of \(policy.useCase), not \(useCase)", fix: "Leave out --use-case or name \(policy.useCase)")
            }
            guard catalog.useCase(policy.useCase) != nil else {
                throw OpsError.file(
                    proposed.path, line: line, "names use case `\(policy.useCase)`, which \(SLOCatalog.path) does not know",
                    fix: "Use one of \(catalog.useCases.map(\.name).joined(separator: ", "))")
            }
            return [policy]
        }
        if let useCase = request.useCase {
            guard catalog.useCase(useCase) != nil else {
                throw OpsError.input("unknown use case '\(useCase)'. \(SLOCatalog.path) knows \(catalog.useCases.map(\.name).joined(separator: ", "))")
            }
            guard let policy = try ErrorBudgetPolicy.load(for: useCase, from: workspace) else {
                throw OpsError.input(
                    "\(useCase) has no error-budget policy (\(ErrorBudgetPolicy.path(for: useCase))) to replay. Write one, or name a proposed file with --policy"
                )
            }
            return [policy]
        }
        let policies = try catalog.useCases.map(\.name).sorted().compactMap { try ErrorBudgetPolicy.load(for: $0, from: workspace) }
        guard !policies.isEmpty else {
            throw OpsError.input(
                "no use case has an error-budget policy (\(ErrorBudgetPolicy.folder)/<use_case>.yaml) to replay. Write one, or name a proposed file with --policy"
            )
        }
        return policies
    }

    /// The indicator a policy governs: the one it names, else the use case's first event-based one
    /// (as `ops slo status` chooses).
    static func indicator(of policy: ErrorBudgetPolicy, in catalog: SLOCatalog) throws -> SLOCatalog.Indicator {
        let indicators = catalog.useCase(policy.useCase)?.eventIndicators ?? []
        let chosen = policy.sli.map { name in indicators.first { $0.name == name } } ?? indicators.first
        guard let chosen else {
            throw OpsError.file(
                policy.path, line: nil,
                policy.sli.map { "sli `\($0)` is not an event-based indicator of \(policy.useCase) in \(SLOCatalog.path)" }
                    ?? "governs \(policy.useCase), which has no event-based indicator in \(SLOCatalog.path)",
                fix: indicators.isEmpty
                    ? "Add one to the catalog, like availability: {objective: 99.9%, window: rolling_30d}"
                    : "Use one of \(indicators.map(\.name).joined(separator: ", "))")
        }
        return chosen
    }
}
