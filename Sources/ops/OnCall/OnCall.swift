public import ArgumentParser
import OpsKit

extension Ops {
    struct OnCall: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "oncall",
            abstract: "Who is on call, the shifts ahead, and overrides (oncall.yaml).",
            discussion: """
                Rotations and overrides are in oncall.yaml at the repository root; ops lint
                checks it. Times are shown in each rotation's zone.

                  ops oncall who                      every rotation, now
                  ops oncall who sre --at 2026-11-20T22:00:00Z
                  ops oncall schedule sre --weeks 8
                  ops oncall schedule --format ics > oncall.ics
                  ops oncall override sre dave --from 2026-11-20T18:00 --until 2026-11-21T09:00
                """,
            subcommands: [Who.self, Schedule.self, Override.self]
        )
    }
}

extension OnCallRendering.Format: ExpressibleByArgument {}
