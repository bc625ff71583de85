public import ArgumentParser
import OpsKit

extension Ops {
    struct Notify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notify",
            abstract: "Messages to Slack, Teams and webhooks that this clone has not sent yet.",
            discussion: """
                Every message waits in .git/ops/outbox/ until its channel takes it; it is
                retried with backoff, and sent by this clone only (ops sync never carries it).

                  ops notify status                  what waits, and why
                  ops notify flush                   send it now
                """,
            subcommands: [Status.self, Flush.self]
        )
    }
}

extension NotifyRendering.Format: ExpressibleByArgument {}
