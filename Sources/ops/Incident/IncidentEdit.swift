import ArgumentParser
import Foundation
import OpsKit

extension Ops.Incident {
    struct Edit: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Edit an incident's file in $EDITOR; it is checked before it is committed.",
            discussion: """
                  ops incident edit 7f3a
                """
        )

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @Flag(help: "Commit even though the clock points would be out of order.")
        var force = false

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let service = IncidentService(try context.workspace())
            let current = try service.text(of: id)
            let edited = try context.edit(current.text, fileName: "\(current.ref.id).md")
            let outcome = try service.saveEdit(current.ref.id, text: edited, force: force, author: try context.author(writer))
            context.report(outcome, "saved")
        }
    }
}
