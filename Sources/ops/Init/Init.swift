import ArgumentParser
import OpsKit

extension Ops {
    struct Init: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Set up an ops repository (new, or an existing Git repository).",
            discussion: """
                Writes ops.yaml, the starter runbooks, templates and .gitattributes in one
                commit. Files the repository already has are kept. Running it again changes
                nothing.

                  ops init                     this folder
                  ops init ~/ops --example     a sample team configuration to start from
                """
        )

        @Argument(help: "The folder to set up. Default: the current folder (or -C DIR).")
        var folder: String = "."

        @Flag(help: "Write a realistic sample ops.yaml (three ML use cases, four teams) to edit.")
        var example = false

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let result = try RepositorySetup.run(
                at: folder, example: example, author: writer.author,
                environment: context.environment, currentDirectory: context.baseDirectory, clock: try context.clock())
            guard let commit = result.commit else {
                context.note("Already an ops repository: \(result.root). Nothing to change.")
                return
            }
            let verb = result.createdRepository ? "Created" : "Set up"
            context.note("\(verb) an ops repository in \(result.root) (commit \(ShortName.commit(commit))).")
            context.note("Added: \(result.added.joined(separator: ", "))")
            if !result.kept.isEmpty { context.note("Kept as they were: \(result.kept.joined(separator: ", "))") }
            context.note("Next: edit ops.yaml (people, services), then run `ops lint`.")
        }
    }
}
