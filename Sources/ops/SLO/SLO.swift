import ArgumentParser

extension Ops {
    struct SLO: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "slo",
            abstract: "Import SLO snapshots and see how much error budget is left.",
            discussion: """
                Snapshots are committed under slo/snapshots/. slo/catalog.yaml says
                which use cases and indicators exist; policies/<use_case>.yaml says
                what to do as their error budgets burn.
                  ops slo import --csv events_2026-W47.csv
                  ops slo pull                  (from OPS_PROMETHEUS_URL)
                  ops slo status --use-case ops_copilot
                  ops slo rules --out slo.rules.yml   (Prometheus alerts)
                """,
            subcommands: [Import.self, Pull.self, Status.self, Rules.self]
        )
    }
}
