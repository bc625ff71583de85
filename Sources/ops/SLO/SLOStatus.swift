import ArgumentParser
import Foundation
import OpsKit

extension Ops.SLO {
    struct Status: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Error budgets: consumed, left, burn rates and the actions due.",
            discussion: """
                Every SLI with a budget: event indicators, and threshold SLIs (a gauge
                with an objective and a window: each reading is an event, bad when it
                misses the target). Green under the policy's lowest burn threshold,
                yellow from there, red once the budget is spent; the word is printed
                with the colour. Burn rate = error ratio / (1 − objective); BURN ALERT
                when it passes the policy's alert_burn_rate (default 2) over 1h, 6h,
                1d or 3d. Per use case, the SLI with the most budget spent governs:
                its line says what ops release check answers now.
                  ops slo status
                  ops slo status --use-case ops_copilot --at 2026-11-23T00:00:00Z
                  ops slo status --format json   (schema: README, SLOs and error budgets)
                """
        )

        @Option(help: "Only this use case.")
        var useCase: String?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("As of this time: 2026-11-23T00:00:00Z, 2026-11-23 (team time zone), -1d. Default: now.", valueName: "time"))
        var at: String?

        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let moment = try context.time(at, option: "--at") ?? workspace.clock()
            let report = try SLOStatusService(workspace).status(useCase: useCase, at: moment)
            let colour = isatty(1) == 1 && (context.environment["NO_COLOR"] ?? "").isEmpty && context.environment["TERM"] != "dumb"
            context.output(try report.render(format.chosen, colour: colour), terminated: false)
        }
    }
}
