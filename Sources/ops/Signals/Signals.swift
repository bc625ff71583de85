import ArgumentParser

extension Ops {
    struct Signals: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "signals",
            abstract: "Drift, data quality, safety and cost signals against thresholds.",
            discussion: """
                Reads the signal snapshots `ops slo import --csv` committed, and judges them
                by slo/catalog.yaml; each breach names the ops.yaml channel it goes to.
                  ops signals status --week 2026-W47
                """,
            subcommands: [Status.self]
        )
    }
}
