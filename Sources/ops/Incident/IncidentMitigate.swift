import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Mitigate: IncidentMoveCommand {
        static let configuration = CommandConfiguration(
            commandName: "mitigate",
            abstract: "Mark an incident mitigated: impact has stopped.",
            discussion: """
                  ops incident mitigate 7f3a             now
                  ops incident mitigate 7f3a --at -10m   ten minutes ago
                """
        )
        static let status = IncidentStatus.mitigated

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }
}
