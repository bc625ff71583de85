import ArgumentParser
import OpsKit

extension Ops {
    struct SLO: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "slo",
            abstract: "Import SLO snapshots and see how much error budget is left.",
            discussion: """
                Snapshots are committed under slo/snapshots/. slo/catalog.yaml says
                which use cases and indicators exist; policies/<use_case>.yaml says
                what to do as their error budgets burn.
                  ops slo import --csv events_2026-W47.csv
                  ops slo pull                  (from OPS_PROMETHEUS_URL)
                  ops slo status --use-case ops_copilot
                  ops slo rules --out slo.rules.yml   (Prometheus alerts)
                """,
            subcommands: [Import.self, Pull.self, Status.self, Rules.self]
        )
    }
}

extension OpsContext {
    /// What an import or a pull stored: the files on standard output, the rest as notes. `done`
    /// and `already` name what happened to each series (`Imported`, `Already imported`);
    /// `nothing` says why there is no commit.
    func report(_ summary: SLOImporter.Summary, done: String, already: String, nothing: String) {
        for warning in summary.warnings { note("warning: \(warning)") }
        guard let commit = summary.commit else {
            for line in summary.imported { note("\(already) \(line).") }
            note(nothing)
            return
        }
        for line in summary.imported { note("\(done) \(line).") }
        if let skipped = summary.skipped { note(skipped.prefix(1).uppercased() + skipped.dropFirst() + ".") }
        for path in summary.written + summary.records { output(path) }
        let count = summary.written.count + summary.records.count
        note("Committed \(count) file\(count == 1 ? "" : "s") (\(ShortName.commit(commit))).")
        reportAnnounced(summary.announced)
    }
}
