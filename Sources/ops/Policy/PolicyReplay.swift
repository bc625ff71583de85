import ArgumentParser
import Foundation
import OpsKit

extension Ops.Policy {
    struct Replay: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Replay a budget policy over the imported events: crossings, freezes, hours frozen.",
            discussion: """
                At every step end the budget is judged as `ops slo status --at` would
                judge it then. A freeze starts when its threshold is reached and ends
                when consumption falls below it; gaps in the data count no events.
                Nothing is written. Review a policy change before you merge it:
                  ops policy replay --use-case ops_copilot
                  ops policy replay --policy proposed.yaml --since 2026-11-01
                  ops policy replay --format json   (schema: README, Error-budget policies)
                """
        )

        @Option(help: "Only this use case. Default: every use case with a policy.")
        var useCase: String?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("From this time: 2026-11-16, 2026-11-16T00:00:00Z, -7d. Default: the first imported step.", valueName: "time"))
        var since: String?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("To this time, same forms. Default: the end of the last imported step.", valueName: "time"))
        var until: String?

        @Option(help: ArgumentHelp("A proposed policy file to replay instead of the committed one.", valueName: "file"))
        var policy: String?

        @Option(help: ArgumentHelp("How often the budget is judged: 1h, 30m, 1d.", valueName: "duration"))
        var step = "1h"

        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let proposed = try policy.map { file in
                let input = try context.input(file)
                return (text: try UTF8Text.decode(input.data, path: input.name), path: input.name)
            }
            let request = PolicyReplayService.Request(
                useCase: useCase, since: try context.time(since, option: "--since", allowFuture: true),
                until: try context.time(until, option: "--until", allowFuture: true),
                step: step, proposed: proposed)
            context.output(try PolicyReplayService(workspace).replay(request).render(format.chosen), terminated: false)
        }
    }
}
