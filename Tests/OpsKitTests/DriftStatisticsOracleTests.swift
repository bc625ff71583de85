import Foundation
import Testing

@testable import OpsKit

/// PSI and the KS test against numpy and scipy themselves: the test draws pairs of samples
/// from a fixed seed, writes them out, has python3 compute the seed's PSI formula and
/// `scipy.stats.ks_2samp`, and compares. CI needs `pip install numpy scipy`.
struct DriftStatisticsOracleTests {
    /// One pair of samples and what it exercises.
    struct Case {
        var name: String
        var reference: [Double]
        var current: [Double]
    }

    /// SplitMix64: the same samples on every machine and every run.
    struct Random {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// Uniform in [0, 1).
        mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

        /// Standard normal, by Box–Muller.
        mutating func normal() -> Double {
            let u = 1 - uniform(), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }

        mutating func normals(_ count: Int, mean: Double = 0, sd: Double = 1) -> [Double] {
            (0..<count).map { _ in mean + sd * normal() }
        }

        mutating func uniforms(_ count: Int, from low: Double, to high: Double) -> [Double] {
            (0..<count).map { _ in low + (high - low) * uniform() }
        }

        /// Integers from `low` to `high`, as numbers: many ties.
        mutating func integers(_ count: Int, from low: Int, to high: Int) -> [Double] {
            (0..<count).map { _ in Double(low + Int(next() % UInt64(high - low + 1))) }
        }
    }

    static func cases() -> [Case] {
        var random = Random(state: 20_261_206)
        var cases: [Case] = []
        func add(_ name: String, _ reference: [Double], _ current: [Double]) { cases.append(Case(name: name, reference: reference, current: current)) }
        // Small samples: the exact p-value, equal and unequal sizes.
        add("small equal, shifted", random.normals(20), random.normals(20, mean: 0.8))
        add("small unequal", random.normals(30), random.normals(45, mean: 0.3))
        add("small 12 against 50", random.normals(12, sd: 2), random.normals(50))
        add("small equal, same distribution", random.normals(50), random.normals(50))
        add("smallest sizes", random.normals(10), random.normals(11, mean: 1))
        add("exact, nearly the same", random.normals(40), random.normals(40, mean: 0.05))
        add("exact, medium unequal", random.normals(3_000), random.normals(2_000, mean: 0.05))
        add("exact, largest unequal", random.normals(5_000), random.normals(4_000, mean: 0.02))
        add("exact, heavy tails", random.normals(800).map { exp($0) }, random.normals(900, mean: 0.1).map { exp($0) })
        // D = 1/13 on two samples of 13: scipy's exact count comes out a hair over 1, so it
        // falls back to the asymptotic p-value (with round(6.5) = 6).
        add("exact count over 1, falls back", (0..<13).map(Double.init), (0..<12).map(Double.init) + [12.5])
        // Ties: integers from a small range.
        add("ties, small", random.integers(40, from: 0, to: 5), random.integers(37, from: 0, to: 5))
        add("ties, exact", random.integers(200, from: 0, to: 3), random.integers(300, from: 1, to: 3))
        add("ties, asymptotic", random.integers(11_000, from: 0, to: 9), random.integers(12_000, from: 0, to: 9))
        // Identical samples.
        let same = random.normals(100)
        add("identical, small", same, same)
        let sameLarge = random.normals(12_000)
        add("identical, large", sameLarge, sameLarge)
        // A current sample shifted outside the reference's range.
        add("shift partly outside the range", random.uniforms(500, from: 0, to: 1), random.uniforms(400, from: 0.5, to: 1.5))
        add("shift wholly outside the range", random.uniforms(300, from: 0, to: 1), random.uniforms(200, from: 5, to: 6))
        // A constant-ish reference: all but one value the same.
        add("constant-ish reference", [Double](repeating: 5.0, count: 99) + [5.1], random.integers(100, from: 0, to: 2).map { 5.0 + $0 * 0.05 })
        // Large samples: the asymptotic p-value, through each of scipy's methods.
        add("large, same distribution", random.normals(12_000), random.normals(11_000))
        add("large, small shift", random.normals(15_000), random.normals(10_500, mean: 0.05))
        add("large, big shift", random.normals(20_000), random.normals(20_000, mean: 1))
        let base = random.normals(12_000)
        var nearly = base
        for index in 0..<20 { nearly[index * 100] += 3 }
        add("large, nearly identical", base, nearly)
        add("large against 30", random.normals(10_001), random.normals(30, mean: 0.2))
        add("large against 100, same distribution", random.normals(10_200), random.normals(100))
        add("large against 100, shifted", random.normals(12_000), random.normals(100, mean: 0.3))
        add("large against 12, ties", random.integers(10_500, from: 0, to: 4), random.integers(12, from: 1, to: 4))
        return cases
    }

    @Test func psiAndKSMatchNumpyAndScipy() throws {
        guard (try? command(["python3", "-c", "import numpy, scipy"]))?.status == 0 else {
            Issue.record("python3 cannot import numpy and scipy, which this test checks PSI and KS against. Run: pip install numpy scipy")
            return
        }
        let cases = Self.cases()
        #expect(cases.count >= 20)
        let folder = try TempFolder()
        defer { folder.remove() }
        for (index, pair) in cases.enumerated() {
            try folder.write("\(index)-reference.txt", pair.reference.map { "\($0)" }.joined(separator: "\n") + "\n")
            try folder.write("\(index)-current.txt", pair.current.map { "\($0)" }.joined(separator: "\n") + "\n")
        }
        try folder.write("oracle.py", Self.oracle)
        let run = try command(["python3", folder.path + "/oracle.py", folder.path, String(cases.count)])
        try #require(run.status == 0, "python3 failed: \(run.output)")
        let expected = run.output.split(separator: "\n").compactMap { line -> [String: Any]? in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
        try #require(expected.count == cases.count, "python3 printed: \(run.output)")
        var methods: Set<KSResult.Method> = []
        for (pair, oracle) in zip(cases, expected) {
            let psi = DriftStatistics.psi(reference: pair.reference, current: pair.current)
            let ks = DriftStatistics.ks(pair.reference, pair.current)
            methods.insert(ks.method)
            let psiExpected = oracle["psi"] as! Double
            let dExpected = oracle["d"] as! Double
            let pExpected = oracle["p"] as! Double
            #expect(abs(psi.psi - psiExpected) <= 1e-9, "\(pair.name): PSI \(psi.psi), numpy \(psiExpected)")
            #expect(abs(ks.statistic - dExpected) <= 1e-12, "\(pair.name): D \(ks.statistic), scipy \(dExpected)")
            #expect(abs(ks.pValue - pExpected) <= 1e-6 * abs(pExpected), "\(pair.name): p \(ks.pValue), scipy \(pExpected)")
            #expect(ks.method.rawValue == oracle["method"] as! String, "\(pair.name)")
            #expect(psi.outsideRange == oracle["outside"] as! Int, "\(pair.name)")
        }
        #expect(methods == [.exact, .asymptotic])
    }

    /// The seed's PSI, word for word, and scipy's ks_2samp with its defaults; one JSON line per pair.
    static let oracle = """
        import json, sys, warnings
        import numpy as np
        from scipy.stats import ks_2samp

        def psi(ref, cur, bins=10):
            edges = np.linspace(np.min(ref), np.max(ref), bins + 1)
            e = np.histogram(ref, edges)[0] / len(ref)
            a = np.histogram(cur, edges)[0] / len(cur)
            e = np.clip(e, 1e-6, None); a = np.clip(a, 1e-6, None)
            return float(np.sum((a - e) * np.log(a / e))), int(len(cur) - np.histogram(cur, edges)[0].sum())

        folder, count = sys.argv[1], int(sys.argv[2])
        for i in range(count):
            ref = np.loadtxt(f"{folder}/{i}-reference.txt", ndmin=1)
            cur = np.loadtxt(f"{folder}/{i}-current.txt", ndmin=1)
            value, outside = psi(ref, cur)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = ks_2samp(ref, cur)
            # scipy says when its exact count failed and it fell back to the asymptotic p-value.
            fell_back = any("Exact calculation unsuccessful" in str(w.message) for w in caught)
            exact = max(len(ref), len(cur)) <= 10000 and not fell_back
            print(json.dumps({"psi": value, "outside": outside, "d": float(result.statistic), "p": float(result.pvalue),
                              "method": "exact" if exact else "asymptotic"}))

        """
}
