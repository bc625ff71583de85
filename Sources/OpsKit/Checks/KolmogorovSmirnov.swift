import Foundation

/// The p-value of the two-sided, two-sample Kolmogorov–Smirnov test, computed as
/// `scipy.stats.ks_2samp` (scipy 1.17) computes it with its defaults, so a check in ops and a
/// data scientist's notebook give the same number. Ported by reading scipy's
/// `stats/_stats_py.py` (`ks_2samp`, `_attempt_exact_2kssamp`, `_compute_prob_outside_square`),
/// `stats/_stats_pythran.py` (`_compute_outer_prob_inside_method`), `stats/_ksstats.py`
/// (`kstwo.sf`: Simard and L'Ecuyer's choice among Durbin's matrix, Pomeranz, Pelz–Good and
/// Smirnov's sum) and xsf's `cephes/kolmogorov.h` (`smirnov`).
enum KolmogorovSmirnov {
    /// scipy's `MAX_AUTO_N`: the exact p-value when both samples have at most this many values.
    static let exactLimit = 10_000

    /// `_attempt_exact_2kssamp` for the two-sided test: the statistic as the lattice sees it
    /// (h / lcm) and its p-value, or nil when the computation leaves [0, 1] (scipy then falls
    /// back to the asymptotic p-value).
    static func exact(_ n1: Int, _ n2: Int, statistic d: Double) -> (statistic: Double, pValue: Double)? {
        let g = gcd(n1, n2)
        let lcm = (n1 / g) * n2
        let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
        let lattice = Double(h) * 1.0 / Double(lcm)
        if h == 0 { return (lattice, 1.0) }
        let p = n1 == n2 ? probabilityOutsideSquare(n1, h) : probabilityOutsideInside(n1, n2, g, h)
        guard p >= 0, p <= 1 else { return nil }
        return (lattice, p)
    }

    /// The asymptotic p-value: `kstwo.sf(d, round(n1*n2/(n1+n2)))`.
    static func asymptotic(_ n1: Int, _ n2: Int, statistic d: Double) -> Double {
        let (m, n) = (Double(max(n1, n2)), Double(min(n1, n2)))
        let en = m * n / (m + n)
        return twoSidedSurvival(Int(en.rounded(.toNearestOrEven)), d)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    // MARK: Exact, by counting lattice paths (Hodges 1958)

    /// P(D ≥ h/n) for two samples of n each, as a Horner-like alternating sum.
    static func probabilityOutsideSquare(_ n: Int, _ h: Int) -> Double {
        var total = 0.0
        var k = Int((Double(n) / Double(h)).rounded(.down))
        while k >= 0 {
            var p1 = 1.0
            for j in 0..<h {
                p1 = Double(n - k * h - j) * p1 / Double(n + k * h + j + 1)
            }
            total = p1 * (1.0 - total)
            k -= 1
        }
        return 2 * total
    }

    /// The share of lattice paths from (0, 0) to (m, n) that leave the band |x/m − y/n| <
    /// h/lcm, counted inside the band column by column (Viehmann 2021's recursion for 1 − p).
    static func probabilityOutsideInside(_ first: Int, _ second: Int, _ g: Int, _ h: Int) -> Double {
        let (m, n) = first < second ? (second, first) : (first, second)
        let mg = m / g, ng = n / g
        var minj = 0
        var maxj = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var curlen = maxj - minj
        let lenA = min(2 * maxj + 2, n + 1)
        var a = [Double](repeating: 1, count: lenA)
        for index in minj..<min(maxj, lenA) { a[index] = 0 }
        for i in 1...m {
            let lastminj = minj, lastlen = curlen
            minj = min(max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0), n)
            maxj = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1.0 }
            var value = minj == 0 ? 0.0 : 1.0
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                value = (a[jj + minj - lastminj] * Double(i) + value * Double(j)) / Double(i + j)
                a[jj] = value
            }
            curlen = maxj - minj
            if lastlen > curlen {
                for index in (maxj - minj)..<min(maxj - minj + lastlen - curlen, lenA) { a[index] = 1 }
            }
        }
        return a[maxj - minj - 1]
    }

    // MARK: The distribution of D_n (kstwo)

    /// `kstwo.sf(x, n)`: P(D_n > x) for one sample of n, with scipy's support [1/(2n), 1].
    static func twoSidedSurvival(_ n: Int, _ x: Double) -> Double {
        guard n >= 1, !x.isNaN else { return .nan }
        if x <= 0.5 / Double(n) { return 1 }
        if x >= 1 { return 0 }
        return clipped(kolmogorovSurvival(n, x))
    }

    /// `_kolmogn(n, x, cdf=False)`: Simard and L'Ecuyer (2011)'s choice of method by n and n·x².
    private static func kolmogorovSurvival(_ n: Int, _ x: Double) -> Double {
        let nn = Double(n)
        let t = nn * x
        if t <= 1.0 {  // Ruben–Gambino: 1/(2n) ≤ x ≤ 1/n
            if t <= 0.5 { return 1 }
            let probability: Double
            if n <= 140 {
                probability = (1...n).reduce(1.0) { $0 * (Double($1) * (1.0 / nn) * (2 * t - 1)) }
            } else {
                probability = exp(logFactorialOverPower(nn) + nn * log(2 * t - 1))
            }
            return clipped(1.0 - probability)
        }
        if t >= nn - 1 { return clipped(2 * pow(1.0 - x, nn)) }  // Ruben–Gambino
        if x >= 0.5 { return clipped(2 * smirnov(n, x)) }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 { return clipped(1.0 - durbinMatrix(n, x)) }
            if nxSquared <= 4 { return clipped(1.0 - pomeranz(n, x)) }
            return clipped(2 * smirnov(n, x))
        }
        if nxSquared >= 370.0 { return 0 }
        if nxSquared >= 2.2 { return clipped(2 * smirnov(n, x)) }
        let cdf: Double
        if nxSquared >= 18.0 {
            cdf = 1.0
        } else if n <= 100_000, nn * pow(x, 1.5) <= 1.4 {
            cdf = durbinMatrix(n, x)
        } else {
            cdf = pelzGood(n, x)
        }
        return clipped(1.0 - cdf)
    }

    static func clipped(_ p: Double) -> Double { min(max(p, 0), 1) }

    /// log Γ(x) from the C library (Glibc also offers a variant that returns the sign).
    private static func logGamma(_ x: Double) -> Double {
        let value: Double = lgamma(x)
        return value
    }

    /// log(n! / n^n) by Stirling's series, as `_log_nfactorial_div_n_pow_n`.
    private static func logFactorialOverPower(_ n: Double) -> Double {
        let coefficients = [
            -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
            -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
        ]
        let rn = 1.0 / n
        let series = coefficients.dropFirst().reduce(coefficients[0]) { $0 * (rn / n) + $1 }
        return log(n) / 2 - n + log(2 * Double.pi) / 2 + rn * series
    }

    // Scaling for the methods below, which work with numbers past a Double's exponent range.
    private static let up = 0x1p128
    private static let down = 0x1p-128

    /// P(D_n ≤ d) by Durbin's matrix, as Marsaglia, Tsang and Wang (2003) compute it: the
    /// (k, k) entry of H^n. Powers of two are kept apart so nothing overflows.
    static func durbinMatrix(_ n: Int, _ d: Double) -> Double {
        if d >= 1.0 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1
        var v = (1...m).map { 1.0 - pow(h, Double($0)) }
        var w = [Double](repeating: 0, count: m)
        var factor = 1.0
        for j in 1...m {
            w[j - 1] = factor
            factor /= Double(j)
            v[j - 1] *= factor
        }
        let tt = pow(max(2 * h - 1.0, 0), Double(m)) - 2 * pow(h, Double(m))
        v[m - 1] = (1.0 + tt) * factor
        var matrix = SquareMatrix(size: m)
        for i in 1..<m {
            for row in (i - 1)..<m { matrix[row, i] = w[row - (i - 1)] }
        }
        for row in 0..<m { matrix[row, 0] = v[row] }
        for column in 0..<m { matrix[m - 1, column] = v[m - 1 - column] }

        var power = SquareMatrix.identity(size: m)
        var remaining = n
        var exponent = 0, matrixExponent = 0
        while remaining > 0 {
            if remaining % 2 == 1 {
                power = power * matrix
                exponent += matrixExponent
                // scipy keeps this product in long double; a Double needs its own scaling.
                if power.largestMagnitude > up {
                    power.scale(by: down)
                    exponent += 128
                }
            }
            matrix = matrix * matrix
            matrixExponent *= 2
            if abs(matrix[k - 1, k - 1]) > up {
                matrix.scale(by: down)
                matrixExponent += 128
            }
            remaining /= 2
        }
        var p = power[k - 1, k - 1]
        for i in 1...n {
            p = Double(i) * p / Double(n)
            if abs(p) < down {
                p *= up
                exponent -= 128
            }
        }
        if exponent != 0 { p = scalbn(p, exponent) }
        return clipped(p)
    }

    /// P(D_n ≤ x) by Pomeranz's recursion (1974): rows convolved with Poisson-like terms.
    static func pomeranz(_ n: Int, _ x: Double) -> Double {
        let nn = Double(n)
        let t = nn * x
        let ll = Int(t.rounded(.down))
        let f = 1.0 * (t - Double(ll))
        let g = min(f, 1.0 - f)
        let ceilf = f > 0 ? 1 : 0
        let roundf = f > 0.5 ? 1 : 0
        let powers = 2 * (ll + 1)
        var gPower = [Double](repeating: 1, count: powers)
        var twoGPower = gPower, oneMinusTwoGPower = gPower
        let gOverN = g / nn, twoGOverN = 2 * g / nn, oneMinusTwoGOverN = (1 - 2 * g) / nn
        for m in 1..<powers {
            gPower[m] = gPower[m - 1] * gOverN / Double(m)
            twoGPower[m] = twoGPower[m - 1] * twoGOverN / Double(m)
            oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * oneMinusTwoGOverN / Double(m)
        }
        func bounds(_ i: Int) -> (Int, Int) {
            var j1: Int, j2: Int
            if i == 0 {
                (j1, j2) = (-ll - ceilf - 1, ll + ceilf - 1)
            } else {
                let (half, odd) = (i + 1).quotientAndRemainder(dividingBy: 2)
                if odd == 0 {
                    if half == n + 1 {
                        (j1, j2) = (n - ll - ceilf - 1, n + ll + ceilf - 1)
                    } else {
                        (j1, j2) = (half - 1 - ll - roundf - 1, half + ll - 1 + ceilf - 1)
                    }
                } else {
                    (j1, j2) = (half - 1 - ll - 1, half + ll + roundf - 1)
                }
            }
            return (max(j1 + 2, 0), min(j2, n))
        }
        var v0 = [Double](repeating: 0, count: powers)
        var v1 = v0
        v1[0] = 1
        var v0Start = 0, v1Start = 0
        var exponent = 0
        var (j1, j2) = bounds(0)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&v0, &v1)
            swap(&v0Start, &v1Start)
            for index in v1.indices { v1[index] = 0 }
            (j1, j2) = bounds(i)
            let weights = (i == 1 || i == 2 * n + 1) ? gPower : (i % 2 == 1 ? twoGPower : oneMinusTwoGPower)
            let length = j2 - k1 + 1
            guard length > 0 else { continue }
            let from = k1 - v0Start
            let convolution = convolve(slice(v0, from, from + length), slice(weights, 0, length))
            let start = j1 - k1, count = j2 - j1 + 1
            for index in 0..<max(count, 0) where index < v1.count && start + index < convolution.count {
                v1[index] = convolution[start + index]
            }
            let largest = v1.max() ?? 0
            if largest > 0, largest < down {
                for index in v1.indices { v1[index] *= up }
                exponent -= 128
            }
            v1Start = v0Start + j1 - k1
        }
        var answer = v1[n - v1Start]
        for m in 1...n {
            if abs(answer) > up {
                answer *= down
                exponent += 128
            }
            answer *= Double(m)
        }
        if exponent != 0 { answer = scalbn(answer, exponent) }
        return clipped(answer)
    }

    /// `a[from..<to]` as numpy slices: clamped to the array.
    private static func slice(_ a: [Double], _ from: Int, _ to: Int) -> [Double] {
        let lower = min(max(from, 0), a.count), upper = min(max(to, lower), a.count)
        return Array(a[lower..<upper])
    }

    /// `np.convolve(a, b)`, full mode.
    private static func convolve(_ a: [Double], _ b: [Double]) -> [Double] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        var result = [Double](repeating: 0, count: a.count + b.count - 1)
        for (i, x) in a.enumerated() {
            for (j, y) in b.enumerated() { result[i + j] += x * y }
        }
        return result
    }

    /// P(D_n ≤ x) by Pelz and Good's (1976) approximation, for large n.
    static func pelzGood(_ n: Int, _ x: Double) -> Double {
        if x <= 0.0 { return 0 }
        if x >= 1.0 { return 1 }
        let nn = Double(n)
        let pi2 = Double.pi * Double.pi, pi4 = pow(Double.pi, 4), pi6 = pow(Double.pi, 6)
        let sqrt2pi = (2 * Double.pi).squareRoot()
        let z = nn.squareRoot() * x
        let z2 = pow(z, 2), z3 = pow(z, 3), z4 = pow(z, 4), z6 = pow(z, 6)
        let qlog = -pi2 / 8 / z2
        if qlog < -708 { return 0 }
        var q = exp(qlog)
        let k1a = -z2, k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4
        let k2b = (2 * z4 - 5 * z2) * pi2 / 4
        let k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64
        let k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4
        let k3a = -30 * z6 - 90 * pow(z, 8)
        var terms = [0.0, 0, 0, 0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        for k in stride(from: maxk, to: 0, by: -1) {
            let m = Double(2 * k - 1)
            let m2 = m * m, m4 = m2 * m2, m6 = m4 * m2
            let qPower = pow(q, Double(8 * k))
            let coefficients = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
            for index in 0..<4 { terms[index] = terms[index] * qPower + coefficients[index] }
        }
        let divisors = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
        for index in 0..<4 { terms[index] = terms[index] * q * sqrt2pi / divisors[index] }
        q = exp(-pi2 / 2 / z2)
        var k2extra = 0.0, k3extra = 0.0
        let sqrt3z = 3.0.squareRoot() * z
        for k in stride(from: maxk, to: 0, by: -1) {
            let k2 = Double(k * k)
            let qPower = pow(q, k2)
            let kpi = Double.pi * Double(k)
            k2extra += k2 * qPower
            k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qPower
        }
        terms[2] += k2extra * (pi2 * sqrt2pi / (-36 * z3))
        terms[3] += k3extra * (pi2 * sqrt2pi / (216 * z6))
        for index in 0..<4 { terms[index] /= pow(nn, Double(index) / 2.0) }
        return terms.reduce(0, +)
    }

    /// `smirnov(n, x)`: the one-sided P(D⁺_n ≥ x), by the Birnbaum–Tingey sum (xsf adds it in
    /// double-double; its terms are all positive, so here each is taken through logarithms and
    /// the sum keeps well inside the 1e-6 that matters for a p-value).
    static func smirnov(_ n: Int, _ x: Double) -> Double {
        guard n > 0, x >= 0, x <= 1 else { return .nan }
        if n == 1 { return 1 - x }
        if x == 0 { return 1 }
        if x == 1 { return 0 }
        let nn = Double(n)
        let nx = nn * x
        let nxFloor = Int(nx.rounded(.down))
        let alpha = nx - Double(nxFloor)
        if nxFloor == 0 || (nxFloor == 1 && alpha == 0) {
            return clipped(1 - x * pow(1 + x, nn - 1))
        }
        if -2 * nn * x * x < -7.08396418532264106224e2 { return 0 }  // cephes MINLOG
        if nxFloor >= n - 1 { return clipped(pow(1 - x, nn)) }
        if n > 1_000_000 {  // xsf's approximation for n past SMIRNOV_MAX_COMPUTE_N
            let logp = -pow(6.0 * nx + 1, 2) / 18.0 / nn
            return clipped(logp < -log(2.0) ? exp(logp) : 1 - (-expm1(logp)))
        }
        // A_v = C(n, v) (1 − x − v/n)^(n−v) (x + v/n)^(v−1), v = 0 … ⌊n(1 − x)⌋.
        // log C(n, v) from lgamma: a running sum of logs would drift by n·ε at large n.
        let logFactorialN = logGamma(nn + 1)
        var sum = 0.0
        for v in 0...(n - nxFloor - 1) {
            let logBinomial = logFactorialN - logGamma(Double(v) + 1) - logGamma(Double(n - v) + 1)
            let low = Double(n - v) / nn - x
            guard low > 0 else { continue }
            let high = Double(v) / nn + x
            sum += exp(logBinomial + Double(n - v) * log(low) + Double(v - 1) * log(high))
        }
        return clipped(x * sum)
    }
}

/// A small dense square matrix of Doubles, row-major: what Durbin's method multiplies.
struct SquareMatrix {
    let size: Int
    var values: [Double]

    init(size: Int) {
        self.size = size
        values = [Double](repeating: 0, count: size * size)
    }

    static func identity(size: Int) -> SquareMatrix {
        var matrix = SquareMatrix(size: size)
        for index in 0..<size { matrix[index, index] = 1 }
        return matrix
    }

    subscript(row: Int, column: Int) -> Double {
        get { values[row * size + column] }
        set { values[row * size + column] = newValue }
    }

    var largestMagnitude: Double { values.reduce(0) { max($0, abs($1)) } }

    mutating func scale(by factor: Double) {
        for index in values.indices { values[index] *= factor }
    }

    static func * (a: SquareMatrix, b: SquareMatrix) -> SquareMatrix {
        var result = SquareMatrix(size: a.size)
        let n = a.size
        a.values.withUnsafeBufferPointer { x in
            b.values.withUnsafeBufferPointer { y in
                result.values.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n {
                        for k in 0..<n {
                            let factor = x[i * n + k]
                            if factor == 0 { continue }
                            for j in 0..<n { out[i * n + j] += factor * y[k * n + j] }
                        }
                    }
                }
            }
        }
        return result
    }
}
