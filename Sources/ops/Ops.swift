import ArgumentParser

/// `ops`: incidents, runbooks and the weekly Ops Review, kept as files in a Git repository.
struct Ops: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Incidents, runbooks and the weekly Ops Review, kept in Git.",
        discussion: """
            Every change is one Git commit in your ops repository. Works offline.

              ops init --example              set up an ops repository here
              ops incident open "TITLE" --sev SEV2 --service NAME
              ops incident ack 7f3a           IDs: the first 4+ characters of the last part
              ops oncall who                  who is on call now, primary and secondary
              ops runbook attach 7f3a SLUG    then: ops step check 7f3a mitigation.1
              ops postmortem new 7f3a
              ops stats --week 2026-W47       MTTA, MTTM, MTTR with their definitions
              ops checks run                  drift and data quality, from checks.yaml
              ops lint                        every problem as file:line
              ops sync                        fetch, merge and push the team's changes

            The repository is found like Git finds its own: -C DIR, then OPS_REPO,
            then the current folder and its parents. Exit codes: 0 ok, 1 a check
            said no, 2 bad input, 3 repository or Git failure.
            """,
        version: version,
        subcommands: [
            Init.self, Incident.self, Alert.self, OnCall.self, Import.self, Runbook.self, Step.self, Postmortem.self, Decision.self, Backlog.self,
            RACI.self, History.self, Log.self, SLO.self, Release.self, Policy.self, Signals.self, Review.self, Stats.self, Lint.self, Sync.self,
            Checks.self, Serve.self, Notify.self, Verify.self,
        ]
    )
}
