import ArgumentParser
import OpsKit

extension Ops {
    struct Postmortem: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "postmortem",
            abstract: "Write postmortems, move them through review, and see which are missing or overdue.",
            discussion: """
                  ops postmortem new 7f3a                prefilled from the incident
                  ops postmortem status 7f3a "In review"
                  ops postmortem list --overdue
                """,
            subcommands: [New.self, Status.self, List.self, Lint.self]
        )
    }
}

extension Ops.Postmortem {
    struct New: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Write postmortem.md from templates/postmortem.md, prefilled from the incident.")

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let path = try PostmortemService(context.workspace()).create(id, author: try context.author(writer))
            context.output(path)
            context.note("Wrote \(path). Fill in the root cause and action items; `ops postmortem lint` checks them.")
        }
    }

    struct Status: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "Set a postmortem's status: Draft, In review, Reviewed, Closed.",
            discussion: """
                Reviewed and Closed say the postmortem is whole: they are refused while
                ops postmortem lint finds a problem in it (an empty root cause, an action
                item without owner or due date, a conflict left by a sync).
                """)

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String
        @Argument(help: "Draft, \"In review\", Reviewed or Closed.")
        var status: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let result = try PostmortemService(context.workspace()).setStatus(id, to: status, author: try context.author(writer))
            context.note(result.changed ? "Postmortem is now \(result.status)." : "Nothing to change: the postmortem is already \(result.status).")
        }
    }

    struct List: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Incidents that need a postmortem (per ops.yaml), with due dates and status.")

        @Flag(help: "Only those with no postmortem yet.")
        var missing = false
        @Flag(help: "Only those past their due date and not yet reviewed.")
        var overdue = false
        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let rows = try PostmortemService(context.workspace()).requirements(PostmortemFilter(missing: missing, overdue: overdue))
            context.output(try PostmortemRendering.list(rows, format: format.chosen), terminated: false)
        }
    }

    struct Lint: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check postmortems: root cause, action items with owner and due date, timeline.")

        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let report = try Linter.run(context.workspace(), folders: ["incidents"])
            try Ops.Lint.report(report.postmortems, context: context)
        }
    }
}
