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
                Open.self, Ack.self, Mitigate.self, Resolve.self, Close.self, Reopen.self, Note.self, Update.self,
                Assign.self, Sev.self, Correct.self, Edit.self, List.self, Show.self,
            ]
        )
    }
}

/// A command that records one change on one incident, as one commit: it takes the incident,
/// `--at`, `--force` and `--as`.
protocol IncidentChangeCommand: OpsCommand {
    var id: String { get }
    var change: ChangeOptions { get }
    var writer: WriterOptions { get }
}

extension IncidentChangeCommand {
    func record(_ change: IncidentService.Change, _ context: OpsContext) throws -> IncidentService.Outcome {
        try IncidentService(context.workspace()).change(
            id, change, at: try context.time(self.change.at, option: "--at"), force: self.change.force, author: try context.author(writer))
    }
}

/// `ack`, `mitigate`, `resolve` and `close` differ only in the status they move the incident to.
protocol IncidentMoveCommand: IncidentChangeCommand {
    static var status: IncidentStatus { get }
}

extension IncidentMoveCommand {
    func run(_ context: OpsContext) throws {
        context.report(try record(.move(to: Self.status), context), Self.status.rawValue)
    }
}
