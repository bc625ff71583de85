import ArgumentParser
import OpsKit

extension Ops.Checks {
    struct Run: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Compute every check in checks.yaml and commit the readings.",
            discussion: """
                For each dataset: PSI, KS and top-k shift against its reference, the
                drop of a mean, freshness, completeness and contract rules. Each check
                prints what it computed, on which rows, and the level it reached.
                The readings go to slo/snapshots/signals/ in one commit (none when
                nothing changed), so ops signals status and the weekly pack show them.
                A breach at page level opens an incident on the routed rotation, once
                while that incident is open.
                  ops checks run
                  ops checks run --use-case fraud_scoring --week 2026-W47
                Exit 1 when a check reached a level, 2 on bad input, 3 when a
                database cannot be reached.
                """
        )

        @Option(help: "Only this use case of checks.yaml.")
        var useCase: String?

        @Option(help: ArgumentHelp("The ISO week whose rows are checked (by each dataset's time_column): 2026-W47. Default: this week.", valueName: "week"))
        var week: String?

        @OptionGroup var format: FormatOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let run = try ChecksService(try context.workspace()).run(useCase: useCase, week: week, author: context.author(writer))
            context.output(try run.render(format.chosen), terminated: false)
            if let commit = run.commit {
                for path in run.written { context.note("Wrote \(path).") }
                context.note("Committed \(run.written.count) file\(run.written.count == 1 ? "" : "s") (\(ShortName.commit(commit))).")
            } else if run.results.contains(where: { $0.value != nil }) {
                context.note("Every reading is already recorded: nothing to commit.")
            }
            for id in run.incidents.opened { context.note("Opened \(ShortName.incident(id)) for a breach at page level.") }
            context.reportAnnounced(run.announced)
            if !run.breaches.isEmpty { throw ExitCode(1) }
        }
    }
}
