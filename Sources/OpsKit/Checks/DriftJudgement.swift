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

/// The thresholds drift is judged against. `seed` holds the seed's: PSI ≥ 0.2 alerts and
/// ≥ 0.3 pages; a KS p-value below 0.05 alerts; a top-k shift of 0.10 or more is a review.
public struct DriftThresholds: Sendable, Equatable {
    public var psiAlert: Double
    public var psiPage: Double
    public var ksPValueAlert: Double
    public var topKReview: Double

    public init(psiAlert: Double, psiPage: Double, ksPValueAlert: Double, topKReview: Double) {
        self.psiAlert = psiAlert
        self.psiPage = psiPage
        self.ksPValueAlert = ksPValueAlert
        self.topKReview = topKReview
    }

    public static let seed = DriftThresholds(psiAlert: 0.2, psiPage: 0.3, ksPValueAlert: 0.05, topKReview: 0.10)

    /// PSI: page at `psiPage`, alert at `psiAlert`, otherwise ok (against the alert threshold).
    public func judge(psi: Double) -> DriftJudgement {
        if psi >= psiPage { return DriftJudgement(level: .page, threshold: psiPage, rule: "PSI ≥ \(Self.text(psiPage))") }
        if psi >= psiAlert { return DriftJudgement(level: .alert, threshold: psiAlert, rule: "PSI ≥ \(Self.text(psiAlert))") }
        return DriftJudgement(level: .ok, threshold: psiAlert, rule: "PSI ≥ \(Self.text(psiAlert))")
    }

    /// KS: alert when the p-value is below `ksPValueAlert`.
    public func judge(ksPValue p: Double) -> DriftJudgement {
        DriftJudgement(level: p < ksPValueAlert ? .alert : .ok, threshold: ksPValueAlert, rule: "p < \(Self.text(ksPValueAlert))")
    }

    /// Top-k: a review when the shift reaches `topKReview`.
    public func judge(topKShift shift: Double) -> DriftJudgement {
        DriftJudgement(level: shift >= topKReview ? .review : .ok, threshold: topKReview, rule: "shift ≥ \(Self.text(topKReview))")
    }

    /// A threshold as a person writes it: 0.3, 0.05, 0.1.
    static func text(_ value: Double) -> String { "\(value)" }
}
