import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Sev: IncidentChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "sev",
            abstract: "Change an incident's severity (the change is in the timeline).",
            discussion: """
                  ops incident sev 7f3a SEV1
                """
        )

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @Argument(help: "The new severity: SEV1, P1, sev-1 ... as listed in ops.yaml.")
        var severity: String

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let outcome = try record(.severity(severity), context)
            context.report(outcome, "is now \(outcome.incident.severity)")
        }
    }
}
