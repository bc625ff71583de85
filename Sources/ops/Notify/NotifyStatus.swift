import ArgumentParser
import Foundation
import OpsKit

extension Ops.Notify {
    struct Status: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "List messages not sent yet: pending, held for a commit, or failed, with the last error.",
            discussion: """
                One line per message, oldest first, then the counts. NEXT TRY says when it is
                retried; a failed one waits for you to fix LAST ERROR and run ops notify flush.
                  ops notify status
                  ops notify status --format json
                """
        )

        @Option(help: "table or json.")
        var format: NotifyRendering.Format = .table

        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let status = NotifyService(workspace).status()
            context.output(try NotifyRendering.status(status, format: format, zone: try workspace.config().timeZone, now: Date()), terminated: false)
        }
    }
}
