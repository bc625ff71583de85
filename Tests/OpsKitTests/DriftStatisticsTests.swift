import Foundation
import Testing

@testable import OpsKit

/// Top-k, the minimum-data rule, the thresholds, PSI's bins at their edges, and reading
/// datasets from files. PSI and KS against numpy and scipy: DriftStatisticsOracleTests.
struct DriftStatisticsTests {
    static func repeated(_ counts: [(String, Int)]) -> [String] { counts.flatMap { Array(repeating: $0.0, count: $0.1) } }

    @Test func topKTakesTheLargestChangeOfShareAmongTheReferencesTopCategories() {
        let reference = Self.repeated([("card", 6), ("cash", 3), ("voucher", 1)])
        let current = Self.repeated([("card", 4), ("cash", 3), ("voucher", 1), ("crypto", 2)])
        let result = DriftStatistics.topK(reference: reference, current: current, k: 10)
        #expect(result.category == "card")
        #expect(result.referenceShare == 0.6)
        #expect(result.currentShare == 0.4)
        #expect(abs(result.shift - 0.2) < 1e-15)
        #expect(result.categoriesCompared == 3)
        // "crypto" is new, so not among the reference's top categories: it does not count.
        let onlyNew = DriftStatistics.topK(reference: reference, current: reference.map { $0 == "voucher" ? "crypto" : $0 })
        #expect(onlyNew.category == "voucher")
        #expect(onlyNew.currentShare == 0)
        #expect(abs(onlyNew.shift - 0.1) < 1e-15)
    }

    @Test func topKRanksByCountThenNameAndStopsAtK() {
        // b and a tie on count: a ranks first. With k = 2 the moved category c is left out.
        let reference = Self.repeated([("b", 4), ("a", 4), ("c", 2)])
        let current = Self.repeated([("b", 4), ("a", 4), ("c", 0), ("d", 2)])
        let top2 = DriftStatistics.topK(reference: reference, current: current, k: 2)
        #expect(top2.shift == 0)
        #expect(top2.categoriesCompared == 2)
        #expect(top2.category == "a")  // no change anywhere: the first of the top categories
        let top3 = DriftStatistics.topK(reference: reference, current: current, k: 3)
        #expect(top3.category == "c")
        #expect(top3.shift == 0.2)
    }

    @Test func topKTiesInTheChangeGoToTheMoreCommonReferenceCategory() {
        let reference = Self.repeated([("x", 5), ("y", 3), ("z", 2)])
        let current = Self.repeated([("x", 2), ("y", 3), ("z", 5)])
        let result = DriftStatistics.topK(reference: reference, current: current)
        #expect(result.category == "x")
        #expect(abs(result.shift - 0.3) < 1e-15)
    }

    @Test func tooFewRowsNeedsTenEachSideAndPSINeedsTwoDistinctReferenceValues() {
        let nine = (0..<9).map(Double.init)
        let ten = (0..<10).map(Double.init)
        #expect(
            DriftStatistics.tooFew(.ks, reference: nine, current: ten)
                == "too few rows to judge: 9 reference, 10 current; it needs 10 each")
        #expect(DriftStatistics.tooFew(.psi, reference: ten, current: nine)?.hasPrefix("too few rows to judge: 10 reference, 9 current") == true)
        #expect(DriftStatistics.tooFew(.ks, reference: ten, current: ten) == nil)
        let constant = [Double](repeating: 4.2, count: 50)
        #expect(DriftStatistics.tooFew(.psi, reference: constant, current: ten)?.contains("one value only") == true)
        #expect(DriftStatistics.tooFew(.ks, reference: constant, current: ten) == nil)
        #expect(DriftStatistics.tooFew(reference: Array(repeating: "a", count: 10), current: Array(repeating: "b", count: 10)) == nil)
        #expect(DriftStatistics.tooFew(reference: ["a"], current: Array(repeating: "b", count: 10)) != nil)
    }

    @Test func thresholdsAreTheSeeds() {
        let seed = DriftThresholds.seed
        #expect(seed.judge(psi: 0.3).level == .page)
        #expect(seed.judge(psi: 0.3).rule == "PSI ≥ 0.3")
        #expect(seed.judge(psi: 0.2999).level == .alert)
        #expect(seed.judge(psi: 0.2).level == .alert)
        #expect(seed.judge(psi: 0.1999).level == .ok)
        #expect(seed.judge(psi: 0.1999).threshold == 0.2)
        #expect(seed.judge(ksPValue: 0.0499).level == .alert)
        #expect(seed.judge(ksPValue: 0.05).level == .ok)
        #expect(seed.judge(topKShift: 0.10).level == .review)
        #expect(seed.judge(topKShift: 0.0999).level == .ok)
        #expect(DriftJudgement.Level.allCases.filter(\.isBreach) == [.review, .alert, .page])
    }

    @Test func psiBinsAreHalfOpenButTheLastAndValuesOutsideTheRangeFallOut() {
        let reference = (0...10).map(Double.init)  // edges 0, 1, ..., 10
        let current = [0, 0.999, 1, 9.5, 10, 10.0001, -0.5]
        let result = DriftStatistics.psi(reference: reference, current: current)
        #expect(result.edges == (0...10).map(Double.init))
        #expect(result.outsideRange == 2)
        let counts = result.currentShares.map { Int(($0 * 7).rounded()) }
        #expect(counts == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2])
        // The reference's maximum is in the last bin, with 9.
        #expect(result.referenceShares.last == 2.0 / 11)
    }

    @Test func linspaceIsNumpys() {
        // start + i*step, the last set to stop: 0.1 * 3 is 0.30000000000000004, as in numpy.
        #expect(DriftStatistics.linspace(0, 1, count: 11)[3] == 0.30000000000000004)
        #expect(DriftStatistics.linspace(0, 1, count: 11)[10] == 1)
        #expect(DriftStatistics.linspace(2, 2, count: 4) == [2, 2, 2, 2])
    }

    // MARK: Reading files

    @Test func csvRowsKeepTheirFileLinesAndANonNumberIsNamedByFileAndLine() throws {
        let text = "amount,note\n1.5,a\n\n2,\"two\nlines\"\nthree,c\n"
        let table = try DatasetTable.read(file: "pay.csv", data: Data(text.utf8))
        #expect(table.columns == ["amount", "note"])
        #expect(table.lines == [2, 4, 6])
        #expect(try table.texts("note") == ["a", "two\nlines", "c"])
        let error = #expect(throws: OpsError.self) { try table.numbers("amount") }
        #expect(error?.message.hasPrefix("pay.csv:6: amount is 'three', not a number") == true)
        #expect(error?.exitCode == 2)
    }

    @Test func jsonLinesTakeNumbersTextBooleansAndNullsAndKeysInOrderOfAppearance() throws {
        let text = "{\"a\": 1, \"b\": \"x\"}\n{\"b\": null, \"c\": true}\r\n\n{\"a\": 2.5e3}\n"
        let table = try DatasetTable.read(file: "d.jsonl", data: Data(text.utf8))
        #expect(table.columns == ["a", "b", "c"])
        #expect(table.lines == [1, 2, 4])
        #expect(try table.texts("a") == ["1", nil, "2.5e3"])
        #expect(try table.texts("c") == [nil, "true", nil])
        #expect(try table.numbers("a").values == [1, 2500])
        #expect(try table.numbers("a").empty == 1)
    }

    @Test(arguments: [
        ("d.jsonl", "{\"a\": 1}\n{\"a\": 2,}\n", "d.jsonl:2: not valid JSON"),
        ("d.jsonl", "{\"a\": 1}\n[1, 2]\n", "d.jsonl:2: this line is not a JSON object"),
        ("d.ndjson", "{\"a\": {\"b\": 1}}\n", "d.ndjson:1: 'a' is a nested object or list"),
        ("d.csv", "", "d.csv: the file is empty"),
        ("d.csv", "a,b\n", "d.csv: has a header but no rows"),
        ("d.csv", "a,b\n1,2,3\n", "d.csv:2: 3 fields, but the header has 2"),
        ("d.csv", "a,a\n1,2\n", "d.csv:1: the header names column 'a' twice"),
        ("d.jsonl", "\n  \n", "d.jsonl: the file is empty"),
        ("d.txt", "a\n1\n", "d.txt: ops reads a dataset from .csv, .jsonl or .ndjson files"),
        ("d.json", "{\"a\": 1}\n", "d.json: ops reads a dataset from .csv, .jsonl or .ndjson files. If it holds one JSON object per line, rename it to .jsonl"),
    ])
    func badFilesAreOneLineErrorsWithTheirPlace(file: String, text: String, start: String) throws {
        let error = #expect(throws: OpsError.self) { try DatasetTable.read(file: file, data: Data(text.utf8)) }
        #expect(error?.message.hasPrefix(start) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("\n") == false)
        #expect(error?.exitCode == 2)
    }

    @Test func compareNeedsAColumnBothFilesHave() throws {
        let two = DatasetTable(source: "r.csv", isFile: true, columns: ["a", "b"], rows: [["1", "2"]], lines: [2])
        let one = DatasetTable(source: "c.csv", isFile: true, columns: ["b"], rows: [["1"]], lines: [2])
        let noColumn = #expect(throws: OpsError.self) { try DriftComparison.compare(.ks, reference: two, current: one, column: nil) }
        #expect(noColumn?.message == "r.csv has 2 columns (a, b); name the one to compare with --column NAME")
        let missing = #expect(throws: OpsError.self) { try DriftComparison.compare(.ks, reference: two, current: one, column: "a") }
        #expect(missing?.message == "c.csv has no column 'a'; it has b. Check --column")
        let tooFew = try DriftComparison.compare(.ks, reference: two, current: one, column: "b")
        #expect(tooFew.judgement.level == .tooFewRows)
        #expect(tooFew.statistic == nil)
    }
}
