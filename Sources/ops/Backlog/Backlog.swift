import ArgumentParser
import Foundation
import OpsKit

extension Ops {
    struct Backlog: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backlog",
            abstract: "Follow-up work with owners and due dates, including postmortem action items.",
            discussion: """
                  ops backlog add "Add a canary for model deploys" --tag SLO --priority P1 --owner alice --due +2w
                  ops backlog sync              postmortem action items become backlog items
                  ops backlog list --overdue
                  ops backlog done 9hd2
                """,
            subcommands: [Add.self, Start.self, Done.self, Drop.self, List.self, Sync.self]
        )
    }
}

extension Ops.Backlog {
    struct Add: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a backlog item; prints its ID.")
        @Argument(help: "What to do, in one line.")
        var title: String
        @Option(name: .customLong("tag"), help: "A tag from ops.yaml backlog_tags (SLO, Safety, FinOps); repeat for more.")
        var tags: [String] = []
        @Option(help: "P0 (now) to P3 (some day).")
        var priority: String?
        @Option(help: "Who does it.")
        var owner: String?
        @Option(help: "When it is due: 2026-12-01, or +2w.")
        var due: String?
        @Option(help: "Where it comes from: an incident, a decision (D-...), or a review week (2026-W47).")
        var from: String?
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            var draft = BacklogService.Draft(title: title)
            draft.tags = tags
            draft.priority = priority
            draft.owner = owner
            draft.due = due
            draft.from = from
            let item = try BacklogService(context.workspace()).add(draft, author: try context.author(writer))
            context.output(item.id)
            context.note("Added \(item.id): \(item.title)")
        }
    }

    struct Start: BacklogStatusCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Mark an item in progress.")
        static let status = "in progress"
        @Argument(help: .backlogItemID)
        var id: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }

    struct Done: BacklogStatusCommand {
        static let configuration = CommandConfiguration(commandName: "done", abstract: "Mark an item done.")
        static let status = "done"
        @Argument(help: .backlogItemID)
        var id: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }

    struct Drop: BacklogStatusCommand {
        static let configuration = CommandConfiguration(commandName: "drop", abstract: "Drop an item: it will not be done.")
        static let status = "dropped"
        @Argument(help: .backlogItemID)
        var id: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }

    struct List: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List backlog items by priority, then due date.")
        @Option(help: "Only items with this tag.")
        var tag: String?
        @Option(help: "Only items of this person.")
        var owner: String?
        @Option(help: "open, \"in progress\", done or dropped. Default: open and in progress.")
        var status: String?
        @Flag(help: "Only items past their due date (team time zone) and not done.")
        var overdue = false
        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let config = try workspace.config()
            let filter = BacklogFilter(status: status, tag: tag, owner: owner, overdue: overdue)
            let (items, problems) = try BacklogService(workspace).list(filter)
            context.noteSkipped(problems)
            try context.outputListing(isEmpty: items.isEmpty, format: format.chosen, none: "No backlog items match.") {
                try RecordsRendering.backlog(items, format: format.chosen, now: workspace.clock(), zone: config.timeZone)
            }
        }
    }

    struct Sync: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Turn postmortem action items into backlog items; ticking either one closes both.",
            discussion: """
                Each action item gets its backlog ID written at the end of its line, so running
                it again creates nothing new.
                """)
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let summary = try BacklogService(context.workspace()).sync(author: try context.author(writer))
            for id in summary.created { context.output(id) }
            context.note("\(summary.created.count) new, \(summary.closed.count) closed in the backlog, \(summary.ticked.count) ticked in postmortems.")
            for skipped in summary.skipped { context.note("Skipped \(skipped)") }
        }
    }
}

/// `start`, `done` and `drop` differ only in the status they set.
protocol BacklogStatusCommand: OpsCommand {
    static var status: String { get }
    var id: String { get }
    var writer: WriterOptions { get }
}

extension BacklogStatusCommand {
    func run(_ context: OpsContext) throws {
        let result = try BacklogService(context.workspace()).setStatus(id, to: Self.status, author: try context.author(writer))
        context.reportStatus(of: result.item.id, Self.status, changed: result.changed)
    }
}
