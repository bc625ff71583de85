import ArgumentParser
import OpsKit

extension Ops {
    struct Incident: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "incident",
            abstract: "Open, update and list incidents.",
            discussion: """
                Each command is one commit. IDs can be shortened to the first 4 characters
                of their last part: INC-20261122-7F3AK2QX is also 7f3a.

                  ops incident open "Checkout p99 above 1.2s" --sev SEV2 --service checkout
                  ops incident ack 7f3a
                  ops incident note 7f3a "Rolled back model v42"
                  ops incident mitigate 7f3a --at 14:41
                  ops incident list --status open
                """,
            subcommands: [
                Open.self, Ack.self, Mitigate.self, Resolve.self, Close.self, Reopen.self, Note.self,
                Assign.self, Sev.self, Correct.self, Edit.self, List.self, Show.self,
            ]
        )
    }
}

extension Ops.Incident {
    /// `ack`, `mitigate`, `resolve` and `close` differ only in the status they move to.
    static func move(_ id: String, to status: IncidentStatus, options: ChangeOptions, writer: WriterOptions, context: OpsContext) throws {
        let outcome = try IncidentService(context.workspace()).change(
            id, .move(to: status), at: try context.time(options.at), force: options.force, author: try context.author(writer))
        context.report(outcome, status.rawValue)
    }
}
