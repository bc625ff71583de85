import ArgumentParser
import OpsKit

extension Ops {
    struct Step: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "step",
            abstract: "Tick, untick or skip a step of an incident's runbook checklist.",
            discussion: """
                Step ids are phase.number, as `ops incident show` lists them.
                  ops step check 7f3a mitigation.2 --note "rolled back to v42"
                  ops step skip 7f3a mitigation.3 --reason "no fallback model"
                """,
            subcommands: [Check.self, Uncheck.self, Skip.self]
        )
    }
}

extension Ops.Step {
    static func change(_ id: String, _ step: String, _ change: RunbookService.StepChange, _ writer: WriterOptions, _ context: OpsContext) throws {
        let result = try RunbookService(context.workspace()).step(id, step, change, author: try context.author(writer))
        if let unchanged = result.unchanged {
            context.note("Nothing to change: \(unchanged).")
        } else {
            let verb = result.item.skipped ? "skipped" : result.item.checked ? "done" : "not done"
            context.note("\(result.item.id) \(verb): \(result.item.text)")
        }
    }

    struct Check: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "check", abstract: "Mark a step done.")

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String
        @Argument(help: "The step id, like mitigation.2.")
        var step: String
        @Option(help: "A note for the timeline.")
        var note: String?
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws { try Ops.Step.change(id, step, .check(note: note), writer, context) }
    }

    struct Uncheck: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "uncheck", abstract: "Mark a step not done (or no longer skipped).")

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String
        @Argument(help: "The step id, like mitigation.2.")
        var step: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws { try Ops.Step.change(id, step, .uncheck, writer, context) }
    }

    struct Skip: OpsCommand {
        static let configuration = CommandConfiguration(commandName: "skip", abstract: "Skip a step that does not apply; counted apart, not as done.")

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String
        @Argument(help: "The step id, like mitigation.3.")
        var step: String
        @Option(help: "Why it does not apply.")
        var reason: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws { try Ops.Step.change(id, step, .skip(reason: reason), writer, context) }
    }
}
