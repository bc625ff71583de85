import ArgumentParser

extension Ops {
    struct Checks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checks",
            abstract: "Drift and data-quality checks.",
            discussion: """
                Computes drift (PSI, KS test, top-k shift) and judges it against the
                seed's thresholds: PSI ≥ 0.2 alert, ≥ 0.3 page; KS p-value < 0.05 alert;
                top-k shift ≥ 0.10 review.
                  ops checks compare --test psi last_month.csv this_week.csv --column amount_usd
                """,
            subcommands: [Compare.self]
        )
    }
}
