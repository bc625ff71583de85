import Foundation

/// `ops checks compare`: one drift test on one column of two datasets, judged against the
/// seed's thresholds, with what was computed on which rows. One model feeds the table and the
/// JSON (schema: README, Drift checks by hand).
public struct DriftComparison: Sendable, Equatable {
    public var test: DriftTest
    public var column: String
    /// The files as named on the command line.
    public var reference: String
    public var current: String
    /// PSI, KS's D or the top-k shift; nil when there were too few rows.
    public var statistic: Double?
    /// KS only.
    public var pValue: Double?
    public var method: KSResult.Method?
    /// Values the test used: non-empty numbers for PSI and KS, every row for top-k.
    public var referenceCount: Int
    public var currentCount: Int
    /// Rows left out of PSI and KS because the column was empty there.
    public var referenceEmpty: Int
    public var currentEmpty: Int
    public var judgement: DriftJudgement
    /// Why the test was not judged, when there were too few rows.
    public var tooFewReason: String?
    public var psi: PSIResult?
    public var topK: TopKResult?

    /// Runs `test` on `column` (nil: the only column both files have) of the two tables.
    public static func compare(
        _ test: DriftTest, reference: DatasetTable, current: DatasetTable, column: String?,
        thresholds: DriftThresholds = .seed
    ) throws -> DriftComparison {
        let column = try chosenColumn(column, reference: reference, current: current)
        var result = DriftComparison(
            test: test, column: column, reference: reference.source, current: current.source, referenceCount: 0, currentCount: 0,
            referenceEmpty: 0, currentEmpty: 0, judgement: .tooFewRows)
        switch test {
        case .psi, .ks:
            let (before, emptyBefore) = try reference.numbers(column)
            let (after, emptyAfter) = try current.numbers(column)
            (result.referenceCount, result.currentCount) = (before.count, after.count)
            (result.referenceEmpty, result.currentEmpty) = (emptyBefore, emptyAfter)
            if let reason = DriftStatistics.tooFew(test, reference: before, current: after) {
                result.tooFewReason = reason
            } else if test == .psi {
                let psi = DriftStatistics.psi(reference: before, current: after)
                (result.psi, result.statistic) = (psi, psi.psi)
                result.judgement = thresholds.judge(psi: psi.psi)
            } else {
                let ks = DriftStatistics.ks(before, after)
                (result.statistic, result.pValue, result.method) = (ks.statistic, ks.pValue, ks.method)
                result.judgement = thresholds.judge(ksPValue: ks.pValue)
            }
        case .topK:
            let before = try reference.categories(column)
            let after = try current.categories(column)
            (result.referenceCount, result.currentCount) = (before.count, after.count)
            if let reason = DriftStatistics.tooFew(reference: before, current: after) {
                result.tooFewReason = reason
            } else {
                let topK = DriftStatistics.topK(reference: before, current: after)
                (result.topK, result.statistic) = (topK, topK.shift)
                result.judgement = thresholds.judge(topKShift: topK.shift)
            }
        }
        return result
    }

    /// The column named, or the only one when both files have just that one.
    private static func chosenColumn(_ column: String?, reference: DatasetTable, current: DatasetTable) throws -> String {
        guard let column else {
            guard reference.columns.count == 1 else {
                throw OpsError.input(
                    "\(reference.source) has \(reference.columns.count) columns (\(list(reference.columns))); name the one to compare with --column NAME")
            }
            let only = reference.columns[0]
            guard current.columns.contains(only) else {
                throw OpsError.input("\(current.source) has no column '\(only)' (the only column of \(reference.source)); it has \(list(current.columns))")
            }
            return only
        }
        for table in [reference, current] where !table.columns.contains(column) {
            throw OpsError.input("\(table.source) has no column '\(column)'; it has \(list(table.columns)). Check --column")
        }
        return column
    }

    private static func list(_ columns: [String]) -> String {
        columns.count <= 12 ? columns.joined(separator: ", ") : columns.prefix(12).joined(separator: ", ") + ", …"
    }
}
