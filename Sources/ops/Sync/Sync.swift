import ArgumentParser
import Foundation
import OpsKit

extension Ops {
    struct Sync: OpsCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Exchange changes with the team's remote: fetch, merge, push.",
            discussion: """
                Fast-forwards when it can; otherwise makes one merge commit. Ops documents
                merge by meaning: roles key by key, tags by union, the earliest ack, the more
                severe level; a value not kept is noted in the timeline. Timelines merge by
                union; your comments and line endings stay. Lines that clash are kept from
                both sides in a conflict block that ops lint reports. A week's review pack
                built on both sides is built again after the merge. Never force-pushes.
                Remotes: a path, file://, ssh (agent or key, checked against
                ~/.ssh/known_hosts) or https (OPS_GIT_TOKEN or Git's credential helper).

                  ops sync
                  ops sync --remote backup
                  ops sync --status             ahead/behind as of the last fetch
                """
        )

        @Option(help: ArgumentHelp("The Git remote to sync with.", valueName: "name"))
        var remote = "origin"

        @Flag(help: "Show ahead/behind counts and the last sync time; change nothing.")
        var status = false

        @Flag(help: "Print the result as JSON.")
        var json = false

        /// The sync `sync: auto` starts after a change: ends on its own if the remote hangs.
        @Flag(help: .hidden)
        var background = false

        @OptionGroup var writer: WriterOptions
        @OptionGroup var global: GlobalOptions

        func run(_ context: OpsContext) throws {
            let service = SyncService(try context.workspace())
            if status {
                let result = try service.status(remote: remote)
                context.output(json ? try JSONOutput.render(result) : Self.describe(result, zone: try context.workspace().config().timeZone))
                return
            }
            if background { alarm(AutoSync.backgroundLimit) }
            // Progress only on a terminal, on one line that is overwritten, then cleared.
            let terminal = isatty(2) == 1 && !background
            var progress: (@Sendable (String) -> Void)?
            if terminal {
                progress = { @Sendable line in FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8)) }
            }
            defer { if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
            let report = try service.sync(remote: remote, author: try context.author(writer), progress: progress)
            if json { context.output(try JSONOutput.render(report)) }
            context.note(Self.describe(report))
        }

        static func describe(_ report: SyncService.Report) -> String {
            let target = "\(report.remote)/\(report.branch)"
            var parts: [String] = []
            switch report.integration {
            case .upToDate: parts.append("Nothing new from \(target)")
            case .fastForwarded: parts.append("Fast-forwarded to \(target)")
            case .merged: parts.append("Merged \(target)")
            }
            parts.append(report.pushed ? "pushed" : "nothing to push")
            if report.attempts > 1 { parts.append("after \(report.attempts) attempts (the remote moved meanwhile)") }
            var text = parts.joined(separator: ", ") + "."
            if report.fieldConflicts > 0 {
                text +=
                    "\n\(report.fieldConflicts) field\(report.fieldConflicts == 1 ? " was" : "s were") changed on both sides: each was settled by its merge rule (see README, Sync), and the value not kept is noted in the timeline"
                    + (report.notKept.isEmpty ? "." : " or listed below.")
            }
            if !report.notKept.isEmpty {
                text += "\nNot kept (a postmortem has no timeline of its own; the merge commit's message lists them too):\n  "
                text += report.notKept.joined(separator: "\n  ")
            }
            if !report.needsPerson.isEmpty {
                text += "\nNeeds a person (conflict blocks; ops lint lists them): " + report.needsPerson.joined(separator: ", ")
            }
            for week in report.rebuiltPacks {
                text += "\nBoth clones had built the \(week) review pack: built it again from what both recorded."
            }
            for week in report.packsToRebuild {
                text += "\nBoth clones had built the \(week) review pack; one side's is kept. Build it again: ops review pack --week \(week)"
            }
            return text
        }

        static func describe(_ status: SyncService.Status, zone: TimeZone) -> String {
            let counts: String
            if let ahead = status.ahead, let behind = status.behind {
                counts = "\(ahead) ahead, \(behind) behind (as of the last fetch)"
            } else {
                counts = "never fetched"
            }
            let last = status.lastSync.map { LocalTime.formatWithZone($0, zone: zone) } ?? "never"
            return "\(status.branch) ↔ \(status.remote)/\(status.branch) (\(status.url)): \(counts); last sync: \(last)"
        }
    }
}
