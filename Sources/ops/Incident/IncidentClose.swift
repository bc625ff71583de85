import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Close: IncidentMoveCommand {
        static let configuration = CommandConfiguration(
            commandName: "close",
            abstract: "Close an incident: follow-up is done.",
            discussion: """
                Closing a severity that ops.yaml says needs a postmortem, before one is
                written, warns on standard error (it still closes).
                  ops incident close 7f3a
                """
        )
        static let status = IncidentStatus.closed

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }
}
