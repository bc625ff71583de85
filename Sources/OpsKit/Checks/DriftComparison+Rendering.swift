import Foundation

extension DriftComparison {
    /// The result as a table (plain sentences) or JSON; `csv` is not offered for one result.
    public func render(_ format: OutputFormat) throws -> String {
        format == .json ? try JSONOutput.render(self) : table
    }

    /// What was computed, on which rows, the number, and the verdict with its rule.
    var table: String {
        var lines = ["\(name) of \(column): \(current) (current) against \(reference) (reference)"]
        if let tooFewReason {
            lines.append(Self.capitalised(tooFewReason) + ". Not judged.")
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append(computed)
        lines.append(verdict)
        return lines.joined(separator: "\n") + "\n"
    }

    private var name: String {
        switch test {
        case .psi: return "PSI"
        case .ks: return "KS test"
        case .topK: return "Top-\(topK?.k ?? 10) shift"
        }
    }

    private var rows: String {
        var text = "\(Self.count(referenceCount)) reference rows, \(Self.count(currentCount)) current"
        let empty = [(referenceEmpty, "reference"), (currentEmpty, "current")].filter { $0.0 > 0 }
        if !empty.isEmpty {
            text += "; empty values left out: " + empty.map { "\(Self.count($0.0)) \($0.1)" }.joined(separator: ", ")
        }
        return text
    }

    private var computed: String {
        switch test {
        case .psi:
            let psi = psi!
            let outside = psi.outsideRange == 0 ? "" : "; \(Self.count(psi.outsideRange)) current values outside that range, in no bin"
            return "PSI \(Self.fixed(psi.psi)) over \(psi.bins) bins of the reference's range \(psi.edges.first!) … \(psi.edges.last!) (\(rows)\(outside))."
        case .ks:
            let how = method == .exact ? "exact" : "asymptotic"
            return "D \(Self.fixed(statistic!)), p-value \(Self.significant(pValue!)) (\(how), as scipy's ks_2samp) on \(rows)."
        case .topK:
            let topK = topK!
            let label = topK.category.isEmpty ? "(empty)" : "'\(topK.category)'"
            return "Shift \(Self.fixed(topK.shift)): \(label) went from \(Self.percent(topK.referenceShare)) of reference rows to "
                + "\(Self.percent(topK.currentShare)) of current rows; the most moved of the reference's \(topK.categoriesCompared) most common values (\(rows))."
        }
    }

    private var verdict: String {
        let rule = judgement.rule ?? ""
        switch judgement.level {
        case .page: return "Page: \(rule)."
        case .alert: return "Alert: \(rule)."
        case .review: return "Review: \(rule)."
        case .ok:
            let level = test == .topK ? "review" : "alert"
            return "OK: no threshold reached (\(level) at \(rule))."
        case .tooFewRows: return "Not judged."
        }
    }

    static func capitalised(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// 2,000: digits grouped by three with commas, whatever the locale.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    static func fixed(_ value: Double) -> String { String(format: "%.3f", value) }
    static func significant(_ value: Double) -> String { value == 0 ? "0" : String(format: "%.3g", value) }
    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
}

extension DriftComparison: Encodable {
    private enum Keys: String, CodingKey {
        case test, column, reference, current, statistic, pValue = "p_value", method, nReference = "n_reference",
            nCurrent = "n_current", emptyReference = "empty_reference", emptyCurrent = "empty_current", level, threshold, rule,
            reason, bins, referenceMin = "reference_min", referenceMax = "reference_max", outsideRange = "outside_range", k,
            category, referenceShare = "reference_share", currentShare = "current_share"
    }

    /// The fields every test has are always there (null where they do not apply); the ones
    /// of one test only appear with it.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(test.rawValue, forKey: .test)
        try container.encode(column, forKey: .column)
        try container.encode(reference, forKey: .reference)
        try container.encode(current, forKey: .current)
        try container.encode(statistic, forKey: .statistic)
        try container.encode(pValue, forKey: .pValue)
        try container.encode(method?.rawValue, forKey: .method)
        try container.encode(referenceCount, forKey: .nReference)
        try container.encode(currentCount, forKey: .nCurrent)
        try container.encode(judgement.level.rawValue, forKey: .level)
        try container.encode(judgement.threshold, forKey: .threshold)
        try container.encode(judgement.rule, forKey: .rule)
        try container.encodeIfPresent(tooFewReason, forKey: .reason)
        if test != .topK {
            try container.encode(referenceEmpty, forKey: .emptyReference)
            try container.encode(currentEmpty, forKey: .emptyCurrent)
        }
        if let psi {
            try container.encode(psi.bins, forKey: .bins)
            try container.encode(psi.edges.first!, forKey: .referenceMin)
            try container.encode(psi.edges.last!, forKey: .referenceMax)
            try container.encode(psi.outsideRange, forKey: .outsideRange)
        }
        if let topK {
            try container.encode(topK.k, forKey: .k)
            try container.encode(topK.category, forKey: .category)
            try container.encode(topK.referenceShare, forKey: .referenceShare)
            try container.encode(topK.currentShare, forKey: .currentShare)
        }
    }
}
