import ArgumentParser

extension Ops {
    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            abstract: "The weekly Ops Review: build the pack, record what the meeting decided.",
            discussion: """
                The pack follows the review agenda: SLO posture, incidents, drift and data
                quality, cost, risks and decisions, backlog, RACI, and what to record.
                  ops review pack --week 2026-W47
                  ops review record --week 2026-W47 --decision "Canary every model rollout" --backlog "Add a canary stage"
                """,
            subcommands: [Pack.self, Record.self]
        )
    }
}
