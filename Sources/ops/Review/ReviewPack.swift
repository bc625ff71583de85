import ArgumentParser
import OpsKit

extension Ops.Review {
    struct Pack: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "pack",
            abstract: "Build a week's pack: pack.md, pack.html, incident_log.csv, metrics.json, charts; one commit.",
            discussion: """
                Writes reviews/<week>/ and commits it (Ops-Action: review.pack).
                Open pack.html in a browser for the meeting: one file, prints on A4.
                Same inputs, same bytes: a second run makes no commit. Prints the folder.
                Figures are the state at the week's end: events recorded later do not
                change a past week's pack (a clock point corrected later does, and the
                pack says so). A week not over says so on the pack's first line; its
                figures are as of the last change recorded, so a rerun with nothing new
                makes no commit either, and a clone whose clock runs behind does not
                replace a pack built later.
                The first commit of a week's pack built after the week ended posts its
                summary lines and the path of pack.html to each policy's
                reporting.channel, once: a rebuild, here or in a synced clone, does not.
                  ops review pack                  the last complete week, in the team's zone
                  ops review pack --week 2026-W47 --no-commit
                """
        )

        @Option(help: ArgumentHelp("The ISO week, in the team's time zone: 2026-W47. Default: the last complete week.", valueName: "week"))
        var week: String?

        @Option(help: ArgumentHelp("Where to write, instead of reviews/<week>/. Outside the repository nothing is committed.", valueName: "dir"))
        var out: String?

        @Flag(help: "Write the files but do not commit them.")
        var noCommit = false

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let service = ReviewService(try context.workspace())
            let outcome = try service.write(
                week: week, out: out.map { Workspace.absolute($0, from: context.currentDirectory) },
                commit: !noCommit
            ) { try context.author(writer) }
            context.output(outcome.folder)
            if outcome.committed {
                context.note("Review pack \(outcome.week) committed (\(outcome.files.joined(separator: ", "))).")
                context.reportAnnounced(outcome.announced)
            } else if let newer = outcome.newerOnRecord {
                context.note(
                    "Left the \(outcome.week) pack as it is: it is as of \(newer), which this machine's clock has not reached (while a week runs, its pack only moves forward). If the clock is behind, set it right (timedatectl), then run ops review pack again so the pack counts this clone's changes too."
                )
            } else if outcome.commit == nil && !noCommit && out == nil {
                context.note("Nothing to change: the \(outcome.week) pack is already committed as it is.")
            } else {
                context.note("Review pack \(outcome.week) written, not committed.")
            }
        }
    }
}
