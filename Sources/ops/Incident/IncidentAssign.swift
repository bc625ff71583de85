import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Assign: IncidentChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "assign",
            abstract: "Give someone a role on an incident (commander, comms, scribe, ...).",
            discussion: """
                Roles and people come from ops.yaml.
                  ops incident assign 7f3a comms bob
                  ops incident assign 7f3a commander carol
                """
        )

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @Argument(help: "The role: commander, or one of roles in ops.yaml.")
        var role: String

        @Argument(help: "The person's handle from ops.yaml.", completion: Completions.people)
        var person: String

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let outcome = try record(.assign(role: role, person: person), context)
            context.report(outcome, "now has \(person) as \(role)")
        }
    }
}
