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
                A full freeze lets a change through only on an approval signed with
                an approver's key (ops release approve).
                  ops release check --use-case ops_copilot
                  ops release approve ops_copilot --change security_fix    (the approver)
                  ops release check --use-case ops_copilot --change security_fix
                """,
            subcommands: [Check.self, Approve.self]
        )
    }
}
