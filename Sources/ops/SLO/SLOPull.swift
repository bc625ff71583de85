import ArgumentParser
import Foundation
import OpsKit

extension Ops.SLO {
    struct Pull: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "pull",
            abstract: "Pull good and total events from Prometheus, as one commit.",
            discussion: """
                Runs each indicator's good_query and total_query (slo/catalog.yaml, or
                the queries an OpenSLO import recorded) against the Prometheus server in
                OPS_PROMETHEUS_URL, with the bearer token in OPS_PROMETHEUS_TOKEN if
                set, and stores the answers as `ops slo import` does. Pulling the same
                data again changes nothing.
                  export OPS_PROMETHEUS_URL=http://prometheus:9090
                  ops slo pull                         (last week, every indicator)
                  ops slo pull --use-case ops_copilot --week 2026-W47
                  ops slo pull --from 2026-11-16 --until 2026-11-18 --step 1h
                Default window: the last complete ISO week, in UTC. Steps are whole
                (1h steps are whole UTC hours); a step not yet over is left out. The
                value Prometheus gives at time t counts the step that ends at t, as
                increase(x[1h]) does, so write each query for the step you pull.
                Any error (no server, a bad query, no data) writes nothing.
                """
        )

        @Option(help: "Pull only this use case's indicators.")
        var useCase: String?

        @Option(help: "Pull only this indicator (e.g. availability).")
        var sli: String?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("Start of the window (2026-11-16, 2026-11-16T08:00:00Z, -2d).", valueName: "time"))
        var from: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("End of the window, with --from. Default: now.", valueName: "time"))
        var until: String?

        @Option(help: ArgumentHelp("An ISO week in UTC (2026-W47). Default: the last complete week.", valueName: "week"))
        var week: String?

        @Option(help: ArgumentHelp("The length of each step (1h, 5m, 30s).", valueName: "duration"))
        var step = "1h"

        @Option(help: ArgumentHelp("Seconds Prometheus may take for each query.", valueName: "seconds"))
        var timeout: Int = 60

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if week != nil && (from != nil || until != nil) {
                throw ValidationError("use either --week or --from/--until")
            }
            if until != nil && from == nil {
                throw ValidationError("--until needs --from, e.g. --from 2026-11-16 --until 2026-11-18")
            }
            if let week, ISOWeek(week) == nil {
                throw ValidationError("--week '\(week)' is not an ISO week. Write it like 2026-W47")
            }
            guard (1...3600).contains(timeout) else {
                throw ValidationError("--timeout is seconds from 1 to 3600, e.g. --timeout 60")
            }
        }

        func run(_ context: OpsContext) throws {
            let server = try PrometheusServer(environment: context.environment)
            let request = SLOPull.Request(
                useCase: useCase, sli: sli, from: try context.time(from, option: "--from", allowFuture: true),
                until: try context.time(until, option: "--until", allowFuture: true),
                week: week.flatMap(ISOWeek.init), step: step, timeout: TimeInterval(timeout))
            let outcome = try SLOPull(try context.workspace()).pull(request, from: server, author: context.author(writer))
            context.note("Pulled \(outcome.window.description) from \(outcome.server).")
            context.report(
                outcome.summary, done: "Stored", already: "Already stored", nothing: "Every snapshot holds this data already: nothing to commit.")
        }
    }
}
