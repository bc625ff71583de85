import ArgumentParser

/// `ops`: incidents, runbooks and the weekly Ops Review, kept as files in a Git repository.
struct Ops: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Incidents, runbooks and the weekly Ops Review, kept in Git.",
        discussion: """
        Every change is one Git commit in your ops repository. Works offline.

        Start here:
          ops init                 set up an ops repository in this folder
          ops lint                 check every document, with file:line for each problem

        The repository is found like Git finds its own: -C DIR, then OPS_REPO, then the
        current folder and its parents. Exit codes: 0 ok, 1 a check said no, 2 bad input,
        3 repository or Git failure.
        """,
        version: version,
        subcommands: [Init.self, Incident.self, Alert.self, Runbook.self, Step.self, Postmortem.self, Stats.self, Lint.self]
    )
}
