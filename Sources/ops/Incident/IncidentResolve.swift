import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Resolve: IncidentMoveCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Mark an incident resolved: the cause is fixed.",
            discussion: """
                  ops incident resolve 7f3a
                  ops incident resolve 7f3a --at 14:41
                """
        )
        static let status = IncidentStatus.resolved

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }
}
