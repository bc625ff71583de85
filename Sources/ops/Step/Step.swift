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
    struct Check: StepChangeCommand {
        static let configuration = CommandConfiguration(commandName: "check", abstract: "Mark a step done.")

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String
        @Argument(help: "The step id, like mitigation.2.")
        var step: String
        @Option(help: "A note for the timeline.")
        var note: String?
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        var change: RunbookService.StepChange { .check(note: note) }
    }

    struct Uncheck: StepChangeCommand {
        static let configuration = CommandConfiguration(commandName: "uncheck", abstract: "Mark a step not done (or no longer skipped).")

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String
        @Argument(help: "The step id, like mitigation.2.")
        var step: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        var change: RunbookService.StepChange { .uncheck }
    }

    struct Skip: StepChangeCommand {
        static let configuration = CommandConfiguration(commandName: "skip", abstract: "Skip a step that does not apply; counted apart, not as done.")

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String
        @Argument(help: "The step id, like mitigation.3.")
        var step: String
        @Option(help: "Why it does not apply.")
        var reason: String
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        var change: RunbookService.StepChange { .skip(reason: reason) }
    }
}

/// `check`, `uncheck` and `skip` differ only in the change they make to the step.
protocol StepChangeCommand: OpsCommand {
    var id: String { get }
    var step: String { get }
    var change: RunbookService.StepChange { get }
    var writer: WriterOptions { get }
}

extension StepChangeCommand {
    func run(_ context: OpsContext) throws {
        let result = try RunbookService(context.workspace()).step(id, step, change, author: try context.author(writer))
        if let unchanged = result.unchanged {
            context.note("Nothing to change: \(unchanged).")
        } else {
            let verb = result.item.skipped ? "skipped" : result.item.checked ? "done" : "not done"
            context.note("\(result.item.id) \(verb): \(result.item.text)")
        }
    }
}
