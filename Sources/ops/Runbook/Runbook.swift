import ArgumentParser
import Foundation
import OpsKit

extension Ops {
    struct Runbook: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "runbook",
            abstract: "Playbooks, and their checklists attached to incidents.",
            discussion: """
                  ops runbook list
                  ops runbook attach 7f3a model-serving-degradation
                  ops step check 7f3a mitigation.2
                  ops runbook diff 7f3a          how the runbook changed since it was attached
                """,
            subcommands: [List.self, Show.self, New.self, Lint.self, Attach.self, Diff.self, Stats.self]
        )
    }
}

extension Ops.Runbook {
    struct List: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the runbooks.")

        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let runbooks = try RunbookService(context.workspace()).list()
            context.output(try RunbookRendering.list(runbooks, format: format.chosen), terminated: false)
        }
    }

    struct Show: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a runbook's phases, steps and checklist ids.")

        @Argument(help: "The runbook's name (its file name without .md).", completion: Completions.runbooks)
        var slug: String

        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            context.output(RunbookRendering.show(try RunbookService(context.workspace()).find(slug)), terminated: false)
        }
    }

    struct New: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Write a new runbook from templates/runbook.md, with the five phases to fill in.",
            discussion: "  ops runbook new cache-stampede --title \"Cache stampede\""
        )

        @Argument(help: "Its name: lower-case letters, digits and dashes.")
        var slug: String

        @Option(help: "Its title. Default: from the name.")
        var title: String?

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let path = try RunbookService(context.workspace()).create(slug, title: title, author: try context.author(writer))
            context.output(path)
            context.note("Wrote \(path). Fill in the steps, then run `ops runbook lint`.")
        }
    }

    struct Lint: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check the runbooks: front matter, the five phases, an action and a checklist per step.")

        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            try Ops.Lint.report(Linter.run(context.workspace(), folders: ["runbooks"]), context: context)
        }
    }

    struct Attach: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "attach",
            abstract: "Copy a runbook's checklist into an incident (runbook.md), with step ids.",
            discussion: "  ops runbook attach 7f3a model-serving-degradation"
        )

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @Argument(help: "The runbook's name.", completion: Completions.runbooks)
        var slug: String

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let attached = try RunbookService(context.workspace()).attach(id, runbook: slug, author: try context.author(writer))
            context.note("Attached \(attached.slug) (\(attached.items.count) steps). Next: ops step check \(id) \(attached.next?.id ?? "")")
        }
    }

    struct Diff: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Show how a runbook changed since it was attached to an incident.")

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let diff = try RunbookService(context.workspace()).diff(id)
            if diff.isEmpty { context.note("The runbook has not changed since it was attached.") } else { context.output(diff, terminated: false) }
        }
    }

    struct Stats: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Per runbook: times used, median completion, the steps most often skipped.")

        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let usage = try RunbookService(context.workspace()).usage()
            context.output(try RunbookRendering.usage(usage, format: format.chosen), terminated: false)
        }
    }
}
