import ArgumentParser
import Foundation
import OpsKit

extension Ops.Notify {
    struct Flush: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "flush",
            abstract: "Send every pending and failed message now, without waiting for its next retry.",
            discussion: """
                Prints what was sent, what failed and what still waits. Exit 0 even when some
                still wait: they stay in the outbox and are retried later. Exit 1 when a file in
                the outbox cannot be read: the problem line says which and what to do.
                  ops notify flush
                  ops notify flush --wait 120        keep trying for up to two minutes
                """
        )

        @Option(help: ArgumentHelp("Give up after this many seconds; what is left stays in the outbox.", valueName: "seconds"))
        var wait = 30

        @Option(help: "table or json.")
        var format: NotifyRendering.Format = .table

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard (0...86_400).contains(wait) else { throw ValidationError("--wait takes 0 to 86400 seconds") }
        }

        func run(_ context: OpsContext) throws {
            let report = NotifyService(try context.workspace()).flush(wait: TimeInterval(wait))
            context.output(try NotifyRendering.flush(report, format: format), terminated: false)
            if !report.problems.isEmpty { throw ExitCode(1) }
        }
    }
}
