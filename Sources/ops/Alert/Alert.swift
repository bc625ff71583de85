import ArgumentParser

extension Ops {
    struct Alert: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "alert",
            abstract: "Take alerts from Alertmanager.",
            subcommands: [Ingest.self]
        )
    }
}
