import ArgumentParser
import Foundation
import OpsKit

extension Ops.Incident {
    struct Note: IncidentChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "note",
            abstract: "Add a note to an incident's timeline.",
            discussion: """
                  ops incident note 7f3a "Rolled back model v42"
                  kubectl get pods | ops incident note 7f3a -     (text from standard input)
                  ops incident note 7f3a                          (opens $EDITOR)
                """
        )

        @Argument(help: .incidentID, completion: Completions.incidentIDs)
        var id: String

        @Argument(help: "The note. - reads standard input; leave it out to write it in $EDITOR.")
        var text: String?

        @OptionGroup var change: ChangeOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let note: String
            switch text {
            case "-":
                note = try context.standardInput()
            case let text?:
                note = text
            case nil:
                guard isatty(0) == 1 || context.environment["EDITOR"] != nil || context.environment["VISUAL"] != nil else {
                    throw OpsError.input("no note text. Pass it as an argument, or - to read standard input")
                }
                let written = try context.edit(
                    "\n# Write the note above. Lines starting with # are left out; an empty note is not saved.\n",
                    fileName: "NOTE.md")
                note = written.split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !$0.hasPrefix("#") }.joined(separator: "\n")
            }
            let outcome = try record(.note(note), context)
            context.report(outcome, "noted")
        }
    }
}
