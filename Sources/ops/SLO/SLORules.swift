import ArgumentParser
import OpsKit

extension Ops.SLO {
    struct Rules: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules",
            abstract: "Prometheus recording rules and burn-rate alerts, made from slo/catalog.yaml.",
            discussion: """
                For each indicator with good_query and total_query: its error ratio over
                5m, 30m, 1h, 2h, 6h, 1d and 3d, and four alerts on how fast the error
                budget (1 − objective) burns. Both windows of an alert must burn:
                  ErrorBudgetBurn1h  page    14.4x over 1h and 5m
                  ErrorBudgetBurn6h  page    6x over 6h and 30m
                  ErrorBudgetBurn1d  ticket  3x over 1d and 2h
                  ErrorBudgetBurn3d  ticket  1x over 3d and 6h
                Labels use_case, sli, severity and service match oncall.yaml routes; the
                runbook annotation is the runbook whose triggers name the alert, else the
                first that lists the use case in its services. Each query's range ([1h])
                is set to each window: it needs one range, in rate, increase,
                sum_over_time or count_over_time. Same catalog, same file; nothing is
                committed.
                  ops slo rules > slo.rules.yml
                  ops slo rules --use-case ops_copilot --out /etc/prometheus/rules/slo.yml
                  promtool check rules slo.rules.yml
                """
        )

        @Option(help: "Only this use case's indicators.")
        var useCase: String?

        @Option(help: ArgumentHelp("Write the rules to this file (replaced whole) instead of printing them.", valueName: "file"))
        var out: String?

        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let service = SLORulesService(try context.workspace())
            let rules = try service.rules(useCase: useCase)
            for note in rules.notes { context.note("note: \(note)") }
            guard let out else { return context.output(rules.text, terminated: false) }
            try service.write(rules, to: Workspace.absolute(out, from: context.currentDirectory))
            context.note("Wrote rules for \(rules.indicators.joined(separator: ", ")) to \(out).")
        }
    }
}
