public import ArgumentParser
import Foundation
import OpsKit

extension Ops.SLO {
    struct Import: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import SLO data from Prometheus, CSV or OpenSLO, as one commit.",
            discussion: """
                Normalises the input into snapshot files under slo/snapshots/, with
                its provenance (file name, SHA-256, importer version, time), and
                commits them. Importing the same file again changes nothing. Budgets
                are summed from event counts, never averaged from ratios.
                  ops slo import --prometheus-good good.json \\
                      --prometheus-total total.json \\
                      --use-case ops_copilot --sli availability
                  ops slo import --csv events_2026-W47.csv   (counts or signals)
                  ops slo import --openslo ops_copilot.yaml  (catalog entries)
                Prints the files written; the summary goes to standard error.
                An import that shows an error-budget threshold crossed for the first
                time in its window tells the channels of the policy's notify: actions;
                one that shows a signal breach at page level tells the signal's channel
                (ops.yaml channels:). Each once: slo/announced/ records it in the same
                commit, so no later import and no other clone sends it again.
                """
        )

        @Option(help: ArgumentHelp("A Prometheus query_range response (JSON) of good events per step.", valueName: "file"))
        var prometheusGood: String?

        @Option(help: ArgumentHelp("A Prometheus query_range response (JSON) of total events per step.", valueName: "file"))
        var prometheusTotal: String?

        @Option(help: "The use case the Prometheus series are for (with --openslo: instead of spec.service).")
        var useCase: String?

        @Option(help: "The indicator the Prometheus series measure, as named in slo/catalog.yaml (e.g. availability).")
        var sli: String?

        @Option(help: ArgumentHelp("The query's step (1h, 5m). Default: the smallest gap between samples.", valueName: "duration"))
        var step: String?

        @Option(
            help: ArgumentHelp("Whether a sample's time is the start of its step (default) or its end, as increase(x[1h]) measures.", valueName: "start|end"))
        var sampleTime: SLOImporter.SampleTime = .start

        @Option(help: ArgumentHelp("A CSV of event counts per window, or of long-format signals.", valueName: "file"))
        var csv: String?

        @Option(help: ArgumentHelp("An OpenSLO v1 file; its SLO objectives become catalog entries.", valueName: "file"))
        var openslo: String?

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            let prometheus = prometheusGood != nil || prometheusTotal != nil
            guard [prometheus, csv != nil, openslo != nil].filter({ $0 }).count == 1 else {
                throw ValidationError("give one input: --prometheus-good and --prometheus-total, or --csv, or --openslo")
            }
            if prometheus {
                guard prometheusGood != nil, prometheusTotal != nil else {
                    throw ValidationError("a Prometheus import needs both --prometheus-good and --prometheus-total")
                }
                guard useCase != nil, sli != nil else {
                    throw ValidationError("a Prometheus import needs --use-case and --sli, e.g. --use-case ops_copilot --sli availability")
                }
            } else if step != nil || sampleTime != .start {
                throw ValidationError("--step and --sample-time apply to Prometheus imports only")
            }
            if csv != nil && (useCase != nil || sli != nil) {
                throw ValidationError("a CSV names the use case and SLI on each row; leave out --use-case and --sli")
            }
        }

        func run(_ context: OpsContext) throws {
            let importer = SLOImporter(try context.workspace())
            let folder = context.baseDirectory
            let summary: SLOImporter.Summary
            if let good = prometheusGood, let total = prometheusTotal, let useCase, let sli {
                summary = try importer.importPrometheus(
                    good: SourceInput.read(good, from: folder), total: SourceInput.read(total, from: folder),
                    useCase: useCase, sli: sli, step: step, sampleTime: sampleTime,
                    author: context.author(writer))
            } else if let csv {
                summary = try importer.importCSV(SourceInput.read(csv, from: folder), author: context.author(writer))
            } else {
                summary = try importer.importOpenSLO(
                    SourceInput.read(openslo!, from: folder), useCase: useCase, sli: sli,
                    author: context.author(writer))
            }
            context.report(
                summary, done: "Imported", already: "Already imported", nothing: "Every snapshot holds this input already: nothing to commit.")
        }
    }
}

extension SLOImporter.SampleTime: ExpressibleByArgument {}
