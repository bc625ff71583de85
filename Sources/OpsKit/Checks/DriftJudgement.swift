import Foundation

/// How a drift statistic is judged: the level it reached and the rule that put it there.
public struct DriftJudgement: Sendable, Equatable {
    /// From least to most urgent; `tooFewRows` is not a verdict, it says none was made.
    public enum Level: String, Sendable, Codable, CaseIterable {
        case ok, review, alert, page
        case tooFewRows = "too_few_rows"

        /// True when a threshold was reached (a check said no).
        public var isBreach: Bool { self == .review || self == .alert || self == .page }
    }

    public var level: Level
    /// The threshold judged against: the one reached, or, when none was, the lowest one.
    /// Nil when there were too few rows.
    public var threshold: Double?
    /// The rule in plain words: `PSI ≥ 0.3`, `p < 0.05`, `shift ≥ 0.10`.
    public var rule: String?

    public init(level: Level, threshold: Double?, rule: String?) {
        self.level = level
        self.threshold = threshold
        self.rule = rule
    }

    public static let tooFewRows = DriftJudgement(level: .tooFewRows, threshold: nil, rule: nil)
}

/// The thresholds drift is judged against: the levels of each test, least strict first, as a
/// check of checks.yaml writes them. `seed` holds the seed's, which are also what a check that
/// names no levels gets (`ChecksConfig.Test.defaultLevels`): PSI ≥ 0.2 alerts and ≥ 0.3 pages;
/// a KS p-value below 0.05 alerts; a top-k shift of 0.10 or more is a review.
public struct DriftThresholds: Sendable, Equatable {
    public var psi: [ChecksConfig.Level]
    public var ksPValue: [ChecksConfig.Level]
    public var topKShift: [ChecksConfig.Level]

    public static let seed = DriftThresholds(
        psi: ChecksConfig.Test.psi.defaultLevels, ksPValue: ChecksConfig.Test.ks.defaultLevels,
        topKShift: ChecksConfig.Test.topk.defaultLevels)

    public func judge(psi value: Double) -> DriftJudgement { Self.judge(value, psi, .psi, name: "PSI") }

    public func judge(ksPValue value: Double) -> DriftJudgement { Self.judge(value, ksPValue, .ks, name: "p") }

    public func judge(topKShift value: Double) -> DriftJudgement { Self.judge(value, topKShift, .topk, name: "shift") }

    /// The strictest level `value` reaches, as `ops checks run` judges it; the threshold shown is
    /// that level's, or the least strict one when none is reached.
    private static func judge(_ value: Double, _ levels: [ChecksConfig.Level], _ test: ChecksConfig.Test, name: String) -> DriftJudgement {
        let reached = CheckResult.level(of: value, levels: levels, test: test)
        let shown = levels.first { $0.name == reached } ?? levels[0]
        return DriftJudgement(
            level: reached.flatMap(DriftJudgement.Level.init(rawValue:)) ?? .ok, threshold: SLONumber.double(shown.value),
            rule: "\(name) \(test.comparison.symbol) \(shown.value)")
    }
}
