import ArgumentParser
import OpsKit

extension Ops.Review {
    struct Record: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record the meeting's decisions and follow-ups, linked to the week.",
            discussion: """
                Each --decision becomes an accepted decision with `reviews: [WEEK]`; each
                --backlog a backlog item with `source: review:WEEK`. Prints their IDs.
                  ops review record --week 2026-W47 --decision "Freeze ops_copilot until Friday" --backlog "Add a canary stage" --owner bob --due +2w
                """
        )

        @Option(help: ArgumentHelp("The review's ISO week: 2026-W47.", valueName: "week"))
        var week: String

        @Option(name: .customLong("decision"), help: "A decision taken, in one line; repeat for more.")
        var decisions: [String] = []

        @Option(name: .customLong("backlog"), help: "A follow-up to do, in one line; repeat for more.")
        var backlog: [String] = []

        @Option(help: "Who owns them.")
        var owner: String?

        @Option(help: "When they are due: 2026-12-01, or +2w.")
        var due: String?

        @Option(name: .customLong("tag"), help: "A tag from ops.yaml backlog_tags (SLO, Safety, FinOps); repeat for more.")
        var tags: [String] = []

        @Option(help: "Backlog priority, P0 to P3.")
        var priority: String?

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let record = try ReviewService(context.workspace()).record(
                week: week, decisions: decisions, backlog: backlog, owner: owner, due: due, tags: tags, priority: priority,
                author: try context.author(writer))
            for decision in record.decisions {
                context.output(decision.id)
                context.note("Recorded \(decision.id): \(decision.title)")
            }
            for item in record.backlog {
                context.output(item.id)
                context.note("Added \(item.id): \(item.title)")
            }
        }
    }
}
