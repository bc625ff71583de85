import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Reopen: IncidentChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "reopen",
            abstract: "Reopen a resolved or closed incident: impact is back.",
            discussion: """
                Clears mitigated, resolved and closed times (the timeline keeps them);
                metrics then count to the final resolution.
                  ops incident reopen 7f3a
                """
        )

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let outcome = try record(.reopen, context)
            context.report(outcome, "reopened")
        }
    }
}
