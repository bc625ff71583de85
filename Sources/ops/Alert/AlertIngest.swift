import ArgumentParser
import OpsKit

extension Ops.Alert {
    struct Ingest: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            abstract: "Read an Alertmanager webhook payload: firing alerts open incidents.",
            discussion: """
                One incident per alert fingerprint while it is unresolved; delivering the
                same payload again changes nothing. A resolved alert is recorded in the
                timeline; people resolve the incident. Prints the IDs of incidents opened.
                  ops alert ingest payload.json
                  curl -s ... | ops alert ingest -
                """
        )

        @Argument(help: "The payload file, or - for standard input.")
        var file: String

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let payload = try context.input(file)
            let intake = AlertIntake(try context.workspace())
            let summary = try intake.ingest(payload.data, source: payload.name, author: try context.author(writer))
            for id in summary.opened { context.output(id) }
            var parts: [String] = []
            if !summary.opened.isEmpty { parts.append("opened \(summary.opened.joined(separator: ", "))") }
            if !summary.updated.isEmpty { parts.append("updated \(summary.updated.joined(separator: ", "))") }
            if summary.unchanged > 0 { parts.append("\(summary.unchanged) already recorded") }
            context.note(
                parts.isEmpty ? "Nothing new." : parts.joined(separator: "; ").prefix(1).uppercased() + parts.joined(separator: "; ").dropFirst() + ".")
            for skipped in summary.skipped { context.note("Skipped: \(skipped).") }
            context.reportAnnounced(intake.announce(summary))
        }
    }
}
