import ArgumentParser
import OpsKit

extension Ops {
    struct RACI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "raci",
            abstract: "Who is Responsible, Accountable, Consulted and Informed, per workstream.",
            discussion: """
              ops raci show --format md
              ops raci who "Error budgets"
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
        static let configuration = CommandConfiguration(commandName: "who", abstract: "Who is R, A, C and I for one workstream.")
        @Argument(help: "The workstream, or the start of its name.")
        var workstream: String
        @OptionGroup var global: GlobalOptions
        func run(_ context: OpsContext) throws {
            let found = try RACIService(context.workspace()).matrix().workstream(workstream)
            let lines = [("Responsible", "R"), ("Accountable", "A"), ("Consulted", "C"), ("Informed", "I")].map { label, role in
                "\(label.padding(toLength: 12, withPad: " ", startingAt: 0)) \(found.names(role).joined(separator: ", "))"
            }
            context.output(([found.name] + lines).joined(separator: "\n"))
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
            context.note(changed ? "\(found.name): \(role.uppercased()) is now \(found.names(role.uppercased()).joined(separator: ", "))."
                                 : "Nothing to change.")
        }
    }
}
