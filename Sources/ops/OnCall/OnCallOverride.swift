import ArgumentParser
import OpsKit

extension Ops.OnCall {
    struct Override: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "override",
            abstract: "Put someone else on call for a rotation for a while (one commit to oncall.yaml).",
            discussion: """
                Times without Z or an offset are in the rotation's zone. Refused, with
                nothing written, when it overlaps another override of the rotation.
                  ops oncall override sre dave --from 2026-11-20T18:00 --until 2026-11-21T09:00
                """
        )

        @Argument(help: "The rotation, as named in oncall.yaml.")
        var rotation: String

        @Argument(help: "Who takes over: a handle from ops.yaml.", completion: Completions.people)
        var person: String

        @Option(parsing: .unconditional, help: ArgumentHelp("Start: 2026-11-20T18:00 (rotation's zone), 18:00, 2026-11-20T17:00:00Z.", valueName: "time"))
        var from: String

        @Option(parsing: .unconditional, help: ArgumentHelp("End, after the start: 2026-11-21T09:00, or with Z or an offset.", valueName: "time"))
        var until: String

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let (override, rotation) = try OnCallService(context.workspace()).addOverride(
                self.rotation, person: person, from: from, until: until, author: context.author(writer))
            context.note("\(override.person) is on call for \(rotation.name) \(OnCallRendering.span(override, zone: rotation.zone)).")
        }
    }
}
