public import ArgumentParser
import OpsKit

extension Ops {
    struct RACI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "raci",
            abstract: "Who is Responsible, Accountable, Consulted and Informed, per workstream.",
            discussion: """
                  ops raci show --format md
                  ops raci who "Error budgets"
                  ops raci who "SRE Lead"
                  ops raci set "Ops Review" --role A --to COO
                """,
            subcommands: [Show.self, Who.self, Set.self]
        )
    }
}

extension RecordsRendering.RACIFormat: ExpressibleByArgument {}

extension Ops.RACI {
    struct Show: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the RACI matrix.")
        @Option(help: "table, json, csv or md.")
        var format: RecordsRendering.RACIFormat = .table
        @OptionGroup var global: GlobalOptions
        func run(_ context: OpsContext) throws {
            let matrix = try RACIService(context.workspace()).matrix()
            context.output(try RecordsRendering.raci(matrix.workstreams, format: format), terminated: false)
        }
    }

    struct Who: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "who",
            abstract: "Who is behind a workstream's R, A, C and I, or behind a title, team or person.",
            discussion: """
                Names titles and teams with the people ops.yaml lists for them.
                  ops raci who "Ops Review"     R, A, C, I, each with its people
                  ops raci who "SRE Lead"       who holds the title, and where it is R, A, C or I
                  ops raci who bob              bob's letters, directly or through title and team
                """)
        @Argument(help: "A workstream (or the start of its name), or a title, team, group or person from ops.yaml.")
        var name: String
        @OptionGroup var global: GlobalOptions
        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let answer = try RACIWho.answer(name, matrix: RACIService(workspace).matrix(), config: workspace.config())
            context.output(answer.text, terminated: false)
        }
    }

    struct Set: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change who holds one role of a workstream.")
        @Argument(help: "The workstream, or the start of its name.")
        var workstream: String
        @Option(help: "R, A, C or I.")
        var role: String
        @Option(help: "A person, title, team or group from ops.yaml; repeat for R, C and I.")
        var to: [String] = []
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
        func run(_ context: OpsContext) throws {
            let (found, changed) = try RACIService(context.workspace()).set(workstream, role: role, to: to, author: try context.author(writer))
            context.note(
                changed
                    ? "\(found.name): \(role.uppercased()) is now \(found.names(role.uppercased()).joined(separator: ", "))."
                    : "Nothing to change.")
        }
    }
}
