import ArgumentParser
import OpsKit

extension Ops.OnCall {
    struct Schedule: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "The shifts of the coming weeks, overrides applied; as a table, JSON or a calendar file.",
            discussion: """
                ics is an iCalendar file calendar apps import: one event per shift, the
                same event on every run, so importing it again updates instead of copying.
                  ops oncall schedule sre --weeks 8
                  ops oncall schedule --from 2026-12-21 --weeks 2
                  ops oncall schedule --format ics > oncall.ics
                """
        )

        @Argument(help: "Only this rotation (a name from oncall.yaml). Default: every rotation.")
        var rotation: String?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("Start of the window: 2026-12-21 (team time zone), 2026-12-21T09:00:00Z, -7d. Default: now.", valueName: "time"))
        var from: String?

        @Option(parsing: .unconditional, help: "How many weeks to show, 1 to 104.")
        var weeks = 4

        @Option(help: "table, json or ics (iCalendar).")
        var format: OnCallRendering.Format = .table

        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let listing = try OnCallService(context.workspace()).shifts(rotation, from: from, weeks: weeks)
            try context.outputListing(isEmpty: listing.slots.isEmpty, format: format == .table ? .table : .json, none: "No shifts in that window.") {
                try OnCallRendering.schedule(listing, format: format)
            }
        }
    }
}
