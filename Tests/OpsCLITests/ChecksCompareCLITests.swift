import Foundation
import Testing

/// `ops checks compare`: one drift test on two files, outside any ops repository.
@Suite struct ChecksCompareCLITests {
    /// A one-column CSV of `values`.
    static func csv(_ cli: CLI, _ name: String, column: String = "latency_ms", _ values: [Double]) throws -> String {
        let text = ([column] + values.map { "\($0)" }).joined(separator: "\n") + "\n"
        try text.write(toFile: cli.path(name), atomically: true, encoding: .utf8)
        return name
    }

    static func json(_ result: CLI.Result) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func psiOutsideTheReferenceRangePagesAndSaysWhatItComputed() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let reference = try Self.csv(cli, "ref.csv", (0..<200).map { Double($0 % 100) })
        let current = try Self.csv(cli, "cur.csv", (0..<150).map { Double($0 % 100) + 50 })
        let result = try cli.ops("checks", "compare", "--test", "psi", reference, current)
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "PSI of latency_ms: cur.csv (current) against ref.csv (reference)")
        #expect(lines[1].hasPrefix("PSI "))
        #expect(
            lines[1].hasSuffix(
                " over 10 bins of the reference's range 0.0 … 99.0 (200 reference rows, 150 current; 50 current values outside that range, in no bin)."))
        #expect(lines[2] == "Page: PSI ≥ 0.3.")

        let json = try Self.json(try cli.ops("checks", "compare", "--test", "psi", reference, current, "--format", "json"))
        #expect(json["test"] as? String == "psi")
        #expect(json["column"] as? String == "latency_ms")
        #expect(json["level"] as? String == "page")
        #expect(json["threshold"] as? Double == 0.3)
        #expect(json["n_reference"] as? Int == 200)
        #expect(json["n_current"] as? Int == 150)
        #expect(json["outside_range"] as? Int == 50)
        #expect(json["p_value"] is NSNull)
        #expect(json["method"] is NSNull)
        #expect((json["statistic"] as? Double ?? 0) > 0.3)
    }

    @Test func ksOnTheSameSampleIsOKWithItsExactPValue() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let values = (0..<40).map { Double($0) * 0.5 }
        let reference = try Self.csv(cli, "a.csv", values)
        let current = try Self.csv(cli, "b.csv", values.reversed())
        let table = try cli.ops("checks", "compare", "--test", "ks", reference, current)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("D 0.000, p-value 1 (exact, as scipy's ks_2samp) on 40 reference rows, 40 current."))
        #expect(table.stdout.contains("OK: no threshold reached (alert at p < 0.05)."))
        let json = try Self.json(try cli.ops("checks", "compare", "--test", "ks", reference, current, "--json"))
        #expect(json["p_value"] as? Double == 1)
        #expect(json["method"] as? String == "exact")
        #expect(json["level"] as? String == "ok")
        #expect(json["threshold"] as? Double == 0.05)
    }

    @Test func topKOnJSONLinesNamesTheCategoryThatMoved() throws {
        let cli = try CLI()
        defer { cli.remove() }
        func lines(_ counts: [(String, Int)]) -> String {
            counts.flatMap { category, count in Array(repeating: "{\"country\": \"\(category)\", \"amount\": 1}", count: count) }
                .joined(separator: "\n") + "\n"
        }
        try lines([("DE", 50), ("FR", 30), ("IT", 20)]).write(toFile: cli.path("ref.jsonl"), atomically: true, encoding: .utf8)
        try lines([("DE", 30), ("FR", 30), ("IT", 20), ("ES", 20)]).write(toFile: cli.path("cur.ndjson"), atomically: true, encoding: .utf8)
        let result = try cli.ops("checks", "compare", "--test", "topk", "ref.jsonl", "cur.ndjson", "--column", "country")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("Shift 0.200: 'DE' went from 50.0% of reference rows to 30.0% of current rows"))
        #expect(result.stdout.hasSuffix("Review: shift ≥ 0.1.\n"))
        let json = try Self.json(try cli.ops("checks", "compare", "--test", "topk", "ref.jsonl", "cur.ndjson", "--column", "country", "--json"))
        #expect(json["category"] as? String == "DE")
        #expect(json["level"] as? String == "review")
        #expect(json["k"] as? Int == 10)
    }

    @Test func tooFewRowsSaysSoAndExitsZero() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let reference = try Self.csv(cli, "ref.csv", [1, 2, 3, 4])
        let current = try Self.csv(cli, "cur.csv", (0..<30).map(Double.init))
        let result = try cli.ops("checks", "compare", "--test", "psi", reference, current)
        #expect(result.status == 0)
        #expect(result.stdout.contains("Too few rows to judge: 4 reference, 30 current; it needs 10 each. Not judged."))
        let json = try Self.json(try cli.ops("checks", "compare", "--test", "psi", reference, current, "--format", "json"))
        #expect(json["level"] as? String == "too_few_rows")
        #expect(json["statistic"] is NSNull)
        #expect(json["threshold"] is NSNull)
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let cli = try CLI()
        defer { cli.remove() }
        let good = try Self.csv(cli, "good.csv", (0..<20).map(Double.init))
        try "latency_ms\n1\n2\nslow\n".write(toFile: cli.path("bad.csv"), atomically: true, encoding: .utf8)
        try "".write(toFile: cli.path("empty.csv"), atomically: true, encoding: .utf8)
        try "latency_ms,region\n1,eu\n".write(toFile: cli.path("two.csv"), atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["--test", "ks", good, "bad.csv"], "ops: bad.csv:4: latency_ms is 'slow', not a number"),
            (["--test", "psi", good, "empty.csv"], "ops: empty.csv: the file is empty"),
            (["--test", "psi", good, good, "--column", "latency"], "ops: good.csv has no column 'latency'; it has latency_ms. Check --column"),
            (["--test", "psi", "two.csv", good], "ops: two.csv has 2 columns (latency_ms, region); name the one to compare with --column NAME"),
            (["--test", "psi", good, "missing.csv"], "ops: cannot read missing.csv: no such file"),
            (["--test", "chi2", good, good], "ops: "),
        ]
        for (arguments, start) in cases {
            let result = try cli.ops(["checks", "compare"] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix(start), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }
}
