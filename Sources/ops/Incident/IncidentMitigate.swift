import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Mitigate: OpsCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark an incident mitigated: impact has stopped.",
            discussion: """
            ops incident mitigate 7f3a            (now)
              ops incident mitigate 7f3a --at 14:41  (or correct the time later)
            """
        )

        @Argument(help: "The incident: its ID or the first 4+ characters of the ID's last part.")
        var id: String

        @OptionGroup var change: ChangeOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            try Ops.Incident.move(id, to: .mitigated, options: change, context: context)
        }
    }
}
