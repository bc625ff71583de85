import ArgumentParser

extension Ops {
    struct Checks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checks",
            abstract: "Drift and data-quality checks.",
            discussion: """
                checks.yaml says which datasets to check and how (ops init --example
                writes one; ops lint checks it). Drift: PSI ≥ 0.2 alert, ≥ 0.3 page;
                KS p-value < 0.05 alert; top-k shift ≥ 0.10 review, unless a check
                says otherwise.
                  ops checks run                  every check; readings committed
                  ops checks compare --test psi last_month.csv this_week.csv --column amount_usd
                """,
            subcommands: [Run.self, Compare.self]
        )
    }
}
