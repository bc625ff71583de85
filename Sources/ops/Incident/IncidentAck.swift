import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Ack: IncidentMoveCommand {
        static let configuration = CommandConfiguration(
            commandName: "ack",
            abstract: "Acknowledge an incident: someone is on it.",
            discussion: """
                Run it again with --at to correct the time:
                  ops incident ack 7f3a --at 14:03
                """
        )
        static let status = IncidentStatus.acknowledged

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }
}
