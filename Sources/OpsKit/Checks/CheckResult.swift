import Foundation

/// What one check of checks.yaml computed in a run, on which rows, and how it was judged.
public struct CheckResult: Sendable {
    public var useCase: String
    public var dataset: String
    public var test: ChecksConfig.Test
    /// `transactions.amount_usd`, `transactions`, `transactions: amount_usd >= 0`.
    public var subject: String
    /// The reading recorded; nil when the check could not judge (too few rows, a past week's
    /// freshness), and then `note` says why.
    public var value: Double?
    /// For KS: its statistic D, beside the p-value that is judged.
    public var statistic: Double?
    /// What was computed, in words: `over 10 bins of the reference's range 3.0 … 97.5`.
    public var computed: String
    /// The rows it read: `2,000 reference rows (data/ref.csv), 1,950 current (data/cur.csv)`.
    public var rows: String
    /// Up to five violating rows of a contract rule.
    public var examples: [String]
    /// The levels it was judged against, least strict first.
    public var levels: [ChecksConfig.Level]
    /// The strictest level reached; nil when none is.
    public var level: String?
    public var note: String?

    /// `page: ≥ 0.3`, or `alert: ≥ 0.2, page: ≥ 0.3` when none was reached.
    public var threshold: String {
        let reached = levels.filter { $0.name == level }
        return (reached.isEmpty ? levels : reached).map { "\($0.name): \(test.comparison.symbol) \(Self.text($0.value, test))" }
            .joined(separator: ", ")
    }

    /// The value as a person reads it: `0.412`, `99.1%`, `25.3 min`, `3 rows`.
    public var valueText: String {
        guard let recorded else { return "–" }
        if test == .ks, recorded == 0, let value, value > 0 { return "< \(Self.significant(Self.smallest))" }
        return Self.text(recorded, test)
    }

    static func text(_ value: Decimal, _ test: ChecksConfig.Test) -> String {
        switch test {
        case .completeness, .topk: return SLONumber.percent(SLONumber.double(value), digits: 2)
        case .freshness: return "\(SignalFormat.rounded(value, 1)) min"
        case .notNull, .unique, .valid: return "\(value) row\(value == 1 ? "" : "s")"
        case .ks: return Self.significant(SLONumber.double(value))
        case .psi, .meanDrop: return "\(SignalFormat.rounded(value, 4))"
        }
    }

    /// Below this a reading is recorded as 0: snapshots are read as `Decimal`, which ends near
    /// 1e-128, and a KS p-value of 6.7e-126 is as much a breach as one of 1e-100.
    static let smallest = 1e-100

    /// Six significant digits, the precision readings are recorded with (a p-value of 3e-21
    /// stays 3e-21, a PSI of 0.4123456789 is 0.412346); 0 below `smallest`.
    static func significant(_ value: Double) -> String {
        abs(value) < smallest ? "0" : String(format: "%.6g", value)
    }

    /// The recorded value, as exact decimal text of six significant digits.
    var recorded: Decimal? {
        value.flatMap { SLONumber.decimal(Self.significant($0)) }
    }

    /// The strictest of `levels` (least strict first) that `value` reaches.
    static func level(of value: Double, levels: [ChecksConfig.Level], test: ChecksConfig.Test) -> String? {
        guard let recorded = SLONumber.decimal(significant(value)) else { return nil }
        return levels.last { SLOCatalog.Bound(test.comparison, $0.value).contains(recorded) }?.name
    }
}
