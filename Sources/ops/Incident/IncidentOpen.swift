import ArgumentParser
import OpsKit

extension Ops.Incident {
    struct Open: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "open",
            abstract: "Open an incident; prints its ID.",
            discussion: """
                Only the new ID goes to standard output, so scripts can capture it:
                  id=$(ops incident open "Checkout p99 above 1.2s" --sev SEV2 --service checkout)
                An incident still open on the same service with a near-identical title,
                opened within the hour, is named instead (nothing is written); --force
                opens another anyway.

                The first matching route in oncall.yaml says who is paged (the person on
                call now) and which channel is told; both are written into the incident.
                """
        )

        @Argument(help: "What is broken, in a few words.")
        var title: String

        @Option(name: .customLong("sev"), help: "Severity: SEV1, P1, sev-1 ... as listed in ops.yaml.")
        var severity: String

        @Option(help: "The affected service, from ops.yaml.", completion: Completions.services)
        var service: String

        @Option(help: "The use case, from ops.yaml. Default: the service's name when it is a use case.")
        var useCase: String?

        @Option(help: "Who leads the response. Default: you.", completion: Completions.people)
        var commander: String?

        @Option(parsing: .unconditional, help: "When impact began, if known (14:02, -30m, ISO 8601).")
        var startedAt: String?

        @Option(parsing: .unconditional, help: "When the first alert or signal fired, if known.")
        var detectedAt: String?

        @Option(name: .customLong("tag"), help: "A tag; repeat for more.")
        var tags: [String] = []

        @Option(
            help: "A runbook from runbooks/, by its file name without .md; its checklist is attached, as ops runbook attach does.",
            completion: Completions.runbooks)
        var runbook: String?

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            var request = IncidentService.OpenRequest(title: title, severity: severity, service: service)
            request.useCase = useCase
            request.commander = commander
            request.startedAt = try context.time(startedAt, option: "--started-at")
            request.detectedAt = try context.time(detectedAt, option: "--detected-at")
            request.openedAt = try context.time(change.at, option: "--at")
            request.tags = tags
            request.runbook = runbook
            let opened = try IncidentService(try context.workspace()).openAndAnnounce(request, author: try context.author(writer), force: change.force)
            let incident = opened.incident
            context.output(incident.id)
            context.note("Opened \(incident.id) (\(incident.severity) on \(incident.service ?? "-")).")
            if let rotation = incident.rotation {
                context.note(incident.oncall.map { "Paged \($0) (\(rotation))." } ?? "Nobody is on call for \(rotation) now.")
            }
            context.reportAnnounced(opened.announced)
            context.note("Next: ops incident ack \(ShortName.incident(incident.id))")
        }
    }
}
