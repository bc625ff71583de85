import ArgumentParser
import Foundation
import OpsKit

extension Ops {
    struct History: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Who changed a document, what changed, and when: straight from Git.",
            discussion: """
                Field by field, for changes made with ops and by hand, following renames.
                  ops history k2qx                    a decision, by ID or name
                  ops history 7f3a --field status     an incident, one field
                  ops history raci.yaml
                """
        )

        @Argument(help: "An incident, decision or backlog ID (or its start, or name), or a path.")
        var document: String
        @Option(help: "Only changes to this field.")
        var field: String?
        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let entries = try HistoryService(workspace).history(of: document, field: field)
            context.output(try RecordsRendering.history(entries, format: format.chosen, zone: workspace.config().timeZone), terminated: false)
        }
    }

    struct Log: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "The activity feed of the repository, newest first.",
            discussion: """
                  ops log --since -7d
                  ops log --kind decision --author alice
                """
        )

        @Option(parsing: .unconditional, help: "Only changes since this time or date.")
        var since: String?
        @Option(help: ArgumentHelp("Only changes of this kind: \(HistoryService.kinds.joined(separator: ", ")).", valueName: "kind"))
        var kind: String?
        @Option(help: "Only changes by this person.")
        var author: String?
        @Option(help: "At most this many.")
        var limit = 50
        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let entries = try HistoryService(workspace).log(
                since: try context.time(since, option: "--since", allowFuture: true), kind: kind?.lowercased(),
                author: author, limit: limit)
            context.output(try RecordsRendering.activity(entries, format: format.chosen, zone: workspace.config().timeZone), terminated: false)
        }
    }
}
