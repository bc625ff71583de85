import ArgumentParser
import Foundation
import OpsKit

extension Ops {
    struct Decision: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decision",
            abstract: "Record decisions: what was decided, why, by whom, and what it replaces.",
            discussion: """
                  ops decision new "Freeze non-critical releases for ops_copilot" --owner alice --tag SLO
                  ops decision accept k2qx
                  ops decision supersede k2qx --by m4tb
                  ops decision list --status accepted
                """,
            subcommands: [New.self, Accept.self, Reject.self, Deprecate.self, Supersede.self, List.self, Show.self]
        )
    }
}

extension Ops.Decision {
    struct New: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Write a new decision record (proposed unless --status says otherwise); prints its ID.",
            discussion: """
                The text comes from the flags, --decision - (standard input), or --edit ($EDITOR).
                  ops decision new "Canary every model rollout" --owner bob --tag SLO --edit
                """)

        @Argument(help: "The decision, as a one-line title.")
        var title: String
        @Option(help: "proposed (default), accepted, rejected or deprecated.")
        var status = "proposed"
        @Option(help: "Who follows it up.")
        var owner: String?
        @Option(help: "When it is due: 2026-12-01, or +2w.")
        var due: String?
        @Option(name: .customLong("tag"), help: "A tag from ops.yaml backlog_tags; repeat for more.")
        var tags: [String] = []
        @Option(name: .customLong("decider"), help: "Who decided; repeat for more. Default: you.")
        var deciders: [String] = []
        @Option(name: .customLong("incident"), help: "An incident it follows from; repeat for more.")
        var incidents: [String] = []
        @Option(name: .customLong("review"), help: "The Ops Review week it was taken in (2026-W47).")
        var reviews: [String] = []
        @Option(help: "The context: what forces a decision.")
        var context: String?
        @Option(name: .customLong("option"), help: "An option considered; repeat for more.")
        var options: [String] = []
        @Option(help: "What was decided. - reads it from standard input.")
        var decision: String?
        @Option(help: "What follows from it.")
        var consequences: String?
        @Flag(help: "Write the record in $EDITOR before it is saved.")
        var edit = false
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            var draft = DecisionService.Draft(title: title)
            draft.status = status
            draft.owner = owner
            draft.due = due
            draft.tags = tags
            draft.deciders = deciders
            draft.incidents = incidents
            draft.reviews = reviews
            draft.context = self.context ?? ""
            draft.options = options
            draft.decision = decision == "-" ? try context.standardInput() : decision ?? ""
            draft.consequences = consequences ?? ""
            let review: ((String) throws -> String)? = edit ? { try context.edit($0, fileName: "DECISION.md") } : nil
            let created = try DecisionService(context.workspace()).create(draft, author: try context.author(writer), review: review)
            context.output(created.id)
            context.note("Wrote \(created.path) (\(created.status)). Fill in the sections there, or accept it: ops decision accept \(created.id)")
        }
    }

    struct Accept: DecisionStatusCommand {
        static let configuration = CommandConfiguration(commandName: "accept", abstract: "Mark a decision accepted.")
        static let status = "accepted"
        @Argument(help: .decisionID)
        var id: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }

    struct Reject: DecisionStatusCommand {
        static let configuration = CommandConfiguration(commandName: "reject", abstract: "Mark a decision rejected.")
        static let status = "rejected"
        @Argument(help: .decisionID)
        var id: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }

    struct Deprecate: DecisionStatusCommand {
        static let configuration = CommandConfiguration(
            commandName: "deprecate", abstract: "Mark a decision deprecated: no longer followed, nothing replaces it.")
        static let status = "deprecated"
        @Argument(help: .decisionID)
        var id: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
    }

    struct Supersede: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "supersede",
            abstract: "Replace a decision with a newer, accepted one; both files change in one commit.",
            discussion: """
                The new decision must be accepted, so one stays in force. --accept accepts it
                in the same commit.
                  ops decision supersede k2qx --by m4tb
                  ops decision supersede k2qx --by m4tb --accept
                """)
        @Argument(help: "The decision being replaced.")
        var old: String
        @Option(help: "The decision that replaces it.")
        var by: String
        @Flag(help: "Accept the new decision in the same commit, if it is still proposed.")
        var accept = false
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions
        func run(_ context: OpsContext) throws {
            let result = try DecisionService(context.workspace()).supersede(old, by: by, accept: accept, author: try context.author(writer))
            context.note("\(result.old.id) is superseded by \(result.new.id) (\(result.new.status)).")
        }
    }

    struct List: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List decisions, newest first.")
        @Option(help: "Only this status.")
        var status: String?
        @Option(parsing: .unconditional, help: "Only decisions made on or after this date (2026-11-01, -30d).")
        var since: String?
        @Option(help: "Only decisions with this tag.")
        var tag: String?
        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let filter = DecisionFilter(status: status, tag: tag, since: try context.time(since, option: "--since", allowFuture: true))
            let (decisions, problems) = try DecisionService(context.workspace()).list(filter)
            context.noteSkipped(problems)
            try context.outputListing(isEmpty: decisions.isEmpty, format: format.chosen, none: "No decisions match.") {
                try RecordsRendering.decisions(decisions, format: format.chosen)
            }
        }
    }

    struct Show: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a decision, and the chain of decisions it belongs to.")
        @Argument(help: .decisionID)
        var id: String
        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions
        func run(_ context: OpsContext) throws {
            let shown = try DecisionService(context.workspace()).show(id)
            context.output(try RecordsRendering.decision(shown, format: format.chosen), terminated: false)
        }
    }
}

/// `accept`, `reject` and `deprecate` differ only in the status they set.
protocol DecisionStatusCommand: OpsCommand {
    static var status: String { get }
    var id: String { get }
    var writer: WriterOptions { get }
}

extension DecisionStatusCommand {
    func run(_ context: OpsContext) throws {
        let result = try DecisionService(context.workspace()).setStatus(id, to: Self.status, author: try context.author(writer))
        context.reportStatus(of: result.decision.id, Self.status, changed: result.changed)
    }
}
