import ArgumentParser

extension Ops {
    struct Alert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take alerts from Alertmanager.",
            subcommands: [Ingest.self]
        )
    }
}
