import Foundation

/// Computes the checks of one dataset: the drift tests against its reference, freshness,
/// completeness and the contract rules, each with the rows it read and how it was judged.
enum CheckComputation {

    static func results(of context: CheckContext, reader: inout DatasetReader) throws -> [CheckResult] {
        let dataset = context.dataset
        let driftChecks = dataset.checks.filter(\.test.isDrift)
        var current: DatasetTable?
        var reference: DatasetTable?
        if !driftChecks.isEmpty {
            var columns: [String] = []
            for feature in driftChecks.compactMap(\.feature) where !columns.contains(feature) { columns.append(feature) }
            current = try reader.table(
                dataset.source, columns: columns, timeColumn: dataset.timeColumn, in: dataset.timeColumn == nil ? nil : context.span,
                line: dataset.line)
            reference = try reader.reference(of: dataset, columns: columns, week: context.week, line: dataset.line)
        }
        var results: [CheckResult] = []
        for check in dataset.checks {
            var result = CheckResult(
                useCase: context.useCase, dataset: dataset.name, test: check.test, subject: check.subject(in: dataset), value: nil,
                statistic: nil, computed: "", rows: "", examples: [], levels: check.levels, level: nil, note: nil)
            switch check.test {
            case .psi, .ks, .topk, .meanDrop:
                try drift(check, reference: reference!, current: current!, into: &result)
            case .freshness:
                try freshness(check, context, reader: &reader, into: &result)
            case .completeness:
                let rows = try reader.rowCount(
                    dataset.source, timeColumn: dataset.timeColumn, in: dataset.timeColumn == nil ? nil : context.span, line: dataset.line)
                // A week still going expects its share so far of a full week's rows.
                let week = context.week.interval(in: SnapshotLayout.utc).duration
                let share = dataset.timeColumn == nil ? 1 : min(1, context.span.duration / week)
                let expected = (Double(check.expectedRows!) * share).rounded()
                result.value = expected > 0 ? Double(rows) / expected : nil
                result.note = expected > 0 ? nil : "the week has just begun: no rows are expected yet"
                let perWeek = share < 1 ? " by now (\(SLONumber.count(Decimal(check.expectedRows!))) a week)" : ""
                result.computed = "\(SLONumber.count(Decimal(rows))) rows of \(SLONumber.count(Decimal(expected))) expected\(perWeek)"
                result.rows = "\(reader.describe(dataset.source))" + (dataset.timeColumn.map { ", \($0) in \(context.week)" } ?? "")
            case .notNull, .unique, .valid:
                let violations = try reader.violations(of: check.rule!, in: dataset.source, line: dataset.line)
                result.value = Double(violations.violating)
                result.computed =
                    "\(check.rule!.description): \(SLONumber.count(Decimal(violations.violating))) of \(SLONumber.count(Decimal(violations.rows))) rows break it"
                result.rows = "every row of \(reader.describe(dataset.source))"
                result.examples = violations.examples
            }
            if let value = result.value { result.level = CheckResult.level(of: value, levels: check.levels, test: check.test) }
            results.append(result)
        }
        return results
    }

    // MARK: Drift

    private static func drift(_ check: ChecksConfig.Check, reference: DatasetTable, current: DatasetTable, into result: inout CheckResult) throws {
        let feature = check.feature!
        if check.test == .topk {
            let before = try reference.categories(feature)
            let after = try current.categories(feature)
            result.rows = rowsText(before.count, reference, after.count, current, empty: 0)
            if let reason = DriftStatistics.tooFew(reference: before, current: after) {
                result.note = reason
                return
            }
            let shift = DriftStatistics.topK(reference: before, current: after, k: check.k)
            result.value = shift.shift
            result.computed =
                "largest change of share among the reference's top \(check.k): \(shift.category.isEmpty ? "(empty)" : shift.category) \(SLONumber.percent(shift.referenceShare, digits: 2)) → \(SLONumber.percent(shift.currentShare, digits: 2))"
            return
        }
        let before = try reference.numbers(feature), after = try current.numbers(feature)
        result.rows = rowsText(before.values.count, reference, after.values.count, current, empty: before.empty + after.empty)
        // A mean drop needs what KS needs: enough values on each side.
        if let reason = DriftStatistics.tooFew(check.test == .psi ? .psi : .ks, reference: before.values, current: after.values) {
            result.note = reason
            return
        }
        switch check.test {
        case .psi:
            let psi = DriftStatistics.psi(reference: before.values, current: after.values)
            result.value = psi.psi
            let outside = psi.outsideRange > 0 ? "; \(SLONumber.count(Decimal(psi.outsideRange))) current values fell outside it" : ""
            result.computed =
                "PSI over \(psi.bins) bins of the reference's range \(CheckResult.significant(psi.edges.first!)) … \(CheckResult.significant(psi.edges.last!))\(outside)"
        case .ks:
            let ks = DriftStatistics.ks(before.values, after.values)
            result.value = ks.pValue
            result.statistic = ks.statistic
            result.computed = "two-sample KS: D = \(CheckResult.significant(ks.statistic)), \(ks.method.rawValue) p-value"
        default:
            let was = mean(before.values), now = mean(after.values)
            result.value = was - now
            result.computed = "mean \(CheckResult.significant(was)) in the reference, \(CheckResult.significant(now)) now"
        }
    }

    private static func rowsText(_ before: Int, _ reference: DatasetTable, _ after: Int, _ current: DatasetTable, empty: Int) -> String {
        let skipped = empty > 0 ? "; \(SLONumber.count(Decimal(empty))) empty value\(empty == 1 ? "" : "s") left out" : ""
        let counts = (SLONumber.count(Decimal(before)), SLONumber.count(Decimal(after)))
        if reference.source == current.source { return "\(counts.0) reference and \(counts.1) current values of \(current.source)\(skipped)" }
        return "\(counts.0) reference values (\(reference.source)) and \(counts.1) current (\(current.source))\(skipped)"
    }

    private static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    // MARK: Freshness

    private static func freshness(_ check: ChecksConfig.Check, _ context: CheckContext, reader: inout DatasetReader, into result: inout CheckResult) throws {
        let dataset = context.dataset
        result.rows = reader.describe(dataset.source)
        guard context.isCurrentWeek else {
            result.note = "freshness is measured now, not for a past week"
            return
        }
        let fresh = try reader.freshness(dataset.source, column: check.column!, now: context.now, line: dataset.line)
        guard let latest = fresh.latest else {
            result.note = "\(check.column!) has no value in any row: nothing to measure"
            return
        }
        result.value = fresh.lagSeconds / 60
        result.computed = "now − max(\(check.column!)) = \(DurationFormat.short(fresh.lagSeconds)) (latest \(Timestamp.format(latest)))"
    }
}
