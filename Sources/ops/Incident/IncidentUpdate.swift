import ArgumentParser
import Foundation
import OpsKit

extension Ops.Incident {
    struct Update: IncidentChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Post a stakeholder update: to the timeline and the incident's channel.",
            discussion: """
                  ops incident update 7f3a "Rolled back v42. Errors falling; next update 15:30"
                  ops incident update 7f3a -     (text from standard input)

                The channel is the one the incident was routed to (oncall.yaml). Use
                `ops incident note` for notes meant only for the responders.
                """
        )

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @Argument(help: "The update. - reads standard input.")
        var text: String

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let update = text == "-" ? try context.standardInput() : text
            context.report(try record(.update(update), context), "update posted")
        }
    }
}
