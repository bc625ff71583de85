import ArgumentParser
import OpsKit

extension Ops.Signals {
    struct Status: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "A week's breaches, each with its threshold and channel.",
            discussion: """
                Drift (PSI, KS p-value, top-k shift), data quality (ingest lag,
                completeness), safety (guardrail hits, groundedness and its drop from the
                week before) and cost (UCR = spend / requests, against its target and the
                week before). The worst reading of the week is judged; thresholds and
                targets come from slo/catalog.yaml, channels from ops.yaml.
                  ops signals status --week 2026-W47
                  ops signals status --use-case ops_copilot --format json   (schema: README)
                """
        )

        @Option(help: ArgumentHelp("The ISO week, as snapshots are filed (UTC): 2026-W47. Default: the latest imported.", valueName: "week"))
        var week: String?

        @Option(help: "Only this use case.")
        var useCase: String?

        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let report = try SignalsService(context.workspace()).status(week: week, useCase: useCase)
            context.output(try report.render(format.chosen), terminated: false)
        }
    }
}
