import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Show: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one incident: its fields, durations so far and timeline.",
            discussion: """
                  ops incident show 7f3a
                  ops incident show 7f3a --json
                """
        )

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @OptionGroup var format: FormatOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let workspace = try context.workspace()
            let incident = try IncidentService(workspace).find(id)
            let runbook = try RunbookService(workspace).attached(to: incident)
            context.output(
                try IncidentRendering.show(
                    incident, format: format.chosen, config: workspace.config(), now: workspace.clock(),
                    runbook: runbook), terminated: false)
        }
    }
}
