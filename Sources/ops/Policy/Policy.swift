import ArgumentParser

extension Ops {
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy",
            abstract: "See what an error-budget policy would have done.",
            discussion: """
                policies/<use_case>.yaml says what to do as an error budget burns.
                Replay one over the imported events before you change it:
                  ops policy replay --use-case ops_copilot
                  ops policy replay --policy proposed.yaml
                """,
            subcommands: [Replay.self]
        )
    }
}
