import ArgumentParser

extension Ops {
    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release",
            abstract: "May this release ship? The use case's error-budget policy decides.",
            discussion: """
                Every SLI of the use case is judged; the worst governs and is named.
                Exit 0 allowed (warnings on standard error), 1 frozen, 2 bad input;
                the reason is one line.
                  ops release check --use-case ops_copilot
                  ops release check --use-case ops_copilot --change security_fix \\
                    --approved-by "VP Platform"
                """,
            subcommands: [Check.self]
        )
    }
}
