public import ArgumentParser
public import OpsKit

extension Ops.Incident {
    struct Correct: IncidentChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "correct",
            abstract: "Correct a clock point learned after the fact (started, detected, ...).",
            discussion: """
                The timeline keeps the old and the new time.
                  ops incident correct 7f3a detected --at 13:55
                  ops incident correct 7f3a started --at 2026-11-22T13:40:00Z
                """
        )

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @Argument(help: "started, detected, opened, acknowledged, mitigated, resolved or closed.")
        var point: ClockPoint

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let outcome = try record(.correct(point), context)
            let zone = try context.workspace().config().timeZone
            context.report(outcome, "now has \(point.key) \(outcome.incident.clock[point].map { LocalTime.formatWithZone($0, zone: zone) } ?? "unset")")
        }
    }
}

extension ClockPoint: ExpressibleByArgument {
    public init?(argument: String) {
        let name = argument.lowercased().hasSuffix("_at") ? String(argument.lowercased().dropLast(3)) : argument.lowercased()
        self.init(rawValue: name == "acked" || name == "ack" ? "acknowledged" : name)
    }
}
