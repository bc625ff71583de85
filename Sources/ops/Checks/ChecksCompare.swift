public import ArgumentParser
import OpsKit

extension Ops.Checks {
    struct Compare: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Run one drift test on two files, without any configuration.",
            discussion: """
                REFERENCE is the baseline, CURRENT the file to judge against it: CSV with a
                header row (.csv) or JSON lines, one object per line (.jsonl, .ndjson).
                psi and ks read the column as numbers (empty values left out); topk reads
                it as categories. Prints what was computed on how many rows, the number,
                and the threshold it was judged against (the seed's).
                  ops checks compare --test psi baseline.csv today.csv --column latency_ms
                  ops checks compare --test ks ref.jsonl cur.jsonl --json   (schema: README)
                  ops checks compare --test topk ref.csv cur.csv --column country
                Exit 0: no threshold reached, or too few rows to judge (10 each side);
                1: a threshold reached (review, alert or page); 2: bad input.
                """
        )

        @Option(help: ArgumentHelp("The test to run.", valueName: "test"))
        var test: DriftTest

        @Argument(help: ArgumentHelp("The baseline file (.csv, .jsonl or .ndjson).", valueName: "reference"))
        var reference: String

        @Argument(help: ArgumentHelp("The file to compare with it.", valueName: "current"))
        var current: String

        @Option(help: ArgumentHelp("The column to compare. Default: the only column, when the files have one.", valueName: "name"))
        var column: String?

        @Option(help: "Output: table or json.")
        var format: ComparisonFormat = .table

        @Flag(help: "Same as --format json.")
        var json = false

        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let folder = context.baseDirectory
            let comparison = try DriftComparison.compare(
                test, reference: DatasetTable.load(reference, from: folder), current: DatasetTable.load(current, from: folder), column: column)
            context.output(try comparison.render(json ? .json : format.output), terminated: false)
            if comparison.judgement.level.isBreach { throw ExitCode(1) }
        }
    }
}

extension DriftTest: ExpressibleByArgument {}

/// `compare` prints one result, so it offers no CSV.
enum ComparisonFormat: String, CaseIterable, ExpressibleByArgument {
    case table, json

    var output: OutputFormat { self == .json ? .json : .table }
}
