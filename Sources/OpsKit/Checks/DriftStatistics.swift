import Foundation

/// The drift statistics a check computes on a reference sample and a current one: PSI as the
/// seed's numpy code computes it, the two-sample KS test as `scipy.stats.ks_2samp` does, and the
/// top-k shift of a categorical feature. Pure: numbers in, numbers out.
public enum DriftStatistics {
    /// Values each side needs before a test is judged (see `tooFew`).
    public static let minimumRows = 10

    // MARK: PSI

    /// PSI exactly as the seed's Python computes it:
    ///
    ///     edges = np.linspace(np.min(ref), np.max(ref), bins + 1)
    ///     e = np.histogram(ref, edges)[0] / len(ref)
    ///     a = np.histogram(cur, edges)[0] / len(cur)
    ///     e = np.clip(e, 1e-6, None); a = np.clip(a, 1e-6, None)
    ///     psi = np.sum((a - e) * np.log(a / e))
    ///
    /// Bins are [a, b) but the last, which is [a, b]. Current values outside the reference's
    /// range fall in no bin yet still count in len(cur): a shift outside the range shows as
    /// share missing from the bins, not as a bin of its own. Both samples must be non-empty.
    public static func psi(reference: [Double], current: [Double], bins: Int = 10) -> PSIResult {
        precondition(!reference.isEmpty && !current.isEmpty && bins >= 1, "psi needs values on both sides and at least one bin")
        let low = reference.min()!, high = reference.max()!
        let edges = linspace(low, high, count: bins + 1)
        let referenceCounts = histogram(reference, edges: edges)
        let currentCounts = histogram(current, edges: edges)
        let expected = referenceCounts.map { Double($0) / Double(reference.count) }
        let actual = currentCounts.map { Double($0) / Double(current.count) }
        let terms = zip(expected, actual).map { e, a -> Double in
            let e = max(e, 1e-6), a = max(a, 1e-6)
            return (a - e) * log(a / e)
        }
        return PSIResult(
            psi: numpySum(terms), edges: edges, referenceShares: expected, currentShares: actual,
            outsideRange: current.count - currentCounts.reduce(0, +), referenceCount: reference.count, currentCount: current.count)
    }

    /// `np.linspace(start, stop, count)`: `start + i·step`, the last element set to `stop`;
    /// when the step is zero (or denormal), `start + (i / div)·delta`.
    static func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
        let div = Double(count - 1)
        let delta = stop - start
        let step = delta / div
        var edges = (0..<count).map { index -> Double in
            let scaled = step == 0 ? (Double(index) / div) * delta : Double(index) * step
            return scaled + start
        }
        edges[count - 1] = stop
        return edges
    }

    /// `np.histogram(values, edges)[0]` for explicit edges: numpy counts by searching the sorted
    /// values for each edge (left side, the last edge right side), so bin i holds
    /// edges[i] ≤ v < edges[i+1], the last bin edges[n-1] ≤ v ≤ edges[n].
    static func histogram(_ values: [Double], edges: [Double]) -> [Int] {
        let sorted = values.sorted()
        var cumulative = edges.dropLast().map { edge in countBelow(sorted, edge) }
        cumulative.append(countAtOrBelow(sorted, edges[edges.count - 1]))
        return (0..<(edges.count - 1)).map { cumulative[$0 + 1] - cumulative[$0] }
    }

    /// How many of `sorted` are below `value` (searchsorted, side left).
    static func countBelow(_ sorted: [Double], _ value: Double) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// How many of `sorted` are at most `value` (searchsorted, side right).
    static func countAtOrBelow(_ sorted: [Double], _ value: Double) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// `np.sum` of a float64 array: numpy's pairwise sum (eight running sums in blocks of up
    /// to 128), so the last bits agree too.
    static func numpySum(_ values: [Double]) -> Double {
        pairwiseSum(values[...])
    }

    private static func pairwiseSum(_ values: ArraySlice<Double>) -> Double {
        let n = values.count
        let base = values.startIndex
        if n < 8 {
            return values.reduce(-0.0, +)
        }
        if n <= 128 {
            var r = (0..<8).map { values[base + $0] }
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += values[base + i + j] }
                i += 8
            }
            var result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                result += values[base + i]
                i += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return pairwiseSum(values[base..<(base + half)]) + pairwiseSum(values[(base + half)...])
    }

    // MARK: Kolmogorov–Smirnov

    /// The two-sample, two-sided KS test as `scipy.stats.ks_2samp(reference, current)` gives
    /// it: D is the largest gap between the two empirical distribution functions (ties taken
    /// together); the p-value is exact when neither sample has more than 10,000 values, and
    /// otherwise `kstwo.sf(D, round(n·m/(n+m)))`. When the exact count fails, scipy falls back to
    /// the asymptotic value, and so does this. Both samples must be non-empty.
    public static func ks(_ reference: [Double], _ current: [Double]) -> KSResult {
        precondition(!reference.isEmpty && !current.isEmpty, "ks needs values on both sides")
        let first = reference.sorted(), second = current.sorted()
        let n1 = first.count, n2 = second.count
        var largest = -Double.infinity, smallest = Double.infinity
        for value in first + second {
            let gap = Double(countAtOrBelow(first, value)) / Double(n1) - Double(countAtOrBelow(second, value)) / Double(n2)
            largest = max(largest, gap)
            smallest = min(smallest, gap)
        }
        let below = min(max(-smallest, 0), 1)
        var statistic = below > largest ? below : largest
        if max(n1, n2) <= KolmogorovSmirnov.exactLimit, let exact = KolmogorovSmirnov.exact(n1, n2, statistic: statistic) {
            return KSResult(statistic: exact.statistic, pValue: exact.pValue, method: .exact, referenceCount: n1, currentCount: n2)
        }
        if max(n1, n2) <= KolmogorovSmirnov.exactLimit {
            // scipy keeps the lattice's D when the exact count fails.
            let lcm = (n1 / KolmogorovSmirnov.gcd(n1, n2)) * n2
            statistic = Double(Int((statistic * Double(lcm)).rounded(.toNearestOrEven))) / Double(lcm)
        }
        let p = KolmogorovSmirnov.clipped(KolmogorovSmirnov.asymptotic(n1, n2, statistic: statistic))
        return KSResult(statistic: statistic, pValue: p, method: .asymptotic, referenceCount: n1, currentCount: n2)
    }

    // MARK: Top-k shift

    /// The largest change of share among the reference's k most common categories (by count,
    /// ties by name). A share is a category's count over all the rows of its sample; a category
    /// the current sample lacks has share 0 there. Ties in the change go to the more common
    /// reference category. Both samples must be non-empty.
    public static func topK(reference: [String], current: [String], k: Int = 10) -> TopKResult {
        precondition(!reference.isEmpty && !current.isEmpty && k >= 1, "topK needs values on both sides and k of at least 1")
        let referenceCounts = Dictionary(reference.map { ($0, 1) }, uniquingKeysWith: +)
        let currentCounts = Dictionary(current.map { ($0, 1) }, uniquingKeysWith: +)
        let top = referenceCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(k)
        var best: (category: String, reference: Double, current: Double)?
        for (category, count) in top {
            let before = Double(count) / Double(reference.count)
            let after = Double(currentCounts[category] ?? 0) / Double(current.count)
            if best == nil || abs(after - before) > abs(best!.current - best!.reference) {
                best = (category, before, after)
            }
        }
        return TopKResult(
            shift: abs(best!.current - best!.reference), category: best!.category, referenceShare: best!.reference,
            currentShare: best!.current, k: k, categoriesCompared: top.count, referenceCount: reference.count, currentCount: current.count)
    }

    // MARK: Enough data to judge

    /// Why a test cannot be judged on these samples, or nil when it can: each side needs
    /// `minimumRows` values, and PSI needs a reference with at least two distinct values
    /// (its bins span the reference's range, and one value has none).
    public static func tooFew(_ test: DriftTest, referenceRows: Int, currentRows: Int, distinctReferenceValues: Int) -> String? {
        if referenceRows < minimumRows || currentRows < minimumRows {
            return "too few rows to judge: \(referenceRows) reference, \(currentRows) current; it needs \(minimumRows) each"
        }
        if test == .psi, distinctReferenceValues < 2 {
            return "too few distinct values to judge: the reference has one value only; PSI's bins span the reference's range, so it needs at least 2"
        }
        return nil
    }

    /// `tooFew` for a numeric feature (PSI, KS).
    public static func tooFew(_ test: DriftTest, reference: [Double], current: [Double]) -> String? {
        let distinct = reference.isEmpty ? 0 : (reference.min()! == reference.max()! ? 1 : 2)
        return tooFew(test, referenceRows: reference.count, currentRows: current.count, distinctReferenceValues: distinct)
    }

    /// `tooFew` for a categorical feature (top-k).
    public static func tooFew(reference: [String], current: [String]) -> String? {
        tooFew(.topK, referenceRows: reference.count, currentRows: current.count, distinctReferenceValues: Set(reference).count)
    }
}

/// The three drift tests, by the names a person types (`--test psi|ks|topk`).
public enum DriftTest: String, Sendable, CaseIterable, Codable {
    case psi, ks
    case topK = "topk"
}

/// PSI and what it was computed from, to explain the number.
public struct PSIResult: Sendable, Equatable {
    public var psi: Double
    /// The bins' edges, `bins + 1` of them, from the reference's minimum to its maximum.
    public var edges: [Double]
    /// Each bin's share of the reference and of the current sample, before clipping at 1e-6.
    public var referenceShares: [Double]
    public var currentShares: [Double]
    /// Current values below the reference's minimum or above its maximum: in no bin.
    public var outsideRange: Int
    public var referenceCount: Int
    public var currentCount: Int

    public var bins: Int { edges.count - 1 }
}

/// The KS statistic D, its p-value, and how the p-value was computed.
public struct KSResult: Sendable, Equatable {
    public enum Method: String, Sendable, Codable {
        /// Counted exactly over the lattice paths (samples of at most 10,000).
        case exact
        /// From the distribution of D for one sample of round(n·m/(n+m)).
        case asymptotic
    }

    public var statistic: Double
    public var pValue: Double
    public var method: Method
    public var referenceCount: Int
    public var currentCount: Int
}

/// The top-k shift: how far the most-moved of the reference's top categories moved.
public struct TopKResult: Sendable, Equatable {
    /// |current share − reference share| of `category`.
    public var shift: Double
    public var category: String
    public var referenceShare: Double
    public var currentShare: Double
    public var k: Int
    /// How many categories were compared: k, or fewer when the reference has fewer.
    public var categoriesCompared: Int
    public var referenceCount: Int
    public var currentCount: Int
}
