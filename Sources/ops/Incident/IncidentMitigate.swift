import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Mitigate: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "mitigate",
            abstract: "Mark an incident mitigated: impact has stopped.",
            discussion: """
                  ops incident mitigate 7f3a             now
                  ops incident mitigate 7f3a --at -10m   ten minutes ago
                """
        )

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            try Ops.Incident.move(id, to: .mitigated, options: change, writer: writer, context: context)
        }
    }
}
