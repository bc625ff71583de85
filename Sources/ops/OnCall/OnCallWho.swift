import ArgumentParser
import OpsKit

extension Ops.OnCall {
    struct Who: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "who",
            abstract: "Who is on call now (primary and secondary), since when and until when.",
            discussion: """
                One line per rotation and layer; an override says so in NOTE.
                  ops oncall who
                  ops oncall who sre --at "2026-11-21 03:00"
                """
        )

        @Argument(help: "Only this rotation (a name from oncall.yaml). Default: every rotation.")
        var rotation: String?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp(
                "At this time instead of now: 2026-11-21T03:00 (team time zone), 2026-11-21T02:00:00Z, 03:00, -2h.", valueName: "time"))
        var at: String?

        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let answers = try OnCallService(context.workspace()).who(rotation, at: at)
            context.output(try OnCallRendering.who(answers, format: format.chosen), terminated: false)
        }
    }
}
